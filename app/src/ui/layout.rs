//! The frame around every page: header with navigation, the signed-in user, sign-out.

use leptos::prelude::*;
use leptos_router::components::A;

use super::session::{reload_to, use_session};
use crate::domain::AppError;
use crate::live::use_live;
use crate::serverfns::auth::SignOut;
use crate::serverfns::notifications::unread_count;

/// The unread badge's count, for pages that change it (marking notifications read).
#[derive(Clone, Copy)]
pub struct UnreadBadge(pub Resource<Result<i64, AppError>>);

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = use_session().0;
    // Created here rather than in the nav, outside any Suspend, so it hydrates cleanly.
    // Independent of the session resource: a resource whose source reads another
    // resource refetches mid-render on the server.
    let unread = Resource::new(|| (), |_| unread_count());
    provide_context(UnreadBadge(unread));
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"◐"</span>
                "Tandem"
            </A>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(Some(me)) => view! { <UserNav name=me.user.name admin=me.user.is_admin unread /> }.into_any(),
                        _ => view! {
                            <nav class="nav" aria-label="Account">
                                <A href="/login">"Sign in"</A>
                                <A href="/register">"Create account"</A>
                            </nav>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
        </header>
        <main id="main" class="page">{children()}</main>
    }
}

#[component]
fn UserNav(name: String, admin: bool, unread: Resource<Result<i64, AppError>>) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let live = use_live();
    live.on_message(move |m| {
        if m.kind == "notification" || m.asks_refetch() {
            unread.refetch();
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = sign_out.value().get() {
            reload_to("/login");
        }
    });
    view! {
        <nav class="nav" aria-label="Main">
            <span class=move || live.state.get().class() role="status" aria-live="polite" title="Live updates">
                <span class="link-dot" aria-hidden="true"></span>
                <span class="link-label">{move || live.state.get().label()}</span>
            </span>
            <A href="/">"Projects"</A>
            <A href="/notifications">
                "Notifications"
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        // A badge has no room for an error; the page itself reports failures.
                        let n = unread.await.ok().filter(|n| *n > 0)?;
                        Some(view! { <span class="badge" aria-label=format!("{n} unread")>{n}</span> })
                    })}
                </Transition>
            </A>
            {admin.then(|| view! { <A href="/admin">"Accounts"</A> })}
            <A href="/settings" attr:class="nav-user" attr:title="Your settings">{name}</A>
            <ActionForm action=sign_out attr:class="inline-form">
                <button type="submit" class="link-button">"Sign out"</button>
            </ActionForm>
        </nav>
    }
}

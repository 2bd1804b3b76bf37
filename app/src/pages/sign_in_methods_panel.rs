//! On the settings page: the providers you sign in with, to connect or disconnect.

use leptos::prelude::*;

use crate::domain::{AppError, SignInMethods};
use crate::serverfns::identities::{get_sign_in_methods, UnlinkIdentity};
use crate::ui::feedback::{ErrorNotice, FormError, Loading};
use crate::ui::time::{format_when, Tz};

use super::auth_pages::ProviderFailure;

/// The list and its action, made at page level so the browser hydrates what the server
/// rendered.
#[derive(Clone, Copy)]
pub struct MethodsState {
    unlink: ServerAction<UnlinkIdentity>,
    methods: Resource<Result<SignInMethods, AppError>>,
}

impl MethodsState {
    pub fn new() -> Self {
        let unlink = ServerAction::<UnlinkIdentity>::new();
        let methods = Resource::new(move || unlink.version().get(), |_| get_sign_in_methods());
        Self { unlink, methods }
    }

    pub fn methods(self) -> Resource<Result<SignInMethods, AppError>> {
        self.methods
    }
}

#[component]
pub fn SignInMethodsPanel(tz: Tz, state: MethodsState) -> impl IntoView {
    let MethodsState { unlink, methods } = state;
    let error = Signal::derive(move || unlink.value().get().and_then(Result::err));
    view! {
        <section class="card stack" aria-labelledby="sign-in-methods-heading" id="sign-in-methods">
            <h2 id="sign-in-methods-heading">"Sign-in methods"</h2>
            <ProviderFailure />
            <FormError error />
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match methods.await {
                        Ok(methods) => view! { <Methods methods tz unlink /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn Methods(methods: SignInMethods, tz: Tz, unlink: ServerAction<UnlinkIdentity>) -> impl IntoView {
    // The last way in cannot be removed; its button says why instead of failing.
    let last = !methods.password && methods.identities.len() == 1;
    let none_linked = methods.identities.is_empty();
    let password = methods.password;
    let connected = methods
        .identities
        .into_iter()
        .map(|identity| {
            let id = identity.id;
            let label = identity.label.clone();
            let who = identity.email.clone().unwrap_or_default();
            view! {
                <li class="access-row">
                    <div>
                        <strong>{identity.label}</strong>
                        " "
                        <span class="muted">{who}</span>
                        <p class="muted small">"Connected " {format_when(identity.linked_at, tz)}</p>
                    </div>
                    <button
                        type="button"
                        class="danger"
                        disabled=move || last || unlink.pending().get()
                        title=if last { "Your only way to sign in: connect another first" } else { "" }
                        aria-label=format!("Disconnect {label}")
                        on:click=move |_| {
                            unlink.dispatch(UnlinkIdentity { id });
                        }
                    >
                        "Disconnect"
                    </button>
                </li>
            }
        })
        .collect_view();
    let available = methods
        .available
        .into_iter()
        .map(|p| {
            let href = format!("/auth/{}/login?link=1", crate::domain::encode_component(&p.name));
            view! { <a class="button provider" href=href rel="external">{format!("Connect {}", p.label)}</a> }
        })
        .collect_view();
    view! {
        <p class="muted">
            {match (password, none_linked) {
                (true, true) => "You sign in with your email and password. Connect a provider to sign in with it too.",
                (true, false) => "You sign in with your email and password, or with:",
                (false, _) => "You sign in with:",
            }}
        </p>
        <ul class="access-list">{connected}</ul>
        <div class="providers row">{available}</div>
    }
}

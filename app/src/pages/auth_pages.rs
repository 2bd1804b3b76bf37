//! Sign-in and account creation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::domain::{encode_component, safe_next};
use crate::serverfns::auth::{Register, SignIn};
use crate::ui::feedback::{FieldError, FormError};
use crate::ui::session::reload_to;

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let next = next_path();
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            reload_to(&next.get_untracked());
        }
    });
    view! {
        <Title text="Sign in" />
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <ActionForm action attr:class="stack" attr:aria-label="Sign in">
                <FormError error />
                <label>
                    "Email"
                    <input type="email" name="email" autocomplete="email" required />
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <input type="hidden" name="next" prop:value=next />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="muted">"New here? " <A href=move || with_next("/register", &next.get())>"Create an account"</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let next = next_path();
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            reload_to(&next.get_untracked());
        }
    });
    view! {
        <Title text="Create account" />
        <section class="card narrow">
            <h1>"Create your account"</h1>
            <ActionForm action attr:class="stack" attr:aria-label="Create account">
                <FormError error />
                <label>
                    "Name"
                    <input type="text" name="name" autocomplete="name" required maxlength="100" />
                </label>
                <FieldError error field="name" />
                <label>
                    "Email"
                    <input type="email" name="email" autocomplete="email" required />
                </label>
                <FieldError error field="email" />
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="new-password" required minlength="8" />
                </label>
                <FieldError error field="password" />
                <input type="hidden" name="next" prop:value=next />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="muted">"Already have an account? " <A href=move || with_next("/login", &next.get())>"Sign in"</A></p>
        </section>
    }
}

/// The `?next=` of the page's address, when it is a path on this site; else `/`.
fn next_path() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| safe_next(query.read().get("next").as_deref()))
}

/// `page` keeping the place to return to after signing in.
fn with_next(page: &str, next: &str) -> String {
    if next == "/" {
        page.to_owned()
    } else {
        format!("{page}?next={}", encode_component(next))
    }
}

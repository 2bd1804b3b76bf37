//! Sign-in and account creation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::serverfns::auth::{Register, SignIn};
use crate::ui::feedback::{FieldError, FormError};
use crate::ui::session::reload_to;

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            reload_to("/");
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
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="muted">"New here? " <A href="/register">"Create an account"</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            reload_to("/");
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
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="muted">"Already have an account? " <A href="/login">"Sign in"</A></p>
        </section>
    }
}

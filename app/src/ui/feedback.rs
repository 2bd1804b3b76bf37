//! Loading, error and empty states, the same everywhere.

use leptos::prelude::*;

use crate::domain::{AppError, ErrorCode};

#[component]
pub fn Loading(#[prop(default = "Loading…")] label: &'static str) -> impl IntoView {
    view! {
        <p class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </p>
    }
}

/// A failed request, said in words, with a way forward when there is one.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let hint = match error.code {
        ErrorCode::Unauthorized => Some(view! { <a href="/login">"Sign in"</a> }.into_any()),
        ErrorCode::NotFound => Some(view! { <a href="/">"Back to your projects"</a> }.into_any()),
        _ => None,
    };
    view! {
        <div class="notice notice-error" role="alert">
            <p>{error.message}</p>
            {hint}
        </div>
    }
}

/// The message next to a form field, from the server's (or the shared) validation.
#[component]
pub fn FieldError(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field_error(field));
    view! {
        <Show when=move || message().is_some()>
            <p class="field-error" id=format!("{field}-error") role="alert">{message}</p>
        </Show>
    }
}

/// An error that is not about a single field: shown above the form.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    let message =
        move || error.get().filter(|e| e.details.as_ref().is_none_or(|d| d.get("fields").is_none())).map(|e| e.message);
    view! {
        <Show when=move || message().is_some()>
            <p class="notice notice-error" role="alert">{message}</p>
        </Show>
    }
}

#[component]
pub fn Empty(children: Children) -> impl IntoView {
    view! { <div class="empty">{children()}</div> }
}

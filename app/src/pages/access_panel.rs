//! On the settings page: your password, your signed-in devices and your API tokens.

use leptos::prelude::*;

use crate::domain::{AccessInfo, AccessKind, AppError, CreatedToken, NewToken, PasswordChange, TokenScope};
use crate::serverfns::account::{list_access, ChangePassword, CreateToken, RevokeAccess, RevokeOtherAccess};
use crate::ui::feedback::{Empty, ErrorNotice, FieldError, FormError, Loading};
use crate::ui::form::FormValues;
use crate::ui::time::{format_when, Tz};

use super::sign_in_methods_panel::MethodsState;

#[component]
pub fn PasswordPanel(methods: MethodsState) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || local_error.get().or_else(|| change.value().get().and_then(Result::err)));
    let done = move || matches!(change.value().get(), Some(Ok(())));
    let on_submit = move |ev| {
        let values = FormValues::from_submit(&ev);
        let input = PasswordChange {
            current_password: values.get("current_password"),
            new_password: values.get("new_password"),
        };
        local_error.set(input.validate().err());
        if local_error.get_untracked().is_none() {
            change.dispatch(ChangePassword { input });
        }
    };
    let form = move || {
        view! {
                <form class="stack" on:submit=on_submit aria-label="Change password">
                    <FormError error />
                    <label>
                        "Current password"
                        <input type="password" name="current_password" autocomplete="current-password" required />
                    </label>
                    <FieldError error field="current_password" />
                    <label>
                        "New password"
                        <input type="password" name="new_password" autocomplete="new-password" required minlength="8" />
                    </label>
                    <FieldError error field="new_password" />
                    <Show when=done>
                        <p class="notice" role="status">"Password changed. Every other device and token was signed out."</p>
                    </Show>
                    <button type="submit" class="primary" disabled=move || change.pending().get()>
                        {move || if change.pending().get() { "Changing…" } else { "Change password" }}
                    </button>
                </form>
        }
    };
    let methods = methods.methods();
    view! {
        <section class="card stack" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match methods.await {
                        // An account made through a provider has no password to change.
                        Ok(m) if !m.has_password => view! {
                            <p class="muted">"Your account has no password: you sign in through a provider."</p>
                        }.into_any(),
                        _ => form().into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// The list and its actions, made at page level (outside any Suspend) so the browser
/// hydrates what the server rendered.
#[derive(Clone, Copy)]
pub struct AccessState {
    revoke: ServerAction<RevokeAccess>,
    revoke_others: ServerAction<RevokeOtherAccess>,
    create: ServerAction<CreateToken>,
    list: Resource<Result<Vec<AccessInfo>, AppError>>,
}

impl AccessState {
    pub fn new() -> Self {
        let revoke = ServerAction::<RevokeAccess>::new();
        let revoke_others = ServerAction::<RevokeOtherAccess>::new();
        let create = ServerAction::<CreateToken>::new();
        let list = Resource::new(
            move || (revoke.version().get(), revoke_others.version().get(), create.version().get()),
            |_| list_access(),
        );
        Self { revoke, revoke_others, create, list }
    }
}

#[component]
pub fn AccessPanel(tz: Tz, state: AccessState) -> impl IntoView {
    let AccessState { revoke, revoke_others, create, list } = state;
    let action_error = Signal::derive(move || {
        revoke.value().get().and_then(Result::err).or_else(|| revoke_others.value().get().and_then(Result::err))
    });
    view! {
        <section class="card stack" aria-labelledby="access-heading">
            <div class="page-head">
                <h2 id="access-heading">"Devices and tokens"</h2>
                <button
                    type="button"
                    class="danger"
                    disabled=move || revoke_others.pending().get()
                    on:click=move |_| { revoke_others.dispatch(RevokeOtherAccess {}); }
                >
                    "Sign out everywhere else"
                </button>
            </div>
            <FormError error=action_error />
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! { <Empty><p>"Nothing signed in."</p></Empty> }.into_any(),
                        Ok(items) => view! {
                            <ul class="access-list">
                                {items.into_iter().map(|item| view! { <AccessRow item tz revoke /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
            <NewTokenForm create />
        </section>
    }
    .into_any()
}

#[component]
fn AccessRow(item: AccessInfo, tz: Tz, revoke: ServerAction<RevokeAccess>) -> impl IntoView {
    let id = item.id;
    let (what, action) = match item.kind {
        AccessKind::Browser => ("Browser", "Sign out"),
        AccessKind::Api => ("Token from sign-in", "Revoke"),
        AccessKind::Personal => ("API token", "Revoke"),
    };
    let scope = match item.scope {
        TokenScope::Read => "read only",
        TokenScope::ReadWrite => "read and write",
    };
    let scope = (item.kind != AccessKind::Browser).then_some(scope);
    // Named ones say what they are below the name; unnamed ones are called by what they are.
    let (name, kind) = match item.name.clone() {
        Some(name) => (name, Some(what)),
        None => (what.to_owned(), None),
    };
    let details = kind
        .into_iter()
        .chain(scope)
        .map(str::to_owned)
        .chain([
            format!("last used {}", format_when(item.last_seen_at, tz)),
            format!("expires {}", format_when(item.expires_at, tz)),
        ])
        .collect::<Vec<_>>()
        .join(" · ");
    let label = format!("{action} {name}");
    view! {
        <li class="access-row">
            <div class="stack-tight">
                <strong>{name}</strong>
                <span class="muted">{details}</span>
            </div>
            {if item.current {
                view! { <span class="pill">"This device"</span> }.into_any()
            } else {
                view! {
                    <button type="button" class="link-button danger" aria-label=label on:click=move |_| { revoke.dispatch(RevokeAccess { id }); }>
                        {action}
                    </button>
                }.into_any()
            }}
        </li>
    }
    .into_any()
}

#[component]
fn NewTokenForm(create: ServerAction<CreateToken>) -> impl IntoView {
    let local_error = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || local_error.get().or_else(|| create.value().get().and_then(Result::err)));
    let created = move || create.value().get().and_then(Result::ok);
    let on_submit = move |ev| {
        let values = FormValues::from_submit(&ev);
        let scope = TokenScope::parse(&values.get("scope")).unwrap_or_default();
        let days = values.get("expires_in_days").trim().parse().ok();
        match (NewToken { name: values.get("name"), scope, expires_in_days: days }).normalized() {
            Ok(input) => {
                local_error.set(None);
                create.dispatch(CreateToken { input });
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    view! {
        <form class="stack" on:submit=on_submit aria-label="New API token">
            <h3>"New API token"</h3>
            <p class="muted">"For scripts and integrations: send it as " <code>"Authorization: Bearer …"</code> "."</p>
            <FormError error />
            <div class="row">
                <label class="grow">
                    "Token name"
                    <input type="text" name="name" required maxlength="100" placeholder="CI deploys" />
                </label>
                <label>
                    "Access"
                    <select name="scope">
                        <option value="read">"Read only"</option>
                        <option value="read_write">"Read and write"</option>
                    </select>
                </label>
                <label>
                    "Expires after (days)"
                    <input type="number" name="expires_in_days" min="1" max="365" value="90" required />
                </label>
            </div>
            <FieldError error field="name" />
            <FieldError error field="expires_in_days" />
            <button type="submit" class="primary" disabled=move || create.pending().get()>"Create token"</button>
            {move || created().map(|made: CreatedToken| view! {
                <div class="notice" role="status">
                    <p>"Copy this token now; it will not be shown again."</p>
                    <label>
                        "New token"
                        <input type="text" readonly value=made.token class="token-value"
                            on:focus=|ev| { event_target::<leptos::web_sys::HtmlInputElement>(&ev).select(); } />
                    </label>
                </div>
            })}
        </form>
    }
    .into_any()
}

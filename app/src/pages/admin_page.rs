//! Every account on the instance, for instance admins: promote, demote, disable, enable.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::InstanceSettings;
use crate::domain::{AccountInfo, AccountPatch, AppError, ErrorCode, Me};
use crate::serverfns::account::{list_accounts, UpdateAccount};
use crate::serverfns::identities::{get_instance_settings, UpdateInstanceSettings};
use crate::ui::feedback::{ErrorNotice, FormError, Loading};
use crate::ui::guard::RequireUser;
use crate::ui::time::{format_when, Tz};

#[component]
pub fn AdminPage() -> impl IntoView {
    // Created outside any Suspend, so that the browser hydrates what the server rendered.
    let update = ServerAction::<UpdateAccount>::new();
    let accounts = Resource::new(move || update.version().get(), |_| list_accounts());
    let save = ServerAction::<UpdateInstanceSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_instance_settings());
    view! {
        <Title text="Accounts" />
        <RequireUser children=move |me| {
            let admin = me.user.is_admin;
            view! {
                <Accounts me update accounts />
                {admin.then(|| view! { <SignInSettings save settings /> })}
            }
        } />
    }
}

/// Instance-wide sign-in switches.
#[component]
fn SignInSettings(
    save: ServerAction<UpdateInstanceSettings>,
    settings: Resource<Result<InstanceSettings, AppError>>,
) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <section class="card stack" aria-labelledby="sign-in-settings-heading">
            <h2 id="sign-in-settings-heading">"Sign-in"</h2>
            <FormError error />
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(current) => {
                            let on = current.password_sign_in;
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        name="password_sign_in"
                                        prop:checked=on
                                        disabled=move || save.pending().get()
                                        on:change=move |ev| {
                                            save.dispatch(UpdateInstanceSettings {
                                                settings: InstanceSettings { password_sign_in: event_target_checked(&ev) },
                                            });
                                        }
                                    />
                                    " Allow sign-in and sign-up with email and password"
                                </label>
                                <p class="muted small">
                                    "When off, people sign in only through the configured providers. "
                                    "Connect a provider to your own account first."
                                </p>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn Accounts(
    me: Me,
    update: ServerAction<UpdateAccount>,
    accounts: Resource<Result<Vec<AccountInfo>, AppError>>,
) -> impl IntoView {
    if !me.user.is_admin {
        let error = AppError::new(ErrorCode::Forbidden, "Only instance admins manage accounts.");
        return view! { <ErrorNotice error /> }.into_any();
    }
    let tz = Tz::new(me.zone);
    let my_id = me.user.id;
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    view! {
        <div class="page-head">
            <h1>"Accounts"</h1>
        </div>
        <FormError error />
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match accounts.await {
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="accounts">
                                <caption class="visually-hidden">"Accounts on this instance"</caption>
                                <thead>
                                    <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Joined"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|a| {
                                        let is_me = a.user.id == my_id;
                                        view! { <AccountRow account=a tz update is_me /> }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn AccountRow(account: AccountInfo, tz: Tz, update: ServerAction<UpdateAccount>, is_me: bool) -> impl IntoView {
    let AccountInfo { user, disabled } = account;
    let id = user.id;
    let set = move |patch: AccountPatch| {
        update.dispatch(UpdateAccount { id, patch });
    };
    let (admin_label, admin_patch) = if user.is_admin {
        ("Make member", AccountPatch { is_admin: Some(false), ..Default::default() })
    } else {
        ("Make admin", AccountPatch { is_admin: Some(true), ..Default::default() })
    };
    let (status_label, status_patch) = if disabled {
        ("Enable", AccountPatch { disabled: Some(false), ..Default::default() })
    } else {
        ("Disable", AccountPatch { disabled: Some(true), ..Default::default() })
    };
    let name = user.name.clone();
    view! {
        <tr class:disabled=disabled>
            <td>{user.name}{is_me.then_some(" (you)")}</td>
            <td>{user.email}</td>
            <td>{format_when(user.created_at, tz)}</td>
            <td>{if user.is_admin { "Admin" } else { "Member" }}</td>
            <td>{if disabled { "Disabled" } else { "Active" }}</td>
            <td class="actions">
                <Show when=move || !is_me fallback=|| view! { <span class="muted">"—"</span> }>
                    <button type="button" class="link-button" aria-label=format!("{admin_label}: {name}")
                        disabled=move || update.pending().get()
                        on:click={ let patch = admin_patch.clone(); move |_| set(patch.clone()) }>
                        {admin_label}
                    </button>
                    <button type="button" class="link-button" class:danger=!disabled aria-label=format!("{status_label}: {name}")
                        disabled=move || update.pending().get()
                        on:click={ let patch = status_patch.clone(); move |_| set(patch.clone()) }>
                        {status_label}
                    </button>
                </Show>
            </td>
        </tr>
    }
}

//! Your name and time zone, notifications, password, signed-in devices and API tokens.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::{AppError, Channel, MePatch, User};
use crate::serverfns::auth::{list_timezones, UpdateMe};
use crate::ui::feedback::{FieldError, FormError};
use crate::ui::form::FormValues;
use crate::ui::guard::RequireUser;
use crate::ui::session::reload_to;
use crate::ui::time::Tz;

use super::access_panel::{AccessPanel, AccessState, PasswordPanel};
use super::notification_settings_panel::NotificationSettings;
use super::push_panel::{PushPanel, PushState};
use super::sign_in_methods_panel::{MethodsState, SignInMethodsPanel};

#[component]
pub fn SettingsPage() -> impl IntoView {
    // Created outside any Suspend, so that the browser hydrates what the server rendered.
    let zones = Resource::new(|| (), |_| list_timezones());
    let access = AccessState::new();
    let methods = MethodsState::new();
    let push = PushState::new();
    view! {
        <Title text="Settings" />
        <RequireUser children=move |me| {
            let tz = Tz::new(me.zone);
            view! {
            <div class="settings">
                <Settings user=me.user.clone() zones />
                {me.channels.contains(&Channel::Push).then(|| view! { <PushPanel state=push tz /> })}
                <NotificationSettings prefs=me.user.notifications channels=me.channels />
                <PasswordPanel methods />
                <SignInMethodsPanel tz state=methods />
                <AccessPanel tz state=access />
            </div>
            }
        } />
    }
    .into_any()
}

#[component]
fn Settings(user: User, zones: Resource<Result<Vec<String>, AppError>>) -> impl IntoView {
    let update = ServerAction::<UpdateMe>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || local_error.get().or_else(|| update.value().get().and_then(Result::err)));
    Effect::new(move || {
        if let Some(Ok(_)) = update.value().get() {
            reload_to("/settings");
        }
    });
    let on_submit = move |ev| {
        let values = FormValues::from_submit(&ev);
        let patch = MePatch {
            name: Some(values.get("name")),
            timezone: Some(values.get("timezone")),
            reminder_lead_minutes: None,
            reminder_leads_minutes: Some(
                values.get_all("reminder_leads_minutes").iter().filter_map(|m| m.parse().ok()).collect(),
            ),
            notifications: None,
        };
        match patch.normalized() {
            Ok(patch) => {
                update.dispatch(UpdateMe { patch });
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    view! {
        <section class="card stack">
            <h1>"Settings"</h1>
            <p class="muted identity-line">
                {user.avatar_url.clone().map(|src| view! {
                    <img class="avatar" src=src alt="" width="40" height="40" referrerpolicy="no-referrer" />
                })}
                {user.email.clone()}
            </p>
            <form class="stack" on:submit=on_submit aria-label="Settings">
                <FormError error />
                <label>
                    "Name"
                    <input type="text" name="name" required maxlength="100" value=user.name.clone() />
                </label>
                <FieldError error field="name" />
                <label>
                    <span>"Time zone " <span class="muted">"(dates are shown in it)"</span></span>
                    <input type="text" name="timezone" list="timezones" value=user.timezone.clone() />
                    <datalist id="timezones">
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                // Suggestions only: the field accepts any name the server knows,
                                // so without them the form still works as plain text.
                                match zones.await {
                                    Ok(names) => names.into_iter().map(|name| view! { <option value=name></option> }).collect_view().into_any(),
                                    Err(_) => ().into_any(),
                                }
                            })}
                        </Suspense>
                    </datalist>
                </label>
                <FieldError error field="timezone" />
                <fieldset class="lead-picker" aria-describedby="leads-hint">
                    <legend>"Remind me before a task is due"</legend>
                    {lead_choices(&user.reminder_leads_minutes).into_iter().map(|(minutes, label)| {
                        let checked = user.reminder_leads_minutes.contains(&minutes);
                        view! {
                            <label class="check">
                                <input type="checkbox" name="reminder_leads_minutes" value=minutes.to_string() checked=checked />
                                {label}
                            </label>
                        }
                    }).collect_view()}
                    <p id="leads-hint" class="muted">"Up to four; with none, only once it is overdue."</p>
                </fieldset>
                <FieldError error field="reminder_leads_minutes" />
                <button type="submit" class="primary" disabled=move || update.pending().get()>"Save"</button>
            </form>
        </section>
    }
    .into_any()
}

/// The lead times offered, with the person's own among them where they are none of these.
fn lead_choices(current: &[u32]) -> Vec<(u32, String)> {
    let mut choices: Vec<(u32, String)> = [
        (15, "15 minutes"),
        (30, "30 minutes"),
        (60, "1 hour"),
        (120, "2 hours"),
        (24 * 60, "1 day"),
        (2 * 24 * 60, "2 days"),
        (7 * 24 * 60, "1 week"),
    ]
    .into_iter()
    .map(|(m, label)| (m, label.to_owned()))
    .collect();
    for &minutes in current {
        if !choices.iter().any(|(m, _)| *m == minutes) {
            choices.push((minutes, format!("{minutes} minutes")));
        }
    }
    choices.sort_by_key(|(m, _)| *m);
    choices
}

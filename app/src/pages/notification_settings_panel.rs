//! Which notifications reach you, in the app, by email and by push, and the quiet hours
//! in which email and pushes wait.

use chrono::NaiveTime;
use leptos::prelude::*;

use crate::domain::{
    AppError, Channel, MePatch, NotificationKind, NotificationPrefs, NotificationPrefsPatch, QuietHours,
};
use crate::serverfns::auth::UpdateMe;
use crate::ui::feedback::{FieldError, FormError};
use crate::ui::form::FormValues;

const QUIET_FIELD: &str = "notifications.quiet_hours";
const DIGEST_FIELD: &str = "notifications.digest_at";

#[component]
pub fn NotificationSettings(prefs: NotificationPrefs, channels: Vec<Channel>) -> impl IntoView {
    let update = ServerAction::<UpdateMe>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || local_error.get().or_else(|| update.value().get().and_then(Result::err)));
    let saved =
        move || !update.pending().get() && matches!(update.value().get(), Some(Ok(_))) && local_error.get().is_none();
    // The app always; email and push where this server sends them.
    let offered: Vec<Channel> =
        Channel::ALL.into_iter().filter(|c| *c == Channel::App || channels.contains(c)).collect();
    let held = offered.len() > 1;
    let current = prefs.clone();
    let columns = offered.clone();
    let on_submit = move |ev| {
        local_error.set(None);
        let values = FormValues::from_submit(&ev);
        match patch_from(&values, &current, &columns).and_then(NotificationPrefsPatch::normalized) {
            Ok(patch) => {
                update.dispatch(UpdateMe { patch: MePatch { notifications: Some(patch), ..Default::default() } });
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    let quiet = prefs.quiet_hours;
    let digest_at = prefs.digest_at;
    let rows = NotificationKind::ALL
        .into_iter()
        .map(|kind| {
            let what = kind.describe();
            let cells = offered
                .iter()
                .map(|&channel| {
                    view! {
                        <td>
                            <input type="checkbox" name=channel.as_str() value=kind.as_str()
                                checked=prefs.wants(kind, channel)
                                aria-label=format!("{what}: {}", channel.label()) />
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{what}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card stack" aria-labelledby="notification-settings">
            <h2 id="notification-settings">"Notifications"</h2>
            <form class="stack" on:submit=on_submit aria-label="Notifications">
                <FormError error />
                <div class="table-wrap">
                    <table class="prefs">
                        <thead>
                            <tr>
                                <th scope="col">"Tell me when"</th>
                                {offered.iter().map(|c| view! { <th scope="col">{c.label()}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <fieldset>
                    <legend>"Daily digest"</legend>
                    <label class="check">
                        <input type="checkbox" name="digest" checked=digest_at.is_some() />
                        "Send me each day what is due that day and what is overdue"
                    </label>
                    <label>
                        "At"
                        <input type="time" name="digest_at" required
                            value=digest_at.map_or("08:00".into(), |t| t.format("%H:%M").to_string()) />
                    </label>
                    <p class="muted hint">"In your time zone; nothing comes on a day with nothing due."</p>
                </fieldset>
                <FieldError error field=DIGEST_FIELD />
                {if held {
                    view! {
                        <fieldset>
                            <legend>"Quiet hours"</legend>
                            <label class="check">
                                <input type="checkbox" name="quiet" checked=quiet.is_some() />
                                "Hold emails and pushes during quiet hours"
                            </label>
                            <label>
                                "From"
                                <input type="time" name="quiet_from" required
                                    value=quiet.map_or("22:00".into(), |q| q.from.format("%H:%M").to_string()) />
                            </label>
                            <label>
                                "To"
                                <input type="time" name="quiet_to" required
                                    value=quiet.map_or("07:00".into(), |q| q.to.format("%H:%M").to_string()) />
                            </label>
                            <p class="muted hint">
                                "In your time zone. What is held back goes out when quiet hours end; the app still shows everything at once."
                            </p>
                        </fieldset>
                        <FieldError error field=QUIET_FIELD />
                    }
                    .into_any()
                } else {
                    view! {
                        <p class="muted hint">"This server sends neither email nor pushes, so notifications appear in the app only."</p>
                    }
                    .into_any()
                }}
                <div class="row">
                    <button type="submit" class="primary" disabled=move || update.pending().get()>"Save notifications"</button>
                    <Show when=saved>
                        <span class="muted" role="status">"Saved."</span>
                    </Show>
                </div>
            </form>
        </section>
    }
    .into_any()
}

/// The patch the form asks for. A channel not offered here keeps each kind's choice,
/// and without email or push the quiet hours stay as they are.
fn patch_from(
    values: &FormValues,
    current: &NotificationPrefs,
    offered: &[Channel],
) -> Result<NotificationPrefsPatch, AppError> {
    let ticked: Vec<(Channel, Vec<String>)> =
        Channel::ALL.into_iter().map(|c| (c, values.get_all(c.as_str()))).collect();
    let events = NotificationKind::ALL
        .into_iter()
        .map(|kind| {
            let channels = ticked
                .iter()
                .filter(|(channel, kinds)| {
                    if offered.contains(channel) {
                        kinds.iter().any(|k| k == kind.as_str())
                    } else {
                        current.wants(kind, *channel)
                    }
                })
                .map(|(channel, _)| *channel)
                .collect();
            (kind, channels)
        })
        .collect();
    let quiet_hours = if offered.len() < 2 {
        None
    } else if values.get("quiet").is_empty() {
        Some(None)
    } else {
        let time = |name| {
            NaiveTime::parse_from_str(&values.get(name), "%H:%M")
                .map_err(|_| AppError::invalid(QUIET_FIELD, "needs a start and an end time, such as 22:00 and 07:00"))
        };
        Some(Some(QuietHours { from: time("quiet_from")?, to: time("quiet_to")? }))
    };
    let digest_at = if values.get("digest").is_empty() {
        None
    } else {
        Some(
            NaiveTime::parse_from_str(&values.get("digest_at"), "%H:%M")
                .map_err(|_| AppError::invalid(DIGEST_FIELD, "needs a time, such as 08:00"))?,
        )
    };
    Ok(NotificationPrefsPatch { events, quiet_hours, digest_at: Some(digest_at) })
}

//! The reminders a task carries of its own: listed for everyone who can read the task,
//! added (before it is due, or at a moment) and removed by those who may edit it.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::{describe_minutes, AppError, NewTaskReminder, TaskReminder};
use crate::serverfns::tasks::{AddTaskReminder, RemoveTaskReminder};
use crate::ui::feedback::{FieldError, FormError};
use crate::ui::form::FormValues;
use crate::ui::time::{format_when, from_input, Tz};

/// Lead times offered for "before it is due", in minutes.
const BEFORE_CHOICES: [u32; 6] = [15, 60, 3 * 60, 24 * 60, 2 * 24 * 60, 7 * 24 * 60];

#[component]
pub fn TaskRemindersPanel(
    task_id: Uuid,
    reminders: Resource<Result<Vec<TaskReminder>, AppError>>,
    changes: RwSignal<u32>,
    can_edit: bool,
    tz: Tz,
) -> impl IntoView {
    let add = ServerAction::<AddTaskReminder>::new();
    let remove = ServerAction::<RemoveTaskReminder>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || {
        let (local, added, removed) = (local_error.get(), add.value().get(), remove.value().get());
        local.or_else(|| added.and_then(Result::err)).or_else(|| removed.and_then(Result::err))
    });
    // Both read every time, so that the effect follows both actions.
    Effect::new(move || {
        let (added, removed) = (add.value().get(), remove.value().get());
        if matches!(added, Some(Ok(_))) || matches!(removed, Some(Ok(()))) {
            changes.update(|n| *n += 1);
        }
    });
    let on_add = move |ev| {
        local_error.set(None);
        let values = FormValues::from_submit(&ev);
        let when = values.get("when");
        let input = if when == "at" {
            match from_input(&values.get("at"), tz) {
                Some(at) => NewTaskReminder { at: Some(at), before_due_minutes: None },
                None => {
                    local_error.set(Some(AppError::invalid("at", "needs a date and time")));
                    return;
                }
            }
        } else {
            NewTaskReminder { at: None, before_due_minutes: when.parse().ok() }
        };
        match input.normalized() {
            Ok(input) => {
                add.dispatch(AddTaskReminder { task_id, input });
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    let at_chosen = RwSignal::new(false);
    view! {
        <section class="card stack" aria-labelledby="task-reminders">
            <h2 id="task-reminders">"Reminders"</h2>
            <p class="muted hint">"For whoever is assigned (the creator when nobody is), besides their own reminder before the due time."</p>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading reminders…"</p> }>
                {move || Suspend::new(async move {
                    match reminders.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No reminders of its own."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="reminder-list">
                                {list.into_iter().map(|r| {
                                    let what = describe(&r, tz);
                                    let label = format!("Remove the reminder {what}");
                                    view! {
                                        <li>
                                            <span>{what}</span>
                                            {can_edit.then(|| view! {
                                                <button type="button" class="link-button" aria-label=label
                                                    disabled=move || remove.pending().get()
                                                    on:click=move |_| { remove.dispatch(RemoveTaskReminder { task_id, id: r.id }); }>
                                                    "Remove"
                                                </button>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="notice notice-error" role="alert">{e.message}</p> }.into_any(),
                    }
                })}
            </Transition>
            {can_edit.then(|| view! {
                <form class="row reminder-form" on:submit=on_add aria-label="Add a reminder">
                    <FormError error />
                    <div class="stack-tight">
                        <label for="reminder-when">"Remind"</label>
                        <select id="reminder-when" name="when" on:change=move |ev| at_chosen.set(event_target_value(&ev) == "at")>
                            {BEFORE_CHOICES.into_iter().map(|m| view! {
                                <option value=m.to_string() selected=m == 60>{format!("{} before it is due", describe_minutes(m))}</option>
                            }).collect_view()}
                            <option value="at">"At a date and time…"</option>
                        </select>
                    </div>
                    <Show when=move || at_chosen.get()>
                        <div class="stack-tight">
                            <label for="reminder-at">"At"</label>
                            <input id="reminder-at" type="datetime-local" name="at" required />
                        </div>
                    </Show>
                    <button type="submit" disabled=move || add.pending().get()>"Add reminder"</button>
                    <FieldError error field="at" />
                    <FieldError error field="before_due_minutes" />
                </form>
            })}
        </section>
    }
}

fn describe(reminder: &TaskReminder, tz: Tz) -> String {
    match (reminder.at, reminder.before_due_minutes) {
        (Some(at), _) => format!("at {}", format_when(at, tz)),
        (None, Some(0)) => "when it is due".to_owned(),
        (None, Some(m)) => format!("{} before it is due", describe_minutes(m)),
        (None, None) => String::new(),
    }
}

//! The task fields form: empty for a new task, filled for an edit.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::{AppError, Every, Member, NewTask, Priority, Recurrence, Task, TaskStatus, MAX_INTERVAL};
use crate::serverfns::tasks::CreateTask;
use crate::ui::feedback::{FieldError, FormError};
use crate::ui::form::{split_labels, FormValues};
use crate::ui::session::use_session;
use crate::ui::time::{from_input, to_input, to_local, Tz};

/// The values a task form holds, read from a submitted form.
pub struct TaskFields {
    pub title: String,
    pub description: Option<String>,
    pub status: TaskStatus,
    pub priority: Priority,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub assignee_ids: Vec<Uuid>,
    pub labels: Vec<String>,
    pub recurrence: Option<Recurrence>,
}

impl TaskFields {
    pub fn read(values: &FormValues, tz: Tz) -> Result<Self, AppError> {
        let due = values.get("due_at");
        let due_at = match due.trim() {
            "" => None,
            text => Some(from_input(text, tz).ok_or_else(|| AppError::invalid("due_at", "is not a date and time"))?),
        };
        Ok(Self {
            title: values.get("title"),
            description: values.optional("description"),
            status: TaskStatus::parse(&values.get("status")).unwrap_or(TaskStatus::Todo),
            priority: Priority::parse(&values.get("priority")).unwrap_or(Priority::None),
            due_at,
            assignee_ids: values.get_all("assignee_ids").iter().filter_map(|v| v.parse().ok()).collect(),
            labels: split_labels(&values.get("labels")),
            recurrence: read_recurrence(values, tz)?,
        })
    }
}

/// The repeat picker's rule, counted in the user's zone; the server fixes the day of a
/// monthly rule from the due date.
fn read_recurrence(values: &FormValues, tz: Tz) -> Result<Option<Recurrence>, AppError> {
    let Some(every) = Every::parse(&values.get("repeat_every")) else {
        return Ok(None);
    };
    let interval = if every.counts() {
        values
            .get("repeat_interval")
            .trim()
            .parse::<u16>()
            .map_err(|_| AppError::invalid("recurrence", "interval must be a whole number from 1 to 999"))?
    } else {
        1
    };
    let cron = (every == Every::Cron).then(|| values.get("repeat_cron"));
    Ok(Some(Recurrence { interval, cron, zone: Some(tz.name()), ..Recurrence::new(every) }))
}

/// The user's zone, UTC until the session has loaded.
pub fn user_tz() -> Tz {
    Tz::new(use_session().0.get_untracked().and_then(Result::ok).flatten().map(|me| me.zone).unwrap_or_default())
}

#[component]
pub fn NewTaskForm(project_id: Uuid, members: Vec<Member>, changes: RwSignal<u32>) -> AnyView {
    let create = ServerAction::<CreateTask>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || local_error.get().or_else(|| create.value().get().and_then(Result::err)));
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move || {
        if let Some(Ok(_)) = create.value().get() {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            changes.update(|n| *n += 1);
        }
    });
    let on_submit = move |ev| {
        local_error.set(None);
        let values = FormValues::from_submit(&ev);
        let input = TaskFields::read(&values, user_tz()).and_then(|f| {
            NewTask {
                title: f.title,
                description: f.description,
                status: Some(f.status),
                priority: Some(f.priority),
                due_at: f.due_at,
                assignee_ids: f.assignee_ids,
                labels: f.labels,
                recurrence: f.recurrence,
            }
            .normalized()
        });
        match input {
            Ok(input) => {
                create.dispatch(CreateTask { project_id, input });
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    view! {
        <section class="card" aria-labelledby="new-task-title">
            <h2 id="new-task-title">"New task"</h2>
            <form class="stack" on:submit=on_submit node_ref=form aria-label="New task">
                <FormError error />
                <TaskFieldInputs task=None members error />
                <button type="submit" class="primary" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Adding…" } else { "Add task" }}
                </button>
            </form>
        </section>
    }
    .into_any()
}

/// The inputs of a task form, pre-filled from `task` when editing.
#[component]
pub fn TaskFieldInputs(task: Option<Task>, members: Vec<Member>, error: Signal<Option<AppError>>) -> AnyView {
    let tz = user_tz();
    let status = task.as_ref().map(|t| t.status).unwrap_or(TaskStatus::Todo);
    let priority = task.as_ref().map(|t| t.priority).unwrap_or(Priority::None);
    let assigned: Vec<Uuid> = task.as_ref().map(|t| t.assignee_ids.clone()).unwrap_or_default();
    let due = task.as_ref().and_then(|t| t.due_at).map(|d| to_input(d, tz)).unwrap_or_default();
    let labels = task.as_ref().map(|t| t.labels.join(", ")).unwrap_or_default();
    let title = task.as_ref().map(|t| t.title.clone()).unwrap_or_default();
    let description = task.as_ref().and_then(|t| t.description.clone()).unwrap_or_default();
    view! {
        <label>
            "Title"
            <input type="text" name="title" required maxlength="200" value=title aria-describedby="title-error" />
        </label>
        <FieldError error field="title" />
        <label>
            <span>"Description " <span class="muted">"(Markdown)"</span></span>
            <textarea name="description" rows="4" maxlength="20000">{description}</textarea>
        </label>
        <FieldError error field="description" />
        <div class="row">
            <label>
                "Status"
                <select name="status">
                    {TaskStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=s == status>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Priority"
                <select name="priority">
                    {Priority::ALL.into_iter().map(|p| view! {
                        <option value=p.as_str() selected=p == priority>{p.label()}</option>
                    }).collect_view()}
                </select>
            </label>
        </div>
        <label>
            {format!("Due ({})", tz.name())}
            <input type="datetime-local" name="due_at" value=due />
        </label>
        <FieldError error field="due_at" />
        <fieldset class="assignee-picker">
            <legend>"Assignees"</legend>
            {members.into_iter().map(|m| {
                let checked = assigned.contains(&m.user_id);
                view! {
                    <label class="check">
                        <input type="checkbox" name="assignee_ids" value=m.user_id.to_string() checked=checked />
                        {m.name}
                    </label>
                }
            }).collect_view()}
        </fieldset>
        <FieldError error field="assignee_ids" />
        <label>
            <span>"Labels " <span class="muted">"(comma separated)"</span></span>
            <input type="text" name="labels" value=labels />
        </label>
        <FieldError error field="labels" />
        <RepeatPicker rule=task.as_ref().and_then(|t| t.recurrence.clone()) due=task.as_ref().and_then(|t| t.due_at) tz error />
    }
    .into_any()
}

/// How the task repeats, with the rule in plain words as it is chosen.
#[component]
fn RepeatPicker(
    rule: Option<Recurrence>,
    due: Option<chrono::DateTime<chrono::Utc>>,
    tz: Tz,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let every = RwSignal::new(rule.as_ref().map(|r| r.every));
    let interval = RwSignal::new(rule.as_ref().map(|r| r.interval).unwrap_or(1));
    let cron = RwSignal::new(rule.as_ref().and_then(|r| r.cron.clone()).unwrap_or_default());
    let day = rule.as_ref().and_then(|r| r.day);
    let due_local = due.map(|d| to_local(d, tz));
    let words = move || match every.get() {
        None => "Does not repeat".to_owned(),
        Some(e) => {
            let cron = (e == Every::Cron).then(|| cron.get());
            Recurrence { interval: if e.counts() { interval.get() } else { 1 }, cron, day, ..Recurrence::new(e) }
                .describe(due_local)
        }
    };
    let unit = move || match every.get() {
        Some(Every::Day) => "days",
        Some(Every::Week) => "weeks",
        Some(Every::Month) => "months",
        _ => "years",
    };
    view! {
        <fieldset class="repeat-picker">
            <legend>"Repeat"</legend>
            <div class="row">
                <label>
                    "Repeats"
                    <select name="repeat_every" aria-describedby="repeat-words"
                        on:change=move |ev| every.set(Every::parse(&event_target_value(&ev)))>
                        <option value="" selected=every.get_untracked().is_none()>"Does not repeat"</option>
                        {Every::ALL.into_iter().map(|e| view! {
                            <option value=e.as_str() selected=every.get_untracked() == Some(e)>{e.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <Show when=move || every.get().is_some_and(Every::counts)>
                    <label>
                        {move || format!("Every how many {}", unit())}
                        <input type="number" name="repeat_interval" min="1" max=MAX_INTERVAL.to_string() required
                            prop:value=move || interval.get().to_string()
                            on:input=move |ev| if let Ok(n) = event_target_value(&ev).parse() { interval.set(n) } />
                    </label>
                </Show>
            </div>
            <Show when=move || every.get() == Some(Every::Cron)>
                <label>
                    <span>"Cron expression " <span class="muted">"(minute hour day month weekday, e.g. 0 9 * * 1-5)"</span></span>
                    <input type="text" name="repeat_cron" required maxlength="100" spellcheck="false"
                        prop:value=move || cron.get() on:input=move |ev| cron.set(event_target_value(&ev)) />
                </label>
            </Show>
            <p id="repeat-words" class="muted" aria-live="polite">{words}</p>
        </fieldset>
        <FieldError error field="recurrence" />
    }
}

//! The task itself on its page: fields shown and edited optimistically. An edit shows at
//! once; the server's answer replaces it, a refusal rolls it back with the reason (and
//! the form comes back with what the user typed), and a `version_conflict` lays both
//! values side by side so the user keeps theirs or takes the other.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::task_comments::{ActivityList, CommentThread};
use super::task_form::{user_tz, TaskFieldInputs, TaskFields};
use super::task_reminders_panel::TaskRemindersPanel;
use super::watch_button::WatchButton;
use crate::domain::{
    Activity, AppError, Comment, ErrorCode, Member, Task, TaskPatch, TaskReminder, TaskStatus, TaskView,
};
use crate::serverfns::tasks::{DeleteTask, UpdateTask};
use crate::ui::feedback::FormError;
use crate::ui::form::FormValues;
use crate::ui::presence::PresenceBar;
use crate::ui::time::{format_when, to_local, Tz};

/// Signals the page shares with its live-update handling.
#[derive(Clone, Copy)]
pub struct EditState {
    /// Bumped to reload the task from the server.
    pub changes: RwSignal<u32>,
    /// Bumped to reload only the comments and history.
    pub thread_changes: RwSignal<u32>,
    pub editing: RwSignal<bool>,
    /// Someone else saved this task while the form was open.
    pub changed_elsewhere: RwSignal<bool>,
    /// The task as a live event delivered it, applied without a reload.
    pub incoming: RwSignal<Option<Task>>,
    /// A reload was held back while the form was open.
    pub stale: RwSignal<bool>,
}

/// A refused save because others changed the same fields.
#[derive(Clone, Debug, PartialEq)]
struct Conflict {
    mine: TaskPatch,
    theirs: Task,
    fields: Vec<String>,
}

impl Conflict {
    fn from_error(error: &AppError, mine: TaskPatch) -> Option<Self> {
        let details = error.details.as_ref()?;
        let theirs: Task = serde_json::from_value(details.get("current")?.clone()).ok()?;
        let fields = details.get("fields")?.as_array()?.iter().filter_map(|f| f.as_str().map(str::to_owned)).collect();
        Some(Self { mine, theirs, fields })
    }
}

#[component]
pub fn TaskDetail(
    view: TaskView,
    members: Vec<Member>,
    tz: Tz,
    comments: Resource<Result<Vec<Comment>, AppError>>,
    activity: Resource<Result<Vec<Activity>, AppError>>,
    reminders: (Resource<Result<Vec<TaskReminder>, AppError>>, RwSignal<u32>),
    state: EditState,
) -> AnyView {
    let EditState { changes, thread_changes, editing, changed_elsewhere, incoming, stale } = state;
    let TaskView { task, description_html, role, watching, .. } = view;
    let can_edit = role.can_edit_tasks();
    // Freshly loaded: whatever changed elsewhere is shown now.
    if !editing.get_untracked() {
        changed_elsewhere.set(false);
    }
    let (task_id, project_id) = (task.id, task.project_id);
    // `base` is the task as the server last confirmed it; `shown` may be ahead of it.
    let base = StoredValue::new(task.clone());
    let loaded_description = task.description.clone();
    let shown = RwSignal::new(task);
    let draft = RwSignal::new(None::<Task>);
    let sent = StoredValue::new(None::<(TaskPatch, bool)>);
    let conflict = RwSignal::new(None::<Conflict>);
    let refused = RwSignal::new(None::<AppError>);
    let members = StoredValue::new(members);

    let update = ServerAction::<UpdateTask>::new();
    let delete = ServerAction::<DeleteTask>::new();
    let send = move |patch: TaskPatch, from_form: bool| {
        refused.set(None);
        conflict.set(None);
        let before = base.get_value();
        let patch = TaskPatch { version: Some(before.version), ..patch };
        shown.set(before.with_patch(&patch));
        sent.set_value(Some((patch.clone(), from_form)));
        update.dispatch(UpdateTask { id: task_id, patch });
    };
    Effect::new(move || {
        let Some(answer) = update.value().get() else { return };
        let Some((patch, from_form)) = sent.get_value() else { return };
        match answer {
            Ok(task) => {
                base.set_value(task.clone());
                shown.set(task);
                draft.set(None);
                // A new description needs the server's rendering; otherwise only the
                // history changed.
                if patch.description.is_some() {
                    changes.update(|n| *n += 1);
                } else {
                    thread_changes.update(|n| *n += 1);
                }
            }
            Err(error) if error.code == ErrorCode::VersionConflict => {
                let found = Conflict::from_error(&error, patch);
                if let Some(found) = &found {
                    base.set_value(found.theirs.clone());
                    shown.set(found.theirs.clone());
                } else {
                    shown.set(base.get_value());
                    refused.set(Some(error));
                }
                conflict.set(found);
            }
            Err(error) => {
                let before = base.get_value();
                shown.set(before.clone());
                if from_form {
                    draft.set(Some(before.with_patch(&patch)));
                    editing.set(true);
                }
                refused.set(Some(error));
            }
        }
    });
    // A newer version from a live event replaces what is shown, unless a save of ours
    // is on its way (its answer decides).
    Effect::new(move || {
        if let Some(task) = incoming.get() {
            if task.version > base.with_value(|b| b.version) && !update.pending().get_untracked() {
                base.set_value(task.clone());
                shown.set(task);
            }
        }
    });
    // The held-back reload, once nothing of the user's is open or on its way.
    Effect::new(move || {
        if stale.get() && !editing.get() && !update.pending().get() && conflict.with(Option::is_none) {
            stale.set(false);
            changes.update(|n| *n += 1);
        }
    });
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(())) = delete.value().get() {
            navigate(&format!("/projects/{project_id}"), Default::default());
        }
    });
    let error = Signal::derive(move || refused.get().or_else(|| delete.value().get().and_then(Result::err)));

    let on_save = move |ev| {
        refused.set(None);
        let values = FormValues::from_submit(&ev);
        let before = base.get_value();
        match TaskFields::read(&values, user_tz()).and_then(|f| changed_fields(&before, f).normalized()) {
            Ok(patch) if patch.fields().is_empty() => editing.set(false),
            Ok(patch) => {
                editing.set(false);
                send(patch, true);
            }
            Err(e) => refused.set(Some(e)),
        }
    };
    let set_status = move |status: TaskStatus| send(TaskPatch { status: Some(status), ..Default::default() }, false);
    // A plain string: the title outlives this component briefly, a closure over its
    // signals would not (the page reloads with the saved title anyway).
    let title = shown.with_untracked(|t| t.title.clone());

    view! {
        <Title text=title />
        <nav class="crumbs" aria-label="Breadcrumb">
            <A href=format!("/projects/{project_id}")>"← Back to the project"</A>
            <PresenceBar project_id task_id />
        </nav>
        <div class="two-col">
            <article class="card stack task-detail" aria-busy=move || update.pending().get().to_string()>
                <FormError error />
                <Show when=move || changed_elsewhere.get() && editing.get() && conflict.get().is_none()>
                    <div class="notice notice-warn" role="status">
                        <p>"Someone else changed this task while you were editing. Saving keeps your changes to the fields they did not touch; for the others you choose."</p>
                        <button type="button" on:click=move |_| { editing.set(false); changed_elsewhere.set(false); changes.update(|n| *n += 1); }>
                            "Discard my edit and show theirs"
                        </button>
                    </div>
                </Show>
                {move || conflict.get().map(|c| view! {
                    <ConflictChooser conflict=c members=members.get_value() tz
                        keep_mine=Callback::new(move |patch: TaskPatch| send(patch, false))
                        take_theirs=Callback::new(move |_: ()| { conflict.set(None); changes.update(|n| *n += 1); }) />
                })}
                <Show
                    when=move || editing.get()
                    fallback=move || {
                        let html = description_html.clone();
                        let loaded_description = loaded_description.clone();
                        view! {
                            <TaskFacts shown members=members.get_value() tz html loaded_description />
                            <Show when=move || can_edit>
                                <div class="actions">
                                    <button type="button" on:click=move |_| { draft.set(None); editing.set(true) }>"Edit"</button>
                                    {move || if shown.with(|t| t.status == TaskStatus::Done) {
                                        view! { <button type="button" on:click=move |_| set_status(TaskStatus::Todo)>"Reopen"</button> }.into_any()
                                    } else {
                                        view! { <button type="button" class="primary" on:click=move |_| set_status(TaskStatus::Done)>"Complete"</button> }.into_any()
                                    }}
                                    <button type="button" class="danger" on:click=move |_| {
                                        if window().confirm_with_message("Delete this task for everyone?").unwrap_or(false) {
                                            delete.dispatch(DeleteTask { id: task_id });
                                        }
                                    }>"Delete"</button>
                                </div>
                            </Show>
                        }
                    }
                >
                    <form class="stack" on:submit=on_save aria-label="Edit task">
                        <TaskFieldInputs task=Some(draft.get_untracked().unwrap_or_else(|| base.get_value())) members=members.get_value() error />
                        <div class="actions">
                            <button type="submit" class="primary">"Save"</button>
                            <button type="button" on:click=move |_| { draft.set(None); editing.set(false) }>"Cancel"</button>
                        </div>
                    </form>
                </Show>
                <WatchButton task_id watching />
            </article>
            <div class="stack">
                <TaskRemindersPanel task_id reminders=reminders.0 changes=reminders.1 can_edit tz />
                <CommentThread task_id comments can_comment=can_edit tz changes=thread_changes />
                <ActivityList activity tz />
            </div>
        </div>
    }
    .into_any()
}

/// The task's fields as shown (optimistically) now.
#[component]
fn TaskFacts(
    shown: RwSignal<Task>,
    members: Vec<Member>,
    tz: Tz,
    html: String,
    loaded_description: Option<String>,
) -> impl IntoView {
    let members = StoredValue::new(members);
    move || {
        let t = shown.get();
        // The server renders Markdown; an edited description shows as plain text until
        // the server's version arrives.
        let description = if t.description == loaded_description {
            view! { <div class="markdown" inner_html=html.clone()></div> }.into_any()
        } else {
            view! { <p class="markdown pending">{t.description.clone().unwrap_or_default()}</p> }.into_any()
        };
        view! {
            <header class="task-head">
                <h1>{t.title.clone()}</h1>
                <span class=format!("status status-{}", t.status.as_str())>{t.status.label()}</span>
            </header>
            <dl class="facts">
                <dt>"Priority"</dt><dd>{t.priority.label()}</dd>
                <dt>"Due"</dt><dd>{describe(&t, "due_at", &members.get_value(), tz)}</dd>
                <dt>"Assignees"</dt><dd>{describe(&t, "assignee_ids", &members.get_value(), tz)}</dd>
                <dt>"Labels"</dt><dd>{describe(&t, "labels", &members.get_value(), tz)}</dd>
                <dt>"Repeats"</dt><dd>{describe(&t, "recurrence", &members.get_value(), tz)}</dd>
                <dt>"Created"</dt><dd>{format_when(t.created_at, tz)}</dd>
            </dl>
            {description}
        }
    }
}

/// Both versions of each clashing field; the user keeps theirs or takes the other.
#[component]
fn ConflictChooser(
    conflict: Conflict,
    members: Vec<Member>,
    tz: Tz,
    keep_mine: Callback<TaskPatch>,
    take_theirs: Callback<()>,
) -> impl IntoView {
    let mine = conflict.theirs.with_patch(&conflict.mine);
    let rows = conflict
        .fields
        .iter()
        .map(|field| {
            let name = field.replace("_ids", "s").replace('_', " ");
            let (yours, theirs) =
                (describe(&mine, field, &members, tz), describe(&conflict.theirs, field, &members, tz));
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td>{yours}</td>
                    <td>{theirs}</td>
                </tr>
            }
        })
        .collect_view();
    let patch = conflict.mine.clone();
    view! {
        <div class="notice notice-warn conflict" role="alert">
            <p>"Someone else changed the same fields while you were editing."</p>
            <table class="conflict-table">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Yours"</th><th scope="col">"Theirs (saved)"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| keep_mine.run(patch.clone())>"Keep mine"</button>
                <button type="button" on:click=move |_| take_theirs.run(())>"Take theirs"</button>
            </div>
        </div>
    }
}

/// One field of a task in words.
fn describe(task: &Task, field: &str, members: &[Member], tz: Tz) -> String {
    let or = |text: String, empty: &str| if text.is_empty() { empty.to_owned() } else { text };
    match field {
        "title" => task.title.clone(),
        "description" => or(task.description.clone().unwrap_or_default(), "No description"),
        "status" => task.status.label().to_owned(),
        "priority" => task.priority.label().to_owned(),
        "due_at" => task.due_at.map(|d| format_when(d, tz)).unwrap_or_else(|| "No due date".into()),
        "assignee_ids" => or(
            task.assignee_ids
                .iter()
                .filter_map(|id| members.iter().find(|m| m.user_id == *id).map(|m| m.name.clone()))
                .collect::<Vec<_>>()
                .join(", "),
            "Nobody",
        ),
        "labels" => or(task.labels.join(", "), "None"),
        "recurrence" => task
            .recurrence
            .as_ref()
            .map(|r| r.describe(task.due_at.map(|d| to_local(d, tz))))
            .unwrap_or_else(|| "Does not repeat".into()),
        _ => String::new(),
    }
}

/// Whether the picker names another rule. A monthly rule is sent again with a moved due
/// date, so that the server takes the new date's day.
fn repeat_changed(original: &Task, f: &TaskFields) -> bool {
    match (&original.recurrence, &f.recurrence) {
        (None, None) => false,
        (Some(was), Some(now)) => {
            let moved = now.every == crate::domain::Every::Month && f.due_at != original.due_at;
            was.every != now.every || was.interval != now.interval || was.cron != now.cron || moved
        }
        _ => true,
    }
}

/// Only what the user changed, so others' edits to other fields merge.
fn changed_fields(original: &Task, f: TaskFields) -> TaskPatch {
    let repeat = repeat_changed(original, &f);
    TaskPatch {
        title: (f.title.trim() != original.title).then_some(f.title),
        description: (f.description.as_deref().map(str::trim) != original.description.as_deref())
            .then_some(f.description),
        status: (f.status != original.status).then_some(f.status),
        priority: (f.priority != original.priority).then_some(f.priority),
        due_at: (f.due_at != original.due_at).then_some(f.due_at),
        assignee_ids: (f.assignee_ids != original.assignee_ids).then_some(f.assignee_ids),
        labels: (f.labels != original.labels).then_some(f.labels),
        recurrence: repeat.then_some(f.recurrence),
        version: Some(original.version),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::domain::{Priority, Zone};

    fn task() -> Task {
        let now = Utc::now();
        Task {
            id: Uuid::from_u128(1),
            project_id: Uuid::from_u128(2),
            title: "Theirs".into(),
            description: None,
            status: TaskStatus::InProgress,
            priority: Priority::High,
            due_at: None,
            assignee_ids: vec![],
            labels: vec![],
            created_by: Uuid::from_u128(3),
            created_at: now,
            updated_at: now,
            completed_at: None,
            version: 7,
            recurrence: None,
        }
    }

    #[test]
    fn a_conflict_reads_the_saved_task_and_the_clashing_fields_from_the_error() {
        let error = AppError::new(ErrorCode::VersionConflict, "someone else changed title")
            .with_details(json!({ "current": task(), "fields": ["title"] }));
        let mine = TaskPatch { title: Some("Mine".into()), version: Some(5), ..Default::default() };
        let conflict = Conflict::from_error(&error, mine.clone()).unwrap();
        assert_eq!((conflict.theirs.version, conflict.fields.clone()), (7, vec!["title".to_owned()]));
        Owner::new().with(|| {
            let tz = Tz::new(Zone::default());
            assert_eq!(describe(&conflict.theirs.with_patch(&mine), "title", &[], tz), "Mine");
            assert_eq!(describe(&conflict.theirs, "title", &[], tz), "Theirs");
            assert_eq!(describe(&conflict.theirs, "labels", &[], tz), "None");
        });
        assert!(Conflict::from_error(&AppError::internal(), mine).is_none());
    }
}

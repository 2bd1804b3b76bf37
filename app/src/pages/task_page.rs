//! One task's page: loads the task, its comments and history, and keeps them live.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::task_detail::{EditState, TaskDetail};
use crate::domain::{Activity, AppError, Comment, Member, Task, TaskReminder, TaskView};
use crate::live::{debounced, use_live, LiveMessage};
use crate::serverfns::comments::{list_activity, list_comments};
use crate::serverfns::projects::list_members;
use crate::serverfns::tasks::get_task_view;
use crate::serverfns::tasks::list_task_reminders;
use crate::ui::feedback::{ErrorNotice, Loading};
use crate::ui::guard::RequireUser;
use crate::ui::time::Tz;

#[component]
pub fn TaskPage() -> impl IntoView {
    let params = use_params_map();
    let task_id = move || params.read().get("id").and_then(|id| id.parse::<Uuid>().ok());
    let changes = RwSignal::new(0u32);
    let view_res = Resource::new(
        move || (task_id(), changes.get()),
        |(id, _)| async move {
            let id = id.ok_or_else(|| AppError::not_found("task"))?;
            let view = get_task_view(id).await?;
            let members = list_members(view.task.project_id).await?;
            Ok::<_, AppError>((view, members))
        },
    );
    // New comments (live or our own) reload the thread and history, not the task.
    let thread_changes = RwSignal::new(0u32);
    let comments = Resource::new(
        move || (task_id(), changes.get(), thread_changes.get()),
        |(id, _, _)| async move { list_comments(id.ok_or_else(|| AppError::not_found("task"))?).await },
    );
    let activity = Resource::new(
        move || (task_id(), changes.get(), thread_changes.get()),
        |(id, _, _)| async move { list_activity(id.ok_or_else(|| AppError::not_found("task"))?).await },
    );
    let reminder_changes = RwSignal::new(0u32);
    let reminders = Resource::new(
        move || (task_id(), reminder_changes.get()),
        |(id, _)| async move { list_task_reminders(id.ok_or_else(|| AppError::not_found("task"))?).await },
    );
    let editing = RwSignal::new(false);
    let changed_elsewhere = RwSignal::new(false);
    let incoming = RwSignal::new(None);
    let stale = RwSignal::new(false);
    follow_live(task_id, view_res, Reloads { changes, thread_changes, editing, changed_elsewhere, incoming, stale });
    // The page's resources are created here, outside any Suspend, so that the browser
    // hydrates exactly what the server rendered.
    view! {
        <RequireUser children=move |me| view! {
            <TaskLoader tz=Tz::new(me.zone) view_res comments activity reminders=(reminders, reminder_changes) state=EditState { changes, thread_changes, editing, changed_elsewhere, incoming, stale } />
        } />
    }
}

/// The task of a `task.updated` event, when its description is the one on the page.
fn same_description(m: &LiveMessage, view_res: Resource<Loaded>) -> Option<Task> {
    let task: Task = serde_json::from_value(m.data.clone()).ok().filter(|_| m.kind == "task.updated")?;
    let loaded = view_res.with_untracked(|v| v.as_ref()?.as_ref().ok().map(|(v, _)| v.task.description.clone()))?;
    (loaded == task.description).then_some(task)
}

#[derive(Clone, Copy)]
struct Reloads {
    changes: RwSignal<u32>,
    thread_changes: RwSignal<u32>,
    editing: RwSignal<bool>,
    changed_elsewhere: RwSignal<bool>,
    incoming: RwSignal<Option<Task>>,
    stale: RwSignal<bool>,
}

/// Keeps the page in step with live events: watches the task's project, tells the
/// others this task is open, and reloads what changed. An edit in progress is never
/// replaced under the user's hands; they are told instead.
fn follow_live(
    task_id: impl Fn() -> Option<Uuid> + Copy + Send + Sync + 'static,
    view_res: Resource<Loaded>,
    r: Reloads,
) {
    let live = use_live();
    Effect::new(move || {
        if let Some(Ok((view, _))) = view_res.get() {
            let project_id = view.task.project_id;
            live.watch(project_id, Some(view.seq));
            live.focus(project_id, Some(view.task.id));
            on_cleanup(move || live.focus(project_id, None));
        }
    });
    let reload_task = debounced(Duration::from_millis(100), move || r.changes.update(|n| *n += 1));
    let reload_thread = debounced(Duration::from_millis(100), move || r.thread_changes.update(|n| *n += 1));
    live.on_message(move |m| {
        let project =
            view_res.with_untracked(|v| v.as_ref().and_then(|v| v.as_ref().ok()).map(|(v, _)| v.task.project_id));
        let this = task_id();
        if m.kind == "poll" || (m.kind == "resync" && m.project_id == project) {
            // An open form is never reloaded under the user's hands; it catches up after.
            if r.editing.get_untracked() {
                r.stale.set(true);
            } else {
                reload_task();
            }
        } else if this.is_some() && m.task_id() == this {
            if m.kind.starts_with("comment.") {
                reload_thread();
            } else if m.kind == "task.updated" && r.editing.get_untracked() {
                r.changed_elsewhere.set(true);
                reload_thread();
            } else if let Some(task) = same_description(m, view_res) {
                // Apply it in place; only a new description needs the server's rendering.
                r.incoming.set(Some(task));
                reload_thread();
            } else {
                reload_task();
            }
        }
    });
}

type Loaded = Result<(TaskView, Vec<Member>), AppError>;

#[component]
fn TaskLoader(
    tz: Tz,
    view_res: Resource<Loaded>,
    comments: Resource<Result<Vec<Comment>, AppError>>,
    activity: Resource<Result<Vec<Activity>, AppError>>,
    reminders: (Resource<Result<Vec<TaskReminder>, AppError>>, RwSignal<u32>),
    state: EditState,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match view_res.await {
                    Ok((view, members)) => view! {
                        <TaskDetail view members tz comments activity reminders state />
                    }.into_any(),
                    Err(error) => view! { <Title text="Task" /> <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

//! One task: its fields (editable by members), its rendered description, comments and history.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use super::task_comments::{ActivityList, CommentThread};
use super::task_form::{user_tz, TaskFieldInputs, TaskFields};
use crate::domain::{Activity, AppError, Comment, ErrorCode, Member, TaskPatch, TaskStatus, TaskView};
use crate::serverfns::comments::{list_activity, list_comments};
use crate::serverfns::projects::list_members;
use crate::serverfns::tasks::{get_task_view, DeleteTask, UpdateTask};
use crate::ui::feedback::{ErrorNotice, FormError, Loading};
use crate::ui::form::FormValues;
use crate::ui::guard::RequireUser;
use crate::ui::time::{format_when, Tz};

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
    let comments = Resource::new(
        move || (task_id(), changes.get()),
        |(id, _)| async move { list_comments(id.ok_or_else(|| AppError::not_found("task"))?).await },
    );
    let activity = Resource::new(
        move || (task_id(), changes.get()),
        |(id, _)| async move { list_activity(id.ok_or_else(|| AppError::not_found("task"))?).await },
    );
    // The page's resources are created here, outside any Suspend, so that the browser
    // hydrates exactly what the server rendered.
    view! { <RequireUser children=move |me| view! { <TaskLoader tz=Tz::new(me.zone) view_res changes comments activity /> } /> }
}

type Loaded = Result<(TaskView, Vec<Member>), AppError>;

#[component]
fn TaskLoader(
    tz: Tz,
    view_res: Resource<Loaded>,
    changes: RwSignal<u32>,
    comments: Resource<Result<Vec<Comment>, AppError>>,
    activity: Resource<Result<Vec<Activity>, AppError>>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match view_res.await {
                    Ok((view, members)) => view! { <TaskDetail view members tz changes comments activity /> }.into_any(),
                    Err(error) => view! { <Title text="Task" /> <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TaskDetail(
    view: TaskView,
    members: Vec<Member>,
    tz: Tz,
    changes: RwSignal<u32>,
    comments: Resource<Result<Vec<Comment>, AppError>>,
    activity: Resource<Result<Vec<Activity>, AppError>>,
) -> AnyView {
    let TaskView { task, description_html, role } = view;
    let can_edit = role.can_edit_tasks();
    let editing = RwSignal::new(false);
    let update = ServerAction::<UpdateTask>::new();
    let delete = ServerAction::<DeleteTask>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || {
        local_error
            .get()
            .or_else(|| update.value().get().and_then(Result::err))
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let conflict = Signal::derive(move || error.get().filter(|e| e.code == ErrorCode::VersionConflict));
    Effect::new(move || {
        if let Some(Ok(_)) = update.value().get() {
            editing.set(false);
            changes.update(|n| *n += 1);
        }
    });
    let navigate = use_navigate();
    let project_id = task.project_id;
    Effect::new(move || {
        if let Some(Ok(())) = delete.value().get() {
            navigate(&format!("/projects/{project_id}"), Default::default());
        }
    });

    let task = StoredValue::new(task);
    let on_save = move |ev| {
        local_error.set(None);
        let values = FormValues::from_submit(&ev);
        let original = task.get_value();
        match TaskFields::read(&values, user_tz()).and_then(|f| changed_fields(&original, f).normalized()) {
            Ok(patch) if patch.fields().is_empty() => editing.set(false),
            Ok(patch) => {
                update.dispatch(UpdateTask { id: original.id, patch });
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    let set_status = move |status: TaskStatus| {
        let t = task.get_value();
        update.dispatch(UpdateTask {
            id: t.id,
            patch: TaskPatch { status: Some(status), version: Some(t.version), ..Default::default() },
        });
    };
    let t = task.get_value();
    let assignees: Vec<String> = t
        .assignee_ids
        .iter()
        .filter_map(|id| members.iter().find(|m| m.user_id == *id).map(|m| m.name.clone()))
        .collect();
    let members_for_form = StoredValue::new(members);
    let done = t.status == TaskStatus::Done;

    view! {
        <Title text=t.title.clone() />
        <nav class="crumbs" aria-label="Breadcrumb">
            <A href=format!("/projects/{}", t.project_id)>"← Back to the project"</A>
        </nav>
        <div class="two-col">
            <article class="card stack task-detail">
                <FormError error=Signal::derive(move || error.get().filter(|e| e.code != ErrorCode::VersionConflict)) />
                <Show when=move || conflict.get().is_some()>
                    <div class="notice notice-warn" role="alert">
                        <p>{move || conflict.get().map(|e| e.message)}</p>
                        <button type="button" on:click=move |_| { local_error.set(None); update.value().set(None); changes.update(|n| *n += 1); }>
                            "Load the latest version"
                        </button>
                    </div>
                </Show>
                <Show
                    when=move || editing.get()
                    fallback=move || {
                        let t = task.get_value();
                        let html = description_html.clone();
                        let assignees = assignees.clone();
                        view! {
                            <header class="task-head">
                                <h1>{t.title.clone()}</h1>
                                <span class=format!("status status-{}", t.status.as_str())>{t.status.label()}</span>
                            </header>
                            <dl class="facts">
                                <dt>"Priority"</dt><dd>{t.priority.label()}</dd>
                                <dt>"Due"</dt><dd>{t.due_at.map(|d| format_when(d, tz)).unwrap_or_else(|| "No due date".into())}</dd>
                                <dt>"Assignees"</dt><dd>{if assignees.is_empty() { "Nobody".to_owned() } else { assignees.join(", ") }}</dd>
                                <dt>"Labels"</dt><dd>{if t.labels.is_empty() { "None".to_owned() } else { t.labels.join(", ") }}</dd>
                                <dt>"Created"</dt><dd>{format_when(t.created_at, tz)}</dd>
                            </dl>
                            <div class="markdown" inner_html=html></div>
                            <Show when=move || can_edit>
                                <div class="actions">
                                    <button type="button" on:click=move |_| editing.set(true)>"Edit"</button>
                                    {if done {
                                        view! { <button type="button" on:click=move |_| set_status(TaskStatus::Todo)>"Reopen"</button> }.into_any()
                                    } else {
                                        view! { <button type="button" class="primary" on:click=move |_| set_status(TaskStatus::Done)>"Complete"</button> }.into_any()
                                    }}
                                    <button type="button" class="danger" on:click=move |_| {
                                        if window().confirm_with_message("Delete this task for everyone?").unwrap_or(false) {
                                            delete.dispatch(DeleteTask { id: task.get_value().id });
                                        }
                                    }>"Delete"</button>
                                </div>
                            </Show>
                        }
                    }
                >
                    <form class="stack" on:submit=on_save aria-label="Edit task">
                        <TaskFieldInputs task=Some(task.get_value()) members=members_for_form.get_value() error />
                        <div class="actions">
                            <button type="submit" class="primary" disabled=move || update.pending().get()>"Save"</button>
                            <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                        </div>
                    </form>
                </Show>
            </article>
            <div class="stack">
                <CommentThread task_id=t.id comments can_comment=can_edit tz changes />
                <ActivityList activity tz />
            </div>
        </div>
    }
    .into_any()
}

/// Only what the user changed, with the version they saw, so others' edits can merge.
fn changed_fields(original: &crate::domain::Task, f: TaskFields) -> TaskPatch {
    TaskPatch {
        title: (f.title.trim() != original.title).then_some(f.title),
        description: (f.description.as_deref().map(str::trim) != original.description.as_deref())
            .then_some(f.description),
        status: (f.status != original.status).then_some(f.status),
        priority: (f.priority != original.priority).then_some(f.priority),
        due_at: (f.due_at != original.due_at).then_some(f.due_at),
        assignee_ids: (f.assignee_ids != original.assignee_ids).then_some(f.assignee_ids),
        labels: (f.labels != original.labels).then_some(f.labels),
        version: Some(original.version),
    }
}

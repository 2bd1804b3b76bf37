//! One project: its tasks (filtered by the URL), a form for new tasks, its members.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::members_panel::MembersPanel;
use super::task_form::NewTaskForm;
use super::task_list::{FilterBar, TaskList};
use crate::domain::{AppError, Member, Page, Project, Task, TaskFilter};
use crate::live::{debounced, use_live};
use crate::serverfns::projects::{get_project, list_members};
use crate::serverfns::tasks::list_tasks;
use crate::ui::feedback::{ErrorNotice, Loading};
use crate::ui::guard::RequireUser;
use crate::ui::presence::PresenceBar;
use crate::ui::time::Tz;

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let project_id = move || params.read().get("id").and_then(|id| id.parse::<Uuid>().ok());
    let changes = RwSignal::new(0u32);
    // One resource for both, awaited once: the page renders when it has them.
    let loaded = Resource::new(
        move || (project_id(), changes.get()),
        |(id, _)| async move {
            let id = id.ok_or_else(|| AppError::not_found("project"))?;
            Ok::<_, AppError>((get_project(id).await?, list_members(id).await?))
        },
    );
    let query = use_query_map();
    let filter =
        Memo::new(move |_| query.with(|q| TaskFilter::from_pairs(q.into_iter().map(|(k, v)| (k.as_ref(), v)))));
    // Changes to tasks (live or our own) reload the list, not the page around it, so a
    // half-typed new task survives someone else's edit.
    let task_changes = RwSignal::new(0u32);
    let tasks = Resource::new(
        move || (project_id(), filter.get(), changes.get(), task_changes.get()),
        |(id, filter, _, _)| async move {
            let id = id.ok_or_else(|| AppError::not_found("project"))?;
            list_tasks(id, filter?).await
        },
    );
    follow_live(project_id, loaded, changes, task_changes);
    // The page's resources are created here, outside any Suspend, so that the browser
    // hydrates exactly what the server rendered.
    view! {
        <RequireUser children=move |me| view! { <ProjectView tz=Tz::new(me.zone) loaded tasks filter changes /> } />
    }
}

/// Keeps the page in step with the project's live events.
fn follow_live(
    project_id: impl Fn() -> Option<Uuid> + Copy + Send + Sync + 'static,
    loaded: Resource<Result<(Project, Vec<Member>), AppError>>,
    changes: RwSignal<u32>,
    task_changes: RwSignal<u32>,
) {
    let live = use_live();
    // Watch from the `seq` the page was loaded at, so nothing falls in between.
    Effect::new(move || {
        if let Some(Ok((project, _))) = loaded.get() {
            live.watch(project.id, Some(project.seq));
        }
    });
    let reload_tasks = debounced(Duration::from_millis(100), move || task_changes.update(|n| *n += 1));
    let reload_all = debounced(Duration::from_millis(100), move || changes.update(|n| *n += 1));
    live.on_message(move |m| {
        let ours = m.project_id.is_some() && m.project_id == project_id();
        if m.kind == "poll" || (ours && m.kind == "resync") {
            reload_all();
        } else if ours && m.kind.starts_with("task.") {
            reload_tasks();
        } else if ours && (m.kind.starts_with("project.") || m.kind.starts_with("member.")) {
            reload_all();
        }
    });
}

#[component]
fn ProjectView(
    tz: Tz,
    loaded: Resource<Result<(Project, Vec<Member>), AppError>>,
    tasks: Resource<Result<Page<Task>, AppError>>,
    filter: Memo<Result<TaskFilter, AppError>>,
    changes: RwSignal<u32>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((project, members)) => view! {
                        <ProjectBody project members tz changes filter tasks />
                    }.into_any(),
                    Err(error) => view! {
                        <Title text="Project" />
                        <ErrorNotice error />
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProjectBody(
    project: Project,
    members: Vec<Member>,
    tz: Tz,
    changes: RwSignal<u32>,
    filter: Memo<Result<TaskFilter, AppError>>,
    tasks: Resource<Result<Page<Task>, AppError>>,
) -> AnyView {
    let can_edit = project.role.can_edit_tasks();
    let members = StoredValue::new(members);
    view! {
        <Title text=project.name.clone() />
        <div class="page-head">
            <div>
                <h1>{project.name.clone()}</h1>
                {project.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
            </div>
            <div class="head-side">
                <PresenceBar project_id=project.id />
                <span class="pill" title="Your role in this project">{project.role.label()}</span>
            </div>
        </div>
        <div class="two-col">
            <section aria-label="Tasks" class="stack">
                <FilterBar project_id=project.id filter members=members.get_value() />
                <TaskList project_id=project.id filter tasks members=members.get_value() tz />
            </section>
            <aside class="stack">
                <Show when=move || can_edit>
                    <NewTaskForm project_id=project.id members=members.get_value() changes />
                </Show>
                <MembersPanel project=project.clone() members=members.get_value() changes />
            </aside>
        </div>
    }
    .into_any()
}

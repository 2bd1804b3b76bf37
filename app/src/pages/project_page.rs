//! One project: its tasks (filtered by the URL), a form for new tasks, its members.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::members_panel::MembersPanel;
use super::task_form::NewTaskForm;
use super::task_list::{FilterBar, TaskList};
use crate::domain::{AppError, Project, TaskFilter, User};
use crate::serverfns::projects::{get_project, list_members};
use crate::ui::feedback::{ErrorNotice, Loading};
use crate::ui::guard::RequireUser;

#[component]
pub fn ProjectPage() -> impl IntoView {
    view! { <RequireUser children=|user| view! { <ProjectView user /> } /> }
}

#[component]
fn ProjectView(user: User) -> impl IntoView {
    let params = use_params_map();
    let project_id = move || params.read().get("id").and_then(|id| id.parse::<Uuid>().ok());
    let changes = RwSignal::new(0u32);
    let project = Resource::new(
        move || (project_id(), changes.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_project(id).await,
                None => Err(AppError::not_found("project")),
            }
        },
    );
    let members = Resource::new(
        move || (project_id(), changes.get()),
        |(id, _)| async move {
            match id {
                Some(id) => list_members(id).await,
                None => Err(AppError::not_found("project")),
            }
        },
    );
    let user = StoredValue::new(user);

    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match (project.await, members.await) {
                    (Ok(project), Ok(members)) => view! {
                        <ProjectBody project members user=user.get_value() changes />
                    }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! {
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
    members: Vec<crate::domain::Member>,
    user: User,
    changes: RwSignal<u32>,
) -> impl IntoView {
    let query = use_query_map();
    let filter =
        Memo::new(move |_| query.with(|q| TaskFilter::from_pairs(q.into_iter().map(|(k, v)| (k.as_ref(), v)))));
    let can_edit = project.role.can_edit_tasks();
    let members = StoredValue::new(members);
    view! {
        <Title text=project.name.clone() />
        <div class="page-head">
            <div>
                <h1>{project.name.clone()}</h1>
                {project.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
            </div>
            <span class="pill" title="Your role in this project">{project.role.label()}</span>
        </div>
        <div class="two-col">
            <section aria-label="Tasks" class="stack">
                <FilterBar filter members=members.get_value() />
                <TaskList project_id=project.id filter members=members.get_value() user changes />
            </section>
            <aside class="stack">
                <Show when=move || can_edit>
                    <NewTaskForm project_id=project.id members=members.get_value() changes />
                </Show>
                <MembersPanel project=project.clone() members=members.get_value() changes />
            </aside>
        </div>
    }
}

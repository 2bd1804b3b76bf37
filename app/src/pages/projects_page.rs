//! The home page: the projects you belong to, and a form to start one.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::domain::{AppError, NewProject, Project};
use crate::live::{debounced, use_live};
use crate::serverfns::projects::{list_projects, CreateProject};
use crate::ui::feedback::{Empty, ErrorNotice, FieldError, FormError, Loading};
use crate::ui::form::FormValues;
use crate::ui::guard::RequireUser;

/// Watches every listed project, so renames and membership changes show at once.
fn follow_live(projects: Resource<Result<Vec<Project>, AppError>>, reloads: RwSignal<u32>) {
    let live = use_live();
    Effect::new(move || {
        for project in projects.get().and_then(Result::ok).unwrap_or_default() {
            live.watch(project.id, Some(project.seq));
        }
    });
    let reload = debounced(Duration::from_millis(200), move || reloads.update(|n| *n += 1));
    live.on_message(move |m| {
        let listed = || {
            projects.with_untracked(|p| {
                p.as_ref().and_then(|p| p.as_ref().ok()).is_some_and(|p| p.iter().any(|p| Some(p.id) == m.project_id))
            })
        };
        if m.kind == "poll" || ((m.kind.starts_with("project.") || m.kind.starts_with("member.")) && listed()) {
            reload();
        }
    });
}

#[component]
pub fn ProjectsPage() -> impl IntoView {
    // Created outside any Suspend, so that the browser hydrates what the server rendered.
    let create = ServerAction::<CreateProject>::new();
    let reloads = RwSignal::new(0u32);
    let projects = Resource::new(move || (create.version().get(), reloads.get()), |_| list_projects());
    follow_live(projects, reloads);
    view! {
        <Title text="Projects" />
        <RequireUser children=move |_| view! { <Projects create projects /> } />
    }
}

#[component]
fn Projects(create: ServerAction<CreateProject>, projects: Resource<Result<Vec<Project>, AppError>>) -> impl IntoView {
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move || {
        if let (Some(Ok(_)), Some(form)) = (create.value().get(), form.get()) {
            form.reset();
        }
    });
    let on_submit = move |ev| {
        let values = FormValues::from_submit(&ev);
        let input = NewProject { name: values.get("name"), description: values.optional("description") };
        match input.normalized() {
            Ok(input) => {
                create.dispatch(CreateProject { input });
            }
            Err(e) => create.value().set(Some(Err(e))),
        }
    };
    view! {
        <div class="page-head">
            <h1>"Projects"</h1>
        </div>
        <div class="two-col">
            <section aria-labelledby="project-list-title">
                <h2 id="project-list-title" class="visually-hidden">"Your projects"</h2>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match projects.await {
                            Ok(list) if list.is_empty() => view! {
                                <Empty>
                                    <p>"No projects yet. Start one with the form — you will be its owner and can invite your team."</p>
                                </Empty>
                            }.into_any(),
                            Ok(list) => view! { <ProjectList list /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <section class="card" aria-labelledby="new-project-title">
                <h2 id="new-project-title">"New project"</h2>
                <form class="stack" on:submit=on_submit node_ref=form>
                    <FormError error />
                    <label>
                        "Name"
                        <input type="text" name="name" required maxlength="100" aria-describedby="name-error" />
                    </label>
                    <FieldError error field="name" />
                    <label>
                        <span>"Description " <span class="muted">"(optional)"</span></span>
                        <textarea name="description" rows="3" maxlength="5000"></textarea>
                    </label>
                    <FieldError error field="description" />
                    <button type="submit" class="primary" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Creating…" } else { "Create project" }}
                    </button>
                </form>
            </section>
        </div>
    }
}

#[component]
fn ProjectList(list: Vec<Project>) -> impl IntoView {
    view! {
        <ul class="project-list">
            {list
                .into_iter()
                .map(|p| {
                    view! {
                        <li class="card project-card">
                            <A href=format!("/projects/{}", p.id)>
                                <span class="project-name">{p.name}</span>
                            </A>
                            <span class="pill">{p.role.label()}</span>
                            {p.description.map(|d| view! { <p class="muted clamp">{d}</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

//! The filter bar (a GET form, so the filter lives in the URL) and the task rows.

use leptos::prelude::*;
use leptos_router::components::{Form, A};
use uuid::Uuid;

use crate::domain::{
    encode_component, AppError, AssigneeFilter, Member, Page, Priority, Task, TaskFilter, TaskSort, TaskStatus,
};
use crate::ui::feedback::{Empty, ErrorNotice, Loading};
use crate::ui::time::{format_when, to_local, Tz};

#[component]
pub fn FilterBar(project_id: Uuid, filter: Memo<Result<TaskFilter, AppError>>, members: Vec<Member>) -> AnyView {
    let current = move || filter.get().unwrap_or_default();
    let members = StoredValue::new(members);
    view! {
        <Form method="GET" action="" attr:class="filters" attr:aria-label="Filter tasks">
            <fieldset class="status-filter">
                <legend>"Status"</legend>
                {TaskStatus::ALL
                    .into_iter()
                    .map(|s| {
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    name="status"
                                    value=s.as_str()
                                    prop:checked=move || current().status.contains(&s)
                                />
                                {s.label()}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label>
                "Assignee"
                <select name="assignee">
                    <option value="" selected=move || current().assignee.is_none()>"Anyone"</option>
                    <option value="me" selected=move || current().assignee == Some(AssigneeFilter::Me)>"Me"</option>
                    {members
                        .get_value()
                        .into_iter()
                        .map(|m| {
                            let id = m.user_id;
                            view! {
                                <option
                                    value=id.to_string()
                                    selected=move || current().assignee == Some(AssigneeFilter::User(id))
                                >
                                    {m.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Priority"
                <select name="priority">
                    <option value="">"Any"</option>
                    {Priority::ALL
                        .into_iter()
                        .map(|p| view! {
                            <option value=p.as_str() selected=move || current().priority.contains(&p)>{p.label()}</option>
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Label"
                <input type="text" name="label" prop:value=move || current().label.unwrap_or_default() />
            </label>
            <label>
                "Due after"
                <input type="date" name="due_after" prop:value=move || date_value(current().due_after) />
            </label>
            <label>
                "Due before"
                <input type="date" name="due_before" prop:value=move || date_value(current().due_before) />
            </label>
            <label class="grow">
                "Search"
                <input type="search" name="q" placeholder="Words in title or description" prop:value=move || current().q.unwrap_or_default() />
            </label>
            <label>
                "Sort"
                <select name="sort">
                    {TaskSort::ALL
                        .into_iter()
                        .map(|s| view! {
                            <option value=s.as_str() selected=move || current().sort == s>{s.label()}</option>
                        })
                        .collect_view()}
                </select>
            </label>
            <div class="filter-actions">
                <button type="submit" class="primary">"Apply"</button>
                <A href=format!("/projects/{project_id}") attr:class="button">"Clear"</A>
            </div>
        </Form>
    }
    .into_any()
}

/// `<input type="date">` shows a day; the filter keeps a timestamp.
fn date_value(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

#[component]
pub fn TaskList(
    project_id: Uuid,
    filter: Memo<Result<TaskFilter, AppError>>,
    tasks: Resource<Result<Page<Task>, AppError>>,
    members: Vec<Member>,
    tz: Tz,
) -> AnyView {
    let members = StoredValue::new(members);
    // Pages are links, so a page of a filtered view can be bookmarked too.
    let page_href = move |cursor: Option<&str>| {
        let query = filter.get_untracked().map(|f| f.to_query()).unwrap_or_default();
        let cursor = cursor.map(|c| format!("cursor={}", encode_component(c)));
        let params: Vec<String> = [Some(query), cursor].into_iter().flatten().filter(|p| !p.is_empty()).collect();
        format!("/projects/{project_id}?{}", params.join("&"))
    };
    let paged = move || filter.get_untracked().is_ok_and(|f| f.cursor.is_some());
    view! {
        <Transition fallback=|| view! { <Loading label="Loading tasks…" /> }>
            {move || Suspend::new(async move {
                match tasks.await {
                    Ok(page) if page.items.is_empty() => view! {
                        <Empty><p>"No tasks match. Change the filter, or add a task."</p></Empty>
                    }.into_any(),
                    Ok(page) => view! {
                        <ul class="task-list" aria-label="Task list">
                            {page.items.into_iter().map(|task| view! {
                                <TaskRow task members=members.get_value() tz />
                            }).collect_view()}
                        </ul>
                        <nav class="actions pager" aria-label="Pages">
                            {paged().then(|| view! { <A href=page_href(None)>"← First page"</A> })}
                            {page.next_cursor.map(|next| view! { <A href=page_href(Some(&next))>"Next page →"</A> })}
                        </nav>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn TaskRow(task: Task, members: Vec<Member>, tz: Tz) -> impl IntoView {
    let assignees: Vec<String> = task
        .assignee_ids
        .iter()
        .filter_map(|id| members.iter().find(|m| m.user_id == *id).map(|m| m.name.clone()))
        .collect();
    let repeats = task.recurrence.as_ref().map(|r| r.describe(task.due_at.map(|d| to_local(d, tz))));
    let overdue = task.status != crate::domain::TaskStatus::Done && task.due_at.is_some_and(|d| d < chrono::Utc::now());
    view! {
        <li class="task-row" class:done=task.status == TaskStatus::Done>
            <span class=format!("status status-{}", task.status.as_str())>{task.status.label()}</span>
            <A href=format!("/tasks/{}", task.id) attr:class="task-title">{task.title}</A>
            <span class="task-meta">
                {(task.priority != Priority::None).then(|| view! {
                    <span class=format!("pill priority-{}", task.priority.as_str())>{task.priority.label()}</span>
                })}
                {task.labels.into_iter().map(|l| view! { <span class="pill label">{l}</span> }).collect_view()}
                {task.due_at.map(|d| view! {
                    <span class="due" class:overdue=overdue>
                        <span class="visually-hidden">"Due "</span>
                        <time datetime=d.to_rfc3339()>{format_when(d, tz)}</time>
                    </span>
                })}
                {repeats.map(|words| view! {
                    <span class="repeats" title=words.clone()>
                        <span aria-hidden="true">"↻"</span>
                        <span class="visually-hidden">{format!("Repeats: {words}")}</span>
                    </span>
                })}
                {(!assignees.is_empty()).then(|| view! {
                    <span class="assignees" title="Assignees">{assignees.join(", ")}</span>
                })}
            </span>
        </li>
    }
}

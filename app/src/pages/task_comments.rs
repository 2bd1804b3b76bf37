//! A task's comment threads and its history of changes.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::{Activity, AppError, Comment, NewComment};
use crate::serverfns::comments::AddComment;
use crate::ui::feedback::{Empty, ErrorNotice, FieldError, Loading};
use crate::ui::form::FormValues;
use crate::ui::time::{format_when, Tz};

#[component]
pub fn CommentThread(
    task_id: Uuid,
    comments: Resource<Result<Vec<Comment>, AppError>>,
    can_comment: bool,
    tz: Tz,
    changes: RwSignal<u32>,
) -> impl IntoView {
    let add = ServerAction::<AddComment>::new();
    let replying_to = RwSignal::new(None::<Uuid>);
    // The reply being typed lives here, not only in its textarea: a live update redraws
    // the thread, and the text must survive that.
    let draft = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || local_error.get().or_else(|| add.value().get().and_then(Result::err)));
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            replying_to.set(None);
            draft.set(String::new());
            changes.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent, parent_id: Option<Uuid>| {
        local_error.set(None);
        let values = FormValues::from_submit(&ev);
        match (NewComment { body: values.get("body"), parent_id }).normalized() {
            Ok(input) => {
                if let Some(form) = ev
                    .target()
                    .and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlFormElement>(t).ok())
                {
                    form.reset();
                }
                add.dispatch(AddComment { task_id, input });
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    view! {
        <section class="card stack" aria-labelledby="comments-title">
            <h2 id="comments-title">"Comments"</h2>
            <Transition fallback=|| view! { <Loading label="Loading comments…" /> }>
                {move || Suspend::new(async move {
                    match comments.await {
                        Ok(list) if list.is_empty() => view! { <Empty><p>"No comments yet."</p></Empty> }.into_any(),
                        Ok(list) => {
                            let list = StoredValue::new(list);
                            view! { <CommentTree list parent=None tz replying_to draft can_comment on_reply=submit error /> }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
            <Show when=move || can_comment && replying_to.get().is_none()>
                <form class="stack" on:submit=move |ev| submit(ev, None) aria-label="Add a comment">
                    <label>
                        "Add a comment"
                        <textarea name="body" rows="3" required maxlength="10000" placeholder="Write a comment; @name mentions a member"></textarea>
                    </label>
                    <FieldError error field="body" />
                    <button type="submit" disabled=move || add.pending().get()>"Comment"</button>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn CommentTree<F>(
    list: StoredValue<Vec<Comment>>,
    parent: Option<Uuid>,
    tz: Tz,
    replying_to: RwSignal<Option<Uuid>>,
    draft: RwSignal<String>,
    can_comment: bool,
    on_reply: F,
    error: Signal<Option<AppError>>,
) -> AnyView
where
    F: Fn(leptos::ev::SubmitEvent, Option<Uuid>) + Copy + Send + Sync + 'static,
{
    let children: Vec<Comment> = list.with_value(|l| l.iter().filter(|c| c.parent_id == parent).cloned().collect());
    view! {
        <ul class=if parent.is_none() { "comments" } else { "comments replies" }>
            {children.into_iter().map(|c| {
                let id = c.id;
                view! {
                    <li class="comment" id=format!("comment-{id}")>
                        <p class="comment-meta">
                            <strong>{c.author_name}</strong>" · "
                            <time datetime=c.created_at.to_rfc3339()>{format_when(c.created_at, tz)}</time>
                        </p>
                        <p class="comment-body">{c.body}</p>
                        // `try_get`: a reload of the thread may still be rendering this tree
                        // while the thread itself is being replaced.
                        <Show when=move || can_comment && replying_to.try_get().is_some_and(|r| r != Some(id))>
                            <button type="button" class="link-button" on:click=move |_| {
                                draft.set(String::new());
                                replying_to.set(Some(id));
                            }>"Reply"</button>
                        </Show>
                        <Show when=move || replying_to.try_get() == Some(Some(id))>
                            <form class="stack" on:submit=move |ev| on_reply(ev, Some(id)) aria-label="Reply">
                                <label>
                                    "Reply"
                                    <textarea name="body" rows="2" required maxlength="10000"
                                        prop:value=draft.get_untracked()
                                        on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                                </label>
                                <FieldError error field="body" />
                                <div class="actions">
                                    <button type="submit">"Reply"</button>
                                    <button type="button" on:click=move |_| replying_to.set(None)>"Cancel"</button>
                                </div>
                            </form>
                        </Show>
                        <CommentTree list parent=Some(id) tz replying_to draft can_comment on_reply error />
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn ActivityList(activity: Resource<Result<Vec<Activity>, AppError>>, tz: Tz) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="activity-title">
            <h2 id="activity-title">"History"</h2>
            <Transition fallback=|| view! { <Loading label="Loading history…" /> }>
                {move || Suspend::new(async move {
                    match activity.await {
                        Ok(list) => view! {
                            <ol class="activity">
                                {list.into_iter().map(|a| view! { <ActivityItem a tz /> }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ActivityItem(a: Activity, tz: Tz) -> impl IntoView {
    let what = match a.kind.as_str() {
        "created" if a.changes.get("follows").is_some() => {
            "created this task on completing the one before it".to_owned()
        }
        "created" => "created the task".to_owned(),
        "commented" => "commented".to_owned(),
        _ => {
            let fields: Vec<String> = a
                .changes
                .as_object()
                .map(|m| m.iter().map(|(field, change)| describe_change(field, change)).collect())
                .unwrap_or_default();
            format!("changed {}", fields.join("; "))
        }
    };
    view! {
        <li>
            <strong>{a.actor_name}</strong>" "{what}
            <time class="muted" datetime=a.at.to_rfc3339()>" · "{format_when(a.at, tz)}</time>
        </li>
    }
}

fn describe_change(field: &str, change: &serde_json::Value) -> String {
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "nothing".to_owned(),
        Some(rule) if field == "recurrence" => serde_json::from_value::<crate::domain::Recurrence>(rule.clone())
            .map(|r| format!("“{}”", r.describe(None)))
            .unwrap_or_else(|_| "a rule".to_owned()),
        Some(serde_json::Value::String(s)) => format!("“{}”", truncate(s, 60)),
        Some(other) => truncate(&other.to_string(), 60),
    };
    let name = if field == "recurrence" { "repeat" } else { field };
    format!("{} from {} to {}", name.replace('_', " "), show(change.get("from")), show(change.get("to")))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

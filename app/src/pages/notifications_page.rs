//! Your notifications, newest first and grouped by task; unread ones stand out and can
//! be marked read, one task's at a time or all at once.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::domain::{AppError, Notification, Page};
use crate::serverfns::notifications::{list_notifications, MarkAllRead, MarkRead};
use crate::ui::feedback::{Empty, ErrorNotice, Loading};
use crate::ui::guard::RequireUser;
use crate::ui::time::{format_when, Tz};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    // Created outside any Suspend, so that the browser hydrates what the server rendered.
    let mark = ServerAction::<MarkRead>::new();
    let mark_all = ServerAction::<MarkAllRead>::new();
    let unread_only = RwSignal::new(false);
    let list = Resource::new(
        move || (unread_only.get(), mark.version().get(), mark_all.version().get()),
        |(unread, _, _)| list_notifications(unread),
    );
    // Marking read changes the badge in the header too.
    let badge = use_context::<crate::ui::layout::UnreadBadge>();
    Effect::new(move || {
        let changed = mark.version().get() + mark_all.version().get();
        if let (true, Some(badge)) = (changed > 0, badge) {
            badge.0.refetch();
        }
    });
    crate::live::use_live().on_message(move |m| {
        if m.kind == "notification" || m.asks_refetch() {
            list.refetch();
        }
    });
    view! {
        <Title text="Notifications" />
        <RequireUser children=move |me| view! { <Notifications tz=Tz::new(me.zone) mark mark_all unread_only list /> } />
    }
}

#[component]
fn Notifications(
    tz: Tz,
    mark: ServerAction<MarkRead>,
    mark_all: ServerAction<MarkAllRead>,
    unread_only: RwSignal<bool>,
    list: Resource<Result<Page<Notification>, AppError>>,
) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1>"Notifications"</h1>
            <div class="actions">
                <label class="check">
                    <input type="checkbox" on:change=move |ev| unread_only.set(event_target_checked(&ev)) />
                    "Unread only"
                </label>
                <button type="button" on:click=move |_| { mark_all.dispatch(MarkAllRead {}); }>"Mark all read"</button>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) if page.items.is_empty() => view! {
                        <Empty><p>"Nothing here. You will hear about tasks assigned to you, comments on your tasks, and tasks coming due."</p></Empty>
                    }.into_any(),
                    Ok(page) => view! {
                        <ul class="notification-list">
                            {group_by_task(page.items).into_iter().map(|group| view! { <NotificationGroup group tz mark /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Grouped by the task they are about (each one about no task alone), groups in the
/// order of their newest; within a group, newest first.
fn group_by_task(items: Vec<Notification>) -> Vec<Vec<Notification>> {
    let mut groups: Vec<Vec<Notification>> = Vec::new();
    for n in items {
        match groups.iter_mut().find(|g| n.task_id.is_some() && g[0].task_id == n.task_id) {
            Some(group) => group.push(n),
            None => groups.push(vec![n]),
        }
    }
    groups
}

#[component]
fn NotificationGroup(group: Vec<Notification>, tz: Tz, mark: ServerAction<MarkRead>) -> impl IntoView {
    let unread: Vec<_> = group.iter().filter(|n| n.read_at.is_none()).map(|n| n.id).collect();
    let unread_count = unread.len();
    let mut group = group.into_iter();
    let Some(latest) = group.next() else { return ().into_any() };
    let earlier: Vec<Notification> = group.collect();
    let href =
        latest.task_id.map(|t| format!("/tasks/{t}")).unwrap_or_else(|| format!("/projects/{}", latest.project_id));
    let has_unread = unread_count > 0;
    let mark_label = if unread_count > 1 { format!("Mark {unread_count} read") } else { "Mark read".to_owned() };
    view! {
        <li class="card notification" class:unread=has_unread>
            <div class="notification-head">
                <A href=href>{latest.title}</A>
                <time class="muted" datetime=latest.created_at.to_rfc3339()>{format_when(latest.created_at, tz)}</time>
                {has_unread.then(|| view! {
                    <button type="button" class="link-button" on:click=move |_| {
                        for id in unread.iter().copied() {
                            mark.dispatch(MarkRead { id });
                        }
                    }>{mark_label}</button>
                })}
            </div>
            {(!earlier.is_empty()).then(|| {
                let summary = match earlier.len() {
                    1 => "1 earlier about this task".to_owned(),
                    n => format!("{n} earlier about this task"),
                };
                view! {
                    <details class="notification-earlier">
                        <summary>{summary}</summary>
                        <ul>
                            {earlier.into_iter().map(|n| view! {
                                <li class:unread=n.read_at.is_none()>
                                    <span>{n.title}</span>
                                    " "
                                    <time class="muted" datetime=n.created_at.to_rfc3339()>{format_when(n.created_at, tz)}</time>
                                </li>
                            }).collect_view()}
                        </ul>
                    </details>
                }
            })}
        </li>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::NotificationKind;
    use uuid::Uuid;

    fn n(task: Option<u128>, title: &str) -> Notification {
        Notification {
            id: Uuid::now_v7(),
            kind: NotificationKind::TaskUpdated,
            project_id: Uuid::nil(),
            task_id: task.map(Uuid::from_u128),
            actor_id: None,
            title: title.into(),
            created_at: chrono::Utc::now(),
            read_at: None,
        }
    }

    #[test]
    fn notifications_group_by_task_in_the_order_of_their_newest() {
        let groups = group_by_task(vec![
            n(Some(1), "a3"),
            n(Some(2), "b2"),
            n(Some(1), "a2"),
            n(None, "x"),
            n(None, "y"),
            n(Some(2), "b1"),
        ]);
        let titles: Vec<Vec<&str>> = groups.iter().map(|g| g.iter().map(|n| n.title.as_str()).collect()).collect();
        assert_eq!(titles, vec![vec!["a3", "a2"], vec!["b2", "b1"], vec!["x"], vec!["y"]]);
    }
}

//! Your notifications, newest first; unread ones stand out and can be marked read.

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
                            {page.items.into_iter().map(|n| view! { <NotificationRow n tz mark /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NotificationRow(n: Notification, tz: Tz, mark: ServerAction<MarkRead>) -> impl IntoView {
    let unread = n.read_at.is_none();
    let id = n.id;
    let href = n.task_id.map(|t| format!("/tasks/{t}")).unwrap_or_else(|| format!("/projects/{}", n.project_id));
    view! {
        <li class="card notification" class:unread=unread>
            <A href=href>{n.title}</A>
            <time class="muted" datetime=n.created_at.to_rfc3339()>{format_when(n.created_at, tz)}</time>
            <Show when=move || unread>
                <button type="button" class="link-button" on:click=move |_| { mark.dispatch(MarkRead { id }); }>
                    "Mark read"
                </button>
            </Show>
        </li>
    }
}

//! Reminders of due dates: `due_soon` ahead of a task's due time (at each of the
//! person's lead times, an hour unless they choose otherwise), `overdue` once it passed, and the
//! `reminder`s a task carries of its own; for its assignees (or its creator when nobody
//! is assigned), each exactly once.
//!
//! Each run looks at open tasks due up to the longest lead time ahead and back as far as the
//! catch-up window, so a run after downtime sends what came due meanwhile, once: a task
//! already past due gets `overdue` only. A task completed, deleted or given another due
//! date before the run is no longer found at that date, so nothing stale goes out.

use app::domain::{AppError, Notification, NotificationKind, MAX_REMINDER_LEAD_MINUTES};
use chrono::TimeDelta;
use uuid::Uuid;

use super::Service;
use crate::store::NewNotification;

/// The longest lead time anyone may choose: how far ahead a run looks.
const MAX_LEAD: TimeDelta = TimeDelta::minutes(MAX_REMINDER_LEAD_MINUTES as i64);
/// How far back a run looks for what it missed while no instance was running.
pub const CATCH_UP: TimeDelta = TimeDelta::days(7);

impl Service {
    /// Sends the reminders that are due now; returns how many went out. Safe to run
    /// on every instance at once: each reminder is claimed in the database first.
    #[tracing::instrument(skip_all)]
    pub async fn send_due_reminders(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let mut due = self.store.due_tasks(now - CATCH_UP, now + MAX_LEAD).await?;
        // Past due: `overdue`; ahead: `due_soon` for the shortest of the person's lead
        // times reached, so a run after downtime sends one, not each lead time passed.
        for d in &mut due {
            let ahead = d.due_at - now;
            d.lead = d.leads.iter().copied().filter(|m| ahead <= TimeDelta::minutes((*m).into())).min();
        }
        due.retain(|d| d.due_at <= now || d.lead.is_some());
        let users = self.recipients(due.iter().map(|d| d.user_id)).await?;
        let mut reminders: Vec<_> = due
            .into_iter()
            .filter_map(|task| {
                let kind = if task.due_at <= now { NotificationKind::Overdue } else { NotificationKind::DueSoon };
                let notification = Notification {
                    id: Uuid::now_v7(),
                    kind,
                    project_id: task.project_id,
                    task_id: Some(task.task_id),
                    actor_id: None,
                    title: super::notify::title(kind, "", &task.title),
                    created_at: now,
                    read_at: None,
                };
                let note = NewNotification { user_id: task.user_id, notification, deliveries: Vec::new() };
                Some((task, self.routed(&users, note)?))
            })
            .collect();
        // The reminders tasks carry of their own, claimed the same way.
        let own = self.due_task_reminders(now).await?;
        let users = self.recipients(own.iter().map(|(d, _)| d.user_id)).await?;
        reminders.extend(own.into_iter().filter_map(|(task, note)| Some((task, self.routed(&users, note)?))));
        // One order for every instance, so concurrent claims never wait on each other in a cycle.
        reminders.sort_by_key(|(d, note)| (d.task_id, d.user_id, note.notification.kind, d.due_at));
        let sent = self.store.claim_reminders(reminders, now).await?;
        self.hub.notified(&super::unread(&sent));
        Ok(sent.len())
    }
}

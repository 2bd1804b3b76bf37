//! Reminders a task carries of its own: listed, added and removed by those who may edit
//! the task, and sent with the due-date reminders by the scheduler.

use app::domain::{
    describe_minutes, AppError, NewTaskReminder, Notification, NotificationKind, TaskReminder, User,
    MAX_BEFORE_DUE_MINUTES, MAX_TASK_REMINDERS,
};
use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::{require, Service};

/// How long after its moment a task's own reminder may still go out (after downtime, or
/// to someone assigned since): a reminder much later than asked for is noise.
const OWN_CATCH_UP: TimeDelta = TimeDelta::hours(6);
use crate::store::{DueTask, NewNotification};

impl Service {
    pub async fn list_task_reminders(&self, actor: &User, task_id: Uuid) -> Result<Vec<TaskReminder>, AppError> {
        self.readable_task(actor, task_id).await?;
        Ok(self.store.task_reminders(task_id).await?)
    }

    #[tracing::instrument(skip_all, fields(user = %actor.id, task = %task_id))]
    pub async fn add_task_reminder(
        &self,
        actor: &User,
        task_id: Uuid,
        input: NewTaskReminder,
    ) -> Result<TaskReminder, AppError> {
        let (task, role) = self.readable_task(actor, task_id).await?;
        require(role.can_edit_tasks(), "viewers cannot set reminders")?;
        let input = input.normalized()?;
        let now = self.clock.now();
        match (input.at, input.before_due_minutes, task.due_at) {
            (Some(at), _, _) if at <= now => return Err(AppError::invalid("at", "must be in the future")),
            (None, Some(_), None) => {
                return Err(AppError::invalid("before_due_minutes", "needs the task to have a due date"))
            }
            (None, Some(before), Some(due)) if due - TimeDelta::minutes(before.into()) <= now => {
                return Err(AppError::invalid("before_due_minutes", "is a moment that has already passed"))
            }
            _ => {}
        }
        let reminder = TaskReminder {
            id: Uuid::now_v7(),
            task_id,
            at: input.at,
            before_due_minutes: input.before_due_minutes,
            created_by: actor.id,
            created_at: now,
        };
        if !self.store.insert_task_reminder(&reminder, MAX_TASK_REMINDERS).await? {
            return Err(AppError::invalid("at", format!("a task can carry at most {MAX_TASK_REMINDERS} reminders")));
        }
        Ok(reminder)
    }

    pub async fn remove_task_reminder(&self, actor: &User, task_id: Uuid, id: Uuid) -> Result<(), AppError> {
        let (_, role) = self.readable_task(actor, task_id).await?;
        require(role.can_edit_tasks(), "viewers cannot remove reminders")?;
        if self.store.delete_task_reminder(task_id, id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("reminder"))
        }
    }

    /// The task reminders that went off in the last [`OWN_CATCH_UP`], as claims for the
    /// scheduler: keyed by the moment they fire, so a moved due date fires again.
    pub(super) async fn due_task_reminders(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(DueTask, NewNotification)>, AppError> {
        let from = now - OWN_CATCH_UP;
        let due_until = now + TimeDelta::minutes(MAX_BEFORE_DUE_MINUTES.into());
        let found = self.store.due_task_reminders(from, now, due_until).await?;
        Ok(found
            .into_iter()
            .filter_map(|d| {
                let fires = d.reminder.fires_at(d.due_at)?;
                if fires < from || fires > now {
                    return None;
                }
                let title = match d.due_at {
                    Some(due) if due > now => {
                        let minutes = u32::try_from((due - now).num_minutes().max(1)).unwrap_or(u32::MAX);
                        format!("Reminder: “{}” is due in {}", d.title, describe_minutes(round_minutes(minutes)))
                    }
                    Some(_) => format!("Reminder: “{}” is due now", d.title),
                    None => format!("Reminder: “{}”", d.title),
                };
                let notification = Notification {
                    id: Uuid::now_v7(),
                    kind: NotificationKind::Reminder,
                    project_id: d.project_id,
                    task_id: Some(d.reminder.task_id),
                    actor_id: None,
                    title,
                    created_at: now,
                    read_at: None,
                };
                let task = DueTask {
                    task_id: d.reminder.task_id,
                    project_id: d.project_id,
                    title: d.title,
                    due_at: fires,
                    user_id: d.user_id,
                    leads: Vec::new(),
                    lead: None,
                };
                Some((task, NewNotification { user_id: d.user_id, notification, deliveries: Vec::new() }))
            })
            .collect())
    }
}

/// Minutes as a person would say them: whole days or hours once that large.
fn round_minutes(minutes: u32) -> u32 {
    match minutes {
        m if m >= 24 * 60 => (m + 12 * 60) / (24 * 60) * 24 * 60,
        m if m >= 60 => (m + 30) / 60 * 60,
        m => m,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lead_times_are_rounded_as_people_say_them() {
        assert_eq!(super::round_minutes(59), 59);
        assert_eq!(super::round_minutes(61), 60);
        assert_eq!(super::round_minutes(100), 120);
        assert_eq!(super::round_minutes(25 * 60), 24 * 60);
    }
}

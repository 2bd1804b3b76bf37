use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{write_commit, PostgresStore};
use crate::store::{stored_leads, Commit, DueTask, NewNotification, ReminderStore, StoreResult};

/// Open tasks in the window with their assignees, and the creator of those with none.
const DUE_TASKS: &str = "\
    SELECT t.id, t.project_id, t.title, t.due_at, a.user_id, u.reminder_lead_minutes, u.reminder_leads FROM tasks t \
    JOIN task_assignees a ON a.task_id = t.id JOIN users u ON u.id = a.user_id \
    WHERE t.status <> 'done' AND t.due_at IS NOT NULL AND t.due_at >= $1 AND t.due_at <= $2 \
    UNION ALL \
    SELECT t.id, t.project_id, t.title, t.due_at, t.created_by, u.reminder_lead_minutes, u.reminder_leads FROM tasks t \
    JOIN users u ON u.id = t.created_by \
    WHERE t.status <> 'done' AND t.due_at IS NOT NULL AND t.due_at >= $1 AND t.due_at <= $2 \
    AND NOT EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id)";

#[async_trait::async_trait]
impl ReminderStore for PostgresStore {
    async fn due_tasks(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<Vec<DueTask>> {
        let found = sqlx::query(DUE_TASKS).bind(from).bind(until).fetch_all(&self.pool).await?;
        found
            .iter()
            .map(|r| {
                Ok(DueTask {
                    task_id: r.try_get("id")?,
                    project_id: r.try_get("project_id")?,
                    title: r.try_get("title")?,
                    due_at: r.try_get("due_at")?,
                    user_id: r.try_get("user_id")?,
                    leads: stored_leads(
                        r.try_get::<Option<String>, _>("reminder_leads")?.as_deref(),
                        r.try_get::<i32, _>("reminder_lead_minutes")?.into(),
                    ),
                    lead: None,
                })
            })
            .collect()
    }

    async fn claim_reminders(
        &self,
        reminders: Vec<(DueTask, NewNotification)>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<NewNotification>> {
        if reminders.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        let mut claimed = Vec::new();
        for (due, note) in reminders {
            // A concurrent claim of the same row waits for the other transaction and then
            // finds the conflict: exactly one instance inserts it.
            let done = sqlx::query(
                "INSERT INTO reminders_sent (task_id, user_id, kind, due_at, sent_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(due.task_id)
            .bind(due.user_id)
            .bind(due.claim_kind(note.notification.kind))
            .bind(due.due_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                write_commit(&mut tx, Commit { notifications: vec![note.clone()], ..Default::default() }).await?;
                claimed.push(note);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    }
}

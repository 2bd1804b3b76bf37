use chrono::{DateTime, Utc};
use sqlx::Row;

use super::rows;
use super::{write_commit, SqliteStore};
use crate::store::{stored_leads, Commit, DueTask, NewNotification, ReminderStore, StoreResult};

/// Open tasks in the window with their assignees, and the creator of those with none.
const DUE_TASKS: &str = "\
    SELECT t.id, t.project_id, t.title, t.due_at, a.user_id, u.reminder_lead_minutes, u.reminder_leads FROM tasks t \
    JOIN task_assignees a ON a.task_id = t.id JOIN users u ON u.id = a.user_id \
    WHERE t.status <> 'done' AND t.due_at IS NOT NULL AND t.due_at >= ? AND t.due_at <= ? \
    UNION ALL \
    SELECT t.id, t.project_id, t.title, t.due_at, t.created_by, u.reminder_lead_minutes, u.reminder_leads FROM tasks t \
    JOIN users u ON u.id = t.created_by \
    WHERE t.status <> 'done' AND t.due_at IS NOT NULL AND t.due_at >= ? AND t.due_at <= ? \
    AND NOT EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id)";

#[async_trait::async_trait]
impl ReminderStore for SqliteStore {
    async fn due_tasks(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<Vec<DueTask>> {
        let found = sqlx::query(DUE_TASKS).bind(from).bind(until).bind(from).bind(until).fetch_all(&self.pool).await?;
        found
            .iter()
            .map(|r| {
                Ok(DueTask {
                    task_id: rows::uuid(r, "id")?,
                    project_id: rows::uuid(r, "project_id")?,
                    title: r.try_get("title")?,
                    due_at: r.try_get("due_at")?,
                    user_id: rows::uuid(r, "user_id")?,
                    leads: stored_leads(
                        r.try_get::<Option<String>, _>("reminder_leads")?.as_deref(),
                        r.try_get("reminder_lead_minutes")?,
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
        let (_guard, mut tx) = self.begin_write().await?;
        let mut claimed = Vec::new();
        for (due, note) in reminders {
            let done = sqlx::query(
                "INSERT INTO reminders_sent (task_id, user_id, kind, due_at, sent_at) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(due.task_id.to_string())
            .bind(due.user_id.to_string())
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

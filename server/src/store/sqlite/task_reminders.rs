use app::domain::TaskReminder;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::rows::uuid;
use super::SqliteStore;
use crate::store::{DueTaskReminder, StoreResult, TaskReminderStore};

const COLUMNS: &str = "r.id, r.task_id, r.remind_at, r.before_due_minutes, r.created_by, r.created_at";

/// Reminders of open tasks that may go off in the window: fixed ones inside it,
/// relative ones whose task is due up to `?3`; with each person to remind.
fn due_query() -> String {
    let window = "t.status <> 'done' AND ((r.remind_at >= ?1 AND r.remind_at <= ?2) \
                  OR (r.before_due_minutes IS NOT NULL AND t.due_at >= ?1 AND t.due_at <= ?3))";
    format!(
        "SELECT {COLUMNS}, t.project_id, t.title, t.due_at, a.user_id AS remind_user FROM task_reminders r \
         JOIN tasks t ON t.id = r.task_id JOIN task_assignees a ON a.task_id = t.id WHERE {window} \
         UNION ALL \
         SELECT {COLUMNS}, t.project_id, t.title, t.due_at, t.created_by AS remind_user FROM task_reminders r \
         JOIN tasks t ON t.id = r.task_id WHERE {window} \
         AND NOT EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id)"
    )
}

fn reminder(row: &SqliteRow) -> StoreResult<TaskReminder> {
    Ok(TaskReminder {
        id: uuid(row, "id")?,
        task_id: uuid(row, "task_id")?,
        at: row.try_get("remind_at")?,
        before_due_minutes: row
            .try_get::<Option<i64>, _>("before_due_minutes")?
            .map(|m| m.clamp(0, u32::MAX.into()) as u32),
        created_by: uuid(row, "created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait::async_trait]
impl TaskReminderStore for SqliteStore {
    async fn task_reminders(&self, task_id: Uuid) -> StoreResult<Vec<TaskReminder>> {
        let found = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM task_reminders r WHERE r.task_id = ? ORDER BY r.created_at, r.id"
        ))
        .bind(task_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(reminder).collect()
    }

    async fn insert_task_reminder(&self, r: &TaskReminder, max: usize) -> StoreResult<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM task_reminders WHERE task_id = ?")
            .bind(r.task_id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        if count >= max as i64 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO task_reminders (id, task_id, remind_at, before_due_minutes, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(r.id.to_string())
        .bind(r.task_id.to_string())
        .bind(r.at)
        .bind(r.before_due_minutes.map(i64::from))
        .bind(r.created_by.to_string())
        .bind(r.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn delete_task_reminder(&self, task_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let _guard = self.write_lock.lock().await;
        let done = sqlx::query("DELETE FROM task_reminders WHERE id = ? AND task_id = ?")
            .bind(id.to_string())
            .bind(task_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn due_task_reminders(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        due_until: DateTime<Utc>,
    ) -> StoreResult<Vec<DueTaskReminder>> {
        let found = sqlx::query(&due_query()).bind(from).bind(until).bind(due_until).fetch_all(&self.pool).await?;
        found
            .iter()
            .map(|r| {
                Ok(DueTaskReminder {
                    reminder: reminder(r)?,
                    project_id: uuid(r, "project_id")?,
                    title: r.try_get("title")?,
                    due_at: r.try_get("due_at")?,
                    user_id: uuid(r, "remind_user")?,
                })
            })
            .collect()
    }
}

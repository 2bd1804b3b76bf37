use app::domain::TaskReminder;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::PostgresStore;
use crate::store::{DueTaskReminder, StoreResult, TaskReminderStore};

const COLUMNS: &str = "r.id, r.task_id, r.remind_at, r.before_due_minutes, r.created_by, r.created_at";

/// Reminders of open tasks that may go off in the window: fixed ones inside it,
/// relative ones whose task is due up to `$3`; with each person to remind.
fn due_query() -> String {
    let window = "t.status <> 'done' AND ((r.remind_at >= $1 AND r.remind_at <= $2) \
                  OR (r.before_due_minutes IS NOT NULL AND t.due_at >= $1 AND t.due_at <= $3))";
    format!(
        "SELECT {COLUMNS}, t.project_id, t.title, t.due_at, a.user_id AS remind_user FROM task_reminders r \
         JOIN tasks t ON t.id = r.task_id JOIN task_assignees a ON a.task_id = t.id WHERE {window} \
         UNION ALL \
         SELECT {COLUMNS}, t.project_id, t.title, t.due_at, t.created_by AS remind_user FROM task_reminders r \
         JOIN tasks t ON t.id = r.task_id WHERE {window} \
         AND NOT EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id)"
    )
}

fn reminder(row: &PgRow) -> StoreResult<TaskReminder> {
    Ok(TaskReminder {
        id: row.try_get("id")?,
        task_id: row.try_get("task_id")?,
        at: row.try_get("remind_at")?,
        before_due_minutes: row.try_get::<Option<i32>, _>("before_due_minutes")?.map(|m| m.max(0) as u32),
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait::async_trait]
impl TaskReminderStore for PostgresStore {
    async fn task_reminders(&self, task_id: Uuid) -> StoreResult<Vec<TaskReminder>> {
        let found = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM task_reminders r WHERE r.task_id = $1 ORDER BY r.created_at, r.id"
        ))
        .bind(task_id)
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(reminder).collect()
    }

    async fn insert_task_reminder(&self, r: &TaskReminder, max: usize) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        // The task's row lock makes the count and the insert one step for concurrent adds.
        sqlx::query("SELECT id FROM tasks WHERE id = $1 FOR UPDATE").bind(r.task_id).execute(&mut *tx).await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM task_reminders WHERE task_id = $1")
            .bind(r.task_id)
            .fetch_one(&mut *tx)
            .await?;
        if count >= max as i64 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO task_reminders (id, task_id, remind_at, before_due_minutes, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.id)
        .bind(r.task_id)
        .bind(r.at)
        .bind(r.before_due_minutes.map(|m| i32::try_from(m).unwrap_or(i32::MAX)))
        .bind(r.created_by)
        .bind(r.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn delete_task_reminder(&self, task_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM task_reminders WHERE id = $1 AND task_id = $2")
            .bind(id)
            .bind(task_id)
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
                    project_id: r.try_get("project_id")?,
                    title: r.try_get("title")?,
                    due_at: r.try_get("due_at")?,
                    user_id: r.try_get("remind_user")?,
                })
            })
            .collect()
    }
}

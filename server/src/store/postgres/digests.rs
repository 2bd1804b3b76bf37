use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::rows::{self, USER_COLUMNS};
use super::{write_commit, PostgresStore};
use crate::store::{Commit, DigestStore, DigestTask, NewNotification, StoreResult};
use app::domain::User;

/// A person's open tasks due by a time: assigned to them, or created by them with
/// nobody assigned, in projects they still belong to.
const DIGEST_TASKS: &str = "\
    SELECT t.id, t.project_id, p.name AS project_name, t.title, t.due_at FROM tasks t \
    JOIN projects p ON p.id = t.project_id \
    JOIN project_members m ON m.project_id = t.project_id AND m.user_id = $1 \
    WHERE t.status <> 'done' AND t.due_at IS NOT NULL AND t.due_at <= $2 \
    AND (EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id AND a.user_id = $1) \
         OR (t.created_by = $1 AND NOT EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id))) \
    ORDER BY t.due_at, t.id LIMIT $3";

#[async_trait::async_trait]
impl DigestStore for PostgresStore {
    async fn digest_users(&self, unclaimed_since: DateTime<Utc>) -> StoreResult<Vec<User>> {
        // A cheap first sieve on the stored JSON; the preferences themselves decide.
        let found = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.disabled_at IS NULL \
             AND u.notification_prefs LIKE '%\"digest_at\":\"%' \
             AND NOT EXISTS (SELECT 1 FROM digests_sent d WHERE d.user_id = u.id AND d.sent_at > $1)"
        ))
        .bind(unclaimed_since)
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(rows::user).collect()
    }

    async fn digest_tasks(&self, user_id: Uuid, until: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DigestTask>> {
        let found =
            sqlx::query(DIGEST_TASKS).bind(user_id).bind(until).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        found
            .iter()
            .map(|r| {
                Ok(DigestTask {
                    task_id: r.try_get("id")?,
                    project_id: r.try_get("project_id")?,
                    project_name: r.try_get("project_name")?,
                    title: r.try_get("title")?,
                    due_at: r.try_get("due_at")?,
                })
            })
            .collect()
    }

    async fn claim_digest(
        &self,
        user_id: Uuid,
        day: NaiveDate,
        note: Option<NewNotification>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("INSERT INTO digests_sent (user_id, day, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(user_id)
                .bind(day)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(note) = note {
            write_commit(&mut tx, Commit { notifications: vec![note], ..Default::default() }).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

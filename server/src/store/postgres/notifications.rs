use app::domain::Notification;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{rows, PostgresStore};
use crate::store::{NotificationStore, StoreResult};

#[async_trait::async_trait]
impl NotificationStore for PostgresStore {
    async fn notifications(
        &self,
        user_id: Uuid,
        unread_only: bool,
        limit: u32,
        offset: u64,
    ) -> StoreResult<(Vec<Notification>, bool)> {
        let unread = if unread_only { " AND read_at IS NULL" } else { "" };
        let found = sqlx::query(&format!(
            "SELECT id, kind, project_id, task_id, actor_id, title, created_at, read_at FROM notifications \
             WHERE user_id = $1{unread} ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(user_id)
        .bind(limit as i64 + 1)
        .bind(offset as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut list = found.iter().map(rows::notification).collect::<StoreResult<Vec<_>>>()?;
        let more = list.len() > limit as usize;
        list.truncate(limit as usize);
        Ok((list, more))
    }

    async fn unread_count(&self, user_id: Uuid) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn mark_read(&self, user_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3")
                .bind(now)
                .bind(id)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn mark_all_read(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

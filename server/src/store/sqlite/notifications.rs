use app::domain::Notification;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::rows;
use super::SqliteStore;
use crate::store::{NotificationStore, StoreResult};

#[async_trait::async_trait]
impl NotificationStore for SqliteStore {
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
             WHERE user_id = ?{unread} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
        ))
        .bind(user_id.to_string())
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
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL")
            .bind(user_id.to_string())
            .fetch_one(&self.pool)
            .await?)
    }

    async fn mark_read(&self, user_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
        let _guard = self.write_lock.lock().await;
        let done = sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?")
            .bind(now)
            .bind(id.to_string())
            .bind(user_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn mark_all_read(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        sqlx::query("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL")
            .bind(now)
            .bind(user_id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

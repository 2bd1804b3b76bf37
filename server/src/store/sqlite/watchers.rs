use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::rows::uuid;
use super::SqliteStore;
use app::domain::Watcher;

use crate::store::{StoreResult, WatcherStore};

#[async_trait::async_trait]
impl WatcherStore for SqliteStore {
    async fn set_watching(&self, task_id: Uuid, user_id: Uuid, watching: bool, now: DateTime<Utc>) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        let query = if watching {
            sqlx::query(
                "INSERT INTO task_watchers (task_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(task_id.to_string())
            .bind(user_id.to_string())
            .bind(now)
        } else {
            sqlx::query("DELETE FROM task_watchers WHERE task_id = ? AND user_id = ?")
                .bind(task_id.to_string())
                .bind(user_id.to_string())
        };
        query.execute(&self.pool).await?;
        Ok(())
    }

    async fn watchers(&self, task_id: Uuid) -> StoreResult<Vec<Watcher>> {
        let found = sqlx::query(
            "SELECT u.id, u.name FROM task_watchers w JOIN tasks t ON t.id = w.task_id \
             JOIN project_members m ON m.project_id = t.project_id AND m.user_id = w.user_id \
             JOIN users u ON u.id = w.user_id WHERE w.task_id = ? ORDER BY u.name COLLATE NOCASE, u.id",
        )
        .bind(task_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(|r| Ok(Watcher { user_id: uuid(r, "id")?, name: r.try_get("name")? })).collect()
    }
}

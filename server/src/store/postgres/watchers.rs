use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::PostgresStore;
use app::domain::Watcher;

use crate::store::{StoreResult, WatcherStore};

#[async_trait::async_trait]
impl WatcherStore for PostgresStore {
    async fn set_watching(&self, task_id: Uuid, user_id: Uuid, watching: bool, now: DateTime<Utc>) -> StoreResult<()> {
        let query = if watching {
            sqlx::query(
                "INSERT INTO task_watchers (task_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(task_id)
            .bind(user_id)
            .bind(now)
        } else {
            sqlx::query("DELETE FROM task_watchers WHERE task_id = $1 AND user_id = $2").bind(task_id).bind(user_id)
        };
        query.execute(&self.pool).await?;
        Ok(())
    }

    async fn watchers(&self, task_id: Uuid) -> StoreResult<Vec<Watcher>> {
        let found = sqlx::query(
            "SELECT u.id, u.name FROM task_watchers w JOIN tasks t ON t.id = w.task_id \
             JOIN project_members m ON m.project_id = t.project_id AND m.user_id = w.user_id \
             JOIN users u ON u.id = w.user_id WHERE w.task_id = $1 ORDER BY lower(u.name), u.id",
        )
        .bind(task_id)
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(|r| Ok(Watcher { user_id: r.try_get("id")?, name: r.try_get("name")? })).collect()
    }
}

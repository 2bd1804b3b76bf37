use sqlx::Row;
use uuid::Uuid;

use super::PostgresStore;
use crate::store::{EventStore, StoreResult, StoredEvent};

#[async_trait::async_trait]
impl EventStore for PostgresStore {
    async fn events_since(&self, project_id: Uuid, after_seq: i64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        let rows = sqlx::query(
            "SELECT project_id, seq, kind, actor_id, at, payload FROM events \
             WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(project_id)
        .bind(after_seq)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredEvent {
                    project_id: r.try_get("project_id")?,
                    seq: r.try_get("seq")?,
                    kind: r.try_get("kind")?,
                    actor_id: r.try_get("actor_id")?,
                    at: r.try_get("at")?,
                    payload: r.try_get("payload")?,
                })
            })
            .collect()
    }

    async fn latest_seq(&self, project_id: Uuid) -> StoreResult<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM projects WHERE id = $1")
            .bind(project_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(seq.unwrap_or(0))
    }
}

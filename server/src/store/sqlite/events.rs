use sqlx::Row;
use uuid::Uuid;

use super::rows::{opt_uuid, uuid};
use super::SqliteStore;
use crate::store::{EventStore, StoreResult, StoredEvent};

#[async_trait::async_trait]
impl EventStore for SqliteStore {
    async fn events_since(&self, project_id: Uuid, after_seq: i64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        let rows = sqlx::query(
            "SELECT project_id, seq, kind, actor_id, at, payload FROM events \
             WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(project_id.to_string())
        .bind(after_seq)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get("payload")?;
                Ok(StoredEvent {
                    project_id: uuid(r, "project_id")?,
                    seq: r.try_get("seq")?,
                    kind: r.try_get("kind")?,
                    actor_id: opt_uuid(r, "actor_id")?,
                    at: r.try_get("at")?,
                    payload: serde_json::from_str(&payload).map_err(anyhow::Error::from)?,
                })
            })
            .collect()
    }

    async fn latest_seq(&self, project_id: Uuid) -> StoreResult<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM projects WHERE id = ?")
            .bind(project_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(seq.unwrap_or(0))
    }
}

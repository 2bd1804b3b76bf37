use app::domain::Channel;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::rows::{self, USER_COLUMNS};
use super::SqliteStore;
use crate::store::{ClaimedDelivery, DeliveryStore, StoreError, StoreResult};

#[async_trait::async_trait]
impl DeliveryStore for SqliteStore {
    async fn claim_deliveries(
        &self,
        channel: Channel,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let (_guard, mut tx) = self.begin_write().await?;
        let claimed: Vec<String> = sqlx::query_scalar(
            "UPDATE deliveries SET claimed_until = ?, attempts = attempts + 1 WHERE rowid IN ( \
               SELECT rowid FROM deliveries WHERE channel = ? AND gave_up_at IS NULL AND due_at <= ? \
               AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY due_at LIMIT ?) \
             RETURNING notification_id",
        )
        .bind(until)
        .bind(channel.as_str())
        .bind(now)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let found = sqlx::query(
            "SELECT n.id, n.kind, n.project_id, n.task_id, n.actor_id, n.title, n.created_at, n.read_at, \
             d.user_id, d.attempts, p.name AS project_name, t.due_at AS task_due_at \
             FROM deliveries d JOIN notifications n ON n.id = d.notification_id \
             JOIN projects p ON p.id = n.project_id LEFT JOIN tasks t ON t.id = n.task_id \
             WHERE d.channel = ? AND d.notification_id IN (SELECT value FROM json_each(?)) ORDER BY d.due_at, n.id",
        )
        .bind(channel.as_str())
        .bind(json_ids(&claimed)?)
        .fetch_all(&mut *tx)
        .await?;
        let user_ids: Vec<String> = found.iter().map(|r| r.try_get("user_id")).collect::<Result<_, _>>()?;
        let users =
            sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id IN (SELECT value FROM json_each(?))"))
                .bind(json_ids(&user_ids)?)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(rows::user)
                .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await?;
        found
            .iter()
            .map(|r| {
                let user_id = rows::uuid(r, "user_id")?;
                Ok(ClaimedDelivery {
                    notification: rows::notification(r)?,
                    user: users.iter().find(|u| u.id == user_id).cloned().ok_or(StoreError::NotFound)?,
                    project_name: r.try_get("project_name")?,
                    task_due_at: r.try_get("task_due_at")?,
                    attempts: r.try_get::<i64, _>("attempts")?.try_into().unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    async fn prune_sent_records(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let (_guard, mut tx) = self.begin_write().await?;
        let mut removed = 0;
        for statement in [
            "DELETE FROM deliveries WHERE gave_up_at IS NOT NULL AND gave_up_at < ?",
            "DELETE FROM digests_sent WHERE sent_at < ?",
            "DELETE FROM reminders_sent WHERE due_at < ?",
        ] {
            removed += sqlx::query(statement).bind(before).execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(removed)
    }

    async fn release_deliveries(
        &self,
        channel: Channel,
        notification_ids: &[Uuid],
        due_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        if notification_ids.is_empty() {
            return Ok(());
        }
        let _guard = self.write_lock.lock().await;
        sqlx::query(
            "UPDATE deliveries SET claimed_until = NULL, attempts = MAX(attempts - 1, 0), due_at = ? \
             WHERE channel = ? AND notification_id IN (SELECT value FROM json_each(?))",
        )
        .bind(due_at)
        .bind(channel.as_str())
        .bind(json_ids(notification_ids)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn deliveries_sent(&self, channel: Channel, notification_ids: &[Uuid]) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        sqlx::query("DELETE FROM deliveries WHERE channel = ? AND notification_id IN (SELECT value FROM json_each(?))")
            .bind(channel.as_str())
            .bind(json_ids(notification_ids)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn deliveries_failed(
        &self,
        channel: Channel,
        notification_ids: &[Uuid],
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        sqlx::query(
            "UPDATE deliveries SET last_error = ?, claimed_until = NULL, due_at = COALESCE(?, due_at), \
             gave_up_at = CASE WHEN ? IS NULL THEN ? END \
             WHERE channel = ? AND notification_id IN (SELECT value FROM json_each(?))",
        )
        .bind(error)
        .bind(retry_at)
        .bind(retry_at)
        .bind(now)
        .bind(channel.as_str())
        .bind(json_ids(notification_ids)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Ids as a JSON array, for `IN (SELECT value FROM json_each(?))`.
fn json_ids<T: serde::Serialize>(ids: &[T]) -> StoreResult<String> {
    serde_json::to_string(ids).map_err(|e| StoreError::Other(e.into()))
}

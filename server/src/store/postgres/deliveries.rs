use app::domain::Channel;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::rows::{self, USER_COLUMNS};
use super::PostgresStore;
use crate::store::{ClaimedDelivery, DeliveryStore, StoreError, StoreResult};

#[async_trait::async_trait]
impl DeliveryStore for PostgresStore {
    async fn claim_deliveries(
        &self,
        channel: Channel,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let mut tx = self.pool.begin().await?;
        // SKIP LOCKED: senders on other instances take other rows instead of waiting.
        let claimed: Vec<Uuid> = sqlx::query_scalar(
            "UPDATE deliveries d SET claimed_until = $1, attempts = d.attempts + 1 FROM ( \
               SELECT notification_id FROM deliveries WHERE channel = $2 AND gave_up_at IS NULL AND due_at <= $3 \
               AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) c \
             WHERE d.channel = $2 AND d.notification_id = c.notification_id RETURNING d.notification_id",
        )
        .bind(until)
        .bind(channel.as_str())
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
             WHERE d.channel = $1 AND d.notification_id = ANY($2) ORDER BY d.due_at, n.id",
        )
        .bind(channel.as_str())
        .bind(&claimed)
        .fetch_all(&mut *tx)
        .await?;
        let user_ids: Vec<Uuid> = found.iter().map(|r| r.try_get("user_id")).collect::<Result<_, _>>()?;
        let users = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ANY($1)"))
            .bind(&user_ids)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(rows::user)
            .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await?;
        found
            .iter()
            .map(|r| {
                let user_id: Uuid = r.try_get("user_id")?;
                Ok(ClaimedDelivery {
                    notification: rows::notification(r)?,
                    user: users.iter().find(|u| u.id == user_id).cloned().ok_or(StoreError::NotFound)?,
                    project_name: r.try_get("project_name")?,
                    task_due_at: r.try_get("task_due_at")?,
                    attempts: r.try_get::<i32, _>("attempts")?.try_into().unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    async fn prune_sent_records(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await?;
        let mut removed = 0;
        for statement in [
            "DELETE FROM deliveries WHERE gave_up_at IS NOT NULL AND gave_up_at < $1",
            "DELETE FROM digests_sent WHERE sent_at < $1",
            "DELETE FROM reminders_sent WHERE due_at < $1",
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
        sqlx::query(
            "UPDATE deliveries SET claimed_until = NULL, attempts = GREATEST(attempts - 1, 0), due_at = $1 \
             WHERE channel = $2 AND notification_id = ANY($3)",
        )
        .bind(due_at)
        .bind(channel.as_str())
        .bind(notification_ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn deliveries_sent(&self, channel: Channel, notification_ids: &[Uuid]) -> StoreResult<()> {
        sqlx::query("DELETE FROM deliveries WHERE channel = $1 AND notification_id = ANY($2)")
            .bind(channel.as_str())
            .bind(notification_ids)
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
        sqlx::query(
            "UPDATE deliveries SET last_error = $1, claimed_until = NULL, due_at = COALESCE($2, due_at), \
             gave_up_at = CASE WHEN $2::timestamptz IS NULL THEN $3 END \
             WHERE channel = $4 AND notification_id = ANY($5)",
        )
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .bind(channel.as_str())
        .bind(notification_ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

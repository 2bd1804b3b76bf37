use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::PostgresStore;
use crate::push::StoredSubscription;
use crate::store::{PushStore, StoreResult};

const COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, device, created_at";

fn subscription(row: &PgRow) -> StoreResult<StoredSubscription> {
    Ok(StoredSubscription {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        endpoint: row.try_get("endpoint")?,
        p256dh: row.try_get("p256dh")?,
        auth: row.try_get("auth")?,
        device: row.try_get("device")?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait::async_trait]
impl PushStore for PostgresStore {
    async fn instance_secret(&self, name: &str, candidate: &str) -> StoreResult<String> {
        sqlx::query("INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(name)
            .bind(candidate)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn push_subscriptions(&self, user_id: Uuid) -> StoreResult<Vec<StoredSubscription>> {
        let found = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(subscription).collect()
    }

    async fn save_push_subscription(
        &self,
        s: &StoredSubscription,
        keep: usize,
    ) -> StoreResult<Option<StoredSubscription>> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO push_subscriptions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, \
             auth = excluded.auth, device = excluded.device, created_at = excluded.created_at \
             WHERE push_subscriptions.user_id = excluded.user_id \
             OR (push_subscriptions.p256dh = excluded.p256dh AND push_subscriptions.auth = excluded.auth) \
             RETURNING {COLUMNS}"
        ))
        .bind(s.id)
        .bind(s.user_id)
        .bind(&s.endpoint)
        .bind(&s.p256dh)
        .bind(&s.auth)
        .bind(&s.device)
        .bind(s.created_at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        sqlx::query(
            "DELETE FROM push_subscriptions WHERE user_id = $1 AND id NOT IN ( \
               SELECT id FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2)",
        )
        .bind(s.user_id)
        .bind(keep as i64)
        .execute(&mut *tx)
        .await?;
        let saved = subscription(&row)?;
        tx.commit().await?;
        Ok(Some(saved))
    }

    async fn delete_push_subscription(&self, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1 AND id = $2")
            .bind(user_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1").bind(endpoint).execute(&self.pool).await?;
        Ok(())
    }

    async fn users_with_push(&self, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        Ok(sqlx::query_scalar("SELECT DISTINCT user_id FROM push_subscriptions WHERE user_id = ANY($1)")
            .bind(ids)
            .fetch_all(&self.pool)
            .await?)
    }
}

use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::rows::uuid;
use super::SqliteStore;
use crate::push::StoredSubscription;
use crate::store::{PushStore, StoreResult};

const COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, device, created_at";

fn subscription(row: &SqliteRow) -> StoreResult<StoredSubscription> {
    Ok(StoredSubscription {
        id: uuid(row, "id")?,
        user_id: uuid(row, "user_id")?,
        endpoint: row.try_get("endpoint")?,
        p256dh: row.try_get("p256dh")?,
        auth: row.try_get("auth")?,
        device: row.try_get("device")?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait::async_trait]
impl PushStore for SqliteStore {
    async fn instance_secret(&self, name: &str, candidate: &str) -> StoreResult<String> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query("INSERT INTO instance_secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(name)
            .bind(candidate)
            .execute(&mut *tx)
            .await?;
        let value = sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = ?")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(value)
    }

    async fn push_subscriptions(&self, user_id: Uuid) -> StoreResult<Vec<StoredSubscription>> {
        let found = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM push_subscriptions WHERE user_id = ? ORDER BY created_at DESC, id DESC"
        ))
        .bind(user_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(subscription).collect()
    }

    async fn save_push_subscription(
        &self,
        s: &StoredSubscription,
        keep: usize,
    ) -> StoreResult<Option<StoredSubscription>> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO push_subscriptions ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, \
             auth = excluded.auth, device = excluded.device, created_at = excluded.created_at \
             WHERE push_subscriptions.user_id = excluded.user_id \
             OR (push_subscriptions.p256dh = excluded.p256dh AND push_subscriptions.auth = excluded.auth) \
             RETURNING {COLUMNS}"
        ))
        .bind(s.id.to_string())
        .bind(s.user_id.to_string())
        .bind(&s.endpoint)
        .bind(&s.p256dh)
        .bind(&s.auth)
        .bind(&s.device)
        .bind(s.created_at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        sqlx::query(
            "DELETE FROM push_subscriptions WHERE user_id = ? AND id NOT IN ( \
               SELECT id FROM push_subscriptions WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)",
        )
        .bind(s.user_id.to_string())
        .bind(s.user_id.to_string())
        .bind(keep as i64)
        .execute(&mut *tx)
        .await?;
        let saved = subscription(&row)?;
        tx.commit().await?;
        Ok(Some(saved))
    }

    async fn delete_push_subscription(&self, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let _guard = self.write_lock.lock().await;
        let done = sqlx::query("DELETE FROM push_subscriptions WHERE user_id = ? AND id = ?")
            .bind(user_id.to_string())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = ?").bind(endpoint).execute(&self.pool).await?;
        Ok(())
    }

    async fn users_with_push(&self, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let found: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT user_id FROM push_subscriptions WHERE user_id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::json!(ids).to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(found.iter().filter_map(|id| id.parse().ok()).collect())
    }
}

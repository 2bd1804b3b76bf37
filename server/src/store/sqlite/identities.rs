use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::rows;
use super::SqliteStore;
use crate::store::{
    unlink_decision, IdentityRecord, IdentityStore, NewIdentity, NewUser, OAuthFlow, StoreResult, Unlinked,
};
use app::domain::User;

#[async_trait::async_trait]
impl IdentityStore for SqliteStore {
    async fn insert_oauth_flow(&self, flow: &OAuthFlow, now: DateTime<Utc>) -> StoreResult<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query("DELETE FROM oauth_flows WHERE expires_at < ?").bind(now).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO oauth_flows (state_hash, browser_hash, provider, pkce_verifier, nonce, next, link_user_id, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&flow.state_hash)
        .bind(&flow.browser_hash)
        .bind(&flow.provider)
        .bind(&flow.pkce_verifier)
        .bind(&flow.nonce)
        .bind(&flow.next)
        .bind(flow.link_user_id.map(|id| id.to_string()))
        .bind(flow.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn take_oauth_flow(&self, state_hash: &[u8]) -> StoreResult<Option<OAuthFlow>> {
        let _guard = self.write_lock.lock().await;
        let row = sqlx::query(
            "DELETE FROM oauth_flows WHERE state_hash = ? \
             RETURNING state_hash, browser_hash, provider, pkce_verifier, nonce, next, link_user_id, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(OAuthFlow {
                state_hash: r.try_get("state_hash")?,
                browser_hash: r.try_get("browser_hash")?,
                provider: r.try_get("provider")?,
                pkce_verifier: r.try_get("pkce_verifier")?,
                nonce: r.try_get("nonce")?,
                next: r.try_get("next")?,
                link_user_id: rows::opt_uuid(&r, "link_user_id")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    async fn identity_owner(&self, issuer: &str, subject: &str) -> StoreResult<Option<Uuid>> {
        let row = sqlx::query("SELECT user_id FROM identities WHERE issuer = ? AND subject = ?")
            .bind(issuer)
            .bind(subject)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| rows::uuid(&r, "user_id")).transpose()
    }

    async fn insert_identity(&self, identity: NewIdentity) -> StoreResult<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        insert_identity(&mut tx, &identity).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_user_with_identity(&self, user: NewUser, identity: NewIdentity) -> StoreResult<User> {
        let (_guard, mut tx) = self.begin_write().await?;
        let user = super::users::insert_user(&mut tx, &user).await?;
        insert_identity(&mut tx, &identity).await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn identities(&self, user_id: Uuid) -> StoreResult<Vec<IdentityRecord>> {
        let rows = sqlx::query(
            "SELECT id, provider, issuer, subject, email, created_at FROM identities \
             WHERE user_id = ? ORDER BY created_at, id",
        )
        .bind(user_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(identity).collect()
    }

    async fn unlink_identity(
        &self,
        user_id: Uuid,
        id: Uuid,
        password_usable: bool,
        usable_providers: &[String],
    ) -> StoreResult<Unlinked> {
        // One writer at a time: the check and the delete see the same identities.
        let (_guard, mut tx) = self.begin_write().await?;
        let rows = sqlx::query("SELECT id, provider FROM identities WHERE user_id = ?")
            .bind(user_id.to_string())
            .fetch_all(&mut *tx)
            .await?;
        let identities =
            rows.iter().map(|r| Ok((rows::uuid(r, "id")?, r.try_get("provider")?))).collect::<StoreResult<Vec<_>>>()?;
        let decision = unlink_decision(&identities, id, password_usable, usable_providers);
        if decision == Unlinked::Done {
            sqlx::query("DELETE FROM identities WHERE id = ? AND user_id = ?")
                .bind(id.to_string())
                .bind(user_id.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(decision)
    }

    async fn has_password(&self, user_id: Uuid) -> StoreResult<bool> {
        let found: Option<bool> = sqlx::query_scalar("SELECT password_hash <> '' FROM users WHERE id = ?")
            .bind(user_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.unwrap_or(false))
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM instance_settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        sqlx::query(
            "INSERT INTO instance_settings (key, value) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

async fn insert_identity(conn: &mut sqlx::SqliteConnection, identity: &NewIdentity) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO identities (id, user_id, provider, issuer, subject, email, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(identity.id.to_string())
    .bind(identity.user_id.to_string())
    .bind(&identity.provider)
    .bind(&identity.issuer)
    .bind(&identity.subject)
    .bind(&identity.email)
    .bind(identity.now)
    .execute(conn)
    .await?;
    Ok(())
}

fn identity(row: &SqliteRow) -> StoreResult<IdentityRecord> {
    Ok(IdentityRecord {
        id: rows::uuid(row, "id")?,
        provider: row.try_get("provider")?,
        issuer: row.try_get("issuer")?,
        subject: row.try_get("subject")?,
        email: row.try_get("email")?,
        created_at: row.try_get("created_at")?,
    })
}

use app::domain::User;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::rows::{self, USER_COLUMNS};
use super::PostgresStore;
use crate::store::{NewSession, NewUser, StoreError, StoreResult, UserStore};

#[async_trait::async_trait]
impl UserStore for PostgresStore {
    async fn insert_user(&self, user: NewUser) -> StoreResult<User> {
        let mut tx = self.pool.begin().await?;
        // Two first sign-ups at once on two instances must not both become admin.
        sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        let row = sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, is_admin, created_at, updated_at) \
             SELECT $1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM users), $5, $5 \
             RETURNING id, email, name, is_admin, created_at, timezone",
        )
        .bind(user.id)
        .bind(&user.email)
        .bind(&user.name)
        .bind(&user.password_hash)
        .bind(user.now)
        .fetch_one(&mut *tx)
        .await?;
        let user = rows::user(&row)?;
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((rows::user(&r)?, r.try_get("password_hash")?))).transpose()
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn set_admin(&self, id: Uuid, is_admin: bool) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET is_admin = $1 WHERE id = $2")
            .bind(is_admin)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn update_user(
        &self,
        id: Uuid,
        name: Option<&str>,
        timezone: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        let row = sqlx::query(
            "UPDATE users SET name = COALESCE($1, name), timezone = COALESCE($2, timezone), updated_at = $3 \
             WHERE id = $4 RETURNING id, email, name, is_admin, created_at, timezone",
        )
        .bind(name)
        .bind(timezone)
        .bind(now)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        rows::user(&row)
    }

    async fn insert_session(&self, session: NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(session.kind.as_str())
        .bind(session.now)
        .bind(session.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}

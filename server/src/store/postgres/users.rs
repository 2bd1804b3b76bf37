use app::domain::{MePatch, NotificationPrefs, User};
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::rows::{self, SESSION_COLUMNS, USER_COLUMNS};
use super::PostgresStore;
use crate::store::{found, leads_columns, NewSession, NewUser, SessionRecord, StoreError, StoreResult, UserStore};

#[async_trait::async_trait]
impl UserStore for PostgresStore {
    async fn insert_user(&self, user: NewUser) -> StoreResult<User> {
        let mut tx = self.pool.begin().await?;
        let user = insert_user(&mut tx, &user).await?;
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

    async fn users_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<User>> {
        let found = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ANY($1)"))
            .bind(ids)
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(rows::user).collect()
    }

    async fn set_admin(&self, id: Uuid, is_admin: bool) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET is_admin = $1 WHERE id = $2")
            .bind(is_admin)
            .bind(id)
            .execute(&self.pool)
            .await?;
        found(done.rows_affected())
    }

    async fn update_user(&self, id: Uuid, patch: &MePatch, now: DateTime<Utc>) -> StoreResult<User> {
        let leads = patch.leads().map(|l| leads_columns(&l));
        let mut tx = self.pool.begin().await?;
        // Merged under the row's lock, so that two changes at once both count.
        let prefs = match &patch.notifications {
            Some(change) => {
                let stored: Option<String> =
                    sqlx::query_scalar("SELECT notification_prefs FROM users WHERE id = $1 FOR UPDATE")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let stored = stored.ok_or(StoreError::NotFound)?;
                Some(NotificationPrefs::from_stored(&stored).patched(change).to_stored())
            }
            None => None,
        };
        let row = sqlx::query(
            "UPDATE users SET name = COALESCE($1, name), timezone = COALESCE($2, timezone), \
             reminder_lead_minutes = COALESCE($3, reminder_lead_minutes), \
             reminder_leads = CASE WHEN $7 THEN $8 ELSE reminder_leads END, \
             notification_prefs = COALESCE($4, notification_prefs), updated_at = $5 \
             WHERE id = $6 RETURNING id, email, name, is_admin, created_at, timezone, avatar_url, reminder_lead_minutes, \
             reminder_leads, notification_prefs",
        )
        .bind(patch.name.as_deref())
        .bind(patch.timezone.as_deref())
        .bind(leads.as_ref().map(|(_, shortest)| i32::try_from(*shortest).unwrap_or(i32::MAX)))
        .bind(prefs)
        .bind(now)
        .bind(id)
        .bind(leads.is_some())
        .bind(leads.as_ref().map(|(list, _)| list.clone()))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let user = rows::user(&row)?;
        tx.commit().await?;
        Ok(user)
    }

    async fn set_password(&self, id: Uuid, password_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        found(done.rows_affected())
    }

    async fn set_disabled(&self, id: Uuid, at: Option<DateTime<Utc>>) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        found(done.rows_affected())
    }

    async fn is_disabled(&self, id: Uuid) -> StoreResult<bool> {
        let row = sqlx::query("SELECT disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("disabled")?)
    }

    async fn list_accounts(&self) -> StoreResult<Vec<(User, bool)>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, u.disabled_at IS NOT NULL AS disabled FROM users u ORDER BY u.created_at, u.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((rows::user(r)?, r.try_get("disabled")?))).collect()
    }

    async fn insert_session(&self, session: NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, user_id, kind, personal, name, scope, created_at, last_seen_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
        )
        .bind(session.id)
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(session.kind.as_str())
        .bind(session.personal)
        .bind(&session.name)
        .bind(session.scope.as_str())
        .bind(session.now)
        .bind(session.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<(User, SessionRecord)>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, {SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((rows::user(&r)?, rows::session(&r)?))).transpose()
    }

    async fn touch_session(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn user_sessions(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<Vec<SessionRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.user_id = $1 AND s.expires_at > $2 \
             ORDER BY s.created_at DESC, s.id"
        ))
        .bind(user_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::session).collect()
    }

    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn delete_user_session(&self, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id = $2")
            .bind(user_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_user_sessions(&self, user_id: Uuid, keep: Option<Uuid>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2")
            .bind(user_id)
            .bind(keep)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}

/// Inserts an account; the first of an instance becomes its admin.
pub(super) async fn insert_user(conn: &mut sqlx::PgConnection, user: &NewUser) -> StoreResult<User> {
    // Two first sign-ups at once on two instances must not both become admin.
    sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(&mut *conn).await?;
    let row = sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, avatar_url, is_admin, created_at, updated_at) \
         SELECT $1, $2, $3, $4, $5, NOT EXISTS (SELECT 1 FROM users), $6, $6 \
         RETURNING id, email, name, is_admin, created_at, timezone, avatar_url, reminder_lead_minutes, \
             reminder_leads, notification_prefs",
    )
    .bind(user.id)
    .bind(&user.email)
    .bind(&user.name)
    .bind(&user.password_hash)
    .bind(&user.avatar_url)
    .bind(user.now)
    .fetch_one(conn)
    .await?;
    rows::user(&row)
}

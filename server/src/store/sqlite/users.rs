use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::rows::{self, SESSION_COLUMNS, USER_COLUMNS};
use super::SqliteStore;
use crate::store::{found, leads_columns, NewSession, NewUser, SessionRecord, StoreError, StoreResult, UserStore};
use app::domain::{MePatch, NotificationPrefs, User};

#[async_trait::async_trait]
impl UserStore for SqliteStore {
    async fn insert_user(&self, user: NewUser) -> StoreResult<User> {
        let (_guard, mut tx) = self.begin_write().await?;
        let user = insert_user(&mut tx, &user).await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = ?"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((rows::user(&r)?, r.try_get("password_hash")?))).transpose()
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn users_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<User>> {
        let ids = serde_json::to_string(&ids).map_err(|e| StoreError::Other(e.into()))?;
        let found =
            sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id IN (SELECT value FROM json_each(?))"))
                .bind(ids)
                .fetch_all(&self.pool)
                .await?;
        found.iter().map(rows::user).collect()
    }

    async fn set_admin(&self, id: Uuid, is_admin: bool) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        let done = sqlx::query("UPDATE users SET is_admin = ? WHERE id = ?")
            .bind(is_admin)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        found(done.rows_affected())
    }

    async fn update_user(&self, id: Uuid, patch: &MePatch, now: DateTime<Utc>) -> StoreResult<User> {
        let leads = patch.leads().map(|l| leads_columns(&l));
        let (_guard, mut tx) = self.begin_write().await?;
        // Merged inside the write, so that two changes at once both count.
        let prefs = match &patch.notifications {
            Some(change) => {
                let stored: Option<String> = sqlx::query_scalar("SELECT notification_prefs FROM users WHERE id = ?")
                    .bind(id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                let stored = stored.ok_or(StoreError::NotFound)?;
                Some(NotificationPrefs::from_stored(&stored).patched(change).to_stored())
            }
            None => None,
        };
        let row = sqlx::query(
            "UPDATE users SET name = COALESCE(?, name), timezone = COALESCE(?, timezone), \
             reminder_lead_minutes = COALESCE(?, reminder_lead_minutes), \
             reminder_leads = CASE WHEN ? THEN ? ELSE reminder_leads END, \
             notification_prefs = COALESCE(?, notification_prefs), updated_at = ? \
             WHERE id = ? RETURNING id, email, name, is_admin, created_at, timezone, avatar_url, reminder_lead_minutes, \
             reminder_leads, notification_prefs",
        )
        .bind(patch.name.as_deref())
        .bind(patch.timezone.as_deref())
        .bind(leads.as_ref().map(|(_, shortest)| *shortest))
        .bind(leads.is_some())
        .bind(leads.as_ref().map(|(list, _)| list.clone()))
        .bind(prefs)
        .bind(now)
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let user = rows::user(&row)?;
        tx.commit().await?;
        Ok(user)
    }

    async fn set_password(&self, id: Uuid, password_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        let done = sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
            .bind(password_hash)
            .bind(now)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        found(done.rows_affected())
    }

    async fn set_disabled(&self, id: Uuid, at: Option<DateTime<Utc>>) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        let done = sqlx::query("UPDATE users SET disabled_at = ? WHERE id = ?")
            .bind(at)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        found(done.rows_affected())
    }

    async fn is_disabled(&self, id: Uuid) -> StoreResult<bool> {
        let row = sqlx::query("SELECT disabled_at IS NOT NULL AS disabled FROM users WHERE id = ?")
            .bind(id.to_string())
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
        let _guard = self.write_lock.lock().await;
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, user_id, kind, personal, name, scope, created_at, last_seen_at, \
             expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(session.id.to_string())
        .bind(&session.token_hash)
        .bind(session.user_id.to_string())
        .bind(session.kind.as_str())
        .bind(session.personal)
        .bind(&session.name)
        .bind(session.scope.as_str())
        .bind(session.now)
        .bind(session.now)
        .bind(session.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<(User, SessionRecord)>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, {SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((rows::user(&r)?, rows::session(&r)?))).transpose()
    }

    async fn touch_session(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn user_sessions(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<Vec<SessionRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.user_id = ? AND s.expires_at > ? \
             ORDER BY s.created_at DESC, s.id"
        ))
        .bind(user_id.to_string())
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::session).collect()
    }

    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn delete_user_session(&self, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let _guard = self.write_lock.lock().await;
        // Rows made before ids were uuids hold them as 32 hex digits.
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = ? AND id IN (?, ?)")
            .bind(user_id.to_string())
            .bind(id.to_string())
            .bind(id.simple().to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_user_sessions(&self, user_id: Uuid, keep: Option<Uuid>) -> StoreResult<u64> {
        let _guard = self.write_lock.lock().await;
        let keep = keep.map(|id| (id.to_string(), id.simple().to_string()));
        let (keep, keep_simple) = keep.unzip();
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = ? AND id IS NOT ? AND id IS NOT ?")
            .bind(user_id.to_string())
            .bind(keep)
            .bind(keep_simple)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let _guard = self.write_lock.lock().await;
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?").bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}

/// Inserts an account; the first of an instance becomes its admin.
pub(super) async fn insert_user(conn: &mut sqlx::SqliteConnection, user: &NewUser) -> StoreResult<User> {
    let row = sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, avatar_url, is_admin, created_at, updated_at) \
         SELECT ?, ?, ?, ?, ?, NOT EXISTS (SELECT 1 FROM users), ?, ? \
         RETURNING id, email, name, is_admin, created_at, timezone, avatar_url, reminder_lead_minutes, \
             reminder_leads, notification_prefs",
    )
    .bind(user.id.to_string())
    .bind(&user.email)
    .bind(&user.name)
    .bind(&user.password_hash)
    .bind(&user.avatar_url)
    .bind(user.now)
    .bind(user.now)
    .fetch_one(conn)
    .await?;
    rows::user(&row)
}

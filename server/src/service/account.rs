//! A user's own access (signed-in browsers, personal tokens, password) and an instance
//! admin's view of every account. Every revocation also reaches open sockets at once.

use app::domain::{
    AccessInfo, AccessKind, AccountInfo, AccountPatch, AppError, CreatedToken, NewToken, PasswordChange, TokenScope,
    User,
};
use chrono::TimeDelta;
use uuid::Uuid;

use super::auth::{hashing_failed, Grant, SignedIn};
use super::Service;
use crate::store::{SessionKind, SessionRecord};

impl Service {
    /// The caller's signed-in browsers and tokens.
    pub async fn list_access(&self, me: &SignedIn) -> Result<Vec<AccessInfo>, AppError> {
        let sessions = self.store.user_sessions(me.user.id, self.clock.now()).await?;
        Ok(sessions.iter().map(|s| access_info(s, s.id == me.session.id)).collect())
    }

    /// Signs one browser out or revokes one token of the caller's.
    #[tracing::instrument(skip_all, fields(user = %me.user.id))]
    pub async fn revoke_access(&self, me: &SignedIn, id: Uuid) -> Result<(), AppError> {
        if !self.store.delete_user_session(me.user.id, id).await? {
            return Err(AppError::not_found("session"));
        }
        self.hub.access_revoked(me.user.id);
        Ok(())
    }

    /// Signs out every other browser and revokes every token but the one asking.
    #[tracing::instrument(skip_all, fields(user = %me.user.id))]
    pub async fn revoke_other_access(&self, me: &SignedIn) -> Result<u64, AppError> {
        let removed = self.store.delete_user_sessions(me.user.id, Some(me.session.id)).await?;
        self.hub.access_revoked(me.user.id);
        Ok(removed)
    }

    /// A personal API token; its secret is in the answer and nowhere else.
    #[tracing::instrument(skip_all, fields(user = %me.user.id))]
    pub async fn create_token(&self, me: &SignedIn, input: NewToken) -> Result<CreatedToken, AppError> {
        let input = input.normalized()?;
        let days = input.expires_in_days.unwrap_or(app::domain::DEFAULT_TOKEN_DAYS);
        let grant = Grant {
            kind: SessionKind::Api,
            personal: true,
            name: Some(input.name),
            scope: input.scope,
            lifetime: TimeDelta::days(days),
        };
        let (issued, record) = self.issue(&me.user, grant).await?;
        Ok(CreatedToken { token: issued.token, info: access_info(&record, false) })
    }

    /// Changes the password after checking the current one; every other session and
    /// token of the account ends.
    #[tracing::instrument(skip_all, fields(user = %me.user.id))]
    pub async fn change_password(&self, me: &SignedIn, input: PasswordChange) -> Result<(), AppError> {
        input.validate()?;
        // Guessing the current password with a stolen session is limited like sign-in.
        let limit = self.config.sign_in_limits.per_account_and_ip;
        let account = me.user.email.clone();
        self.limiter.hit(limit, &account).await.map_err(|wait| AppError::rate_limited(wait.secs()))?;
        let hash = self.store.user_by_email(&me.user.email).await?.map(|(_, hash)| hash);
        let ok = self.passwords.verify(input.current_password, hash).await.map_err(hashing_failed)?;
        if !ok {
            return Err(AppError::invalid("current_password", "is not your current password"));
        }
        self.limiter.clear(limit, &account).await;
        let new_hash = self.passwords.hash(input.new_password).await.map_err(hashing_failed)?;
        self.store.set_password(me.user.id, &new_hash, self.clock.now()).await?;
        self.store.delete_user_sessions(me.user.id, Some(me.session.id)).await?;
        self.hub.access_revoked(me.user.id);
        Ok(())
    }

    /// Every account on the instance; for instance admins.
    pub async fn list_accounts(&self, actor: &User) -> Result<Vec<AccountInfo>, AppError> {
        require_admin(actor)?;
        let accounts = self.store.list_accounts().await?;
        Ok(accounts.into_iter().map(|(user, disabled)| AccountInfo { user, disabled }).collect())
    }

    /// Promotes, demotes, disables or enables an account. A disabled account's sessions
    /// and tokens end at once. Admins cannot demote or disable themselves, so the one
    /// acting always remains: the instance is never left without an admin.
    #[tracing::instrument(skip_all, fields(user = %actor.id, account = %id))]
    pub async fn update_account(&self, actor: &User, id: Uuid, patch: AccountPatch) -> Result<AccountInfo, AppError> {
        require_admin(actor)?;
        let accounts = self.store.list_accounts().await?;
        let Some((target, disabled)) = accounts.iter().find(|(user, _)| user.id == id).cloned() else {
            return Err(AppError::not_found("account"));
        };
        let will_be_admin = patch.is_admin.unwrap_or(target.is_admin);
        let will_be_disabled = patch.disabled.unwrap_or(disabled);
        if id == actor.id && (will_be_disabled || !will_be_admin) {
            return Err(AppError::forbidden("you cannot disable or demote yourself; ask another admin to do it"));
        }
        if will_be_admin != target.is_admin {
            self.store.set_admin(id, will_be_admin).await?;
        }
        if will_be_disabled != disabled {
            let at = will_be_disabled.then(|| self.clock.now());
            self.store.set_disabled(id, at).await?;
            if will_be_disabled {
                self.store.delete_user_sessions(id, None).await?;
                self.hub.access_revoked(id);
            }
        }
        Ok(AccountInfo { user: User { is_admin: will_be_admin, ..target }, disabled: will_be_disabled })
    }
}

fn require_admin(actor: &User) -> Result<(), AppError> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(AppError::forbidden("only instance admins manage accounts"))
    }
}

fn access_info(record: &SessionRecord, current: bool) -> AccessInfo {
    let kind = match (record.kind, record.personal) {
        (SessionKind::Browser, _) => AccessKind::Browser,
        (SessionKind::Api, true) => AccessKind::Personal,
        (SessionKind::Api, false) => AccessKind::Api,
    };
    AccessInfo {
        id: record.id,
        kind,
        name: record.name.clone(),
        scope: if kind == AccessKind::Browser { TokenScope::ReadWrite } else { record.scope },
        created_at: record.created_at,
        last_seen_at: record.last_seen_at,
        expires_at: record.expires_at,
        current,
    }
}

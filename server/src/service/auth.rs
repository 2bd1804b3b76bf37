use app::backend::IssuedToken;
use app::domain::{normalize_email, AppError, Credentials, ErrorCode, MePatch, Registration, User, TIMEZONE_MESSAGE};
use chrono::TimeDelta;
use uuid::Uuid;

use super::Service;
use crate::auth::{cookie, token};
use crate::store::{NewSession, NewUser, SessionKind};

impl Service {
    #[tracing::instrument(skip_all)]
    pub async fn register(&self, input: Registration) -> Result<User, AppError> {
        let input = input.normalized()?;
        let password_hash = self.passwords.hash(input.password).await.map_err(internal)?;
        let user =
            NewUser { id: Uuid::now_v7(), email: input.email, name: input.name, password_hash, now: self.clock.now() };
        Ok(self.store.insert_user(user).await?)
    }

    /// An instance admin account, for the `create-admin` command.
    pub async fn create_admin(&self, input: Registration) -> Result<User, AppError> {
        let user = self.register(input).await?;
        self.store.set_admin(user.id, true).await?;
        Ok(User { is_admin: true, ..user })
    }

    /// Checks credentials; unknown email and wrong password answer alike, in similar time.
    async fn check_credentials(&self, input: Credentials) -> Result<User, AppError> {
        let found = self.store.user_by_email(&normalize_email(&input.email)).await?;
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), Some(hash)),
            None => (None, None),
        };
        let ok = self.passwords.verify(input.password, hash).await.map_err(internal)?;
        match user {
            Some(user) if ok => Ok(user),
            _ => Err(AppError::new(ErrorCode::InvalidCredentials, "wrong email or password")),
        }
    }

    async fn issue(&self, user: &User, kind: SessionKind, days: i64) -> Result<IssuedToken, AppError> {
        let secret = token::generate();
        let now = self.clock.now();
        let lifetime = TimeDelta::days(days);
        self.store
            .insert_session(NewSession {
                token_hash: token::hash(&secret),
                user_id: user.id,
                kind,
                now,
                expires_at: now + lifetime,
            })
            .await?;
        Ok(IssuedToken { token: secret, expires_in_secs: lifetime.num_seconds() })
    }

    #[tracing::instrument(skip_all)]
    pub async fn sign_in(&self, input: Credentials) -> Result<(User, IssuedToken), AppError> {
        let user = self.check_credentials(input).await?;
        let session = self.issue(&user, SessionKind::Browser, self.config.session_days).await?;
        Ok((user, session))
    }

    /// The OAuth2 password grant of the REST API.
    #[tracing::instrument(skip_all)]
    pub async fn issue_api_token(&self, input: Credentials) -> Result<IssuedToken, AppError> {
        let user = self.check_credentials(input).await?;
        self.issue(&user, SessionKind::Api, self.config.token_days).await
    }

    pub async fn current_user(&self, headers: &http::HeaderMap) -> Result<Option<User>, AppError> {
        let Some(secret) = token::from_headers(headers) else {
            return Ok(None);
        };
        Ok(self.store.session_user(&token::hash(&secret), self.clock.now()).await?)
    }

    pub async fn sign_out(&self, headers: &http::HeaderMap) -> Result<(), AppError> {
        if let Some(secret) = token::from_headers(headers) {
            self.store.delete_session(&token::hash(&secret)).await?;
        }
        Ok(())
    }

    pub fn session_cookie(&self, session: Option<&IssuedToken>) -> String {
        match session {
            Some(s) => cookie::set(&s.token, s.expires_in_secs, self.config.secure_cookies),
            None => cookie::clear(self.config.secure_cookies),
        }
    }

    #[tracing::instrument(skip_all, fields(user = %actor.id))]
    pub async fn update_me(&self, actor: &User, patch: MePatch) -> Result<User, AppError> {
        let patch = patch.normalized()?;
        if let Some(name) = &patch.timezone {
            if name.parse::<chrono_tz::Tz>().is_err() {
                return Err(AppError::invalid("timezone", TIMEZONE_MESSAGE));
            }
        }
        Ok(self.store.update_user(actor.id, patch.name.as_deref(), patch.timezone.as_deref(), self.clock.now()).await?)
    }

    /// Removes expired sessions and tokens; run periodically.
    pub async fn purge_expired_sessions(&self) -> Result<u64, AppError> {
        Ok(self.store.delete_expired_sessions(self.clock.now()).await?)
    }
}

fn internal(e: anyhow::Error) -> AppError {
    tracing::error!(error = ?e, "password hashing failed");
    AppError::internal()
}

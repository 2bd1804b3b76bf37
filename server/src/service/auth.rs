use app::backend::IssuedToken;
use app::domain::{normalize_email, AppError, Credentials, ErrorCode, MePatch, Registration, User, TIMEZONE_MESSAGE};
use chrono::TimeDelta;
use uuid::Uuid;

use super::Service;
use crate::auth::{cookie, token};
use crate::security::client_ip::ClientIp;
use crate::security::rate_limit::RetryAfter;
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
    ///
    /// Every attempt counts against the client's address and the account before the
    /// password is looked at, so guesses sent in parallel cannot slip past the limits;
    /// a success takes its count back and clears the account's failures.
    async fn check_credentials(&self, input: Credentials, request: &http::request::Parts) -> Result<User, AppError> {
        let limits = self.config.sign_in_limits;
        let ip = client_ip(request).to_string();
        let account = normalize_email(&input.email);
        self.limiter.hit(limits.per_ip, &ip).await.map_err(too_many)?;
        self.limiter.hit(limits.per_account, &account).await.map_err(too_many)?;
        let found = self.store.user_by_email(&account).await?;
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), Some(hash)),
            None => (None, None),
        };
        let ok = self.passwords.verify(input.password, hash).await.map_err(internal)?;
        match user {
            Some(user) if ok => {
                self.limiter.forgive(limits.per_ip, &ip).await;
                self.limiter.clear(limits.per_account, &account).await;
                Ok(user)
            }
            _ => {
                tracing::info!(%ip, "sign-in refused: wrong email or password");
                Err(AppError::new(ErrorCode::InvalidCredentials, "wrong email or password"))
            }
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

    /// A new browser session; the one the browser held before (if any) ends, so a
    /// session id planted in the browser beforehand is worth nothing after sign-in.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(
        &self,
        input: Credentials,
        request: &http::request::Parts,
    ) -> Result<(User, IssuedToken), AppError> {
        let user = self.check_credentials(input, request).await?;
        if let Some(previous) = cookie::session_from_headers(&request.headers) {
            self.store.delete_session(&token::hash(&previous)).await?;
        }
        let session = self.issue(&user, SessionKind::Browser, self.config.session_days).await?;
        Ok((user, session))
    }

    /// The OAuth2 password grant of the REST API.
    #[tracing::instrument(skip_all)]
    pub async fn issue_api_token(
        &self,
        input: Credentials,
        request: &http::request::Parts,
    ) -> Result<IssuedToken, AppError> {
        let user = self.check_credentials(input, request).await?;
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

fn client_ip(request: &http::request::Parts) -> std::net::IpAddr {
    request.extensions.get::<ClientIp>().map_or(std::net::IpAddr::from([0, 0, 0, 0]), |ip| ip.0)
}

fn too_many(wait: RetryAfter) -> AppError {
    AppError::rate_limited(wait.secs())
}

fn internal(e: anyhow::Error) -> AppError {
    tracing::error!(error = ?e, "password hashing failed");
    AppError::internal()
}

use app::backend::IssuedToken;
use app::domain::{
    normalize_email, AppError, Credentials, ErrorCode, MePatch, Registration, TokenScope, User, TIMEZONE_MESSAGE,
};
use chrono::TimeDelta;
use uuid::Uuid;

use super::Service;
use crate::auth::{cookie, token};
use crate::security::client_ip::ClientIp;
use crate::security::rate_limit::RetryAfter;
use crate::store::{NewSession, NewUser, SessionKind, SessionRecord};

impl Service {
    #[tracing::instrument(skip_all)]
    pub async fn register(&self, input: Registration) -> Result<User, AppError> {
        self.require_password_sign_in().await?;
        self.create_password_account(input).await
    }

    async fn create_password_account(&self, input: Registration) -> Result<User, AppError> {
        let input = input.normalized()?;
        let password_hash = self.passwords.hash(input.password).await.map_err(hashing_failed)?;
        let user = NewUser {
            id: Uuid::now_v7(),
            email: input.email,
            name: input.name,
            password_hash,
            avatar_url: None,
            now: self.clock.now(),
        };
        Ok(self.store.insert_user(user).await?)
    }

    /// An instance admin account, for the `create-admin` command; works even with
    /// password sign-in turned off (the operator's way back in).
    pub async fn create_admin(&self, input: Registration) -> Result<User, AppError> {
        let user = self.create_password_account(input).await?;
        self.store.set_admin(user.id, true).await?;
        Ok(User { is_admin: true, ..user })
    }

    /// Checks credentials; unknown email and wrong password answer alike, in similar time.
    ///
    /// Every attempt counts before the password is looked at (so guesses sent in
    /// parallel cannot slip past the limits) against the client's address, the account
    /// from that address, and the account from everywhere (a far higher limit, against
    /// guessing spread over many addresses). An attacker from one address thus cannot
    /// lock the owner out from theirs. A success takes its counts back.
    async fn check_credentials(&self, input: Credentials, request: &http::request::Parts) -> Result<User, AppError> {
        self.require_password_sign_in().await?;
        let limits = self.config.sign_in_limits;
        let ip = limit_key(client_ip(request));
        let account = normalize_email(&input.email);
        let account_here = format!("{account}|{ip}");
        self.limiter.hit(limits.per_ip, &ip).await.map_err(too_many)?;
        self.limiter.hit(limits.per_account_and_ip, &account_here).await.map_err(too_many)?;
        self.limiter.hit(limits.per_account, &account).await.map_err(too_many)?;
        let found = self.store.user_by_email(&account).await?;
        let (user, hash) = match found {
            // An account made through a provider has no password ('').
            Some((user, hash)) if hash.is_empty() => (Some(user), None),
            Some((user, hash)) => (Some(user), Some(hash)),
            None => (None, None),
        };
        let ok = self.passwords.verify(input.password, hash).await.map_err(hashing_failed)?;
        match user {
            Some(user) if ok => {
                self.limiter.forgive(limits.per_ip, &ip).await;
                self.limiter.clear(limits.per_account_and_ip, &account_here).await;
                self.limiter.forgive(limits.per_account, &account).await;
                if self.store.is_disabled(user.id).await? {
                    return Err(AppError::forbidden("this account is disabled; ask an admin of this instance"));
                }
                Ok(user)
            }
            _ => {
                tracing::info!(%ip, "sign-in refused: wrong email or password");
                Err(AppError::new(ErrorCode::InvalidCredentials, "wrong email or password"))
            }
        }
    }

    /// Stores a new session or token for `user` and returns its secret, the only time
    /// it exists in the clear.
    pub(super) async fn issue(&self, user: &User, grant: Grant) -> Result<(IssuedToken, SessionRecord), AppError> {
        let secret = token::generate();
        let now = self.clock.now();
        let record = SessionRecord {
            id: Uuid::now_v7(),
            kind: grant.kind,
            personal: grant.personal,
            name: grant.name,
            scope: grant.scope,
            created_at: now,
            last_seen_at: now,
            expires_at: now + grant.lifetime,
        };
        self.store
            .insert_session(NewSession {
                id: record.id,
                token_hash: token::hash(&secret),
                user_id: user.id,
                kind: record.kind,
                personal: record.personal,
                name: record.name.clone(),
                scope: record.scope,
                now,
                expires_at: record.expires_at,
            })
            .await?;
        Ok((IssuedToken { token: secret, expires_in_secs: grant.lifetime.num_seconds() }, record))
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
        let session = self.start_browser_session(&user, request).await?;
        Ok((user, session))
    }

    /// A new browser session for `user`; the one the browser held before (if any) ends,
    /// so a session id planted in the browser beforehand is worth nothing after sign-in.
    pub(super) async fn start_browser_session(
        &self,
        user: &User,
        request: &http::request::Parts,
    ) -> Result<IssuedToken, AppError> {
        if let Some(previous) = cookie::session_from_headers(&request.headers, self.config.secure_cookies) {
            let previous = token::hash(&previous);
            let owner = self.store.session_user(&previous, self.clock.now()).await?;
            self.store.delete_session(&previous).await?;
            // Someone else's tabs in this browser (a shared computer) stop hearing their data.
            if let Some((owner, _)) = owner {
                self.hub.access_revoked(owner.id);
            }
        }
        let device = request.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok());
        let grant = Grant {
            kind: SessionKind::Browser,
            personal: false,
            name: Some(describe_device(device.unwrap_or_default())),
            scope: TokenScope::ReadWrite,
            lifetime: TimeDelta::days(self.config.session_days),
        };
        Ok(self.issue(user, grant).await?.0)
    }

    /// The OAuth2 password grant of the REST API.
    #[tracing::instrument(skip_all)]
    pub async fn issue_api_token(
        &self,
        input: Credentials,
        request: &http::request::Parts,
    ) -> Result<IssuedToken, AppError> {
        let user = self.check_credentials(input, request).await?;
        let grant = Grant {
            kind: SessionKind::Api,
            personal: false,
            name: None,
            scope: TokenScope::ReadWrite,
            lifetime: TimeDelta::days(self.config.token_days),
        };
        Ok(self.issue(&user, grant).await?.0)
    }

    /// Who a request is from, by the session cookie or bearer token it carries. A
    /// read-only token used for a `method` that changes things is refused; a browser
    /// session unused for longer than the idle lifetime has ended.
    pub async fn authenticate(&self, headers: &http::HeaderMap, method: &str) -> Result<Option<SignedIn>, AppError> {
        let Some(secret) = token::from_headers(headers, self.config.secure_cookies) else {
            return Ok(None);
        };
        let token_hash = token::hash(&secret);
        let now = self.clock.now();
        let Some((user, session)) = self.store.session_user(&token_hash, now).await? else {
            return Ok(None);
        };
        if self.idle(&session) {
            self.store.delete_session(&token_hash).await?;
            return Ok(None);
        }
        if !session.scope.allows(method) {
            return Err(AppError::forbidden("this token may only read"));
        }
        if now - session.last_seen_at > LAST_SEEN_PRECISION {
            if let Err(error) = self.store.touch_session(&token_hash, now).await {
                tracing::warn!(%error, "could not note when the session was last used");
            }
        }
        Ok(Some(SignedIn { user, session, token_hash }))
    }

    /// The user behind the request, for the browser's door (server functions and pages),
    /// which needs a session that may change things.
    pub async fn current_user(&self, headers: &http::HeaderMap) -> Result<Option<User>, AppError> {
        Ok(self.authenticate(headers, "POST").await?.map(|signed_in| signed_in.user))
    }

    /// Whether the session or token with this hash still lets its user in.
    pub async fn session_holds(&self, token_hash: &[u8]) -> Result<bool, AppError> {
        let found = self.store.session_user(token_hash, self.clock.now()).await?;
        Ok(found.is_some_and(|(_, session)| !self.idle(&session)))
    }

    /// A browser session unused for longer than the idle lifetime has ended.
    fn idle(&self, session: &SessionRecord) -> bool {
        session.kind == SessionKind::Browser && self.clock.now() - session.last_seen_at > self.config.session_idle
    }

    /// Ends the session or revokes the token the request carried, everywhere at once:
    /// sockets opened with it are closed too.
    pub async fn sign_out(&self, headers: &http::HeaderMap) -> Result<(), AppError> {
        // A read-only token cannot sign out (it changes nothing, revoking included).
        if let Some(signed_in) = self.authenticate(headers, "POST").await? {
            self.store.delete_session(&signed_in.token_hash).await?;
            self.hub.access_revoked(signed_in.user.id);
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
        Ok(self.store.update_user(actor.id, &patch, self.clock.now()).await?)
    }

    /// Removes expired sessions and tokens; run periodically.
    pub async fn purge_expired_sessions(&self) -> Result<u64, AppError> {
        Ok(self.store.delete_expired_sessions(self.clock.now()).await?)
    }
}

/// How precisely "last seen" is kept: a session is written to at most this often.
const LAST_SEEN_PRECISION: TimeDelta = TimeDelta::minutes(1);

/// Who a request is from: the user, and the session or token it carried.
pub struct SignedIn {
    pub user: User,
    pub session: SessionRecord,
    pub token_hash: Vec<u8>,
}

/// What a new session or token is.
pub(super) struct Grant {
    pub kind: SessionKind,
    pub personal: bool,
    pub name: Option<String>,
    pub scope: TokenScope,
    pub lifetime: TimeDelta,
}

/// "Firefox on Linux" from a User-Agent, for the list of signed-in devices.
pub fn describe_device(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => "Unknown device".to_owned(),
    }
}

/// IPv6 clients are counted by their /64: one subscriber usually holds a whole one.
pub(super) fn limit_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        v4 => v4.to_string(),
    }
}

pub(super) fn client_ip(request: &http::request::Parts) -> std::net::IpAddr {
    request.extensions.get::<ClientIp>().map_or(std::net::IpAddr::from([0, 0, 0, 0]), |ip| ip.0)
}

fn too_many(wait: RetryAfter) -> AppError {
    AppError::rate_limited(wait.secs())
}

/// A password could not be hashed or checked: logged, answered as an internal error.
pub(super) fn hashing_failed(e: anyhow::Error) -> AppError {
    tracing::error!(error = ?e, "password hashing failed");
    AppError::internal()
}

#[cfg(test)]
mod tests {
    use super::describe_device;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(describe_device(chrome), "Chrome on Linux");
        let iphone =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1";
        assert_eq!(describe_device(iphone), "Safari on iOS");
        assert_eq!(
            describe_device("Mozilla/5.0 (Windows NT 10.0; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on Windows"
        );
        assert_eq!(describe_device(""), "Unknown device");
    }
}

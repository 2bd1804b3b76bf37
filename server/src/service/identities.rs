//! Signing in through OAuth2/OIDC providers, the identities linked to an account, and
//! the admin's switch for password sign-in.
//!
//! A provider identity is keyed by (issuer, subject), never by email. Its email makes a
//! new account only when the provider verified it and no account has it; an identity
//! joins an existing account only through the linking flow, started by that account
//! signed in, in the same browser.

use std::time::Duration;

use app::domain::{
    provider_account, safe_next, AppError, Identity, InstanceSettings, SignInFailure, SignInMethods, SignInOptions,
    User,
};
use chrono::TimeDelta;
use uuid::Uuid;

use super::Service;
use crate::auth::{cookie, token};
use crate::oauth::{Profile, ProviderError};
use crate::security::rate_limit::Limit;
use crate::store::{NewIdentity, NewUser, OAuthFlow, SessionKind, StoreError, Unlinked};

/// How long a provider sign-in may take between leaving and coming back.
const FLOW_LIFETIME: TimeDelta = TimeDelta::minutes(10);
/// Provider sign-ins a client address may start: each stores a flow until it expires.
const STARTS_PER_IP: Limit = Limit { name: "oauth_start", max: 60, window: Duration::from_secs(600) };
const PASSWORD_SIGN_IN: &str = "password_sign_in";

/// Where a provider sign-in sends the browser next, with the cookies to set.
#[derive(Debug)]
pub struct Landing {
    pub location: String,
    pub cookies: Vec<String>,
}

/// A provider sign-in being started.
pub struct SignInStart<'a> {
    pub provider: &'a str,
    pub next: Option<&'a str>,
    /// The signed-in account connects this provider instead of signing in.
    pub link: bool,
    /// The browser says another site's page sent it here.
    pub from_elsewhere: bool,
}

/// What the provider sent back to the callback.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Callback {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
}

/// A sign-in that failed, and whether it was an account linking its identity (which
/// lands back in Settings rather than on the sign-in page).
struct Failed(SignInFailure, bool);

impl From<AppError> for Failed {
    fn from(error: AppError) -> Self {
        tracing::warn!(%error, "provider sign-in failed inside");
        Failed(SignInFailure::Internal, false)
    }
}

impl Service {
    pub async fn sign_in_options(&self) -> Result<SignInOptions, AppError> {
        Ok(SignInOptions { password: self.password_sign_in().await?, providers: self.providers.infos() })
    }

    /// Whether email and password sign in (and sign up); an admin may turn it off.
    pub async fn password_sign_in(&self) -> Result<bool, AppError> {
        Ok(self.store.setting(PASSWORD_SIGN_IN).await?.as_deref() != Some("off"))
    }

    pub(super) async fn require_password_sign_in(&self) -> Result<(), AppError> {
        if self.password_sign_in().await? {
            Ok(())
        } else {
            Err(AppError::forbidden("password sign-in is turned off on this instance; use a sign-in provider"))
        }
    }

    /// Starts a provider sign-in: stores the flow and sends the browser to the provider.
    /// With `link`, the signed-in account connects that provider instead.
    #[tracing::instrument(skip_all, fields(provider = %start.provider))]
    pub async fn begin_provider_sign_in(&self, start: SignInStart<'_>, request: &http::request::Parts) -> Landing {
        match self.try_begin(start, request).await {
            Ok(landing) => landing,
            Err(Failed(failure, linking)) => self.failed(failure, linking),
        }
    }

    async fn try_begin(&self, start: SignInStart<'_>, request: &http::request::Parts) -> Result<Landing, Failed> {
        let SignInStart { provider: name, next, link, from_elsewhere } = start;
        let fail = |failure| Failed(failure, link);
        if !self.providers.exists(name) {
            return Err(fail(SignInFailure::UnknownProvider));
        }
        if link && from_elsewhere {
            return Err(fail(SignInFailure::CrossSite));
        }
        let ip = super::auth::limit_key(super::auth::client_ip(request));
        self.limiter.hit(STARTS_PER_IP, &ip).await.map_err(|_| fail(SignInFailure::TooManyAttempts))?;
        let link_user_id = match link {
            true => match self.browser_user(&request.headers).await? {
                Some(user) => Some(user.id),
                None => return Err(fail(SignInFailure::NotSignedIn)),
            },
            false => None,
        };
        let authorization = self.providers.authorize(name).await.map_err(|e| fail(provider_failure(e)))?;
        let browser_secret = token::generate();
        let now = self.clock.now();
        let default_next = if link { "/settings" } else { "/" };
        let flow = OAuthFlow {
            state_hash: token::hash(&authorization.state),
            browser_hash: token::hash(&browser_secret),
            provider: name.to_owned(),
            pkce_verifier: authorization.pkce_verifier,
            nonce: authorization.nonce,
            next: next.map_or_else(|| default_next.to_owned(), |n| safe_next(Some(n))),
            link_user_id,
            expires_at: now + FLOW_LIFETIME,
        };
        self.store.insert_oauth_flow(&flow, now).await.map_err(AppError::from)?;
        let cookie = cookie::set_flow(&browser_secret, FLOW_LIFETIME.num_seconds(), self.config.secure_cookies);
        Ok(Landing { location: authorization.url, cookies: vec![cookie] })
    }

    /// Finishes a provider sign-in at its callback. Every failure lands on a page that
    /// explains it and leaves no account, identity or session behind.
    #[tracing::instrument(skip_all, fields(provider = %name))]
    pub async fn finish_provider_sign_in(
        &self,
        name: &str,
        callback: Callback,
        request: &http::request::Parts,
    ) -> Landing {
        let mut bound = false;
        let mut landing = match self.try_finish(name, callback, request, &mut bound).await {
            Ok(landing) => landing,
            Err(Failed(failure, linking)) => {
                tracing::info!(failure = failure.code(), "provider sign-in refused");
                self.failed(failure, linking)
            }
        };
        // The browser's binding is spent with its flow; a stray callback (a made-up or
        // someone else's state) leaves a sign-in under way in this browser alone.
        if bound {
            landing.cookies.push(cookie::clear_flow(self.config.secure_cookies));
        }
        landing
    }

    async fn try_finish(
        &self,
        name: &str,
        callback: Callback,
        request: &http::request::Parts,
        bound: &mut bool,
    ) -> Result<Landing, Failed> {
        // The state is taken (deleted) whatever follows: it works once.
        let state = callback.state.ok_or(Failed(SignInFailure::InvalidState, false))?;
        let flow = self.store.take_oauth_flow(&token::hash(&state)).await.map_err(AppError::from)?;
        let flow = flow.ok_or(Failed(SignInFailure::InvalidState, false))?;
        let linking = flow.link_user_id.is_some();
        let fail = |failure| Failed(failure, linking);
        let browser = cookie::flow_from_headers(&request.headers, self.config.secure_cookies);
        if flow.provider != name || browser.map(|b| token::hash(&b)) != Some(flow.browser_hash.clone()) {
            return Err(fail(SignInFailure::InvalidState));
        }
        *bound = true;
        if flow.expires_at < self.clock.now() {
            return Err(fail(SignInFailure::Expired));
        }
        if let Some(error) = callback.error {
            tracing::info!(%error, "the provider refused the sign-in");
            return Err(fail(SignInFailure::Denied));
        }
        let code = callback.code.ok_or(fail(SignInFailure::InvalidState))?;
        let profile = self
            .providers
            .finish(name, &code, &flow.pkce_verifier, &flow.nonce)
            .await
            .map_err(|e| fail(provider_failure(e)))?;
        match flow.link_user_id {
            Some(user_id) => self.link_identity(user_id, name, profile, flow.next, request).await,
            None => self.sign_in_with(name, profile, flow.next, request).await,
        }
    }

    async fn sign_in_with(
        &self,
        provider: &str,
        profile: Profile,
        next: String,
        request: &http::request::Parts,
    ) -> Result<Landing, Failed> {
        let fail = |failure| Failed(failure, false);
        let user = match self.store.identity_owner(&profile.issuer, &profile.subject).await.map_err(AppError::from)? {
            Some(user_id) => {
                if self.store.is_disabled(user_id).await.map_err(AppError::from)? {
                    return Err(fail(SignInFailure::AccountDisabled));
                }
                self.store.user_by_id(user_id).await.map_err(AppError::from)?.ok_or(fail(SignInFailure::Internal))?
            }
            None => self.create_account(provider, &profile).await?,
        };
        let session = self.start_browser_session(&user, request).await?;
        tracing::info!(user = %user.id, "signed in through a provider");
        Ok(Landing { location: next, cookies: vec![self.session_cookie(Some(&session))] })
    }

    /// A first sign-in: a new account from the profile, if its email is verified and
    /// belongs to nobody here yet.
    async fn create_account(&self, provider: &str, profile: &Profile) -> Result<User, Failed> {
        let fail = |failure| Failed(failure, false);
        let email = profile.email.as_deref().filter(|_| profile.email_verified);
        let (email, name) =
            email.and_then(|e| provider_account(e, profile.name.as_deref())).ok_or(fail(SignInFailure::NoEmail))?;
        if !self.providers.allows_new_account(provider, &email) {
            return Err(fail(SignInFailure::DomainNotAllowed));
        }
        if self.store.user_by_email(&email).await.map_err(AppError::from)?.is_some() {
            return Err(fail(SignInFailure::EmailInUse));
        }
        let now = self.clock.now();
        let user_id = Uuid::now_v7();
        let avatar_url = profile.avatar_url.clone().filter(|url| url.starts_with("https://") && url.len() <= 2048);
        let user = NewUser { id: user_id, email: email.clone(), name, password_hash: String::new(), avatar_url, now };
        let identity = self.new_identity(user_id, provider, profile);
        match self.store.insert_user_with_identity(user, identity).await {
            Ok(user) => Ok(user),
            Err(StoreError::Conflict(table)) if table == "users" => Err(fail(SignInFailure::EmailInUse)),
            // The same identity signed in twice at once: the other attempt made the account.
            Err(StoreError::Conflict(_)) => Err(fail(SignInFailure::InvalidState)),
            Err(e) => Err(AppError::from(e).into()),
        }
    }

    async fn link_identity(
        &self,
        user_id: Uuid,
        provider: &str,
        profile: Profile,
        next: String,
        request: &http::request::Parts,
    ) -> Result<Landing, Failed> {
        let fail = |failure| Failed(failure, true);
        // The account that asked must still be the one signed in here.
        match self.browser_user(&request.headers).await? {
            Some(user) if user.id == user_id => {}
            _ => return Err(fail(SignInFailure::NotSignedIn)),
        }
        match self.store.identity_owner(&profile.issuer, &profile.subject).await.map_err(AppError::from)? {
            Some(owner) if owner == user_id => {}
            Some(_) => return Err(fail(SignInFailure::LinkedElsewhere)),
            None => match self.store.insert_identity(self.new_identity(user_id, provider, &profile)).await {
                Ok(()) => tracing::info!(user = %user_id, "provider identity linked"),
                Err(StoreError::Conflict(_)) => return Err(fail(SignInFailure::LinkedElsewhere)),
                Err(e) => return Err(AppError::from(e).into()),
            },
        }
        Ok(Landing { location: next, cookies: Vec::new() })
    }

    /// The user of the browser session cookie the request carries. Connecting a provider
    /// is for the person at the browser: an API token (which a script or a thief may
    /// hold) never adds a way in.
    async fn browser_user(&self, headers: &http::HeaderMap) -> Result<Option<User>, AppError> {
        if headers.contains_key(http::header::AUTHORIZATION) {
            return Ok(None);
        }
        let signed_in = self.authenticate(headers, "POST").await?;
        Ok(signed_in.filter(|s| s.session.kind == SessionKind::Browser).map(|s| s.user))
    }

    fn new_identity(&self, user_id: Uuid, provider: &str, profile: &Profile) -> NewIdentity {
        NewIdentity {
            id: Uuid::now_v7(),
            user_id,
            provider: provider.to_owned(),
            issuer: profile.issuer.clone(),
            subject: profile.subject.clone(),
            email: profile.email.clone(),
            now: self.clock.now(),
        }
    }

    fn failed(&self, failure: SignInFailure, linking: bool) -> Landing {
        let page = if linking { "/settings" } else { "/login" };
        Landing { location: format!("{page}?error={}", failure.code()), cookies: Vec::new() }
    }

    /// The actor's ways in: password, linked identities, and providers still to connect.
    pub async fn sign_in_methods(&self, actor: &User) -> Result<SignInMethods, AppError> {
        let has_password = self.store.has_password(actor.id).await?;
        let password = has_password && self.password_sign_in().await?;
        let identities: Vec<Identity> = self
            .store
            .identities(actor.id)
            .await?
            .into_iter()
            .map(|i| Identity {
                id: i.id,
                label: self.providers.label(&i.provider).unwrap_or(&i.provider).to_owned(),
                provider: i.provider,
                email: i.email,
                linked_at: i.created_at,
            })
            .collect();
        let available =
            self.providers.infos().into_iter().filter(|p| !identities.iter().any(|i| i.provider == p.name)).collect();
        Ok(SignInMethods { password, has_password, identities, available })
    }

    /// Unlinks one of the actor's identities, unless it is their last way in (an
    /// identity of a provider no longer configured is no way in).
    #[tracing::instrument(skip_all, fields(user = %actor.id))]
    pub async fn unlink_identity(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        let password_usable = self.store.has_password(actor.id).await? && self.password_sign_in().await?;
        let usable: Vec<String> = self.providers.infos().into_iter().map(|p| p.name).collect();
        match self.store.unlink_identity(actor.id, id, password_usable, &usable).await? {
            Unlinked::Done => Ok(()),
            Unlinked::NotFound => Err(AppError::not_found("identity")),
            Unlinked::LastWayIn => Err(AppError::forbidden(
                "this is your only way to sign in; connect another provider before removing it",
            )),
        }
    }

    /// Whether the actor can sign in through a provider this instance still offers.
    async fn has_usable_identity(&self, actor: &User) -> Result<bool, AppError> {
        let identities = self.store.identities(actor.id).await?;
        Ok(identities.iter().any(|i| self.providers.exists(&i.provider)))
    }

    pub async fn instance_settings(&self, actor: &User) -> Result<InstanceSettings, AppError> {
        super::require(actor.is_admin, "only an admin of this instance may do this")?;
        Ok(InstanceSettings { password_sign_in: self.password_sign_in().await? })
    }

    /// Turns password sign-in (and sign-up) on or off. An admin may only turn it off
    /// once they can sign in through a provider themselves.
    #[tracing::instrument(skip_all, fields(user = %actor.id))]
    pub async fn update_instance_settings(
        &self,
        actor: &User,
        settings: InstanceSettings,
    ) -> Result<InstanceSettings, AppError> {
        super::require(actor.is_admin, "only an admin of this instance may do this")?;
        if !settings.password_sign_in && !self.has_usable_identity(actor).await? {
            return Err(AppError::invalid(
                "password_sign_in",
                "connect a sign-in provider to your own account first, or nobody could sign in as you",
            ));
        }
        self.set_password_sign_in(settings.password_sign_in).await?;
        Ok(settings)
    }

    /// The switch itself, also for the `password-sign-in` command (the operator's way
    /// back in).
    pub async fn set_password_sign_in(&self, on: bool) -> Result<(), AppError> {
        Ok(self.store.set_setting(PASSWORD_SIGN_IN, if on { "on" } else { "off" }).await?)
    }
}

fn provider_failure(error: ProviderError) -> SignInFailure {
    tracing::warn!(%error, "provider sign-in step failed");
    match error {
        ProviderError::Unavailable(_) => SignInFailure::ProviderUnavailable,
        ProviderError::Rejected(_) => SignInFailure::Rejected,
    }
}

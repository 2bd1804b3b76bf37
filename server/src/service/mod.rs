//! The service layer: every use case once, for both doors (server functions and REST).
//! Each checks who may do it, validates, writes (with its event in the same
//! transaction) and answers with the domain's error type.

mod account;
mod auth;
mod backend_impl;
mod comments;
mod delivery;
mod digests;
mod identities;
mod notifications;
mod notify;
mod projects;
mod push;
mod reminders;
mod task_reminders;
mod tasks;

use std::sync::Arc;

use app::domain::{AppError, ErrorCode, Notification, Project, Role, User};
use uuid::Uuid;

use crate::auth::password::PasswordHasherPool;
use crate::clock::Clock;
use crate::realtime::{EventBus, Hub};
use crate::security::rate_limit::{Limit, RateLimiter};
use crate::store::{Commit, Store, StoreError};

pub use auth::{describe_device, SignedIn};
pub use delivery::{retry_delay, MAX_DELIVERY_ATTEMPTS};
pub use identities::{Callback, Landing, SignInStart};

pub struct ServiceConfig {
    /// Cookies get `Secure` when the public URL is https.
    pub secure_cookies: bool,
    /// Absolute lifetime of a browser session.
    pub session_days: i64,
    /// A browser session unused this long has ended.
    pub session_idle: chrono::TimeDelta,
    pub token_days: i64,
    pub sign_in_limits: SignInLimits,
}

/// How many failed sign-ins a client address, an account from one address, and an
/// account from everywhere may make per window.
#[derive(Clone, Copy, Debug)]
pub struct SignInLimits {
    pub per_ip: Limit,
    pub per_account_and_ip: Limit,
    pub per_account: Limit,
}

impl SignInLimits {
    pub fn new(failures_per_ip: u32, failures_per_account: u32) -> Self {
        let minutes = |m: u64| std::time::Duration::from_secs(60 * m);
        Self {
            per_ip: Limit { name: "sign_in_ip", max: failures_per_ip, window: minutes(10) },
            per_account_and_ip: Limit { name: "sign_in_account_ip", max: failures_per_account, window: minutes(5) },
            per_account: Limit {
                name: "sign_in_account",
                max: failures_per_account.saturating_mul(10),
                window: minutes(5),
            },
        }
    }
}

pub struct Service {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    clock: Arc<dyn Clock>,
    passwords: PasswordHasherPool,
    config: ServiceConfig,
    limiter: RateLimiter,
    /// Names this process in claims of shared periodic work.
    instance: String,
    providers: Arc<crate::oauth::Providers>,
    cache_counts: Option<Arc<crate::store::cache::CacheCounts>>,
    /// Sends email notifications, when the instance has an SMTP server.
    mailer: Option<Arc<crate::email::Mailer>>,
    /// Sends web push notifications, unless the instance has push turned off.
    pusher: Option<Arc<crate::push::Pusher>>,
}

impl Service {
    /// Must be called inside the Tokio runtime: it starts the live-update hub on `bus`.
    pub fn new(store: Arc<dyn Store>, bus: Arc<dyn EventBus>, clock: Arc<dyn Clock>, config: ServiceConfig) -> Self {
        let hub = Hub::start(store.clone(), bus);
        let instance = format!("pid{}-{}", std::process::id(), &Uuid::new_v4().simple().to_string()[..8]);
        let passwords = PasswordHasherPool::new(1);
        let limiter = RateLimiter::local();
        let providers = Arc::new(crate::oauth::Providers::none());
        Self {
            store,
            hub,
            clock,
            passwords,
            config,
            limiter,
            instance,
            providers,
            cache_counts: None,
            mailer: None,
            pusher: None,
        }
    }

    /// Counts sign-in attempts in `limiter` (shared through Redis when there is one).
    pub fn with_rate_limiter(self, limiter: RateLimiter) -> Self {
        Self { limiter, ..self }
    }

    /// Sends web push notifications through `pusher`.
    pub fn with_pusher(self, pusher: Option<crate::push::Pusher>) -> Self {
        Self { pusher: pusher.map(Arc::new), ..self }
    }

    /// Sends email notifications through `mailer`.
    pub fn with_mailer(self, mailer: Option<crate::email::Mailer>) -> Self {
        Self { mailer: mailer.map(Arc::new), ..self }
    }

    /// Offers sign-in through these OAuth2/OIDC providers.
    pub fn with_providers(self, providers: crate::oauth::Providers) -> Self {
        Self { providers: Arc::new(providers), ..self }
    }

    /// The counters of the Redis cache in front of the store, when there is one.
    pub fn with_cache_counts(self, cache_counts: Option<Arc<crate::store::cache::CacheCounts>>) -> Self {
        Self { cache_counts, ..self }
    }

    pub fn cache_counts(&self) -> Option<&Arc<crate::store::cache::CacheCounts>> {
        self.cache_counts.as_ref()
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// After a commit: live sockets read the project's new events, and the people
    /// notified hear of it at once.
    fn publish(&self, project_id: Uuid, notified: &[(Uuid, Notification)]) {
        self.hub.committed(project_id);
        self.hub.notified(notified);
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Claims the current run of a job done once per `every` across all instances; true
    /// on the one instance that should do it now.
    pub async fn claim_periodic(&self, job: &str, every: chrono::Duration) -> Result<bool, AppError> {
        let now = self.clock.now();
        Ok(self.store.claim_job(job, &self.instance, now, now + every).await?)
    }

    /// The project as the actor sees it; `not_found` when they are not a member.
    async fn project_as(&self, actor: &User, project_id: Uuid) -> Result<Project, AppError> {
        self.store.project_for_user(project_id, actor.id).await?.ok_or_else(|| AppError::not_found("project"))
    }

    async fn role_in(&self, actor: &User, project_id: Uuid) -> Result<Role, AppError> {
        Ok(self.project_as(actor, project_id).await?.role)
    }
}

/// Who a commit notifies in the app, kept to push once it has landed.
fn notified(commit: &Commit) -> Vec<(Uuid, Notification)> {
    unread(&commit.notifications)
}

/// The notifications that arrive unread, as the live stream pushes them.
fn unread(notes: &[crate::store::NewNotification]) -> Vec<(Uuid, Notification)> {
    notes.iter().filter(|n| n.notification.read_at.is_none()).map(|n| (n.user_id, n.notification.clone())).collect()
}

fn require(allowed: bool, message: &str) -> Result<(), AppError> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::forbidden(message))
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::not_found("resource"),
            StoreError::Conflict(table) if table == "users" => {
                AppError::new(ErrorCode::EmailTaken, "an account with this email already exists")
                    .with_details(serde_json::json!({ "fields": { "email": "is already registered" } }))
            }
            StoreError::Conflict(table) if table == "project_members" => {
                AppError::new(ErrorCode::AlreadyMember, "this person is already a member of the project")
                    .with_details(serde_json::json!({ "fields": { "email": "is already a member" } }))
            }
            StoreError::Conflict(table) => {
                tracing::warn!(%table, "unexpected uniqueness conflict");
                AppError::new(ErrorCode::VersionConflict, "this changed at the same moment; try again")
            }
            StoreError::Unavailable(detail) => {
                tracing::error!(%detail, "database unavailable");
                AppError::unavailable()
            }
            StoreError::Other(e) => {
                tracing::error!(error = ?e, "store error");
                AppError::internal()
            }
        }
    }
}

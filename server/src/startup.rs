//! Building the application from its configuration, and running it.

use std::sync::Arc;

use anyhow::Context;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::Router;
use leptos::config::LeptosOptions;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::api::{self, Metrics};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::realtime::{EventBus, Hub, LocalBus, RedisBus};
use crate::security::csrf::{self, PublicOrigin};
use crate::security::headers::{self, HeaderSettings};
use crate::security::{client_ip, rate_limit::RateLimiter};
use crate::service::{Service, ServiceConfig, SignInLimits};
use crate::store::cache::CachedStore;
use crate::store::postgres::PostgresStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{PoolSettings, Store};
use crate::web;

/// Request bodies above this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub service: Arc<Service>,
    pub hub: Arc<Hub>,
    /// `scheme://host[:port]` of the public URL: the only Origin WebSockets accept.
    pub public_origin: String,
    /// How often live sockets are pinged.
    pub ws_heartbeat: std::time::Duration,
    pub leptos_options: LeptosOptions,
    pub metrics: Arc<Metrics>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    reminder_cron: Option<cron::Schedule>,
    sends_email: bool,
    sends_push: bool,
}

/// Opens the configured database and applies pending migrations.
pub async fn open_store(database_url: &str, pool: PoolSettings) -> anyhow::Result<Arc<dyn Store>> {
    if database_url.starts_with("sqlite:") {
        let store = SqliteStore::connect(database_url, pool).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        let store = PostgresStore::connect(database_url, pool)?;
        migrate_when_reachable(|| store.migrate()).await?;
        Ok(Arc::new(store))
    } else {
        anyhow::bail!("DATABASE_URL must start with sqlite: or postgres:")
    }
}

/// A database that is still starting (as beside it in a compose file) gets half a minute.
async fn migrate_when_reachable<F: std::future::Future<Output = anyhow::Result<()>>>(
    migrate: impl Fn() -> F,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match migrate().await {
            Ok(()) => return Ok(()),
            Err(e) if tokio::time::Instant::now() < deadline && is_unreachable(&e) => {
                tracing::warn!(error = %e, "database not reachable yet; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

fn is_unreachable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<sqlx::migrate::MigrateError>(),
            Some(sqlx::migrate::MigrateError::Execute(sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut))
        ) || matches!(cause.downcast_ref::<sqlx::Error>(), Some(sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut))
    })
}

/// The service layer over the configured store, with its migrations applied.
pub async fn build_service(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<Service>> {
    let mut store = open_store(&config.database_url, config.db_pool).await?;
    let sign_in_limits =
        SignInLimits::new(config.security.sign_in_failures_per_ip, config.security.sign_in_failures_per_account);
    let service_config = ServiceConfig {
        secure_cookies: config.https(),
        session_days: config.security.session_days.into(),
        session_idle: chrono::TimeDelta::hours(config.security.session_idle_hours.into()),
        token_days: 30,
        sign_in_limits,
    };
    let mut cache_counts = None;
    let (bus, limiter): (Arc<dyn EventBus>, RateLimiter) = match &config.redis_url {
        Some(url) => {
            let cached = CachedStore::new(store, url)?;
            cache_counts = Some(cached.counts.clone());
            store = Arc::new(cached);
            (Arc::new(RedisBus::start(url)?), RateLimiter::shared(url, "tandem")?)
        }
        None => (Arc::new(LocalBus::new()), RateLimiter::local()),
    };
    let providers = crate::oauth::Providers::new(config.oauth_providers.clone(), &config.public_url)?;
    let mailer = config.smtp.as_ref().map(|smtp| crate::email::Mailer::new(smtp, &config.public_url)).transpose()?;
    let pusher = match &config.push {
        Some(settings) => {
            let subject = &settings.subject;
            if !(subject.starts_with("mailto:") || subject.starts_with("https://")) || subject.contains("localhost") {
                tracing::warn!(%subject, "TANDEM_PUSH_SUBJECT should be a mailto: address or a public https URL; \
                    Apple's push service refuses pushes otherwise");
            }
            // The first instance to start makes the key; every other one reads it.
            let stored =
                store.instance_secret("vapid_private_key", &crate::push::VapidKey::generate()?.to_stored()).await?;
            Some(crate::push::Pusher::new(crate::push::VapidKey::from_stored(&stored)?, settings.clone())?)
        }
        None => None,
    };
    let service = Service::new(store, bus, clock, service_config)
        .with_cache_counts(cache_counts)
        .with_rate_limiter(limiter)
        .with_providers(providers)
        .with_mailer(mailer)
        .with_pusher(pusher);
    Ok(Arc::new(service))
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let leptos_options = leptos::config::get_configuration(config.leptos_toml.as_deref())
            .context("cannot read the Leptos site settings (Leptos.toml)")?
            .leptos_options;
        let service = build_service(&config, clock).await?;
        let hub = service.hub().clone();
        let public_origin = origin_of(&config.public_url);
        let state = AppState {
            service,
            hub,
            public_origin,
            ws_heartbeat: config.ws_heartbeat,
            leptos_options,
            metrics: Metrics::new(),
        };
        let listener =
            TcpListener::bind(config.addr).await.with_context(|| format!("cannot listen on {}", config.addr))?;
        let router = router(state.clone(), &config);
        Ok(Self {
            listener,
            router,
            state,
            reminder_cron: config.reminder_cron,
            sends_email: config.smtp.is_some() && config.email_sender,
            sends_push: config.push.as_ref().is_some_and(|p| p.sender),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    /// The service layer this application serves.
    pub fn service(&self) -> &Arc<Service> {
        &self.state.service
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        spawn_housekeeping(self.state.service.clone());
        if let Some(schedule) = self.reminder_cron {
            crate::reminders::spawn(self.state.service.clone(), schedule);
        }
        if self.sends_email {
            crate::poller::spawn(self.state.service.clone(), "emails", |s| async move { s.send_due_emails().await });
        }
        if self.sends_push {
            crate::poller::spawn(self.state.service.clone(), "pushes", |s| async move { s.send_due_pushes().await });
        }
        let hub = self.state.hub.clone();
        let stopping = async move {
            shutdown_signal().await;
            // Open sockets are told the server is going away, so clients reconnect.
            hub.close_all();
        };
        let listener = crate::peer::Sockets(self.listener);
        let service = self.router.into_make_service_with_connect_info::<crate::peer::Peer>();
        axum::serve(listener, service).with_graceful_shutdown(stopping).await?;
        Ok(())
    }
}

fn router(state: AppState, config: &Config) -> Router {
    let proxies = Arc::new(config.security.trusted_proxies.clone());
    let public_origin = PublicOrigin(state.public_origin.clone());
    let header_settings = HeaderSettings { https: config.https() };
    Router::new()
        .nest("/api/v1", api::routes())
        .merge(api::ops_routes())
        .merge(api::docs_routes())
        .merge(crate::oauth::routes())
        .merge(web::routes(&state))
        .layer(axum::middleware::from_fn_with_state(state.clone(), api::track))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(api::json_error_bodies))
        .layer(axum::middleware::from_fn_with_state(public_origin, csrf::refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(proxies, client_ip::record))
        .layer(axum::middleware::from_fn_with_state(header_settings, headers::add_security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `https://example.com/tandem` → `https://example.com`.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or_default()),
        None => url.to_owned(),
    }
}

/// Hourly clean-up of expired sessions and tokens, done by one instance of however many
/// share the database: each looks every minute whether the run is theirs to claim.
fn spawn_housekeeping(service: Arc<Service>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            match service.claim_periodic("purge_expired_sessions", chrono::Duration::hours(1)).await {
                Ok(true) => match service.purge_expired_sessions().await {
                    Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "session clean-up failed"),
                },
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "could not claim the session clean-up"),
            }
            match service.claim_periodic("prune_sent_records", chrono::Duration::hours(1)).await {
                Ok(true) => match service.prune_sent_records().await {
                    Ok(n) if n > 0 => tracing::info!(removed = n, "old reminder and email records removed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "reminder and email record clean-up failed"),
                },
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "could not claim the record clean-up"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[cfg(test)]
mod tests {
    /// Leptos.toml (read by the server) and Cargo.toml (read by cargo-leptos) must agree.
    #[test]
    fn leptos_settings_agree_between_the_two_files() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let server = leptos::config::get_config_from_file(format!("{root}/Leptos.toml")).unwrap().leptos_options;
        let cargo = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
        let value = |key: &str| {
            cargo
                .lines()
                .find_map(|l| {
                    l.strip_prefix(key)
                        .map(|rest| rest.trim().trim_start_matches('=').trim().trim_matches('"').to_owned())
                })
                .unwrap()
        };
        assert_eq!(server.output_name.as_ref(), value("name ="));
        assert_eq!(server.site_root.as_ref(), value("site-root"));
        assert_eq!(server.site_pkg_dir.as_ref(), value("site-pkg-dir"));
    }
}

//! Settings from the environment (a `.env` file is read first), with the defaults of DESIGN.md.

use std::net::SocketAddr;

use anyhow::Context;

use crate::store::PoolSettings;

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// With a Redis server, instances share live updates through it.
    pub redis_url: Option<String>,
    pub public_url: String,
    /// The Leptos site settings file the server reads (site root, package dir…).
    pub leptos_toml: Option<String>,
    /// How often live sockets are pinged; one silent for 2.5 times this is closed.
    pub ws_heartbeat: std::time::Duration,
    /// Database connections per instance and how long a request waits for one.
    pub db_pool: PoolSettings,
    pub security: SecuritySettings,
    /// OAuth2/OIDC sign-in providers (`TANDEM_OAUTH_<NAME>_*`).
    pub oauth_providers: Vec<crate::oauth::ProviderConfig>,
    /// When this instance's reminder scheduler runs (`TANDEM_REMINDER_CRON`); `None`
    /// (`off`) leaves reminders to other instances.
    pub reminder_cron: Option<cron::Schedule>,
    /// Where email notifications are sent from (`TANDEM_SMTP_URL`, `TANDEM_SMTP_FROM`);
    /// `None`: no email.
    pub smtp: Option<crate::email::SmtpSettings>,
    /// Whether this instance sends the queued email (`TANDEM_EMAIL_SENDER`, on unless
    /// `off`); every instance queues it either way.
    pub email_sender: bool,
    /// Web push (`TANDEM_PUSH`, on unless `off`): who runs the server and which push
    /// services it sends to.
    pub push: Option<crate::push::PushSettings>,
}

/// Who may be believed about a client's address, and how many failed sign-ins a client
/// or an account may make before waiting.
#[derive(Clone, Debug)]
pub struct SecuritySettings {
    pub trusted_proxies: crate::security::client_ip::TrustedProxies,
    /// Failed sign-ins (browser or token endpoint) per client address per 10 minutes.
    pub sign_in_failures_per_ip: u32,
    /// Failed sign-ins per account from one address per 5 minutes; from all addresses
    /// together, ten times as many.
    pub sign_in_failures_per_account: u32,
    /// A browser session ends this many days after sign-in, however busy…
    pub session_days: u32,
    /// …and after this many hours without use.
    pub session_idle_hours: u32,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            trusted_proxies: Default::default(),
            sign_in_failures_per_ip: 50,
            sign_in_failures_per_account: 10,
            session_days: 30,
            session_idle_hours: 7 * 24,
        }
    }
}

/// Sockets are pinged this often unless `TANDEM_WS_HEARTBEAT_SECS` says otherwise.
pub const DEFAULT_WS_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(25);

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr = var("TANDEM_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let leptos_toml = var("TANDEM_LEPTOS_TOML")
            .or_else(|| std::path::Path::new("Leptos.toml").exists().then(|| "Leptos.toml".into()));
        let public_url =
            var("TANDEM_PUBLIC_URL").unwrap_or_else(|| "http://localhost:3000".into()).trim_end_matches('/').to_owned();
        let push = match var("TANDEM_PUSH") {
            Some(v) if v.eq_ignore_ascii_case("off") => None,
            Some(v) if !v.eq_ignore_ascii_case("on") => anyhow::bail!("TANDEM_PUSH={v} must be on or off"),
            _ => Some(crate::push::PushSettings {
                subject: var("TANDEM_PUSH_SUBJECT").unwrap_or_else(|| public_url.clone()),
                hosts: var("TANDEM_PUSH_HOSTS")
                    .unwrap_or_else(|| crate::push::DEFAULT_HOSTS.into())
                    .split(',')
                    .map(|h| h.trim().to_ascii_lowercase())
                    .filter(|h| !h.is_empty())
                    .collect(),
                sender: on_off(&var, "TANDEM_PUSH_SENDER")?,
            }),
        };
        Ok(Self {
            addr: addr.parse().with_context(|| format!("TANDEM_ADDR={addr} is not a socket address"))?,
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/tandem.db?mode=rwc".into()),
            redis_url: var("REDIS_URL"),
            smtp: var("TANDEM_SMTP_URL").map(|url| crate::email::SmtpSettings {
                url,
                from: var("TANDEM_SMTP_FROM").unwrap_or_else(|| crate::email::default_from(&public_url)),
            }),
            public_url,
            email_sender: on_off(&var, "TANDEM_EMAIL_SENDER")?,
            push,
            leptos_toml,
            ws_heartbeat: secs(&var, "TANDEM_WS_HEARTBEAT_SECS")?.unwrap_or(DEFAULT_WS_HEARTBEAT),
            db_pool: {
                let default = PoolSettings::default();
                PoolSettings {
                    max_connections: positive(&var, "TANDEM_DB_MAX_CONNECTIONS")?
                        .map_or(Ok(default.max_connections), u32::try_from)
                        .context("TANDEM_DB_MAX_CONNECTIONS is too large")?,
                    acquire_timeout: secs(&var, "TANDEM_DB_ACQUIRE_TIMEOUT_SECS")?.unwrap_or(default.acquire_timeout),
                }
            },
            security: {
                let default = SecuritySettings::default();
                let count = |name| -> anyhow::Result<Option<u32>> {
                    positive(&var, name)?.map(u32::try_from).transpose().with_context(|| format!("{name} is too large"))
                };
                SecuritySettings {
                    trusted_proxies: crate::security::client_ip::TrustedProxies::parse(
                        &var("TANDEM_TRUSTED_PROXIES").unwrap_or_default(),
                    )
                    .context("TANDEM_TRUSTED_PROXIES")?,
                    sign_in_failures_per_ip: count("TANDEM_SIGN_IN_FAILURES_PER_IP")?
                        .unwrap_or(default.sign_in_failures_per_ip),
                    sign_in_failures_per_account: count("TANDEM_SIGN_IN_FAILURES_PER_ACCOUNT")?
                        .unwrap_or(default.sign_in_failures_per_account),
                    session_days: count("TANDEM_SESSION_DAYS")?.unwrap_or(default.session_days),
                    session_idle_hours: count("TANDEM_SESSION_IDLE_HOURS")?.unwrap_or(default.session_idle_hours),
                }
            },
            oauth_providers: crate::oauth::config::providers_from_env(std::env::vars())?,
            reminder_cron: match var("TANDEM_REMINDER_CRON") {
                Some(off) if off.trim().eq_ignore_ascii_case("off") => None,
                Some(expression) => Some(crate::reminders::parse(&expression)?),
                None => Some(crate::reminders::parse(crate::reminders::DEFAULT_CRON)?),
            },
        })
    }

    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// A switch from the environment: on unless `off`.
fn on_off(var: &impl Fn(&str) -> Option<String>, name: &str) -> anyhow::Result<bool> {
    match var(name) {
        None => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("on") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("off") => Ok(false),
        Some(v) => anyhow::bail!("{name}={v} must be on or off"),
    }
}

/// A whole number above 0 from the environment, if set.
fn positive(var: &impl Fn(&str) -> Option<String>, name: &str) -> anyhow::Result<Option<u64>> {
    var(name)
        .map(|v| {
            v.trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("{name}={v} is not a whole number above 0"))
        })
        .transpose()
}

fn secs(var: &impl Fn(&str) -> Option<String>, name: &str) -> anyhow::Result<Option<std::time::Duration>> {
    Ok(positive(var, name)?.map(std::time::Duration::from_secs))
}

//! Settings from the environment (a `.env` file is read first), with the defaults of DESIGN.md.

use std::net::SocketAddr;

use anyhow::Context;

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    pub public_url: String,
    /// The Leptos site settings file the server reads (site root, package dir…).
    pub leptos_toml: Option<String>,
    /// How often live sockets are pinged; one silent for 2.5 times this is closed.
    pub ws_heartbeat: std::time::Duration,
}

/// Sockets are pinged this often unless `TANDEM_WS_HEARTBEAT_SECS` says otherwise.
pub const DEFAULT_WS_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(25);

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr = var("TANDEM_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let leptos_toml = var("TANDEM_LEPTOS_TOML")
            .or_else(|| std::path::Path::new("Leptos.toml").exists().then(|| "Leptos.toml".into()));
        Ok(Self {
            addr: addr.parse().with_context(|| format!("TANDEM_ADDR={addr} is not a socket address"))?,
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/tandem.db?mode=rwc".into()),
            public_url: var("TANDEM_PUBLIC_URL")
                .unwrap_or_else(|| "http://localhost:3000".into())
                .trim_end_matches('/')
                .to_owned(),
            leptos_toml,
            ws_heartbeat: match var("TANDEM_WS_HEARTBEAT_SECS") {
                Some(secs) => {
                    std::time::Duration::from_secs(secs.parse().ok().filter(|s| *s > 0).with_context(|| {
                        format!("TANDEM_WS_HEARTBEAT_SECS={secs} is not a whole number of seconds above 0")
                    })?)
                }
                None => DEFAULT_WS_HEARTBEAT,
            },
        })
    }

    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

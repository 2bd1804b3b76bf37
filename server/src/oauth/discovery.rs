//! An OpenID Connect issuer's endpoints and signing keys, fetched from
//! `<issuer>/.well-known/openid-configuration` and kept for an hour.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use tokio::sync::RwLock;

use super::ProviderError;

/// How long endpoints and keys are trusted before they are fetched again.
const KEEP: Duration = Duration::from_secs(3600);
/// How long endpoints and keys still serve when fetching them again fails.
const KEEP_STALE: Duration = Duration::from_secs(24 * 3600);
/// Keys are fetched again for an unknown key id (a rotation) at most this often.
const REFETCH_KEYS_AFTER: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

impl Metadata {
    /// RFC 8414's default when the provider lists nothing is HTTP Basic.
    pub fn prefers_secret_in_body(&self) -> bool {
        self.token_endpoint_auth_methods_supported.as_ref().is_some_and(|methods| {
            !methods.iter().any(|m| m == "client_secret_basic") && methods.iter().any(|m| m == "client_secret_post")
        })
    }
}

#[derive(Clone)]
pub struct Discovered {
    pub metadata: Metadata,
    pub keys: JwkSet,
    fetched: Instant,
    keys_fetched: Instant,
}

/// What is known of one issuer.
#[derive(Default)]
pub struct IssuerCache {
    state: RwLock<Option<Discovered>>,
}

impl IssuerCache {
    /// The issuer's endpoints and keys, fetched when not known or too old. When a
    /// refresh fails, what was known is used for up to a day rather than refusing
    /// every sign-in while the provider hiccups.
    pub async fn get(&self, http: &reqwest::Client, issuer: &str) -> Result<Discovered, ProviderError> {
        let known = self.state.read().await.clone();
        if let Some(known) = known.as_ref().filter(|d| d.fetched.elapsed() < KEEP) {
            return Ok(known.clone());
        }
        // Fetched without holding the lock: a slow provider delays only its own sign-ins.
        match discover(http, issuer).await {
            Ok(fresh) => {
                *self.state.write().await = Some(fresh.clone());
                Ok(fresh)
            }
            Err(error) => match known.filter(|d| d.fetched.elapsed() < KEEP_STALE) {
                Some(stale) => {
                    tracing::warn!(%error, "provider discovery failed; using what was known");
                    Ok(stale)
                }
                None => Err(error),
            },
        }
    }

    /// Fetches the keys again after a token named one not among them, unless that was
    /// done a moment ago; the new set, or `None` when nothing was fetched.
    pub async fn refresh_keys(&self, http: &reqwest::Client) -> Result<Option<JwkSet>, ProviderError> {
        let jwks_uri = match self.state.read().await.as_ref() {
            Some(known) if known.keys_fetched.elapsed() >= REFETCH_KEYS_AFTER => known.metadata.jwks_uri.clone(),
            _ => return Ok(None),
        };
        let keys: JwkSet = fetch_json(http, &jwks_uri).await?;
        if let Some(known) = self.state.write().await.as_mut() {
            known.keys = keys.clone();
            known.keys_fetched = Instant::now();
        }
        Ok(Some(keys))
    }
}

async fn discover(http: &reqwest::Client, issuer: &str) -> Result<Discovered, ProviderError> {
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let metadata: Metadata = fetch_json(http, &url).await?;
    // The document must speak for the issuer configured, or tokens from another issuer
    // could be taken for this one's (OIDC Discovery 4.3).
    if metadata.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(ProviderError::Unavailable(format!("{url} names the issuer {}, not {issuer}", metadata.issuer)));
    }
    let keys = fetch_json(http, &metadata.jwks_uri).await?;
    let now = Instant::now();
    Ok(Discovered { metadata, keys, fetched: now, keys_fetched: now })
}

pub async fn fetch_json<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str) -> Result<T, ProviderError> {
    let unavailable = |e: reqwest::Error| ProviderError::Unavailable(format!("{url}: {e}"));
    let response = http.get(url).header("accept", "application/json").send().await.map_err(unavailable)?;
    let response = response.error_for_status().map_err(unavailable)?;
    response.json().await.map_err(unavailable)
}

//! Signing in through OAuth2 and OpenID Connect providers: the authorization-code flow
//! with PKCE (the `oauth2` crate), discovery and ID-token checks for OIDC providers,
//! and GitHub's REST API for GitHub. The service layer decides what a sign-in does.

pub mod config;
mod discovery;
mod github;
pub mod id_token;
mod routes;

pub use routes::routes;

use std::time::Duration;

use app::domain::ProviderInfo;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardRevocableToken, StandardTokenResponse,
    TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

pub use config::{ProviderConfig, ProviderKind};
use discovery::IssuerCache;

/// Who the provider says signed in.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// Who vouches for the subject: the OIDC issuer, or `https://github.com`.
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    /// Only a verified email may ever be matched to an existing account.
    pub email_verified: bool,
    pub name: Option<String>,
    pub avatar_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    #[error("provider answer refused: {0}")]
    Rejected(String),
}

/// The providers this instance offers, and one HTTP client to talk to them.
pub struct Providers {
    list: Vec<Provider>,
    http: reqwest::Client,
    /// `<public URL>/auth`; a provider's redirect URI is `<this>/<name>/callback`.
    callback_base: String,
}

struct Provider {
    config: ProviderConfig,
    issuer: IssuerCache,
}

/// What the browser is sent to the provider with; the caller keeps the verifier and nonce.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub pkce_verifier: String,
    pub nonce: String,
}

impl Providers {
    pub fn new(configs: Vec<ProviderConfig>, public_url: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            // A provider's answer is never followed elsewhere (no SSRF through redirects).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("Tandem/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let list = configs.into_iter().map(|config| Provider { config, issuer: IssuerCache::default() }).collect();
        Ok(Self { list, http, callback_base: format!("{}/auth", public_url.trim_end_matches('/')) })
    }

    pub fn none() -> Self {
        Self::new(Vec::new(), "http://localhost").expect("an HTTP client without settings builds")
    }

    pub fn infos(&self) -> Vec<ProviderInfo> {
        self.list.iter().map(|p| ProviderInfo { name: p.config.name.clone(), label: p.config.label.clone() }).collect()
    }

    pub fn label(&self, name: &str) -> Option<&str> {
        self.find(name).map(|p| p.config.label.as_str())
    }

    /// Whether a first sign-in with this (verified) email may make an account: always,
    /// unless the provider is limited to some email domains.
    pub fn allows_new_account(&self, name: &str, email: &str) -> bool {
        let Some(provider) = self.find(name) else { return false };
        let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
        provider.config.allowed_domains.is_empty()
            || provider.config.allowed_domains.iter().any(|allowed| allowed.eq_ignore_ascii_case(domain))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    fn find(&self, name: &str) -> Option<&Provider> {
        self.list.iter().find(|p| p.config.name == name)
    }

    fn redirect_uri(&self, name: &str) -> String {
        format!("{}/{name}/callback", self.callback_base)
    }

    /// Where to send the browser: the provider's authorization endpoint with a fresh
    /// `state`, a PKCE S256 challenge and (for OIDC) a `nonce`.
    pub async fn authorize(&self, name: &str) -> Result<Authorization, ProviderError> {
        let provider = self.find(name).ok_or_else(|| ProviderError::Rejected(format!("no provider {name}")))?;
        let endpoints = self.endpoints(provider).await?;
        let client = self.client(provider, &endpoints)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = crate::auth::token::generate();
        let mut request = client
            .authorize_url(|| CsrfToken::new(crate::auth::token::generate()))
            .add_scopes(provider.config.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge);
        if endpoints.oidc {
            request = request.add_extra_param("nonce", nonce.clone());
        }
        let (url, state) = request.url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.into_secret(),
            pkce_verifier: verifier.into_secret(),
            nonce,
        })
    }

    /// Trades the callback's code for tokens and learns who signed in, checking the ID
    /// token (OIDC) against the `nonce` this sign-in sent.
    pub async fn finish(
        &self,
        name: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Profile, ProviderError> {
        let provider = self.find(name).ok_or_else(|| ProviderError::Rejected(format!("no provider {name}")))?;
        let endpoints = self.endpoints(provider).await?;
        let client = self.client(provider, &endpoints)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                oauth2::RequestTokenError::ServerResponse(answer) => ProviderError::Rejected(answer.to_string()),
                other => ProviderError::Unavailable(other.to_string()),
            })?;
        let access_token = tokens.access_token().secret();
        match &provider.config.kind {
            ProviderKind::GitHub => github::profile(&self.http, access_token).await,
            ProviderKind::Oidc { .. } => {
                let id_token = tokens
                    .extra_fields()
                    .id_token
                    .as_deref()
                    .ok_or_else(|| ProviderError::Rejected("the token answer holds no ID token".into()))?;
                self.oidc_profile(provider, id_token, access_token, nonce).await
            }
        }
    }

    async fn oidc_profile(
        &self,
        provider: &Provider,
        id_token: &str,
        access_token: &str,
        nonce: &str,
    ) -> Result<Profile, ProviderError> {
        let ProviderKind::Oidc { issuer } = &provider.config.kind else { unreachable!("called for OIDC providers") };
        let known = provider.issuer.get(&self.http, issuer).await?;
        let issuer = known.metadata.issuer.as_str();
        let client_id = provider.config.client_id.as_str();
        let claims = match id_token::validate(id_token, &known.keys, issuer, client_id, nonce) {
            Err(id_token::IdTokenError::UnknownKey) => match provider.issuer.refresh_keys(&self.http).await? {
                Some(keys) => id_token::validate(id_token, &keys, issuer, client_id, nonce),
                None => Err(id_token::IdTokenError::UnknownKey),
            },
            checked => checked,
        }
        .map_err(|e| ProviderError::Rejected(e.to_string()))?;
        let mut profile = Profile {
            issuer: issuer.to_owned(),
            subject: claims.sub.clone(),
            email: claims.email.clone(),
            email_verified: id_token::is_true(claims.email_verified.as_ref()),
            name: claims.name.clone().or(claims.preferred_username.clone()),
            avatar_url: claims.picture.clone(),
        };
        // Many providers put the profile in the UserInfo answer rather than the token.
        if profile.email.is_none() || profile.name.is_none() {
            if let Some(endpoint) = &known.metadata.userinfo_endpoint {
                let info = userinfo(&self.http, endpoint, access_token).await?;
                if info.sub != claims.sub {
                    return Err(ProviderError::Rejected("UserInfo speaks of another subject".into()));
                }
                if profile.email.is_none() {
                    profile.email = info.email;
                    profile.email_verified = id_token::is_true(info.email_verified.as_ref());
                }
                profile.name = profile.name.or(info.name).or(info.preferred_username);
                profile.avatar_url = profile.avatar_url.or(info.picture);
            }
        }
        profile.email_verified |= provider.config.trust_email && profile.email.is_some();
        Ok(profile)
    }

    async fn endpoints(&self, provider: &Provider) -> Result<Endpoints, ProviderError> {
        Ok(match &provider.config.kind {
            ProviderKind::GitHub => Endpoints {
                authorize: github::AUTHORIZE_URL.into(),
                token: github::TOKEN_URL.into(),
                secret_in_body: true,
                oidc: false,
            },
            ProviderKind::Oidc { issuer } => {
                let known = provider.issuer.get(&self.http, issuer).await?;
                Endpoints {
                    secret_in_body: known.metadata.prefers_secret_in_body(),
                    authorize: known.metadata.authorization_endpoint,
                    token: known.metadata.token_endpoint,
                    oidc: true,
                }
            }
        })
    }

    fn client(&self, provider: &Provider, endpoints: &Endpoints) -> Result<Client, ProviderError> {
        let bad = |e: oauth2::url::ParseError| ProviderError::Unavailable(format!("bad endpoint URL: {e}"));
        let mut client = BaseClient::new(ClientId::new(provider.config.client_id.clone()))
            .set_auth_uri(AuthUrl::new(endpoints.authorize.clone()).map_err(bad)?)
            .set_token_uri(TokenUrl::new(endpoints.token.clone()).map_err(bad)?)
            .set_redirect_uri(RedirectUrl::new(self.redirect_uri(&provider.config.name)).map_err(bad)?);
        if let Some(secret) = &provider.config.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        if endpoints.secret_in_body {
            client = client.set_auth_type(AuthType::RequestBody);
        }
        Ok(client)
    }
}

struct Endpoints {
    authorize: String,
    token: String,
    secret_in_body: bool,
    oidc: bool,
}

/// The token answer with OpenID Connect's `id_token` beside the OAuth2 fields.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}
impl oauth2::ExtraTokenFields for IdTokenField {}

type TokenAnswer = StandardTokenResponse<IdTokenField, BasicTokenType>;
type BaseClient = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;
/// A client with its authorization and token endpoints set.
type Client = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    picture: Option<String>,
}

async fn userinfo(http: &reqwest::Client, endpoint: &str, access_token: &str) -> Result<UserInfo, ProviderError> {
    let unavailable = |e: reqwest::Error| ProviderError::Unavailable(format!("UserInfo: {e}"));
    let response = http.get(endpoint).bearer_auth(access_token).send().await.map_err(unavailable)?;
    response.error_for_status().map_err(unavailable)?.json().await.map_err(unavailable)
}

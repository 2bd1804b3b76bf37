//! GitHub: plain OAuth2, so who signed in comes from its REST API, with the email only
//! if GitHub marks it verified.

use serde::Deserialize;

use super::{Profile, ProviderError};

pub const AUTHORIZE_URL: &str = "https://github.com/login/oauth/authorize";
pub const TOKEN_URL: &str = "https://github.com/login/oauth/access_token";
const API: &str = "https://api.github.com";
/// GitHub account ids are unique on github.com, which vouches for them.
const ISSUER: &str = "https://github.com";

#[derive(Deserialize)]
struct GitHubUser {
    id: u64,
    login: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    avatar_url: Option<String>,
}

#[derive(Deserialize)]
struct GitHubEmail {
    email: String,
    primary: bool,
    verified: bool,
}

pub async fn profile(http: &reqwest::Client, access_token: &str) -> Result<Profile, ProviderError> {
    let user: GitHubUser = get(http, "/user", access_token).await?;
    let emails: Vec<GitHubEmail> = get(http, "/user/emails", access_token).await?;
    // The primary address if verified, else any verified one.
    let email = emails.iter().filter(|e| e.verified).max_by_key(|e| e.primary).map(|e| e.email.clone());
    Ok(Profile {
        issuer: ISSUER.into(),
        subject: user.id.to_string(),
        email_verified: email.is_some(),
        email,
        name: user.name.filter(|n| !n.trim().is_empty()).or(Some(user.login)),
        avatar_url: user.avatar_url,
    })
}

async fn get<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    path: &str,
    access_token: &str,
) -> Result<T, ProviderError> {
    let unavailable = |e: reqwest::Error| ProviderError::Unavailable(format!("GitHub {path}: {e}"));
    let response = http
        .get(format!("{API}{path}"))
        .bearer_auth(access_token)
        .header("accept", "application/vnd.github+json")
        .send()
        .await
        .map_err(unavailable)?;
    response.error_for_status().map_err(unavailable)?.json().await.map_err(unavailable)
}

//! Which providers this instance offers, read from `TANDEM_OAUTH_<NAME>_*`.
//!
//! `<NAME>` becomes the provider's name in its URLs (`/auth/<name>/login`, lower case).
//! `GITHUB`, `GOOGLE` and `GITLAB` come preset; any other name is a generic OpenID
//! Connect provider found through `_ISSUER` by discovery (Keycloak, Authentik, Dex,
//! Azure AD, Okta…).

use anyhow::{bail, Context};

#[derive(Clone, Debug, PartialEq)]
pub struct ProviderConfig {
    pub name: String,
    pub label: String,
    pub kind: ProviderKind,
    pub client_id: String,
    /// Absent for public clients, which rely on PKCE alone.
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
    /// When set, a first sign-in makes an account only for emails in these domains
    /// (anyone with a Google or GitHub account could otherwise join).
    pub allowed_domains: Vec<String>,
    /// The operator vouches for the provider's emails (an organization's own directory,
    /// such as Azure AD, which sends no `email_verified`): they count as verified.
    pub trust_email: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ProviderKind {
    /// GitHub speaks plain OAuth2; who the user is comes from its REST API.
    GitHub,
    /// An OpenID Connect provider, its endpoints and keys found from the issuer.
    Oidc { issuer: String },
}

const SETTINGS: [&str; 8] =
    ["CLIENT_ID", "CLIENT_SECRET", "ISSUER", "LABEL", "SCOPES", "PRESET", "ALLOWED_DOMAINS", "TRUST_EMAIL"];

/// Every provider with a `TANDEM_OAUTH_<NAME>_CLIENT_ID`, in name order.
pub fn providers_from_env(vars: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Vec<ProviderConfig>> {
    let vars: Vec<(String, String)> =
        vars.into_iter().filter(|(k, v)| k.starts_with("TANDEM_OAUTH_") && !v.trim().is_empty()).collect();
    let get = |name: &str, setting: &str| {
        let key = format!("TANDEM_OAUTH_{name}_{setting}");
        vars.iter().find(|(k, _)| *k == key).map(|(_, v)| v.trim().to_owned())
    };
    let mut names: Vec<&str> = vars
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("TANDEM_OAUTH_")?.strip_suffix("_CLIENT_ID"))
        .filter(|name| !name.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    // A setting for a provider without a client id is most likely a typo: say so.
    for (key, _) in &vars {
        let rest = key.trim_start_matches("TANDEM_OAUTH_");
        let known = names.iter().any(|n| SETTINGS.iter().any(|s| rest == format!("{n}_{s}")));
        if !known {
            bail!("{key} names no provider: each needs TANDEM_OAUTH_<NAME>_CLIENT_ID (settings: {SETTINGS:?})");
        }
    }
    names
        .into_iter()
        .map(|upper| {
            let name = upper.to_ascii_lowercase().replace('_', "-");
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                bail!("TANDEM_OAUTH_{upper}_*: a provider name may hold letters, digits and _ only");
            }
            let preset = get(upper, "PRESET").unwrap_or_else(|| name.clone()).to_ascii_lowercase();
            let issuer = get(upper, "ISSUER");
            let (kind, label, scopes) = match preset.as_str() {
                "github" => (ProviderKind::GitHub, "GitHub", "read:user user:email"),
                "google" => (
                    ProviderKind::Oidc { issuer: issuer.unwrap_or_else(|| "https://accounts.google.com".into()) },
                    "Google",
                    "openid email profile",
                ),
                "gitlab" => (
                    ProviderKind::Oidc { issuer: issuer.unwrap_or_else(|| "https://gitlab.com".into()) },
                    "GitLab",
                    "openid email profile",
                ),
                _ => {
                    let issuer = issuer.with_context(|| {
                        format!("TANDEM_OAUTH_{upper}_ISSUER is needed: the OpenID Connect issuer URL")
                    })?;
                    (ProviderKind::Oidc { issuer }, "", "openid email profile")
                }
            };
            if let ProviderKind::Oidc { issuer } = &kind {
                check_issuer(issuer).with_context(|| format!("TANDEM_OAUTH_{upper}_ISSUER"))?;
            }
            let label =
                get(upper, "LABEL").unwrap_or_else(|| if label.is_empty() { title(&name) } else { label.into() });
            let scopes = get(upper, "SCOPES").unwrap_or_else(|| scopes.into());
            Ok(ProviderConfig {
                label,
                kind,
                client_id: get(upper, "CLIENT_ID").unwrap_or_default(),
                client_secret: get(upper, "CLIENT_SECRET"),
                scopes: scopes.split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                allowed_domains: get(upper, "ALLOWED_DOMAINS")
                    .unwrap_or_default()
                    .split([' ', ','])
                    .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                    .filter(|d| !d.is_empty())
                    .collect(),
                trust_email: match get(upper, "TRUST_EMAIL").map(|v| v.to_ascii_lowercase()) {
                    None => false,
                    Some(v) if matches!(v.as_str(), "true" | "1" | "yes") => true,
                    Some(v) if matches!(v.as_str(), "false" | "0" | "no") => false,
                    Some(v) => bail!("TANDEM_OAUTH_{upper}_TRUST_EMAIL={v} is not true or false"),
                },
                name,
            })
        })
        .collect()
}

/// Issuers are https, but for one on this machine (a development or test provider).
fn check_issuer(issuer: &str) -> anyhow::Result<()> {
    let url = url::Url::parse(issuer).context("not a URL")?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        bail!("{issuer} must be an https URL");
    }
    Ok(())
}

fn title(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn presets_and_generic_providers_are_read_from_the_environment() {
        let found = providers_from_env(env(&[
            ("TANDEM_OAUTH_GITHUB_CLIENT_ID", "gh"),
            ("TANDEM_OAUTH_GITHUB_CLIENT_SECRET", "s"),
            ("TANDEM_OAUTH_MY_KEYCLOAK_CLIENT_ID", "kc"),
            ("TANDEM_OAUTH_MY_KEYCLOAK_ISSUER", "https://id.example.com/realms/team"),
            ("TANDEM_OAUTH_MY_KEYCLOAK_LABEL", "Company SSO"),
            ("TANDEM_OAUTH_MY_KEYCLOAK_TRUST_EMAIL", "yes"),
            ("TANDEM_OAUTH_GOOGLE_CLIENT_ID", "g"),
            ("TANDEM_OAUTH_GOOGLE_ALLOWED_DOMAINS", "example.com, @Example.org"),
            ("PATH", "/bin"),
        ]))
        .unwrap();
        assert_eq!(found.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["github", "google", "my-keycloak"]);
        assert_eq!(found[0].kind, ProviderKind::GitHub);
        assert_eq!(found[0].client_secret.as_deref(), Some("s"));
        assert_eq!(found[1].kind, ProviderKind::Oidc { issuer: "https://accounts.google.com".into() });
        assert_eq!(found[1].label, "Google");
        assert_eq!(found[1].scopes, ["openid", "email", "profile"]);
        assert_eq!(found[1].allowed_domains, ["example.com", "example.org"]);
        assert!(found[0].allowed_domains.is_empty());
        assert_eq!(found[2].label, "Company SSO");
        assert_eq!(found[2].client_secret, None);
        assert!(found[2].trust_email && !found[0].trust_email);
    }

    #[test]
    fn mistakes_are_refused_with_the_variable_named() {
        let missing_issuer = providers_from_env(env(&[("TANDEM_OAUTH_SSO_CLIENT_ID", "x")])).unwrap_err();
        assert!(format!("{missing_issuer:#}").contains("TANDEM_OAUTH_SSO_ISSUER"));
        let plain_http = providers_from_env(env(&[
            ("TANDEM_OAUTH_SSO_CLIENT_ID", "x"),
            ("TANDEM_OAUTH_SSO_ISSUER", "http://id.example.com"),
        ]))
        .unwrap_err();
        assert!(format!("{plain_http:#}").contains("https"));
        let unsure = providers_from_env(env(&[
            ("TANDEM_OAUTH_GITHUB_CLIENT_ID", "x"),
            ("TANDEM_OAUTH_GITHUB_TRUST_EMAIL", "maybe"),
        ]))
        .unwrap_err();
        assert!(unsure.to_string().contains("TRUST_EMAIL"));
        let typo = providers_from_env(env(&[("TANDEM_OAUTH_GITHUB_CLIENTID", "x")])).unwrap_err();
        assert!(typo.to_string().contains("TANDEM_OAUTH_GITHUB_CLIENTID"));
        let loopback = providers_from_env(env(&[
            ("TANDEM_OAUTH_DEV_CLIENT_ID", "x"),
            ("TANDEM_OAUTH_DEV_ISSUER", "http://127.0.0.1:9000"),
        ]));
        assert!(loopback.is_ok(), "a provider on this machine may use http");
    }
}

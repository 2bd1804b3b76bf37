//! A real OpenID Connect provider for the tests: `end2end/oidc/provider.mjs` (the
//! `oidc-provider` package, installed with the browser tests' packages) on loopback,
//! and a cookie-keeping client that goes through its sign-in pages like a browser.

use std::process::Stdio;

use reqwest::StatusCode;
use server::oauth::{ProviderConfig, ProviderKind};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::TestApp;

pub const PROVIDER: &str = "local";

pub struct OidcProvider {
    pub issuer: String,
    _child: Child,
}

impl OidcProvider {
    pub async fn start(redirect_uri: &str) -> Self {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end");
        assert!(
            std::path::Path::new(root).join("node_modules/oidc-provider").is_dir(),
            "the test OIDC provider is not installed: run scripts/setup.sh"
        );
        let port = crate::ports::free_port();
        let mut child = Command::new("node")
            .arg("oidc/provider.mjs")
            .current_dir(root)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_REDIRECT_URIS", redirect_uri)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs the test OIDC provider");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("oidc provider at") {
                    return true;
                }
            }
            false
        });
        assert!(ready.await.unwrap_or(false), "the test OIDC provider did not start");
        // Keep reading its output so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { issuer: format!("http://127.0.0.1:{port}"), _child: child }
    }
}

/// A Tandem whose public URL is its own address, offering the provider as `local`.
pub async fn app_with_provider() -> (TestApp, OidcProvider) {
    app_with_provider_for(&[]).await
}

/// As [`app_with_provider`], new accounts limited to these email domains.
pub async fn app_with_provider_for(allowed_domains: &[&str]) -> (TestApp, OidcProvider) {
    let domains: Vec<String> = allowed_domains.iter().map(|d| d.to_string()).collect();
    app_with_provider_set(move |p| p.allowed_domains = domains).await
}

/// As [`app_with_provider`], with the provider's settings changed.
pub async fn app_with_provider_set(
    adjust: impl FnOnce(&mut ProviderConfig) + Send + 'static,
) -> (TestApp, OidcProvider) {
    let port = crate::ports::free_port();
    let public_url = format!("http://127.0.0.1:{port}");
    let provider = OidcProvider::start(&format!("{public_url}/auth/{PROVIDER}/callback")).await;
    let issuer = provider.issuer.clone();
    let app = TestApp::spawn_with(move |c| {
        c.addr = format!("127.0.0.1:{port}").parse().unwrap();
        c.public_url = public_url;
        let mut provider = ProviderConfig {
            name: PROVIDER.into(),
            label: "Local ID".into(),
            kind: ProviderKind::Oidc { issuer },
            client_id: "tandem".into(),
            client_secret: Some("tandem-test-secret".into()),
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
            allowed_domains: Vec::new(),
            trust_email: false,
        };
        adjust(&mut provider);
        c.oauth_providers = vec![provider];
    })
    .await;
    (app, provider)
}

/// A browser: keeps cookies, follows nothing by itself.
pub struct Browser {
    pub http: reqwest::Client,
    base: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap();
        Self { http, base: app.base.clone() }
    }

    /// GETs a path on Tandem (or a full URL) and returns the status and `Location`.
    pub async fn visit(&self, path_or_url: &str) -> (StatusCode, String) {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        let r = self.http.get(url).send().await.unwrap();
        let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        (r.status(), location)
    }

    /// Starts at `start` (e.g. `/auth/local/login`), signs in at the provider as
    /// `login`, and returns the callback URL the provider sends the browser back to,
    /// without visiting it.
    pub async fn through_provider(&self, start: &str, login: &str) -> String {
        let (status, mut location) = self.visit(start).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{start} sends to the provider");
        let callback = format!("{}/auth/", self.base);
        for _ in 0..20 {
            if location.starts_with(&callback) {
                return location;
            }
            let response = self.http.get(&location).send().await.unwrap();
            let here = response.url().clone();
            if response.status().is_redirection() {
                let next = response.headers()["location"].to_str().unwrap();
                location = here.join(next).unwrap().to_string();
                continue;
            }
            // A sign-in or consent page: submit its form.
            let page = response.text().await.unwrap();
            let action = page.split("action=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a form");
            let mut form = hidden_inputs(&page);
            if page.contains("name=\"login\"") {
                form.extend([("login".to_owned(), login.to_owned()), ("password".to_owned(), "any".to_owned())]);
            }
            let posted = self.http.post(here.join(action).unwrap()).form(&form).send().await.unwrap();
            assert!(posted.status().is_redirection(), "the provider's form answers with a redirect");
            location = here.join(posted.headers()["location"].to_str().unwrap()).unwrap().to_string();
        }
        panic!("the provider never sent the browser back");
    }

    /// The whole sign-in: through the provider and back; returns where Tandem lands.
    pub async fn sign_in(&self, login: &str) -> String {
        let callback = self.through_provider(&format!("/auth/{PROVIDER}/login"), login).await;
        let (status, landing) = self.visit(&callback).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        landing
    }

    /// `GET /api/v1/me` with this browser's session cookie.
    pub async fn me(&self) -> (StatusCode, serde_json::Value) {
        let r = self.http.get(format!("{}/api/v1/me", self.base)).send().await.unwrap();
        (r.status(), r.json().await.unwrap_or_default())
    }

    /// Calls a server function that takes JSON.
    pub async fn rpc_json(&self, name: &str, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
        let r = self.http.post(format!("{}/rpc/{name}", self.base)).json(&body).send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }

    /// Calls a server function as the page would.
    pub async fn rpc(&self, name: &str, form: &[(&str, &str)]) -> (StatusCode, serde_json::Value) {
        let r = self
            .http
            .post(format!("{}/rpc/{name}", self.base))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }
}

/// The `name`/`value` pairs of a page's hidden inputs.
fn hidden_inputs(page: &str) -> Vec<(String, String)> {
    let attribute = |tag: &str, name: &str| {
        tag.split(&format!("{name}=\"")).nth(1).and_then(|rest| rest.split('"').next()).map(str::to_owned)
    };
    page.split("<input")
        .skip(1)
        .filter_map(|rest| rest.split('>').next())
        .filter(|tag| tag.contains("type=\"hidden\""))
        .filter_map(|tag| Some((attribute(tag, "name")?, attribute(tag, "value").unwrap_or_default())))
        .collect()
}

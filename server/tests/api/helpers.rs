//! A real Tandem on port 0 with its own fresh database, and a client for it.
//!
//! The database is a temporary SQLite file, or, when `TANDEM_TEST_POSTGRES` holds a
//! PostgreSQL server's URL, a new database created on that server for this one test.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use server::config::Config;
use server::startup::Application;
use tempfile::TempDir;

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub database_url: String,
    /// The running instance's service layer, for work no HTTP request starts.
    pub service: std::sync::Arc<server::service::Service>,
    pub config: Config,
    _dir: TempDir,
}

/// A clock the test moves by hand.
pub struct ManualClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl ManualClock {
    pub fn starting_now() -> std::sync::Arc<Self> {
        use server::clock::Clock;
        std::sync::Arc::new(Self(std::sync::Mutex::new(server::clock::SystemClock.now())))
    }

    /// A clock showing `at` (RFC 3339) until moved.
    pub fn starting_at(at: &str) -> std::sync::Arc<Self> {
        let at = chrono::DateTime::parse_from_rfc3339(at).expect("an RFC 3339 time").with_timezone(&chrono::Utc);
        std::sync::Arc::new(Self(std::sync::Mutex::new(at)))
    }

    pub fn advance(&self, by: chrono::TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

impl server::clock::Clock for ManualClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub token: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The `error.code` of an error reply.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("<no error code>")
    }
}

/// The password [`TestApp::user`] gives every account.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A server with some settings changed from the test defaults.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_with_clock(adjust, std::sync::Arc::new(server::clock::SystemClock)).await
    }

    /// A server whose service reads the time from `clock`.
    pub async fn spawn_with_clock(
        adjust: impl FnOnce(&mut Config),
        clock: std::sync::Arc<dyn server::clock::Clock>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = match std::env::var("TANDEM_TEST_POSTGRES") {
            Ok(server) if !server.is_empty() => crate::postgres::fresh_database(&server).await,
            _ => format!("sqlite://{}?mode=rwc", dir.path().join("tandem.db").display()),
        };
        let mut config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            database_url: database_url.clone(),
            redis_url: std::env::var("TANDEM_TEST_REDIS").ok().filter(|url| !url.is_empty()),
            public_url: "http://localhost:3000".into(),
            leptos_toml: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml").into()),
            ws_heartbeat: server::config::DEFAULT_WS_HEARTBEAT,
            db_pool: server::store::PoolSettings { max_connections: 4, ..Default::default() },
            security: Default::default(),
            oauth_providers: Vec::new(),
            // Off unless a test turns it on: a run at an unexpected moment would send
            // reminders the test did not ask for.
            reminder_cron: None,
            smtp: None,
            email_sender: true,
            // Pushes go to a push service the test runs on loopback, and only when the
            // test sends them.
            push: Some(server::push::PushSettings {
                subject: "mailto:ops@tandem.test".into(),
                hosts: vec!["127.0.0.1".into()],
                sender: false,
            }),
        };
        adjust(&mut config);
        let app = Application::build_with_clock(config.clone(), clock).await.expect("app builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let service = app.service().clone();
        tokio::spawn(app.run_until_stopped());
        // A request that hangs fails its test instead of stalling the whole run.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap();
        Self { base, http, database_url, service, config, _dir: dir }
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        Self::reply(req.send().await.expect("request sent")).await
    }

    pub async fn reply(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str, user: &TestUser) -> Reply {
        self.request(Method::GET, path, Some(&user.token), None).await
    }

    pub async fn post(&self, path: &str, user: &TestUser, body: Value) -> Reply {
        self.request(Method::POST, path, Some(&user.token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, user: &TestUser, body: Value) -> Reply {
        self.request(Method::PATCH, path, Some(&user.token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, user: &TestUser) -> Reply {
        self.request(Method::DELETE, path, Some(&user.token), None).await
    }

    /// A POST with a body sent as given, for requests a well-behaved client would not make.
    pub async fn post_raw(
        &self,
        path: &str,
        user: &TestUser,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut req = self.http.post(format!("{}{path}", self.base)).bearer_auth(&user.token).body(body);
        if let Some(content_type) = content_type {
            req = req.header("Content-Type", content_type);
        }
        Self::reply(req.send().await.expect("request sent")).await
    }

    /// The sign-in form as a browser posts it, for `email` with [`PASSWORD`]; the caller
    /// adds headers and sends it.
    pub fn sign_in_form(&self, email: &str) -> reqwest::RequestBuilder {
        self.http.post(format!("{}/rpc/sign_in", self.base)).form(&[("email", email), ("password", PASSWORD)])
    }

    /// Registers `name` (email `<name>@example.com`) and signs in through the token endpoint.
    pub async fn user(&self, name: &str) -> TestUser {
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        let reg = self
            .request(
                Method::POST,
                "/api/v1/auth/register",
                None,
                Some(json!({ "email": email, "name": name, "password": PASSWORD })),
            )
            .await;
        assert_eq!(reg.status, StatusCode::CREATED, "register {name}: {:?}", reg.body);
        let token = self.token(&email, PASSWORD).await;
        assert_eq!(token.status, StatusCode::OK, "token for {name}: {:?}", token.body);
        TestUser {
            id: reg.body["user"]["id"].as_str().unwrap().to_owned(),
            email,
            token: token.body["access_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn token(&self, email: &str, password: &str) -> Reply {
        let form = [("grant_type", "password"), ("username", email), ("password", password)];
        Self::reply(self.http.post(format!("{}/api/v1/auth/token", self.base)).form(&form).send().await.unwrap()).await
    }

    pub async fn project(&self, owner: &TestUser, name: &str) -> String {
        let r = self.post("/api/v1/projects", owner, json!({ "name": name })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    pub async fn add_member(&self, project: &str, by: &TestUser, who: &TestUser, role: &str) {
        let r = self
            .post(&format!("/api/v1/projects/{project}/members"), by, json!({ "email": who.email, "role": role }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }

    pub async fn task(&self, project: &str, by: &TestUser, body: Value) -> Value {
        let r = self.post(&format!("/api/v1/projects/{project}/tasks"), by, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }

    /// Another instance's service layer on the same database (and Redis), without its
    /// own HTTP server.
    pub async fn second_instance(
        &self,
        clock: std::sync::Arc<dyn server::clock::Clock>,
    ) -> std::sync::Arc<server::service::Service> {
        server::startup::build_service(&self.config, clock).await.expect("a second instance builds")
    }

    /// The storage interface over this server's database, for checks the API does not expose.
    pub async fn store(&self) -> std::sync::Arc<dyn server::store::Store> {
        server::startup::open_store(&self.database_url, Default::default()).await.unwrap()
    }
}

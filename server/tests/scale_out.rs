//! Several `tandem` processes on one PostgreSQL database and one Redis behave as one:
//! tokens work on each, live updates cross instances in order, clients of a dead
//! instance resume on another with nothing lost, and a Redis outage degrades without
//! losing anything.
//!
//! PostgreSQL is the server of `TANDEM_TEST_POSTGRES` (or this machine's); each test
//! makes its own database and, where Redis is stopped on purpose, its own `redis-server`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use sqlx::Connection;
use tokio_tungstenite::tungstenite::Message;

#[path = "support/ports.rs"]
mod ports;
#[path = "support/postgres.rs"]
mod postgres;

use ports::free_port;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A `tandem serve` process, killed when dropped.
struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (up to 5 s) until something listens on the loopback port.
fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn start_instance(database_url: &str, redis_url: &str) -> Instance {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("REDIS_URL", redis_url)
        .env("TANDEM_ADDR", format!("127.0.0.1:{port}"))
        .env("TANDEM_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("TANDEM_LEPTOS_TOML", concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("tandem starts");
    let instance = Instance { child, base: format!("http://127.0.0.1:{port}") };
    wait_for(&instance, "ok").await;
    instance
}

/// Waits until `/readyz` reports `status` (ok or degraded).
async fn wait_for(instance: &Instance, status: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        if let Ok(r) = reqwest::get(format!("{}/readyz", instance.base)).await {
            last = r.json().await.unwrap_or(Value::Null);
            if last["status"] == status {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} never reported {status}; last said {last}", instance.base);
}

async fn fresh_database() -> String {
    postgres::fresh_database(&postgres::test_server()).await
}

fn shared_redis() -> String {
    std::env::var("TANDEM_TEST_REDIS").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "redis://127.0.0.1:6379".into())
}

/// A Redis server of this test's own, so that stopping it disturbs nobody else.
struct OwnRedis {
    child: Child,
    port: u16,
}

impl OwnRedis {
    fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs");
        wait_for_port(port);
        Self { child, port }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn call(base: &str, method: reqwest::Method, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut request = reqwest::Client::new().request(method, format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if !body.is_null() {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

/// Registers Ada through `base` and returns her API token.
async fn ada(base: &str) -> String {
    let (email, password) = ("ada@example.com", "correct horse battery");
    call(
        base,
        reqwest::Method::POST,
        "/api/v1/auth/register",
        None,
        json!({ "email": email, "name": "Ada", "password": password }),
    )
    .await;
    let form = [("grant_type", "password"), ("username", email), ("password", password)];
    let token: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

async fn create_task(base: &str, token: &str, project: &str, title: &str) {
    let path = format!("/api/v1/projects/{project}/tasks");
    call(base, reqwest::Method::POST, &path, Some(token), json!({ "title": title })).await;
}

async fn subscribed_socket(base: &str, token: &str, project: &str, since: i64) -> Socket {
    let url = format!("{}/api/v1/ws?token={token}", base.replace("http", "ws"));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("socket opens");
    let subscribe = json!({ "type": "subscribe", "project_id": project, "since": since });
    socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    socket
}

/// Reads task events (created, updated) until `until`, or until the socket ends or goes quiet for 10 s.
async fn titles_until(socket: &mut Socket, until: i64, got: &mut Vec<(i64, String)>) {
    while got.last().map_or(0, |(seq, _)| *seq) < until {
        let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(10), socket.next()).await else {
            return;
        };
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == "task.created" || value["type"] == "task.updated" {
                got.push((value["seq"].as_i64().unwrap(), value["data"]["title"].as_str().unwrap().into()));
            }
        }
    }
}

fn seqs(got: &[(i64, String)]) -> Vec<i64> {
    got.iter().map(|(seq, _)| *seq).collect()
}

#[tokio::test]
async fn two_instances_share_sessions_and_live_updates_and_a_dead_ones_clients_resume_on_the_other() {
    let database = fresh_database().await;
    let a = start_instance(&database, &shared_redis()).await;
    let b = start_instance(&database, &shared_redis()).await;

    // A token issued by A works on B: nothing is kept in an instance.
    let token = ada(&a.base).await;
    let me = call(&b.base, reqwest::Method::GET, "/api/v1/me", Some(&token), Value::Null).await;
    assert_eq!(me["email"], "ada@example.com");
    let project = call(&b.base, reqwest::Method::POST, "/api/v1/projects", Some(&token), json!({ "name": "Launch" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut on_a = subscribed_socket(&a.base, &token, &project, 0).await;
    let mut on_b = subscribed_socket(&b.base, &token, &project, 0).await;
    for i in 1..=40 {
        create_task(if i % 2 == 0 { &a.base } else { &b.base }, &token, &project, &format!("t{i}")).await;
    }
    let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
    titles_until(&mut on_a, 40, &mut got_a).await;
    titles_until(&mut on_b, 40, &mut got_b).await;
    let expected: Vec<(i64, String)> = (1..=40).map(|i| (i, format!("t{i}"))).collect();
    assert_eq!(got_a, expected, "a socket on A sees changes made through either, in order");
    assert_eq!(got_b, expected, "so does a socket on B");

    // Reads, cached in Redis, never show what another instance has since changed.
    let list = format!("/api/v1/projects/{project}/tasks?sort=created_at&limit=100");
    let get = reqwest::Method::GET;
    for _ in 0..2 {
        let page = call(&b.base, get.clone(), &list, Some(&token), Value::Null).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 40);
    }
    let first = call(&b.base, get.clone(), &list, Some(&token), Value::Null).await["items"][0]["id"].clone();
    let task = format!("/api/v1/tasks/{}", first.as_str().unwrap());
    assert_eq!(call(&b.base, get.clone(), &task, Some(&token), Value::Null).await["title"], "t1");
    call(&a.base, reqwest::Method::PATCH, &task, Some(&token), json!({ "title": "renamed on A" })).await;
    assert_eq!(call(&b.base, get.clone(), &task, Some(&token), Value::Null).await["title"], "renamed on A");
    let page = call(&b.base, get.clone(), &list, Some(&token), Value::Null).await;
    assert_eq!(page["items"][0]["title"], "renamed on A");
    let metrics = reqwest::get(format!("{}/metrics", b.base)).await.unwrap().text().await.unwrap();
    let hits = metrics.lines().find(|l| l.starts_with("tandem_cache_reads_total{outcome=\"hit\"}")).unwrap();
    assert_ne!(hits.rsplit(' ').next(), Some("0"), "repeated reads come from the cache: {hits}");

    // A dies mid-stream; its client comes back on B from the last seq it saw. (The
    // rename above was event 41.)
    let writer = {
        let (b, token, project) = (b.base.clone(), token.clone(), project.clone());
        tokio::spawn(async move {
            for i in 42..=140 {
                create_task(&b, &token, &project, &format!("t{i}")).await;
            }
        })
    };
    titles_until(&mut on_a, 60, &mut got_a).await;
    drop(a);
    titles_until(&mut on_a, 140, &mut got_a).await; // ends when the socket does
    let resume_from = got_a.last().map_or(0, |(seq, _)| *seq);
    let mut moved = subscribed_socket(&b.base, &token, &project, resume_from).await;
    titles_until(&mut moved, 140, &mut got_a).await;
    titles_until(&mut on_b, 140, &mut got_b).await;
    writer.await.unwrap();
    let expected: Vec<i64> = (1..=140).collect();
    assert_eq!(seqs(&got_a), expected, "the moved client has every change once, in order");
    assert_eq!(seqs(&got_b), expected);
}

#[tokio::test]
async fn without_redis_instances_serve_and_stay_live_locally_then_catch_up_when_it_returns() {
    let database = fresh_database().await;
    let port = free_port();
    let mut redis = OwnRedis::start_on(port);
    let a = start_instance(&database, &redis.url()).await;
    let b = start_instance(&database, &redis.url()).await;
    let token = ada(&a.base).await;
    let project = call(&a.base, reqwest::Method::POST, "/api/v1/projects", Some(&token), json!({ "name": "Launch" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut on_a = subscribed_socket(&a.base, &token, &project, 0).await;
    let mut on_b = subscribed_socket(&b.base, &token, &project, 0).await;

    redis.stop();
    let ready = wait_for(&a, "degraded").await;
    assert_eq!(ready["redis"], "unreachable");
    assert_eq!(ready["database"], "ok");

    // A still takes changes and its own socket still hears them at once.
    create_task(&a.base, &token, &project, "while Redis is away").await;
    let mut got_a = Vec::new();
    titles_until(&mut on_a, 1, &mut got_a).await;
    assert_eq!(got_a, [(1, "while Redis is away".to_owned())]);

    // Redis returns: both instances reconnect by themselves, and B's socket gets what it
    // missed from the log.
    let _redis = OwnRedis::start_on(port);
    wait_for(&a, "ok").await;
    wait_for(&b, "ok").await;
    create_task(&a.base, &token, &project, "after").await;
    let mut got_b = Vec::new();
    titles_until(&mut on_b, 2, &mut got_b).await;
    assert_eq!(got_b, [(1, "while Redis is away".to_owned()), (2, "after".to_owned())]);
}

#[tokio::test]
async fn a_lost_database_makes_the_instance_unready_not_dead_and_it_recovers_by_itself() {
    let database = fresh_database().await;
    let name = database.rsplit('/').next().unwrap().to_owned();
    let a = start_instance(&database, &shared_redis()).await;
    let token = ada(&a.base).await;
    let project = call(&a.base, reqwest::Method::POST, "/api/v1/projects", Some(&token), json!({ "name": "Launch" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    create_task(&a.base, &token, &project, "before").await;

    // The database goes away: every connection is cut and no new one is allowed.
    let mut admin = sqlx::PgConnection::connect(&database.replace(&name, "postgres")).await.unwrap();
    sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).execute(&mut admin).await.unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&mut admin)
        .await
        .unwrap();
    let ready = reqwest::get(format!("{}/readyz", a.base)).await.expect("the instance still answers");
    assert_eq!(ready.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json::<Value>().await.unwrap()["database"], "unreachable");
    let refused = reqwest::Client::new()
        .post(format!("{}/api/v1/projects/{project}/tasks", a.base))
        .bearer_auth(&token)
        .json(&json!({ "title": "during" }))
        .send()
        .await
        .expect("the instance still answers");
    assert_eq!(refused.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"]["code"], "unavailable");

    // It comes back: the same process serves again, and nothing accepted was lost.
    sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).execute(&mut admin).await.unwrap();
    wait_for(&a, "ok").await;
    create_task(&a.base, &token, &project, "after").await;
    let path = format!("/api/v1/projects/{project}/tasks?sort=created_at");
    let page = call(&a.base, reqwest::Method::GET, &path, Some(&token), Value::Null).await;
    let titles: Vec<&str> = page["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["before", "after"]);
}

/// `deploy/nginx.conf`, pointed at two local instances, run by Debian's nginx.
struct Nginx {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: the master then stops its workers too.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

fn start_nginx(upstreams: [&Instance; 2]) -> Nginx {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/nginx.conf"))
        .unwrap()
        .replace("tandem1:3000", upstreams[0].base.trim_start_matches("http://"))
        .replace("tandem2:3000", upstreams[1].base.trim_start_matches("http://"))
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
        .replace("worker_connections 16384;", "worker_connections 1024;");
    assert_ne!(config.matches("127.0.0.1:").count(), 0);
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, config).unwrap();
    let nginx = ["/usr/sbin/nginx", "nginx"].into_iter().find(|n| Command::new(n).arg("-v").output().is_ok());
    let prefix = format!("{}/", dir.path().display());
    let child = Command::new(nginx.expect("nginx is installed (scripts/setup.sh)"))
        .args(["-p", &prefix, "-c", &conf.display().to_string(), "-e", "stderr"])
        .args(["-g", &format!("daemon off; pid {prefix}nginx.pid; user root;")])
        .stdout(Stdio::null())
        .spawn()
        .expect("nginx starts");
    wait_for_port(port);
    Nginx { child, base: format!("http://127.0.0.1:{port}"), _dir: dir }
}

async fn requests_answered(instance: &Instance) -> u64 {
    let text = reqwest::get(format!("{}/metrics", instance.base)).await.unwrap().text().await.unwrap();
    text.lines()
        .filter(|l| l.starts_with("tandem_http_requests_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test]
async fn behind_the_shipped_nginx_config_requests_spread_and_websockets_stay_live() {
    let database = fresh_database().await;
    let (a, b) = (start_instance(&database, &shared_redis()).await, start_instance(&database, &shared_redis()).await);
    let proxy = start_nginx([&a, &b]);
    let front = &proxy;

    let token = ada(&front.base).await;
    let project =
        call(&front.base, reqwest::Method::POST, "/api/v1/projects", Some(&token), json!({ "name": "Launch" })).await
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let (before_a, before_b) = (requests_answered(&a).await, requests_answered(&b).await);
    let mut socket = subscribed_socket(&front.base, &token, &project, 0).await;
    let writes = (1..=30).map(|i| {
        let (base, token, project) = (front.base.clone(), token.clone(), project.clone());
        async move { create_task(&base, &token, &project, &format!("t{i}")).await }
    });
    futures::future::join_all(writes).await;
    let mut got = Vec::new();
    titles_until(&mut socket, 30, &mut got).await;
    assert_eq!(seqs(&got), (1..=30).collect::<Vec<_>>(), "the upgraded socket hears changes made on both");
    let (after_a, after_b) = (requests_answered(&a).await, requests_answered(&b).await);
    assert!(
        after_a > before_a + 1 && after_b > before_b + 1,
        "both instances answered: {before_a}→{after_a}, {before_b}→{after_b}"
    );
}

/// The next presence message on `socket` whose users satisfy `wanted`.
async fn presence_until(socket: &mut Socket, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("the wanted presence within 10 s")
            .expect("socket open")
            .unwrap();
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == "presence" {
                let users = value["users"].as_array().cloned().unwrap_or_default();
                if wanted(&users) {
                    return users;
                }
            }
        }
    }
}

fn names(users: &[Value]) -> Vec<&str> {
    users.iter().filter_map(|u| u["name"].as_str()).collect()
}

#[tokio::test]
async fn presence_lists_viewers_on_every_instance() {
    let database = fresh_database().await;
    let (a, b) = (start_instance(&database, &shared_redis()).await, start_instance(&database, &shared_redis()).await);
    let ada_token = ada(&a.base).await;
    let post = reqwest::Method::POST;
    let project = call(&a.base, post.clone(), "/api/v1/projects", Some(&ada_token), json!({ "name": "Launch" })).await
        ["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob = json!({ "email": "bob@example.com", "name": "Bob", "password": "correct horse battery" });
    call(&b.base, post.clone(), "/api/v1/auth/register", None, bob).await;
    let members = format!("/api/v1/projects/{project}/members");
    call(&a.base, post, &members, Some(&ada_token), json!({ "email": "bob@example.com", "role": "member" })).await;
    let form = [("grant_type", "password"), ("username", "bob@example.com"), ("password", "correct horse battery")];
    let bob_token: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/token", b.base))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bob_token = bob_token["access_token"].as_str().unwrap();

    let mut on_a = subscribed_socket(&a.base, &ada_token, &project, 0).await;
    let mut on_b = subscribed_socket(&b.base, bob_token, &project, 0).await;
    let both = presence_until(&mut on_b, |users| users.len() == 2).await;
    assert_eq!(names(&both), ["Ada", "Bob"], "Bob, on B, sees Ada who is on A");
    presence_until(&mut on_a, |users| users.len() == 2).await;

    let task = uuid::Uuid::new_v4();
    let focus = json!({ "type": "focus", "project_id": project, "task_id": task });
    on_a.send(Message::Text(focus.to_string().into())).await.unwrap();
    let focused = presence_until(&mut on_b, |users| users.iter().any(|u| u["task_id"] == task.to_string())).await;
    assert_eq!(focused[0]["name"], "Ada");

    drop(on_a);
    let left = presence_until(&mut on_b, |users| users.len() == 1).await;
    assert_eq!(names(&left), ["Bob"], "Ada's leaving on A reaches B");
}

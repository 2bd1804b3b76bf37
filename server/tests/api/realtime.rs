//! `GET /api/v1/ws`: authenticated sockets that receive a project's events in order.

use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{TestApp, TestUser};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, user: &TestUser) -> Socket {
    let url = format!("{}/api/v1/ws?token={}", app.base.replace("http", "ws"), user.token);
    tokio::time::timeout(std::time::Duration::from_secs(10), tokio_tungstenite::connect_async(url))
        .await
        .expect("socket opens within 10 s")
        .expect("socket opens")
        .0
}

async fn send(socket: &mut Socket, value: Value) {
    socket.send(Message::Text(value.to_string().into())).await.unwrap();
}

/// The next JSON message, skipping pings; fails after five seconds.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
            .await
            .expect("a message within 5 s")
            .expect("socket open")
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

async fn subscribe(socket: &mut Socket, project: &str, since: Option<i64>) -> Value {
    send(socket, json!({ "type": "subscribe", "project_id": project, "since": since })).await;
    next(socket).await
}

#[tokio::test]
async fn a_subscriber_receives_each_change_in_order_with_the_whole_task() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let mut socket = connect(&app, &ada).await;
    assert_eq!(subscribe(&mut socket, &p, None).await["type"], "subscribed");

    let t = app.task(&p, &ada, json!({ "title": "Live" })).await;
    let id = t["id"].as_str().unwrap();
    app.patch(&format!("/api/v1/tasks/{id}"), &ada, json!({ "status": "done" })).await;
    app.post(&format!("/api/v1/tasks/{id}/comments"), &ada, json!({ "body": "shipped" })).await;
    app.delete(&format!("/api/v1/tasks/{id}"), &ada).await;

    let created = next(&mut socket).await;
    assert_eq!((created["type"].as_str(), created["seq"].as_i64()), (Some("task.created"), Some(1)));
    assert_eq!(created["data"], t);
    assert_eq!(created["actor_id"], ada.id);
    assert_eq!(created["project_id"], p);
    let updated = next(&mut socket).await;
    assert_eq!((updated["type"].as_str(), updated["seq"].as_i64()), (Some("task.updated"), Some(2)));
    assert_eq!(updated["data"]["status"], "done");
    assert_eq!(next(&mut socket).await["type"], "comment.created");
    let deleted = next(&mut socket).await;
    assert_eq!((deleted["type"].as_str(), deleted["seq"].as_i64()), (Some("task.deleted"), Some(4)));
}

#[tokio::test]
async fn since_replays_missed_events_then_continues_live_without_gaps() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    for i in 0..5 {
        app.task(&p, &ada, json!({ "title": format!("t{i}") })).await;
    }
    let mut socket = connect(&app, &ada).await;
    assert_eq!(subscribe(&mut socket, &p, Some(2)).await["seq"], 5);
    app.task(&p, &ada, json!({ "title": "live" })).await;
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(next(&mut socket).await["seq"].as_i64().unwrap());
    }
    assert_eq!(got, [3, 4, 5, 6]);
}

#[tokio::test]
async fn a_burst_of_changes_arrives_complete_and_in_order() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let mut socket = connect(&app, &ada).await;
    subscribe(&mut socket, &p, Some(0)).await;
    let path = format!("/api/v1/projects/{p}/tasks");
    let writes = (0..60).map(|i| app.post(&path, &ada, json!({ "title": format!("t{i}") })));
    futures::future::join_all(writes).await;
    let mut got = Vec::new();
    for _ in 0..60 {
        got.push(next(&mut socket).await["seq"].as_i64().unwrap());
    }
    assert_eq!(got, (1..=60).collect::<Vec<_>>());
}

#[tokio::test]
async fn subscribing_to_a_project_you_cannot_read_is_not_found() {
    let app = TestApp::spawn().await;
    let (ada, eve) = (app.user("Ada").await, app.user("Eve").await);
    let p = app.project(&ada, "Launch").await;
    let mut socket = connect(&app, &eve).await;
    let answer = subscribe(&mut socket, &p, None).await;
    assert_eq!((answer["type"].as_str(), answer["code"].as_str()), (Some("error"), Some("not_found")));
    app.task(&p, &ada, json!({ "title": "secret" })).await;
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut socket).await["type"], "pong", "nothing of the project leaked before the pong");
}

#[tokio::test]
async fn notifications_are_pushed_without_subscribing() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &bob, "member").await;
    let mut socket = connect(&app, &bob).await;
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut socket).await["type"], "pong");
    app.task(&p, &ada, json!({ "title": "For Bob", "assignee_ids": [bob.id] })).await;
    let pushed = next(&mut socket).await;
    assert_eq!(pushed["type"], "notification");
    assert_eq!(pushed["data"]["kind"], "task_assigned");
    assert_eq!(pushed["data"]["title"], "Ada assigned you “For Bob”");
}

#[tokio::test]
async fn upgrades_need_a_valid_token_and_the_public_origin() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let base = app.base.replace("http", "ws");
    let anonymous = tokio_tungstenite::connect_async(format!("{base}/api/v1/ws")).await;
    assert!(
        matches!(anonymous, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == StatusCode::UNAUTHORIZED)
    );

    let mut cross = format!("{base}/api/v1/ws?token={}", ada.token).into_client_request().unwrap();
    cross.headers_mut().insert("Origin", "https://evil.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(cross).await;
    assert!(
        matches!(refused, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == StatusCode::FORBIDDEN)
    );

    let mut same = format!("{base}/api/v1/ws").into_client_request().unwrap();
    same.headers_mut().insert("Origin", "http://localhost:3000".parse().unwrap());
    same.headers_mut().insert("Authorization", format!("Bearer {}", ada.token).parse().unwrap());
    assert!(tokio_tungstenite::connect_async(same).await.is_ok());
}

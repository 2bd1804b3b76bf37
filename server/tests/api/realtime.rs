//! `GET /api/v1/ws`: authenticated sockets that receive a project's events in order.

use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{TestApp, TestUser};

pub(crate) type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn connect(app: &TestApp, user: &TestUser) -> Socket {
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

/// The next JSON message other than presence, skipping pings; fails after five seconds.
pub(crate) async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = next_any(socket).await;
        if message["type"] != "presence" {
            return message;
        }
    }
}

async fn next_any(socket: &mut Socket) -> Value {
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

pub(crate) async fn subscribe(socket: &mut Socket, project: &str, since: Option<i64>) -> Value {
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
    seqs_until(&mut socket, 6, &mut got).await;
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
    seqs_until(&mut socket, 60, &mut got).await;
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

#[tokio::test]
async fn a_request_that_is_not_a_websocket_upgrade_is_refused_with_a_clear_error() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let url = format!("{}/api/v1/ws", app.base);
    let plain = app.http.get(&url).bearer_auth(&ada.token).send().await.unwrap();
    assert_eq!(plain.status(), StatusCode::BAD_REQUEST);
    let body: Value = plain.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("not a WebSocket upgrade"), "{body}");

    let handshake = |connection: &'static str, version: &'static str, key: &'static str| {
        app.http
            .get(&url)
            .bearer_auth(&ada.token)
            .header("Connection", connection)
            .header("Upgrade", "websocket")
            .header("Sec-WebSocket-Version", version)
            .header("Sec-WebSocket-Key", key)
            .send()
    };
    let old_version = handshake("keep-alive, Upgrade", "8", "dGhlIHNhbXBsZSBub25jZQ==").await.unwrap();
    assert_eq!(old_version.status(), StatusCode::UPGRADE_REQUIRED, "RFC 6455: the version spoken is named");
    assert_eq!(old_version.headers()["sec-websocket-version"], "13");

    let bad_key = handshake("Upgrade", "13", "short").await.unwrap();
    assert_eq!(bad_key.status(), StatusCode::BAD_REQUEST);
}

/// Open sockets as the server counts them in `/metrics`.
async fn open_sockets(app: &TestApp) -> u64 {
    metric(app, "tandem_websocket_connections").await
}

/// The value of the `/metrics` line `name` (with its labels, if any).
async fn metric(app: &TestApp, name: &str) -> u64 {
    let text = app.http.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    let prefix = format!("{name} ");
    let line = text.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("{name} listed"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// Waits (up to 5 s) until the server counts `n` open sockets.
async fn sockets_become(app: &TestApp, n: u64, why: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while open_sockets(app).await != n {
        assert!(std::time::Instant::now() < deadline, "{why}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Collects `seq`s from the socket until it closes or `until` arrives.
async fn seqs_until(socket: &mut Socket, until: i64, got: &mut Vec<i64>) {
    while got.last().copied().unwrap_or(0) < until {
        let Ok(Some(Ok(message))) = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next()).await
        else {
            return;
        };
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if let Some(seq) = value["seq"].as_i64().filter(|_| value["type"] != "subscribed") {
                got.push(seq);
            }
        }
    }
}

/// Project events handed to sockets so far, by way (`direct` or `queued`), from `/metrics`.
async fn events_handed(app: &TestApp, way: &str) -> u64 {
    metric(app, &format!("tandem_websocket_events_total{{way=\"{way}\"}}")).await
}

/// A ping answered means the server's side of the socket has finished what came before.
async fn settled(socket: &mut Socket) {
    send(socket, json!({ "type": "ping" })).await;
    assert_eq!(next(socket).await["type"], "pong");
}

#[tokio::test]
async fn sockets_in_step_get_events_straight_from_the_fan_out_and_one_catching_up_joins_them() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let mut first = connect(&app, &ada).await;
    subscribe(&mut first, &p, None).await;
    settled(&mut first).await;
    for i in 0..5 {
        app.task(&p, &ada, json!({ "title": format!("t{i}") })).await;
    }
    let mut got = Vec::new();
    seqs_until(&mut first, 5, &mut got).await;
    assert_eq!(got, vec![1, 2, 3, 4, 5]);
    assert_eq!(events_handed(&app, "direct").await, 5, "an in-step socket's events are written by the fan-out");
    assert_eq!(events_handed(&app, "queued").await, 0);

    // A second socket catches up from the log, then is in step too.
    let mut second = connect(&app, &ada).await;
    subscribe(&mut second, &p, Some(0)).await;
    let mut caught_up = Vec::new();
    seqs_until(&mut second, 5, &mut caught_up).await;
    assert_eq!(caught_up, vec![1, 2, 3, 4, 5]);
    settled(&mut second).await;
    for i in 5..8 {
        app.task(&p, &ada, json!({ "title": format!("t{i}") })).await;
    }
    seqs_until(&mut first, 8, &mut got).await;
    seqs_until(&mut second, 8, &mut caught_up).await;
    assert_eq!(got, (1..=8).collect::<Vec<_>>());
    assert_eq!(caught_up, (1..=8).collect::<Vec<_>>());
    assert_eq!(events_handed(&app, "direct").await, 5 + 3 * 2);
    assert_eq!(events_handed(&app, "queued").await, 0);
}

/// `n` sockets of the user's, each subscribed to the project and in step.
async fn room_of(app: &TestApp, user: &TestUser, project: &str, n: usize) -> Vec<Socket> {
    let mut sockets = Vec::new();
    for _ in 0..n {
        let mut socket = connect(app, user).await;
        subscribe(&mut socket, project, None).await;
        settled(&mut socket).await;
        sockets.push(socket);
    }
    sockets
}

#[tokio::test]
async fn a_room_of_hundreds_gets_every_event_in_order_from_the_fan_out() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    // Enough sockets for the fan-out to write from two threads.
    let mut sockets = room_of(&app, &ada, &p, 300).await;
    for i in 0..3 {
        app.task(&p, &ada, json!({ "title": format!("t{i}") })).await;
    }
    for socket in &mut sockets {
        let mut got = Vec::new();
        seqs_until(socket, 3, &mut got).await;
        assert_eq!(got, vec![1, 2, 3]);
    }
    assert_eq!(events_handed(&app, "direct").await, 3 * 300);
    assert_eq!(events_handed(&app, "queued").await, 0);
}

#[tokio::test]
async fn a_room_swept_in_several_parts_gets_a_burst_of_changes_once_and_in_order() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    // More sockets than one part of a sweep, so that changes may land between parts and
    // join the sweep (the merging itself is unit-tested in the hub).
    let mut sockets = room_of(&app, &ada, &p, 600).await;
    let path = format!("/api/v1/projects/{p}/tasks");
    for chunk in (0..60).collect::<Vec<_>>().chunks(6) {
        let writes = chunk.iter().map(|i| app.post(&path, &ada, json!({ "title": format!("t{i}") })));
        for reply in futures::future::join_all(writes).await {
            assert_eq!(reply.status, StatusCode::CREATED);
        }
    }
    for socket in &mut sockets {
        let mut got = Vec::new();
        seqs_until(socket, 60, &mut got).await;
        assert_eq!(got, (1..=60).collect::<Vec<_>>(), "every change once, in order");
    }
    assert_eq!(events_handed(&app, "direct").await, 60 * 600, "all in step: every event written by the fan-out, once");
}

#[tokio::test]
async fn reconnecting_during_a_burst_of_500_changes_loses_nothing() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let mut socket = connect(&app, &ada).await;
    subscribe(&mut socket, &p, Some(0)).await;

    let writer = {
        let (app, ada, p) = (app.clone(), ada.clone(), p.clone());
        tokio::spawn(async move {
            let path = format!("/api/v1/projects/{p}/tasks");
            for chunk in (0..500).collect::<Vec<_>>().chunks(10) {
                let writes = chunk.iter().map(|i| app.post(&path, &ada, json!({ "title": format!("t{i}") })));
                for reply in futures::future::join_all(writes).await {
                    assert_eq!(reply.status, StatusCode::CREATED);
                }
            }
        })
    };
    let mut got = Vec::new();
    seqs_until(&mut socket, 120, &mut got).await;
    drop(socket); // the network drops mid-burst
    let mut socket = connect(&app, &ada).await;
    subscribe(&mut socket, &p, got.last().copied()).await;
    seqs_until(&mut socket, 500, &mut got).await;
    writer.await.unwrap();
    assert_eq!(got, (1..=500).collect::<Vec<_>>(), "every change once, in order, across the reconnect");
}

/// A socket with a tiny receive window: the server's writes to it stall as soon as a
/// few frames are in flight and it is not reading.
async fn connect_slow(app: &TestApp, user: &TestUser) -> Socket {
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(
        tcp.connect(app.base.trim_start_matches("http://").parse().unwrap()).await.unwrap(),
    );
    let url = format!("{}/api/v1/ws?token={}", app.base.replace("http", "ws"), user.token);
    tokio_tungstenite::client_async(url, stream).await.unwrap().0
}

#[tokio::test]
async fn a_slow_consumer_is_cut_off_without_delaying_a_fast_one() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    // The slow client reads nothing and keeps a tiny receive window, so the server's
    // writes to it stall as soon as a few frames are in flight.
    let mut slow = connect_slow(&app, &ada).await;
    subscribe(&mut slow, &p, None).await;
    let mut fast = connect(&app, &ada).await;
    subscribe(&mut fast, &p, None).await;

    let total = (realtime_queue_frames() + 200) as i64;
    let writer = {
        let (app, ada, p) = (app.clone(), ada.clone(), p.clone());
        tokio::spawn(async move {
            let path = format!("/api/v1/projects/{p}/tasks");
            // Large frames, so the kernel's socket buffers fill after a few dozen.
            let body = "x".repeat(19_000);
            for chunk in (0..total).collect::<Vec<_>>().chunks(8) {
                let writes = chunk
                    .iter()
                    .map(|i| app.post(&path, &ada, json!({ "title": format!("t{i}"), "description": body })));
                futures::future::join_all(writes).await;
            }
            std::time::Instant::now()
        })
    };
    let mut got = Vec::new();
    seqs_until(&mut fast, total, &mut got).await;
    let fast_done = std::time::Instant::now();
    let writes_done = writer.await.unwrap();
    assert_eq!(got, (1..=total).collect::<Vec<_>>(), "the fast socket got everything in order");
    assert!(
        fast_done.saturating_duration_since(writes_done) < std::time::Duration::from_secs(2),
        "the fast socket kept pace with the writes"
    );

    // The slow one, once it reads, finds its frames in order and then a close asking it
    // to resume; nothing it was sent skips a seq. (A client that reads nothing for the
    // whole send timeout, as on a very busy machine, is dropped without the close frame.)
    let mut slow_got = Vec::new();
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(20), slow.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "task.created" {
                    slow_got.push(value["seq"].as_i64().unwrap());
                }
            }
            Ok(Some(Ok(Message::Close(frame)))) => {
                assert_eq!(frame.map(|f| u16::from(f.code)), Some(1013), "told to try again later");
                break;
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(tokio_tungstenite::tungstenite::Error::Protocol(
                tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
            )))) => break,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
    assert!((slow_got.len() as i64) < total, "the slow socket was cut off before the end");
    assert_eq!(slow_got, (1..=slow_got.len() as i64).collect::<Vec<_>>());
    let mut again = connect(&app, &ada).await;
    subscribe(&mut again, &p, slow_got.last().copied()).await;
    let mut rest = slow_got.clone();
    seqs_until(&mut again, total, &mut rest).await;
    assert_eq!(rest, (1..=total).collect::<Vec<_>>(), "resuming with since fills the rest");
}

#[tokio::test]
async fn a_large_catch_up_on_a_slow_link_does_not_crowd_out_live_events_of_another_project() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let (big, live) = (app.project(&ada, "Archive").await, app.project(&ada, "Launch").await);
    let body = "x".repeat(19_000);
    for i in 0..200 {
        app.task(&big, &ada, json!({ "title": format!("old {i}"), "description": body })).await;
    }
    // A client on a slow link: a tiny receive window, and nothing read for a while.
    let mut socket = connect_slow(&app, &ada).await;
    subscribe(&mut socket, &live, None).await;
    settled(&mut socket).await;
    // 3.8 MB to catch up on, while the other project's events keep coming.
    send(&mut socket, json!({ "type": "subscribe", "project_id": big, "since": 0 })).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    for i in 0..5 {
        app.task(&live, &ada, json!({ "title": format!("new {i}"), "description": body })).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let (mut old, mut new) = (Vec::new(), Vec::new());
    while old.len() < 200 || new.len() < 5 {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("the rest arrives")
            .expect("socket open")
            .expect("no error");
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "task.created" {
                    let seqs = if value["project_id"] == big.as_str() { &mut old } else { &mut new };
                    seqs.push(value["seq"].as_i64().unwrap());
                }
            }
            Message::Close(frame) => panic!("a client that reads, however slowly, is not cut off: {frame:?}"),
            _ => {}
        }
    }
    assert_eq!(old, (1..=200).collect::<Vec<_>>());
    assert_eq!(new, (1..=5).collect::<Vec<_>>());
}

fn realtime_queue_frames() -> usize {
    server::realtime::QUEUE_FRAMES
}

#[tokio::test]
async fn presence_lists_who_is_viewing_and_which_task_they_have_open() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &bob, "member").await;
    let t = app.task(&p, &ada, json!({ "title": "Open me" })).await;

    let mut ada_socket = connect(&app, &ada).await;
    subscribe(&mut ada_socket, &p, None).await;
    let names = |v: &Value| v["users"].as_array().unwrap().iter().map(|u| u["name"].clone()).collect::<Vec<_>>();
    let first = next_any(&mut ada_socket).await;
    assert_eq!((first["type"].as_str(), names(&first)), (Some("presence"), vec![json!("Ada")]));

    let mut bob_socket = connect(&app, &bob).await;
    subscribe(&mut bob_socket, &p, None).await;
    send(&mut bob_socket, json!({ "type": "focus", "project_id": p, "task_id": t["id"] })).await;
    let seen = loop {
        let m = next_any(&mut ada_socket).await;
        if m["users"].as_array().is_some_and(|u| u.len() == 2 && u[1]["task_id"] == t["id"]) {
            break m;
        }
    };
    assert_eq!(names(&seen), vec![json!("Ada"), json!("Bob")]);
    assert_eq!(seen["count"], 2);

    drop(bob_socket);
    let after = loop {
        let m = next_any(&mut ada_socket).await;
        if m["type"] == "presence" && m["count"] == 1 {
            break m;
        }
    };
    assert_eq!(names(&after), vec![json!("Ada")]);
    sockets_become(&app, 1, "the closed socket left the hub").await;
}

#[tokio::test]
async fn a_client_that_stops_answering_is_closed_and_forgotten() {
    let app = TestApp::spawn_with(|c| c.ws_heartbeat = std::time::Duration::from_millis(400)).await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let mut alive = connect(&app, &ada).await;
    subscribe(&mut alive, &p, None).await;
    // A client that never reads never answers the server's pings: it looks dead.
    let mut silent = connect(&app, &ada).await;
    send(&mut silent, json!({ "type": "subscribe", "project_id": p })).await;
    sockets_become(&app, 2, "both sockets are seated").await;

    // The live one keeps answering (reading makes the client pong) for a few heartbeats.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while std::time::Instant::now() < deadline {
        let _ = tokio::time::timeout(std::time::Duration::from_millis(100), alive.next()).await;
    }
    assert_eq!(open_sockets(&app).await, 1, "the silent socket was closed, the answering one kept");
    app.task(&p, &ada, json!({ "title": "still live" })).await;
    assert_eq!(next(&mut alive).await["type"], "task.created");
}

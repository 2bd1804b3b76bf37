//! Web push against a push service on loopback: each device gets its own encrypted
//! message signed with the server's VAPID key; expired subscriptions are forgotten,
//! unreachable ones retried; preferences and quiet hours apply; subscriptions are checked.

use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{ManualClock, TestApp, TestUser};
use crate::push_service::{vapid_claims, Device, PushService};

async fn subscribe(app: &TestApp, user: &TestUser, device: &Device, service: &PushService) -> Value {
    let r = app.post("/api/v1/me/push-subscriptions", user, device.subscription(service)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn devices(app: &TestApp, user: &TestUser) -> Vec<String> {
    let r = app.get("/api/v1/me/push-subscriptions", user).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body.as_array().unwrap().iter().map(|d| d["device"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn each_device_gets_the_notification_encrypted_for_it_and_signed_by_the_server() {
    let service = PushService::start().await;
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let (mut phone, mut laptop) = (Device::new("phone"), Device::new("laptop"));
    subscribe(&app, &bob, &phone, &service).await;
    subscribe(&app, &bob, &laptop, &service).await;
    assert_eq!(devices(&app, &bob).await, ["Test laptop", "Test phone"], "newest first");
    assert_eq!(devices(&app, &ada).await, Vec::<String>::new());
    let me = app.get("/api/v1/me", &bob).await;
    assert!(me.body["notifications"]["events"]["task_assigned"].as_array().unwrap().contains(&json!("push")));

    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    let task = app.task(&project, &ada, json!({ "title": "Ship it", "assignee_ids": [bob.id] })).await;
    let task_id = task["id"].as_str().unwrap();
    assert_eq!(app.service.send_due_pushes().await.unwrap(), 1);
    assert_eq!(app.service.send_due_pushes().await.unwrap(), 0, "once");

    let key = app.get("/api/v1/push/key", &bob).await.body["public_key"].as_str().unwrap().to_owned();
    for device in [&mut phone, &mut laptop] {
        let got = service.received(&device.name);
        assert_eq!(got.len(), 1, "{}", device.name);
        let message = device.open(&got[0].body);
        assert_eq!(message["title"], "Ada assigned you “Ship it”");
        assert_eq!(message["body"], "Launch");
        assert_eq!(message["url"], format!("/tasks/{task_id}"));
        assert_eq!(message["tag"], task_id);
        assert_eq!(got[0].headers["content-encoding"], "aes128gcm");
        assert_eq!(got[0].headers["ttl"], "86400");
        let claims = vapid_claims(&got[0].headers, &key);
        assert_eq!(claims["aud"], service.base);
        assert_eq!(claims["sub"], "mailto:ops@tandem.test");
        assert!(claims["exp"].as_i64().unwrap() > chrono::Utc::now().timestamp());
    }
    // Ada did it herself: nothing for her, and a comment (app only by default) pushes nothing.
    let r = app.post(&format!("/api/v1/tasks/{task_id}/comments"), &ada, json!({ "body": "Thanks!" })).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(app.service.send_due_pushes().await.unwrap(), 0);
    assert_eq!(service.count(), 2);
}

#[tokio::test]
async fn expired_devices_are_forgotten_and_unreachable_ones_tried_again_later() {
    let service = PushService::start().await;
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let (old, mut flaky) = (Device::new("old"), Device::new("flaky"));
    subscribe(&app, &bob, &old, &service).await;
    subscribe(&app, &bob, &flaky, &service).await;
    service.answer("old", 410);
    service.answer("flaky", 503);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    app.task(&project, &ada, json!({ "title": "Ship it", "assignee_ids": [bob.id] })).await;

    assert_eq!(app.service.send_due_pushes().await.unwrap(), 0);
    assert_eq!(devices(&app, &bob).await, ["Test flaky"], "the push service said the old one is gone");
    assert_eq!(app.service.send_due_pushes().await.unwrap(), 0, "not again before its retry time");
    assert_eq!(service.received("flaky").len(), 1);

    service.answer("flaky", 201);
    clock.advance(TimeDelta::seconds(31));
    assert_eq!(app.service.send_due_pushes().await.unwrap(), 1);
    let got = service.received("flaky");
    assert_eq!(got.len(), 2);
    assert_eq!(flaky.open(&got[1].body)["title"], "Ada assigned you “Ship it”");
    assert_eq!(service.received("old").len(), 1, "the forgotten device gets nothing more");
}

#[tokio::test]
async fn preferences_and_quiet_hours_decide_what_is_pushed_and_when() {
    let service = PushService::start().await;
    // 23:00 in UTC: inside quiet hours of 22:00–07:00.
    let clock = ManualClock::starting_at("2026-11-23T23:00:00Z");
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let mut phone = Device::new("phone");
    subscribe(&app, &bob, &phone, &service).await;
    let prefs = json!({ "notifications": {
        "events": { "task_assigned": ["app"], "comment_added": ["app", "push"] },
        "quiet_hours": { "from": "22:00", "to": "07:00" },
    } });
    assert_eq!(app.patch("/api/v1/me", &bob, prefs).await.status, StatusCode::OK);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    let task = app.task(&project, &ada, json!({ "title": "Ship it", "assignee_ids": [bob.id] })).await;
    let task_id = task["id"].as_str().unwrap();
    let r = app.post(&format!("/api/v1/tasks/{task_id}/comments"), &ada, json!({ "body": "Ready?" })).await;
    assert_eq!(r.status, StatusCode::CREATED);

    assert_eq!(app.service.send_due_pushes().await.unwrap(), 0, "quiet hours hold the comment");
    clock.advance(TimeDelta::hours(8));
    assert_eq!(app.service.send_due_pushes().await.unwrap(), 1);
    let got = service.received("phone");
    assert_eq!(got.len(), 1, "the assignment was not for push");
    assert_eq!(phone.open(&got[0].body)["title"], "Ada commented on “Ship it”");
}

#[tokio::test]
async fn subscriptions_are_checked_and_belong_to_one_person() {
    let service = PushService::start().await;
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let device = Device::new("shared");
    let good = device.subscription(&service);
    let path = "/api/v1/me/push-subscriptions";
    let with = |change: Value| {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, field) in [
        (with(json!({ "endpoint": "https://evil.example/push/1" })), "endpoint"),
        (with(json!({ "endpoint": "http://10.0.0.1/push/1" })), "endpoint"),
        (with(json!({ "endpoint": "" })), "endpoint"),
        (with(json!({ "keys": { "p256dh": "AAAA", "auth": good["keys"]["auth"] } })), "keys"),
        // 65 bytes starting 0x04, but not a point on the curve.
        (with(json!({ "keys": { "p256dh": format!("BA{}", "A".repeat(85)), "auth": good["keys"]["auth"] } })), "keys"),
        (with(json!({ "keys": { "p256dh": good["keys"]["p256dh"], "auth": "not base64!" } })), "keys"),
    ] {
        let r = app.post(path, &ada, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {:?}", r.body);
        assert!(r.body["error"]["details"]["fields"][field].is_string(), "{body}: {:?}", r.body);
    }
    let r = app.post(path, &ada, with(json!({ "keys": "none" }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(devices(&app, &ada).await.len(), 0, "nothing refused was kept");

    // One browser, one subscription: whoever subscribes it last gets its pushes.
    let ada_device = subscribe(&app, &ada, &device, &service).await;
    subscribe(&app, &bob, &device, &service).await;
    assert_eq!(devices(&app, &ada).await.len(), 0);
    assert_eq!(devices(&app, &bob).await, ["Test shared"]);
    // Knowing the endpoint is not enough: with other keys it is another device's.
    let impostor = Device::new("shared").subscription(&service);
    let r = app.post(path, &ada, impostor).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["details"]["fields"]["endpoint"].is_string());
    assert_eq!(devices(&app, &bob).await, ["Test shared"]);
    let bobs = app.get(path, &bob).await.body[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.delete(&format!("{path}/{bobs}"), &ada).await.status, StatusCode::NOT_FOUND, "not Ada's");
    assert_eq!(
        app.delete(&format!("{path}/{}", ada_device["id"].as_str().unwrap()), &ada).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&format!("{path}/{bobs}"), &bob).await.status, StatusCode::NO_CONTENT);
    assert_eq!(devices(&app, &bob).await.len(), 0);
}

#[tokio::test]
async fn a_server_with_push_off_says_so() {
    let app = TestApp::spawn_with(|c| c.push = None).await;
    let ada = app.user("Ada").await;
    let r = app.get("/api/v1/push/key", &ada).await;
    assert_eq!((r.status, r.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"));
    let r = app
        .post("/api/v1/me/push-subscriptions", &ada, Device::new("x").subscription(&PushService::start().await))
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn two_instances_sign_alike_and_send_each_push_exactly_once() {
    let service = PushService::start().await;
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let other = app.second_instance(clock.clone()).await;
    assert_eq!(other.push_key().unwrap(), app.service.push_key().unwrap(), "one key, made by the first to start");
    let ada = app.user("Ada").await;
    let project = app.project(&ada, "Launch").await;
    let mut people = Vec::new();
    for i in 0..6 {
        let user = app.user(&format!("Person {i}")).await;
        app.add_member(&project, &ada, &user, "member").await;
        subscribe(&app, &user, &Device::new(&format!("device{i}")), &service).await;
        people.push(user);
    }
    for (i, person) in people.iter().enumerate() {
        app.task(&project, &ada, json!({ "title": format!("Task {i}"), "assignee_ids": [person.id] })).await;
    }
    let runs = (0..6).map(|i| {
        let service = if i % 2 == 0 { app.service.clone() } else { other.clone() };
        async move { service.send_due_pushes().await.unwrap() }
    });
    let sent: usize = futures::future::join_all(runs).await.into_iter().sum();
    assert_eq!(sent, 6);
    for i in 0..6 {
        assert_eq!(service.received(&format!("device{i}")).len(), 1, "device{i}");
    }
}

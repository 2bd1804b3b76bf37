//! No lost writes: stale edits to the same field conflict, edits to different fields merge.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn stale_edit_of_the_same_field_gets_409_with_the_current_task() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &bob, "member").await;
    let t = app.task(&p, &ada, json!({ "title": "Draft" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    let first = app.patch(&path, &ada, json!({ "title": "Ada's title", "version": 1 })).await;
    assert_eq!(first.status, StatusCode::OK);
    let second = app.patch(&path, &bob, json!({ "title": "Bob's title", "version": 1 })).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.code(), "version_conflict");
    assert_eq!(second.body["error"]["details"]["current"]["title"], "Ada's title");
    assert_eq!(second.body["error"]["details"]["current"]["version"], 2);
    assert_eq!(app.get(&path, &ada).await.body["title"], "Ada's title");
}

#[tokio::test]
async fn stale_edit_of_other_fields_merges() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "Draft" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    app.patch(&path, &ada, json!({ "title": "New title", "version": 1 })).await;
    let merged = app.patch(&path, &ada, json!({ "priority": "high", "version": 1 })).await;
    assert_eq!(merged.status, StatusCode::OK, "{:?}", merged.body);
    assert_eq!((merged.body["title"].as_str(), merged.body["priority"].as_str()), (Some("New title"), Some("high")));
    assert_eq!(merged.body["version"], 3);
}

#[tokio::test]
async fn if_match_header_carries_the_version() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "Draft" })).await;
    let url = format!("{}/api/v1/tasks/{}", app.base, t["id"].as_str().unwrap());
    let send = |version: &str, title: &str| {
        app.http.patch(&url).bearer_auth(&ada.token).header("If-Match", version).json(&json!({ "title": title })).send()
    };
    assert_eq!(send("1", "one").await.unwrap().status(), StatusCode::OK);
    assert_eq!(send("\"1\"", "two").await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(send("2", "two").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        send("9", "three").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a version from the future"
    );
}

#[tokio::test]
async fn concurrent_edits_to_different_fields_all_land() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "Draft" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    let edits = [
        json!({ "title": "T", "version": 1 }),
        json!({ "priority": "high", "version": 1 }),
        json!({ "status": "in_progress", "version": 1 }),
        json!({ "labels": ["a"], "version": 1 }),
        json!({ "description": "D", "version": 1 }),
        json!({ "due_at": "2026-12-24T18:00:00Z", "version": 1 }),
    ];
    let replies = futures::future::join_all(edits.iter().map(|e| app.patch(&path, &ada, e.clone()))).await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let now = app.get(&path, &ada).await.body;
    assert_eq!(
        (now["title"].as_str(), now["priority"].as_str(), now["status"].as_str()),
        (Some("T"), Some("high"), Some("in_progress"))
    );
    assert_eq!((now["labels"].clone(), now["description"].as_str()), (json!(["a"]), Some("D")));
    assert_eq!(now["due_at"], "2026-12-24T18:00:00Z");
    assert_eq!(now["version"], 7);
}

#[tokio::test]
async fn unversioned_concurrent_edits_to_one_field_each_land_once() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "0" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    let replies =
        futures::future::join_all((1..=8).map(|i| app.patch(&path, &ada, json!({ "title": i.to_string() })))).await;
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    let activity = app.get(&format!("{path}/activity"), &ada).await.body;
    assert_eq!(activity["items"].as_array().unwrap().len(), 9, "created + 8 updates, none lost");
    assert_eq!(app.get(&path, &ada).await.body["version"], 9);
}

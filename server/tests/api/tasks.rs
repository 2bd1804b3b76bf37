use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn create_task_fills_defaults_and_returns_the_whole_task() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "  Write the plan  " })).await;
    assert_eq!(t["title"], "Write the plan");
    assert_eq!((t["status"].as_str(), t["priority"].as_str()), (Some("todo"), Some("none")));
    assert_eq!((t["version"].as_i64(), t["created_by"].as_str()), (Some(1), Some(ada.id.as_str())));
    for field in ["description", "due_at", "completed_at"] {
        assert!(t[field].is_null(), "{field}");
    }
    assert_eq!((t["assignee_ids"].clone(), t["labels"].clone()), (json!([]), json!([])));
    let fetched = app.get(&format!("/api/v1/tasks/{}", t["id"].as_str().unwrap()), &ada).await;
    assert_eq!(fetched.body, t);
}

#[tokio::test]
async fn create_task_with_every_field() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &bob, "member").await;
    let t = app
        .task(
            &p,
            &ada,
            json!({
                "title": "Ship", "description": "**now**", "status": "in_progress", "priority": "urgent",
                "due_at": "2026-12-01T09:30:00Z", "assignee_ids": [bob.id, ada.id], "labels": ["release", " ops "]
            }),
        )
        .await;
    assert_eq!(t["due_at"], "2026-12-01T09:30:00Z");
    assert_eq!(t["assignee_ids"], json!([bob.id, ada.id]));
    assert_eq!(t["labels"], json!(["release", "ops"]));
    assert_eq!((t["status"].as_str(), t["priority"].as_str()), (Some("in_progress"), Some("urgent")));
}

#[tokio::test]
async fn assignees_must_be_project_members() {
    let app = TestApp::spawn().await;
    let (ada, eve) = (app.user("Ada").await, app.user("Eve").await);
    let p = app.project(&ada, "Launch").await;
    let r =
        app.post(&format!("/api/v1/projects/{p}/tasks"), &ada, json!({ "title": "x", "assignee_ids": [eve.id] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["details"]["fields"]["assignee_ids"].is_string());
}

#[tokio::test]
async fn completing_sets_completed_at_and_reopening_clears_it() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "x" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    let done = app.patch(&path, &ada, json!({ "status": "done" })).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body["completed_at"].is_string());
    assert_eq!(done.body["version"], 2);
    let reopened = app.patch(&path, &ada, json!({ "status": "todo" })).await;
    assert!(reopened.body["completed_at"].is_null());
    assert_eq!(reopened.body["version"], 3);
}

#[tokio::test]
async fn a_patch_that_changes_nothing_keeps_the_version() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "Same" })).await;
    let r = app.patch(&format!("/api/v1/tasks/{}", t["id"].as_str().unwrap()), &ada, json!({ "title": "Same" })).await;
    assert_eq!(r.body["version"], 1);
}

#[tokio::test]
async fn viewers_read_but_cannot_write() {
    let app = TestApp::spawn().await;
    let (ada, vic) = (app.user("Ada").await, app.user("Vic").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &vic, "viewer").await;
    let t = app.task(&p, &ada, json!({ "title": "x" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    assert_eq!(app.get(&path, &vic).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/projects/{p}/tasks"), &vic).await.status, StatusCode::OK);
    for r in [
        app.post(&format!("/api/v1/projects/{p}/tasks"), &vic, json!({ "title": "y" })).await,
        app.patch(&path, &vic, json!({ "title": "z" })).await,
        app.delete(&path, &vic).await,
        app.post(&format!("{path}/comments"), &vic, json!({ "body": "hi" })).await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    }
    assert_eq!(app.get(&path, &ada).await.body["title"], "x");
}

#[tokio::test]
async fn outsiders_get_404_for_tasks_of_other_projects() {
    let app = TestApp::spawn().await;
    let (ada, eve) = (app.user("Ada").await, app.user("Eve").await);
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "secret" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    for r in [
        app.get(&path, &eve).await,
        app.patch(&path, &eve, json!({ "title": "mine" })).await,
        app.delete(&path, &eve).await,
        app.get(&format!("{path}/comments"), &eve).await,
        app.post(&format!("{path}/comments"), &eve, json!({ "body": "x" })).await,
        app.get(&format!("{path}/activity"), &eve).await,
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    }
    assert_eq!(app.get(&path, &ada).await.body["title"], "secret");
}

#[tokio::test]
async fn delete_task_answers_204_then_404() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "x" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    assert_eq!(app.delete(&path, &ada).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, &ada).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&path, &ada).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_change_writes_one_event_with_a_gapless_seq() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "x" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    app.patch(&path, &ada, json!({ "title": "y" })).await;
    app.post(&format!("{path}/comments"), &ada, json!({ "body": "hi" })).await;
    app.delete(&path, &ada).await;
    let events = app.store().await.events_since(p.parse().unwrap(), 0, 100).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["task.created", "task.updated", "comment.created", "task.deleted"]);
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(app.get(&format!("/api/v1/projects/{p}"), &ada).await.body["seq"], 4);
}

#[tokio::test]
async fn concurrent_creates_keep_seq_gapless() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let path = format!("/api/v1/projects/{p}/tasks");
    let writes = (0..20).map(|i| app.post(&path, &ada, json!({ "title": format!("t{i}") })));
    for r in futures::future::join_all(writes).await {
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let events = app.store().await.events_since(p.parse().unwrap(), 0, 100).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=20).collect::<Vec<_>>());
}

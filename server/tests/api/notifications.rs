use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn assigning_comments_and_mentions_notify_others_but_never_the_actor() {
    let app = TestApp::spawn().await;
    let (ada, bob, cy) = (app.user("Ada Lovelace").await, app.user("Bob").await, app.user("Cy").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &bob, "member").await;
    app.add_member(&p, &ada, &cy, "member").await;
    let t = app.task(&p, &ada, json!({ "title": "Ship it", "assignee_ids": [bob.id, ada.id] })).await;
    let task_id = t["id"].as_str().unwrap();

    let bobs = app.get("/api/v1/notifications", &bob).await.body;
    assert_eq!(bobs["items"][0]["kind"], "task_assigned");
    assert_eq!(bobs["items"][0]["title"], "Ada Lovelace assigned you “Ship it”");
    assert_eq!(bobs["items"][0]["task_id"], task_id);
    assert_eq!(bobs["items"][0]["actor_id"], ada.id);
    assert_eq!(app.get("/api/v1/notifications", &ada).await.body["items"], json!([]));

    app.post(&format!("/api/v1/tasks/{task_id}/comments"), &bob, json!({ "body": "done? @cy" })).await;
    let cys = app.get("/api/v1/notifications", &cy).await.body;
    assert_eq!(cys["items"][0]["kind"], "mentioned");
    let adas = app.get("/api/v1/notifications", &ada).await.body;
    assert_eq!(adas["items"][0]["kind"], "comment_added");
    let bobs = app.get("/api/v1/notifications", &bob).await.body;
    assert_eq!(bobs["items"].as_array().unwrap().len(), 1, "not told of their own comment");
}

#[tokio::test]
async fn notifications_are_marked_read_one_by_one_or_all() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &bob, "member").await;
    for i in 0..3 {
        app.task(&p, &ada, json!({ "title": format!("t{i}"), "assignee_ids": [bob.id] })).await;
    }
    let list = app.get("/api/v1/notifications?unread=true", &bob).await.body;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["title"], "Ada assigned you “t2”", "newest first");
    let id = items[0]["id"].as_str().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/notifications/{id}/read"), &bob, json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.post(&format!("/api/v1/notifications/{id}/read"), &ada, json!({})).await.status,
        StatusCode::NOT_FOUND,
        "not hers"
    );
    assert_eq!(app.get("/api/v1/notifications?unread=true", &bob).await.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.post("/api/v1/notifications/read-all", &bob, json!({})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/notifications?unread=true", &bob).await.body["items"], json!([]));
    let all = app.get("/api/v1/notifications", &bob).await.body;
    assert!(all["items"].as_array().unwrap().iter().all(|n| n["read_at"].is_string()));
}

#[tokio::test]
async fn notifications_page_with_a_cursor() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &bob, "member").await;
    for i in 0..5 {
        app.task(&p, &ada, json!({ "title": format!("t{i}"), "assignee_ids": [bob.id] })).await;
    }
    let mut titles = Vec::new();
    let mut path = "/api/v1/notifications?limit=2".to_owned();
    loop {
        let page = app.get(&path, &bob).await.body;
        titles.extend(page["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/notifications?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..5).rev().map(|i| format!("Ada assigned you “t{i}”")).collect();
    assert_eq!(titles, expected);
    assert_eq!(app.get("/api/v1/notifications?limit=0", &bob).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The kinds of `user`'s notifications, newest first.
async fn kinds(app: &TestApp, user: &crate::helpers::TestUser) -> Vec<String> {
    let r = app.get("/api/v1/notifications", user).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn watchers_hear_of_changes_and_comments_until_they_stop_or_leave() {
    let app = TestApp::spawn().await;
    let (ada, vic, sam) = (app.user("Ada").await, app.user("Vic").await, app.user("Sam").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &vic, "viewer").await;
    let task = app.task(&p, &ada, json!({ "title": "Ship it" })).await["id"].as_str().unwrap().to_owned();
    let watch = format!("/api/v1/tasks/{task}/watch");
    let watchers = format!("/api/v1/tasks/{task}/watchers");

    // Viewers may watch; outsiders do not even see the task.
    assert_eq!(app.request(reqwest::Method::PUT, &watch, Some(&vic.token), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.request(reqwest::Method::PUT, &watch, Some(&vic.token), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.request(reqwest::Method::PUT, &watch, Some(&sam.token), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&watchers, &sam).await.status, StatusCode::NOT_FOUND);
    let list = app.get(&watchers, &ada).await;
    assert_eq!(list.body, json!([{ "user_id": vic.id, "name": "Vic" }]));
    // Ada watches her own task: her own actions still tell her nothing.
    assert_eq!(app.request(reqwest::Method::PUT, &watch, Some(&ada.token), None).await.status, StatusCode::NO_CONTENT);

    let r = app.patch(&format!("/api/v1/tasks/{task}"), &ada, json!({ "title": "Ship it now" })).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.post(&format!("/api/v1/tasks/{task}/comments"), &ada, json!({ "body": "Nearly there" })).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(kinds(&app, &vic).await, ["comment_added", "task_updated"]);
    assert!(kinds(&app, &ada).await.is_empty());

    // Unwatched: nothing more.
    assert_eq!(app.delete(&watch, &vic).await.status, StatusCode::NO_CONTENT);
    app.patch(&format!("/api/v1/tasks/{task}"), &ada, json!({ "title": "Ship it today" })).await;
    assert_eq!(kinds(&app, &vic).await.len(), 2);

    // Watching again, then removed from the project: no longer told, no longer listed.
    app.request(reqwest::Method::PUT, &watch, Some(&vic.token), None).await;
    let r = app.delete(&format!("/api/v1/projects/{p}/members/{}", vic.id), &ada).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.patch(&format!("/api/v1/tasks/{task}"), &ada, json!({ "title": "Ship it tomorrow" })).await;
    assert_eq!(kinds(&app, &vic).await.len(), 2);
    assert_eq!(app.get(&watchers, &ada).await.body, json!([{ "user_id": ada.id, "name": "Ada" }]));
}

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn comments_thread_by_parent_and_list_oldest_first() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "x" })).await;
    let path = format!("/api/v1/tasks/{}/comments", t["id"].as_str().unwrap());
    let first = app.post(&path, &ada, json!({ "body": "  first  " })).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.body["body"], "first");
    assert!(first.body["parent_id"].is_null());
    let reply = app.post(&path, &ada, json!({ "body": "reply", "parent_id": first.body["id"] })).await;
    assert_eq!(reply.body["parent_id"], first.body["id"]);
    let list = app.get(&path, &ada).await.body;
    let bodies: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["first", "reply"]);
    for key in ["id", "task_id", "author_id", "parent_id", "body", "created_at", "updated_at"] {
        assert!(list["items"][0].get(key).is_some(), "{key}");
    }
}

#[tokio::test]
async fn a_reply_cannot_point_at_a_comment_of_another_task() {
    let app = TestApp::spawn().await;
    let (ada, eve) = (app.user("Ada").await, app.user("Eve").await);
    let p = app.project(&ada, "Launch").await;
    let t1 = app.task(&p, &ada, json!({ "title": "one" })).await;
    let eves = app.project(&eve, "Eve's").await;
    let t2 = app.task(&eves, &eve, json!({ "title": "two" })).await;
    let foreign = app
        .post(&format!("/api/v1/tasks/{}/comments", t2["id"].as_str().unwrap()), &eve, json!({ "body": "hers" }))
        .await;
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/comments", t1["id"].as_str().unwrap()),
            &ada,
            json!({ "body": "x", "parent_id": foreign.body["id"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn empty_comments_are_refused() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "x" })).await;
    let r = app
        .post(&format!("/api/v1/tasks/{}/comments", t["id"].as_str().unwrap()), &ada, json!({ "body": " \n " }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn activity_records_who_changed_what_from_what_to_what() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let t = app.task(&p, &ada, json!({ "title": "Draft", "priority": "low" })).await;
    let path = format!("/api/v1/tasks/{}", t["id"].as_str().unwrap());
    app.patch(&path, &ada, json!({ "title": "Final", "priority": "high", "labels": [] })).await;
    let items = app.get(&format!("{path}/activity"), &ada).await.body["items"].clone();
    assert_eq!(items[0]["kind"], "created");
    assert_eq!(items[1]["kind"], "updated");
    assert_eq!(items[1]["actor_id"], ada.id);
    assert_eq!(
        items[1]["changes"],
        json!({
            "title": { "from": "Draft", "to": "Final" },
            "priority": { "from": "low", "to": "high" }
        })
    );
}

//! Bad input of every kind gets the JSON error body and changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let r = app.post_raw("/api/v1/projects", &ada, Some("application/json"), "{\"name\": ").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "bad_request");
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_are_422() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let tasks = format!("/api/v1/projects/{p}/tasks");
    for body in [
        json!({ "title": 5 }),
        json!({ "title": "x", "status": "someday" }),
        json!({ "title": "x", "status": 2 }),
        json!({ "title": "x", "priority": [] }),
        json!({ "title": "x", "due_at": "tomorrow" }),
        json!({ "title": "x", "created_by": ada.id }),
        json!({ "title": "x", "project_id": p }),
        json!({ "title": "x", "version": 7 }),
        json!({ "title": "" }),
        json!({ "title": "   " }),
        json!({ "title": "x".repeat(201) }),
        json!({ "title": "x", "description": "d".repeat(20_001) }),
        json!({}),
    ] {
        let r = app.post(&tasks, &ada, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {:?}", r.body);
        assert_eq!(r.code(), "validation_failed");
        assert!(!r.body["error"]["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(app.get(&tasks, &ada).await.body["items"], json!([]));
}

#[tokio::test]
async fn missing_content_type_is_415() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let r = app.post_raw("/api/v1/projects", &ada, None, "{\"name\":\"x\"}").await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.code(), "unsupported_media_type");
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413_with_json() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let big = json!({ "name": "x".repeat(1024 * 1024 + 10) });
    let r = app.post("/api/v1/projects", &ada, big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.code(), "payload_too_large");
    // Chunked (no Content-Length): the limit still holds.
    let chunks = futures::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![b' '; 32 * 1024])));
    let r = app.post_raw("/api/v1/projects", &ada, Some("application/json"), reqwest::Body::wrap_stream(chunks)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.get("/api/v1/projects", &ada).await.body["items"], json!([]));
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    for path in
        ["/api/v1/tasks/0190f5c4-0000-7000-8000-000000000000", "/api/v1/tasks/not-a-uuid", "/api/v1/projects/123"]
    {
        let r = app.get(path, &ada).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.code(), "not_found");
    }
}

#[tokio::test]
async fn unknown_endpoints_and_methods_answer_in_json() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let r = app.get("/api/v1/nothing-here", &ada).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = app.request(reqwest::Method::PUT, "/api/v1/projects", Some(&ada.token), None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.body["error"]["code"].is_string());
}

#[tokio::test]
async fn bad_filter_values_are_422_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    for query in
        ["status=later", "sort=random", "limit=0", "limit=500", "due_before=soon", "assignee=bob", "cursor=xyz"]
    {
        let r = app.get(&format!("/api/v1/projects/{p}/tasks?{query}"), &ada).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let param = query.split('=').next().unwrap();
        assert!(r.body["error"]["details"]["fields"][param].is_string(), "{query}: {:?}", r.body);
    }
}

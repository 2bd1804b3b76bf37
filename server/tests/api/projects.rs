use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn creator_owns_the_project_and_only_members_see_it() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let r = app.post("/api/v1/projects", &ada, json!({ "name": "  Launch ", "description": "Q1" })).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        (r.body["name"].as_str(), r.body["role"].as_str(), r.body["seq"].as_i64()),
        (Some("Launch"), Some("owner"), Some(0))
    );
    let id = r.body["id"].as_str().unwrap();

    let mine = app.get("/api/v1/projects", &ada).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    assert!(mine.body["next_cursor"].is_null());
    assert_eq!(app.get("/api/v1/projects", &bob).await.body["items"], json!([]));
    for r in [
        app.get(&format!("/api/v1/projects/{id}"), &bob).await,
        app.patch(&format!("/api/v1/projects/{id}"), &bob, json!({ "name": "Mine now" })).await,
        app.delete(&format!("/api/v1/projects/{id}"), &bob).await,
        app.get(&format!("/api/v1/projects/{id}/members"), &bob).await,
        app.get(&format!("/api/v1/projects/{id}/tasks"), &bob).await,
        app.post(&format!("/api/v1/projects/{id}/tasks"), &bob, json!({ "title": "x" })).await,
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
        assert_eq!(r.code(), "not_found");
    }
}

#[tokio::test]
async fn members_are_added_by_email_with_a_role() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let p = app.project(&ada, "Launch").await;
    let r = app
        .post(&format!("/api/v1/projects/{p}/members"), &ada, json!({ "email": "BOB@example.com", "role": "viewer" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!((r.body["user_id"].as_str(), r.body["role"].as_str()), (Some(bob.id.as_str()), Some("viewer")));
    let again =
        app.post(&format!("/api/v1/projects/{p}/members"), &ada, json!({ "user_id": bob.id, "role": "member" })).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let unknown = app
        .post(&format!("/api/v1/projects/{p}/members"), &ada, json!({ "email": "ghost@example.com", "role": "member" }))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_role = app
        .post(&format!("/api/v1/projects/{p}/members"), &ada, json!({ "email": "bob@example.com", "role": "boss" }))
        .await;
    assert_eq!(bad_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    let seen = app.get(&format!("/api/v1/projects/{p}"), &bob).await;
    assert_eq!(seen.body["role"], "viewer");
    let members = app.get(&format!("/api/v1/projects/{p}/members"), &bob).await;
    assert_eq!(members.body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn only_admins_and_owners_manage_members() {
    let app = TestApp::spawn().await;
    let (ada, bob, cy) = (app.user("Ada").await, app.user("Bob").await, app.user("Cy").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &bob, "member").await;
    let r =
        app.post(&format!("/api/v1/projects/{p}/members"), &bob, json!({ "email": cy.email, "role": "member" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "forbidden");
    app.add_member(&p, &ada, &cy, "admin").await;
    let owner = app
        .post(&format!("/api/v1/projects/{p}/members"), &cy, json!({ "email": "x@example.com", "role": "owner" }))
        .await;
    assert_eq!(owner.status, StatusCode::FORBIDDEN, "an admin cannot mint owners");
    let kick_owner = app.delete(&format!("/api/v1/projects/{p}/members/{}", ada.id), &cy).await;
    assert_eq!(kick_owner.status, StatusCode::FORBIDDEN);
    let kick = app.delete(&format!("/api/v1/projects/{p}/members/{}", bob.id), &cy).await;
    assert_eq!(kick.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/v1/projects/{p}"), &bob).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_last_owner_cannot_leave() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let p = app.project(&ada, "Launch").await;
    let r = app.delete(&format!("/api/v1/projects/{p}/members/{}", ada.id), &ada).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admins_rename_and_only_owners_delete() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let p = app.project(&ada, "Launch").await;
    app.add_member(&p, &ada, &bob, "admin").await;
    let renamed =
        app.patch(&format!("/api/v1/projects/{p}"), &bob, json!({ "name": "Liftoff", "description": null })).await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(renamed.body["name"], "Liftoff");
    assert_eq!(renamed.body["seq"], 2, "member.added then project.updated");
    assert_eq!(app.delete(&format!("/api/v1/projects/{p}"), &bob).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.delete(&format!("/api/v1/projects/{p}"), &ada).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/v1/projects/{p}"), &ada).await.status, StatusCode::NOT_FOUND);
}

//! Sessions and tokens you can see and revoke, scoped personal tokens, password changes,
//! admin control of accounts, and revocation that reaches open sockets at once.

use futures::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Digest;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{TestApp, TestUser};
use crate::realtime::{connect, next, subscribe, Socket};

fn as_user(token: &str) -> TestUser {
    TestUser { id: String::new(), email: String::new(), token: token.to_owned() }
}

/// Waits for the server to close the socket; returns the close code (None: dropped).
async fn closed_with(socket: &mut Socket) -> Option<u16> {
    let deadline = std::time::Duration::from_secs(5);
    loop {
        match tokio::time::timeout(deadline, socket.next()).await.expect("closed within 5 s") {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code.into()),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

async fn make_token(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let made = app.post("/api/v1/me/tokens", user, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    made.body
}

#[tokio::test]
async fn sessions_and_tokens_are_listed_without_secrets_and_revoked_one_by_one() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let second =
        app.token("ada@example.com", "correct horse battery").await.body["access_token"].as_str().unwrap().to_owned();
    let made = make_token(&app, &ada, json!({ "name": "CI deploys", "scope": "read", "expires_in_days": 7 })).await;
    assert_eq!(made["name"], "CI deploys");
    assert_eq!(made["kind"], "personal");
    assert_eq!(made["scope"], "read");
    let personal = made["token"].as_str().unwrap().to_owned();

    let listed = app.get("/api/v1/me/sessions", &ada).await;
    assert_eq!(listed.status, StatusCode::OK);
    let items = listed.body.as_array().unwrap();
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(!listed.body.to_string().contains(&personal) && !listed.body.to_string().contains(&ada.token));
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let personal_id = items.iter().find(|s| s["name"] == "CI deploys").unwrap()["id"].as_str().unwrap().to_owned();

    assert_eq!(app.get("/api/v1/me", &as_user(&personal)).await.status, StatusCode::OK);
    assert_eq!(app.delete(&format!("/api/v1/me/sessions/{personal_id}"), &ada).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", &as_user(&personal)).await.status, StatusCode::UNAUTHORIZED, "revoked at once");
    let again = app.delete(&format!("/api/v1/me/sessions/{personal_id}"), &ada).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // Someone else's session id is not found, and stays alive.
    let bob = app.user("Bob").await;
    let bobs = app.get("/api/v1/me/sessions", &bob).await.body[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.delete(&format!("/api/v1/me/sessions/{bobs}"), &ada).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/me", &bob).await.status, StatusCode::OK);

    // Everything else at once: the asking token survives.
    let revoked = app.delete("/api/v1/me/sessions", &ada).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(revoked.body["revoked"], 1);
    assert_eq!(app.get("/api/v1/me", &as_user(&second)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/me", &ada).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_read_token_reads_but_changes_nothing_whatever_the_route() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let project = app.project(&ada, "Launch").await;
    let reader = make_token(&app, &ada, json!({ "name": "dashboard", "scope": "read" })).await;
    let reader = as_user(reader["token"].as_str().unwrap());

    assert_eq!(app.get(&format!("/api/v1/projects/{project}/tasks"), &reader).await.status, StatusCode::OK);
    let writes = [
        (Method::POST, format!("/api/v1/projects/{project}/tasks"), Some(json!({ "title": "sneaky" }))),
        (Method::PATCH, format!("/api/v1/projects/{project}"), Some(json!({ "name": "renamed" }))),
        (Method::DELETE, format!("/api/v1/projects/{project}"), None),
        (Method::POST, "/api/v1/me/tokens".to_owned(), Some(json!({ "name": "escalate" }))),
        (Method::DELETE, "/api/v1/me/sessions".to_owned(), None),
        (Method::POST, "/api/v1/notifications/read-all".to_owned(), None),
    ];
    for (method, path, body) in writes {
        let r = app.request(method.clone(), &path, Some(&reader.token), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let project_now = app.get(&format!("/api/v1/projects/{project}"), &ada).await;
    assert_eq!(project_now.body["name"], "Launch");
    let tasks = app.get(&format!("/api/v1/projects/{project}/tasks"), &ada).await;
    assert_eq!(tasks.body["items"].as_array().unwrap().len(), 0);

    // Nor through the browser's door: server functions always change or need full access.
    let rpc = app.http.post(format!("{}/rpc/sign_out", app.base)).bearer_auth(&reader.token).send().await.unwrap();
    assert_eq!(rpc.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/me", &reader).await.status, StatusCode::OK, "the token still works for reading");

    let writer = make_token(&app, &ada, json!({ "name": "bot", "scope": "read_write" })).await;
    let writer = as_user(writer["token"].as_str().unwrap());
    let created = app.post(&format!("/api/v1/projects/{project}/tasks"), &writer, json!({ "title": "by bot" })).await;
    assert_eq!(created.status, StatusCode::CREATED);

    let bad = app.post("/api/v1/me/tokens", &ada, json!({ "name": "", "expires_in_days": 1000 })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sneaky = app.post("/api/v1/me/tokens", &ada, json!({ "name": "x", "user_id": ada.id })).await;
    assert_eq!(sneaky.status, StatusCode::UNPROCESSABLE_ENTITY, "no field chooses whose token it is");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_every_other_session() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let other =
        app.token("ada@example.com", "correct horse battery").await.body["access_token"].as_str().unwrap().to_owned();
    let mut socket = connect(&app, &as_user(&other)).await;

    let wrong = app
        .post("/api/v1/me/password", &ada, json!({ "current_password": "nope", "new_password": "a new long password" }))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.body["error"]["details"]["fields"]["current_password"], "is not your current password");
    let short = app
        .post(
            "/api/v1/me/password",
            &ada,
            json!({ "current_password": "correct horse battery", "new_password": "short" }),
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);

    let changed = app
        .post(
            "/api/v1/me/password",
            &ada,
            json!({ "current_password": "correct horse battery", "new_password": "a new long password" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT);
    assert_eq!(closed_with(&mut socket).await, Some(1008), "the other session's socket is closed");
    assert_eq!(app.get("/api/v1/me", &as_user(&other)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/me", &ada).await.status, StatusCode::OK, "the session that changed it stays");
    assert_eq!(app.token("ada@example.com", "correct horse battery").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.token("ada@example.com", "a new long password").await.status, StatusCode::OK);
}

#[tokio::test]
async fn signing_out_closes_the_sockets_opened_with_that_session_only() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let other =
        app.token("ada@example.com", "correct horse battery").await.body["access_token"].as_str().unwrap().to_owned();
    let project = app.project(&ada, "Launch").await;
    let mut leaving = connect(&app, &ada).await;
    let mut staying = connect(&app, &as_user(&other)).await;
    subscribe(&mut staying, &project, None).await;

    assert_eq!(
        app.request(Method::POST, "/api/v1/auth/logout", Some(&ada.token), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(closed_with(&mut leaving).await, Some(1008));
    app.task(&project, &as_user(&other), json!({ "title": "still live" })).await;
    assert_eq!(next(&mut staying).await["type"], "task.created", "the other session's socket lives on");
}

#[tokio::test]
async fn a_removed_member_hears_the_removal_and_nothing_after_it() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let bob = app.user("Bob").await;
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    let mut socket = connect(&app, &bob).await;
    assert_eq!(subscribe(&mut socket, &project, None).await["type"], "subscribed");

    let removed = app.delete(&format!("/api/v1/projects/{project}/members/{}", bob.id), &ada).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let heard = next(&mut socket).await;
    assert_eq!(
        (heard["type"].as_str(), heard["data"]["user_id"].as_str()),
        (Some("member.removed"), Some(bob.id.as_str()))
    );
    app.task(&project, &ada, json!({ "title": "secret plans" })).await;
    // A notification for Bob proves the socket is alive and delivering, and nothing of
    // the project came before it.
    let carol = app.user("Carol").await;
    let other = app.project(&carol, "Elsewhere").await;
    app.add_member(&other, &carol, &bob, "member").await;
    app.task(&other, &carol, json!({ "title": "for Bob", "assignee_ids": [bob.id] })).await;
    let after = next(&mut socket).await;
    assert_eq!(after["type"], "notification", "got {after}");
    assert!(!after.to_string().contains("secret plans"));

    let again = subscribe(&mut socket, &project, Some(0)).await;
    assert_eq!((again["type"].as_str(), again["code"].as_str()), (Some("error"), Some("not_found")));
}

#[tokio::test]
async fn admins_disable_enable_promote_and_demote_accounts() {
    let app = TestApp::spawn().await;
    let admin = app.user("Ada").await;
    let bob = app.user("Bob").await;
    let mut bobs_socket = connect(&app, &bob).await;

    assert_eq!(app.get("/api/v1/admin/users", &bob).await.status, StatusCode::FORBIDDEN);
    let app = &app;
    let patch = |by: &TestUser, id: &str, body: Value| {
        let path = format!("/api/v1/admin/users/{id}");
        let token = by.token.clone();
        async move { app.request(Method::PATCH, &path, Some(&token), Some(body)).await }
    };
    assert_eq!(patch(&bob, &admin.id, json!({ "disabled": true })).await.status, StatusCode::FORBIDDEN);

    let listed = app.get("/api/v1/admin/users", &admin).await;
    assert_eq!(listed.status, StatusCode::OK);
    let names: Vec<&str> = listed.body.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ada", "Bob"]);
    assert_eq!(listed.body[0]["is_admin"], true);
    assert_eq!(listed.body[1]["disabled"], false);

    let disabled = patch(&admin, &bob.id, json!({ "disabled": true })).await;
    assert_eq!(disabled.status, StatusCode::OK);
    assert_eq!(disabled.body["disabled"], true);
    assert_eq!(closed_with(&mut bobs_socket).await, Some(1008), "their sockets close at once");
    assert_eq!(app.get("/api/v1/me", &bob).await.status, StatusCode::UNAUTHORIZED);
    let sign_in = app.token("bob@example.com", "correct horse battery").await;
    assert_eq!(sign_in.status, StatusCode::FORBIDDEN);
    assert!(sign_in.body["error"]["message"].as_str().unwrap().contains("disabled"));
    let wrong = app.token("bob@example.com", "not it").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "a wrong password tells nothing about the account");

    assert_eq!(patch(&admin, &bob.id, json!({ "disabled": false })).await.status, StatusCode::OK);
    assert_eq!(app.token("bob@example.com", "correct horse battery").await.status, StatusCode::OK);

    // The last enabled admin stays; yourself you cannot demote or disable.
    let me_down = patch(&admin, &admin.id, json!({ "is_admin": false })).await;
    assert_eq!(me_down.status, StatusCode::FORBIDDEN);
    let promoted = patch(&admin, &bob.id, json!({ "is_admin": true })).await;
    assert_eq!(promoted.body["is_admin"], true);
    let bob = TestUser {
        token: app.token("bob@example.com", "correct horse battery").await.body["access_token"]
            .as_str()
            .unwrap()
            .to_owned(),
        ..bob
    };
    assert_eq!(patch(&bob, &admin.id, json!({ "is_admin": false })).await.status, StatusCode::OK);
    let last = patch(&bob, &bob.id, json!({ "is_admin": false })).await;
    assert_eq!(last.status, StatusCode::FORBIDDEN);
    let me = app.get("/api/v1/me", &admin).await;
    assert_eq!(me.body["is_admin"], false);
    assert_eq!(patch(&bob, "not-a-uuid", json!({ "disabled": true })).await.status, StatusCode::NOT_FOUND);
    let unknown = patch(&bob, &uuid::Uuid::now_v7().to_string(), json!({ "disabled": true })).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let mass = patch(&bob, &admin.id, json!({ "email": "taken@example.com" })).await;
    assert_eq!(mass.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_idle_browser_session_ends() {
    let app = TestApp::spawn_with(|c| c.security.session_idle_hours = 1).await;
    app.user("Ada").await;
    let r = app
        .sign_in_form("ada@example.com")
        .header("Accept", "application/json")
        .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me = |cookie: &str| app.http.get(format!("{}/api/v1/me/sessions", app.base)).header("Cookie", cookie).send();
    let listed: Value = me(&cookie).await.unwrap().json().await.unwrap();
    let browser = listed.as_array().unwrap().iter().find(|s| s["kind"] == "browser").unwrap().clone();
    assert_eq!(browser["name"], "Firefox on Linux");
    // Age the session's last use past the idle lifetime.
    let store = app.store().await;
    let hash = sha2::Sha256::digest(cookie.split_once('=').unwrap().1.as_bytes()).to_vec();
    let long_ago = chrono::Utc::now() - chrono::TimeDelta::hours(2);
    store.touch_session(&hash, long_ago).await.unwrap();
    assert_eq!(me(&cookie).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

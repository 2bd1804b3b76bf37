//! Every REST route (walked from the table the router is built from) × every kind of
//! caller: the owner's project, task, comment, notification, session and account ids in
//! the URL, tried by a member, a viewer, an outsider, a disabled account, a revoked
//! token and nobody. Each refusal must be the right status, and the owner's data must
//! be exactly as before.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestUser};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Nobody,
    Revoked,
    Disabled,
    Outsider,
    Viewer,
    Member,
}

/// The owner's world, which no one else may change.
struct World {
    owner: TestUser,
    project: String,
    task: String,
    /// A reminder the owner set on `task`.
    reminder: String,
    notification: String,
    owner_session: String,
    /// A provider identity linked to the owner's account.
    owner_identity: String,
    /// A device the owner receives pushes on.
    owner_device: String,
    member: TestUser,
    /// A member neither the member nor the viewer caller is (members may leave by themselves).
    third: String,
    other_project: String,
    other_task: String,
}

/// A valid body for each route that takes one, so a refusal is about who asks, never
/// about what they sent. A new route that takes a body needs its example here.
fn example_body(method: &str, path: &str, world: &World) -> Option<Value> {
    let body = match (method, path) {
        ("post", "/auth/register") => json!({ "email": "new@example.com", "name": "New", "password": "long enough" }),
        ("post", "/auth/token") => return None,
        ("patch", "/me") => json!({ "name": "Renamed" }),
        ("post", "/me/tokens") => json!({ "name": "matrix" }),
        ("post", "/me/password") => {
            json!({ "current_password": "correct horse battery", "new_password": "another long one" })
        }
        ("patch", "/admin/users/{id}") => json!({ "disabled": true }),
        ("patch", "/admin/settings") => json!({ "password_sign_in": false }),
        ("post", "/projects") => json!({ "name": "Mine" }),
        ("patch", "/projects/{id}") => json!({ "name": "Taken over" }),
        ("post", "/projects/{id}/members") => json!({ "email": world.member.email, "role": "admin" }),
        ("post", "/projects/{id}/tasks") => json!({ "title": "Planted" }),
        ("patch", "/tasks/{id}") => json!({ "title": "Hijacked" }),
        ("post", "/tasks/{id}/comments") => json!({ "body": "Planted" }),
        ("post", "/tasks/{id}/reminders") => json!({ "before_due_minutes": 30 }),
        ("post", "/me/push-subscriptions") => {
            crate::push_service::Device::new("matrix").subscription_at("http://127.0.0.1:9")
        }
        (_, _) if method == "get" || method == "delete" || path.ends_with("/read") || path.ends_with("read-all") => {
            return None
        }
        ("post", "/auth/logout") => return None,
        ("put", "/tasks/{id}/watch") => return None,
        _ => panic!("{method} {path}: add an example body to the authorization matrix"),
    };
    Some(body)
}

/// The path with the owner's ids filled in.
fn concrete(path: &str, world: &World) -> String {
    let id = if path.starts_with("/projects/") {
        &world.project
    } else if path.starts_with("/tasks/") {
        &world.task
    } else if path.starts_with("/notifications/") {
        &world.notification
    } else if path.starts_with("/me/sessions/") {
        &world.owner_session
    } else if path.starts_with("/me/identities/") {
        &world.owner_identity
    } else if path.starts_with("/me/push-subscriptions/") {
        &world.owner_device
    } else if path.starts_with("/admin/users/") {
        &world.owner.id
    } else {
        ""
    };
    path.replace("{id}", id).replace("{user_id}", &world.third).replace("{reminder_id}", &world.reminder)
}

/// What `caller` must get, or `None` where the route is theirs to use (their own
/// account, lists of their own things) and the matrix has nothing to refuse.
fn expected(caller: Caller, method: &str, path: &str) -> Option<StatusCode> {
    let public = matches!(path, "/auth/register" | "/auth/token" | "/auth/providers");
    let read = method == "get";
    let owners_object = path.contains("{id}") && !path.starts_with("/admin/");
    match caller {
        _ if public => None,
        Caller::Nobody | Caller::Revoked | Caller::Disabled => Some(StatusCode::UNAUTHORIZED),
        _ if path.starts_with("/admin/") => Some(StatusCode::FORBIDDEN),
        // Someone else's project, task, notification or session: it does not exist for you.
        Caller::Outsider if owners_object => Some(StatusCode::NOT_FOUND),
        Caller::Viewer | Caller::Member if path.starts_with("/notifications/{id}") => Some(StatusCode::NOT_FOUND),
        Caller::Viewer | Caller::Member if path.starts_with("/me/sessions/{id}") => Some(StatusCode::NOT_FOUND),
        Caller::Viewer | Caller::Member if path.starts_with("/me/identities/{id}") => Some(StatusCode::NOT_FOUND),
        Caller::Viewer | Caller::Member if path.starts_with("/me/push-subscriptions/{id}") => {
            Some(StatusCode::NOT_FOUND)
        }
        // Following a task one can read is one's own business, viewers included.
        Caller::Viewer | Caller::Member if path.ends_with("/watch") => None,
        Caller::Viewer if owners_object && !read => Some(StatusCode::FORBIDDEN),
        Caller::Viewer | Caller::Member if owners_object && read => Some(StatusCode::OK),
        // Members work on tasks and comments, but do not run the project.
        Caller::Member if owners_object && path.starts_with("/projects/{id}") && !path.ends_with("/tasks") => {
            Some(StatusCode::FORBIDDEN)
        }
        _ => None,
    }
}

/// Everything of the owner's that a refused request might have touched.
async fn snapshot(app: &TestApp, world: &World) -> Value {
    let get = |path: String| async move { app.get(&path, &world.owner).await.body };
    json!({
        "project": get(format!("/api/v1/projects/{}", world.project)).await,
        "members": get(format!("/api/v1/projects/{}/members", world.project)).await,
        "tasks": get(format!("/api/v1/projects/{}/tasks", world.project)).await,
        "task": get(format!("/api/v1/tasks/{}", world.task)).await,
        "comments": get(format!("/api/v1/tasks/{}/comments", world.task)).await,
        "watchers": get(format!("/api/v1/tasks/{}/watchers", world.task)).await,
        "reminders": get(format!("/api/v1/tasks/{}/reminders", world.task)).await,
        "notifications": get("/api/v1/notifications".into()).await,
        "sessions": get("/api/v1/me/sessions".into()).await.as_array().map(|s| s.len()),
        "accounts": get("/api/v1/admin/users".into()).await,
        "identities": get("/api/v1/me/identities".into()).await,
        "devices": get("/api/v1/me/push-subscriptions".into()).await,
        "settings": get("/api/v1/admin/settings".into()).await,
        "other_task": app.get(&format!("/api/v1/tasks/{}", world.other_task), &world.member).await.body,
    })
}

async fn build_world(app: &TestApp) -> (World, Vec<(Caller, Option<String>)>) {
    let owner = app.user("Olga Owner").await;
    let member = app.user("Mia Member").await;
    let viewer = app.user("Vic Viewer").await;
    let outsider = app.user("Otto Outsider").await;
    let disabled = app.user("Dee Disabled").await;
    let revoked = app.user("Rex Revoked").await;
    let project = app.project(&owner, "Launch").await;
    for (who, role) in [(&member, "member"), (&viewer, "viewer"), (&disabled, "member"), (&revoked, "member")] {
        app.add_member(&project, &owner, who, role).await;
    }
    let task = app.task(&project, &owner, json!({ "title": "Plan" })).await["id"].as_str().unwrap().to_owned();
    let comment = app.post(&format!("/api/v1/tasks/{task}/comments"), &owner, json!({ "body": "first" })).await;
    assert_eq!(comment.status, StatusCode::CREATED);
    let reminder =
        app.post(&format!("/api/v1/tasks/{task}/reminders"), &owner, json!({ "at": "2030-01-01T09:00:00Z" })).await;
    assert_eq!(reminder.status, StatusCode::CREATED, "{:?}", reminder.body);
    let reminder = reminder.body["id"].as_str().unwrap().to_owned();
    // The member assigns the owner, who is notified.
    app.task(&project, &member, json!({ "title": "For Olga", "assignee_ids": [owner.id] })).await;
    let notification =
        app.get("/api/v1/notifications", &owner).await.body["items"][0]["id"].as_str().unwrap().to_owned();
    let owner_session = app.get("/api/v1/me/sessions", &owner).await.body[0]["id"].as_str().unwrap().to_owned();
    // As if the owner had connected a provider (the flow itself is tested in oauth.rs).
    let owner_identity = uuid::Uuid::now_v7();
    let identity = server::store::NewIdentity {
        id: owner_identity,
        user_id: owner.id.parse().unwrap(),
        provider: "sso".into(),
        issuer: "https://id.example.com".into(),
        subject: "olga".into(),
        email: Some(owner.email.clone()),
        now: chrono::Utc::now(),
    };
    app.store().await.insert_identity(identity).await.unwrap();
    let owner_identity = owner_identity.to_string();
    let device = crate::push_service::Device::new("olga").subscription_at("http://127.0.0.1:9");
    let device = app.post("/api/v1/me/push-subscriptions", &owner, device).await;
    assert_eq!(device.status, StatusCode::CREATED, "{:?}", device.body);
    let owner_device = device.body["id"].as_str().unwrap().to_owned();
    let other_project = app.project(&member, "Side project").await;
    let other_task =
        app.task(&other_project, &member, json!({ "title": "Side" })).await["id"].as_str().unwrap().to_owned();

    assert_eq!(
        app.request(Method::POST, "/api/v1/auth/logout", Some(&revoked.token), None).await.status,
        StatusCode::NO_CONTENT
    );
    let off = app
        .request(
            Method::PATCH,
            &format!("/api/v1/admin/users/{}", disabled.id),
            Some(&owner.token),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "the first account is the instance admin");

    let callers = vec![
        (Caller::Nobody, None),
        (Caller::Revoked, Some(revoked.token)),
        (Caller::Disabled, Some(disabled.token)),
        (Caller::Outsider, Some(outsider.token)),
        (Caller::Viewer, Some(viewer.token)),
        (Caller::Member, Some(member.token.clone())),
    ];
    let third = disabled.id.clone();
    let world = World {
        owner_device,
        owner,
        project,
        task,
        reminder,
        notification,
        owner_session,
        owner_identity,
        member,
        third,
        other_project,
        other_task,
    };
    (world, callers)
}

#[tokio::test]
async fn every_route_refuses_every_caller_it_should_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (world, callers) = build_world(&app).await;
    let before = snapshot(&app, &world).await;
    let mut checked = 0;
    for endpoint in server::api::endpoints() {
        let (method, path) = (endpoint.method, endpoint.path);
        let body = example_body(method, path, &world);
        for (caller, token) in &callers {
            let Some(want) = expected(*caller, method, path) else { continue };
            let url = format!("/api/v1{}", concrete(path, &world));
            let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let got = app.request(http_method, &url, token.as_deref(), body.clone()).await;
            assert_eq!(got.status, want, "{caller:?} {method} {url}: {:?}", got.body);
            assert!(got.body["error"]["code"].is_string() || got.status.is_success(), "{caller:?} {method} {url}");
            checked += 1;
        }
    }
    assert!(checked > 100, "the matrix ran {checked} requests");
    assert_eq!(snapshot(&app, &world).await, before, "a refused request changed something");
}

#[tokio::test]
async fn ids_from_elsewhere_in_the_body_or_the_url_are_refused() {
    let app = TestApp::spawn().await;
    let (world, _) = build_world(&app).await;
    let stranger = app.user("Sam Stranger").await;
    let before = snapshot(&app, &world).await;
    let member = &world.member;
    let owner = &world.owner;
    // My project in the URL, someone who is not in it as assignee.
    let planted = app
        .post(
            &format!("/api/v1/projects/{}/tasks", world.other_project),
            member,
            json!({ "title": "x", "assignee_ids": [stranger.id] }),
        )
        .await;
    assert_eq!(planted.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Moving a task to another project, or rewriting who made it: not fields of the API.
    for field in
        [json!({ "project_id": world.project }), json!({ "created_by": owner.id }), json!({ "id": world.task })]
    {
        let r = app.patch(&format!("/api/v1/tasks/{}", world.other_task), member, field.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
    }
    let r = app.patch(&format!("/api/v1/projects/{}", world.project), owner, json!({ "seq": 0 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A member of the project removing someone who is not in it, or the owner's comment
    // thread answered under another task.
    let absent = app.delete(&format!("/api/v1/projects/{}/members/{}", world.project, stranger.id), owner).await;
    assert_eq!(absent.status, StatusCode::NOT_FOUND);
    let comments = app.get(&format!("/api/v1/tasks/{}/comments", world.task), owner).await;
    let parent = comments.body["items"][0]["id"].clone();
    assert!(parent.is_string());
    let reply = app
        .post(
            &format!("/api/v1/tasks/{}/comments", world.other_task),
            member,
            json!({ "body": "hi", "parent_id": parent }),
        )
        .await;
    assert!(matches!(reply.status.as_u16(), 404 | 422), "{:?}", reply.body);
    // Someone else's session id from my session list door.
    let theirs = app.delete(&format!("/api/v1/me/sessions/{}", world.owner_session), member).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(snapshot(&app, &world).await, before);
}

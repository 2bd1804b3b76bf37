use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn first_account_is_admin_and_later_ones_are_not() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let bob = app.user("Bob").await;
    let me = app.get("/api/v1/me", &ada).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["is_admin"], true);
    assert_eq!(me.body["email"], "ada@example.com");
    assert!(me.body["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(app.get("/api/v1/me", &bob).await.body["is_admin"], false);
}

#[tokio::test]
async fn register_refuses_taken_email_with_409() {
    let app = TestApp::spawn().await;
    app.user("Ada").await;
    let again = app
        .request(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({ "email": "ADA@example.com ", "name": "Other", "password": "long enough" })),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "email_taken");
}

#[tokio::test]
async fn register_refuses_short_password_with_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({ "email": "a@example.com", "name": "A", "password": "short" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "validation_failed");
    assert_eq!(r.body["error"]["details"]["fields"]["password"], "must be at least 8 characters");
}

#[tokio::test]
async fn token_endpoint_takes_json_as_well_as_a_form() {
    let app = TestApp::spawn().await;
    app.user("Ada").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(
                json!({ "grant_type": "password", "username": "ada@example.com", "password": "correct horse battery" }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["token_type"], "bearer");
    assert_eq!(r.headers["cache-control"], "no-store");
    assert!(r.body["expires_in"].as_i64().unwrap() > 0);
    assert!(r.body["access_token"].as_str().unwrap().len() >= 32);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = TestApp::spawn().await;
    app.user("Ada").await;
    let wrong = app.token("ada@example.com", "not the password").await;
    let unknown = app.token("nobody@example.com", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_endpoint_refuses_other_grant_types() {
    let app = TestApp::spawn().await;
    let form = [("grant_type", "client_credentials"), ("username", "a"), ("password", "b")];
    let r = TestApp::reply(app.http.post(format!("{}/api/v1/auth/token", app.base)).form(&form).send().await.unwrap())
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn logout_revokes_the_token_at_once() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let out = app.request(Method::POST, "/api/v1/auth/logout", Some(&ada.token), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = app.get("/api/v1/me", &ada).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.code(), "unauthorized");
}

#[tokio::test]
async fn requests_without_or_with_a_bad_token_get_401() {
    let app = TestApp::spawn().await;
    assert_eq!(app.request(Method::GET, "/api/v1/projects", None, None).await.status, StatusCode::UNAUTHORIZED);
    let bad = app.request(Method::GET, "/api/v1/projects", Some("made-up"), None).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.code(), "unauthorized");
}

#[tokio::test]
async fn patch_me_changes_name_and_timezone_and_refuses_unknown_zones() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let r = app.patch("/api/v1/me", &ada, json!({ "name": "Ada L.", "timezone": "Europe/Berlin" })).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!((r.body["name"].as_str(), r.body["timezone"].as_str()), (Some("Ada L."), Some("Europe/Berlin")));
    let bad = app.patch("/api/v1/me", &ada, json!({ "timezone": "Mars/Base" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mass = app.patch("/api/v1/me", &ada, json!({ "is_admin": true })).await;
    assert_eq!(mass.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn browser_session_cookie_is_http_only_and_lax() {
    let app = TestApp::spawn().await;
    app.user("Ada").await;
    let r = app.sign_in_form("ada@example.com").header("Accept", "application/json").send().await.unwrap();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("tandem_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let me = app.http.get(format!("{}/api/v1/me", app.base)).header("Cookie", &session).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

//! Signing in through an OpenID Connect provider, against a real one on loopback: the
//! account made on first sign-in, state that works once and only in its browser,
//! tampered and refused callbacks that create nothing, linking only when signed in,
//! never unlinking the last way in, and the admin's password switch.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestUser};
use crate::oidc::{app_with_provider, app_with_provider_for, app_with_provider_set, Browser, PROVIDER};

/// Every account on the instance, as its admin sees them.
async fn accounts(app: &TestApp, admin: &TestUser) -> Vec<Value> {
    let r = app.get("/api/v1/admin/users", admin).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body.as_array().unwrap().clone()
}

fn emails(accounts: &[Value]) -> Vec<String> {
    accounts.iter().map(|a| a["email"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_first_sign_in_makes_the_account_and_the_next_finds_it() {
    let (app, _provider) = app_with_provider().await;
    let options = Browser::new(&app).rpc("sign_in_options", &[]).await;
    assert_eq!(options.1["providers"], json!([{ "name": PROVIDER, "label": "Local ID" }]));

    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("ada").await, "/");
    let (status, me) = browser.me().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "ada@example.test");
    assert_eq!(me["name"], "Tester ada");
    assert_eq!(me["avatar_url"], "https://avatars.example.test/ada.png");
    let id = me["id"].clone();

    // The same person again, from another browser: the same account, not a new one.
    let again = Browser::new(&app);
    again.sign_in("ada").await;
    assert_eq!(again.me().await.1["id"], id);

    // The account has no password: none opens it.
    assert_eq!(app.token("ada@example.test", "").await.status, StatusCode::UNAUTHORIZED);
    let methods = browser.rpc("sign_in_methods", &[]).await.1;
    assert_eq!(methods["password"], false);
    assert_eq!(methods["identities"].as_array().unwrap().len(), 1);
    assert_eq!(methods["identities"][0]["label"], "Local ID");
    assert_eq!(methods["identities"][0]["email"], "ada@example.test");
}

#[tokio::test]
async fn a_state_works_once_and_only_in_the_browser_that_started_it() {
    let (app, _provider) = app_with_provider().await;
    let admin = app.user("Admin").await;
    let browser = Browser::new(&app);
    let callback = browser.through_provider(&format!("/auth/{PROVIDER}/login"), "grace").await;

    // Another browser (an attacker handing over their callback link) gets nowhere…
    let other = Browser::new(&app);
    assert_eq!(other.visit(&callback).await, (StatusCode::SEE_OTHER, "/login?error=invalid_state".into()));
    assert_eq!(other.me().await.0, StatusCode::UNAUTHORIZED);
    // …and that spent the state: the right browser cannot use it afterwards either.
    assert_eq!(browser.visit(&callback).await.1, "/login?error=invalid_state");
    assert_eq!(browser.me().await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(emails(&accounts(&app, &admin).await), ["admin@example.com"]);

    // A fresh start works.
    assert_eq!(browser.sign_in("grace").await, "/");
    assert_eq!(browser.me().await.0, StatusCode::OK);
}

#[tokio::test]
async fn tampered_and_refused_callbacks_land_on_a_readable_page_and_create_nothing() {
    let (app, _provider) = app_with_provider().await;
    let admin = app.user("Admin").await;
    let browser = Browser::new(&app);
    let start = format!("/auth/{PROVIDER}/login");
    let error_of = |landing: (StatusCode, String)| {
        assert_eq!(landing.0, StatusCode::SEE_OTHER);
        landing.1
    };

    let callback = browser.through_provider(&start, "mallory").await;
    let (path, query) = callback.split_once('?').unwrap();
    let params: Vec<(String, String)> = url_params(query);
    let state = &params.iter().find(|(k, _)| k == "state").unwrap().1;

    // A made-up state.
    assert_eq!(error_of(browser.visit(&format!("{path}?code=x&state=forged")).await), "/login?error=invalid_state");
    // No state at all, or no query.
    assert_eq!(error_of(browser.visit(path).await), "/login?error=invalid_state");
    // The right state with a code the provider never issued: its token endpoint refuses.
    assert_eq!(error_of(browser.visit(&format!("{path}?code=forged&state={state}")).await), "/login?error=rejected");

    // The provider reports an error (the user cancelled).
    let callback = browser.through_provider(&start, "mallory").await;
    let state = url_params(callback.split_once('?').unwrap().1).into_iter().find(|(k, _)| k == "state").unwrap().1;
    let denied = format!("{path}?error=access_denied&error_description=cancelled&state={state}");
    assert_eq!(error_of(browser.visit(&denied).await), "/login?error=denied");

    // An unknown provider.
    assert_eq!(error_of(browser.visit("/auth/nobody/login").await), "/login?error=unknown_provider");
    assert_eq!(error_of(browser.visit("/auth/nobody/callback?state=x&code=y").await), "/login?error=invalid_state");

    assert_eq!(browser.me().await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(emails(&accounts(&app, &admin).await), ["admin@example.com"]);

    // The sign-in page explains each of these in words.
    let page = app.http.get(format!("{}/login?error=invalid_state", app.base)).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("already used or started in another browser"), "{html}");
}

#[tokio::test]
async fn after_sign_in_the_provider_flow_goes_only_to_paths_on_this_site() {
    let (app, _provider) = app_with_provider().await;
    for (next, landing) in [("/projects?x=1", "/projects?x=1"), ("//evil.example", "/"), ("/\\evil.example", "/")] {
        let browser = Browser::new(&app);
        let start = format!("/auth/{PROVIDER}/login?next={}", urlencode(next));
        let callback = browser.through_provider(&start, "lin").await;
        assert_eq!(browser.visit(&callback).await.1, landing, "next={next}");
    }
}

#[tokio::test]
async fn an_email_already_here_never_links_by_itself_but_its_owner_can_link() {
    let (app, _provider) = app_with_provider().await;
    // Accounts with the emails the provider will claim, made with passwords.
    let owner = register(&app, "ada@example.test").await;
    let unverified_owner = register(&app, "unverified-bob@example.test").await;

    // A verified email equal to an account's: refused, nothing linked.
    let stranger = Browser::new(&app);
    assert_eq!(stranger.sign_in("ada").await, "/login?error=email_in_use");
    assert_eq!(stranger.me().await.0, StatusCode::UNAUTHORIZED);
    // An unverified email: never linked, and no account made from it. (A fresh browser
    // each time: the provider remembers who signed in to it.)
    let stranger = Browser::new(&app);
    assert_eq!(stranger.sign_in("unverified-bob").await, "/login?error=no_email");
    assert_eq!(stranger.me().await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(Browser::new(&app).sign_in("unverified-carol").await, "/login?error=no_email");

    // Connecting needs the account signed in in that browser.
    let anonymous = Browser::new(&app);
    assert_eq!(anonymous.visit(&format!("/auth/{PROVIDER}/login?link=1")).await.1, "/settings?error=not_signed_in");

    // The owner, signed in with their password, connects the identity (from Settings:
    // another site cannot start it)…
    let browser = Browser::new(&app);
    password_sign_in(&browser, &app, "ada@example.test").await;
    let from_elsewhere = browser
        .http
        .get(format!("{}/auth/{PROVIDER}/login?link=1", app.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(from_elsewhere.headers()["location"], "/settings?error=cross_site");
    // Nor can an API token (a script's, or a thief's) add a way in to the account.
    let token =
        app.token("ada@example.test", "correct horse battery").await.body["access_token"].as_str().unwrap().to_owned();
    let by_token =
        app.http.get(format!("{}/auth/{PROVIDER}/login?link=1", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(by_token.headers()["location"], "/settings?error=not_signed_in");
    let callback = browser.through_provider(&format!("/auth/{PROVIDER}/login?link=1"), "ada").await;
    assert_eq!(browser.visit(&callback).await.1, "/settings");
    // …and from then on it signs them in.
    let later = Browser::new(&app);
    assert_eq!(later.sign_in("ada").await, "/");
    assert_eq!(later.me().await.1["id"], owner.id.as_str());

    // Someone else's identity cannot be connected to another account.
    let bob = Browser::new(&app);
    password_sign_in(&bob, &app, "unverified-bob@example.test").await;
    let callback = bob.through_provider(&format!("/auth/{PROVIDER}/login?link=1"), "ada").await;
    assert_eq!(bob.visit(&callback).await.1, "/settings?error=linked_elsewhere");
    assert_eq!(bob.rpc("sign_in_methods", &[]).await.1["identities"], json!([]));
    let _ = unverified_owner;
}

#[tokio::test]
async fn the_last_way_in_cannot_be_removed() {
    let (app, _provider) = app_with_provider().await;
    let browser = Browser::new(&app);
    browser.sign_in("solo").await;
    let methods = browser.rpc("sign_in_methods", &[]).await.1;
    let id = methods["identities"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = browser.rpc("unlink_identity", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(browser.rpc("sign_in_methods", &[]).await.1["identities"].as_array().unwrap().len(), 1);

    // With a password as well, the identity may go; someone else's id is not found.
    let ada = register(&app, "ada@example.test").await;
    let ada_browser = Browser::new(&app);
    password_sign_in(&ada_browser, &app, "ada@example.test").await;
    assert_eq!(ada_browser.rpc("unlink_identity", &[("id", &id)]).await.0, StatusCode::NOT_FOUND);
    let callback = ada_browser.through_provider(&format!("/auth/{PROVIDER}/login?link=1"), "ada").await;
    ada_browser.visit(&callback).await;
    let mine = ada_browser.rpc("sign_in_methods", &[]).await.1["identities"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(ada_browser.rpc("unlink_identity", &[("id", &mine)]).await.0, StatusCode::OK);
    assert_eq!(Browser::new(&app).sign_in("ada").await, "/login?error=email_in_use", "unlinked for good");
    let _ = ada;
}

#[tokio::test]
async fn an_admin_turns_password_sign_in_off_only_once_they_can_sign_in_otherwise() {
    let (app, _provider) = app_with_provider().await;
    let admin = register(&app, "root@example.test").await;
    let member = app.user("Member").await;
    let browser = Browser::new(&app);
    password_sign_in(&browser, &app, "root@example.test").await;
    let off = json!({ "settings": { "password_sign_in": false } });

    // Members may not; the admin may not yet (no provider connected).
    let member_browser = Browser::new(&app);
    password_sign_in(&member_browser, &app, "member@example.com").await;
    assert_eq!(member_browser.rpc_json("update_instance_settings", off.clone()).await.0, StatusCode::FORBIDDEN);
    let (status, body) = browser.rpc_json("update_instance_settings", off.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let callback = browser.through_provider(&format!("/auth/{PROVIDER}/login?link=1"), "root").await;
    browser.visit(&callback).await;
    assert_eq!(browser.rpc_json("update_instance_settings", off).await.0, StatusCode::OK);

    // Now passwords open nothing, on either door, and sign-up is closed.
    assert_eq!(app.token("member@example.com", "correct horse battery").await.status, StatusCode::FORBIDDEN);
    let (status, _) = Browser::new(&app)
        .rpc("sign_in", &[("email", "member@example.com"), ("password", "correct horse battery")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let sign_up = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({ "email": "new@example.com", "name": "New", "password": "correct horse battery" })),
        )
        .await;
    assert_eq!(sign_up.status, StatusCode::FORBIDDEN);
    assert_eq!(Browser::new(&app).rpc("sign_in_options", &[]).await.1["password"], false);
    // Tokens already issued keep working; the provider still signs in.
    assert_eq!(app.get("/api/v1/me", &member).await.status, StatusCode::OK);
    let again = Browser::new(&app);
    assert_eq!(again.sign_in("root").await, "/");
    assert_eq!(again.me().await.1["id"], admin.id.as_str());
}

#[tokio::test]
async fn two_unlinks_at_once_cannot_remove_both_ways_in() {
    let (app, _provider) = app_with_provider().await;
    let browser = Browser::new(&app);
    browser.sign_in("twice").await;
    let me = browser.me().await.1;
    // A second identity of the same provider (another account there, connected earlier).
    let second = server::store::NewIdentity {
        id: uuid::Uuid::now_v7(),
        user_id: me["id"].as_str().unwrap().parse().unwrap(),
        provider: PROVIDER.into(),
        issuer: "http://elsewhere.example".into(),
        subject: "twice-2".into(),
        email: None,
        now: chrono::Utc::now(),
    };
    app.store().await.insert_identity(second).await.unwrap();
    let methods = browser.rpc("sign_in_methods", &[]).await.1;
    let ids: Vec<String> =
        methods["identities"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 2);
    let (first, second) = ([("id", ids[0].as_str())], [("id", ids[1].as_str())]);
    let (a, b) = tokio::join!(browser.rpc("unlink_identity", &first), browser.rpc("unlink_identity", &second));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::FORBIDDEN], "{a:?} {b:?}");
    assert_eq!(browser.rpc("sign_in_methods", &[]).await.1["identities"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn new_accounts_can_be_limited_to_some_email_domains() {
    let (app, _provider) = app_with_provider_for(&["elsewhere.test"]).await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("outsider").await, "/login?error=domain_not_allowed");
    assert_eq!(browser.me().await.0, StatusCode::UNAUTHORIZED);
    let (app, _provider) = app_with_provider_for(&["Example.TEST"]).await;
    assert_eq!(Browser::new(&app).sign_in("insider").await, "/");
}

#[tokio::test]
async fn an_operator_may_vouch_for_a_directory_that_sends_no_email_verified() {
    let (app, _provider) = app_with_provider_set(|p| p.trust_email = true).await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("unverified-dana").await, "/");
    assert_eq!(browser.me().await.1["email"], "unverified-dana@example.test");
    // Still never a link to an existing account by email.
    register(&app, "unverified-erin@example.test").await;
    assert_eq!(Browser::new(&app).sign_in("unverified-erin").await, "/login?error=email_in_use");
}

async fn register(app: &TestApp, email: &str) -> TestUser {
    let name = email.split('@').next().unwrap();
    let body = json!({ "email": email, "name": name, "password": "correct horse battery" });
    let r = app.request(reqwest::Method::POST, "/api/v1/auth/register", None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    TestUser { id: r.body["user"]["id"].as_str().unwrap().to_owned(), email: email.to_owned(), token: String::new() }
}

async fn password_sign_in(browser: &Browser, _app: &TestApp, email: &str) {
    let (status, body) = browser.rpc("sign_in", &[("email", email), ("password", "correct horse battery")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn url_params(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(query).unwrap()
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap().trim_start_matches("v=").to_owned()
}

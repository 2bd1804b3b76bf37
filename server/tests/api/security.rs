//! The locks in front of every door: security headers, cross-site refusal, sign-in rate
//! limits, session fixation and post-sign-in redirects.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// The value of `directive` in a Content-Security-Policy.
fn directive(policy: &str, name: &str) -> String {
    policy.split(';').map(str::trim).find(|d| d.starts_with(&format!("{name} "))).unwrap_or_default().to_owned()
}

/// An address from the documentation range, different for every test run, so counters
/// in a shared Redis never mix runs.
fn fresh_client_ip() -> String {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    format!("2001:db8:{:x}:{:x}::1", u16::from_be_bytes([bytes[0], bytes[1]]), u16::from_be_bytes([bytes[2], bytes[3]]))
}

fn fresh_email() -> String {
    format!("limit-{}@example.com", uuid::Uuid::new_v4().simple())
}

async fn register(app: &TestApp, email: &str) {
    let body = json!({ "email": email, "name": "Limit", "password": "correct horse battery" });
    let reg = app.request(reqwest::Method::POST, "/api/v1/auth/register", None, Some(body)).await;
    assert_eq!(reg.status, StatusCode::CREATED, "{:?}", reg.body);
}

/// The token endpoint, as a client behind the trusted proxy at 127.0.0.1.
async fn token_from(app: &TestApp, ip: &str, email: &str, password: &str) -> reqwest::Response {
    let form = [("grant_type", "password"), ("username", email), ("password", password)];
    app.http
        .post(format!("{}/api/v1/auth/token", app.base))
        .header("X-Forwarded-For", ip)
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn pages_get_a_nonce_policy_that_matches_their_scripts_and_everything_gets_the_headers() {
    let app = TestApp::spawn().await;
    let page = app.http.get(format!("{}/login", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let policy = header(&page, "content-security-policy");
    assert!(header(&page, "x-tandem-csp-nonce").is_empty(), "the internal header is not sent on");
    let script_src = directive(&policy, "script-src");
    assert!(!script_src.contains("unsafe-inline") && !script_src.contains("unsafe-eval '"), "{policy}");
    let nonce = script_src
        .split_whitespace()
        .find_map(|s| s.strip_prefix("'nonce-").and_then(|s| s.strip_suffix('\'')))
        .unwrap_or_else(|| panic!("no nonce in {policy}"))
        .to_owned();
    assert!(nonce.len() >= 16, "a nonce of 128 bits or more");
    assert!(directive(&policy, "frame-ancestors").contains("'none'"));
    assert!(directive(&policy, "object-src").contains("'none'"));
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("x-frame-options", "DENY"),
    ] {
        assert_eq!(header(&page, name), value, "{name}");
    }
    assert!(header(&page, "strict-transport-security").is_empty(), "no HSTS over plain http");
    let html = page.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every inline script carries the nonce");

    let again = app.http.get(format!("{}/login", app.base)).send().await.unwrap();
    assert_ne!(
        directive(&header(&again, "content-security-policy"), "script-src"),
        script_src,
        "a fresh nonce per page"
    );

    for path in ["/api/v1/me", "/api/v1/no-such-thing", "/healthz"] {
        let r = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
        let policy = header(&r, "content-security-policy");
        assert!(policy.starts_with("default-src 'none'"), "{path}: {policy}");
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&r, "x-frame-options"), "DENY", "{path}");
    }
}

#[tokio::test]
async fn over_https_the_cookie_is_host_only_and_secure_and_hsts_is_sent() {
    let app = TestApp::spawn_with(|c| c.public_url = "https://tasks.example.com".into()).await;
    app.user("Ada").await;
    let r = app.sign_in_form("ada@example.com").header("Accept", "application/json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(header(&r, "strict-transport-security").contains("max-age="));
    let cookie = header(&r, "set-cookie");
    assert!(cookie.starts_with("__Host-tandem_session="), "{cookie}");
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let me = app.http.get(format!("{}/api/v1/me", app.base)).header("Cookie", &session).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    // The same secret under the plain name, as a sibling subdomain could plant it: ignored.
    let planted = session.replacen("__Host-tandem_session", "tandem_session", 1);
    let me = app.http.get(format!("{}/api/v1/me", app.base)).header("Cookie", &planted).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cross_site_requests_that_change_things_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let cookie = format!("tandem_session={}", ada.token);
    let create = |site: Option<&'static str>, origin: Option<&'static str>| {
        let mut request = app
            .http
            .post(format!("{}/api/v1/projects", app.base))
            .header("Cookie", &cookie)
            .json(&json!({ "name": "Planted" }));
        if let Some(site) = site {
            request = request.header("Sec-Fetch-Site", site);
        }
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        request.send()
    };
    for (site, origin) in [
        (Some("cross-site"), Some("https://evil.example")),
        (Some("same-site"), Some("https://sub.localhost:3000")),
        (None, Some("https://evil.example")),
        (None, Some("null")),
    ] {
        let r = create(site, origin).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{site:?} {origin:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
    }
    assert_eq!(
        app.get("/api/v1/projects", &ada).await.body["items"].as_array().unwrap().len(),
        0,
        "nothing was created"
    );

    // A cross-site form cannot sign the user out, nor sign them into someone else's account.
    let sign_out = app
        .http
        .post(format!("{}/rpc/sign_out", app.base))
        .header("Cookie", &cookie)
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(sign_out.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/me", &ada).await.status, StatusCode::OK, "still signed in");
    let login_csrf = app.sign_in_form("ada@example.com").header("Origin", "https://evil.example").send().await.unwrap();
    assert_eq!(login_csrf.status(), StatusCode::FORBIDDEN);
    assert!(header(&login_csrf, "set-cookie").is_empty());

    // The same requests from the app's own pages, and from scripts without a browser, work.
    assert_eq!(create(Some("same-origin"), Some("http://localhost:3000")).await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(create(None, Some("http://localhost:3000")).await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(create(None, None).await.unwrap().status(), StatusCode::CREATED);
    let reading = app.http.get(format!("{}/api/v1/projects", app.base)).header("Cookie", &cookie);
    let reading = reading.header("Sec-Fetch-Site", "cross-site").send().await.unwrap();
    assert_eq!(reading.status(), StatusCode::OK, "reads are not refused: a cross-site page cannot see the answer");
}

#[tokio::test]
async fn failed_sign_ins_hold_back_the_guesser_not_the_owner() {
    let app = TestApp::spawn_with(|c| {
        c.security.sign_in_failures_per_account = 3;
        c.security.trusted_proxies = server::security::client_ip::TrustedProxies::parse("127.0.0.1").unwrap();
    })
    .await;
    let (email, other) = (fresh_email(), fresh_email());
    register(&app, &email).await;
    register(&app, &other).await;
    let ip = fresh_client_ip();

    for _ in 0..3 {
        assert_eq!(token_from(&app, &ip, &email, "guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = token_from(&app, &ip, &email, "guess").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = header(&refused, "retry-after").parse().expect("Retry-After in seconds");
    assert!((1..=300).contains(&wait), "at most the 5-minute window: {wait}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(body["error"]["details"]["retry_after_secs"], wait);
    let guesser = token_from(&app, &ip, &email, "correct horse battery").await;
    assert_eq!(guesser.status(), StatusCode::TOO_MANY_REQUESTS, "the guessing address waits, right password or not");
    let owner = token_from(&app, &fresh_client_ip(), &email, "correct horse battery").await;
    assert_eq!(owner.status(), StatusCode::OK, "the owner, elsewhere, is not locked out");

    // Other accounts are untouched, and a success clears an account's failures.
    for _ in 0..2 {
        assert_eq!(token_from(&app, &ip, &other, "guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(token_from(&app, &ip, &other, "correct horse battery").await.status(), StatusCode::OK);
    for _ in 0..3 {
        assert_eq!(token_from(&app, &ip, &other, "guess").await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn guessing_spread_over_many_addresses_is_limited_per_account() {
    let app = TestApp::spawn_with(|c| {
        c.security.sign_in_failures_per_account = 2;
        c.security.trusted_proxies = server::security::client_ip::TrustedProxies::parse("127.0.0.1").unwrap();
    })
    .await;
    let email = fresh_email();
    register(&app, &email).await;
    // Ten times the per-address limit, two guesses from each of ten addresses.
    for _ in 0..10 {
        let ip = fresh_client_ip();
        for _ in 0..2 {
            assert_eq!(token_from(&app, &ip, &email, "guess").await.status(), StatusCode::UNAUTHORIZED);
        }
    }
    let next = token_from(&app, &fresh_client_ip(), &email, "guess").await;
    assert_eq!(next.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_client_address_on_both_doors() {
    let app = TestApp::spawn_with(|c| {
        c.security.sign_in_failures_per_ip = 4;
        c.security.trusted_proxies = server::security::client_ip::TrustedProxies::parse("127.0.0.1").unwrap();
    })
    .await;
    let email = fresh_email();
    register(&app, &email).await;
    let ip = fresh_client_ip();
    for _ in 0..2 {
        assert_eq!(token_from(&app, &ip, &fresh_email(), "guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    let browser = |ip: String, email: String, password: &'static str| {
        app.http
            .post(format!("{}/rpc/sign_in", app.base))
            .header("Accept", "application/json")
            .header("X-Forwarded-For", ip)
            .form(&[("email", email.as_str()), ("password", password)])
            .send()
    };
    for _ in 0..2 {
        let r = browser(ip.clone(), fresh_email(), "guess").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = browser(ip.clone(), email.clone(), "correct horse battery").await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "the address used up its failures");
    assert!(header(&refused, "retry-after").parse::<u64>().unwrap() >= 1);
    assert!(header(&refused, "set-cookie").is_empty());
    assert_eq!(token_from(&app, &ip, &email, "correct horse battery").await.status(), StatusCode::TOO_MANY_REQUESTS);

    let elsewhere = fresh_client_ip();
    assert_eq!(token_from(&app, &elsewhere, &email, "correct horse battery").await.status(), StatusCode::OK);
    let ok = browser(elsewhere, email, "correct horse battery").await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK, "other addresses are not affected");
}

#[tokio::test]
async fn signing_in_ends_the_session_the_browser_already_held() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let planted = format!("tandem_session={}", ada.token);
    let r = app
        .sign_in_form("ada@example.com")
        .header("Accept", "application/json")
        .header("Cookie", &planted)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let fresh = header(&r, "set-cookie").split(';').next().unwrap().to_owned();
    assert_ne!(fresh, planted, "a new session id");
    let me = |cookie: String| app.http.get(format!("{}/api/v1/me", app.base)).header("Cookie", cookie).send();
    assert_eq!(me(planted).await.unwrap().status(), StatusCode::UNAUTHORIZED, "the old session died");
    assert_eq!(me(fresh).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn after_sign_in_only_paths_on_this_site_are_followed() {
    let app = TestApp::spawn().await;
    app.user("Ada").await;
    for (next, expected) in [
        ("/tasks/0193?tab=comments", "/tasks/0193?tab=comments"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https:evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ] {
        let r = app
            .http
            .post(format!("{}/rpc/sign_in", app.base))
            .header("Accept", "text/html")
            .form(&[("email", "ada@example.com"), ("password", "correct horse battery"), ("next", next)])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{next}: {}", r.status());
        assert_eq!(header(&r, "location"), expected, "{next}");
    }
}

#[tokio::test]
async fn instances_count_failures_together_through_redis_and_apart_without_it() {
    let shared = std::env::var("TANDEM_TEST_REDIS").is_ok_and(|url| !url.is_empty());
    let settings = |c: &mut server::config::Config| {
        c.security.sign_in_failures_per_account = 3;
        c.security.trusted_proxies = server::security::client_ip::TrustedProxies::parse("127.0.0.1").unwrap();
    };
    let (a, b) = (TestApp::spawn_with(settings).await, TestApp::spawn_with(settings).await);
    let email = fresh_email();
    register(&a, &email).await;
    let ip = fresh_client_ip();
    assert_eq!(token_from(&a, &ip, &email, "guess").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(token_from(&b, &ip, &email, "guess").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(token_from(&a, &ip, &email, "guess").await.status(), StatusCode::UNAUTHORIZED);
    let fourth = token_from(&b, &ip, &email, "guess").await.status();
    if shared {
        assert_eq!(fourth, StatusCode::TOO_MANY_REQUESTS, "the fourth failure across both instances");
    } else {
        assert_eq!(fourth, StatusCode::UNAUTHORIZED, "each instance has seen two");
    }
}

//! Server-rendered pages. One server per process here: Leptos keeps process-wide state,
//! and pages rendered by many servers side by side in one test process can stall,
//! which a real deployment (one server per process) never does.

// Shared with the API tests; this file uses only part of it.
#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;
#[path = "support/postgres.rs"]
mod postgres;

use reqwest::StatusCode;

use helpers::TestApp;

#[tokio::test]
async fn pages_render_on_the_server_in_the_users_time_zone() {
    let app = TestApp::spawn().await;
    unknown_pages_are_404_and_pages_link_the_hydration_script(&app).await;
    times_are_shown_in_the_users_time_zone(&app).await;
}

async fn unknown_pages_are_404_and_pages_link_the_hydration_script(app: &TestApp) {
    let login = app.http.get(format!("{}/login", app.base)).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");
    assert!(html.contains("/pkg/tandem.js"), "hydration script is linked");
    let missing = app.http.get(format!("{}/no/such/page", app.base)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn times_are_shown_in_the_users_time_zone(app: &TestApp) {
    let ada = app.user("Ada").await;
    app.patch("/api/v1/me", &ada, serde_json::json!({ "timezone": "Europe/Berlin" })).await;
    let p = app.project(&ada, "Launch").await;
    let summer = app.task(&p, &ada, serde_json::json!({ "title": "Summer", "due_at": "2026-07-01T10:00:00Z" })).await;
    let winter = app.task(&p, &ada, serde_json::json!({ "title": "Winter", "due_at": "2026-12-01T10:00:00Z" })).await;
    for (task, shown) in [(summer, "Jul 1, 2026 12:00"), (winter, "Dec 1, 2026 11:00")] {
        let html = app
            .http
            .get(format!("{}/tasks/{}", app.base, task["id"].as_str().unwrap()))
            .header("Cookie", format!("tandem_session={}", ada.token))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(shown), "{shown} in {html}");
    }
}

use reqwest::{Method, StatusCode};

use crate::helpers::TestApp;

#[tokio::test]
async fn health_ready_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let health = app.request(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    let ready = app.request(Method::GET, "/readyz", None, None).await;
    assert_eq!((ready.status, ready.body["database"].as_str()), (StatusCode::OK, Some("ok")));
    let metrics = app.request(Method::GET, "/metrics", None, None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.body.as_str().unwrap().contains("tandem_http_requests_total{class=\"2xx\"}"));
}

#[tokio::test]
async fn pages_are_server_rendered_and_unknown_pages_are_404() {
    let app = TestApp::spawn().await;
    let login = app.http.get(format!("{}/login", app.base)).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");
    assert!(html.contains("/pkg/tandem.js"), "hydration script is linked");
    let missing = app.http.get(format!("{}/no/such/page", app.base)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

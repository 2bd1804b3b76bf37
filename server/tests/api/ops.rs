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
async fn the_openapi_document_describes_every_endpoint() {
    let app = TestApp::spawn().await;
    let doc = app.request(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/token", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "patch"),
        ("/api/v1/projects", "get"),
        ("/api/v1/projects/{id}", "delete"),
        ("/api/v1/projects/{id}/members/{user_id}", "delete"),
        ("/api/v1/projects/{id}/tasks", "get"),
        ("/api/v1/tasks", "get"),
        ("/api/v1/tasks/{id}", "patch"),
        ("/api/v1/tasks/{id}/comments", "post"),
        ("/api/v1/tasks/{id}/activity", "get"),
        ("/api/v1/notifications", "get"),
        ("/api/v1/notifications/{id}/read", "post"),
        ("/api/v1/notifications/read-all", "post"),
        ("/api/v1/me/sessions", "get"),
        ("/api/v1/me/sessions", "delete"),
        ("/api/v1/me/sessions/{id}", "delete"),
        ("/api/v1/me/tokens", "post"),
        ("/api/v1/me/password", "post"),
        ("/api/v1/admin/users", "get"),
        ("/api/v1/admin/users/{id}", "patch"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is documented");
    }
    assert_eq!(paths.values().map(|p| p.as_object().unwrap().len()).sum::<usize>(), 32, "every handler, once");
    assert!(doc.body["components"]["schemas"]["Task"]["properties"]["version"].is_object());
    assert!(doc.body["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn interactive_docs_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let page = app.http.get(format!("{}/api/docs/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("swagger"));
    let config = app.http.get(format!("{}/api/docs/swagger-initializer.js", app.base)).send().await.unwrap();
    assert_eq!(config.status(), StatusCode::OK);
    assert!(config.text().await.unwrap().contains("/api/v1/openapi.json"));
}

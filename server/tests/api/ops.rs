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
    // The router is built from the endpoint table: the document must describe each one.
    let endpoints = server::api::endpoints();
    for endpoint in &endpoints {
        let path = format!("/api/v1{}", endpoint.path);
        assert!(
            paths.get(&path).and_then(|p| p.get(endpoint.method)).is_some(),
            "{} {path} is documented",
            endpoint.method
        );
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, endpoints.len(), "every handler, once");
    assert!(doc.body["components"]["schemas"]["Task"]["properties"]["version"].is_object());
    let schemas = &doc.body["components"]["schemas"];
    assert!(schemas["User"]["properties"]["notifications"].is_object());
    assert!(schemas["NotificationPrefs"]["properties"]["quiet_hours"].is_object());
    assert!(schemas["MePatch"]["properties"]["notifications"].is_object());
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

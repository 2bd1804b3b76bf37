//! The public REST API of API.md (mounted at `/api/v1`): thin handlers over the service layer.

mod account;
mod auth;
mod comments;
mod error;
mod extract;
mod notifications;
mod openapi;
mod ops;
mod projects;
mod tasks;

use axum::routing::{delete, get, post};
use axum::Router;

pub use error::{json_error_bodies, ApiError};
pub use openapi::ApiDoc;
pub use ops::{ops_routes, track, Metrics};

use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(auth::register))
        .route("/auth/token", post(auth::token))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me).patch(auth::update_me))
        .route("/me/sessions", get(account::sessions).delete(account::revoke_others))
        .route("/me/sessions/{id}", delete(account::revoke))
        .route("/me/tokens", post(account::create_token))
        .route("/me/password", post(account::change_password))
        .route("/admin/users", get(account::accounts))
        .route("/admin/users/{id}", axum::routing::patch(account::update_account))
        .route("/projects", get(projects::list).post(projects::create))
        .route("/projects/{id}", get(projects::get).patch(projects::update).delete(projects::remove))
        .route("/projects/{id}/members", get(projects::members).post(projects::add_member))
        .route("/projects/{id}/members/{user_id}", delete(projects::remove_member))
        .route("/projects/{id}/tasks", get(tasks::list).post(tasks::create))
        .route("/tasks", get(tasks::list_mine))
        .route("/tasks/{id}", get(tasks::get).patch(tasks::update).delete(tasks::remove))
        .route("/tasks/{id}/comments", get(comments::list).post(comments::create))
        .route("/tasks/{id}/activity", get(comments::activity))
        .route("/notifications", get(notifications::list))
        .route("/notifications/read-all", post(notifications::read_all))
        .route("/notifications/{id}/read", post(notifications::read))
        .route("/ws", get(crate::realtime::ws_handler))
        .route("/openapi.json", get(|| async { axum::Json(<ApiDoc as utoipa::OpenApi>::openapi()) }))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
}

/// Interactive documentation (Swagger UI, served from the binary) for the OpenAPI document.
pub fn docs_routes() -> Router<AppState> {
    let config = utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"]);
    Router::from(utoipa_swagger_ui::SwaggerUi::new("/api/docs").config(config))
}

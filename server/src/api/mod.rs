//! The public REST API of API.md: thin handlers over the service layer.

mod auth;
mod comments;
mod error;
mod extract;
mod notifications;
mod ops;
mod projects;
mod tasks;

use axum::routing::{delete, get, post};
use axum::Router;

pub use error::ApiError;
pub use ops::{ops_routes, track, Metrics};

use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/register", post(auth::register))
        .route("/api/v1/auth/token", post(auth::token))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me", get(auth::me).patch(auth::update_me))
        .route("/api/v1/projects", get(projects::list).post(projects::create))
        .route("/api/v1/projects/{id}", get(projects::get).patch(projects::update).delete(projects::remove))
        .route("/api/v1/projects/{id}/members", get(projects::members).post(projects::add_member))
        .route("/api/v1/projects/{id}/members/{user_id}", delete(projects::remove_member))
        .route("/api/v1/projects/{id}/tasks", get(tasks::list).post(tasks::create))
        .route("/api/v1/tasks", get(tasks::list_mine))
        .route("/api/v1/tasks/{id}", get(tasks::get).patch(tasks::update).delete(tasks::remove))
        .route("/api/v1/tasks/{id}/comments", get(comments::list).post(comments::create))
        .route("/api/v1/tasks/{id}/activity", get(comments::activity))
        .route("/api/v1/notifications", get(notifications::list))
        .route("/api/v1/notifications/read-all", post(notifications::read_all))
        .route("/api/v1/notifications/{id}/read", post(notifications::read))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::map_response(error::json_error_bodies))
}

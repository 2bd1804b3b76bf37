use app::domain::Watcher;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::extract::{parse_id, Authed};
use super::openapi::ErrorBody;
use super::ApiError;
use crate::startup::AppState;

/// Who follows a task's changes and comments (members of its project only).
#[utoipa::path(get, path = "/api/v1/tasks/{id}/watchers", tag = "tasks", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<Watcher>), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Vec<Watcher>>, ApiError> {
    Ok(Json(state.service.list_watchers(&user, parse_id(&id, "task")?).await?))
}

/// Follow a task: its changes and comments notify you (`task_updated`, `comment_added`).
/// Anyone who can read the task may, viewers too.
#[utoipa::path(put, path = "/api/v1/tasks/{id}/watch", tag = "tasks", params(("id" = Uuid, Path)), responses((status = 204, description = "watching"), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn watch(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.set_watching(&user, parse_id(&id, "task")?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop following a task (creators and assignees still hear of it).
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/watch", tag = "tasks", params(("id" = Uuid, Path)), responses((status = 204, description = "not watching"), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn unwatch(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.set_watching(&user, parse_id(&id, "task")?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

use app::domain::{Comment, NewComment};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::extract::{parse_id, ApiJson, Authed};
use super::openapi::ErrorBody;
use super::ApiError;
use crate::startup::AppState;
use app::domain::{Activity, Page};

/// A task's comments, oldest first; replies carry `parent_id`.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/comments", tag = "comments", params(("id" = Uuid, Path)), responses((status = 200, body = Page<Comment>), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = state.service.list_comments(&user, parse_id(&id, "task")?).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

/// Comment on a task or reply to a comment; `@name` mentions notify members.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/comments", tag = "comments", params(("id" = Uuid, Path)), request_body = NewComment, responses((status = 201, body = Comment), (status = 400, description = "malformed request", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "signed in but not allowed", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<Comment>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.service.add_comment(&user, parse_id(&id, "task")?, input).await?)))
}

/// Who changed which field of a task from what to what, oldest first.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/activity", tag = "comments", params(("id" = Uuid, Path)), responses((status = 200, body = Page<Activity>), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn activity(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = state.service.list_activity(&user, parse_id(&id, "task")?).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

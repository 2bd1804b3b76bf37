use app::domain::{AppError, NewTask, Page, Task, TaskFilter, TaskPatch};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;

use super::extract::{parse_id, query_pairs, ApiJson, Authed};
use super::openapi::{ErrorBody, TaskQuery};
use super::ApiError;
use crate::startup::AppState;

fn filter(query: Option<String>) -> Result<TaskFilter, ApiError> {
    let pairs = query_pairs(query.as_deref())?;
    Ok(TaskFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?)
}

/// A project's tasks, filtered and sorted.
#[utoipa::path(get, path = "/api/v1/projects/{id}/tasks", tag = "tasks", params(("id" = Uuid, Path), TaskQuery), responses((status = 200, body = Page<Task>), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<Task>>, ApiError> {
    let project = parse_id(&id, "project")?;
    Ok(Json(state.service.list_tasks(&user, project, filter(query)?).await?))
}

/// Tasks across every project you belong to (e.g. `assignee=me`).
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskQuery), responses((status = 200, body = Page<Task>), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_mine(
    State(state): State<AppState>,
    Authed(user): Authed,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<Task>>, ApiError> {
    Ok(Json(state.service.list_my_tasks(&user, filter(query)?).await?))
}

/// Create a task (members, admins, owners).
#[utoipa::path(post, path = "/api/v1/projects/{id}/tasks", tag = "tasks", params(("id" = Uuid, Path)), request_body = NewTask, responses((status = 201, body = Task), (status = 400, description = "malformed request", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "signed in but not allowed", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewTask>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let project = parse_id(&id, "project")?;
    Ok((StatusCode::CREATED, Json(state.service.create_task(&user, project, input).await?)))
}

/// One task.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = Uuid, Path)), responses((status = 200, body = Task), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(state.service.get_task(&user, parse_id(&id, "task")?).await?))
}

/// `If-Match: <version>` (quoted or not) stands for `"version"` when the body has none.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = Uuid, Path), ("If-Match" = Option<i64>, Header, description = "the task version this edit is based on")), request_body = TaskPatch, responses((status = 200, body = Task), (status = 409, description = "a field you change was changed since your version; `details.current` holds the task", body = ErrorBody), (status = 400, description = "malformed request", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "signed in but not allowed", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(mut patch): ApiJson<TaskPatch>,
) -> Result<Json<Task>, ApiError> {
    let id = parse_id(&id, "task")?;
    if let Some(value) = headers.get(header::IF_MATCH) {
        let text = value.to_str().unwrap_or_default().trim().trim_start_matches("W/").trim_matches('"');
        let version =
            text.parse::<i64>().map_err(|_| AppError::bad_request("If-Match must be the task's version number"))?;
        patch.version.get_or_insert(version);
    }
    Ok(Json(state.service.update_task(&user, id, patch).await?))
}

/// Delete a task.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = Uuid, Path)), responses((status = 204, description = "deleted"), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "signed in but not allowed", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_task(&user, parse_id(&id, "task")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

use app::domain::{AppError, NewTask, Page, Task, TaskFilter, TaskPatch};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;

use super::extract::{parse_id, query_pairs, ApiJson, Authed};
use super::ApiError;
use crate::startup::AppState;

fn filter(query: Option<String>) -> Result<TaskFilter, ApiError> {
    let pairs = query_pairs(query.as_deref())?;
    Ok(TaskFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?)
}

pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<Task>>, ApiError> {
    let project = parse_id(&id, "project")?;
    Ok(Json(state.service.list_tasks(&user, project, filter(query)?).await?))
}

pub async fn list_mine(
    State(state): State<AppState>,
    Authed(user): Authed,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<Task>>, ApiError> {
    Ok(Json(state.service.list_my_tasks(&user, filter(query)?).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewTask>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let project = parse_id(&id, "project")?;
    Ok((StatusCode::CREATED, Json(state.service.create_task(&user, project, input).await?)))
}

pub async fn get(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(state.service.get_task(&user, parse_id(&id, "task")?).await?))
}

/// `If-Match: <version>` (quoted or not) stands for `"version"` when the body has none.
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

pub async fn remove(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_task(&user, parse_id(&id, "task")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

use app::domain::{NewTaskReminder, TaskReminder};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::extract::{parse_id, ApiJson, Authed};
use super::openapi::ErrorBody;
use super::ApiError;
use crate::startup::AppState;

/// The task's own reminders, oldest first. They go to its assignees (its creator when
/// nobody is assigned), besides each person's lead time before the due date.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/reminders", tag = "tasks", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<TaskReminder>), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Vec<TaskReminder>>, ApiError> {
    Ok(Json(state.service.list_task_reminders(&user, parse_id(&id, "task")?).await?))
}

/// Add a reminder at a moment (`{"at"}`) or some minutes before the due time
/// (`{"before_due_minutes"}`, following the due date when it moves); at most 10 a task.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reminders", tag = "tasks", params(("id" = Uuid, Path)), request_body = NewTaskReminder, responses((status = 201, body = TaskReminder), (status = 400, description = "malformed request", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "viewers cannot set reminders", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody), (status = 422, description = "invalid field values, or 10 reminders already", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewTaskReminder>,
) -> Result<(StatusCode, Json<TaskReminder>), ApiError> {
    let reminder = state.service.add_task_reminder(&user, parse_id(&id, "task")?, input).await?;
    Ok((StatusCode::CREATED, Json(reminder)))
}

/// Remove one of the task's reminders.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/reminders/{reminder_id}", tag = "tasks", params(("id" = Uuid, Path), ("reminder_id" = Uuid, Path)), responses((status = 204, description = "removed"), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "viewers cannot remove reminders", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((id, reminder_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (task, reminder) = (parse_id(&id, "task")?, parse_id(&reminder_id, "reminder")?);
    state.service.remove_task_reminder(&user, task, reminder).await?;
    Ok(StatusCode::NO_CONTENT)
}

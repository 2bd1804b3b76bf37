use app::domain::{AppError, Notification, Page};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;

use super::extract::{parse_id, query_pairs, Authed};
use super::openapi::ErrorBody;
use super::ApiError;
use crate::startup::AppState;

/// Your notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(("unread" = Option<bool>, Query), ("limit" = Option<u32>, Query)), responses((status = 200, body = Page<Notification>), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<Notification>>, ApiError> {
    let mut unread_only = false;
    let mut limit = 50;
    for (key, value) in query_pairs(query.as_deref())? {
        match key.as_str() {
            "unread" => unread_only = matches!(value.as_str(), "true" | "1"),
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=200).contains(n))
                    .ok_or_else(|| AppError::invalid("limit", "must be between 1 and 200"))?
            }
            _ => {}
        }
    }
    Ok(Json(state.service.list_notifications(&user, unread_only, limit).await?))
}

/// Mark one notification read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = Uuid, Path)), responses((status = 204, description = "marked read"), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn read(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.mark_read(&user, parse_id(&id, "notification")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark all your notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", responses((status = 204, description = "all marked read"), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn read_all(State(state): State<AppState>, Authed(user): Authed) -> Result<StatusCode, ApiError> {
    state.service.mark_all_read(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}

use app::domain::{Notification, Page, PageRequest};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;

use super::extract::{parse_id, query_pairs, Authed};
use super::openapi::ErrorBody;
use super::ApiError;
use crate::startup::AppState;

/// Your notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(("unread" = Option<bool>, Query), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)), responses((status = 200, body = Page<Notification>), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<Notification>>, ApiError> {
    let pairs = query_pairs(query.as_deref())?;
    let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let unread_only = matches!(value("unread"), Some("true" | "1"));
    let page = PageRequest::parse(value("limit"), value("cursor"))?;
    Ok(Json(state.service.list_notifications(&user, unread_only, page).await?))
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

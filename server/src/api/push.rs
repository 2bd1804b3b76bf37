use app::domain::{NewPushSubscription, PushDevice, PushKey};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::extract::{parse_id, ApiJson, Authed};
use super::openapi::ErrorBody;
use super::ApiError;
use crate::startup::AppState;

/// The server's VAPID public key: the `applicationServerKey` a browser subscribes with.
#[utoipa::path(get, path = "/api/v1/push/key", tag = "notifications", responses((status = 200, body = PushKey), (status = 401, description = "not signed in", body = ErrorBody), (status = 503, description = "push is turned off on this server", body = ErrorBody)), security(("bearer" = [])))]
pub async fn key(State(state): State<AppState>, Authed(_): Authed) -> Result<Json<PushKey>, ApiError> {
    Ok(Json(state.service.push_key()?))
}

/// Your devices that receive push notifications, newest first.
#[utoipa::path(get, path = "/api/v1/me/push-subscriptions", tag = "notifications", responses((status = 200, body = Vec<PushDevice>), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, Authed(user): Authed) -> Result<Json<Vec<PushDevice>>, ApiError> {
    Ok(Json(state.service.push_devices(&user).await?))
}

/// Turn push on for a device: the browser's `PushSubscription.toJSON()`, with an
/// optional `device` name. The same endpoint again replaces the old subscription; the
/// newest 20 devices are kept. Endpoints must be a known push service over https.
#[utoipa::path(post, path = "/api/v1/me/push-subscriptions", tag = "notifications", request_body = NewPushSubscription, responses((status = 201, body = PushDevice), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "not a push service this server sends to, or bad keys", body = ErrorBody), (status = 503, description = "push is turned off on this server", body = ErrorBody)), security(("bearer" = [])))]
pub async fn subscribe(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<NewPushSubscription>,
) -> Result<(StatusCode, Json<PushDevice>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.service.subscribe_push(&user, input).await?)))
}

/// Turn push off for one of your devices.
#[utoipa::path(delete, path = "/api/v1/me/push-subscriptions/{id}", tag = "notifications", params(("id" = Uuid, Path)), responses((status = 204, description = "removed"), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not one of your devices", body = ErrorBody)), security(("bearer" = [])))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.unsubscribe_push(&user, parse_id(&id, "device")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

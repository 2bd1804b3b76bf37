//! Provider sign-in over REST: which ways in the instance offers, your connected
//! providers, and the admin's password switch. Signing in through a provider itself is
//! a browser flow (`/auth/{provider}/login`), not an API call.

use app::domain::{InstanceSettings, SignInMethods, SignInOptions};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::extract::{parse_id, ApiJson, Authed};
use super::openapi::ErrorBody;
use super::ApiError;
use crate::startup::AppState;

/// The ways in this instance offers: password (unless an admin turned it off) and each
/// configured provider, whose sign-in starts at `/auth/{name}/login`.
#[utoipa::path(get, path = "/api/v1/auth/providers", tag = "auth", responses((status = 200, body = SignInOptions)))]
pub async fn providers(State(state): State<AppState>) -> Result<Json<SignInOptions>, ApiError> {
    Ok(Json(state.service.sign_in_options().await?))
}

/// Your ways in: whether you have a password, the providers connected to your account,
/// and those you may still connect (at `/auth/{name}/login?link=1`, signed in).
#[utoipa::path(get, path = "/api/v1/me/identities", tag = "account", responses((status = 200, body = SignInMethods), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn identities(State(state): State<AppState>, Authed(me): Authed) -> Result<Json<SignInMethods>, ApiError> {
    Ok(Json(state.service.sign_in_methods(&me).await?))
}

/// Disconnect a provider from your account; refused while it is your only way in.
#[utoipa::path(delete, path = "/api/v1/me/identities/{id}", tag = "account", params(("id" = Uuid, Path)), responses((status = 204, description = "disconnected"), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "your only way to sign in", body = ErrorBody), (status = 404, description = "not found, or not yours", body = ErrorBody)), security(("bearer" = [])))]
pub async fn unlink(
    State(state): State<AppState>,
    Authed(me): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.unlink_identity(&me, parse_id(&id, "identity")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Instance-wide sign-in settings (instance admins only).
#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin", responses((status = 200, body = InstanceSettings), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not an instance admin", body = ErrorBody)), security(("bearer" = [])))]
pub async fn settings(State(state): State<AppState>, Authed(me): Authed) -> Result<Json<InstanceSettings>, ApiError> {
    Ok(Json(state.service.instance_settings(&me).await?))
}

/// Turn password sign-in and sign-up on or off (instance admins only). Turning it off
/// needs a provider connected to your own account.
#[utoipa::path(patch, path = "/api/v1/admin/settings", tag = "admin", request_body = InstanceSettings, responses((status = 200, body = InstanceSettings), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not an instance admin", body = ErrorBody), (status = 422, description = "you have no provider to sign in with", body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_settings(
    State(state): State<AppState>,
    Authed(me): Authed,
    ApiJson(settings): ApiJson<InstanceSettings>,
) -> Result<Json<InstanceSettings>, ApiError> {
    Ok(Json(state.service.update_instance_settings(&me, settings).await?))
}

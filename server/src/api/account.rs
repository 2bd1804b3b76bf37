//! Your own access (signed-in browsers, tokens, password) and, for instance admins,
//! every account.

use app::domain::{AccessInfo, AccountInfo, AccountPatch, CreatedToken, NewToken, PasswordChange};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::extract::{parse_id, ApiJson, Authed, Session};
use super::openapi::{ErrorBody, Revoked};
use super::ApiError;
use crate::startup::AppState;

/// Your signed-in browsers and API tokens (never their secrets), newest first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "account", responses((status = 200, body = Vec<AccessInfo>), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn sessions(State(state): State<AppState>, Session(me): Session) -> Result<Json<Vec<AccessInfo>>, ApiError> {
    Ok(Json(state.service.list_access(&me).await?))
}

/// Sign one browser out, or revoke one token; its open sockets close at once.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "account", params(("id" = Uuid, Path)), responses((status = 204, description = "revoked everywhere"), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not yours", body = ErrorBody)), security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    Session(me): Session,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.revoke_access(&me, parse_id(&id, "session")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign out every other browser and revoke every other token.
#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "account", responses((status = 200, description = "how many were revoked", body = Revoked), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn revoke_others(State(state): State<AppState>, Session(me): Session) -> Result<Json<Revoked>, ApiError> {
    let revoked = state.service.revoke_other_access(&me).await?;
    Ok(Json(Revoked { revoked }))
}

/// Make a personal API token (`read` or `read_write`, 1–365 days). The token is in
/// this answer only; it is stored hashed.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "account", request_body = NewToken, responses((status = 201, body = CreatedToken), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    Session(me): Session,
    ApiJson(input): ApiJson<NewToken>,
) -> Result<Response, ApiError> {
    let created = state.service.create_token(&me, input).await?;
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(created)).into_response())
}

/// Change your password; every other session and token of yours ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", request_body = PasswordChange, responses((status = 204, description = "changed"), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "wrong current password or a weak new one", body = ErrorBody), (status = 429, description = "too many wrong attempts", body = ErrorBody)), security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    Session(me): Session,
    ApiJson(input): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    state.service.change_password(&me, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every account on the instance (instance admins only).
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", responses((status = 200, body = Vec<AccountInfo>), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not an instance admin", body = ErrorBody)), security(("bearer" = [])))]
pub async fn accounts(State(state): State<AppState>, Authed(user): Authed) -> Result<Json<Vec<AccountInfo>>, ApiError> {
    Ok(Json(state.service.list_accounts(&user).await?))
}

/// Promote, demote, disable or enable an account (instance admins only). A disabled
/// account's sessions and tokens stop working at once.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", params(("id" = Uuid, Path)), request_body = AccountPatch, responses((status = 200, body = AccountInfo), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not an instance admin, or your own account", body = ErrorBody), (status = 404, description = "no such account", body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_account(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<AccountPatch>,
) -> Result<Json<AccountInfo>, ApiError> {
    Ok(Json(state.service.update_account(&user, parse_id(&id, "account")?, patch).await?))
}

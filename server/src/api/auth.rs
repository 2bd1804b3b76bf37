use app::domain::{AppError, Credentials, MePatch, Registration, User};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::extract::{ApiJson, Authed};
use super::openapi::{ErrorBody, RegisteredUser, TokenRequest, TokenResponse};
use super::ApiError;
use crate::startup::AppState;

/// Create an account; the first account on an instance is its admin.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = Registration, responses((status = 201, description = "the account, signed out", body = RegisteredUser), (status = 400, description = "malformed request", body = ErrorBody), (status = 409, description = "conflict", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Registration>,
) -> Result<Response, ApiError> {
    let user = state.service.register(input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "user": user }))).into_response())
}

/// OAuth2 password grant, as a form or as JSON.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded", description = "OAuth2 password grant; a JSON body with the same fields is accepted too"), responses((status = 200, description = "a bearer token", body = TokenResponse), (status = 400, description = "malformed request", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)))]
pub async fn token(State(state): State<AppState>, request: Parts, body: Bytes) -> Result<Response, ApiError> {
    let content_type = request.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let token_request: TokenRequest = if content_type.starts_with("application/json") {
        serde_json::from_slice(&body).map_err(|e| AppError::bad_request(format!("malformed token request: {e}")))?
    } else {
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| AppError::bad_request(format!("malformed token request: {e}")))?
    };
    if token_request.grant_type != "password" {
        return Err(AppError::bad_request("grant_type must be password").into());
    }
    let credentials = Credentials { email: token_request.username, password: token_request.password };
    let issued = state.service.issue_api_token(credentials, &request).await?;
    let body = json!({ "access_token": issued.token, "token_type": "bearer", "expires_in": issued.expires_in_secs });
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// Revoke the token (or session) that made the request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204, description = "the token or session is revoked everywhere"), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn logout(State(state): State<AppState>, _user: Authed, headers: HeaderMap) -> Result<Response, ApiError> {
    state.service.sign_out(&headers).await?;
    let clear = state.service.session_cookie(None);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, description = "the signed-in user", body = User), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(Authed(user): Authed) -> Json<User> {
    Json(user)
}

/// Change your name or time zone.
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", request_body = MePatch, responses((status = 200, description = "the updated user", body = User), (status = 400, description = "malformed request", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_me(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(patch): ApiJson<MePatch>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.service.update_me(&user, patch).await?))
}

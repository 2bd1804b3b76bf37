use app::domain::{AppError, Credentials, MePatch, Registration, User};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::extract::{ApiJson, Authed};
use super::ApiError;
use crate::startup::AppState;

pub async fn register(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Registration>,
) -> Result<Response, ApiError> {
    let user = state.service.register(input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "user": user }))).into_response())
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    username: String,
    password: String,
}

/// OAuth2 password grant, as a form or as JSON.
pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let request: TokenRequest = if content_type.starts_with("application/json") {
        serde_json::from_slice(&body).map_err(|e| AppError::bad_request(format!("malformed token request: {e}")))?
    } else {
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| AppError::bad_request(format!("malformed token request: {e}")))?
    };
    if request.grant_type != "password" {
        return Err(AppError::bad_request("grant_type must be password").into());
    }
    let issued =
        state.service.issue_api_token(Credentials { email: request.username, password: request.password }).await?;
    let body = json!({ "access_token": issued.token, "token_type": "bearer", "expires_in": issued.expires_in_secs });
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

pub async fn logout(State(state): State<AppState>, _user: Authed, headers: HeaderMap) -> Result<Response, ApiError> {
    state.service.sign_out(&headers).await?;
    let clear = state.service.session_cookie(None);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

pub async fn me(Authed(user): Authed) -> Json<User> {
    Json(user)
}

pub async fn update_me(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(patch): ApiJson<MePatch>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.service.update_me(&user, patch).await?))
}

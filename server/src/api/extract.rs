//! Extractors whose failures answer in the API's JSON error format.

use app::domain::{AppError, ErrorCode, User};
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::ApiError;
use crate::service::SignedIn;
use crate::startup::AppState;

/// The signed-in user (bearer token or session cookie), or 401.
pub struct Authed(pub User);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Self(Session::from_request_parts(parts, state).await?.0.user))
    }
}

/// The signed-in user with the session or token the request carried, or 401; a
/// read-only token is refused (403) for methods that change things.
pub struct Session(pub SignedIn);

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let signed_in = state.service.authenticate(&parts.headers, parts.method.as_str()).await?;
        signed_in.map(Session).ok_or_else(|| ApiError(AppError::unauthorized()))
    }
}

/// A JSON body: 400 when malformed, 422 when a field has the wrong type or is unknown,
/// 413 when too large, 415 without a JSON content type.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError(AppError::new(
                ErrorCode::UnsupportedMediaType,
                "send JSON with Content-Type: application/json",
            )));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            ApiError(if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::new(ErrorCode::PayloadTooLarge, "the request body is larger than 1 MiB")
            } else {
                AppError::bad_request(rejection.body_text())
            })
        })?;
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            // serde_json reports a number where an enum's name belongs as a syntax error;
            // the JSON itself is fine, so it is a field with the wrong type.
            Err(JsonRejection::JsonSyntaxError(e)) if serde_json::from_slice::<IgnoredAny>(&bytes).is_ok() => {
                Err(ApiError(AppError::new(ErrorCode::ValidationFailed, clean_serde_message(&e.body_text()))))
            }
            Err(rejection) => Err(ApiError(json_rejection(rejection))),
        }
    }
}

/// `application/json` or any `application/…+json`, as axum's own extractor accepts.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            AppError::new(ErrorCode::ValidationFailed, clean_serde_message(&e.body_text()))
        }
        JsonRejection::JsonSyntaxError(e) => {
            AppError::bad_request(format!("malformed JSON: {}", clean_serde_message(&e.body_text())))
        }
        JsonRejection::MissingJsonContentType(_) => {
            AppError::new(ErrorCode::UnsupportedMediaType, "send JSON with Content-Type: application/json")
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::new(ErrorCode::PayloadTooLarge, "the request body is larger than 1 MiB")
        }
        other => AppError::bad_request(other.body_text()),
    }
}

/// serde's messages start with axum's prefix; keep the part that helps the client.
fn clean_serde_message(text: &str) -> String {
    text.split_once(": ").map(|(_, rest)| rest).unwrap_or(text).to_owned()
}

/// A path id: anything that is not a UUID cannot name a resource, so 404.
pub fn parse_id(text: &str, what: &str) -> Result<uuid::Uuid, ApiError> {
    text.parse().map_err(|_| ApiError(AppError::not_found(what)))
}

/// The raw query string's pairs, keys repeated as given.
pub fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| ApiError(AppError::bad_request("the query string is malformed")))
}

//! The one place that decides an API error's status code and JSON body.

use app::domain::{AppError, ErrorCode};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.0.retry_after_secs();
        let AppError { code, message, details } = self.0;
        let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({ "code": code.as_str(), "message": message });
        if let Some(details) = details {
            body["details"] = details;
        }
        let mut response = (status, Json(json!({ "error": body }))).into_response();
        if code == ErrorCode::RateLimited {
            let secs = HeaderValue::from(retry_after.unwrap_or(60));
            response.headers_mut().insert(header::RETRY_AFTER, secs);
        }
        response
    }
}

pub async fn not_found() -> ApiError {
    ApiError(AppError::new(ErrorCode::NotFound, "no such endpoint"))
}

pub async fn method_not_allowed() -> Response {
    let mut response = ApiError(AppError::bad_request("this endpoint does not take that method")).into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}

/// API errors produced outside the handlers (body limits, timeouts) get the JSON body too.
pub async fn json_error_bodies(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_api {
        return response;
    }
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::new(ErrorCode::PayloadTooLarge, "the request body is larger than 1 MiB")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::new(ErrorCode::UnsupportedMediaType, "send JSON with Content-Type: application/json")
        }
        StatusCode::NOT_FOUND => AppError::not_found("resource"),
        s if s.is_server_error() => AppError::internal(),
        _ => AppError::bad_request("the request could not be understood"),
    };
    let mut fixed = ApiError(error).into_response();
    *fixed.status_mut() = status;
    fixed
}

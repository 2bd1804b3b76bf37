//! The one error type shared by the service layer, the REST API and the UI.
//!
//! The server converts it into the JSON body of API.md; the UI shows `message`, and a
//! form shows `field_error(name)` next to the field it concerns.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    InvalidCredentials,
    Forbidden,
    NotFound,
    VersionConflict,
    EmailTaken,
    AlreadyMember,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    RateLimited,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// The HTTP status this code is answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::VersionConflict | Self::EmailTaken | Self::AlreadyMember => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::ValidationFailed => 422,
            Self::RateLimited => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::VersionConflict => "version_conflict",
            Self::EmailTaken => "email_taken",
            Self::AlreadyMember => "already_member",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::ValidationFailed => "validation_failed",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), details: None }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, "sign in first")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// Also the answer for things that exist but are not visible to the caller.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "something went wrong on our side; try again")
    }

    pub fn unavailable() -> Self {
        Self::new(ErrorCode::Unavailable, "the service is temporarily unavailable; try again")
    }

    /// Too many attempts: `details.retry_after_secs` says when the next one is welcome.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let wait = if retry_after_secs > 90 {
            format!("{} minutes", retry_after_secs.div_ceil(60))
        } else {
            format!("{retry_after_secs} seconds")
        };
        Self::new(ErrorCode::RateLimited, format!("too many attempts; try again in {wait}"))
            .with_details(json!({ "retry_after_secs": retry_after_secs }))
    }

    /// When a `rate_limited` error says to come back, in seconds.
    pub fn retry_after_secs(&self) -> Option<u64> {
        (self.code == ErrorCode::RateLimited).then(|| self.details.as_ref()?.get("retry_after_secs")?.as_u64())?
    }

    /// A single invalid field: `details.fields.<field>` holds the message for the form.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(ErrorCode::ValidationFailed, format!("{field} {message}"))
            .with_details(json!({ "fields": { field: message } }))
    }

    /// The message for one form field, when this error is about it.
    pub fn field_error(&self, field: &str) -> Option<String> {
        self.details.as_ref()?.get("fields")?.get(field)?.as_str().map(str::to_owned)
    }
}

/// Collects every invalid field of an input before answering, so a form can show all at once.
#[derive(Default)]
pub struct Violations(serde_json::Map<String, Value>);

impl Violations {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| Value::String(message.into()));
    }

    pub fn check(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.add(field, message);
        }
    }

    pub fn into_result(self) -> Result<(), AppError> {
        let Some((field, message)) = self.0.iter().next() else {
            return Ok(());
        };
        let summary = format!("{field} {}", message.as_str().unwrap_or_default());
        Err(AppError::new(ErrorCode::ValidationFailed, summary)
            .with_details(json!({ "fields": Value::Object(self.0) })))
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Request(_) | E::Response(_) => {
                Self::new(ErrorCode::Unavailable, "could not reach the server; check your connection")
            }
            E::Args(_) | E::Deserialization(_) | E::MissingArg(_) => Self::bad_request("the request was malformed"),
            _ => Self::internal(),
        }
    }
}

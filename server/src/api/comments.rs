use app::domain::{Comment, NewComment};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::extract::{parse_id, ApiJson, Authed};
use super::ApiError;
use crate::startup::AppState;

pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = state.service.list_comments(&user, parse_id(&id, "task")?).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

pub async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<Comment>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.service.add_comment(&user, parse_id(&id, "task")?, input).await?)))
}

pub async fn activity(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = state.service.list_activity(&user, parse_id(&id, "task")?).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

use app::domain::{Member, MemberInput, NewProject, Project, ProjectPatch};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::extract::{parse_id, ApiJson, Authed};
use super::ApiError;
use crate::startup::AppState;

pub async fn list(State(state): State<AppState>, Authed(user): Authed) -> Result<Json<Value>, ApiError> {
    let items = state.service.list_projects(&user).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

pub async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<NewProject>,
) -> Result<(StatusCode, Json<Project>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.service.create_project(&user, input).await?)))
}

pub async fn get(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(state.service.get_project(&user, parse_id(&id, "project")?).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ProjectPatch>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(state.service.update_project(&user, parse_id(&id, "project")?, patch).await?))
}

pub async fn remove(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_project(&user, parse_id(&id, "project")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn members(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = state.service.list_members(&user, parse_id(&id, "project")?).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

pub async fn add_member(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MemberInput>,
) -> Result<(StatusCode, Json<Member>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.service.add_member(&user, parse_id(&id, "project")?, input).await?)))
}

pub async fn remove_member(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (project, member) = (parse_id(&id, "project")?, parse_id(&user_id, "member")?);
    state.service.remove_member(&user, project, member).await?;
    Ok(StatusCode::NO_CONTENT)
}

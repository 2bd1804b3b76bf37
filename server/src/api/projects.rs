use app::domain::{Member, MemberInput, NewProject, Project, ProjectPatch};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::extract::{parse_id, ApiJson, Authed};
use super::openapi::ErrorBody;
use super::ApiError;
use crate::startup::AppState;
use app::domain::Page;

/// Projects you are a member of.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", responses((status = 200, description = "the projects you belong to", body = Page<Project>), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, Authed(user): Authed) -> Result<Json<Value>, ApiError> {
    let items = state.service.list_projects(&user).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

/// Start a project.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = NewProject, responses((status = 201, description = "the project; you are its owner", body = Project), (status = 400, description = "malformed request", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<NewProject>,
) -> Result<(StatusCode, Json<Project>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.service.create_project(&user, input).await?)))
}

/// One project.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = Uuid, Path)), responses((status = 200, body = Project), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(state.service.get_project(&user, parse_id(&id, "project")?).await?))
}

/// Rename or describe a project (admins and owners).
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = Uuid, Path)), request_body = ProjectPatch, responses((status = 200, body = Project), (status = 400, description = "malformed request", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "signed in but not allowed", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ProjectPatch>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(state.service.update_project(&user, parse_id(&id, "project")?, patch).await?))
}

/// Delete a project (owners).
#[utoipa::path(delete, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = Uuid, Path)), responses((status = 204, description = "deleted with its tasks"), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "signed in but not allowed", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_project(&user, parse_id(&id, "project")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The project's members and their roles.
#[utoipa::path(get, path = "/api/v1/projects/{id}/members", tag = "members", params(("id" = Uuid, Path)), responses((status = 200, body = Page<Member>), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn members(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = state.service.list_members(&user, parse_id(&id, "project")?).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

/// Add an existing user by id or email with a role (admins and owners).
#[utoipa::path(post, path = "/api/v1/projects/{id}/members", tag = "members", params(("id" = Uuid, Path)), request_body = MemberInput, responses((status = 201, body = Member), (status = 400, description = "malformed request", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "signed in but not allowed", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody), (status = 409, description = "conflict", body = ErrorBody), (status = 422, description = "invalid field values", body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_member(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MemberInput>,
) -> Result<(StatusCode, Json<Member>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.service.add_member(&user, parse_id(&id, "project")?, input).await?)))
}

/// Remove a member (admins and owners), or leave a project yourself.
#[utoipa::path(delete, path = "/api/v1/projects/{id}/members/{user_id}", tag = "members", params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), responses((status = 204, description = "removed"), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "signed in but not allowed", body = ErrorBody), (status = 404, description = "not found, or not visible to you", body = ErrorBody)), security(("bearer" = [])))]
pub async fn remove_member(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (project, member) = (parse_id(&id, "project")?, parse_id(&user_id, "member")?);
    state.service.remove_member(&user, project, member).await?;
    Ok(StatusCode::NO_CONTENT)
}

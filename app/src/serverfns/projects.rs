use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

use crate::domain::{AppError, Member, MemberInput, NewProject, Project, ProjectPatch};

#[server(prefix = "/rpc")]
pub async fn list_projects() -> Result<Vec<Project>, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.list_projects(&user).await)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn create_project(input: NewProject) -> Result<Project, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.create_project(&user, input).await)
}

#[server(prefix = "/rpc")]
pub async fn get_project(id: Uuid) -> Result<Project, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.get_project(&user, id).await)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn update_project(id: Uuid, patch: ProjectPatch) -> Result<Project, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.update_project(&user, id, patch).await)
}

#[server(prefix = "/rpc")]
pub async fn delete_project(id: Uuid) -> Result<(), AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.delete_project(&user, id).await)
}

#[server(prefix = "/rpc")]
pub async fn list_members(project_id: Uuid) -> Result<Vec<Member>, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.list_members(&user, project_id).await)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn add_member(project_id: Uuid, input: MemberInput) -> Result<Member, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.add_member(&user, project_id, input).await)
}

#[server(prefix = "/rpc")]
pub async fn remove_member(project_id: Uuid, user_id: Uuid) -> Result<(), AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.remove_member(&user, project_id, user_id).await)
}

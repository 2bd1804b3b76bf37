use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

use crate::domain::{Activity, AppError, Comment, NewComment};

#[server(prefix = "/rpc")]
pub async fn list_comments(task_id: Uuid) -> Result<Vec<Comment>, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.list_comments(&user, task_id).await)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn add_comment(task_id: Uuid, input: NewComment) -> Result<Comment, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.add_comment(&user, task_id, input).await)
}

#[server(prefix = "/rpc")]
pub async fn list_activity(task_id: Uuid) -> Result<Vec<Activity>, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.list_activity(&user, task_id).await)
}

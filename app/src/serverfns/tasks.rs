use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

use crate::domain::{AppError, NewTask, Page, Task, TaskFilter, TaskPatch, TaskView};

#[server(prefix = "/rpc", input = Json)]
pub async fn list_tasks(project_id: Uuid, filter: TaskFilter) -> Result<Page<Task>, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.list_tasks(&user, project_id, filter).await)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn create_task(project_id: Uuid, input: NewTask) -> Result<Task, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.create_task(&user, project_id, input).await)
}

#[server(prefix = "/rpc")]
pub async fn get_task_view(id: Uuid) -> Result<TaskView, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.task_view(&user, id).await)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn update_task(id: Uuid, patch: TaskPatch) -> Result<Task, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.update_task(&user, id, patch).await)
}

#[server(prefix = "/rpc")]
pub async fn delete_task(id: Uuid) -> Result<(), AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.delete_task(&user, id).await)
}

/// Starts or stops the signed-in user following a task's changes and comments.
#[server(prefix = "/rpc", endpoint = "set_watching")]
pub async fn set_watching(id: Uuid, watching: bool) -> Result<(), AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.set_watching(&user, id, watching).await)
}

#[server(prefix = "/rpc", endpoint = "task_reminders")]
pub async fn list_task_reminders(task_id: Uuid) -> Result<Vec<crate::domain::TaskReminder>, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.list_task_reminders(&user, task_id).await)
}

#[server(prefix = "/rpc", endpoint = "add_task_reminder", input = leptos::server_fn::codec::Json)]
pub async fn add_task_reminder(
    task_id: Uuid,
    input: crate::domain::NewTaskReminder,
) -> Result<crate::domain::TaskReminder, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.add_task_reminder(&user, task_id, input).await)
}

#[server(prefix = "/rpc", endpoint = "remove_task_reminder")]
pub async fn remove_task_reminder(task_id: Uuid, id: Uuid) -> Result<(), AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.remove_task_reminder(&user, task_id, id).await)
}

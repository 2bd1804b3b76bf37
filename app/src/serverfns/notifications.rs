use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::{AppError, Notification, Page};

#[server(prefix = "/rpc")]
pub async fn list_notifications(unread_only: bool) -> Result<Page<Notification>, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(
        backend.list_notifications(&user, unread_only, crate::domain::PageRequest { limit: 100, cursor: None }).await,
    )
}

/// Signed-out visitors have no notifications: zero, not an error.
#[server(prefix = "/rpc")]
pub async fn unread_count() -> Result<i64, AppError> {
    let backend = crate::backend::backend()?;
    match backend.current_user(&crate::backend::request_headers()?).await? {
        Some(user) => crate::backend::reply(backend.unread_count(&user).await),
        None => Ok(0),
    }
}

#[server(prefix = "/rpc")]
pub async fn mark_read(id: Uuid) -> Result<(), AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.mark_read(&user, id).await)
}

#[server(prefix = "/rpc")]
pub async fn mark_all_read() -> Result<(), AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.mark_all_read(&user).await)
}

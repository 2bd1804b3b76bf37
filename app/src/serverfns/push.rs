use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

use crate::domain::{AppError, NewPushSubscription, PushDevice, PushKey};

#[server(prefix = "/rpc", endpoint = "push_key")]
pub async fn get_push_key() -> Result<PushKey, AppError> {
    let (backend, _) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.push_key().await)
}

#[server(prefix = "/rpc", endpoint = "push_devices")]
pub async fn list_push_devices() -> Result<Vec<PushDevice>, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.push_devices(&user).await)
}

#[server(prefix = "/rpc", endpoint = "subscribe_push", input = Json)]
pub async fn subscribe_push(input: NewPushSubscription) -> Result<PushDevice, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.subscribe_push(&user, input).await)
}

#[server(prefix = "/rpc", endpoint = "unsubscribe_push")]
pub async fn unsubscribe_push(id: Uuid) -> Result<(), AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.unsubscribe_push(&user, id).await)
}

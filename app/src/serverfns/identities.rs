//! Provider sign-in: what the sign-in page offers, your connected providers, and the
//! instance's password switch for admins. Their endpoints are named, so that scripts
//! and tests can call them.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

use crate::domain::{AppError, InstanceSettings, SignInMethods, SignInOptions};

#[server(prefix = "/rpc", endpoint = "sign_in_options")]
pub async fn get_sign_in_options() -> Result<SignInOptions, AppError> {
    let backend = crate::backend::backend()?;
    crate::backend::reply(backend.sign_in_options().await)
}

#[server(prefix = "/rpc", endpoint = "sign_in_methods")]
pub async fn get_sign_in_methods() -> Result<SignInMethods, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.sign_in_methods(&user).await)
}

#[server(prefix = "/rpc", endpoint = "unlink_identity")]
pub async fn unlink_identity(id: Uuid) -> Result<(), AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.unlink_identity(&user, id).await)
}

#[server(prefix = "/rpc", endpoint = "instance_settings")]
pub async fn get_instance_settings() -> Result<InstanceSettings, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.instance_settings(&user).await)
}

#[server(prefix = "/rpc", endpoint = "update_instance_settings", input = Json)]
pub async fn update_instance_settings(settings: InstanceSettings) -> Result<InstanceSettings, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.update_instance_settings(&user, settings).await)
}

//! Your signed-in devices, API tokens and password; every account, for instance admins.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

use crate::domain::{AccessInfo, AccountInfo, AccountPatch, AppError, CreatedToken, NewToken, PasswordChange};

#[server(prefix = "/rpc")]
pub async fn list_access() -> Result<Vec<AccessInfo>, AppError> {
    let backend = crate::backend::backend()?;
    crate::backend::reply(backend.list_access(&crate::backend::request_headers()?).await)
}

#[server(prefix = "/rpc")]
pub async fn revoke_access(id: Uuid) -> Result<(), AppError> {
    let backend = crate::backend::backend()?;
    crate::backend::reply(backend.revoke_access(&crate::backend::request_headers()?, id).await)
}

#[server(prefix = "/rpc")]
pub async fn revoke_other_access() -> Result<u64, AppError> {
    let backend = crate::backend::backend()?;
    crate::backend::reply(backend.revoke_other_access(&crate::backend::request_headers()?).await)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn create_token(input: NewToken) -> Result<CreatedToken, AppError> {
    let backend = crate::backend::backend()?;
    crate::backend::reply(backend.create_token(&crate::backend::request_headers()?, input).await)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn change_password(input: PasswordChange) -> Result<(), AppError> {
    let backend = crate::backend::backend()?;
    crate::backend::reply(backend.change_password(&crate::backend::request_headers()?, input).await)
}

#[server(prefix = "/rpc")]
pub async fn list_accounts() -> Result<Vec<AccountInfo>, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.list_accounts(&user).await)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn update_account(id: Uuid, patch: AccountPatch) -> Result<AccountInfo, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.update_account(&user, id, patch).await)
}

use leptos::prelude::*;

use crate::domain::{AppError, Me, MePatch, User};

#[server(prefix = "/rpc")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let backend = crate::backend::backend()?;
    let user = crate::backend::reply(backend.current_user(&crate::backend::request_headers()?).await)?;
    Ok(user.map(|user| Me { zone: backend.zone(&user.timezone), user, channels: backend.channels() }))
}

/// Every time zone name the server knows, for the settings form.
#[server(prefix = "/rpc")]
pub async fn list_timezones() -> Result<Vec<String>, AppError> {
    Ok(crate::backend::backend()?.timezone_names())
}

/// Creates the account, signs it in and goes to `next` (a path on this site) or the
/// project list.
#[server(prefix = "/rpc", endpoint = "register")]
pub async fn register(email: String, name: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let backend = crate::backend::backend()?;
    let registration = crate::domain::Registration { email: email.clone(), name, password: password.clone() };
    if let Err(error) = backend.register(registration).await {
        return crate::backend::reply(Err(error));
    }
    crate::backend::reply(start_session(backend, crate::domain::Credentials { email, password }, next).await)
}

#[server(prefix = "/rpc", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let backend = crate::backend::backend()?;
    crate::backend::reply(start_session(backend, crate::domain::Credentials { email, password }, next).await)
}

#[server(prefix = "/rpc", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let backend = crate::backend::backend()?;
    crate::backend::reply(backend.sign_out(&crate::backend::request_headers()?).await)?;
    set_cookie(&backend.session_cookie(None));
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/rpc", input = leptos::server_fn::codec::Json)]
pub async fn update_me(patch: MePatch) -> Result<User, AppError> {
    let (backend, user) = crate::backend::signed_in().await?;
    crate::backend::reply(backend.update_me(&user, patch).await)
}

#[cfg(feature = "ssr")]
async fn start_session(
    backend: crate::backend::SharedBackend,
    credentials: crate::domain::Credentials,
    next: Option<String>,
) -> Result<(), AppError> {
    let (_, session) = backend.sign_in(credentials, &crate::backend::request_parts()?).await?;
    set_cookie(&backend.session_cookie(Some(&session)));
    leptos_axum::redirect(&crate::domain::safe_next(next.as_deref()));
    Ok(())
}

#[cfg(feature = "ssr")]
fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(value))
    {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

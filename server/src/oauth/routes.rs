//! The browser's two stops of a provider sign-in: `/auth/{provider}/login` sends it to
//! the provider, `/auth/{provider}/callback` brings it back (signed in, or to a page that
//! says what went wrong).

use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use http::StatusCode;
use serde::Deserialize;

use crate::service::{Callback, Landing, SignInStart};
use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/auth/{provider}/login", get(login)).route("/auth/{provider}/callback", get(callback))
}

#[derive(Deserialize)]
struct Start {
    next: Option<String>,
    /// `1`: the signed-in account connects this provider.
    link: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(start): Query<Start>,
    request: http::Request<axum::body::Body>,
) -> Response {
    let (parts, _) = request.into_parts();
    let link = start.link.as_deref().is_some_and(|v| v == "1" || v == "true");
    // Connecting is started from Settings, never from another site's page.
    let from_elsewhere = crate::security::csrf::is_cross_site(&parts.headers, &state.public_origin);
    let start = SignInStart { provider: &provider, next: start.next.as_deref(), link, from_elsewhere };
    redirect(state.service.begin_provider_sign_in(start, &parts).await)
}

async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    request: http::Request<axum::body::Body>,
) -> Response {
    let (parts, _) = request.into_parts();
    // A callback with an unreadable query is treated as one without a state.
    let callback: Callback = serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    redirect(state.service.finish_provider_sign_in(&provider, callback, &parts).await)
}

fn redirect(landing: Landing) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, landing.location)]).into_response();
    response.headers_mut().insert(CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    for cookie in landing.cookies {
        if let Ok(value) = http::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

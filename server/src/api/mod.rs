//! The public REST API of API.md (mounted at `/api/v1`): thin handlers over the service layer.

mod account;
mod auth;
mod comments;
mod error;
mod extract;
mod identities;
mod notifications;
mod openapi;
mod ops;
mod projects;
mod push;
mod task_reminders;
mod tasks;
mod watchers;

use axum::routing::{get, MethodRouter};
use axum::Router;

pub use error::{json_error_bodies, ApiError};
pub use openapi::ApiDoc;
pub use ops::{ops_routes, track, Metrics};

use crate::startup::AppState;

/// One route of the REST API: its method, its path under `/api/v1`, and its handler.
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    handler: fn() -> MethodRouter<AppState>,
}

macro_rules! endpoints {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        vec![$(Endpoint { method: stringify!($method), path: $path, handler: || axum::routing::$method($handler) }),*]
    };
}

/// Every REST route. The router is built from this table and the authorization
/// matrix test walks it, so a route added here is tested without anyone remembering.
pub fn endpoints() -> Vec<Endpoint> {
    endpoints![
        post "/auth/register" => auth::register,
        post "/auth/token" => auth::token,
        post "/auth/logout" => auth::logout,
        get "/me" => auth::me,
        patch "/me" => auth::update_me,
        get "/me/sessions" => account::sessions,
        delete "/me/sessions" => account::revoke_others,
        delete "/me/sessions/{id}" => account::revoke,
        post "/me/tokens" => account::create_token,
        post "/me/password" => account::change_password,
        get "/auth/providers" => identities::providers,
        get "/me/identities" => identities::identities,
        delete "/me/identities/{id}" => identities::unlink,
        get "/admin/settings" => identities::settings,
        patch "/admin/settings" => identities::update_settings,
        get "/admin/users" => account::accounts,
        patch "/admin/users/{id}" => account::update_account,
        get "/projects" => projects::list,
        post "/projects" => projects::create,
        get "/projects/{id}" => projects::get,
        patch "/projects/{id}" => projects::update,
        delete "/projects/{id}" => projects::remove,
        get "/projects/{id}/members" => projects::members,
        post "/projects/{id}/members" => projects::add_member,
        delete "/projects/{id}/members/{user_id}" => projects::remove_member,
        get "/projects/{id}/tasks" => tasks::list,
        post "/projects/{id}/tasks" => tasks::create,
        get "/tasks" => tasks::list_mine,
        get "/tasks/{id}" => tasks::get,
        patch "/tasks/{id}" => tasks::update,
        delete "/tasks/{id}" => tasks::remove,
        get "/tasks/{id}/comments" => comments::list,
        post "/tasks/{id}/comments" => comments::create,
        get "/tasks/{id}/activity" => comments::activity,
        get "/tasks/{id}/watchers" => watchers::list,
        put "/tasks/{id}/watch" => watchers::watch,
        delete "/tasks/{id}/watch" => watchers::unwatch,
        get "/tasks/{id}/reminders" => task_reminders::list,
        post "/tasks/{id}/reminders" => task_reminders::create,
        delete "/tasks/{id}/reminders/{reminder_id}" => task_reminders::remove,
        get "/notifications" => notifications::list,
        post "/notifications/read-all" => notifications::read_all,
        post "/notifications/{id}/read" => notifications::read,
        get "/push/key" => push::key,
        get "/me/push-subscriptions" => push::list,
        post "/me/push-subscriptions" => push::subscribe,
        delete "/me/push-subscriptions/{id}" => push::unsubscribe,
    ]
}

pub fn routes() -> Router<AppState> {
    // Routes on one path with different methods merge into one method router.
    let router = endpoints().into_iter().fold(Router::new(), |router, e| router.route(e.path, (e.handler)()));
    router
        .route("/ws", get(crate::realtime::ws_handler))
        .route("/openapi.json", get(|| async { axum::Json(<ApiDoc as utoipa::OpenApi>::openapi()) }))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
}

/// Interactive documentation (Swagger UI, served from the binary) for the OpenAPI document.
pub fn docs_routes() -> Router<AppState> {
    let config = utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"]);
    Router::from(utoipa_swagger_ui::SwaggerUi::new("/api/docs").config(config))
}

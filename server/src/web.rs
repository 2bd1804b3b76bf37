//! The Leptos side of the router: server-rendered pages and server functions, both
//! given the service as the UI's `Backend`.

use std::sync::Arc;

use app::backend::SharedBackend;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

use crate::startup::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    let routes = generate_route_list(App);
    let backend: SharedBackend = state.service.clone() as Arc<dyn app::backend::Backend>;
    let context = move || provide_context(backend.clone());
    let options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(state, routes, context.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
}

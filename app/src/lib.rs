#![recursion_limit = "256"]
//! What the browser and the server share: domain types with their validation, the
//! server-function declarations, and the Leptos UI.

pub mod domain;
pub mod live;
mod pages;
pub mod serverfns;
mod ui;

#[cfg(feature = "ssr")]
pub mod backend;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use pages::{
    AdminPage, LoginPage, NotFoundPage, NotificationsPage, ProjectPage, ProjectsPage, RegisterPage, SettingsPage,
    TaskPage,
};
use ui::layout::Layout;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    backend::announce_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    ui::session::provide_session();
    live::provide_live();
    // Effects run only in the browser, after hydration: a marker for tests and styles.
    Effect::new(|| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        ui::push::register_service_worker();
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/tandem.css" />
        <Link rel="icon" href="/favicon.svg" />
        <Link rel="manifest" href="/manifest.webmanifest" />
        <Link rel="apple-touch-icon" href="/icon-192.png" />
        <Meta name="theme-color" content="#3b5bdb" />
        <Meta name="description" content="Tandem: projects and tasks for teams, live." />
        <Title formatter=|text: String| if text.is_empty() { "Tandem".to_owned() } else { format!("{text} · Tandem") } />
        // The frame (header and main) is rendered inside each route rather than around the
        // routes: a Suspense outside the routes breaks hydration of suspending routes.
        <Router>
                <Routes fallback=|| view! { <Layout><NotFoundPage /></Layout> }>
                    <Route path=path!("/") view=|| view! { <Layout><ProjectsPage /></Layout> } />
                    <Route path=path!("/login") view=|| view! { <Layout><LoginPage /></Layout> } />
                    <Route path=path!("/register") view=|| view! { <Layout><RegisterPage /></Layout> } />
                    <Route path=path!("/projects/:id") view=|| view! { <Layout><ProjectPage /></Layout> } />
                    <Route path=path!("/tasks/:id") view=|| view! { <Layout><TaskPage /></Layout> } />
                    <Route path=path!("/notifications") view=|| view! { <Layout><NotificationsPage /></Layout> } />
                    <Route path=path!("/settings") view=|| view! { <Layout><SettingsPage /></Layout> } />
                    <Route path=path!("/admin") view=|| view! { <Layout><AdminPage /></Layout> } />
                </Routes>
        </Router>
    }
}

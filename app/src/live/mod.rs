//! Live updates in the browser: one WebSocket per tab that keeps every page in step.
//! Pages watch the projects they show and register handlers for what arrives; the
//! header shows whether the link is live. On the server (rendering) all of this is
//! inert, and the first render in the browser matches it.

pub mod message;
pub mod order;
#[cfg(feature = "hydrate")]
mod socket;

use std::collections::HashMap;

use leptos::prelude::*;
use uuid::Uuid;

pub use message::{LiveMessage, Viewer};

/// What the connection indicator says; it only says "Live" while a socket is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Live,
    Reconnecting,
    /// WebSockets cannot connect: pages refetch on a timer instead.
    Polling,
    /// The browser reports no network.
    Offline,
}

impl LinkState {
    pub fn label(self) -> &'static str {
        match self {
            LinkState::Connecting => "Connecting…",
            LinkState::Live => "Live",
            LinkState::Reconnecting => "Reconnecting…",
            LinkState::Polling => "Live updates unavailable, refreshing every 10 s",
            LinkState::Offline => "Offline",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            LinkState::Live => "link link-live",
            LinkState::Connecting | LinkState::Reconnecting => "link link-waiting",
            LinkState::Polling | LinkState::Offline => "link link-down",
        }
    }
}

/// The handle pages use (from context).
#[derive(Clone, Copy)]
pub struct Live {
    pub state: RwSignal<LinkState>,
    /// Who is viewing each watched project.
    pub presence: RwSignal<HashMap<Uuid, Vec<Viewer>>>,
}

pub fn provide_live() {
    provide_context(Live { state: RwSignal::new(LinkState::Connecting), presence: RwSignal::new(HashMap::new()) });
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

impl Live {
    /// Keeps the project's events coming while the calling component lives. `since` is
    /// the `seq` the page's data was loaded at, when known, so nothing falls between.
    pub fn watch(self, project_id: Uuid, since: Option<i64>) {
        #[cfg(feature = "hydrate")]
        {
            socket::with_driver(self, |d| d.watch(project_id, since));
            on_cleanup(move || socket::with_driver(self, |d| d.unwatch(project_id)));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (project_id, since);
    }

    /// Tells the project's other viewers which task this tab has open.
    pub fn focus(self, project_id: Uuid, task_id: Option<Uuid>) {
        #[cfg(feature = "hydrate")]
        socket::with_driver(self, |d| d.focus(project_id, task_id));
        #[cfg(not(feature = "hydrate"))]
        let _ = (project_id, task_id);
    }

    /// Calls `handler` for every message while the calling component lives.
    pub fn on_message(self, handler: impl Fn(&LiveMessage) + 'static) {
        #[cfg(feature = "hydrate")]
        {
            let id = socket::with_driver(self, |d| d.add_handler(std::rc::Rc::new(handler)));
            on_cleanup(move || socket::with_driver(self, |d| d.remove_handler(id)));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = handler;
    }
}

/// Runs `action` once, `delay` after the first of a burst of calls: many events in a
/// burst become one refetch. Nothing runs once the calling component is gone.
pub fn debounced(delay: std::time::Duration, action: impl Fn() + Clone + 'static) -> impl Fn() + Clone + 'static {
    let pending = StoredValue::new(false);
    move || {
        if pending.try_get_value() != Some(false) {
            return;
        }
        pending.set_value(true);
        let action = action.clone();
        set_timeout(
            move || {
                // The page may have gone away meanwhile; then so has its work.
                if pending.try_set_value(false).is_none() {
                    action();
                }
            },
            delay,
        );
    }
}

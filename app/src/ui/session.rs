//! Who is signed in, loaded once per page load and shared through context.

use leptos::prelude::*;

use crate::domain::{AppError, Me};
use crate::serverfns::auth::current_user;

#[derive(Clone, Copy)]
pub struct Session(pub Resource<Result<Option<Me>, AppError>>);

pub fn provide_session() {
    provide_context(Session(Resource::new(|| (), |_| current_user())));
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Leaves for a fresh page load, so every piece of state starts over (after sign-in/out).
pub fn reload_to(path: &str) {
    let _ = window().location().set_href(path);
}

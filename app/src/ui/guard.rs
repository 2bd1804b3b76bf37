//! Pages for signed-in users only.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::feedback::{ErrorNotice, Loading};
use super::session::use_session;
use crate::domain::Me;

/// Renders `children` with the signed-in user, or sends the visitor to sign in.
#[component]
pub fn RequireUser<F, V>(children: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let session = use_session().0;
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move {
                        match session.await {
                            Ok(Some(user)) => children(user).into_any(),
                            Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

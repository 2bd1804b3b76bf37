//! Pages for signed-in users only.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use super::feedback::{ErrorNotice, Loading};
use super::session::use_session;
use crate::domain::{encode_component, Me};

/// Renders `children` with the signed-in user, or sends the visitor to sign in.
#[component]
pub fn RequireUser<F, V>(children: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let session = use_session().0;
    let location = use_location();
    // Sign-in brings the visitor back here.
    let login = move || {
        let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
        let search = search.trim_start_matches('?');
        let here = if search.is_empty() { path } else { format!("{path}?{search}") };
        if here == "/" {
            "/login".to_owned()
        } else {
            format!("/login?next={}", encode_component(&here))
        }
    };
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move {
                        match session.await {
                            Ok(Some(user)) => children(user).into_any(),
                            Ok(None) => view! { <Redirect path=login() /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

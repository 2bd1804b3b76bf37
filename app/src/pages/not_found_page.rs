use leptos::prelude::*;
use leptos_meta::Title;

/// The server answers unknown paths with 404 and this page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Title text="Not found" />
        <section class="card narrow">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address, or it is not shared with you."</p>
            <a href="/">"Back to your projects"</a>
        </section>
    }
}

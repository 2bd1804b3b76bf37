//! Following a task: a toggle that shows the new state at once and goes back, with the
//! reason, if the server refuses.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::AppError;
use crate::serverfns::tasks::SetWatching;

#[component]
pub fn WatchButton(task_id: Uuid, watching: bool) -> impl IntoView {
    let on = RwSignal::new(watching);
    let action = ServerAction::<SetWatching>::new();
    let refused = RwSignal::new(None::<AppError>);
    Effect::new(move || {
        if let Some(Err(error)) = action.value().get() {
            // The last request was refused: show what the server still has.
            on.set(!action.input().get_untracked().map_or(on.get_untracked(), |sent| sent.watching));
            refused.set(Some(error));
        }
    });
    let toggle = move |_| {
        refused.set(None);
        let next = !on.get_untracked();
        on.set(next);
        action.dispatch(SetWatching { id: task_id, watching: next });
    };
    view! {
        <div class="watch">
            <button type="button" class="watch-toggle" aria-label="Watch this task"
                aria-pressed=move || on.get().to_string() on:click=toggle>
                {move || if on.get() { "✓ Watching" } else { "Watch" }}
            </button>
            <span class="muted hint">
                {move || if on.get() {
                    "You hear of its changes and comments."
                } else {
                    "Watch to hear of its changes and comments."
                }}
            </span>
            {move || refused.get().map(|e| view! { <p class="field-error" role="alert">{e.message}</p> })}
        </div>
    }
}

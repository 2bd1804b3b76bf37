//! Who else is looking: avatars from the live socket's presence messages.

use leptos::prelude::*;
use uuid::Uuid;

use crate::live::use_live;

/// The people viewing a project; with `task_id`, only those who have that task open.
#[component]
pub fn PresenceBar(project_id: Uuid, #[prop(optional)] task_id: Option<Uuid>) -> impl IntoView {
    let live = use_live();
    let viewers = move || {
        live.presence.with(|p| {
            p.get(&project_id)
                .map(|users| {
                    users.iter().filter(|u| task_id.is_none() || u.task_id == task_id).cloned().collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let label = if task_id.is_some() { "Viewing this task" } else { "Viewing this project" };
    view! {
        <Show when=move || !viewers().is_empty()>
            <ul class="presence" aria-label=label>
                <For each=viewers key=|u| (u.id, u.task_id) let:user>
                    <li class="avatar" title=user.name.clone() style=format!("--hue: {}", hue(user.id))>
                        <span aria-hidden="true">{initials(&user.name)}</span>
                        <span class="visually-hidden">{user.name.clone()}</span>
                    </li>
                </For>
            </ul>
        </Show>
    }
}

/// Up to two initials: "Ada Lovelace" → "AL".
fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}

/// A stable colour per person.
fn hue(id: Uuid) -> u32 {
    id.as_u128() as u32 % 360
}

#[cfg(test)]
mod tests {
    #[test]
    fn initials_take_the_first_letters_of_two_words() {
        assert_eq!(super::initials("ada lovelace byron"), "AL");
        assert_eq!(super::initials("Émile"), "É");
        assert_eq!(super::initials(""), "");
    }
}

//! Who is in a project, and (for admins and owners) inviting and removing people.

use leptos::prelude::*;

use crate::domain::{Member, MemberInput, Project, Role};
use crate::serverfns::projects::{AddMember, RemoveMember};
use crate::ui::feedback::{FieldError, FormError};
use crate::ui::form::FormValues;

#[component]
pub fn MembersPanel(project: Project, members: Vec<Member>, changes: RwSignal<u32>) -> AnyView {
    let can_manage = project.role.can_manage();
    let add = ServerAction::<AddMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    // Both actions are read every time, so that each is followed whatever the other holds.
    let error = Signal::derive(move || {
        let (added, removed) = (add.value().get(), remove.value().get());
        added.and_then(Result::err).or_else(|| removed.and_then(Result::err))
    });
    Effect::new(move || {
        let (added, removed) = (add.value().get(), remove.value().get());
        if matches!(added, Some(Ok(_))) || matches!(removed, Some(Ok(()))) {
            changes.update(|n| *n += 1);
        }
    });
    let project_id = project.id;
    let on_invite = move |ev| {
        let values = FormValues::from_submit(&ev);
        let role = Role::parse(&values.get("role")).unwrap_or(Role::Member);
        let input = MemberInput { user_id: None, email: Some(values.get("email")), role };
        add.dispatch(AddMember { project_id, input });
    };
    view! {
        <section class="card" aria-labelledby="members-title">
            <h2 id="members-title">"Members"</h2>
            <ul class="member-list">
                {members.into_iter().map(|m| {
                    let user_id = m.user_id;
                    view! {
                        <li>
                            <span class="avatar" aria-hidden="true">{initials(&m.name)}</span>
                            <span class="member-name">{m.name.clone()}</span>
                            <span class="pill">{m.role.label()}</span>
                            <Show when=move || can_manage && m.role != Role::Owner>
                                <button
                                    type="button"
                                    class="link-button danger"
                                    aria-label=format!("Remove {}", m.name)
                                    on:click=move |_| { remove.dispatch(RemoveMember { project_id, user_id }); }
                                >"Remove"</button>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || can_manage>
                <form class="stack" on:submit=on_invite aria-label="Invite a member">
                    <FormError error />
                    <label>
                        "Invite by email"
                        <input type="email" name="email" required placeholder="teammate@example.com" />
                    </label>
                    <FieldError error field="email" />
                    <label>
                        "Role"
                        <select name="role">
                            {Role::ALL.into_iter().filter(|r| project.role.can_own() || *r != Role::Owner).map(|r| view! {
                                <option value=r.as_str() selected=r == Role::Member>{r.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" disabled=move || add.pending().get()>"Invite"</button>
                </form>
            </Show>
        </section>
    }
    .into_any()
}

/// "Ada Lovelace" → "AL".
pub fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect::<String>().to_uppercase()
}

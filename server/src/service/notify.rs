//! Who hears about a change: never the person who made it, each person once.

use app::domain::{Notification, NotificationKind, Task, User};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::store::NewNotification;

pub struct Notices<'a> {
    actor: &'a User,
    task: &'a Task,
    at: DateTime<Utc>,
    out: Vec<NewNotification>,
}

impl<'a> Notices<'a> {
    pub fn new(actor: &'a User, task: &'a Task, at: DateTime<Utc>) -> Self {
        Self { actor, task, at, out: Vec::new() }
    }

    /// Adds a notice for each of `users` not already told and not the actor.
    pub fn tell(&mut self, users: impl IntoIterator<Item = Uuid>, kind: NotificationKind) {
        for user_id in users {
            if user_id == self.actor.id || self.out.iter().any(|n| n.user_id == user_id) {
                continue;
            }
            let title = title(kind, &self.actor.name, &self.task.title);
            self.out.push(NewNotification {
                user_id,
                notification: Notification {
                    id: Uuid::now_v7(),
                    kind,
                    project_id: self.task.project_id,
                    task_id: Some(self.task.id),
                    actor_id: Some(self.actor.id),
                    title,
                    created_at: self.at,
                    read_at: None,
                },
                deliveries: Vec::new(),
            });
        }
    }

    pub fn into_vec(self) -> Vec<NewNotification> {
        self.out
    }
}

pub(super) fn title(kind: NotificationKind, actor: &str, task: &str) -> String {
    let task: String = if task.chars().count() > 80 {
        format!("{}…", task.chars().take(80).collect::<String>())
    } else {
        task.to_owned()
    };
    match kind {
        NotificationKind::TaskAssigned => format!("{actor} assigned you “{task}”"),
        NotificationKind::TaskUpdated => format!("{actor} changed “{task}”"),
        NotificationKind::CommentAdded => format!("{actor} commented on “{task}”"),
        NotificationKind::Mentioned => format!("{actor} mentioned you on “{task}”"),
        NotificationKind::DueSoon => format!("“{task}” is due soon"),
        NotificationKind::Overdue => format!("“{task}” is overdue"),
        NotificationKind::Digest => format!("Start with “{task}”"),
        NotificationKind::Reminder => format!("Reminder: “{task}”"),
    }
}

/// The `@handles` in a comment, lower-cased: letters, digits, `.`, `_` and `-`.
pub fn mentions(body: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find('@') {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + 1..];
        if before.is_some_and(|c| c.is_alphanumeric()) {
            continue; // an email address, not a mention
        }
        let handle: String = rest.chars().take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-')).collect();
        let handle = handle.trim_end_matches(['.', '-']).to_lowercase();
        if !handle.is_empty() && !found.contains(&handle) {
            found.push(handle);
        }
    }
    found
}

/// Whether `@handle` names this person: their full name without spaces, or their first name.
pub fn handle_matches(handle: &str, name: &str) -> bool {
    let joined: String = name.split_whitespace().collect::<String>().to_lowercase();
    let first = name.split_whitespace().next().unwrap_or_default().to_lowercase();
    handle == joined || handle == first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions_but_not_emails() {
        assert_eq!(
            mentions("hey @Ada and @grace.hopper, mail bob@example.com. @ada again"),
            vec!["ada", "grace.hopper"]
        );
        assert!(mentions("no one here").is_empty());
    }

    #[test]
    fn handles_match_first_name_or_joined_name() {
        assert!(handle_matches("ada", "Ada Lovelace"));
        assert!(handle_matches("adalovelace", "Ada Lovelace"));
        assert!(!handle_matches("lovelace", "Ada Lovelace"));
    }
}

//! The messages of the live-update socket (API.md, Realtime), as the browser reads them.

use serde::Deserialize;
use uuid::Uuid;

/// Someone viewing a project, and the task they have open.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Viewer {
    pub id: Uuid,
    pub name: String,
    pub task_id: Option<Uuid>,
}

/// One message from the server, or one the client makes up for its pages:
/// `resync` (refetch: the log no longer reaches back, or a first subscription) and
/// `poll` (the socket is unavailable; refetch on a timer instead).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct LiveMessage {
    #[serde(rename = "type")]
    pub kind: String,
    pub project_id: Option<Uuid>,
    pub seq: Option<i64>,
    pub actor_id: Option<Uuid>,
    #[serde(default)]
    pub data: serde_json::Value,
    #[serde(default)]
    pub users: Vec<Viewer>,
}

impl LiveMessage {
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    pub fn made_up(kind: &str, project_id: Option<Uuid>) -> Self {
        Self { kind: kind.to_owned(), project_id, seq: None, actor_id: None, data: Default::default(), users: vec![] }
    }

    /// A change recorded in a project's event log (it carries a `seq`).
    pub fn is_event(&self) -> bool {
        self.seq.is_some() && self.project_id.is_some() && !matches!(self.kind.as_str(), "subscribed")
    }

    /// Tells pages to reload what they show rather than apply a single change.
    pub fn asks_refetch(&self) -> bool {
        matches!(self.kind.as_str(), "resync" | "poll")
    }

    /// The task a task or comment event is about.
    pub fn task_id(&self) -> Option<Uuid> {
        let field = if self.kind.starts_with("comment.") { "task_id" } else { "id" };
        self.kind
            .split_once('.')
            .filter(|(area, _)| matches!(*area, "task" | "comment"))
            .and_then(|_| self.data.get(field)?.as_str()?.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn task_and_comment_events_name_their_task() {
        let task = id(1);
        let updated = format!(
            r#"{{"type":"task.updated","project_id":"{}","seq":4,"at":"2026-01-01T00:00:00Z","actor_id":null,"data":{{"id":"{task}"}}}}"#,
            id(2)
        );
        let m = LiveMessage::parse(&updated).unwrap();
        assert!(m.is_event());
        assert_eq!((m.seq, m.task_id()), (Some(4), Some(task)));

        let comment = format!(
            r#"{{"type":"comment.created","project_id":"{task}","seq":5,"data":{{"id":"{}","task_id":"{task}"}}}}"#,
            id(3)
        );
        assert_eq!(LiveMessage::parse(&comment).unwrap().task_id(), Some(task));
    }

    #[test]
    fn presence_and_control_messages_read_as_what_they_are() {
        let p = id(4);
        let presence = format!(
            r#"{{"type":"presence","project_id":"{p}","users":[{{"id":"{p}","name":"Ada","task_id":null}}],"count":1}}"#
        );
        let m = LiveMessage::parse(&presence).unwrap();
        assert!(!m.is_event());
        assert_eq!(m.users[0].name, "Ada");
        let subscribed = format!(r#"{{"type":"subscribed","project_id":"{p}","seq":9}}"#);
        assert!(!LiveMessage::parse(&subscribed).unwrap().is_event());
        assert!(LiveMessage::made_up("poll", None).asks_refetch());
        assert_eq!(LiveMessage::parse("not json"), None);
    }
}

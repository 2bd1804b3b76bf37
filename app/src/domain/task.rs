use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::input::{char_len, double_option, non_empty};
use super::{AppError, Recurrence, Role, Violations};

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MAX_LABELS: usize = 20;
pub const MAX_LABEL: usize = 50;
pub const MAX_ASSIGNEES: usize = 50;
pub const MAX_COMMENT: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Todo,
    InProgress,
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Todo => "todo",
            Self::InProgress => "in_progress",
            Self::Done => "done",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Todo => "To do",
            Self::InProgress => "In progress",
            Self::Done => "Done",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    None,
    Low,
    Medium,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 5] = [Priority::None, Priority::Low, Priority::Medium, Priority::High, Priority::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }

    /// Stored as this number so that sorting by priority is an index scan.
    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Self {
        Self::ALL.get(rank as usize).copied().unwrap_or(Self::None)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::None => "No priority",
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
            Self::Urgent => "Urgent",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Task {
    pub id: Uuid,
    pub project_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub status: TaskStatus,
    pub priority: Priority,
    pub due_at: Option<DateTime<Utc>>,
    pub assignee_ids: Vec<Uuid>,
    pub labels: Vec<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// How the task repeats: completing it creates the next occurrence, which carries
    /// the rule on (this one then no longer repeats).
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
}

impl Task {
    /// The task as it will look once `patch` is applied: what the UI shows while the
    /// server has not answered yet (timestamps and version stay until it does).
    pub fn with_patch(&self, patch: &TaskPatch) -> Task {
        let mut t = self.clone();
        if let Some(title) = &patch.title {
            t.title = title.clone();
        }
        if let Some(description) = &patch.description {
            t.description = description.clone();
        }
        if let Some(status) = patch.status {
            t.status = status;
        }
        if let Some(priority) = patch.priority {
            t.priority = priority;
        }
        if let Some(due_at) = patch.due_at {
            t.due_at = due_at;
        }
        if let Some(ids) = &patch.assignee_ids {
            t.assignee_ids = ids.clone();
        }
        if let Some(labels) = &patch.labels {
            t.labels = labels.clone();
        }
        if let Some(recurrence) = &patch.recurrence {
            t.recurrence = recurrence.clone();
        }
        t
    }
}

/// A task as the task page shows it: with its description rendered to safe HTML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskView {
    pub task: Task,
    pub description_html: String,
    pub role: Role,
    /// The project's event `seq` read before the task: live events after it are news.
    pub seq: i64,
    /// Whether the viewer follows the task's changes and comments.
    pub watching: bool,
}

/// Someone following a task's changes and comments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Watcher {
    pub user_id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<TaskStatus>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub assignee_ids: Vec<Uuid>,
    #[serde(default)]
    pub labels: Vec<String>,
    /// Needs a due date to count from.
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
}

impl NewTask {
    pub fn normalized(self) -> Result<Self, AppError> {
        let t = Self {
            title: self.title.trim().to_owned(),
            description: non_empty(self.description),
            labels: normalize_labels(self.labels),
            assignee_ids: dedup(self.assignee_ids),
            recurrence: self.recurrence.map(Recurrence::normalized).transpose()?,
            ..self
        };
        let mut v = Violations::default();
        check_title(&mut v, &t.title);
        check_description(&mut v, t.description.as_deref());
        check_labels(&mut v, &t.labels);
        v.check(t.assignee_ids.len() <= MAX_ASSIGNEES, "assignee_ids", "has too many entries");
        check_repeats_from_due(&mut v, t.recurrence.as_ref(), t.due_at);
        v.into_result()?;
        Ok(t)
    }
}

/// Any subset of a task's writable fields; `version` is the one the client last saw.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_ids: Option<Vec<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// `null` stops the task repeating.
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Option<Recurrence>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

impl TaskPatch {
    pub fn normalized(self) -> Result<Self, AppError> {
        let p = Self {
            title: self.title.map(|t| t.trim().to_owned()),
            description: self.description.map(non_empty),
            labels: self.labels.map(normalize_labels),
            assignee_ids: self.assignee_ids.map(dedup),
            recurrence: self.recurrence.map(|r| r.map(Recurrence::normalized).transpose()).transpose()?,
            ..self
        };
        let mut v = Violations::default();
        if let Some(title) = &p.title {
            check_title(&mut v, title);
        }
        if let Some(description) = &p.description {
            check_description(&mut v, description.as_deref());
        }
        if let Some(labels) = &p.labels {
            check_labels(&mut v, labels);
        }
        if let Some(ids) = &p.assignee_ids {
            v.check(ids.len() <= MAX_ASSIGNEES, "assignee_ids", "has too many entries");
        }
        v.into_result()?;
        Ok(p)
    }

    /// The names of the fields this patch writes.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        if self.title.is_some() {
            f.push("title");
        }
        if self.description.is_some() {
            f.push("description");
        }
        if self.status.is_some() {
            f.push("status");
        }
        if self.priority.is_some() {
            f.push("priority");
        }
        if self.due_at.is_some() {
            f.push("due_at");
        }
        if self.assignee_ids.is_some() {
            f.push("assignee_ids");
        }
        if self.labels.is_some() {
            f.push("labels");
        }
        if self.recurrence.is_some() {
            f.push("recurrence");
        }
        f
    }
}

fn check_title(v: &mut Violations, title: &str) {
    v.check(!title.is_empty(), "title", "must not be empty");
    v.check(char_len(title) <= MAX_TITLE, "title", "must be at most 200 characters");
}

fn check_description(v: &mut Violations, description: Option<&str>) {
    v.check(
        description.is_none_or(|d| char_len(d) <= MAX_DESCRIPTION),
        "description",
        "must be at most 20000 characters",
    );
}

/// A repeating task counts its occurrences from its due date.
pub fn check_repeats_from_due(v: &mut Violations, recurrence: Option<&Recurrence>, due_at: Option<DateTime<Utc>>) {
    v.check(recurrence.is_none() || due_at.is_some(), "recurrence", "needs a due date to count from");
}

fn check_labels(v: &mut Violations, labels: &[String]) {
    v.check(labels.len() <= MAX_LABELS, "labels", "may hold at most 20 labels");
    v.check(labels.iter().all(|l| char_len(l) <= MAX_LABEL), "labels", "must each be at most 50 characters");
}

/// Trims labels, drops empty ones and repeats, keeps the order given.
fn normalize_labels(labels: Vec<String>) -> Vec<String> {
    dedup(labels.into_iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect())
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: Uuid,
    pub task_id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub parent_id: Option<Uuid>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    pub body: String,
    #[serde(default)]
    pub parent_id: Option<Uuid>,
}

impl NewComment {
    pub fn normalized(self) -> Result<Self, AppError> {
        let c = Self { body: self.body.trim().to_owned(), parent_id: self.parent_id };
        let mut v = Violations::default();
        v.check(!c.body.is_empty(), "body", "must not be empty");
        v.check(char_len(&c.body) <= MAX_COMMENT, "body", "must be at most 10000 characters");
        v.into_result()?;
        Ok(c)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: Uuid,
    pub task_id: Uuid,
    pub actor_id: Uuid,
    pub actor_name: String,
    pub at: DateTime<Utc>,
    /// `created`, `updated`, `commented`.
    pub kind: String,
    /// Each changed field mapped to `{"from", "to"}`.
    pub changes: Value,
}

/// Declared in the order settings list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    TaskAssigned,
    Mentioned,
    TaskUpdated,
    CommentAdded,
    DueSoon,
    Overdue,
    /// Once a day at the person's chosen time: what is due that day, and what is late.
    Digest,
    /// A reminder the task carries of its own.
    Reminder,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TaskAssigned => "task_assigned",
            Self::TaskUpdated => "task_updated",
            Self::CommentAdded => "comment_added",
            Self::Mentioned => "mentioned",
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
            Self::Digest => "digest",
            Self::Reminder => "reminder",
        }
    }

    pub const ALL: [Self; 8] = [
        Self::TaskAssigned,
        Self::Mentioned,
        Self::TaskUpdated,
        Self::CommentAdded,
        Self::DueSoon,
        Self::Overdue,
        Self::Reminder,
        Self::Digest,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// What a person reads in their settings.
    pub fn describe(self) -> &'static str {
        match self {
            Self::TaskAssigned => "Someone assigns you a task",
            Self::Mentioned => "Someone @mentions you",
            Self::TaskUpdated => "A task you created, are assigned or watch is changed",
            Self::CommentAdded => "A task you created, are assigned or watch gets a comment",
            Self::DueSoon => "A task of yours is due soon",
            Self::Overdue => "A task of yours is overdue",
            Self::Reminder => "A reminder set on a task of yours goes off",
            Self::Digest => "Your daily digest, at the time you choose below",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub project_id: Uuid,
    pub task_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_previews_only_the_fields_it_sets() {
        let now = Utc::now();
        let task = Task {
            id: Uuid::from_u128(1),
            project_id: Uuid::from_u128(2),
            title: "Old".into(),
            description: Some("keep".into()),
            status: TaskStatus::Todo,
            priority: Priority::Low,
            due_at: Some(now),
            assignee_ids: vec![],
            labels: vec!["a".into()],
            created_by: Uuid::from_u128(3),
            created_at: now,
            updated_at: now,
            completed_at: None,
            version: 4,
            recurrence: None,
        };
        let patch = TaskPatch {
            title: Some("New".into()),
            status: Some(TaskStatus::Done),
            due_at: Some(None),
            ..Default::default()
        };
        let next = task.with_patch(&patch);
        assert_eq!((next.title.as_str(), next.status, next.due_at), ("New", TaskStatus::Done, None));
        assert_eq!(
            (next.description, next.priority, next.labels, next.version),
            (task.description, Priority::Low, task.labels, 4)
        );
    }

    #[test]
    fn new_task_title_is_trimmed_and_bounded() {
        let t = NewTask { title: "  Ship it  ".into(), ..Default::default() }.normalized().unwrap();
        assert_eq!(t.title, "Ship it");
        let empty = NewTask { title: " \n ".into(), ..Default::default() }.normalized();
        assert_eq!(empty.unwrap_err().field_error("title").as_deref(), Some("must not be empty"));
        let long = NewTask { title: "é".repeat(201), ..Default::default() }.normalized();
        assert!(long.unwrap_err().field_error("title").is_some());
        assert!(NewTask { title: "é".repeat(200), ..Default::default() }.normalized().is_ok());
    }

    #[test]
    fn labels_are_trimmed_deduplicated_and_bounded() {
        let t = NewTask {
            title: "x".into(),
            labels: vec![" bug ".into(), "bug".into(), "".into(), "ui".into()],
            ..Default::default()
        }
        .normalized()
        .unwrap();
        assert_eq!(t.labels, vec!["bug", "ui"]);
        let many =
            NewTask { title: "x".into(), labels: (0..21).map(|i| format!("l{i}")).collect(), ..Default::default() };
        assert!(many.normalized().is_err());
    }

    #[test]
    fn patch_distinguishes_null_from_absent() {
        let p: TaskPatch = serde_json::from_str(r#"{"due_at": null}"#).unwrap();
        assert_eq!(p.due_at, Some(None));
        assert_eq!(p.fields(), vec!["due_at"]);
        let p: TaskPatch = serde_json::from_str(r#"{"title": "x"}"#).unwrap();
        assert_eq!(p.due_at, None);
    }

    #[test]
    fn patch_refuses_fields_that_are_not_writable() {
        assert!(serde_json::from_str::<TaskPatch>(r#"{"created_by": "x"}"#).is_err());
        assert!(serde_json::from_str::<TaskPatch>(r#"{"project_id": "x"}"#).is_err());
    }

    #[test]
    fn priority_rank_round_trips() {
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), p);
        }
    }
}

//! The task list's filter and sort, read from a query string by both the REST API and
//! the UI (where it lives in the page URL so a view can be bookmarked).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{AppError, Priority, TaskStatus};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskSort {
    DueAt,
    DueAtDesc,
    Priority,
    PriorityDesc,
    #[default]
    CreatedAt,
    CreatedAtDesc,
    UpdatedAt,
    UpdatedAtDesc,
    Title,
}

impl TaskSort {
    pub const ALL: [TaskSort; 9] = [
        Self::DueAt,
        Self::DueAtDesc,
        Self::Priority,
        Self::PriorityDesc,
        Self::CreatedAt,
        Self::CreatedAtDesc,
        Self::UpdatedAt,
        Self::UpdatedAtDesc,
        Self::Title,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DueAt => "due_at",
            Self::DueAtDesc => "-due_at",
            Self::Priority => "priority",
            Self::PriorityDesc => "-priority",
            Self::CreatedAt => "created_at",
            Self::CreatedAtDesc => "-created_at",
            Self::UpdatedAt => "updated_at",
            Self::UpdatedAtDesc => "-updated_at",
            Self::Title => "title",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::DueAt => "Due date, soonest first",
            Self::DueAtDesc => "Due date, latest first",
            Self::Priority => "Priority, lowest first",
            Self::PriorityDesc => "Priority, highest first",
            Self::CreatedAt => "Created, oldest first",
            Self::CreatedAtDesc => "Created, newest first",
            Self::UpdatedAt => "Updated, oldest first",
            Self::UpdatedAtDesc => "Updated, newest first",
            Self::Title => "Title",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssigneeFilter {
    Me,
    User(Uuid),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskFilter {
    pub status: Vec<TaskStatus>,
    pub assignee: Option<AssigneeFilter>,
    pub label: Option<String>,
    pub priority: Vec<Priority>,
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
    pub q: Option<String>,
    pub sort: TaskSort,
    pub limit: u32,
    pub cursor: Option<String>,
}

impl TaskFilter {
    /// Reads `key=value` pairs (keys may repeat); unknown keys are ignored, bad values refused.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, AppError> {
        let mut f = TaskFilter { limit: DEFAULT_LIMIT, ..Default::default() };
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "status" => f
                    .status
                    .push(TaskStatus::parse(value).ok_or_else(|| bad(key, "must be todo, in_progress or done"))?),
                "priority" => f
                    .priority
                    .push(Priority::parse(value).ok_or_else(|| bad(key, "must be none, low, medium, high or urgent"))?),
                "assignee" => {
                    f.assignee = Some(if value == "me" {
                        AssigneeFilter::Me
                    } else {
                        AssigneeFilter::User(value.parse().map_err(|_| bad(key, "must be a user id or me"))?)
                    })
                }
                "label" => f.label = Some(value.to_owned()),
                "q" => f.q = Some(value.chars().take(200).collect()),
                "due_before" => f.due_before = Some(parse_time(key, value)?),
                "due_after" => f.due_after = Some(parse_time(key, value)?),
                "sort" => f.sort = TaskSort::parse(value).ok_or_else(|| bad(key, "is not a known sort"))?,
                "limit" => f.limit = PageRequest::parse(Some(value), None)?.limit,
                "cursor" => f.cursor = PageRequest::parse(None, Some(value))?.cursor,
                _ => {}
            }
        }
        Ok(f)
    }

    /// The query string that reproduces this filter (without paging), for links and URLs.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        pairs.extend(self.status.iter().map(|s| ("status", s.as_str().to_owned())));
        pairs.extend(self.priority.iter().map(|p| ("priority", p.as_str().to_owned())));
        match self.assignee {
            Some(AssigneeFilter::Me) => pairs.push(("assignee", "me".into())),
            Some(AssigneeFilter::User(id)) => pairs.push(("assignee", id.to_string())),
            None => {}
        }
        if let Some(label) = &self.label {
            pairs.push(("label", label.clone()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        if let Some(t) = self.due_after {
            pairs.push(("due_after", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        }
        if let Some(t) = self.due_before {
            pairs.push(("due_before", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        }
        if self.sort != TaskSort::default() {
            pairs.push(("sort", self.sort.as_str().into()));
        }
        pairs.into_iter().map(|(k, v)| format!("{k}={}", encode_component(&v))).collect::<Vec<_>>().join("&")
    }

    fn page(&self) -> PageRequest {
        PageRequest { limit: self.limit, cursor: self.cursor.clone() }
    }

    /// Where the page starts: decoded from the opaque cursor.
    pub fn offset(&self) -> u64 {
        self.page().offset()
    }

    /// The cursor of the next page, when the store found more rows than `limit`.
    pub fn next_cursor(&self, has_more: bool) -> Option<String> {
        self.page().next_cursor(has_more)
    }
}

/// Which page of a list: at most `limit` items, after the opaque `cursor`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageRequest {
    pub limit: u32,
    pub cursor: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, cursor: None }
    }
}

impl PageRequest {
    /// Reads the `limit` and `cursor` query parameters.
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, AppError> {
        let mut page = Self::default();
        if let Some(limit) = limit.map(str::trim).filter(|l| !l.is_empty()) {
            page.limit = limit
                .parse()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| bad("limit", "must be between 1 and 200"))?;
        }
        if let Some(cursor) = cursor.map(str::trim).filter(|c| !c.is_empty()) {
            decode_cursor(cursor)?;
            page.cursor = Some(cursor.to_owned());
        }
        Ok(page)
    }

    pub fn offset(&self) -> u64 {
        self.cursor.as_deref().and_then(|c| decode_cursor(c).ok()).unwrap_or(0)
    }

    /// The cursor of the next page, when the store found more rows than `limit`.
    pub fn next_cursor(&self, has_more: bool) -> Option<String> {
        has_more.then(|| encode_cursor(self.offset() + self.limit as u64))
    }
}

/// Paginated answer: `{"items": [...], "next_cursor": ...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

fn bad(key: &str, message: &str) -> AppError {
    AppError::invalid(key, message)
}

/// An RFC 3339 timestamp, or a bare date (midnight UTC) as a date picker sends it.
fn parse_time(key: &str, value: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| bad(key, "must be an RFC 3339 timestamp such as 2026-11-22T10:00:00Z"))
}

const CURSOR_PREFIX: &str = "p1.";

fn encode_cursor(offset: u64) -> String {
    format!("{CURSOR_PREFIX}{offset:x}")
}

fn decode_cursor(cursor: &str) -> Result<u64, AppError> {
    cursor
        .strip_prefix(CURSOR_PREFIX)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .ok_or_else(|| bad("cursor", "is not a cursor this server handed out"))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_repeated_status_and_me() {
        let f = TaskFilter::from_pairs([
            ("status", "todo"),
            ("status", "in_progress"),
            ("assignee", "me"),
            ("sort", "-due_at"),
        ])
        .unwrap();
        assert_eq!(f.status, vec![TaskStatus::Todo, TaskStatus::InProgress]);
        assert_eq!(f.assignee, Some(AssigneeFilter::Me));
        assert_eq!(f.sort, TaskSort::DueAtDesc);
        assert_eq!(f.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn refuses_unknown_values_with_the_field_named() {
        let err = TaskFilter::from_pairs([("status", "later")]).unwrap_err();
        assert!(err.field_error("status").is_some());
        assert!(TaskFilter::from_pairs([("limit", "201")]).is_err());
        assert!(TaskFilter::from_pairs([("due_before", "tomorrow")]).is_err());
        assert!(TaskFilter::from_pairs([("cursor", "garbage")]).is_err());
        let day = TaskFilter::from_pairs([("due_after", "2026-11-22")]).unwrap();
        assert_eq!(day.due_after.unwrap().to_rfc3339(), "2026-11-22T00:00:00+00:00");
    }

    #[test]
    fn query_round_trips() {
        let f = TaskFilter::from_pairs([
            ("status", "done"),
            ("label", "needs review"),
            ("q", "a&b"),
            ("due_after", "2026-11-22T10:00:00Z"),
            ("sort", "title"),
        ])
        .unwrap();
        let query = f.to_query();
        assert!(query.contains("label=needs%20review") && query.contains("q=a%26b"));
        let decoded: Vec<(String, String)> = query
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), v.replace("%20", " ").replace("%26", "&").replace("%3A", ":"))
            })
            .collect();
        let again = TaskFilter::from_pairs(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(again, f);
    }

    #[test]
    fn cursor_advances_by_the_limit_only_when_there_is_more() {
        let f = TaskFilter::from_pairs([("limit", "2")]).unwrap();
        let next = f.next_cursor(true).unwrap();
        let second = TaskFilter::from_pairs([("limit", "2"), ("cursor", next.as_str())]).unwrap();
        assert_eq!(second.offset(), 2);
        assert_eq!(f.next_cursor(false), None);
    }
}

//! Reading rows into domain types.

use app::domain::{Notification, NotificationKind, NotificationPrefs, Priority, Role, Task, TaskStatus, User};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use crate::store::{stored_leads, stored_recurrence, StoreError, StoreResult};

pub fn uuid(row: &SqliteRow, column: &str) -> StoreResult<Uuid> {
    let text: String = row.try_get(column)?;
    parse_uuid(&text)
}

pub fn opt_uuid(row: &SqliteRow, column: &str) -> StoreResult<Option<Uuid>> {
    let text: Option<String> = row.try_get(column)?;
    text.as_deref().map(parse_uuid).transpose()
}

fn parse_uuid(text: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|e| StoreError::Other(anyhow::anyhow!("bad uuid {text:?} in database: {e}")))
}

/// Session columns (table alias `s`), read by [`session`].
pub const SESSION_COLUMNS: &str =
    "s.id AS session_id, s.kind, s.personal, s.name AS session_name, s.scope, s.created_at AS session_created_at, \
     s.last_seen_at, s.expires_at";

pub fn session(row: &SqliteRow) -> StoreResult<crate::store::SessionRecord> {
    let scope: String = row.try_get("scope")?;
    let kind: String = row.try_get("kind")?;
    let created_at: chrono::DateTime<chrono::Utc> = row.try_get("session_created_at")?;
    Ok(crate::store::SessionRecord {
        id: uuid(row, "session_id")?,
        kind: crate::store::SessionKind::parse(&kind)?,
        personal: row.try_get("personal")?,
        name: row.try_get("session_name")?,
        scope: app::domain::TokenScope::parse(&scope)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad scope {scope:?} in database")))?,
        created_at,
        last_seen_at: row.try_get::<Option<_>, _>("last_seen_at")?.unwrap_or(created_at),
        expires_at: row.try_get("expires_at")?,
    })
}

pub fn role(row: &SqliteRow, column: &str) -> StoreResult<Role> {
    let text: String = row.try_get(column)?;
    Role::parse(&text).ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad role {text:?} in database")))
}

pub const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.is_admin, u.created_at, u.timezone, u.avatar_url, u.reminder_lead_minutes, \
     u.reminder_leads, u.notification_prefs";

pub fn user(row: &SqliteRow) -> StoreResult<User> {
    Ok(User {
        id: uuid(row, "id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        is_admin: row.try_get("is_admin")?,
        created_at: row.try_get("created_at")?,
        timezone: row.try_get("timezone")?,
        avatar_url: row.try_get("avatar_url")?,
        reminder_lead_minutes: lead_minutes(row.try_get("reminder_lead_minutes")?),
        reminder_leads_minutes: stored_leads(
            row.try_get::<Option<String>, _>("reminder_leads")?.as_deref(),
            row.try_get("reminder_lead_minutes")?,
        ),
        notifications: NotificationPrefs::from_stored(row.try_get("notification_prefs")?),
    })
}

/// Task columns plus its assignees and labels as JSON arrays, in one round trip.
pub const TASK_COLUMNS: &str = "t.id, t.project_id, t.title, t.description, t.status, t.priority, \
    t.due_at, t.created_by, t.created_at, t.updated_at, t.completed_at, t.version, t.recurrence, \
    (SELECT json_group_array(user_id) FROM (SELECT user_id FROM task_assignees WHERE task_id = t.id ORDER BY position)) AS assignee_ids, \
    (SELECT json_group_array(label) FROM (SELECT label FROM task_labels WHERE task_id = t.id ORDER BY position)) AS labels";

pub fn task(row: &SqliteRow) -> StoreResult<Task> {
    let status: String = row.try_get("status")?;
    let assignees: String = row.try_get("assignee_ids")?;
    let labels: String = row.try_get("labels")?;
    Ok(Task {
        id: uuid(row, "id")?,
        project_id: uuid(row, "project_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        status: TaskStatus::parse(&status)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad status {status:?} in database")))?,
        priority: Priority::from_rank(row.try_get("priority")?),
        due_at: row.try_get("due_at")?,
        assignee_ids: serde_json::from_str(&assignees).map_err(anyhow::Error::from)?,
        labels: serde_json::from_str(&labels).map_err(anyhow::Error::from)?,
        created_by: uuid(row, "created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        completed_at: row.try_get("completed_at")?,
        version: row.try_get("version")?,
        recurrence: stored_recurrence(row.try_get("recurrence")?)?,
    })
}

/// The stored lead time, never negative.
fn lead_minutes(stored: i64) -> u32 {
    u32::try_from(stored).unwrap_or(0)
}

/// A notification from its columns: `id, kind, project_id, task_id, actor_id, title, created_at, read_at`.
pub fn notification(row: &SqliteRow) -> StoreResult<Notification> {
    let kind: String = row.try_get("kind")?;
    Ok(Notification {
        id: uuid(row, "id")?,
        kind: NotificationKind::parse(&kind)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad notification kind {kind:?}")))?,
        project_id: uuid(row, "project_id")?,
        task_id: opt_uuid(row, "task_id")?,
        actor_id: opt_uuid(row, "actor_id")?,
        title: row.try_get("title")?,
        created_at: row.try_get("created_at")?,
        read_at: row.try_get("read_at")?,
    })
}

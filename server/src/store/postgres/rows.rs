//! Reading rows into domain types.

use app::domain::{Notification, NotificationKind, NotificationPrefs, Priority, Role, Task, TaskStatus, User};
use sqlx::postgres::PgRow;
use sqlx::Row;

use crate::store::{stored_leads, stored_recurrence, StoreError, StoreResult};

pub fn role(row: &PgRow, column: &str) -> StoreResult<Role> {
    let text: String = row.try_get(column)?;
    Role::parse(&text).ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad role {text:?} in database")))
}

pub const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.is_admin, u.created_at, u.timezone, u.avatar_url, u.reminder_lead_minutes, \
     u.reminder_leads, u.notification_prefs";

/// Session columns (table alias `s`), read by [`session`].
pub const SESSION_COLUMNS: &str =
    "s.id AS session_id, s.kind, s.personal, s.name AS session_name, s.scope, s.created_at AS session_created_at, \
     s.last_seen_at, s.expires_at";

pub fn session(row: &PgRow) -> StoreResult<crate::store::SessionRecord> {
    let scope: String = row.try_get("scope")?;
    let kind: String = row.try_get("kind")?;
    Ok(crate::store::SessionRecord {
        id: row.try_get("session_id")?,
        kind: crate::store::SessionKind::parse(&kind)?,
        personal: row.try_get("personal")?,
        name: row.try_get("session_name")?,
        scope: app::domain::TokenScope::parse(&scope)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad scope {scope:?} in database")))?,
        created_at: row.try_get("session_created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

pub fn user(row: &PgRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        is_admin: row.try_get("is_admin")?,
        created_at: row.try_get("created_at")?,
        timezone: row.try_get("timezone")?,
        avatar_url: row.try_get("avatar_url")?,
        reminder_lead_minutes: lead_minutes(row.try_get("reminder_lead_minutes")?),
        reminder_leads_minutes: stored_leads(
            row.try_get::<Option<String>, _>("reminder_leads")?.as_deref(),
            row.try_get::<i32, _>("reminder_lead_minutes")?.into(),
        ),
        notifications: NotificationPrefs::from_stored(row.try_get("notification_prefs")?),
    })
}

/// Task columns plus its assignees and labels as arrays, in one round trip.
pub const TASK_COLUMNS: &str = "t.id, t.project_id, t.title, t.description, t.status, t.priority, \
    t.due_at, t.created_by, t.created_at, t.updated_at, t.completed_at, t.version, t.recurrence, \
    ARRAY(SELECT user_id FROM task_assignees WHERE task_id = t.id ORDER BY position) AS assignee_ids, \
    ARRAY(SELECT label FROM task_labels WHERE task_id = t.id ORDER BY position) AS labels";

pub fn task(row: &PgRow) -> StoreResult<Task> {
    let status: String = row.try_get("status")?;
    Ok(Task {
        id: row.try_get("id")?,
        project_id: row.try_get("project_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        status: TaskStatus::parse(&status)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad status {status:?} in database")))?,
        priority: Priority::from_rank(row.try_get("priority")?),
        due_at: row.try_get("due_at")?,
        assignee_ids: row.try_get("assignee_ids")?,
        labels: row.try_get("labels")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        completed_at: row.try_get("completed_at")?,
        version: row.try_get("version")?,
        recurrence: stored_recurrence(row.try_get("recurrence")?)?,
    })
}

/// The stored lead time, never negative.
fn lead_minutes(stored: i32) -> u32 {
    u32::try_from(stored).unwrap_or(0)
}

/// A notification from its columns: `id, kind, project_id, task_id, actor_id, title, created_at, read_at`.
pub fn notification(row: &PgRow) -> StoreResult<Notification> {
    let kind: String = row.try_get("kind")?;
    Ok(Notification {
        id: row.try_get("id")?,
        kind: NotificationKind::parse(&kind)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad notification kind {kind:?}")))?,
        project_id: row.try_get("project_id")?,
        task_id: row.try_get("task_id")?,
        actor_id: row.try_get("actor_id")?,
        title: row.try_get("title")?,
        created_at: row.try_get("created_at")?,
        read_at: row.try_get("read_at")?,
    })
}

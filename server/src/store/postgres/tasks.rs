use app::domain::{AssigneeFilter, Task, TaskFilter, TaskSort};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::rows::{self, TASK_COLUMNS};
use super::{write_commit, PostgresStore};
use crate::store::{found, recurrence_json, search_words, Commit, NextOccurrence, StoreResult, TaskScope, TaskStore};

#[async_trait::async_trait]
impl TaskStore for PostgresStore {
    async fn insert_task(&self, t: &Task, commit: Commit) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        insert_row(&mut tx, t).await?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn task(&self, id: Uuid) -> StoreResult<Option<Task>> {
        let row = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::task).transpose()
    }

    async fn list_tasks(&self, scope: TaskScope, filter: &TaskFilter, me: Uuid) -> StoreResult<(Vec<Task>, bool)> {
        let mut q = QueryBuilder::<Postgres>::new(format!("SELECT {TASK_COLUMNS} FROM tasks t WHERE "));
        match scope {
            TaskScope::Project(id) => q.push("t.project_id = ").push_bind(id),
            TaskScope::MemberOf(user) => q
                .push("t.project_id IN (SELECT project_id FROM project_members WHERE user_id = ")
                .push_bind(user)
                .push(")"),
        };
        push_filters(&mut q, filter, me);
        q.push(" ORDER BY ").push(order_by(filter.sort));
        q.push(" LIMIT ").push_bind(filter.limit as i64 + 1);
        q.push(" OFFSET ").push_bind(filter.offset() as i64);
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut tasks = rows.iter().map(rows::task).collect::<StoreResult<Vec<_>>>()?;
        let more = tasks.len() > filter.limit as usize;
        tasks.truncate(filter.limit as usize);
        Ok((tasks, more))
    }

    async fn update_task(
        &self,
        t: &Task,
        expected_version: i64,
        commit: Commit,
        next: Option<NextOccurrence>,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE tasks SET title = $1, description = $2, status = $3, priority = $4, due_at = $5, \
             updated_at = $6, completed_at = $7, version = $8, recurrence = $9 WHERE id = $10 AND version = $11",
        )
        .bind(&t.title)
        .bind(&t.description)
        .bind(t.status.as_str())
        .bind(t.priority.rank())
        .bind(t.due_at)
        .bind(t.updated_at)
        .bind(t.completed_at)
        .bind(t.version)
        .bind(recurrence_json(t))
        .bind(t.id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM task_assignees WHERE task_id = $1").bind(t.id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM task_labels WHERE task_id = $1").bind(t.id).execute(&mut *tx).await?;
        write_relations(&mut tx, t).await?;
        write_commit(&mut tx, commit).await?;
        if let Some(next) = next {
            insert_row(&mut tx, &next.task).await?;
            carry_over(&mut tx, t.id, &next.task).await?;
            write_commit(&mut tx, next.commit).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn delete_task(&self, id: Uuid, commit: Commit) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM tasks WHERE id = $1").bind(id).execute(&mut *tx).await?;
        found(done.rows_affected())?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fields_changed_since(&self, task_id: Uuid, version: i64) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT k FROM activity a, jsonb_object_keys(a.changes) k WHERE a.task_id = $1 AND a.version > $2",
        )
        .bind(task_id)
        .bind(version)
        .fetch_all(&self.pool)
        .await?)
    }
}

async fn insert_row(conn: &mut PgConnection, t: &Task) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tasks (id, project_id, title, description, status, priority, due_at, created_by, \
         created_at, updated_at, completed_at, version, recurrence) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(t.id)
    .bind(t.project_id)
    .bind(&t.title)
    .bind(&t.description)
    .bind(t.status.as_str())
    .bind(t.priority.rank())
    .bind(t.due_at)
    .bind(t.created_by)
    .bind(t.created_at)
    .bind(t.updated_at)
    .bind(t.completed_at)
    .bind(t.version)
    .bind(recurrence_json(t))
    .execute(&mut *conn)
    .await?;
    write_relations(conn, t).await
}

/// The next occurrence keeps the watchers of the one completed, and its reminders
/// counted from the due date (fixed moments belonged to that occurrence alone).
async fn carry_over(conn: &mut PgConnection, from: Uuid, next: &Task) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO task_watchers (task_id, user_id, created_at) SELECT $1, user_id, created_at \
         FROM task_watchers WHERE task_id = $2",
    )
    .bind(next.id)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    let relative: Vec<(i32, Uuid)> = sqlx::query_as(
        "SELECT before_due_minutes, created_by FROM task_reminders \
         WHERE task_id = $1 AND before_due_minutes IS NOT NULL ORDER BY created_at, id",
    )
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    for (minutes, created_by) in relative {
        sqlx::query(
            "INSERT INTO task_reminders (id, task_id, before_due_minutes, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(Uuid::now_v7())
        .bind(next.id)
        .bind(minutes)
        .bind(created_by)
        .bind(next.created_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn write_relations(conn: &mut PgConnection, t: &Task) -> StoreResult<()> {
    if !t.assignee_ids.is_empty() {
        sqlx::query(
            "INSERT INTO task_assignees (task_id, user_id, position) \
             SELECT $1, u, p - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS a(u, p)",
        )
        .bind(t.id)
        .bind(&t.assignee_ids)
        .execute(&mut *conn)
        .await?;
    }
    if !t.labels.is_empty() {
        sqlx::query(
            "INSERT INTO task_labels (task_id, label, position) \
             SELECT $1, l, p - 1 FROM unnest($2::text[]) WITH ORDINALITY AS a(l, p)",
        )
        .bind(t.id)
        .bind(&t.labels)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn push_filters(q: &mut QueryBuilder<'_, Postgres>, f: &TaskFilter, me: Uuid) {
    if !f.status.is_empty() {
        let status: Vec<&str> = f.status.iter().map(|s| s.as_str()).collect();
        q.push(" AND t.status = ANY(").push_bind(status).push(")");
    }
    if !f.priority.is_empty() {
        let ranks: Vec<i64> = f.priority.iter().map(|p| p.rank()).collect();
        q.push(" AND t.priority = ANY(").push_bind(ranks).push(")");
    }
    if let Some(assignee) = f.assignee {
        let user = match assignee {
            AssigneeFilter::Me => me,
            AssigneeFilter::User(id) => id,
        };
        q.push(" AND EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id AND a.user_id = ")
            .push_bind(user)
            .push(")");
    }
    if let Some(label) = &f.label {
        q.push(" AND EXISTS (SELECT 1 FROM task_labels l WHERE l.task_id = t.id AND l.label = ")
            .push_bind(label.clone())
            .push(")");
    }
    if let Some(before) = f.due_before {
        q.push(" AND t.due_at < ").push_bind(before);
    }
    if let Some(after) = f.due_after {
        q.push(" AND t.due_at >= ").push_bind(after);
    }
    // Every word must start a word of the title or the description.
    let words = search_words(f.q.as_deref().unwrap_or_default());
    if !words.is_empty() {
        let query = words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
        q.push(" AND t.search @@ to_tsquery('simple', ").push_bind(query).push(")");
    }
}

/// Tasks without a due date sort last both ways; ties break on id for stable pages.
/// Each order matches an index, so a page of a big project is read, not sorted.
fn order_by(sort: TaskSort) -> &'static str {
    match sort {
        TaskSort::DueAt => "t.due_at ASC NULLS LAST, t.id",
        TaskSort::DueAtDesc => "t.due_at DESC NULLS LAST, t.id",
        TaskSort::Priority => "t.priority ASC, t.id",
        TaskSort::PriorityDesc => "t.priority DESC, t.id",
        TaskSort::CreatedAt => "t.created_at ASC, t.id",
        TaskSort::CreatedAtDesc => "t.created_at DESC, t.id DESC",
        TaskSort::UpdatedAt => "t.updated_at ASC, t.id",
        TaskSort::UpdatedAtDesc => "t.updated_at DESC, t.id DESC",
        TaskSort::Title => "lower(t.title) COLLATE \"C\" ASC, t.id",
    }
}

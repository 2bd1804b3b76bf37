use app::domain::{AssigneeFilter, Task, TaskFilter, TaskSort};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use super::rows::{self, TASK_COLUMNS};
use super::{write_commit, SqliteStore};
use crate::store::{found, recurrence_json, search_words, Commit, NextOccurrence, StoreResult, TaskScope, TaskStore};

#[async_trait::async_trait]
impl TaskStore for SqliteStore {
    async fn insert_task(&self, t: &Task, commit: Commit) -> StoreResult<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        insert_row(&mut tx, t).await?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn task(&self, id: Uuid) -> StoreResult<Option<Task>> {
        let row = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = ?"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::task).transpose()
    }

    async fn list_tasks(&self, scope: TaskScope, filter: &TaskFilter, me: Uuid) -> StoreResult<(Vec<Task>, bool)> {
        let mut q = QueryBuilder::<Sqlite>::new(format!("SELECT {TASK_COLUMNS} FROM tasks t WHERE "));
        match scope {
            TaskScope::Project(id) => q.push("t.project_id = ").push_bind(id.to_string()),
            TaskScope::MemberOf(user) => q
                .push("t.project_id IN (SELECT project_id FROM project_members WHERE user_id = ")
                .push_bind(user.to_string())
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
        let (_guard, mut tx) = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE tasks SET title = ?, description = ?, status = ?, priority = ?, due_at = ?, \
             updated_at = ?, completed_at = ?, version = ?, recurrence = ? WHERE id = ? AND version = ?",
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
        .bind(t.id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM task_assignees WHERE task_id = ?").bind(t.id.to_string()).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM task_labels WHERE task_id = ?").bind(t.id.to_string()).execute(&mut *tx).await?;
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
        let (_guard, mut tx) = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM tasks WHERE id = ?").bind(id.to_string()).execute(&mut *tx).await?;
        found(done.rows_affected())?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fields_changed_since(&self, task_id: Uuid, version: i64) -> StoreResult<Vec<String>> {
        let fields: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT j.key FROM activity a, json_each(a.changes) j WHERE a.task_id = ? AND a.version > ?",
        )
        .bind(task_id.to_string())
        .bind(version)
        .fetch_all(&self.pool)
        .await?;
        Ok(fields)
    }
}

async fn insert_row(conn: &mut SqliteConnection, t: &Task) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tasks (id, project_id, title, description, status, priority, due_at, created_by, \
         created_at, updated_at, completed_at, version, recurrence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(t.id.to_string())
    .bind(t.project_id.to_string())
    .bind(&t.title)
    .bind(&t.description)
    .bind(t.status.as_str())
    .bind(t.priority.rank())
    .bind(t.due_at)
    .bind(t.created_by.to_string())
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
async fn carry_over(conn: &mut SqliteConnection, from: Uuid, next: &Task) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO task_watchers (task_id, user_id, created_at) SELECT ?, user_id, created_at \
         FROM task_watchers WHERE task_id = ?",
    )
    .bind(next.id.to_string())
    .bind(from.to_string())
    .execute(&mut *conn)
    .await?;
    let relative: Vec<(i64, String)> = sqlx::query_as(
        "SELECT before_due_minutes, created_by FROM task_reminders \
         WHERE task_id = ? AND before_due_minutes IS NOT NULL ORDER BY created_at, id",
    )
    .bind(from.to_string())
    .fetch_all(&mut *conn)
    .await?;
    for (minutes, created_by) in relative {
        sqlx::query(
            "INSERT INTO task_reminders (id, task_id, before_due_minutes, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(next.id.to_string())
        .bind(minutes)
        .bind(created_by)
        .bind(next.created_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn write_relations(conn: &mut SqliteConnection, t: &Task) -> StoreResult<()> {
    for (position, user) in t.assignee_ids.iter().enumerate() {
        sqlx::query("INSERT INTO task_assignees (task_id, user_id, position) VALUES (?, ?, ?)")
            .bind(t.id.to_string())
            .bind(user.to_string())
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    for (position, label) in t.labels.iter().enumerate() {
        sqlx::query("INSERT INTO task_labels (task_id, label, position) VALUES (?, ?, ?)")
            .bind(t.id.to_string())
            .bind(label)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn push_filters(q: &mut QueryBuilder<'_, Sqlite>, f: &TaskFilter, me: Uuid) {
    if !f.status.is_empty() {
        q.push(" AND t.status IN (");
        let mut list = q.separated(", ");
        for s in &f.status {
            list.push_bind(s.as_str());
        }
        q.push(")");
    }
    if !f.priority.is_empty() {
        q.push(" AND t.priority IN (");
        let mut list = q.separated(", ");
        for p in &f.priority {
            list.push_bind(p.rank());
        }
        q.push(")");
    }
    if let Some(assignee) = f.assignee {
        let user = match assignee {
            AssigneeFilter::Me => me,
            AssigneeFilter::User(id) => id,
        };
        q.push(" AND EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id AND a.user_id = ")
            .push_bind(user.to_string())
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
        let query = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" AND ");
        q.push(" AND t.rowid IN (SELECT rowid FROM tasks_search WHERE tasks_search MATCH ").push_bind(query).push(")");
    }
}

/// Tasks without a due date sort last both ways; ties break on id for stable pages.
fn order_by(sort: TaskSort) -> &'static str {
    match sort {
        TaskSort::DueAt => "t.due_at IS NULL, t.due_at ASC, t.id",
        TaskSort::DueAtDesc => "t.due_at IS NULL, t.due_at DESC, t.id",
        TaskSort::Priority => "t.priority ASC, t.id",
        TaskSort::PriorityDesc => "t.priority DESC, t.id",
        TaskSort::CreatedAt => "t.created_at ASC, t.id",
        TaskSort::CreatedAtDesc => "t.created_at DESC, t.id DESC",
        TaskSort::UpdatedAt => "t.updated_at ASC, t.id",
        TaskSort::UpdatedAtDesc => "t.updated_at DESC, t.id DESC",
        TaskSort::Title => "t.title COLLATE NOCASE ASC, t.id",
    }
}

#[cfg(test)]
mod tests {
    use app::domain::TaskSort;

    use super::{order_by, TASK_COLUMNS};
    use crate::store::sqlite::SqliteStore;
    use crate::store::PoolSettings;

    /// A project's list in any order reads from an index: sorting all of a large
    /// project's tasks for every page is what made due-date order slow.
    #[tokio::test]
    async fn every_order_of_a_project_list_reads_an_index_without_sorting() {
        let settings = PoolSettings { max_connections: 1, ..PoolSettings::default() };
        let store = SqliteStore::connect("sqlite::memory:", settings).await.expect("open");
        store.migrate().await.expect("migrate");
        for sort in TaskSort::ALL {
            let sql = format!(
                "EXPLAIN QUERY PLAN SELECT {TASK_COLUMNS} FROM tasks t WHERE t.project_id = ? ORDER BY {} LIMIT 51",
                order_by(sort)
            );
            let plan: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&sql).bind("p").fetch_all(&store.pool).await.expect("plan");
            // The outer query's own steps (the assignee and label subqueries sort a task's few rows).
            let steps: Vec<&str> = plan.iter().filter(|row| row.1 == 0).map(|row| row.3.as_str()).collect();
            assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "{sort:?} sorts: {steps:?}");
            assert!(steps.iter().any(|s| s.contains("USING INDEX")), "{sort:?} reads no index: {steps:?}");
        }
    }
}

use app::domain::{Member, Project, ProjectPatch, Role};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::rows::{role, uuid};
use super::{write_commit, SqliteStore};
use crate::store::{found, Commit, ProjectStore, StoreResult};

const PROJECT_COLUMNS: &str = "p.id, p.name, p.description, p.created_at, p.updated_at, p.seq, m.role";

fn project(row: &SqliteRow) -> StoreResult<Project> {
    Ok(Project {
        id: uuid(row, "id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        seq: row.try_get("seq")?,
        role: role(row, "role")?,
    })
}

#[async_trait::async_trait]
impl ProjectStore for SqliteStore {
    async fn insert_project(&self, p: &Project, owner: Uuid) -> StoreResult<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query("INSERT INTO projects (id, name, description, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(p.id.to_string())
            .bind(&p.name)
            .bind(&p.description)
            .bind(owner.to_string())
            .bind(p.created_at)
            .bind(p.updated_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO project_members (project_id, user_id, role, joined_at) VALUES (?, ?, 'owner', ?)")
            .bind(p.id.to_string())
            .bind(owner.to_string())
            .bind(p.created_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn projects_for_user(&self, user_id: Uuid) -> StoreResult<Vec<Project>> {
        let rows = sqlx::query(&format!(
            "SELECT {PROJECT_COLUMNS} FROM project_members m JOIN projects p ON p.id = m.project_id \
             WHERE m.user_id = ? ORDER BY p.name COLLATE NOCASE, p.id"
        ))
        .bind(user_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(project).collect()
    }

    async fn project_for_user(&self, project_id: Uuid, user_id: Uuid) -> StoreResult<Option<Project>> {
        let row = sqlx::query(&format!(
            "SELECT {PROJECT_COLUMNS} FROM project_members m JOIN projects p ON p.id = m.project_id \
             WHERE m.project_id = ? AND m.user_id = ?"
        ))
        .bind(project_id.to_string())
        .bind(user_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(project).transpose()
    }

    async fn update_project(
        &self,
        id: Uuid,
        patch: &ProjectPatch,
        now: DateTime<Utc>,
        commit: Commit,
    ) -> StoreResult<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::new("UPDATE projects SET updated_at = ");
        q.push_bind(now);
        if let Some(name) = &patch.name {
            q.push(", name = ").push_bind(name);
        }
        if let Some(description) = &patch.description {
            q.push(", description = ").push_bind(description);
        }
        q.push(" WHERE id = ").push_bind(id.to_string());
        found(q.build().execute(&mut *tx).await?.rows_affected())?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_project(&self, id: Uuid) -> StoreResult<()> {
        let _guard = self.write_lock.lock().await;
        sqlx::query("DELETE FROM projects WHERE id = ?").bind(id.to_string()).execute(&self.pool).await?;
        Ok(())
    }

    async fn members(&self, project_id: Uuid) -> StoreResult<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.name, m.role, m.joined_at FROM project_members m JOIN users u ON u.id = m.user_id \
             WHERE m.project_id = ? ORDER BY u.name COLLATE NOCASE, u.id",
        )
        .bind(project_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Member {
                    user_id: uuid(r, "id")?,
                    email: r.try_get("email")?,
                    name: r.try_get("name")?,
                    role: role(r, "role")?,
                    joined_at: r.try_get("joined_at")?,
                })
            })
            .collect()
    }

    async fn member_ids(&self, project_id: Uuid, user_ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::new("SELECT user_id FROM project_members WHERE project_id = ");
        q.push_bind(project_id.to_string()).push(" AND user_id IN (");
        let mut list = q.separated(", ");
        for id in user_ids {
            list.push_bind(id.to_string());
        }
        q.push(")");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(|r| uuid(r, "user_id")).collect()
    }

    async fn insert_member(
        &self,
        project_id: Uuid,
        user_id: Uuid,
        role: Role,
        now: DateTime<Utc>,
        commit: Commit,
    ) -> StoreResult<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query("INSERT INTO project_members (project_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)")
            .bind(project_id.to_string())
            .bind(user_id.to_string())
            .bind(role.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_member(&self, project_id: Uuid, user_id: Uuid, commit: Commit) -> StoreResult<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM project_members WHERE project_id = ? AND user_id = ?")
            .bind(project_id.to_string())
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?;
        found(done.rows_affected())?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }
}

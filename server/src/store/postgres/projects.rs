use app::domain::{Member, Project, ProjectPatch, Role};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::rows::role;
use super::{write_commit, PostgresStore};
use crate::store::{found, Commit, ProjectStore, StoreResult};

const PROJECT_COLUMNS: &str = "p.id, p.name, p.description, p.created_at, p.updated_at, p.seq, m.role";

fn project(row: &PgRow) -> StoreResult<Project> {
    Ok(Project {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        seq: row.try_get("seq")?,
        role: role(row, "role")?,
    })
}

#[async_trait::async_trait]
impl ProjectStore for PostgresStore {
    async fn insert_project(&self, p: &Project, owner: Uuid) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO projects (id, name, description, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(p.id)
        .bind(&p.name)
        .bind(&p.description)
        .bind(owner)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO project_members (project_id, user_id, role, joined_at) VALUES ($1, $2, 'owner', $3)")
            .bind(p.id)
            .bind(owner)
            .bind(p.created_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn projects_for_user(&self, user_id: Uuid) -> StoreResult<Vec<Project>> {
        let rows = sqlx::query(&format!(
            "SELECT {PROJECT_COLUMNS} FROM project_members m JOIN projects p ON p.id = m.project_id \
             WHERE m.user_id = $1 ORDER BY lower(p.name) COLLATE \"C\", p.id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(project).collect()
    }

    async fn project_for_user(&self, project_id: Uuid, user_id: Uuid) -> StoreResult<Option<Project>> {
        let row = sqlx::query(&format!(
            "SELECT {PROJECT_COLUMNS} FROM project_members m JOIN projects p ON p.id = m.project_id \
             WHERE m.project_id = $1 AND m.user_id = $2"
        ))
        .bind(project_id)
        .bind(user_id)
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
        let mut tx = self.pool.begin().await?;
        let mut q = QueryBuilder::new("UPDATE projects SET updated_at = ");
        q.push_bind(now);
        if let Some(name) = &patch.name {
            q.push(", name = ").push_bind(name);
        }
        if let Some(description) = &patch.description {
            q.push(", description = ").push_bind(description);
        }
        q.push(" WHERE id = ").push_bind(id);
        found(q.build().execute(&mut *tx).await?.rows_affected())?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_project(&self, id: Uuid) -> StoreResult<()> {
        sqlx::query("DELETE FROM projects WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn members(&self, project_id: Uuid) -> StoreResult<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.name, m.role, m.joined_at FROM project_members m JOIN users u ON u.id = m.user_id \
             WHERE m.project_id = $1 ORDER BY lower(u.name) COLLATE \"C\", u.id",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Member {
                    user_id: r.try_get("id")?,
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
        Ok(sqlx::query_scalar("SELECT user_id FROM project_members WHERE project_id = $1 AND user_id = ANY($2)")
            .bind(project_id)
            .bind(user_ids)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn insert_member(
        &self,
        project_id: Uuid,
        user_id: Uuid,
        role: Role,
        now: DateTime<Utc>,
        commit: Commit,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO project_members (project_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)")
            .bind(project_id)
            .bind(user_id)
            .bind(role.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_member(&self, project_id: Uuid, user_id: Uuid, commit: Commit) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM project_members WHERE project_id = $1 AND user_id = $2")
            .bind(project_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        found(done.rows_affected())?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }
}

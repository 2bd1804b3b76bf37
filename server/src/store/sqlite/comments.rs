use app::domain::{Activity, Comment};
use sqlx::Row;
use uuid::Uuid;

use super::rows::{opt_uuid, uuid};
use super::{write_commit, SqliteStore};
use crate::store::{CommentStore, Commit, StoreResult};

#[async_trait::async_trait]
impl CommentStore for SqliteStore {
    async fn insert_comment(&self, c: &Comment, commit: Commit) -> StoreResult<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO comments (id, task_id, author_id, parent_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(c.id.to_string())
        .bind(c.task_id.to_string())
        .bind(c.author_id.to_string())
        .bind(c.parent_id.map(|id| id.to_string()))
        .bind(&c.body)
        .bind(c.created_at)
        .bind(c.updated_at)
        .execute(&mut *tx)
        .await?;
        write_commit(&mut tx, commit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn comment_task(&self, comment_id: Uuid) -> StoreResult<Option<Uuid>> {
        let row = sqlx::query("SELECT task_id FROM comments WHERE id = ?")
            .bind(comment_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| uuid(&r, "task_id")).transpose()
    }

    async fn comments(&self, task_id: Uuid) -> StoreResult<Vec<Comment>> {
        let rows = sqlx::query(
            "SELECT c.id, c.task_id, c.author_id, u.name AS author_name, c.parent_id, c.body, c.created_at, c.updated_at \
             FROM comments c JOIN users u ON u.id = c.author_id WHERE c.task_id = ? ORDER BY c.created_at, c.id",
        )
        .bind(task_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Comment {
                    id: uuid(r, "id")?,
                    task_id: uuid(r, "task_id")?,
                    author_id: uuid(r, "author_id")?,
                    author_name: r.try_get("author_name")?,
                    parent_id: opt_uuid(r, "parent_id")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    async fn activity(&self, task_id: Uuid) -> StoreResult<Vec<Activity>> {
        let rows = sqlx::query(
            "SELECT a.id, a.task_id, a.actor_id, u.name AS actor_name, a.at, a.kind, a.changes \
             FROM activity a JOIN users u ON u.id = a.actor_id WHERE a.task_id = ? ORDER BY a.at, a.id",
        )
        .bind(task_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let changes: String = r.try_get("changes")?;
                Ok(Activity {
                    id: uuid(r, "id")?,
                    task_id: uuid(r, "task_id")?,
                    actor_id: uuid(r, "actor_id")?,
                    actor_name: r.try_get("actor_name")?,
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    changes: serde_json::from_str(&changes).map_err(anyhow::Error::from)?,
                })
            })
            .collect()
    }
}

use app::domain::{Activity, Comment};
use sqlx::Row;
use uuid::Uuid;

use super::{write_commit, PostgresStore};
use crate::store::{CommentStore, Commit, StoreResult};

#[async_trait::async_trait]
impl CommentStore for PostgresStore {
    async fn insert_comment(&self, c: &Comment, commit: Commit) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO comments (id, task_id, author_id, parent_id, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.id)
        .bind(c.task_id)
        .bind(c.author_id)
        .bind(c.parent_id)
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
        Ok(sqlx::query_scalar("SELECT task_id FROM comments WHERE id = $1")
            .bind(comment_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn comments(&self, task_id: Uuid) -> StoreResult<Vec<Comment>> {
        let rows = sqlx::query(
            "SELECT c.id, c.task_id, c.author_id, u.name AS author_name, c.parent_id, c.body, c.created_at, c.updated_at \
             FROM comments c JOIN users u ON u.id = c.author_id WHERE c.task_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(task_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Comment {
                    id: r.try_get("id")?,
                    task_id: r.try_get("task_id")?,
                    author_id: r.try_get("author_id")?,
                    author_name: r.try_get("author_name")?,
                    parent_id: r.try_get("parent_id")?,
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
             FROM activity a JOIN users u ON u.id = a.actor_id WHERE a.task_id = $1 ORDER BY a.at, a.id",
        )
        .bind(task_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Activity {
                    id: r.try_get("id")?,
                    task_id: r.try_get("task_id")?,
                    actor_id: r.try_get("actor_id")?,
                    actor_name: r.try_get("actor_name")?,
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    changes: r.try_get("changes")?,
                })
            })
            .collect()
    }
}

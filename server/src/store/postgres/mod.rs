//! The scale-out backend: PostgreSQL, shared by any number of Tandem instances.
//!
//! Writes that touch a project's event log lock the project row (`seq = seq + 1`), so
//! events of one project commit one at a time and in `seq` order, on every instance.

mod comments;
mod deliveries;
mod digests;
mod events;
mod identities;
mod notifications;
mod projects;
mod push;
mod reminders;
mod rows;
mod schedule;
mod task_reminders;
mod tasks;
mod users;
mod watchers;

use std::str::FromStr;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::PgPool;

use super::{Commit, PoolSettings, Store, StoreResult};

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Opens the pool lazily: an instance starts (and reports itself not ready) while
    /// the database is still coming up, and reconnects by itself when it returns.
    pub fn connect(url: &str, settings: PoolSettings) -> anyhow::Result<Self> {
        let options = PgConnectOptions::from_str(url).context("invalid PostgreSQL URL")?;
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_lazy_with(options);
        Ok(Self { pool })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        sqlx::migrate!("../migrations/postgres").run(&self.pool).await.context("PostgreSQL migrations failed")
    }
}

#[async_trait::async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// Records a change's event (taking the project's next `seq`), activity and notifications.
async fn write_commit(conn: &mut PgConnection, commit: Commit) -> StoreResult<()> {
    if let Some(event) = commit.event {
        let seq: i64 = sqlx::query_scalar("UPDATE projects SET seq = seq + 1 WHERE id = $1 RETURNING seq")
            .bind(event.project_id)
            .fetch_one(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO events (project_id, seq, kind, actor_id, at, payload) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(event.project_id)
        .bind(seq)
        .bind(event.kind)
        .bind(event.actor_id)
        .bind(event.at)
        .bind(&event.payload)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(a) = commit.activity {
        sqlx::query(
            "INSERT INTO activity (id, task_id, actor_id, at, kind, version, changes) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(a.task_id)
        .bind(a.actor_id)
        .bind(a.at)
        .bind(a.kind)
        .bind(a.version)
        .bind(&a.changes)
        .execute(&mut *conn)
        .await?;
    }
    for n in commit.notifications {
        let x = n.notification;
        sqlx::query(
            "INSERT INTO notifications (id, user_id, kind, project_id, task_id, actor_id, title, created_at, read_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(x.id)
        .bind(n.user_id)
        .bind(x.kind.as_str())
        .bind(x.project_id)
        .bind(x.task_id)
        .bind(x.actor_id)
        .bind(&x.title)
        .bind(x.created_at)
        .bind(x.read_at)
        .execute(&mut *conn)
        .await?;
        for d in n.deliveries {
            sqlx::query("INSERT INTO deliveries (notification_id, channel, user_id, due_at) VALUES ($1, $2, $3, $4)")
                .bind(x.id)
                .bind(d.channel.as_str())
                .bind(n.user_id)
                .bind(d.due_at)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

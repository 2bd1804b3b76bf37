//! The embedded backend: one SQLite file in WAL mode.
//!
//! SQLite allows one writer at a time; writes take `write_lock` first so that they
//! queue in the process instead of failing with "database is locked".

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
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, MutexGuard};

use super::{Commit, PoolSettings, Store, StoreResult};

pub struct SqliteStore {
    pool: SqlitePool,
    write_lock: Mutex<()>,
}

impl SqliteStore {
    pub async fn connect(url: &str, settings: PoolSettings) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("invalid SQLite URL {url}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the SQLite database {url}"))?;
        Ok(Self { pool, write_lock: Mutex::new(()) })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        sqlx::migrate!("../migrations/sqlite").run(&self.pool).await.context("SQLite migrations failed")
    }

    /// Starts a write transaction once it is this process's turn to write.
    async fn begin_write(&self) -> StoreResult<(MutexGuard<'_, ()>, sqlx::Transaction<'_, sqlx::Sqlite>)> {
        let guard = self.write_lock.lock().await;
        // IMMEDIATE: the write lock is taken now, waiting under the busy timeout, rather
        // than on the first write, where a reader turned writer gets "database is locked".
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok((guard, tx))
    }
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// Records a change's event (taking the project's next `seq`), activity and notifications.
async fn write_commit(conn: &mut SqliteConnection, commit: Commit) -> StoreResult<()> {
    if let Some(event) = commit.event {
        let seq: i64 = sqlx::query_scalar("UPDATE projects SET seq = seq + 1 WHERE id = ? RETURNING seq")
            .bind(event.project_id.to_string())
            .fetch_one(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO events (project_id, seq, kind, actor_id, at, payload) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(event.project_id.to_string())
            .bind(seq)
            .bind(event.kind)
            .bind(event.actor_id.map(|id| id.to_string()))
            .bind(event.at)
            .bind(event.payload.to_string())
            .execute(&mut *conn)
            .await?;
    }
    if let Some(a) = commit.activity {
        sqlx::query(
            "INSERT INTO activity (id, task_id, actor_id, at, kind, version, changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(a.task_id.to_string())
        .bind(a.actor_id.to_string())
        .bind(a.at)
        .bind(a.kind)
        .bind(a.version)
        .bind(a.changes.to_string())
        .execute(&mut *conn)
        .await?;
    }
    for n in commit.notifications {
        let x = n.notification;
        sqlx::query(
            "INSERT INTO notifications (id, user_id, kind, project_id, task_id, actor_id, title, created_at, read_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(x.id.to_string())
        .bind(n.user_id.to_string())
        .bind(x.kind.as_str())
        .bind(x.project_id.to_string())
        .bind(x.task_id.map(|id| id.to_string()))
        .bind(x.actor_id.map(|id| id.to_string()))
        .bind(&x.title)
        .bind(x.created_at)
        .bind(x.read_at)
        .execute(&mut *conn)
        .await?;
        for d in n.deliveries {
            sqlx::query("INSERT INTO deliveries (notification_id, channel, user_id, due_at) VALUES (?, ?, ?, ?)")
                .bind(x.id.to_string())
                .bind(d.channel.as_str())
                .bind(n.user_id.to_string())
                .bind(d.due_at)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

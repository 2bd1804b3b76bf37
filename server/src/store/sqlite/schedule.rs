use chrono::{DateTime, Utc};

use super::SqliteStore;
use crate::store::{ScheduleStore, StoreResult};

#[async_trait::async_trait]
impl ScheduleStore for SqliteStore {
    async fn claim_job(&self, job: &str, by: &str, now: DateTime<Utc>, next: DateTime<Utc>) -> StoreResult<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query("INSERT INTO scheduled_jobs (name, due_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")
            .bind(job)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let claimed = sqlx::query(
            "UPDATE scheduled_jobs SET due_at = ?, claimed_by = ?, claimed_at = ? WHERE name = ? AND due_at <= ?",
        )
        .bind(next)
        .bind(by)
        .bind(now)
        .bind(job)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(claimed)
    }
}

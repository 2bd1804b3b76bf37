use chrono::{DateTime, Utc};

use super::PostgresStore;
use crate::store::{ScheduleStore, StoreResult};

#[async_trait::async_trait]
impl ScheduleStore for PostgresStore {
    async fn claim_job(&self, job: &str, by: &str, now: DateTime<Utc>, next: DateTime<Utc>) -> StoreResult<bool> {
        sqlx::query("INSERT INTO scheduled_jobs (name, due_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(job)
            .bind(now)
            .execute(&self.pool)
            .await?;
        // One statement: a second instance waits on the row, then finds it no longer due.
        let done = sqlx::query(
            "UPDATE scheduled_jobs SET due_at = $1, claimed_by = $2, claimed_at = $3 WHERE name = $4 AND due_at <= $3",
        )
        .bind(next)
        .bind(by)
        .bind(now)
        .bind(job)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

//! The reminder scheduler: a background task woken by a cron expression
//! (`TANDEM_REMINDER_CRON`, seconds first) that sends the reminders and daily digests
//! that are due. Every instance runs it; the database decides which one sends each.

use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use cron::Schedule;

use crate::service::Service;

/// Every minute, at second 0.
pub const DEFAULT_CRON: &str = "0 * * * * *";

pub fn parse(expression: &str) -> anyhow::Result<Schedule> {
    Schedule::from_str(expression).with_context(|| {
        format!("TANDEM_REMINDER_CRON={expression:?} is not a cron expression (sec min hour day month weekday)")
    })
}

pub fn spawn(service: Arc<Service>, schedule: Schedule) {
    tokio::spawn(async move {
        loop {
            let now = Utc::now();
            let Some(next) = schedule.after(&now).next() else {
                tracing::warn!("the reminder schedule has no next run; reminders stop");
                return;
            };
            tokio::time::sleep((next - now).to_std().unwrap_or_default()).await;
            match service.send_due_reminders().await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "reminders sent"),
                Err(error) => tracing::warn!(%error, "reminders could not be sent; the next run tries again"),
            }
            match service.send_due_digests().await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "daily digests sent"),
                Err(error) => tracing::warn!(%error, "daily digests could not be sent; the next run tries again"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_and_a_per_second_schedule_parse_and_nonsense_does_not() {
        assert!(super::parse(super::DEFAULT_CRON).is_ok());
        assert!(super::parse("* * * * * *").is_ok());
        let error = super::parse("every minute").unwrap_err();
        assert!(format!("{error:#}").contains("TANDEM_REMINDER_CRON"));
    }
}

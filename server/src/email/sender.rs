//! The background email sender: every instance with an SMTP server looks for due
//! emails every few seconds; the database hands each to one of them.

use std::sync::Arc;
use std::time::Duration;

use crate::service::Service;

/// How long an email may wait after it is due; short next to any quiet hours or retry.
const POLL: Duration = Duration::from_secs(2);

pub fn spawn(service: Arc<Service>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match service.send_due_emails().await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "emails sent"),
                Err(error) => tracing::warn!(%error, "emails could not be claimed; the next pass tries again"),
            }
        }
    });
}

//! Background passes that every instance runs every few seconds (sending queued email
//! and pushes); the database hands each item to one of them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use app::domain::AppError;

use crate::service::Service;

/// How long a queued item may wait after it is due; short next to quiet hours or retries.
pub const POLL: Duration = Duration::from_secs(2);

/// Runs `pass` every `POLL`, logging how many `what` it sent.
pub fn spawn<F, Fut>(service: Arc<Service>, what: &'static str, pass: F)
where
    F: Fn(Arc<Service>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<usize, AppError>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match pass(service.clone()).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, what, "sent"),
                Err(error) => tracing::warn!(%error, what, "could not be claimed; the next pass tries again"),
            }
        }
    });
}

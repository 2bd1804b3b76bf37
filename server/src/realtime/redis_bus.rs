//! The shared bus for several instances: signals travel through Redis pub/sub.
//!
//! Each instance hears its own signals at once through its in-process bus, so its own
//! sockets keep up while Redis is away. Signals from the others arrive through one
//! subscriber connection; whenever it (re)connects, listeners are told that signals may
//! have been missed and re-read the event log, which is why a Redis outage delays live
//! updates between instances but loses none.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::StreamExt;
use redis::aio::MultiplexedConnection;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::bus::{EventBus, LocalBus, Signal};

const CHANNEL: &str = "tandem:signals";
/// Signals waiting to be published; beyond this they are dropped (the log has them).
const OUTBOX: usize = 16 * 1024;
const RETRY_MAX: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize, Deserialize)]
struct Envelope {
    from: Uuid,
    /// `None`: "signals of mine may have been lost; re-read what you watch".
    signal: Option<Signal>,
}

pub struct RedisBus {
    local: Arc<LocalBus>,
    instance: Uuid,
    outbox: mpsc::Sender<Envelope>,
    subscribed: Arc<AtomicBool>,
    publishing: Arc<AtomicBool>,
}

impl RedisBus {
    /// Starts the publisher and subscriber tasks; they connect (and reconnect) by themselves.
    pub fn start(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("invalid REDIS_URL: {e}"))?;
        let local = Arc::new(LocalBus::new());
        let instance = Uuid::new_v4();
        let (outbox, queued) = mpsc::channel(OUTBOX);
        let subscribed = Arc::new(AtomicBool::new(false));
        let publishing = Arc::new(AtomicBool::new(false));
        tokio::spawn(publish(client.clone(), queued, instance, publishing.clone()));
        tokio::spawn(subscribe(client, local.clone(), instance, subscribed.clone()));
        Ok(Self { local, instance, outbox, subscribed, publishing })
    }
}

impl EventBus for RedisBus {
    fn publish(&self, signal: Signal) {
        self.local.publish(signal.clone());
        if self.outbox.try_send(Envelope { from: self.instance, signal: Some(signal) }).is_err() {
            tracing::debug!("Redis outbox full; other instances will catch up from the log");
        }
    }

    fn listen(&self) -> BoxStream<'static, Option<Signal>> {
        self.local.listen()
    }

    fn shared_reachable(&self) -> Option<bool> {
        Some(self.subscribed.load(Ordering::Relaxed) && self.publishing.load(Ordering::Relaxed))
    }
}

async fn connect(client: &redis::Client) -> redis::RedisResult<MultiplexedConnection> {
    tokio::time::timeout(CONNECT_TIMEOUT, client.get_multiplexed_async_connection())
        .await
        .unwrap_or_else(|_| Err((redis::ErrorKind::Io, "connection timed out").into()))
}

/// Publishes queued signals; after a failure it reconnects and, first thing, tells the
/// others that some of this instance's signals may have been lost.
async fn publish(client: redis::Client, mut queued: mpsc::Receiver<Envelope>, instance: Uuid, up: Arc<AtomicBool>) {
    let mut connection: Option<MultiplexedConnection> = None;
    let mut lost = false;
    let mut retry = Duration::from_millis(100);
    loop {
        if connection.is_none() {
            match connect(&client).await {
                Ok(c) => {
                    connection = Some(c);
                    retry = Duration::from_millis(100);
                }
                Err(e) => {
                    up.store(false, Ordering::Relaxed);
                    tracing::warn!(error = %e, "Redis unreachable for publishing; retrying");
                    // What waits meanwhile is dropped: the others re-read once told.
                    while queued.try_recv().is_ok() {
                        lost = true;
                    }
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(RETRY_MAX);
                    continue;
                }
            }
        }
        let Some(conn) = connection.as_mut() else { continue };
        let envelope = if lost {
            Envelope { from: instance, signal: None }
        } else {
            // With nothing to send for a while, a ping keeps the health flag honest.
            match tokio::time::timeout(Duration::from_secs(5), queued.recv()).await {
                Ok(Some(envelope)) => envelope,
                Ok(None) => return,
                Err(_) => {
                    let ping: redis::RedisResult<String> = redis::cmd("PING").query_async(conn).await;
                    up.store(ping.is_ok(), Ordering::Relaxed);
                    if ping.is_err() {
                        connection = None;
                    }
                    continue;
                }
            }
        };
        let text = serde_json::to_string(&envelope).unwrap_or_default();
        let sent: redis::RedisResult<()> = conn.publish(CHANNEL, text).await;
        match sent {
            Ok(()) => {
                up.store(true, Ordering::Relaxed);
                lost = false;
            }
            Err(e) => {
                tracing::warn!(error = %e, "publishing to Redis failed; reconnecting");
                up.store(false, Ordering::Relaxed);
                connection = None;
                lost = true;
            }
        }
    }
}

/// Hands the other instances' signals to this instance's listeners, reconnecting forever.
async fn subscribe(client: redis::Client, local: Arc<LocalBus>, instance: Uuid, up: Arc<AtomicBool>) {
    let mut retry = Duration::from_millis(100);
    loop {
        let pubsub = tokio::time::timeout(CONNECT_TIMEOUT, client.get_async_pubsub())
            .await
            .unwrap_or_else(|_| Err((redis::ErrorKind::Io, "connection timed out").into()));
        let mut pubsub = match pubsub {
            Ok(p) => p,
            Err(e) => {
                up.store(false, Ordering::Relaxed);
                tracing::warn!(error = %e, "Redis unreachable for live updates between instances; retrying");
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(RETRY_MAX);
                continue;
            }
        };
        if let Err(e) = pubsub.subscribe(CHANNEL).await {
            tracing::warn!(error = %e, "subscribing to Redis failed; retrying");
            tokio::time::sleep(retry).await;
            continue;
        }
        up.store(true, Ordering::Relaxed);
        retry = Duration::from_millis(100);
        // Whatever was published while we were away is in the log.
        local.missed();
        let mut messages = pubsub.on_message();
        while let Some(message) = messages.next().await {
            let Ok(text) = message.get_payload::<String>() else { continue };
            match serde_json::from_str::<Envelope>(&text) {
                Ok(Envelope { from, .. }) if from == instance => {}
                Ok(Envelope { signal: Some(signal), .. }) => local.publish(signal),
                Ok(Envelope { signal: None, .. }) => local.missed(),
                Err(e) => tracing::warn!(error = %e, "unreadable signal on the Redis channel"),
            }
        }
        up.store(false, Ordering::Relaxed);
        tracing::warn!("lost the Redis subscription; reconnecting");
    }
}

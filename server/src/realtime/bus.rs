//! The event bus: how an instance hears that something was committed, by itself or (once
//! a shared bus is configured) by another instance. Signals only point at the event log,
//! which stays the source of truth, so a lost signal delays delivery but loses nothing.

use app::domain::Notification;
use futures::stream::BoxStream;
use futures::StreamExt;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

use super::hub::Viewer;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Signal {
    /// A project's event log has new rows.
    Committed { project_id: Uuid },
    /// A notification was stored for a user.
    Notified { user_id: Uuid, notification: Box<Notification> },
    /// A user's sessions or tokens were revoked, or their account disabled: their open
    /// sockets check whether they may stay.
    AccessRevoked { user_id: Uuid },
    /// Who is viewing a project through one instance (empty: nobody any more).
    Presence { project_id: Uuid, instance: Uuid, viewers: Vec<Viewer> },
}

pub trait EventBus: Send + Sync {
    /// Announces a signal to every listener, on every instance. Called after commit.
    fn publish(&self, signal: Signal);
    /// Every signal published from now on. `None` in the stream means some were
    /// missed (the listener fell behind), so it should re-read what it watches.
    fn listen(&self) -> BoxStream<'static, Option<Signal>>;
    /// Whether signals reach the other instances; `None` for a bus with no others.
    fn shared_reachable(&self) -> Option<bool> {
        None
    }
}

/// The embedded default: a broadcast channel inside this process.
pub struct LocalBus {
    sender: broadcast::Sender<Option<Signal>>,
}

impl LocalBus {
    pub fn new() -> Self {
        Self { sender: broadcast::channel(16 * 1024).0 }
    }

    /// Tells listeners that signals may have been missed.
    pub fn missed(&self) {
        let _ = self.sender.send(None);
    }
}

impl Default for LocalBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus for LocalBus {
    fn publish(&self, signal: Signal) {
        // No listener yet is fine: nobody is connected to hear it.
        let _ = self.sender.send(Some(signal));
    }

    fn listen(&self) -> BoxStream<'static, Option<Signal>> {
        BroadcastStream::new(self.sender.subscribe()).map(|r| r.ok().flatten()).boxed()
    }
}

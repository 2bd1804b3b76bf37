//! The in-process event bus. Writers poke it after commit; it reads the new rows of the
//! event log (the source of truth) and broadcasts each as one shared, pre-serialized frame.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use app::domain::Notification;
use axum::extract::ws::Utf8Bytes;
use serde_json::json;
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use crate::store::{Store, StoreResult, StoredEvent};

/// Frames waiting for slow sockets; a socket that falls further behind re-reads the log.
const FRAME_BUFFER: usize = 4096;
/// Events read from the log per query.
const READ_BATCH: u32 = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Project { project_id: Uuid, seq: i64 },
    User(Uuid),
}

#[derive(Debug)]
pub struct Frame {
    pub target: Target,
    pub text: Utf8Bytes,
}

pub struct Hub {
    store: Arc<dyn Store>,
    frames: broadcast::Sender<Arc<Frame>>,
    pokes: mpsc::UnboundedSender<Uuid>,
    /// Projects someone watches, with the last `seq` broadcast for each.
    watched: Mutex<HashMap<Uuid, i64>>,
}

impl Hub {
    /// Creates the hub and starts the task that turns pokes into frames.
    pub fn start(store: Arc<dyn Store>) -> Arc<Self> {
        let (frames, _) = broadcast::channel(FRAME_BUFFER);
        let (pokes, mut poked) = mpsc::unbounded_channel();
        let hub = Arc::new(Self { store, frames, pokes, watched: Mutex::new(HashMap::new()) });
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            while let Some(first) = poked.recv().await {
                let mut projects = HashSet::from([first]);
                while let Ok(more) = poked.try_recv() {
                    projects.insert(more);
                }
                let Some(hub) = weak.upgrade() else { break };
                for project_id in projects {
                    if let Err(e) = hub.pump(project_id).await {
                        tracing::warn!(%project_id, error = %e, "could not read new events; sockets will catch up from the log");
                    }
                }
            }
        });
        hub
    }

    /// Called after a change committed events for `project_id`.
    pub fn poke(&self, project_id: Uuid) {
        let _ = self.pokes.send(project_id);
    }

    /// Pushes new notifications to their users' open sockets.
    pub fn notify(&self, notifications: &[(Uuid, Notification)]) {
        for (user_id, notification) in notifications {
            let text = json!({ "type": "notification", "data": notification }).to_string();
            let _ = self.frames.send(Arc::new(Frame { target: Target::User(*user_id), text: text.into() }));
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.frames.subscribe()
    }

    /// Starts broadcasting a project's events (from its current `seq` on), if not yet.
    pub async fn watch(&self, project_id: Uuid) -> StoreResult<()> {
        if self.watched.lock().expect("hub lock").contains_key(&project_id) {
            return Ok(());
        }
        let latest = self.store.latest_seq(project_id).await?;
        self.watched.lock().expect("hub lock").entry(project_id).or_insert(latest);
        Ok(())
    }

    /// Broadcasts every event of a watched project after the last one sent.
    async fn pump(&self, project_id: Uuid) -> StoreResult<()> {
        loop {
            let Some(last) = self.watched.lock().expect("hub lock").get(&project_id).copied() else {
                return Ok(());
            };
            let events = self.store.events_since(project_id, last, READ_BATCH).await?;
            let Some(newest) = events.last().map(|e| e.seq) else {
                return Ok(());
            };
            for event in &events {
                let _ = self.frames.send(Arc::new(event_frame(event)));
            }
            self.watched.lock().expect("hub lock").insert(project_id, newest);
        }
    }
}

/// The message of API.md's Realtime section for one event.
pub fn event_frame(event: &StoredEvent) -> Frame {
    let text = json!({
        "type": event.kind,
        "project_id": event.project_id,
        "seq": event.seq,
        "at": event.at,
        "actor_id": event.actor_id,
        "data": event.payload,
    })
    .to_string();
    Frame { target: Target::Project { project_id: event.project_id, seq: event.seq }, text: text.into() }
}

//! `GET /api/v1/ws`: one authenticated WebSocket per browser tab or client.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use app::domain::{AppError, ErrorCode, User};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use uuid::Uuid;

use super::hub::{event_frame, removed_member, Frame, Membership, Target, READ_BATCH};
use super::upgrade::{Socket, Upgrade};
use super::wire::Wire;
use crate::api::ApiError;
use crate::startup::AppState;

/// A client that cannot take a frame in this time is dropped; it resumes with `since`.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_CLIENT_MESSAGE: usize = 16 * 1024;
/// Frames taken from the queue per write.
const BATCH_FRAMES: usize = 64;

#[derive(Deserialize)]
pub struct WsQuery {
    token: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    Subscribe {
        project_id: Uuid,
        since: Option<i64>,
    },
    Unsubscribe {
        project_id: Uuid,
    },
    /// The task the user has open in a subscribed project (`null` for none): presence.
    Focus {
        project_id: Uuid,
        task_id: Option<Uuid>,
    },
    Ping,
}

pub async fn ws_handler(
    State(state): State<AppState>,
    Query(query): Query<WsQuery>,
    mut headers: HeaderMap,
    upgrade: Upgrade,
) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        if origin.as_bytes() != state.public_origin.as_bytes() {
            return ApiError(AppError::forbidden("cross-origin WebSocket upgrades are refused")).into_response();
        }
    }
    if let Some(token) = query.token.filter(|_| !headers.contains_key(header::AUTHORIZATION)) {
        if let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) {
            headers.insert(header::AUTHORIZATION, value);
        }
    }
    // Watching is reading: read-only tokens may connect.
    let signed_in = match state.service.authenticate(&headers, "GET").await {
        Ok(Some(signed_in)) => signed_in,
        Ok(None) => return ApiError(AppError::unauthorized()).into_response(),
        Err(e) => return ApiError(e).into_response(),
    };
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_CLIENT_MESSAGE))
        .max_frame_size(Some(MAX_CLIENT_MESSAGE))
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024);
    upgrade.on_upgrade(config, move |socket, wire| {
        Connection::new(socket, wire, state, signed_in.user, signed_in.token_hash).run()
    })
}

struct Connection {
    socket: Socket,
    wire: Arc<Wire>,
    state: AppState,
    user: User,
    /// The session or token the socket was opened with, re-checked when revoked.
    token_hash: Vec<u8>,
    membership: Membership,
    /// Subscribed projects, each with the next `seq` this client should get (shared
    /// with the hub, which moves it on while the project's seat is live).
    next: HashMap<Uuid, Arc<AtomicI64>>,
    /// Subscribed projects whose seat is not live: their events come through the queue.
    stepping: Vec<Uuid>,
    last_heard: Instant,
}

/// Why a connection ends: the client left, or could not keep up.
struct Closed;

/// Close codes: the server is going away (restart), or the client was too slow. Both
/// mean "come back and resume with `since`".
const GOING_AWAY: u16 = 1001;
const TRY_AGAIN_LATER: u16 = 1013;
/// The session or token was revoked, or the account disabled: do not come back with it.
const POLICY_VIOLATION: u16 = 1008;

impl Connection {
    fn new(socket: Socket, wire: Arc<Wire>, state: AppState, user: User, token_hash: Vec<u8>) -> Self {
        let membership = state.hub.connect(&user, wire.clone());
        Self {
            socket,
            wire,
            state,
            user,
            token_hash,
            membership,
            next: HashMap::new(),
            stepping: Vec::new(),
            last_heard: Instant::now(),
        }
    }

    async fn run(mut self) {
        // A revocation published between the upgrade's check and the seat in the hub
        // reached no socket: look once more now that this one would hear it.
        if self.recheck().await.is_err() {
            return;
        }
        let mut ping = tokio::time::interval(self.state.ws_heartbeat);
        ping.tick().await;
        loop {
            // Frames first: a wake-up for a frame then polls nothing else. The others
            // still get their turn whenever the queue is empty, and a queue that never
            // empties is cut off by the hub.
            let step = tokio::select! {
                biased;
                frame = self.membership.frames.recv() => match frame {
                    Some(frame) if !self.membership.is_cut_off() => self.on_frames(frame).await,
                    _ => {
                        self.close().await;
                        Err(Closed)
                    }
                },
                incoming = self.socket.next() => match incoming {
                    Some(Ok(message)) => self.on_message(message).await,
                    _ => Err(Closed),
                },
                _ = ping.tick() => self.on_ping_timer().await,
            };
            if step.is_err() || self.flush().await.is_err() {
                break;
            }
            // Everything sent so far is on the wire: with nothing queued, the hub may
            // now write these projects' events itself.
            if !self.stepping.is_empty()
                && self.wire.is_direct()
                && self.state.hub.go_live(&self.membership, &self.stepping)
            {
                self.stepping.clear();
            }
        }
    }

    /// Notes that a project's events come through the queue until its seat is live again.
    fn stepping(&mut self, project_id: Uuid) {
        if !self.stepping.contains(&project_id) {
            self.stepping.push(project_id);
        }
    }

    /// Sets where the client is in a project's sequence, and the client is subscribed.
    fn set_next(&mut self, project_id: Uuid, cursor: Arc<AtomicI64>, next: i64) {
        cursor.store(next, Ordering::Relaxed);
        self.next.insert(project_id, cursor);
        self.stepping(project_id);
    }

    fn forget(&mut self, project_id: Uuid) {
        self.next.remove(&project_id);
        self.stepping.retain(|p| *p != project_id);
        self.state.hub.leave(&self.membership, project_id);
    }

    /// Forwards a frame and whatever else is already queued, to be written in one go.
    async fn on_frames(&mut self, first: Arc<Frame>) -> Result<(), Closed> {
        self.on_frame(&first).await?;
        for _ in 0..BATCH_FRAMES {
            match self.membership.frames.try_recv() {
                Ok(frame) if !self.membership.is_cut_off() => self.on_frame(&frame).await?,
                _ => break,
            }
        }
        Ok(())
    }

    /// Tells the client why the hub let go of it, so it reconnects.
    async fn close(&mut self) {
        let (code, reason) = if self.membership.is_cut_off() {
            (TRY_AGAIN_LATER, "too slow; reconnect and resume with since")
        } else {
            (GOING_AWAY, "server restarting; reconnect and resume with since")
        };
        self.send_close(code, reason).await;
    }

    /// Sends the closing frame (for a second at most); the hub writes nothing after it.
    async fn send_close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
        self.wire.detach();
        let _ = tokio::time::timeout(Duration::from_secs(1), self.socket.send(Message::Close(Some(frame)))).await;
    }

    async fn on_message(&mut self, message: Message) -> Result<(), Closed> {
        self.last_heard = Instant::now();
        match message {
            Message::Text(text) => match serde_json::from_str::<ClientMessage>(&text) {
                Ok(ClientMessage::Subscribe { project_id, since }) => {
                    // Subscribed already: the hub must stop writing this project's events
                    // before the answer, or they would come again in the catch-up.
                    if self.next.contains_key(&project_id) {
                        self.state.hub.pause(&self.membership, project_id);
                        self.stepping(project_id);
                    }
                    self.subscribe(project_id, since).await
                }
                Ok(ClientMessage::Unsubscribe { project_id }) => {
                    self.forget(project_id);
                    Ok(())
                }
                Ok(ClientMessage::Focus { project_id, task_id }) => {
                    self.state.hub.focus(&self.membership, project_id, task_id);
                    Ok(())
                }
                Ok(ClientMessage::Ping) => self.send_json(json!({ "type": "pong" })).await,
                Err(e) => {
                    let message = format!("unreadable message: {e}");
                    self.send_json(json!({ "type": "error", "code": "bad_request", "message": message })).await
                }
            },
            Message::Close(_) => Err(Closed),
            _ => Ok(()),
        }
    }

    async fn subscribe(&mut self, project_id: Uuid, since: Option<i64>) -> Result<(), Closed> {
        if let Err(error) = self.state.service.get_project(&self.user, project_id).await {
            let code = if error.code == ErrorCode::NotFound { "not_found" } else { error.code.as_str() };
            return self.send_json(json!({ "type": "error", "code": code, "project_id": project_id })).await;
        }
        let store = self.state.service.store().clone();
        let watched = self.state.hub.join(&self.membership, project_id).await;
        let latest = store.latest_seq(project_id).await;
        let (Ok(cursor), Ok(latest)) = (watched, latest) else {
            return self.send_json(json!({ "type": "error", "code": "unavailable", "project_id": project_id })).await;
        };
        // Removed between the check above and the seat in the room: the removal's event
        // passed by before this socket could hear it.
        if self.state.service.get_project(&self.user, project_id).await.is_err() {
            self.forget(project_id);
            return self.send_json(json!({ "type": "error", "code": "not_found", "project_id": project_id })).await;
        }
        match since {
            Some(since) if since > latest || since < 0 => {
                self.set_next(project_id, cursor, latest + 1);
                self.send_json(json!({ "type": "resync", "project_id": project_id })).await
            }
            Some(since) => {
                self.set_next(project_id, cursor, since + 1);
                self.send_json(json!({ "type": "subscribed", "project_id": project_id, "seq": latest })).await?;
                self.catch_up(project_id).await
            }
            None => {
                self.set_next(project_id, cursor, latest + 1);
                self.send_json(json!({ "type": "subscribed", "project_id": project_id, "seq": latest })).await
            }
        }
    }

    async fn on_frame(&mut self, frame: &Frame) -> Result<(), Closed> {
        match frame.target {
            Target::User(_) | Target::Presence(_) => self.send(frame.text.clone()).await,
            Target::Recheck => self.recheck().await,
            // The loop writes out the wire's backlog after every step.
            Target::Drain => Ok(()),
            Target::Project { project_id, seq } => {
                // Queued, so the seat is not live: this task moves the cursor on.
                let Some(cursor) = self.next.get(&project_id).cloned() else { return Ok(()) };
                self.stepping(project_id);
                let next = cursor.load(Ordering::Relaxed);
                if seq == next {
                    cursor.store(next + 1, Ordering::Relaxed);
                    self.send(frame.text.clone()).await
                } else if seq > next {
                    self.catch_up(project_id).await
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Closes the socket if its session or token no longer holds.
    async fn recheck(&mut self) -> Result<(), Closed> {
        match self.state.service.session_holds(&self.token_hash).await {
            Ok(false) => {
                self.send_close(POLICY_VIOLATION, "signed out").await;
                Err(Closed)
            }
            Ok(true) => Ok(()),
            // Unsure (the database is away): close; the client reconnects and is checked anew.
            Err(_) => {
                self.close().await;
                Err(Closed)
            }
        }
    }

    /// Sends, from the log, every event of the project this client has not had yet.
    async fn catch_up(&mut self, project_id: Uuid) -> Result<(), Closed> {
        let store = self.state.service.store().clone();
        while let Some(cursor) = self.next.get(&project_id).cloned() {
            let next = cursor.load(Ordering::Relaxed);
            let events = match store.events_since(project_id, next - 1, READ_BATCH).await {
                Ok(events) => events,
                Err(e) => {
                    tracing::warn!(%project_id, error = %e, "catch-up read failed; the client will resync");
                    return self.send_json(json!({ "type": "resync", "project_id": project_id })).await;
                }
            };
            if events.is_empty() {
                return Ok(());
            }
            for event in &events {
                self.send(event_frame(event).text).await?;
                cursor.store(event.seq + 1, Ordering::Relaxed);
                if removed_member(event) == Some(self.user.id) {
                    // Removed from the project: nothing after this is theirs to see.
                    self.forget(project_id);
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    async fn on_ping_timer(&mut self) -> Result<(), Closed> {
        // Dead: nothing heard (not even a pong) for two and a half heartbeats.
        if self.last_heard.elapsed() > self.state.ws_heartbeat * 5 / 2 {
            return Err(Closed);
        }
        self.send_message(Message::Ping(Default::default())).await
    }

    async fn send_json(&mut self, value: serde_json::Value) -> Result<(), Closed> {
        self.send(value.to_string().into()).await
    }

    async fn send(&mut self, text: Utf8Bytes) -> Result<(), Closed> {
        self.send_message(Message::Text(text)).await
    }

    /// Queues a message in the socket's write buffer; `flush` sends what is queued.
    async fn send_message(&mut self, message: Message) -> Result<(), Closed> {
        within_deadline(self.socket.feed(message)).await
    }

    async fn flush(&mut self) -> Result<(), Closed> {
        within_deadline(self.socket.flush()).await
    }
}

/// Runs a write that usually completes at once; only one that has to wait gets a timer
/// (arming a timer for every frame of ten thousand sockets costs more than the write).
async fn within_deadline<E>(write: impl Future<Output = Result<(), E>>) -> Result<(), Closed> {
    let mut write = std::pin::pin!(write);
    let done = match futures::poll!(&mut write) {
        Poll::Ready(done) => done,
        Poll::Pending => tokio::time::timeout(SEND_TIMEOUT, write).await.map_err(|_| Closed)?,
    };
    done.map_err(|_| Closed)
}

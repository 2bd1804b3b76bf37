//! The browser's WebSocket: connects, subscribes to the watched projects (resuming each
//! from the last `seq` applied), hands messages to the pages' handlers in order,
//! reconnects with backoff, and falls back to refetching on a timer when WebSockets
//! cannot connect at all.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use serde_json::json;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::order::{Arrival, SeqTracker};
use super::{LinkState, Live, LiveMessage};

/// Failed attempts in a row after which pages refetch on a timer meanwhile: soon when
/// this tab never got a socket open (WebSockets blocked on the way), later when a
/// socket worked before (a server restart takes a few seconds).
const FAILURES_BEFORE_POLLING: u32 = 3;
const FAILURES_BEFORE_POLLING_AFTER_LIVE: u32 = 6;
const POLL_EVERY: Duration = Duration::from_secs(10);
const HEARTBEAT_EVERY: Duration = Duration::from_secs(20);
/// Silence after which an open socket is presumed dead (the server answers pings).
const SILENCE_LIMIT_MS: f64 = 50_000.0;
const UNSUBSCRIBE_AFTER: Duration = Duration::from_secs(2);

type Handler = Rc<dyn Fn(&LiveMessage)>;

thread_local! {
    static DRIVER: RefCell<Option<Rc<Driver>>> = const { RefCell::new(None) };
}

/// The tab's driver, started on first use (only signed-in pages use it).
pub(super) fn with_driver<R>(live: Live, f: impl FnOnce(&Rc<Driver>) -> R) -> R {
    let driver = DRIVER.with(|slot| {
        slot.borrow_mut()
            .get_or_insert_with(|| {
                let driver = Rc::new(Driver::new(live));
                driver.start();
                driver
            })
            .clone()
    });
    f(&driver)
}

/// The socket's event handlers, kept alive while it is in use.
struct Callbacks {
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

pub(super) struct Driver {
    live: Live,
    socket: RefCell<Option<(WebSocket, Callbacks)>>,
    order: RefCell<SeqTracker>,
    /// Watched projects, counted per page that watches them.
    watched: RefCell<HashMap<Uuid, usize>>,
    focus: RefCell<HashMap<Uuid, Option<Uuid>>>,
    handlers: RefCell<Vec<(u64, Handler)>>,
    next_handler: Cell<u64>,
    failures: Cell<u32>,
    /// A socket of this tab has heard from the server before.
    ever_open: Cell<bool>,
    last_heard: Cell<f64>,
    polling: RefCell<Option<IntervalHandle>>,
}

impl Driver {
    fn new(live: Live) -> Self {
        Self {
            live,
            socket: RefCell::new(None),
            order: RefCell::new(SeqTracker::default()),
            watched: RefCell::new(HashMap::new()),
            focus: RefCell::new(HashMap::new()),
            handlers: RefCell::new(Vec::new()),
            next_handler: Cell::new(0),
            failures: Cell::new(0),
            ever_open: Cell::new(false),
            last_heard: Cell::new(0.0),
            polling: RefCell::new(None),
        }
    }

    fn start(self: &Rc<Self>) {
        self.connect();
        let me = Rc::downgrade(self);
        let _ = set_interval_with_handle(
            move || {
                if let Some(me) = me.upgrade() {
                    me.heartbeat();
                }
            },
            HEARTBEAT_EVERY,
        );
        // Back online: try at once rather than wait for the backoff.
        let me = Rc::downgrade(self);
        let online = Closure::<dyn FnMut()>::new(move || {
            if let Some(me) = me.upgrade() {
                if me.socket.borrow().is_none() {
                    me.connect();
                }
            }
        });
        let _ = window().add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        online.forget(); // lives as long as the tab
    }

    pub(super) fn watch(&self, project_id: Uuid, since: Option<i64>) {
        if let Some(since) = since {
            self.order.borrow_mut().start_at(project_id, since);
        }
        let first = {
            let mut watched = self.watched.borrow_mut();
            let first = !watched.contains_key(&project_id);
            *watched.entry(project_id).or_default() += 1;
            first
        };
        if first {
            self.subscribe(project_id);
        }
    }

    /// Stops watching a project once no page has watched it for a moment: a page that
    /// re-renders, or a move from a project to one of its tasks, keeps the subscription.
    pub(super) fn unwatch(self: &Rc<Self>, project_id: Uuid) {
        if let Some(count) = self.watched.borrow_mut().get_mut(&project_id) {
            *count = count.saturating_sub(1);
        }
        let me = Rc::downgrade(self);
        set_timeout(
            move || {
                if let Some(me) = me.upgrade() {
                    me.unsubscribe_if_unwatched(project_id);
                }
            },
            UNSUBSCRIBE_AFTER,
        );
    }

    fn unsubscribe_if_unwatched(&self, project_id: Uuid) {
        let unwatched = self.watched.borrow().get(&project_id) == Some(&0);
        if unwatched {
            self.watched.borrow_mut().remove(&project_id);
            self.focus.borrow_mut().remove(&project_id);
            self.live.presence.update(|p| {
                p.remove(&project_id);
            });
            self.send(json!({ "type": "unsubscribe", "project_id": project_id }));
        }
    }

    pub(super) fn focus(&self, project_id: Uuid, task_id: Option<Uuid>) {
        self.focus.borrow_mut().insert(project_id, task_id);
        self.send(json!({ "type": "focus", "project_id": project_id, "task_id": task_id }));
    }

    pub(super) fn add_handler(&self, handler: Handler) -> u64 {
        let id = self.next_handler.get() + 1;
        self.next_handler.set(id);
        self.handlers.borrow_mut().push((id, handler));
        id
    }

    pub(super) fn remove_handler(&self, id: u64) {
        self.handlers.borrow_mut().retain(|(h, _)| *h != id);
    }

    fn connect(self: &Rc<Self>) {
        let Ok(url) = socket_url() else { return self.closed() };
        let Ok(socket) = WebSocket::new(&url) else { return self.closed() };
        let me = Rc::downgrade(self);
        let open = Closure::<dyn FnMut()>::new(move || {
            if let Some(me) = me.upgrade() {
                me.opened();
            }
        });
        let me = Rc::downgrade(self);
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let (Some(me), Some(text)) = (me.upgrade(), event.data().as_string()) {
                me.received(&text);
            }
        });
        let me = Rc::downgrade(self);
        let close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            if event.code() == SIGNED_OUT {
                // The session was revoked elsewhere: reconnecting cannot help.
                return signed_out();
            }
            if let Some(me) = me.upgrade() {
                me.socket.borrow_mut().take();
                me.closed();
            }
        });
        socket.set_onopen(Some(open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(close.as_ref().unchecked_ref()));
        let callbacks = Callbacks { _open: open, _message: message, _close: close };
        if let Some((old, _)) = self.socket.borrow_mut().replace((socket, callbacks)) {
            old.set_onclose(None);
            let _ = old.close();
        }
    }

    /// The socket is open, but only an answer from the server proves the way works
    /// (something in between may accept and drop it): ask for one.
    fn opened(&self) {
        self.send(json!({ "type": "ping" }));
        let projects: Vec<Uuid> = self.watched.borrow().keys().copied().collect();
        for project_id in projects {
            self.subscribe(project_id);
        }
    }

    /// Counts the failure, says so, and tries again after a growing pause.
    fn closed(self: &Rc<Self>) {
        let failures = self.failures.get() + 1;
        self.failures.set(failures);
        let online = window().navigator().on_line();
        let limit = if self.ever_open.get() { FAILURES_BEFORE_POLLING_AFTER_LIVE } else { FAILURES_BEFORE_POLLING };
        let polling = failures >= limit;
        self.live.state.set(if !online {
            LinkState::Offline
        } else if polling {
            LinkState::Polling
        } else {
            LinkState::Reconnecting
        });
        if polling && self.polling.borrow().is_none() {
            let me = Rc::downgrade(self);
            let handle = set_interval_with_handle(
                move || {
                    if let Some(me) = me.upgrade() {
                        me.dispatch(&LiveMessage::made_up("poll", None));
                    }
                },
                POLL_EVERY,
            );
            *self.polling.borrow_mut() = handle.ok();
        }
        // 0.5 s, 1 s, 2 s … up to 15 s, with jitter so a restarted server is not hit by
        // every tab at once.
        let base = 500.0 * 2f64.powi(failures.min(5) as i32 - 1);
        let delay = base.min(15_000.0) * (0.75 + js_sys::Math::random() / 2.0);
        let me = Rc::downgrade(self);
        set_timeout(
            move || {
                if let Some(me) = me.upgrade() {
                    me.connect();
                }
            },
            Duration::from_millis(delay as u64),
        );
    }

    fn heartbeat(&self) {
        let silent = js_sys::Date::now() - self.last_heard.get();
        let socket = self.socket.borrow().as_ref().map(|(s, _)| s.clone());
        match socket {
            Some(socket) if socket.ready_state() == WebSocket::OPEN && silent > SILENCE_LIMIT_MS => {
                // Presumed dead: closing leads to a reconnect.
                let _ = socket.close();
            }
            Some(_) => self.send(json!({ "type": "ping" })),
            None => {}
        }
    }

    fn subscribe(&self, project_id: Uuid) {
        let since = self.order.borrow().last(project_id);
        self.send(json!({ "type": "subscribe", "project_id": project_id, "since": since }));
        if let Some(task_id) = self.focus.borrow().get(&project_id).copied() {
            self.send(json!({ "type": "focus", "project_id": project_id, "task_id": task_id }));
        }
    }

    fn send(&self, value: serde_json::Value) {
        if let Some((socket, _)) = self.socket.borrow().as_ref() {
            if socket.ready_state() == WebSocket::OPEN {
                let _ = socket.send_with_str(&value.to_string());
            }
        }
    }

    fn received(&self, text: &str) {
        self.last_heard.set(js_sys::Date::now());
        if self.live.state.get_untracked() != LinkState::Live {
            self.failures.set(0);
            self.ever_open.set(true);
            if let Some(polling) = self.polling.borrow_mut().take() {
                polling.clear();
            }
            self.live.state.set(LinkState::Live);
        }
        let Some(message) = LiveMessage::parse(text) else { return };
        let project_id = message.project_id;
        match (message.kind.as_str(), project_id) {
            // Without a known starting point, the page's data may predate the
            // subscription: it refetches once.
            ("subscribed", Some(project_id)) if self.order.borrow().last(project_id).is_none() => {
                self.order.borrow_mut().start_at(project_id, message.seq.unwrap_or_default());
                self.dispatch(&LiveMessage::made_up("resync", Some(project_id)));
            }
            ("resync", Some(project_id)) => {
                self.order.borrow_mut().forget(project_id);
                self.subscribe(project_id);
            }
            ("presence", Some(project_id)) => {
                self.live.presence.update(|p| {
                    p.insert(project_id, message.users.clone());
                });
            }
            (_, Some(project_id)) if message.is_event() => {
                let arrival = self.order.borrow_mut().arrive(project_id, message.seq.unwrap_or_default());
                match arrival {
                    Arrival::Next => self.dispatch(&message),
                    Arrival::Gap(last) => {
                        self.send(json!({ "type": "subscribe", "project_id": project_id, "since": last }));
                    }
                    Arrival::Seen | Arrival::Unknown => {}
                }
            }
            ("notification", _) => self.dispatch(&message),
            _ => {}
        }
    }

    /// Calls every handler; one removed by an earlier handler (its page went away) is
    /// skipped, since its signals are gone.
    fn dispatch(&self, message: &LiveMessage) {
        let ids: Vec<u64> = self.handlers.borrow().iter().map(|(id, _)| *id).collect();
        for id in ids {
            let handler = self.handlers.borrow().iter().find(|(h, _)| *h == id).map(|(_, h)| h.clone());
            if let Some(handler) = handler {
                handler(message);
            }
        }
    }
}

/// `ws(s)://<this host>/api/v1/ws`: same origin, so the session cookie goes along.
fn socket_url() -> Result<String, wasm_bindgen::JsValue> {
    let location = window().location();
    let scheme = if location.protocol()? == "https:" { "wss" } else { "ws" };
    Ok(format!("{scheme}://{}/api/v1/ws", location.host()?))
}

/// Close code the server uses when the socket's session or token was revoked.
const SIGNED_OUT: u16 = 1008;

/// Off to sign in again, coming back here afterwards.
fn signed_out() {
    let location = window().location();
    let here = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    let login = if here == "/" {
        "/login".to_owned()
    } else {
        format!("/login?next={}", crate::domain::encode_component(&here))
    };
    let _ = location.set_href(&login);
}

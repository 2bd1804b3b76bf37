//! The fan-out of one instance. It listens to the event bus, reads each project's new
//! rows from the event log (the source of truth), serializes each event once and hands
//! the same bytes to every socket watching that project. A socket that is in step gets
//! them written straight to its wire; any other goes through its bounded queue and its
//! own task. A socket that falls too far behind is cut off rather than slowing anyone
//! else; its client resumes with `since`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use app::domain::{Notification, User};
use futures::{FutureExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;
use uuid::Uuid;

use super::batch::{Batch, Reach};
use super::bus::{EventBus, Signal};
use super::wire::{Sent, Wire};
use crate::store::{Store, StoreResult, StoredEvent};

/// Frames a socket may have waiting before it counts as too slow.
pub const QUEUE_FRAMES: usize = 1024;
/// Sockets a fan-out serves before letting go of the hub's lock for a moment (fewer in
/// unit tests, so that a room of a few parts needs few descriptors).
#[cfg(not(test))]
const FAN_OUT_PART: usize = 512;
#[cfg(test)]
const FAN_OUT_PART: usize = 16;
/// Writes in one part from which a fan-out uses a second thread.
const PARALLEL_WRITES: usize = 128;
/// Events read from the log per query.
pub(super) const READ_BATCH: u32 = 500;
/// How often presence changes are gathered and sent: joins and leaves in between
/// coalesce into one message per project.
const PRESENCE_EVERY: Duration = Duration::from_millis(200);
/// Viewers listed in a presence message; `count` tells how many there are in all.
const PRESENCE_LISTED: usize = 50;
/// Each instance re-announces its viewers this often; what another instance announced
/// counts until it is this old (an instance that died stops counting).
const PRESENCE_REFRESH: Duration = Duration::from_secs(10);
const PRESENCE_EXPIRES: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An event of the log, with its place in the project's sequence.
    Project {
        project_id: Uuid,
        seq: i64,
    },
    /// Who is viewing a project.
    Presence(Uuid),
    User(Uuid),
    /// Not sent on: the socket re-checks that its session still holds.
    Recheck,
    /// Not sent on: the hub left bytes in the socket's wire for its task to write out.
    Drain,
}

#[derive(Debug)]
pub struct Frame {
    pub target: Target,
    pub text: Utf8Bytes,
}

pub(super) type ConnId = u64;

struct Conn {
    user_id: Uuid,
    name: String,
    /// Projects this socket watches.
    rooms: Vec<Uuid>,
    queue: mpsc::Sender<Arc<Frame>>,
    wire: Arc<Wire>,
    cut_off: Arc<AtomicBool>,
}

/// A socket's place in a room.
struct Seat {
    /// The task its user has open, if any.
    task_id: Option<Uuid>,
    /// The next `seq` the socket is to get of the project, shared with its task: the
    /// hub moves it on while the seat is live, the task at all other times.
    next: Arc<AtomicI64>,
    /// Whether the hub writes the project's events straight to the socket's wire. The
    /// task makes its seat live when it has nothing queued and everything before `next`
    /// is on the wire; the hub makes it not live again when it has to queue an event.
    live: bool,
}

#[derive(Default)]
struct Room {
    /// Last `seq` handed out for this project.
    last_seq: i64,
    /// Changes committed to the project through this instance: a sweep under way looks
    /// for new events when this moved on.
    commits: u64,
    /// Watching sockets, with the task each has open. Kept in connection order: sockets
    /// opened one after another sit near each other in memory (here and in the kernel),
    /// and visiting them in that order makes a fan-out to thousands far kinder to the
    /// caches than a hash order would.
    viewers: BTreeMap<ConnId, Seat>,
    /// Joined since the last presence message; they get the current one.
    newcomers: Vec<ConnId>,
    presence: Option<(Vec<Viewer>, Arc<Frame>)>,
}

/// One person viewing a project, as presence messages list them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Viewer {
    name: String,
    id: Uuid,
    task_id: Option<Uuid>,
}

#[derive(Default)]
struct Registry {
    next_id: ConnId,
    conns: HashMap<ConnId, Conn>,
    by_user: HashMap<Uuid, HashSet<ConnId>>,
    rooms: HashMap<Uuid, Room>,
    /// Rooms whose viewers changed since the last presence message.
    presence_changed: HashSet<Uuid>,
    /// This instance's viewers per project as last told to the other instances.
    announced: HashMap<Uuid, Vec<Viewer>>,
    /// The other instances' viewers per project, with when they said so.
    elsewhere: HashMap<Uuid, HashMap<Uuid, (Vec<Viewer>, Instant)>>,
}

pub struct Hub {
    store: Arc<dyn Store>,
    bus: Arc<dyn EventBus>,
    /// Tells this instance's presence announcements from the others'.
    instance: Uuid,
    registry: Mutex<Registry>,
    counts: FrameCounts,
}

/// Frames handed to sockets since start, for metrics.
#[derive(Default)]
pub struct FrameCounts {
    /// Written straight to a socket's wire by the fan-out.
    pub direct: AtomicU64,
    /// Queued for a socket's own task.
    pub queued: AtomicU64,
    /// Writes the fan-out made: one per socket per sweep of its room, however many
    /// events it carried.
    pub writes: AtomicU64,
}

/// A socket's place in the hub: its queue of frames, and its seat until dropped.
pub struct Membership {
    id: ConnId,
    hub: Weak<Hub>,
    pub frames: mpsc::Receiver<Arc<Frame>>,
    cut_off: Arc<AtomicBool>,
}

impl Membership {
    /// True once the hub gave up on this socket for falling behind.
    pub fn is_cut_off(&self) -> bool {
        self.cut_off.load(Ordering::Relaxed)
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        if let Some(hub) = self.hub.upgrade() {
            hub.remove(self.id);
        }
    }
}

impl Hub {
    /// Creates the hub and starts its tasks: one turns bus signals into frames, one
    /// sends presence changes.
    pub fn start(store: Arc<dyn Store>, bus: Arc<dyn EventBus>) -> Arc<Self> {
        let mut signals = bus.listen();
        let hub = Arc::new(Self {
            store,
            bus,
            instance: Uuid::new_v4(),
            registry: Mutex::new(Registry::default()),
            counts: FrameCounts::default(),
        });
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            while let Some(first) = signals.next().await {
                let mut batch = vec![first];
                while let Some(Some(more)) = signals.next().now_or_never() {
                    batch.push(more);
                }
                let Some(hub) = weak.upgrade() else { break };
                hub.on_signals(batch).await;
            }
        });
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(PRESENCE_EVERY);
            let mut refreshed = Instant::now();
            loop {
                every.tick().await;
                let Some(hub) = weak.upgrade() else { break };
                if refreshed.elapsed() >= PRESENCE_REFRESH {
                    refreshed = Instant::now();
                    hub.refresh_presence();
                }
                hub.send_presence();
            }
        });
        hub
    }

    /// Called after a change committed events for `project_id`.
    pub fn committed(&self, project_id: Uuid) {
        if let Some(room) = self.lock().rooms.get_mut(&project_id) {
            room.commits += 1;
        }
        self.bus.publish(Signal::Committed { project_id });
    }

    /// Called after notifications were stored.
    pub fn notified(&self, notifications: &[(Uuid, Notification)]) {
        for (user_id, notification) in notifications {
            self.bus.publish(Signal::Notified { user_id: *user_id, notification: Box::new(notification.clone()) });
        }
    }

    /// Called after a user's sessions were revoked or their account disabled.
    pub fn access_revoked(&self, user_id: Uuid) {
        self.bus.publish(Signal::AccessRevoked { user_id });
    }

    /// Seats a new socket of `user`: it receives their notifications at once.
    pub fn connect(self: &Arc<Self>, user: &User, wire: Arc<Wire>) -> Membership {
        let (queue, frames) = mpsc::channel(QUEUE_FRAMES);
        let cut_off = Arc::new(AtomicBool::new(false));
        let mut registry = self.lock();
        registry.next_id += 1;
        let id = registry.next_id;
        let conn = Conn {
            user_id: user.id,
            name: user.name.clone(),
            rooms: Vec::new(),
            queue,
            wire,
            cut_off: cut_off.clone(),
        };
        registry.conns.insert(id, conn);
        registry.by_user.entry(user.id).or_default().insert(id);
        Membership { id, hub: Arc::downgrade(self), frames, cut_off }
    }

    /// Starts handing the project's events to the socket. Events committed from the
    /// moment this returns reach its queue; earlier ones are the caller's to read. The
    /// seat starts not live; its cursor (the next `seq` for the socket) is returned for
    /// the caller to set.
    pub async fn join(&self, membership: &Membership, project_id: Uuid) -> StoreResult<Arc<AtomicI64>> {
        if !self.lock().rooms.contains_key(&project_id) {
            let latest = self.store.latest_seq(project_id).await?;
            self.lock().rooms.entry(project_id).or_insert_with(|| Room { last_seq: latest, ..Room::default() });
        }
        let mut registry = self.lock();
        let Some(conn) = registry.conns.get_mut(&membership.id) else { return Ok(Arc::default()) };
        if !conn.rooms.contains(&project_id) {
            conn.rooms.push(project_id);
        }
        let room = registry.rooms.entry(project_id).or_default();
        if let Some(seat) = room.viewers.get_mut(&membership.id) {
            seat.live = false;
            return Ok(seat.next.clone());
        }
        let next = Arc::new(AtomicI64::new(0));
        room.viewers.insert(membership.id, Seat { task_id: None, next: next.clone(), live: false });
        room.newcomers.push(membership.id);
        registry.presence_changed.insert(project_id);
        Ok(next)
    }

    /// Makes the socket's seats in `projects` live, if it has nothing queued: from then
    /// on their events are written straight to its wire. The caller must have put every
    /// event before each seat's `next` on the wire. False when something is queued.
    pub fn go_live(&self, membership: &Membership, projects: &[Uuid]) -> bool {
        let mut registry = self.lock();
        // The hub queues only under this lock: empty now means nothing is on its way.
        if !membership.frames.is_empty() {
            return false;
        }
        for project_id in projects {
            if let Some(seat) = seat_mut(&mut registry, *project_id, membership.id) {
                seat.live = true;
            }
        }
        true
    }

    /// Hands a project's cursor back to the socket's task, before it re-subscribes: from
    /// now on, that project's events are queued for it.
    pub fn pause(&self, membership: &Membership, project_id: Uuid) {
        let mut registry = self.lock();
        if let Some(seat) = seat_mut(&mut registry, project_id, membership.id) {
            seat.live = false;
        }
    }

    pub fn leave(&self, membership: &Membership, project_id: Uuid) {
        let mut registry = self.lock();
        leave_room(&mut registry, membership.id, project_id);
    }

    /// Records which task (if any) the socket's user has open in a project they watch.
    pub fn focus(&self, membership: &Membership, project_id: Uuid, task_id: Option<Uuid>) {
        let mut registry = self.lock();
        if let Some(seat) = seat_mut(&mut registry, project_id, membership.id) {
            seat.task_id = task_id;
            registry.presence_changed.insert(project_id);
        }
    }

    /// Whether the other instances hear this one's changes (`None` when there are none).
    pub fn shared_bus_reachable(&self) -> Option<bool> {
        self.bus.shared_reachable()
    }

    /// Sockets seated now; for metrics and tests.
    pub fn connections(&self) -> usize {
        self.lock().conns.len()
    }

    /// Frames handed to sockets since start, by way; for metrics and tests.
    pub fn frame_counts(&self) -> &FrameCounts {
        &self.counts
    }

    /// Closes every socket (they are told to come back), e.g. when the server stops.
    pub fn close_all(&self) {
        let mut registry = self.lock();
        *registry = Registry { next_id: registry.next_id, ..Registry::default() };
    }

    fn remove(&self, id: ConnId) {
        drop_conn(&mut self.lock(), id);
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn on_signals(&self, signals: Vec<Option<Signal>>) {
        let mut projects = HashSet::new();
        for signal in signals {
            match signal {
                Some(Signal::Committed { project_id }) => {
                    projects.insert(project_id);
                }
                Some(Signal::Notified { user_id, notification }) => {
                    let text = json!({ "type": "notification", "data": notification }).to_string();
                    let frame = Arc::new(Frame { target: Target::User(user_id), text: text.into() });
                    let mut registry = self.lock();
                    let ids: Vec<ConnId> = registry.by_user.get(&user_id).into_iter().flatten().copied().collect();
                    deliver(&mut registry, ids, &frame);
                }
                Some(Signal::AccessRevoked { user_id }) => {
                    let frame = Arc::new(Frame { target: Target::Recheck, text: Utf8Bytes::from_static("") });
                    let mut registry = self.lock();
                    let ids: Vec<ConnId> = registry.by_user.get(&user_id).into_iter().flatten().copied().collect();
                    deliver(&mut registry, ids, &frame);
                }
                Some(Signal::Presence { project_id, instance, viewers }) if instance != self.instance => {
                    let mut registry = self.lock();
                    let known = registry.elsewhere.entry(project_id).or_default();
                    if viewers.is_empty() {
                        known.remove(&instance);
                    } else {
                        known.insert(instance, (viewers, Instant::now()));
                    }
                    if registry.rooms.contains_key(&project_id) {
                        registry.presence_changed.insert(project_id);
                    }
                }
                Some(Signal::Presence { .. }) => {}
                // Signals were missed: re-read every watched project, have every socket
                // re-check its session (a revocation may have been among them), and
                // re-announce who is here in case the others missed that.
                None => {
                    let mut registry = self.lock();
                    let recheck = Arc::new(Frame { target: Target::Recheck, text: Utf8Bytes::from_static("") });
                    let everyone: Vec<ConnId> = registry.conns.keys().copied().collect();
                    deliver(&mut registry, everyone, &recheck);
                    projects.extend(registry.rooms.keys().copied());
                    registry.announced.clear();
                    let rooms: Vec<Uuid> = registry.rooms.keys().copied().collect();
                    registry.presence_changed.extend(rooms);
                }
            }
        }
        for project_id in projects {
            if let Err(e) = self.pump(project_id).await {
                tracing::warn!(%project_id, error = %e, "could not read new events; sockets will catch up from the log");
            }
        }
    }

    /// Hands out every event of a watched project after the last one handed out.
    ///
    /// A room is swept in parts, letting go of the lock in between: writing to ten
    /// thousand sockets takes long enough that others would wait for it. Events committed
    /// meanwhile join the batch for the rest of the sweep (see [`Batch`]).
    async fn pump(&self, project_id: Uuid) -> StoreResult<()> {
        let mut batch = Batch::default();
        loop {
            let mut seen = self.commits_to(project_id);
            match self.read_into(project_id, &mut batch, None).await {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) if batch.is_empty() => return Err(e),
                // What the batch holds is owed to sockets already: hand it out first.
                Err(e) => tracing::warn!(%project_id, error = %e, "could not read new events; handing out those read"),
            }
            if batch.is_empty() {
                return Ok(());
            }
            let mut after = None;
            loop {
                let more = fan_out(&mut self.lock(), &self.counts, project_id, &batch, after);
                let Some(last) = more else { break };
                after = Some(last);
                tokio::task::yield_now().await;
                // Read after the pause, which is when other tasks commit.
                let commits = self.commits_to(project_id);
                if commits != seen {
                    match self.read_into(project_id, &mut batch, after).await {
                        Ok(_) => seen = commits,
                        // Not fatal: the next sweep reads them.
                        Err(e) => tracing::warn!(%project_id, error = %e, "could not read new events midway"),
                    }
                }
            }
            let done = batch.swept();
            // A removed member hears of the removal, then nothing more.
            let mut registry = self.lock();
            for removed in done.iter().filter_map(|event| event.removes) {
                let theirs: Vec<ConnId> = registry.by_user.get(&removed).into_iter().flatten().copied().collect();
                for id in theirs {
                    leave_room(&mut registry, id, project_id);
                }
            }
        }
    }

    /// Changes committed to the project through this instance while someone watches it.
    fn commits_to(&self, project_id: Uuid) -> u64 {
        self.lock().rooms.get(&project_id).map_or(0, |room| room.commits)
    }

    /// Reads the project's events after the last one handed out into the batch, owed to
    /// the sockets after `after` (all when `None`), as far as the batch takes them. False
    /// when nobody watches the project any more.
    async fn read_into(&self, project_id: Uuid, batch: &mut Batch, after: Option<ConnId>) -> StoreResult<bool> {
        let Some(last) = self.lock().rooms.get(&project_id).map(|r| r.last_seq) else {
            return Ok(false);
        };
        if !batch.takes_more() {
            return Ok(true);
        }
        let events = self.store.events_since(project_id, last, READ_BATCH).await?;
        let taken = batch.extend(&events, Reach::after(after));
        let mut registry = self.lock();
        let Some(room) = registry.rooms.get_mut(&project_id) else { return Ok(false) };
        if let Some(event) = events[..taken].last() {
            room.last_seq = event.seq;
        }
        Ok(true)
    }

    /// Tells the other instances who is here, and to each changed project's viewers
    /// (and each newcomer) who is there, on any instance.
    fn send_presence(&self) {
        let mut registry = self.lock();
        for project_id in std::mem::take(&mut registry.presence_changed) {
            let here = viewers_of(&registry, project_id);
            if registry.announced.get(&project_id).map_or(!here.is_empty(), |told| *told != here) {
                let signal = Signal::Presence { project_id, instance: self.instance, viewers: here.clone() };
                self.bus.publish(signal);
                if here.is_empty() {
                    registry.announced.remove(&project_id);
                } else {
                    registry.announced.insert(project_id, here.clone());
                }
            }
            let viewers = with_elsewhere(&registry, project_id, here);
            let Some(room) = registry.rooms.get_mut(&project_id) else { continue };
            let newcomers = std::mem::take(&mut room.newcomers);
            let (recipients, frame) = match &room.presence {
                Some((before, frame)) if *before == viewers => (newcomers, frame.clone()),
                _ => {
                    let frame = Arc::new(presence_frame(project_id, &viewers));
                    room.presence = Some((viewers, frame.clone()));
                    (room.viewers.keys().copied().collect(), frame)
                }
            };
            deliver(&mut registry, recipients, &frame);
        }
    }

    /// Re-announces this instance's viewers (an instance that started since learns of
    /// them) and forgets what instances that stopped announcing had said.
    fn refresh_presence(&self) {
        let mut registry = self.lock();
        for (project_id, viewers) in &registry.announced {
            let signal =
                Signal::Presence { project_id: *project_id, instance: self.instance, viewers: viewers.clone() };
            self.bus.publish(signal);
        }
        let mut expired = Vec::new();
        for (project_id, instances) in registry.elsewhere.iter_mut() {
            let before = instances.len();
            instances.retain(|_, (_, at)| at.elapsed() < PRESENCE_EXPIRES);
            if instances.len() != before {
                expired.push(*project_id);
            }
        }
        registry.elsewhere.retain(|_, instances| !instances.is_empty());
        let watched: Vec<Uuid> = expired.into_iter().filter(|p| registry.rooms.contains_key(p)).collect();
        registry.presence_changed.extend(watched);
    }
}

/// Hands a project's batch of events to the sockets of its room they are owed to:
/// written straight to the wire of those that are live (each from its own `next` on, in
/// one write), queued for the others.
///
/// Takes the sockets after `after` (from the first when `None`), at most
/// [`FAN_OUT_PART`] of them, and returns the last one taken while some remain.
fn fan_out(
    registry: &mut Registry,
    counts: &FrameCounts,
    project_id: Uuid,
    batch: &Batch,
    after: Option<ConnId>,
) -> Option<ConnId> {
    let (first, end) = batch.seqs()?;
    let Registry { rooms, conns, .. } = registry;
    let room = rooms.get_mut(&project_id)?;
    let mut queued = Vec::new();
    let mut writes: Vec<Write> = Vec::new();
    let range =
        (after.map_or(Bound::Unbounded, Bound::Excluded), batch.upto().map_or(Bound::Unbounded, Bound::Included));
    let mut last = None;
    for (&id, seat) in room.viewers.range_mut(range).take(FAN_OUT_PART) {
        last = Some(id);
        if seat.live {
            let next = seat.next.load(Ordering::Relaxed);
            if next >= end {
                continue;
            }
            if next >= first {
                let seat: &Seat = seat;
                if let Some(conn) = conns.get(&id) {
                    writes.push(Write { id, wire: &conn.wire, next: &seat.next, from: next });
                }
                continue;
            }
            // A gap (cannot happen while live, but if it did): the task reads the log.
            seat.live = false;
        }
        queued.push(id);
    }
    let Written { events, writes, drains, too_slow } = write_all(&writes, batch, end);
    counts.writes.fetch_add(writes, Ordering::Relaxed);
    let more = last.filter(|&last| room.viewers.range((Bound::Excluded(last), range.1)).next().is_some());
    counts.direct.fetch_add(events, Ordering::Relaxed);
    // Each socket's events in `seq` order: one event after the other.
    for event in batch.events() {
        let owed: Vec<ConnId> = queued.iter().copied().filter(|&id| event.reach.contains(id)).collect();
        let handed = deliver(registry, owed, &event.frame);
        counts.queued.fetch_add(handed as u64, Ordering::Relaxed);
    }
    if !drains.is_empty() {
        deliver(registry, drains, &Arc::new(Frame { target: Target::Drain, text: Utf8Bytes::from_static("") }));
    }
    for id in too_slow {
        cut_off(registry, id);
    }
    more
}

/// A live socket lacking the batch's events from `from` on.
struct Write<'a> {
    id: ConnId,
    wire: &'a Wire,
    next: &'a AtomicI64,
    from: i64,
}

/// What a fan-out's writes did.
#[derive(Default)]
struct Written {
    /// Events the kernel or the wires' backlogs took.
    events: u64,
    /// Writes that were taken (one per socket, however many events it carried).
    writes: u64,
    /// Sockets left with a backlog for their task to write out.
    drains: Vec<ConnId>,
    /// Sockets too far behind.
    too_slow: Vec<ConnId>,
}

impl Written {
    fn add(&mut self, other: Written) {
        self.events += other.events;
        self.writes += other.writes;
        self.drains.extend(other.drains);
        self.too_slow.extend(other.too_slow);
    }
}

/// Writes each socket what it lacks of the batch, on two threads when there are many
/// and two cores to run them (the kernel's work for a write is most of a fan-out's).
fn write_all(writes: &[Write], batch: &Batch, end: i64) -> Written {
    let write = |part: &[Write]| {
        let mut written = Written::default();
        for w in part {
            match w.wire.send(batch.bytes_from(w.from)) {
                Sent::Written | Sent::Behind => {}
                Sent::Backlogged => written.drains.push(w.id),
                Sent::TooSlow => {
                    written.too_slow.push(w.id);
                    continue;
                }
                // Closing: its task is on the way out and drops the seat.
                Sent::Closed => continue,
            }
            w.next.store(end, Ordering::Relaxed);
            written.events += (end - w.from) as u64;
            written.writes += 1;
        }
        written
    };
    static CORES: LazyLock<usize> = LazyLock::new(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if writes.len() < PARALLEL_WRITES || *CORES < 2 {
        return write(writes);
    }
    let (mine, theirs) = writes.split_at(writes.len() / 2);
    std::thread::scope(|scope| {
        // No thread to be had (a process limit): all of it here, as for a small room.
        let Ok(other) = std::thread::Builder::new().spawn_scoped(scope, || write(theirs)) else {
            return write(writes);
        };
        let mut written = write(mine);
        written.add(other.join().unwrap_or_else(|_| {
            // Cannot happen short of a bug; those sockets start over with `since`.
            tracing::error!("a fan-out writer failed; its sockets are cut off and resume with `since`");
            Written { too_slow: theirs.iter().map(|w| w.id).collect(), ..Written::default() }
        }));
        written
    })
}

/// A socket's seat in a project's room, if it watches the project.
fn seat_mut(registry: &mut Registry, project_id: Uuid, id: ConnId) -> Option<&mut Seat> {
    registry.rooms.get_mut(&project_id)?.viewers.get_mut(&id)
}

/// Queues a frame for each socket; a socket whose queue is full is cut off. Returns
/// how many took it.
fn deliver(registry: &mut Registry, ids: impl IntoIterator<Item = ConnId>, frame: &Arc<Frame>) -> usize {
    let (mut handed, mut too_slow) = (0, Vec::new());
    for id in ids {
        let Some(conn) = registry.conns.get(&id) else { continue };
        match conn.queue.try_send(frame.clone()) {
            Ok(()) => handed += 1,
            Err(_) => too_slow.push(id),
        }
    }
    for id in too_slow {
        cut_off(registry, id);
    }
    handed
}

/// Gives up on a socket that fell behind: its task closes it, asking the client to
/// resume with `since`.
fn cut_off(registry: &mut Registry, id: ConnId) {
    if let Some(conn) = registry.conns.get(&id) {
        conn.cut_off.store(true, Ordering::Relaxed);
    }
    if let Some(user_id) = drop_conn(registry, id) {
        tracing::info!(%user_id, "socket fell behind and was cut off; it resumes with `since`");
    }
}

/// Forgets a socket everywhere (dropping its queue); returns its user.
fn drop_conn(registry: &mut Registry, id: ConnId) -> Option<Uuid> {
    let conn = registry.conns.remove(&id)?;
    if let Some(ids) = registry.by_user.get_mut(&conn.user_id) {
        ids.remove(&id);
        if ids.is_empty() {
            registry.by_user.remove(&conn.user_id);
        }
    }
    for project_id in conn.rooms {
        leave_room(registry, id, project_id);
    }
    Some(conn.user_id)
}

fn leave_room(registry: &mut Registry, id: ConnId, project_id: Uuid) {
    if let Some(conn) = registry.conns.get_mut(&id) {
        conn.rooms.retain(|p| *p != project_id);
    }
    let Some(room) = registry.rooms.get_mut(&project_id) else { return };
    if room.viewers.remove(&id).is_some() {
        registry.presence_changed.insert(project_id);
    }
    if room.viewers.is_empty() {
        registry.rooms.remove(&project_id);
    }
}

/// The distinct users watching a project through this instance, in name order; a user
/// with several sockets counts once, with a task open in any of them.
fn viewers_of(registry: &Registry, project_id: Uuid) -> Vec<Viewer> {
    let Some(room) = registry.rooms.get(&project_id) else { return Vec::new() };
    let viewers = room.viewers.iter().filter_map(|(id, seat)| {
        let conn = registry.conns.get(id)?;
        Some(Viewer { name: conn.name.clone(), id: conn.user_id, task_id: seat.task_id })
    });
    merged(viewers)
}

/// This instance's viewers together with the other instances'.
fn with_elsewhere(registry: &Registry, project_id: Uuid, here: Vec<Viewer>) -> Vec<Viewer> {
    match registry.elsewhere.get(&project_id) {
        Some(instances) => merged(here.into_iter().chain(instances.values().flat_map(|(v, _)| v.iter().cloned()))),
        None => here,
    }
}

/// Each user once, in name order, with a task open in any of their sockets.
fn merged(viewers: impl Iterator<Item = Viewer>) -> Vec<Viewer> {
    let mut by_user: BTreeMap<(String, Uuid), Option<Uuid>> = BTreeMap::new();
    for viewer in viewers {
        let open = by_user.entry((viewer.name, viewer.id)).or_default();
        if open.is_none() {
            *open = viewer.task_id;
        }
    }
    by_user.into_iter().map(|((name, id), task_id)| Viewer { name, id, task_id }).collect()
}

fn presence_frame(project_id: Uuid, viewers: &[Viewer]) -> Frame {
    let listed = &viewers[..viewers.len().min(PRESENCE_LISTED)];
    let text = json!({ "type": "presence", "project_id": project_id, "users": listed, "count": viewers.len() });
    Frame { target: Target::Presence(project_id), text: text.to_string().into() }
}

/// The user a `member.removed` event took out of its project.
pub fn removed_member(event: &StoredEvent) -> Option<Uuid> {
    (event.kind == "member.removed").then(|| event.payload.get("user_id")?.as_str()?.parse().ok())?
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

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    use app::domain::{Project, ProjectPatch, Role};
    use chrono::Utc;

    use super::super::batch::tests::frame_seqs;
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use crate::store::{Commit, NewEvent, NewUser, ProjectStore, UserStore};

    fn event(seq: i64) -> StoredEvent {
        super::super::batch::tests::event(seq, "task.updated")
    }

    /// The `seq` of each frame a client has been sent.
    fn received(client: &mut UnixStream) -> Vec<i64> {
        let mut bytes = Vec::new();
        let _ = client.read_to_end(&mut bytes); // non-blocking: stops when nothing is left
        frame_seqs(&bytes)
    }

    /// Sweeps the whole room with the batch, part by part; `between` runs after the first part.
    fn sweep(
        registry: &mut Registry,
        counts: &FrameCounts,
        batch: &mut Batch,
        between: impl FnOnce(&mut Batch, ConnId),
    ) {
        let mut after = fan_out(registry, counts, Uuid::nil(), batch, None);
        if let Some(passed) = after {
            between(batch, passed);
        }
        while let Some(passed) = after {
            after = fan_out(registry, counts, Uuid::nil(), batch, Some(passed));
        }
    }

    /// The client ends, the server ends (to keep open) and each socket's queue.
    type Pairs = (Vec<UnixStream>, Vec<UnixStream>, Vec<mpsc::Receiver<Arc<Frame>>>);

    /// A project's room of `sockets` socket pairs, each seat's cursor at `next`; those in
    /// `catching_up` are not live.
    fn room_of_pairs(
        registry: &mut Registry,
        project_id: Uuid,
        sockets: usize,
        next: i64,
        catching_up: &[ConnId],
    ) -> Pairs {
        let mut room = Room { last_seq: next - 1, ..Room::default() };
        let (mut clients, mut servers, mut queues) = (Vec::new(), Vec::new(), Vec::new());
        for id in 1..=sockets as ConnId {
            let (server, client) = UnixStream::pair().expect("socket pair");
            server.set_nonblocking(true).expect("non-blocking");
            client.set_nonblocking(true).expect("non-blocking");
            let (queue, frames) = mpsc::channel(QUEUE_FRAMES);
            let wire = Arc::new(Wire::new(Some(server.as_raw_fd())));
            let conn = Conn {
                user_id: Uuid::nil(),
                name: "Ada".into(),
                rooms: vec![project_id],
                queue,
                wire,
                cut_off: Arc::default(),
            };
            registry.conns.insert(id, conn);
            let live = !catching_up.contains(&id);
            room.viewers.insert(id, Seat { task_id: None, next: Arc::new(AtomicI64::new(next)), live });
            clients.push(client);
            servers.push(server);
            queues.push(frames);
        }
        registry.rooms.insert(project_id, room);
        (clients, servers, queues)
    }

    #[test]
    fn events_committed_during_a_sweep_join_it_and_reach_the_passed_sockets_in_the_next() {
        let project_id = Uuid::nil();
        let sockets = 2 * FAN_OUT_PART + 4;
        let catching_up = [3, sockets as ConnId];
        let mut registry = Registry::default();
        let (mut clients, servers, mut queues) = room_of_pairs(&mut registry, project_id, sockets, 5, &catching_up);
        let counts = FrameCounts::default();

        let mut batch = Batch::default();
        batch.extend(&[event(5)], Reach::ALL);
        // 6 and 7 are committed once the first part is done: they join for the rest.
        sweep(&mut registry, &counts, &mut batch, |batch, passed| {
            assert_eq!(passed, FAN_OUT_PART as ConnId);
            assert_eq!(batch.extend(&[event(6), event(7)], Reach::after(Some(passed))), 2);
        });
        assert_eq!(batch.swept().iter().map(|e| e.seq).collect::<Vec<_>>(), [5]);
        // 8 is read as the next sweep starts: owed to everyone, where 6 and 7 are owed
        // only to the first part.
        batch.extend(&[event(8)], Reach::ALL);
        sweep(&mut registry, &counts, &mut batch, |_, _| {});
        assert_eq!(batch.swept().iter().map(|e| e.seq).collect::<Vec<_>>(), [6, 7, 8]);

        for (i, client) in clients.iter_mut().enumerate() {
            let id = i as ConnId + 1;
            let queued: Vec<Target> = std::iter::from_fn(|| queues[i].try_recv().ok()).map(|f| f.target).collect();
            let all: Vec<i64> = (5..=8).collect();
            if catching_up.contains(&id) {
                let expected: Vec<Target> = all.iter().map(|&seq| Target::Project { project_id, seq }).collect();
                assert_eq!(queued, expected, "socket {id} gets each event queued once, in order");
                assert_eq!(received(client), [0i64; 0]);
            } else {
                assert_eq!(received(client), all, "socket {id} gets each event once, in order");
                assert!(queued.is_empty());
            }
        }
        let live = (sockets - catching_up.len()) as u64;
        assert_eq!(counts.direct.load(Ordering::Relaxed), 4 * live);
        assert_eq!(counts.queued.load(Ordering::Relaxed), 4 * catching_up.len() as u64);
        // Two writes per socket for four events: 5, then 6 to 8 in the first part; 5 to
        // 7, then 8 in the others.
        assert_eq!(counts.writes.load(Ordering::Relaxed), 2 * live);
        drop(servers);
    }

    /// Renames the project through the store, as the service does: one event in the log.
    async fn rename(store: &SqliteStore, project_id: Uuid, name: &str) {
        let patch = ProjectPatch { name: Some(name.into()), description: None };
        let event = NewEvent {
            project_id,
            kind: "project.updated",
            actor_id: None,
            at: Utc::now(),
            payload: json!({ "name": name }),
        };
        let commit = Commit { event: Some(event), activity: None, notifications: Vec::new() };
        store.update_project(project_id, &patch, Utc::now(), commit).await.expect("rename");
    }

    /// The sweep itself, not only its parts: `pump` reads the log, and an event committed
    /// while it pauses between parts joins it from the next part on.
    #[tokio::test(flavor = "current_thread")]
    async fn pump_reads_an_event_committed_between_parts_and_hands_it_to_the_rest_of_the_sweep() {
        let settings = crate::store::PoolSettings { max_connections: 1, ..Default::default() };
        let store = Arc::new(SqliteStore::connect("sqlite::memory:", settings).await.expect("open"));
        store.migrate().await.expect("migrate");
        let now = Utc::now();
        let owner = NewUser {
            id: Uuid::new_v4(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            password_hash: String::new(),
            avatar_url: None,
            now,
        };
        let owner = store.insert_user(owner).await.expect("user");
        let project = Project {
            id: Uuid::new_v4(),
            name: "Launch".into(),
            description: None,
            created_at: now,
            updated_at: now,
            seq: 0,
            role: Role::Owner,
        };
        store.insert_project(&project, owner.id).await.expect("project");
        rename(&store, project.id, "one").await;

        let sockets = 3 * FAN_OUT_PART;
        let mut registry = Registry::default();
        let (mut clients, servers, _queues) = room_of_pairs(&mut registry, project.id, sockets, 1, &[]);
        let hub = Hub {
            store: store.clone(),
            bus: Arc::new(super::super::bus::LocalBus::new()),
            instance: Uuid::new_v4(),
            registry: Mutex::new(registry),
            counts: FrameCounts::default(),
        };

        let mut pump = std::pin::pin!(hub.pump(project.id));
        let mut renamed = false;
        loop {
            match futures::poll!(pump.as_mut()) {
                std::task::Poll::Ready(done) => break done.expect("pump"),
                // Paused after the first part: the second event commits now.
                std::task::Poll::Pending if !renamed && hub.counts.writes.load(Ordering::Relaxed) > 0 => {
                    assert_eq!(hub.counts.writes.load(Ordering::Relaxed), FAN_OUT_PART as u64);
                    rename(&store, project.id, "two").await;
                    hub.committed(project.id);
                    renamed = true;
                }
                std::task::Poll::Pending => tokio::task::yield_now().await,
            }
        }
        assert!(renamed);

        for (i, client) in clients.iter_mut().enumerate() {
            assert_eq!(received(client), [1, 2], "socket {} gets each event once, in order", i + 1);
        }
        // The first part got 1, then 2 in a second sweep; the other two parts got both in
        // one write.
        assert_eq!(hub.counts.writes.load(Ordering::Relaxed), (FAN_OUT_PART + 2 * FAN_OUT_PART + FAN_OUT_PART) as u64);
        assert_eq!(hub.counts.direct.load(Ordering::Relaxed), 2 * sockets as u64);
        drop(servers);
    }
}

//! A project's events on their way to its room, each framed once and kept back to back,
//! so that a socket lacking several of them gets them in one write.
//!
//! Events committed through this instance while a fan-out to a large room is under way
//! join the batch for the sockets the fan-out has not reached yet, and reach the ones it had passed in its next
//! sweep. The busier a room, the more events share a write (and a TCP segment): a burst,
//! or changes coming faster than one sweep of the room, no longer queue up behind each
//! other one sweep at a time.

use std::sync::Arc;

use uuid::Uuid;

use super::hub::{event_frame, removed_member, ConnId, Frame};
use super::wire::text_frame;
use crate::store::StoredEvent;

/// A batch stops taking events at this many bytes of frames (it always takes one), so
/// that one write stays well inside what a socket that keeps up can take at once.
pub const MAX_BATCH_BYTES: usize = 64 * 1024;

/// The sockets of a room an event is still owed to, by connection id (the order a
/// fan-out visits them in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach {
    /// Only sockets after this one (the fan-out had passed the others when it came).
    after: Option<ConnId>,
    /// Only sockets up to this one (those after it got it in an earlier sweep).
    upto: Option<ConnId>,
}

impl Reach {
    pub const ALL: Reach = Reach { after: None, upto: None };

    /// Owed to the sockets after `after` (all when `None`).
    pub fn after(after: Option<ConnId>) -> Self {
        Reach { after, upto: None }
    }

    pub fn contains(&self, id: ConnId) -> bool {
        self.after.is_none_or(|after| id > after) && self.upto.is_none_or(|upto| id <= upto)
    }
}

pub struct Batched {
    pub seq: i64,
    pub frame: Arc<Frame>,
    /// Where its frame starts in the batch's bytes.
    start: usize,
    /// The member a `member.removed` event takes out of the project.
    pub removes: Option<Uuid>,
    pub reach: Reach,
}

#[derive(Default)]
pub struct Batch {
    /// Consecutive events of one project, in `seq` order.
    events: Vec<Batched>,
    /// Their frames, back to back.
    bytes: Vec<u8>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn events(&self) -> &[Batched] {
        &self.events
    }

    /// The first `seq` in the batch and the one after its last.
    pub fn seqs(&self) -> Option<(i64, i64)> {
        Some((self.events.first()?.seq, self.events.last()?.seq + 1))
    }

    /// The frames of the events from `seq` on, back to back.
    pub fn bytes_from(&self, seq: i64) -> &[u8] {
        let (first, _) = self.seqs().unwrap_or_default();
        let start =
            usize::try_from(seq - first).ok().and_then(|i| self.events.get(i)).map_or(self.bytes.len(), |e| e.start);
        &self.bytes[start..]
    }

    /// The last socket any event is owed to (`None`: no such limit).
    pub fn upto(&self) -> Option<ConnId> {
        self.events.iter().try_fold(None, |most: Option<ConnId>, e| Some(most.max(Some(e.reach.upto?))))?
    }

    /// Whether more events may join. Nothing may follow a member's removal in the same
    /// batch: they must leave the room before anything after it is handed out.
    pub fn takes_more(&self) -> bool {
        self.bytes.len() < MAX_BATCH_BYTES && self.events.last().is_none_or(|e| e.removes.is_none())
    }

    /// Adds the events that continue the batch, owed to `reach`, as far as it takes them;
    /// returns how many it took. Midway through a sweep (`reach` not [`Reach::ALL`]) a
    /// removal is not taken: it waits for a sweep of its own.
    pub fn extend(&mut self, events: &[StoredEvent], reach: Reach) -> usize {
        let mut taken = 0;
        for event in events {
            let continues = self.seqs().is_none_or(|(_, end)| event.seq == end);
            let removes = removed_member(event);
            if !continues || !self.takes_more() || (removes.is_some() && reach != Reach::ALL) {
                break;
            }
            let frame = event_frame(event);
            let start = self.bytes.len();
            self.bytes.extend_from_slice(&text_frame(frame.text.as_bytes()));
            self.events.push(Batched { seq: event.seq, frame: Arc::new(frame), start, removes, reach });
            taken += 1;
        }
        taken
    }

    /// Ends a sweep of the room: returns the events that have now reached every socket
    /// they were owed to, and keeps those that joined midway, owed now to the sockets the
    /// sweep had passed when they came.
    pub fn swept(&mut self) -> Vec<Batched> {
        let done = self.events.iter().take_while(|e| e.reach.after.is_none()).count();
        let cut = self.events.get(done).map_or(self.bytes.len(), |e| e.start);
        self.bytes.drain(..cut);
        let mut kept = self.events.split_off(done);
        for event in &mut kept {
            event.start -= cut;
            event.reach = Reach { after: None, upto: event.reach.after };
        }
        std::mem::replace(&mut self.events, kept)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    pub(crate) fn event(seq: i64, kind: &str) -> StoredEvent {
        StoredEvent {
            project_id: Uuid::nil(),
            seq,
            kind: kind.into(),
            actor_id: None,
            at: Utc::now(),
            payload: json!({ "user_id": Uuid::nil() }),
        }
    }

    /// The `seq` of each whole text frame in `bytes`, in order.
    pub(crate) fn frame_seqs(mut bytes: &[u8]) -> Vec<i64> {
        let mut seqs = Vec::new();
        while bytes.len() >= 2 {
            let (header, len) = match bytes[1] {
                126 => (4, u16::from_be_bytes([bytes[2], bytes[3]]) as usize),
                n => (2, n as usize),
            };
            let text: serde_json::Value = serde_json::from_slice(&bytes[header..header + len]).expect("frame");
            seqs.push(text["seq"].as_i64().expect("seq"));
            bytes = &bytes[header + len..];
        }
        seqs
    }

    /// The `seq`s of the frames a socket lacking everything from `from` is written.
    fn frames(batch: &Batch, from: i64) -> Vec<i64> {
        frame_seqs(batch.bytes_from(from))
    }

    #[test]
    fn events_that_join_midway_are_owed_to_the_passed_sockets_after_the_sweep() {
        let mut batch = Batch::default();
        assert_eq!(batch.extend(&[event(5, "task.updated")], Reach::ALL), 1);
        assert_eq!(batch.upto(), None);
        // The sweep has passed socket 7 when 6 and 7 are committed.
        assert_eq!(batch.extend(&[event(6, "task.updated"), event(7, "task.updated")], Reach::after(Some(7))), 2);
        assert_eq!(batch.seqs(), Some((5, 8)));
        assert_eq!(frames(&batch, 5), [5, 6, 7]);
        assert_eq!(frames(&batch, 6), [6, 7]);
        assert!(batch.events()[1].reach.contains(8) && !batch.events()[1].reach.contains(7));

        let done = batch.swept();
        assert_eq!(done.iter().map(|e| e.seq).collect::<Vec<_>>(), [5]);
        assert_eq!(batch.seqs(), Some((6, 8)));
        assert_eq!(frames(&batch, 6), [6, 7]);
        assert_eq!(batch.upto(), Some(7));
        assert!(batch.events()[0].reach.contains(7) && !batch.events()[0].reach.contains(8));
        // New events read at the next sweep's start are owed to everyone again.
        batch.extend(&[event(8, "task.updated")], Reach::ALL);
        assert_eq!(batch.upto(), None);
        assert_eq!(batch.swept().len(), 3);
        assert!(batch.is_empty());
    }

    #[test]
    fn nothing_follows_a_removal_and_a_removal_never_joins_midway() {
        let mut batch = Batch::default();
        assert_eq!(batch.extend(&[event(1, "task.created")], Reach::ALL), 1);
        assert_eq!(batch.extend(&[event(2, "member.removed"), event(3, "task.updated")], Reach::after(Some(1))), 0);
        assert_eq!(batch.extend(&[event(2, "member.removed"), event(3, "task.updated")], Reach::ALL), 1);
        assert!(!batch.takes_more());
        assert_eq!(batch.events()[1].removes, Some(Uuid::nil()));
        // Not continuing the batch: not taken.
        let mut other = Batch::default();
        other.extend(&[event(1, "task.created")], Reach::ALL);
        assert_eq!(other.extend(&[event(3, "task.updated")], Reach::ALL), 0);
    }

    #[test]
    fn a_batch_stops_growing_at_its_size_limit() {
        let mut batch = Batch::default();
        let big: Vec<StoredEvent> = (1..=400)
            .map(|seq| StoredEvent { payload: json!({ "text": "x".repeat(1000) }), ..event(seq, "task.updated") })
            .collect();
        let taken = batch.extend(&big, Reach::ALL);
        assert!(taken > 1 && taken < 400, "took {taken}");
        assert!(batch.bytes_from(1).len() >= MAX_BATCH_BYTES && batch.bytes_from(1).len() < MAX_BATCH_BYTES + 1200);
    }
}

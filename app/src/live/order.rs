//! Applying each project's events once and in `seq` order, and noticing gaps.

use std::collections::HashMap;

use uuid::Uuid;

#[derive(Debug, PartialEq, Eq)]
pub enum Arrival {
    /// The next event: apply it.
    Next,
    /// Already applied (a replay overlapping live events): ignore it.
    Seen,
    /// Events are missing after this `seq`: ask for a replay from there.
    Gap(i64),
    /// Not subscribed (yet): the subscription's replay will bring it.
    Unknown,
}

#[derive(Default)]
pub struct SeqTracker {
    last: HashMap<Uuid, i64>,
}

impl SeqTracker {
    /// The last `seq` applied for a project, to resume from.
    pub fn last(&self, project_id: Uuid) -> Option<i64> {
        self.last.get(&project_id).copied()
    }

    /// Starts counting from a known point (data loaded at `seq`, or a fresh subscription).
    pub fn start_at(&mut self, project_id: Uuid, seq: i64) {
        self.last.entry(project_id).or_insert(seq);
    }

    pub fn forget(&mut self, project_id: Uuid) {
        self.last.remove(&project_id);
    }

    pub fn arrive(&mut self, project_id: Uuid, seq: i64) -> Arrival {
        let Some(last) = self.last.get_mut(&project_id) else { return Arrival::Unknown };
        if seq <= *last {
            Arrival::Seen
        } else if seq == *last + 1 {
            *last = seq;
            Arrival::Next
        } else {
            Arrival::Gap(*last)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_apply_once_in_order_and_a_gap_asks_for_a_replay() {
        let p = Uuid::from_u128(7);
        let mut order = SeqTracker::default();
        assert_eq!(order.arrive(p, 1), Arrival::Unknown);
        order.start_at(p, 3);
        order.start_at(p, 1); // a later start never moves an existing point back
        assert_eq!(order.arrive(p, 3), Arrival::Seen);
        assert_eq!(order.arrive(p, 4), Arrival::Next);
        assert_eq!(order.arrive(p, 6), Arrival::Gap(4));
        assert_eq!(order.arrive(p, 5), Arrival::Next);
        assert_eq!(order.arrive(p, 6), Arrival::Next);
        assert_eq!(order.last(p), Some(6));
        order.forget(p);
        assert_eq!(order.last(p), None);
    }
}

//! A user's time zone as the UI needs it: the UTC offsets in force over a span of years
//! around now. The server derives it from the time zone database, so the browser renders
//! dates exactly as the server did without carrying that database in its WebAssembly.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// IANA name, e.g. `Europe/Berlin`.
    pub name: String,
    /// `(from, offset)`: from this UTC second on, local time is UTC plus `offset` seconds.
    /// Ascending by `from`; the first entry also covers everything before it.
    pub offsets: Vec<(i64, i32)>,
}

impl Default for Zone {
    fn default() -> Self {
        Self { name: "UTC".into(), offsets: vec![(0, 0)] }
    }
}

impl Zone {
    /// Seconds east of UTC at an instant.
    pub fn offset_at(&self, at: DateTime<Utc>) -> i32 {
        let at = at.timestamp();
        let after = self.offsets.partition_point(|(from, _)| *from <= at);
        self.offsets[after.saturating_sub(1)].1
    }

    pub fn to_local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.naive_utc() + TimeDelta::seconds(self.offset_at(at).into())
    }

    /// The instant a wall-clock time stands for: the earlier one when clocks went back,
    /// `None` when clocks skipped it.
    pub fn from_local(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let mut candidates: Vec<DateTime<Utc>> = self
            .offsets
            .iter()
            .map(|(_, offset)| (local - TimeDelta::seconds((*offset).into())).and_utc())
            .filter(|at| self.to_local(*at) == local)
            .collect();
        candidates.sort();
        candidates.first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Berlin in 2026: CET (+1h) until 29 March 01:00 UTC, CEST (+2h) until 25 October 01:00 UTC.
    fn berlin() -> Zone {
        Zone { name: "Europe/Berlin".into(), offsets: vec![(0, 3600), (1_774_746_000, 7200), (1_792_890_000, 3600)] }
    }

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn converts_both_ways_in_summer_and_winter() {
        let z = berlin();
        let winter = z.from_local(local("2026-11-22T14:30")).unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-11-22T13:30:00+00:00");
        let summer = z.from_local(local("2026-07-01T14:30")).unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-07-01T12:30:00+00:00");
        assert_eq!(z.to_local(summer), local("2026-07-01T14:30"));
    }

    #[test]
    fn skipped_hour_has_no_instant_and_repeated_hour_takes_the_first() {
        let z = berlin();
        assert_eq!(z.from_local(local("2026-03-29T02:30")), None);
        let repeated = z.from_local(local("2026-10-25T02:30")).unwrap();
        assert_eq!(repeated.to_rfc3339(), "2026-10-25T00:30:00+00:00");
    }

    #[test]
    fn utc_is_the_default() {
        let z = Zone::default();
        let at = local("2026-11-22T10:00").and_utc();
        assert_eq!(z.to_local(at), local("2026-11-22T10:00"));
    }
}

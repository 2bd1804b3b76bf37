//! Dates shown in, and read from, the user's own time zone.

use chrono::{DateTime, NaiveDateTime, Utc};
use leptos::prelude::*;

use crate::domain::Zone;

const INPUT_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// A cheap, copyable handle on the user's zone for components and closures.
#[derive(Clone, Copy)]
pub struct Tz(StoredValue<Zone>);

impl Tz {
    pub fn new(zone: Zone) -> Self {
        Self(StoredValue::new(zone))
    }

    pub fn name(self) -> String {
        self.0.with_value(|z| z.name.clone())
    }
}

/// "Nov 22, 2026 14:30" in the user's zone.
pub fn format_when(at: DateTime<Utc>, tz: Tz) -> String {
    tz.0.with_value(|z| format_in(at, z))
}

/// The wall-clock time in the user's zone.
pub fn to_local(at: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    tz.0.with_value(|z| z.to_local(at))
}

/// The value of an `<input type="datetime-local">` for a time.
pub fn to_input(at: DateTime<Utc>, tz: Tz) -> String {
    tz.0.with_value(|z| z.to_local(at).format(INPUT_FORMAT).to_string())
}

/// Reads an `<input type="datetime-local">` value typed in the user's zone.
pub fn from_input(value: &str, tz: Tz) -> Option<DateTime<Utc>> {
    tz.0.with_value(|z| parse_in(value, z))
}

fn format_in(at: DateTime<Utc>, zone: &Zone) -> String {
    zone.to_local(at).format("%b %-d, %Y %H:%M").to_string()
}

fn parse_in(value: &str, zone: &Zone) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let naive = NaiveDateTime::parse_from_str(value, INPUT_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    zone.from_local(naive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_round_trips_in_the_users_zone() {
        let berlin = Zone { name: "Europe/Berlin".into(), offsets: vec![(0, 3600)] };
        let at = parse_in("2026-11-22T14:30", &berlin).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-22T13:30:00+00:00");
        assert_eq!(format_in(at, &berlin), "Nov 22, 2026 14:30");
        assert_eq!(parse_in("soon", &berlin), None);
    }
}

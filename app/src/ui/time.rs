//! Dates shown in, and read from, the user's own time zone.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

const INPUT_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// "Nov 22, 2026 14:30" in the given zone.
pub fn format_when(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%b %-d, %Y %H:%M").to_string()
}

/// The value of an `<input type="datetime-local">` for a time.
pub fn to_input(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format(INPUT_FORMAT).to_string()
}

/// Reads an `<input type="datetime-local">` value typed in the given zone.
pub fn from_input(value: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let naive = NaiveDateTime::parse_from_str(value, INPUT_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_round_trips_in_the_users_zone() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let at = from_input("2026-11-22T14:30", tz).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-22T13:30:00+00:00");
        assert_eq!(to_input(at, tz), "2026-11-22T14:30");
        assert_eq!(format_when(at, tz), "Nov 22, 2026 14:30");
        assert_eq!(from_input("soon", tz), None);
    }
}

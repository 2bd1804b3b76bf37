//! Turning a time zone name into the offset table the UI renders dates with.

use app::domain::Zone;
use chrono::{DateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// How far back and ahead of now the table reaches; dates beyond use the nearest edge.
const YEARS_BACK: i64 = 2;
const YEARS_AHEAD: i64 = 5;

/// The time zone a stored name names; UTC for one the database does not know.
pub fn tz_or_utc(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The offsets of `name` over the years around `now`; UTC when the name is unknown.
pub fn zone_around(name: &str, now: DateTime<Utc>) -> Zone {
    let Ok(tz) = name.parse::<Tz>() else {
        return Zone::default();
    };
    let offset = |at: i64| {
        tz.offset_from_utc_datetime(&DateTime::from_timestamp(at, 0).unwrap_or(now).naive_utc()).fix().local_minus_utc()
    };
    let start = (now - TimeDelta::days(365 * YEARS_BACK)).timestamp();
    let end = (now + TimeDelta::days(365 * YEARS_AHEAD)).timestamp();
    let mut offsets = vec![(start, offset(start))];
    // Offsets change at most a few times a year: step a day, then bisect to the second.
    let mut at = start;
    while at < end {
        let next = at + 86_400;
        if offset(next) != offset(at) {
            let (mut lo, mut hi) = (at, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset(mid) == offset(at) {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            offsets.push((hi, offset(hi)));
        }
        at = next;
    }
    Zone { name: tz.name().to_owned(), offsets }
}

pub fn names() -> Vec<String> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_daylight_saving_switches_to_the_second() {
        let now = "2026-11-22T10:00:00Z".parse().unwrap();
        let zone = zone_around("Europe/Berlin", now);
        assert!(zone.offsets.contains(&(1_774_746_000, 7200)), "2026-03-29T01:00Z to summer time");
        assert!(zone.offsets.contains(&(1_792_890_000, 3600)), "2026-10-25T01:00Z back to winter time");
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        for probe in ["2026-07-01T12:00:00Z", "2027-01-15T08:00:00Z", "2030-06-30T23:59:59Z"] {
            let at: DateTime<Utc> = probe.parse().unwrap();
            assert_eq!(zone.to_local(at), at.with_timezone(&tz).naive_local(), "{probe}");
        }
    }

    #[test]
    fn unknown_names_fall_back_to_utc_and_fixed_zones_have_one_entry() {
        let now = Utc::now();
        assert_eq!(zone_around("Mars/Olympus", now), Zone::default());
        assert_eq!(zone_around("Asia/Kolkata", now).offsets.len(), 1);
        assert!(names().contains(&"America/New_York".to_owned()));
    }
}

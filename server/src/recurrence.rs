//! When a repeating task's next occurrence is due.

use app::domain::{AppError, Every, Recurrence};
use chrono::{DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// Occurrences looked at before giving up: daily for centuries, far beyond any real gap.
const MAX_STEPS: u32 = 100_000;

/// A rule as the server accepts it: its shape checked, its zone known (the author's when
/// left out), its cron expression parsed.
pub fn checked(rule: Recurrence, author_zone: &str) -> Result<Recurrence, AppError> {
    let mut rule = rule.normalized()?;
    let zone = rule.zone.take().unwrap_or_else(|| author_zone.to_owned());
    if zone.parse::<Tz>().is_err() {
        return Err(AppError::invalid("recurrence", "zone is not a known time zone"));
    }
    rule.zone = Some(zone);
    if let Some(expression) = &rule.cron {
        let schedules = schedules(expression).map_err(|e| AppError::invalid("recurrence", e))?;
        if schedules.iter().all(|s| s.upcoming(Utc).next().is_none()) {
            return Err(AppError::invalid("recurrence", "cron expression never matches"));
        }
    }
    Ok(rule)
}

/// A monthly rule without a day takes its due date's (in the rule's zone), so that a
/// short month does not pull later occurrences to an earlier day.
pub fn anchored(mut rule: Recurrence, due: Option<DateTime<Utc>>) -> Recurrence {
    if let (Every::Month, None, Some(due)) = (rule.every, rule.day, due) {
        let tz = crate::zone::tz_or_utc(rule.zone.as_deref().unwrap_or("UTC"));
        rule.day = u8::try_from(due.with_timezone(&tz).day()).ok();
    }
    rule
}

/// The first occurrence after both the current due date and `now`: a task completed
/// late moves on to its next date still ahead, not to one already past. `None` when the
/// rule never comes round again.
pub fn next_due(rule: &Recurrence, due: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let tz = crate::zone::tz_or_utc(rule.zone.as_deref().unwrap_or("UTC"));
    let after = due.max(now);
    if rule.every == Every::Cron {
        let local_after = after.with_timezone(&tz);
        return schedules(rule.cron.as_deref()?)
            .ok()?
            .iter()
            .filter_map(|s| s.after(&local_after).next())
            .min()
            .map(|at| at.with_timezone(&Utc));
    }
    let local = due.with_timezone(&tz).naive_local();
    let (start, time) = (local.date(), local.time());
    let interval = u32::from(rule.interval.max(1));
    let month_day = rule.day.map(u32::from).unwrap_or(start.day());
    let mut weekday = start;
    // From 0: a monthly rule's day may still be ahead in the due date's own month.
    for k in 0..=MAX_STEPS {
        let date = match rule.every {
            Every::Day => start.checked_add_days(Days::new(u64::from(k * interval))),
            Every::Week => start.checked_add_days(Days::new(7 * u64::from(k * interval))),
            Every::Weekday if k == 0 => Some(start),
            Every::Weekday => {
                weekday = next_weekday(weekday)?;
                Some(weekday)
            }
            Every::Month => months_on(start, k.checked_mul(interval)?, month_day),
            Every::Year => months_on(start, k.checked_mul(interval)?.checked_mul(12)?, start.day()),
            Every::Cron => None,
        }?;
        let at = resolve(tz, date.and_time(time));
        if at > after {
            return Some(at);
        }
    }
    None
}

/// The next day from Monday to Friday.
fn next_weekday(date: NaiveDate) -> Option<NaiveDate> {
    let mut next = date.succ_opt()?;
    while next.weekday().number_from_monday() > 5 {
        next = next.succ_opt()?;
    }
    Some(next)
}

/// `day` of the month `months` after `start`'s, or that month's last day when shorter.
fn months_on(start: NaiveDate, months: u32, day: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(start.year(), start.month(), 1)?.checked_add_months(Months::new(months))?;
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?.day();
    first.with_day(day.min(last))
}

/// The instant a wall-clock time stands for: the earlier one when clocks go back, an
/// hour later when they skip it.
fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => resolve(tz, local + TimeDelta::hours(1)),
    }
}

/// A five-field crontab expression as the `cron` crate reads it: with seconds, and with
/// Sunday as 1 rather than 0 or 7. Crontab fires when either the day of the month or the
/// day of the week matches if both are restricted, the crate only when both do: then
/// there are two schedules, and the earlier time of the two is the one.
pub fn schedules(expression: &str) -> Result<Vec<cron::Schedule>, String> {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    let [minute, hour, day, month, weekday] = fields[..] else {
        return Err("cron expression needs five fields: minute, hour, day of month, month, day of week".into());
    };
    let weekday = crate_weekdays(weekday)?;
    let parse = |day: &str, weekday: &str| {
        format!("0 {minute} {hour} {day} {month} {weekday}")
            .parse::<cron::Schedule>()
            .map_err(|e| format!("cron expression is not valid: {e}"))
    };
    let any = |field: &str| field == "*" || field == "?";
    if any(day) || any(&weekday) {
        Ok(vec![parse(day, &weekday)?])
    } else {
        Ok(vec![parse(day, "*")?, parse("*", &weekday)?])
    }
}

/// Crontab's day-of-week field (0 or 7 Sunday, 1 Monday) in the crate's numbering
/// (1 Sunday, 2 Monday); names and `*` stay as they are.
fn crate_weekdays(field: &str) -> Result<String, String> {
    let numbered = |text: &str| -> Result<Option<u32>, String> {
        if text.chars().all(|c| c.is_ascii_digit()) {
            match text.parse::<u32>() {
                Ok(n) if n <= 7 => Ok(Some(n % 7 + 1)),
                _ => Err(format!("day of week {text} is not 0 to 7")),
            }
        } else {
            Ok(None)
        }
    };
    let mut items = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        let with_step = |base: String| match step {
            Some(step) => format!("{base}/{step}"),
            None => base,
        };
        match range.split_once('-') {
            Some((from, to)) => match (numbered(from)?, numbered(to)?, to) {
                (None, None, _) => items.push(item.to_owned()),
                // Up to Sunday written as 7: the crate's week ends on Saturday.
                (Some(from), Some(1), "7") if from > 1 => {
                    if step.is_some() {
                        return Err("write a stepped range of days that ends on Sunday with names".into());
                    }
                    items.push(format!("{from}-7"));
                    items.push("1".into());
                }
                (Some(1), Some(1), "7") if from == "0" => items.push(with_step("1-7".into())),
                (Some(1), Some(1), "7") => items.push(with_step("1".into())),
                (Some(from), Some(to), _) if from <= to => items.push(with_step(format!("{from}-{to}"))),
                _ => return Err(format!("day of week range {range} is not valid")),
            },
            None => match numbered(range)? {
                Some(n) => items.push(with_step(n.to_string())),
                None => items.push(item.to_owned()),
            },
        }
    }
    Ok(items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn rule(every: Every, zone: &str) -> Recurrence {
        Recurrence { zone: Some(zone.into()), ..Recurrence::new(every) }
    }

    #[test]
    fn every_weekday_skips_the_weekend_and_keeps_the_local_time() {
        // Friday 09:00 in Paris (08:00 UTC) → Monday 09:00.
        let next =
            next_due(&rule(Every::Weekday, "Europe/Paris"), utc("2026-11-20T08:00:00Z"), utc("2026-11-20T10:00:00Z"));
        assert_eq!(next, Some(utc("2026-11-23T08:00:00Z")));
    }

    #[test]
    fn the_local_time_survives_a_clock_change() {
        // Saturday 24 October 2026, 09:00 CEST (07:00 UTC); clocks go back that night.
        let next =
            next_due(&rule(Every::Day, "Europe/Paris"), utc("2026-10-24T07:00:00Z"), utc("2026-10-24T07:00:00Z"));
        assert_eq!(next, Some(utc("2026-10-25T08:00:00Z")));
    }

    #[test]
    fn a_late_completion_moves_to_the_next_date_still_ahead() {
        let due = utc("2026-11-02T09:00:00Z"); // a Monday
        let now = utc("2026-11-19T12:00:00Z"); // a Thursday, more than two weeks later
        assert_eq!(next_due(&rule(Every::Week, "UTC"), due, now), Some(utc("2026-11-23T09:00:00Z")));
        let every_two = Recurrence { interval: 2, ..rule(Every::Week, "UTC") };
        assert_eq!(next_due(&every_two, due, now), Some(utc("2026-11-30T09:00:00Z")));
        // Completed early, it still moves on by one step from its due date.
        assert_eq!(
            next_due(&rule(Every::Day, "UTC"), due, utc("2026-10-01T00:00:00Z")),
            Some(utc("2026-11-03T09:00:00Z"))
        );
    }

    #[test]
    fn a_monthly_day_still_ahead_in_the_due_dates_month_comes_first() {
        let on_20th = Recurrence { day: Some(20), ..rule(Every::Month, "UTC") };
        let due = utc("2026-11-10T09:00:00Z");
        assert_eq!(next_due(&on_20th, due, due), Some(utc("2026-11-20T09:00:00Z")));
    }

    #[test]
    fn a_crontab_day_of_month_or_day_of_week_matches_as_in_crontab() {
        // The 1st of the month or any Monday: from Tuesday 24 November, Monday 30th comes first.
        let either = Recurrence { cron: Some("0 9 1 * 1".into()), ..rule(Every::Cron, "UTC") };
        let tuesday = utc("2026-11-24T12:00:00Z");
        assert_eq!(next_due(&either, tuesday, tuesday), Some(utc("2026-11-30T09:00:00Z")));
        let monday = utc("2026-11-30T12:00:00Z");
        assert_eq!(next_due(&either, monday, monday), Some(utc("2026-12-01T09:00:00Z")));
        assert_eq!(crate_weekdays("7-7").unwrap(), "1");
        assert_eq!(crate_weekdays("0-7").unwrap(), "1-7");
    }

    #[test]
    fn months_keep_their_day_and_short_months_use_their_last() {
        let on_31st = Recurrence { day: Some(31), ..rule(Every::Month, "UTC") };
        let jan = utc("2027-01-31T09:00:00Z");
        let feb = next_due(&on_31st, jan, jan).unwrap();
        assert_eq!(feb, utc("2027-02-28T09:00:00Z"));
        // The day does not drift to the 28th after a short month.
        assert_eq!(next_due(&on_31st, feb, feb), Some(utc("2027-03-31T09:00:00Z")));
        let first = Recurrence { day: Some(1), interval: 3, ..rule(Every::Month, "UTC") };
        assert_eq!(next_due(&first, utc("2026-11-01T09:00:00Z"), jan), Some(utc("2027-02-01T09:00:00Z")));
        let leap = utc("2028-02-29T09:00:00Z");
        assert_eq!(next_due(&rule(Every::Year, "UTC"), leap, leap), Some(utc("2029-02-28T09:00:00Z")));
    }

    #[test]
    fn cron_days_of_the_week_count_as_crontab_does() {
        // 1-5 is Monday to Friday in crontab; the crate alone would read Sunday to Thursday.
        let weekdays = Recurrence { cron: Some("30 9 * * 1-5".into()), ..rule(Every::Cron, "America/New_York") };
        let friday = utc("2026-11-20T14:30:00Z"); // 09:30 in New York
        assert_eq!(next_due(&weekdays, friday, friday), Some(utc("2026-11-23T14:30:00Z")));
        let sunday = |expression: &str| {
            let r = Recurrence { cron: Some(expression.into()), ..rule(Every::Cron, "UTC") };
            next_due(&r, friday, friday)
        };
        assert_eq!(sunday("0 8 * * 0"), Some(utc("2026-11-22T08:00:00Z")));
        assert_eq!(sunday("0 8 * * 7"), Some(utc("2026-11-22T08:00:00Z")));
        assert_eq!(sunday("0 8 * * SUN"), Some(utc("2026-11-22T08:00:00Z")));
        assert_eq!(sunday("0 8 * * 6-7"), Some(utc("2026-11-21T08:00:00Z")));
        assert_eq!(crate_weekdays("5-7").unwrap(), "6-7,1");
        assert_eq!(crate_weekdays("0-6/2").unwrap(), "1-7/2");
        assert_eq!(crate_weekdays("1,3,MON-FRI").unwrap(), "2,4,MON-FRI");
        assert!(crate_weekdays("8").is_err());
        assert!(crate_weekdays("5-2").is_err());
    }

    #[test]
    fn rules_are_checked_against_the_zone_database_and_the_parser() {
        let r = checked(Recurrence::new(Every::Day), "Asia/Tokyo").unwrap();
        assert_eq!(r.zone.as_deref(), Some("Asia/Tokyo"));
        assert!(checked(rule(Every::Day, "Mars/Olympus"), "UTC").is_err());
        let cron = |e: &str| checked(Recurrence { cron: Some(e.into()), ..Recurrence::new(Every::Cron) }, "UTC");
        assert!(cron("0 9 * * 1-5").is_ok());
        assert!(cron("61 9 * * *").is_err());
        assert!(cron("0 0 30 2 *").is_err(), "30 February never comes");
    }

    #[test]
    fn a_monthly_rule_takes_the_day_of_its_due_date_in_its_zone() {
        // 31 January 23:30 in New York is already 1 February in UTC.
        let rule = anchored(rule(Every::Month, "America/New_York"), Some(utc("2027-02-01T04:30:00Z")));
        assert_eq!(rule.day, Some(31));
        let weekly = anchored(rule_of(Every::Week), Some(utc("2027-02-01T04:30:00Z")));
        assert_eq!(weekly.day, None);
    }

    fn rule_of(every: Every) -> Recurrence {
        rule(every, "UTC")
    }
}

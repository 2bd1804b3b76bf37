//! How a task repeats. Completing one occurrence creates the next, due at the next moment
//! the rule names, counted in the time zone the rule was set in. The rule's time of day
//! is the due date's (a cron expression names its own).

use chrono::{Datelike, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};

use super::{AppError, Violations};

pub const MAX_INTERVAL: u16 = 999;
pub const MAX_CRON: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Day,
    /// Monday to Friday.
    Weekday,
    /// On the due date's day of the week.
    Week,
    /// On `day` of the month.
    Month,
    /// On the due date's day and month.
    Year,
    /// Whenever a five-field crontab expression matches.
    Cron,
}

impl Every {
    pub const ALL: [Every; 6] = [Every::Day, Every::Weekday, Every::Week, Every::Month, Every::Year, Every::Cron];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Weekday => "weekday",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
            Self::Cron => "cron",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == value)
    }

    /// What a picker shows for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Day => "Daily",
            Self::Weekday => "Every weekday",
            Self::Week => "Weekly",
            Self::Month => "Monthly",
            Self::Year => "Yearly",
            Self::Cron => "Custom (cron)",
        }
    }

    /// Whether `interval` means anything for it.
    pub fn counts(self) -> bool {
        matches!(self, Self::Day | Self::Week | Self::Month | Self::Year)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    pub every: Every,
    /// Every how many days, weeks, months or years (1–999); 1 for `weekday` and `cron`.
    #[serde(default = "one")]
    pub interval: u16,
    /// For `month`: the day of the month, 1–31; months without it use their last day.
    /// Taken from the due date when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
    /// For `cron`: minute, hour, day of month, month and day of week, as in crontab
    /// (0 or 7 is Sunday).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    /// The IANA time zone days and times are counted in; the author's when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

fn one() -> u16 {
    1
}

impl Recurrence {
    pub fn new(every: Every) -> Self {
        Self { every, interval: 1, day: None, cron: None, zone: None }
    }

    /// Trimmed and checked for shape. Whether the zone exists and the cron expression
    /// parses is checked by the server, which has the time zone database and the parser.
    pub fn normalized(self) -> Result<Self, AppError> {
        let r = Self {
            cron: self.cron.map(|c| c.split_whitespace().collect::<Vec<_>>().join(" ")),
            zone: self.zone.map(|z| z.trim().to_owned()).filter(|z| !z.is_empty()),
            ..self
        };
        let mut v = Violations::default();
        let field = "recurrence";
        if r.every.counts() {
            v.check((1..=MAX_INTERVAL).contains(&r.interval), field, "interval must be between 1 and 999");
        } else {
            v.check(r.interval == 1, field, "interval only applies to days, weeks, months and years");
        }
        match r.day {
            Some(day) if r.every == Every::Month => v.check((1..=31).contains(&day), field, "day must be 1 to 31"),
            Some(_) => v.check(false, field, "day only applies to monthly repeats"),
            None => {}
        }
        match (&r.cron, r.every) {
            (Some(cron), Every::Cron) => {
                v.check(cron.len() <= MAX_CRON, field, "cron expression is too long");
                v.check(
                    cron.split(' ').count() == 5,
                    field,
                    "cron expression needs five fields: minute, hour, day of month, month, day of week",
                );
            }
            (None, Every::Cron) => v.check(false, field, "cron expression is missing"),
            (Some(_), _) => v.check(false, field, "cron expression only applies to custom repeats"),
            (None, _) => {}
        }
        v.into_result()?;
        Ok(r)
    }

    /// The rule in plain words, with the time of day of `due` (local to the rule's zone).
    pub fn describe(&self, due: Option<NaiveDateTime>) -> String {
        let at = due.map(|d| format!(" at {}", d.format("%H:%M"))).unwrap_or_default();
        let n = self.interval;
        match self.every {
            Every::Day if n == 1 => format!("Every day{at}"),
            Every::Day => format!("Every {n} days{at}"),
            Every::Weekday => format!("Every weekday{at}"),
            Every::Week => {
                let on = due.map(|d| format!(" on {}", weekday_name(d.weekday()))).unwrap_or_default();
                if n == 1 {
                    format!("Every week{on}{at}")
                } else {
                    format!("Every {n} weeks{on}{at}")
                }
            }
            Every::Month => {
                let day = self.day.map(u32::from).or(due.map(|d| d.day())).map(ordinal);
                match (day, n) {
                    (Some(day), 1) => format!("The {day} of each month{at}"),
                    (Some(day), n) => format!("The {day} of every {n} months{at}"),
                    (None, 1) => format!("Every month{at}"),
                    (None, n) => format!("Every {n} months{at}"),
                }
            }
            Every::Year => {
                let on = due.map(|d| format!(" on {}", d.format("%-d %B"))).unwrap_or_default();
                if n == 1 {
                    format!("Every year{on}{at}")
                } else {
                    format!("Every {n} years{on}{at}")
                }
            }
            Every::Cron => format!("When “{}” matches", self.cron.as_deref().unwrap_or_default()),
        }
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, … 21st.
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0))
    }

    #[test]
    fn rules_read_as_plain_words() {
        let due = at(2026, 11, 23, 9, 0); // a Monday
        let words = |r: Recurrence| r.describe(due);
        assert_eq!(words(Recurrence::new(Every::Weekday)), "Every weekday at 09:00");
        assert_eq!(words(Recurrence::new(Every::Day)), "Every day at 09:00");
        assert_eq!(words(Recurrence { interval: 3, ..Recurrence::new(Every::Day) }), "Every 3 days at 09:00");
        assert_eq!(words(Recurrence::new(Every::Week)), "Every week on Monday at 09:00");
        assert_eq!(
            words(Recurrence { interval: 2, ..Recurrence::new(Every::Week) }),
            "Every 2 weeks on Monday at 09:00"
        );
        assert_eq!(
            words(Recurrence { day: Some(1), ..Recurrence::new(Every::Month) }),
            "The 1st of each month at 09:00"
        );
        assert_eq!(
            words(Recurrence { day: Some(22), interval: 3, ..Recurrence::new(Every::Month) }),
            "The 22nd of every 3 months at 09:00"
        );
        assert_eq!(words(Recurrence::new(Every::Month)), "The 23rd of each month at 09:00");
        assert_eq!(words(Recurrence::new(Every::Year)), "Every year on 23 November at 09:00");
        let cron = Recurrence { cron: Some("0 9 * * 1-5".into()), ..Recurrence::new(Every::Cron) };
        assert_eq!(words(cron), "When “0 9 * * 1-5” matches");
        assert_eq!(Recurrence::new(Every::Week).describe(None), "Every week");
    }

    #[test]
    fn ordinals_follow_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31].into_iter().map(ordinal).collect();
        assert_eq!(got, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]);
    }

    #[test]
    fn shapes_that_mean_nothing_are_refused() {
        let refused = |r: Recurrence| r.normalized().is_err();
        assert!(refused(Recurrence { interval: 0, ..Recurrence::new(Every::Day) }));
        assert!(refused(Recurrence { interval: 1000, ..Recurrence::new(Every::Week) }));
        assert!(refused(Recurrence { interval: 2, ..Recurrence::new(Every::Weekday) }));
        assert!(refused(Recurrence { day: Some(32), ..Recurrence::new(Every::Month) }));
        assert!(refused(Recurrence { day: Some(0), ..Recurrence::new(Every::Month) }));
        assert!(refused(Recurrence { day: Some(3), ..Recurrence::new(Every::Week) }));
        assert!(refused(Recurrence::new(Every::Cron)));
        assert!(refused(Recurrence { cron: Some("0 0 9 * * 1-5".into()), ..Recurrence::new(Every::Cron) }));
        assert!(refused(Recurrence { cron: Some("0 9 * * *".into()), ..Recurrence::new(Every::Day) }));
        let fine =
            Recurrence { cron: Some("  0 9\t* * 1-5 ".into()), zone: Some(" ".into()), ..Recurrence::new(Every::Cron) };
        let fine = fine.normalized().unwrap();
        assert_eq!((fine.cron.as_deref(), fine.zone), (Some("0 9 * * 1-5"), None));
        assert!(Recurrence { day: Some(31), interval: 12, ..Recurrence::new(Every::Month) }.normalized().is_ok());
    }

    #[test]
    fn the_json_shape_is_flat_and_defaults_the_interval() {
        let r: Recurrence = serde_json::from_str(r#"{"every":"weekday","zone":"Europe/Paris"}"#).unwrap();
        assert_eq!(r, Recurrence { zone: Some("Europe/Paris".into()), ..Recurrence::new(Every::Weekday) });
        assert!(serde_json::from_str::<Recurrence>(r#"{"every":"fortnight"}"#).is_err());
        assert!(serde_json::from_str::<Recurrence>(r#"{"every":"day","hours":2}"#).is_err());
        assert_eq!(
            serde_json::to_value(Recurrence::new(Every::Day)).unwrap(),
            serde_json::json!({"every":"day","interval":1})
        );
    }
}

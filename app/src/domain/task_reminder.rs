//! Reminders a task carries of its own, besides each person's lead time: at a set
//! moment, or a set time before the task is due (following the due date when it moves).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{AppError, Violations};

/// A task may carry this many reminders.
pub const MAX_TASK_REMINDERS: usize = 10;
/// The longest "before it is due": four weeks.
pub const MAX_BEFORE_DUE_MINUTES: u32 = 4 * 7 * 24 * 60;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskReminder {
    pub id: Uuid,
    pub task_id: Uuid,
    /// A fixed moment; or `null` when the reminder follows the due date.
    pub at: Option<DateTime<Utc>>,
    /// Minutes before the task's due time; or `null` for a fixed moment.
    pub before_due_minutes: Option<u32>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

impl TaskReminder {
    /// When it goes off for a task due at `due`; `None` while a relative reminder's
    /// task has no due date.
    pub fn fires_at(&self, due: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        match (self.at, self.before_due_minutes) {
            (Some(at), _) => Some(at),
            (None, Some(before)) => due.map(|due| due - TimeDelta::minutes(before.into())),
            (None, None) => None,
        }
    }
}

/// `{"at": "2026-11-24T09:00:00Z"}` or `{"before_due_minutes": 60}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaskReminder {
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub before_due_minutes: Option<u32>,
}

impl NewTaskReminder {
    pub fn normalized(self) -> Result<Self, AppError> {
        let mut v = Violations::default();
        match (self.at, self.before_due_minutes) {
            (Some(_), Some(_)) | (None, None) => {
                v.add("at", "give either a moment (at) or minutes before the due time (before_due_minutes)")
            }
            (None, Some(before)) => {
                v.check(before <= MAX_BEFORE_DUE_MINUTES, "before_due_minutes", "must be at most four weeks (40320)")
            }
            (Some(_), None) => {}
        }
        v.into_result()?;
        Ok(self)
    }
}

/// `1 hour`, `2 days`, `90 minutes`: how long before the due time.
pub fn describe_minutes(minutes: u32) -> String {
    let plural = |n: u32, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    match minutes {
        0 => "at the due time".to_owned(),
        m if m % (24 * 60) == 0 => plural(m / (24 * 60), "day"),
        m if m % 60 == 0 => plural(m / 60, "hour"),
        m => plural(m, "minute"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_reminder_follows_the_due_date_and_a_fixed_one_does_not() {
        let due = Utc::now();
        let relative = TaskReminder {
            id: Uuid::nil(),
            task_id: Uuid::nil(),
            at: None,
            before_due_minutes: Some(90),
            created_by: Uuid::nil(),
            created_at: due,
        };
        assert_eq!(relative.fires_at(Some(due)), Some(due - TimeDelta::minutes(90)));
        assert_eq!(relative.fires_at(None), None);
        let fixed = TaskReminder { at: Some(due), before_due_minutes: None, ..relative };
        assert_eq!(fixed.fires_at(None), Some(due));
    }

    #[test]
    fn exactly_one_of_the_two_kinds_and_not_too_far_ahead() {
        assert!(NewTaskReminder::default().normalized().is_err());
        let both = NewTaskReminder { at: Some(Utc::now()), before_due_minutes: Some(5) };
        assert!(both.normalized().is_err());
        let far = NewTaskReminder { before_due_minutes: Some(MAX_BEFORE_DUE_MINUTES + 1), ..Default::default() };
        assert!(far.normalized().unwrap_err().field_error("before_due_minutes").is_some());
        assert!(NewTaskReminder { before_due_minutes: Some(60), ..Default::default() }.normalized().is_ok());
    }

    #[test]
    fn lead_times_read_naturally() {
        assert_eq!(describe_minutes(60), "1 hour");
        assert_eq!(describe_minutes(2 * 24 * 60), "2 days");
        assert_eq!(describe_minutes(90), "90 minutes");
        assert_eq!(describe_minutes(0), "at the due time");
    }
}

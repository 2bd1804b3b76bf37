//! The daily digest: at each person's chosen local time, what is due that day and what
//! is overdue, once per local day, as a notification leading to the most pressing task
//! (and an email listing them all). A run after downtime still sends the day's digest
//! if its time passed less than [`DIGEST_CATCH_UP`] ago; a day with nothing due sends
//! nothing.

use app::domain::{local_to_utc, AppError, Notification, NotificationKind, User};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use uuid::Uuid;

use super::Service;
use crate::store::{DigestTask, NewNotification};

pub const DIGEST_CATCH_UP: TimeDelta = TimeDelta::hours(12);
/// Less than a day minus the catch-up (and an hour for clock changes).
const RECENTLY_CLAIMED: TimeDelta = TimeDelta::hours(10);
/// Tasks listed in one digest at most.
pub const DIGEST_LIMIT: u32 = 50;

impl Service {
    /// Sends the digests whose time has come; returns how many went out. Safe on every
    /// instance at once: each person's day is claimed in the database first.
    #[tracing::instrument(skip_all)]
    pub async fn send_due_digests(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let mut sent = 0;
        // Anyone claimed this recently has no digest due yet: the next one is at least
        // a day after the last one's time, which may have been claimed 12 hours late.
        for user in self.store.digest_users(now - RECENTLY_CLAIMED).await? {
            let Some(at) = user.notifications.digest_at else { continue };
            if user.notifications.channels(NotificationKind::Digest).is_empty() {
                continue;
            }
            let zone = crate::zone::tz_or_utc(&user.timezone);
            let today = now.with_timezone(&zone).date_naive();
            // Today's, or yesterday's when its time was late in the day and no instance
            // ran then.
            let due_day = [today, today - TimeDelta::days(1)].into_iter().find(|day| {
                local_to_utc(&zone, day.and_time(at))
                    .is_some_and(|scheduled| scheduled <= now && now - scheduled <= DIGEST_CATCH_UP)
            });
            let Some(day) = due_day else { continue };
            let tasks = self.store.digest_tasks(user.id, end_of_day(day, &zone), DIGEST_LIMIT).await?;
            let to = self.with_devices(vec![user.clone()]).await?;
            let note = tasks.first().and_then(|first| {
                let notification = Notification {
                    id: Uuid::now_v7(),
                    kind: NotificationKind::Digest,
                    project_id: first.project_id,
                    task_id: Some(first.task_id),
                    actor_id: None,
                    title: digest_title(&tasks, now),
                    created_at: now,
                    read_at: None,
                };
                let note = NewNotification { user_id: user.id, notification, deliveries: Vec::new() };
                self.routed(&to, note)
            });
            if self.store.claim_digest(user.id, day, note.clone(), now).await? {
                if let Some(note) = note {
                    self.hub.notified(&super::unread(&[note]));
                    sent += 1;
                }
            }
        }
        Ok(sent)
    }

    /// The tasks a digest notification stands for, as they are now (done ones drop out).
    pub(super) async fn digest_tasks_of(
        &self,
        user: &User,
        digest: &Notification,
    ) -> Result<Vec<DigestTask>, AppError> {
        let zone = crate::zone::tz_or_utc(&user.timezone);
        let day = digest.created_at.with_timezone(&zone).date_naive();
        Ok(self.store.digest_tasks(user.id, end_of_day(day, &zone), DIGEST_LIMIT).await?)
    }
}

/// Midnight after `day`, local time.
fn end_of_day(day: NaiveDate, zone: &chrono_tz::Tz) -> DateTime<Utc> {
    let next = (day + TimeDelta::days(1)).and_time(NaiveTime::MIN);
    local_to_utc(zone, next).unwrap_or_else(|| next.and_utc())
}

/// `Your day: 2 tasks due, 1 overdue, first “Report”`.
fn digest_title(tasks: &[DigestTask], now: DateTime<Utc>) -> String {
    let late = tasks.iter().filter(|t| t.due_at <= now).count();
    let due = tasks.len() - late;
    let mut parts = Vec::new();
    match due {
        0 => {}
        1 => parts.push("1 task due".to_owned()),
        n => parts.push(format!("{n} tasks due")),
    }
    if late > 0 {
        parts.push(format!("{late} overdue"));
    }
    let first = super::notify::title(NotificationKind::Digest, "", &tasks[0].title);
    format!("Your day: {}. {first}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(title: &str, due_at: DateTime<Utc>) -> DigestTask {
        DigestTask {
            task_id: Uuid::now_v7(),
            project_id: Uuid::now_v7(),
            project_name: "P".into(),
            title: title.into(),
            due_at,
        }
    }

    #[test]
    fn the_title_counts_what_is_due_and_what_is_late() {
        let now = Utc::now();
        let tasks = [task("Report", now - TimeDelta::hours(3)), task("Slides", now + TimeDelta::hours(2))];
        assert_eq!(digest_title(&tasks, now), "Your day: 1 task due, 1 overdue. Start with “Report”");
        let tasks = [task("A", now + TimeDelta::hours(1)), task("B", now + TimeDelta::hours(2))];
        assert_eq!(digest_title(&tasks, now), "Your day: 2 tasks due. Start with “A”");
    }

    #[test]
    fn a_day_ends_at_local_midnight() {
        let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(end_of_day(day, &berlin).to_rfc3339(), "2026-11-23T23:00:00+00:00");
    }
}

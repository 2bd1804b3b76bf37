//! How notifications reach people. Each person's preferences decide which kinds they
//! get and on which channels; email is queued with the notification, waits out their
//! quiet hours, and is sent by a background sender that retries with backoff. The app
//! channel never waits for email: the notification is committed and pushed first.

use std::collections::{BTreeMap, HashSet};

use app::domain::{AppError, Channel, NotificationKind, User};
use chrono::TimeDelta;
use uuid::Uuid;

use super::Service;
use crate::store::{ClaimedDelivery, NewDelivery, NewNotification};

/// Emails (and pushes) claimed per pass; a pass holds them this long before another sender may retry,
/// and stops sending after half of it (20 slow servers at 15 s each fit well inside).
const BATCH: u32 = 20;
pub(super) const LEASE: TimeDelta = TimeDelta::minutes(10);
const LEASE_BUDGET: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// How long emails given up, digests sent and reminders claimed are remembered.
const KEEP_SENT_RECORDS: TimeDelta = TimeDelta::days(30);
/// Tries before an email or a push is given up: the waits between them add up to about five hours.
pub const MAX_DELIVERY_ATTEMPTS: u32 = 12;

/// The wait after the `attempts`th failure: 30 s, doubling, at most an hour.
pub fn retry_delay(attempts: u32) -> TimeDelta {
    let doublings = attempts.saturating_sub(1).min(7);
    TimeDelta::seconds(30 * (1 << doublings)).min(TimeDelta::hours(1))
}

/// The people notifications are about to reach.
#[derive(Default)]
pub(super) struct Recipients {
    pub users: Vec<User>,
    /// Those with at least one device to push to.
    pub pushable: HashSet<Uuid>,
}

impl Service {
    /// Applies the recipients' preferences to notifications about to be committed.
    pub(super) async fn route(&self, notes: Vec<NewNotification>) -> Result<Vec<NewNotification>, AppError> {
        let to = self.recipients(notes.iter().map(|n| n.user_id)).await?;
        Ok(notes.into_iter().filter_map(|note| self.routed(&to, note)).collect())
    }

    /// The accounts of these recipients, each once, and which of them have devices
    /// to push to.
    pub(super) async fn recipients(&self, ids: impl Iterator<Item = Uuid>) -> Result<Recipients, AppError> {
        let mut ids: Vec<Uuid> = ids.collect();
        if ids.is_empty() {
            return Ok(Recipients::default());
        }
        ids.sort();
        ids.dedup();
        let users = self.store.users_by_ids(&ids).await?;
        self.with_devices(users).await
    }

    /// These accounts as recipients.
    pub(super) async fn with_devices(&self, users: Vec<User>) -> Result<Recipients, AppError> {
        let pushable = match &self.pusher {
            Some(_) if !users.is_empty() => {
                let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
                self.store.users_with_push(&ids).await?.into_iter().collect()
            }
            _ => HashSet::new(),
        };
        Ok(Recipients { users, pushable })
    }

    /// A notification as its recipient wants it: `None` for a kind they turned off;
    /// stored already read when they want it only elsewhere; with an email queued for
    /// the end of their quiet hours when they want email and this instance sends it.
    pub(super) fn routed(&self, to: &Recipients, mut note: NewNotification) -> Option<NewNotification> {
        let user = to.users.iter().find(|u| u.id == note.user_id)?;
        let prefs = &user.notifications;
        let channels = prefs.channels(note.notification.kind);
        if channels.is_empty() {
            return None;
        }
        if !channels.contains(&Channel::App) {
            note.notification.read_at = Some(note.notification.created_at);
        }
        let now = note.notification.created_at;
        let zone = crate::zone::tz_or_utc(&user.timezone);
        let due_at = prefs.quiet_hours.and_then(|quiet| quiet.end_after(now, &zone)).unwrap_or(now);
        if self.mailer.is_some() && channels.contains(&Channel::Email) {
            note.deliveries.push(NewDelivery { channel: Channel::Email, due_at });
        }
        if to.pushable.contains(&user.id) && channels.contains(&Channel::Push) {
            note.deliveries.push(NewDelivery { channel: Channel::Push, due_at });
        }
        Some(note)
    }

    /// The channels this instance can deliver on.
    pub fn channels(&self) -> Vec<Channel> {
        let mut channels = vec![Channel::App];
        if self.mailer.is_some() {
            channels.push(Channel::Email);
        }
        if self.pusher.is_some() {
            channels.push(Channel::Push);
        }
        channels
    }

    /// Forgets records kept only against repeats once they are a month old: every
    /// catch-up window is far shorter. Run hourly on one instance.
    pub async fn prune_sent_records(&self) -> Result<u64, AppError> {
        Ok(self.store.prune_sent_records(self.clock.now() - KEEP_SENT_RECORDS).await?)
    }

    /// Sends the emails that are due, one message per person for all of theirs; returns
    /// how many messages went out. Safe on every instance at once: each email is
    /// claimed in the database first.
    #[tracing::instrument(skip_all)]
    pub async fn send_due_emails(&self) -> Result<usize, AppError> {
        let Some(mailer) = &self.mailer else {
            return Ok(0);
        };
        let now = self.clock.now();
        let started = std::time::Instant::now();
        let claimed = self.store.claim_deliveries(Channel::Email, now, now + LEASE, BATCH).await?;
        let mut by_person: BTreeMap<Uuid, Vec<ClaimedDelivery>> = BTreeMap::new();
        for item in claimed {
            by_person.entry(item.user.id).or_default().push(item);
        }
        let mut sent = 0;
        let mut people = by_person.into_values();
        while let Some(items) = people.next() {
            // Within half the lease, so that no other sender can take these over meanwhile.
            let out_of_time = started.elapsed() > LEASE_BUDGET;
            let result = if out_of_time { None } else { Some(self.send_email(mailer, &items).await) };
            match result {
                Some(Ok(())) => {
                    self.store.deliveries_sent(Channel::Email, &ids_of(&items)).await?;
                    sent += 1;
                }
                Some(Err(failure)) => {
                    self.email_failed(&items, &failure, now).await?;
                    if failure.server_down {
                        // The others would fare no better now: they wait as long, untried.
                        let retry_at = now + retry_delay(items.iter().map(|d| d.attempts).max().unwrap_or(1));
                        let rest: Vec<Uuid> = people.by_ref().flat_map(|items| ids_of(&items)).collect();
                        self.store.release_deliveries(Channel::Email, &rest, retry_at).await?;
                    }
                }
                None => {
                    let rest: Vec<Uuid> =
                        std::iter::once(items).chain(people.by_ref()).flat_map(|i| ids_of(&i)).collect();
                    self.store.release_deliveries(Channel::Email, &rest, now).await?;
                }
            }
        }
        Ok(sent)
    }

    /// One message to one person for all of theirs, with the daily digest's tasks when
    /// it is among them.
    async fn send_email(
        &self,
        mailer: &crate::email::Mailer,
        items: &[ClaimedDelivery],
    ) -> Result<(), crate::email::SendFailure> {
        let user = &items[0].user;
        let digest = match items.iter().find(|d| d.notification.kind == NotificationKind::Digest) {
            Some(d) => self.digest_tasks_of(user, &d.notification).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "the digest's tasks could not be read; the email lists none");
                Vec::new()
            }),
            None => Vec::new(),
        };
        let mail = crate::email::render(user, items, &digest, mailer.public_url());
        mailer.send(&user.name, &user.email, mail).await
    }

    /// Each email tried again after its own number of tries, or given up.
    async fn email_failed(
        &self,
        items: &[ClaimedDelivery],
        failure: &crate::email::SendFailure,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), AppError> {
        let mut by_attempts: BTreeMap<u32, Vec<Uuid>> = BTreeMap::new();
        for item in items {
            by_attempts.entry(item.attempts).or_default().push(item.notification.id);
        }
        for (attempts, ids) in by_attempts {
            let retry_at =
                (!failure.permanent && attempts < MAX_DELIVERY_ATTEMPTS).then(|| now + retry_delay(attempts));
            tracing::warn!(user = %items[0].user.id, attempts, permanent = failure.permanent, retry_at = ?retry_at,
                error = %failure.message, "an email could not be sent");
            self.store.deliveries_failed(Channel::Email, &ids, &failure.message, retry_at, now).await?;
        }
        Ok(())
    }
}

fn ids_of(items: &[ClaimedDelivery]) -> Vec<Uuid> {
    items.iter().map(|d| d.notification.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour_and_stop_after_about_five_hours() {
        assert_eq!(retry_delay(1), TimeDelta::seconds(30));
        assert_eq!(retry_delay(2), TimeDelta::seconds(60));
        assert_eq!(retry_delay(8), TimeDelta::hours(1));
        assert_eq!(retry_delay(40), TimeDelta::hours(1));
        let total: TimeDelta = (1..MAX_DELIVERY_ATTEMPTS).map(retry_delay).sum();
        assert!(total > TimeDelta::hours(4) && total < TimeDelta::hours(6), "{total}");
    }
}

//! Web push in the service: the devices people turn it on for, and the sending of the
//! pushes queued with notifications (after quiet hours, like email).

use std::collections::BTreeMap;

use app::domain::{AppError, Channel, ErrorCode, NewPushSubscription, PushDevice, PushKey, User, MAX_PUSH_DEVICES};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use uuid::Uuid;

use super::delivery::{retry_delay, LEASE, MAX_DELIVERY_ATTEMPTS};
use super::Service;
use crate::push::{Pusher, StoredSubscription};
use crate::store::ClaimedDelivery;

/// Pushes claimed per pass, and when a pass stops sending (claims hold for `LEASE`).
const BATCH: u32 = 50;
/// Four minutes, so that a push started at the end, to 20 devices that each take the
/// full 15 s timeout, still ends inside the claim.
const LEASE_BUDGET: std::time::Duration = std::time::Duration::from_secs(4 * 60);

impl Service {
    fn pusher(&self) -> Result<&Pusher, AppError> {
        self.pusher
            .as_deref()
            .ok_or_else(|| AppError::new(ErrorCode::Unavailable, "push notifications are turned off on this server"))
    }

    pub fn push_key(&self) -> Result<PushKey, AppError> {
        Ok(PushKey { public_key: self.pusher()?.public_key() })
    }

    pub async fn push_devices(&self, actor: &User) -> Result<Vec<PushDevice>, AppError> {
        Ok(self.store.push_subscriptions(actor.id).await?.into_iter().map(device).collect())
    }

    /// Turns push on for a device; the same browser again replaces its old subscription.
    #[tracing::instrument(skip_all, fields(user = %actor.id))]
    pub async fn subscribe_push(&self, actor: &User, input: NewPushSubscription) -> Result<PushDevice, AppError> {
        let pusher = self.pusher()?;
        let input = input.normalized()?;
        pusher.check_endpoint(&input.endpoint).map_err(|why| AppError::invalid("endpoint", why))?;
        let decoded = |text: &str| B64.decode(text.trim_end_matches('=')).ok();
        let p256dh = decoded(&input.keys.p256dh).filter(|k| k.len() == 65 && k[0] == 4);
        let auth = decoded(&input.keys.auth).filter(|k| k.len() == 16);
        // A trial encryption refuses a point that is not on the curve.
        let usable = match (&p256dh, &auth) {
            (Some(p), Some(a)) => crate::push::crypto::encrypt(p, a, b"").is_ok(),
            _ => false,
        };
        if !usable {
            return Err(AppError::invalid(
                "keys",
                "must be a P-256 point (p256dh) and a 16-byte secret (auth), base64url",
            ));
        }
        let subscription = StoredSubscription {
            id: Uuid::now_v7(),
            user_id: actor.id,
            endpoint: input.endpoint,
            p256dh: input.keys.p256dh.trim_end_matches('=').to_owned(),
            auth: input.keys.auth.trim_end_matches('=').to_owned(),
            device: input.device.unwrap_or_else(|| "A browser".into()),
            created_at: self.clock.now(),
        };
        match self.store.save_push_subscription(&subscription, MAX_PUSH_DEVICES).await? {
            Some(saved) => Ok(device(saved)),
            // The same endpoint with other keys, for someone else: not this browser.
            None => Err(AppError::invalid("endpoint", "belongs to another device")),
        }
    }

    pub async fn unsubscribe_push(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        if self.store.delete_push_subscription(actor.id, id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("device"))
        }
    }

    /// Sends the pushes that are due, each to every device of its person; returns how
    /// many notifications reached at least one device. Safe on every instance at once.
    #[tracing::instrument(skip_all)]
    pub async fn send_due_pushes(&self) -> Result<usize, AppError> {
        let Some(pusher) = &self.pusher else {
            return Ok(0);
        };
        let now = self.clock.now();
        let started = std::time::Instant::now();
        let claimed = self.store.claim_deliveries(Channel::Push, now, now + LEASE, BATCH).await?;
        let mut by_person: BTreeMap<Uuid, Vec<ClaimedDelivery>> = BTreeMap::new();
        for item in claimed {
            by_person.entry(item.user.id).or_default().push(item);
        }
        let mut sent = 0;
        for (user_id, items) in by_person {
            let devices = self.store.push_subscriptions(user_id).await?;
            for item in items {
                let id = [item.notification.id];
                if started.elapsed() > LEASE_BUDGET {
                    self.store.release_deliveries(Channel::Push, &id, now).await?;
                    continue;
                }
                let payload = payload(&item);
                let mut reached = false;
                let mut retry = None;
                for to in &devices {
                    match pusher.send(to, payload.as_bytes(), now.timestamp()).await {
                        Ok(()) => reached = true,
                        Err(failure) if failure.gone => {
                            tracing::info!(user = %user_id, "a device's push subscription has expired; forgotten");
                            self.store.forget_push_endpoint(&to.endpoint).await?;
                        }
                        Err(failure) if failure.retry => retry = Some(failure.message),
                        Err(failure) => {
                            tracing::warn!(user = %user_id, error = %failure.message, "a push was refused")
                        }
                    }
                }
                match retry {
                    // One device that could not be reached now does not send the
                    // others the same notification twice.
                    Some(message) if !reached => {
                        let retry_at =
                            (item.attempts < MAX_DELIVERY_ATTEMPTS).then(|| now + retry_delay(item.attempts));
                        tracing::warn!(user = %user_id, attempts = item.attempts, retry_at = ?retry_at,
                            error = %message, "a push could not be sent");
                        self.store.deliveries_failed(Channel::Push, &id, &message, retry_at, now).await?;
                    }
                    _ => {
                        self.store.deliveries_sent(Channel::Push, &id).await?;
                        sent += usize::from(reached);
                    }
                }
            }
        }
        Ok(sent)
    }
}

fn device(s: StoredSubscription) -> PushDevice {
    PushDevice { id: s.id, endpoint: s.endpoint, device: s.device, created_at: s.created_at }
}

/// What the service worker shows: the title, the project, and where a click leads.
fn payload(item: &ClaimedDelivery) -> String {
    let n = &item.notification;
    let url = match n.task_id {
        Some(task) => format!("/tasks/{task}"),
        None => "/notifications".to_owned(),
    };
    serde_json::json!({
        "title": n.title,
        "body": item.project_name,
        "url": url,
        // One notification per task on the device: a newer one replaces it.
        "tag": n.task_id.unwrap_or(n.id),
        "kind": n.kind,
        "id": n.id,
    })
    .to_string()
}

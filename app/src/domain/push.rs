//! Web push subscriptions: the devices (browsers, installed apps) a person turned push
//! notifications on for.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::input::char_len;
use super::{AppError, Violations};

pub const MAX_ENDPOINT: usize = 2048;
pub const MAX_DEVICE_NAME: usize = 100;
/// Devices per person: old ones beyond this are forgotten as new ones subscribe.
pub const MAX_PUSH_DEVICES: usize = 20;

/// A device that receives push notifications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushDevice {
    pub id: Uuid,
    /// The push service's address for the device, which tells a browser its own.
    pub endpoint: String,
    /// What the person sees in the list, e.g. "Chrome on Android".
    pub device: String,
    pub created_at: DateTime<Utc>,
}

/// The keys of `PushSubscription.toJSON()`, base64url.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushKeys {
    pub p256dh: String,
    pub auth: String,
}

/// A browser's `PushSubscription.toJSON()`, with an optional name for the device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewPushSubscription {
    pub endpoint: String,
    pub keys: PushKeys,
    #[serde(default)]
    pub device: Option<String>,
    /// Sent by browsers; the server does not need it.
    #[serde(default, rename = "expirationTime", skip_serializing)]
    pub expiration_time: Option<serde_json::Value>,
}

impl NewPushSubscription {
    /// Trimmed and checked for shape; the server checks the keys decode and the
    /// endpoint is a push service it sends to.
    pub fn normalized(self) -> Result<Self, AppError> {
        let s = Self {
            endpoint: self.endpoint.trim().to_owned(),
            device: self.device.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()),
            ..self
        };
        let mut v = Violations::default();
        v.check(!s.endpoint.is_empty(), "endpoint", "must not be empty");
        v.check(s.endpoint.len() <= MAX_ENDPOINT, "endpoint", "must be at most 2048 characters");
        v.check(!s.keys.p256dh.is_empty() && s.keys.p256dh.len() <= 200, "keys", "p256dh is missing or too long");
        v.check(!s.keys.auth.is_empty() && s.keys.auth.len() <= 100, "keys", "auth is missing or too long");
        if let Some(device) = &s.device {
            v.check(char_len(device) <= MAX_DEVICE_NAME, "device", "must be at most 100 characters");
        }
        v.into_result()?;
        Ok(s)
    }
}

/// The instance's `applicationServerKey` for `PushManager.subscribe`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushKey {
    pub public_key: String,
}

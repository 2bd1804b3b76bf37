//! Web push: notifications sent through each browser's push service to the devices
//! their owners turned it on for, encrypted for that device and signed with the
//! instance's VAPID key (made on first start and kept in the database, so that every
//! instance signs alike and subscriptions outlive restarts).

pub mod crypto;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;

pub use crypto::VapidKey;

/// The push services of the browsers people use: Chrome and Edge (FCM), Firefox
/// (Mozilla), Edge on Windows (WNS) and Safari (Apple).
pub const DEFAULT_HOSTS: &str =
    "fcm.googleapis.com,updates.push.services.mozilla.com,*.notify.windows.com,web.push.apple.com,*.push.apple.com";

/// How the instance pushes (`TANDEM_PUSH`, `TANDEM_PUSH_SUBJECT`, `TANDEM_PUSH_HOSTS`).
#[derive(Clone, Debug)]
pub struct PushSettings {
    /// Who runs this server, for push services that need to reach someone: a
    /// `mailto:` address or an https URL.
    pub subject: String,
    /// Hosts subscriptions may point at: the server sends requests there, so anything
    /// else (a private address, say) is refused. `*.` matches subdomains.
    pub hosts: Vec<String>,
    /// Whether this instance sends the queued pushes (`TANDEM_PUSH_SENDER`, on unless
    /// `off`); every instance queues them either way.
    pub sender: bool,
}

/// A device's subscription as stored, with its keys.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredSubscription {
    pub id: uuid::Uuid,
    pub user_id: uuid::Uuid,
    pub endpoint: String,
    /// The device's public point, base64url.
    pub p256dh: String,
    /// The device's 16-byte secret, base64url.
    pub auth: String,
    pub device: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Why a push did not go out.
#[derive(Debug)]
pub struct PushFailure {
    /// The push service no longer knows the subscription (404, 410): forget it.
    pub gone: bool,
    /// Worth trying again later (no answer, 429, 5xx).
    pub retry: bool,
    pub message: String,
}

pub struct Pusher {
    key: VapidKey,
    settings: PushSettings,
    http: reqwest::Client,
}

impl Pusher {
    pub fn new(key: VapidKey, settings: PushSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            // A push service answers; it does not send the server elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { key, settings, http })
    }

    /// The browser's `applicationServerKey`.
    pub fn public_key(&self) -> String {
        self.key.public_key()
    }

    /// Whether the server may send to `endpoint`: https to an allowed host, or plain
    /// http only to a loopback host listed explicitly (a push service run for tests).
    pub fn check_endpoint(&self, endpoint: &str) -> Result<(), &'static str> {
        let url = reqwest::Url::parse(endpoint).map_err(|_| "endpoint is not a URL")?;
        let host = url.host_str().ok_or("endpoint has no host")?.trim_matches(|c| c == '[' || c == ']');
        let allowed = self.settings.hosts.iter().any(|h| match h.strip_prefix("*.") {
            Some(domain) => host.ends_with(&format!(".{domain}")),
            None => host.eq_ignore_ascii_case(h),
        });
        if !allowed {
            return Err("endpoint is not a push service this server sends to");
        }
        let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        match url.scheme() {
            "https" => Ok(()),
            "http" if loopback => Ok(()),
            _ => Err("endpoint must use https"),
        }
    }

    /// Sends one encrypted message to one device.
    pub async fn send(&self, to: &StoredSubscription, payload: &[u8], now: i64) -> Result<(), PushFailure> {
        let permanent = |message: String| PushFailure { gone: false, retry: false, message };
        if let Err(why) = self.check_endpoint(&to.endpoint) {
            return Err(permanent(why.into()));
        }
        let (p256dh, auth) = match (B64.decode(&to.p256dh), B64.decode(&to.auth)) {
            (Ok(p), Ok(a)) => (p, a),
            _ => return Err(permanent("the subscription's keys are not base64url".into())),
        };
        let body = crypto::encrypt(&p256dh, &auth, payload).map_err(|e| permanent(e.to_string()))?;
        let url = reqwest::Url::parse(&to.endpoint).map_err(|e| permanent(e.to_string()))?;
        let audience = url.origin().ascii_serialization();
        let authorization =
            self.key.authorization(&audience, &self.settings.subject, now).map_err(|e| permanent(e.to_string()))?;
        let sent = self
            .http
            .post(url)
            .header("Authorization", authorization)
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            // Kept by the push service for a day while the device is offline.
            .header("TTL", "86400")
            .header("Urgency", "normal")
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return Err(PushFailure { gone: false, retry: true, message: error.to_string() }),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text: String = response.text().await.unwrap_or_default().chars().take(200).collect();
        let message = format!("{status}: {text}");
        Err(match status.as_u16() {
            404 | 410 => PushFailure { gone: true, retry: false, message },
            429 | 500..=599 => PushFailure { gone: false, retry: true, message },
            _ => permanent(message),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pusher(hosts: &str) -> Pusher {
        let settings = PushSettings {
            subject: "mailto:ops@example.com".into(),
            hosts: hosts.split(',').map(str::to_owned).collect(),
            sender: true,
        };
        Pusher::new(VapidKey::generate().unwrap(), settings).unwrap()
    }

    #[test]
    fn only_listed_push_services_are_sent_to_and_only_over_https() {
        let p = pusher(DEFAULT_HOSTS);
        assert!(p.check_endpoint("https://fcm.googleapis.com/fcm/send/abc").is_ok());
        assert!(p.check_endpoint("https://wns2-par02p.notify.windows.com/w/?token=x").is_ok());
        assert!(p.check_endpoint("https://notify.windows.com.evil.example/x").is_err());
        assert!(p.check_endpoint("https://evilfcm.googleapis.com.example/x").is_err());
        assert!(p.check_endpoint("http://fcm.googleapis.com/fcm/send/abc").is_err());
        assert!(p.check_endpoint("https://169.254.169.254/latest/meta-data").is_err());
        assert!(p.check_endpoint("https://127.0.0.1:9/x").is_err());
        assert!(p.check_endpoint("not a url").is_err());
        let tests = pusher("127.0.0.1");
        assert!(tests.check_endpoint("http://127.0.0.1:4000/push/1").is_ok());
        assert!(tests.check_endpoint("http://10.0.0.1/push/1").is_err());
    }
}

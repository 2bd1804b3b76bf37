//! A push service on loopback, as a browser vendor runs one: it takes what Tandem posts
//! to a device's endpoint and answers with the status the test chose. Each device holds
//! its own keys and opens its messages as a browser does (RFC 8291), so a test reads
//! what the device would show.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::{aead, agreement, hkdf, signature};
use serde_json::{json, Value};

/// One message as the push service received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub device: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    /// Status to answer per device; 201 when not set.
    answers: HashMap<String, u16>,
}

#[derive(Clone)]
pub struct PushService {
    pub base: String,
    shared: Arc<Mutex<Shared>>,
}

impl PushService {
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = axum::Router::new().route("/push/{device}", axum::routing::post(receive)).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, shared }
    }

    pub fn answer(&self, device: &str, status: u16) {
        self.shared.lock().unwrap().answers.insert(device.to_owned(), status);
    }

    /// What reached `device` and was accepted or not, oldest first.
    pub fn received(&self, device: &str) -> Vec<Received> {
        self.shared.lock().unwrap().received.iter().filter(|r| r.device == device).cloned().collect()
    }

    pub fn count(&self) -> usize {
        self.shared.lock().unwrap().received.len()
    }
}

async fn receive(
    State(shared): State<Arc<Mutex<Shared>>>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut shared = shared.lock().unwrap();
    shared.received.push(Received { device: device.clone(), headers, body: body.to_vec() });
    StatusCode::from_u16(*shared.answers.get(&device).unwrap_or(&201)).unwrap()
}

/// A browser's side of one subscription: its keys, used once to open a message.
pub struct Device {
    pub name: String,
    private: Option<agreement::EphemeralPrivateKey>,
    public: Vec<u8>,
    auth: [u8; 16],
}

impl Device {
    pub fn new(name: &str) -> Self {
        let rng = SystemRandom::new();
        let private = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
        let public = private.compute_public_key().unwrap().as_ref().to_vec();
        let mut auth = [0u8; 16];
        ring::rand::SecureRandom::fill(&rng, &mut auth).unwrap();
        Self { name: name.to_owned(), private: Some(private), public, auth }
    }

    /// What `PushSubscription.toJSON()` gives for it at `service`.
    pub fn subscription(&self, service: &PushService) -> Value {
        self.subscription_at(&service.base)
    }

    pub fn subscription_at(&self, base: &str) -> Value {
        json!({
            "endpoint": format!("{base}/push/{}", self.name),
            "expirationTime": null,
            "keys": { "p256dh": B64.encode(&self.public), "auth": B64.encode(self.auth) },
            "device": format!("Test {}", self.name),
        })
    }

    /// Opens a message as the browser does: `aes128gcm` with the keys agreed with the
    /// sender's key in the header. (A device's key opens one message in this test.)
    pub fn open(&mut self, body: &[u8]) -> Value {
        let salt = &body[..16];
        let record_size = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert!(record_size >= 18);
        let key_len = body[20] as usize;
        let sender = &body[21..21 + key_len];
        let mut record = body[21 + key_len..].to_vec();
        let private = self.private.take().expect("each test device opens one message");
        let shared = agreement::agree_ephemeral(
            private,
            &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, sender),
            |s| s.to_vec(),
        )
        .unwrap();
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(&self.public);
        info.extend_from_slice(sender);
        let ikm: [u8; 32] = derive(&self.auth, &shared, &info);
        let cek: [u8; 16] = derive(salt, &ikm, b"Content-Encoding: aes128gcm\0");
        let nonce: [u8; 12] = derive(salt, &ikm, b"Content-Encoding: nonce\0");
        let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &cek).unwrap());
        let plain = key
            .open_in_place(aead::Nonce::assume_unique_for_key(nonce), aead::Aad::empty(), &mut record)
            .expect("the message opens with this device's keys");
        assert_eq!(plain.last(), Some(&2), "one record, the last");
        serde_json::from_slice(&plain[..plain.len() - 1]).unwrap()
    }
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn derive<const N: usize>(salt: &[u8], secret: &[u8], info: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(secret).expand(&[info], Len(N)).unwrap().fill(&mut out).unwrap();
    out
}

/// The VAPID claims of a message, once its signature checks out against `public_key`
/// (the server's, base64url).
pub fn vapid_claims(headers: &HeaderMap, public_key: &str) -> Value {
    let value = headers["authorization"].to_str().unwrap();
    let (token, key) = value.strip_prefix("vapid t=").unwrap().split_once(", k=").unwrap();
    assert_eq!(key, public_key, "signed with the key browsers subscribed with");
    let (signed, signature) = token.rsplit_once('.').unwrap();
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, B64.decode(key).unwrap())
        .verify(signed.as_bytes(), &B64.decode(signature).unwrap())
        .expect("the token's signature is valid");
    serde_json::from_slice(&B64.decode(signed.split_once('.').unwrap().1).unwrap()).unwrap()
}

//! The two pieces of cryptography web push needs: the message encrypted for one browser
//! (RFC 8291, `aes128gcm`), and the VAPID header that tells the push service which
//! application server sends it (RFC 8292).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{aead, agreement, hkdf, signature};

/// The record size announced in the header; a notification fits in one record.
const RECORD_SIZE: u32 = 4096;
/// The most plaintext a push carries: RFC 8291 keeps the whole body within 4096 bytes
/// (less the 86-byte header, the tag and the delimiter).
pub const MAX_PLAINTEXT: usize = 4096 - 86 - 16 - 1;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CryptoError(pub &'static str);

/// The application server's signing key, as PKCS#8, and its public point.
pub struct VapidKey {
    pair: signature::EcdsaKeyPair,
    pkcs8: Vec<u8>,
}

impl VapidKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let rng = SystemRandom::new();
        let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| CryptoError("cannot generate a VAPID key"))?;
        Self::from_pkcs8(pkcs8.as_ref())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, CryptoError> {
        let pair = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8,
            &SystemRandom::new(),
        )
        .map_err(|_| CryptoError("the stored VAPID key is not a P-256 PKCS#8 key"))?;
        Ok(Self { pair, pkcs8: pkcs8.to_vec() })
    }

    /// Base64url, as stored.
    pub fn to_stored(&self) -> String {
        B64.encode(&self.pkcs8)
    }

    pub fn from_stored(text: &str) -> Result<Self, CryptoError> {
        Self::from_pkcs8(&B64.decode(text).map_err(|_| CryptoError("the stored VAPID key is not base64url"))?)
    }

    /// The uncompressed public point, base64url: the browser's `applicationServerKey`.
    pub fn public_key(&self) -> String {
        B64.encode(signature::KeyPair::public_key(&self.pair).as_ref())
    }

    /// `Authorization: vapid t=…, k=…` for a push service at `audience` (its origin),
    /// valid for 12 hours from `now` (the most RFC 8292 lets a push service demand).
    pub fn authorization(&self, audience: &str, subject: &str, now: i64) -> Result<String, CryptoError> {
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": audience, "exp": now + 12 * 3600, "sub": subject });
        let claims = B64.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signed.as_bytes())
            .map_err(|_| CryptoError("cannot sign the VAPID token"))?;
        Ok(format!("vapid t={signed}.{}, k={}", B64.encode(signature.as_ref()), self.public_key()))
    }
}

/// `plaintext` encrypted for the browser whose subscription holds `p256dh` (its public
/// point) and `auth` (its 16-byte secret), as the body of one push message.
pub fn encrypt(p256dh: &[u8], auth: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(CryptoError("the message is too long for one push"));
    }
    let rng = SystemRandom::new();
    let ours = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng)
        .map_err(|_| CryptoError("cannot make a key"))?;
    let our_public = ours.compute_public_key().map_err(|_| CryptoError("cannot make a key"))?;
    let theirs = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, p256dh);
    let shared = agreement::agree_ephemeral(ours, &theirs, |secret| secret.to_vec())
        .map_err(|_| CryptoError("the subscription's p256dh is not a P-256 point"))?;

    // IKM = HKDF(auth, shared, "WebPush: info" 0x00 ua_public as_public, 32)
    let mut info = b"WebPush: info\0".to_vec();
    info.extend_from_slice(p256dh);
    info.extend_from_slice(our_public.as_ref());
    let ikm: [u8; 32] = expand(&hkdf::Salt::new(hkdf::HKDF_SHA256, auth).extract(&shared), &info)?;

    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| CryptoError("no randomness"))?;
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &salt).extract(&ikm);
    let cek: [u8; 16] = expand(&prk, b"Content-Encoding: aes128gcm\0")?;
    let nonce: [u8; 12] = expand(&prk, b"Content-Encoding: nonce\0")?;

    // One record: the plaintext, then the delimiter of the last record.
    let mut record = plaintext.to_vec();
    record.push(2);
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, &cek).map_err(|_| CryptoError("bad content key"))?,
    );
    key.seal_in_place_append_tag(aead::Nonce::assume_unique_for_key(nonce), aead::Aad::empty(), &mut record)
        .map_err(|_| CryptoError("cannot encrypt"))?;

    let mut body = Vec::with_capacity(16 + 4 + 1 + our_public.as_ref().len() + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(our_public.as_ref().len() as u8);
    body.extend_from_slice(our_public.as_ref());
    body.extend_from_slice(&record);
    Ok(body)
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn expand<const N: usize>(prk: &hkdf::Prk, info: &[u8]) -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    prk.expand(&[info], Len(N)).and_then(|okm| okm.fill(&mut out)).map_err(|_| CryptoError("key derivation failed"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vapid_token_is_signed_by_the_key_it_names_and_survives_storage() {
        let key = VapidKey::from_stored(&VapidKey::generate().unwrap().to_stored()).unwrap();
        let header = key.authorization("https://push.example", "mailto:ops@example.com", 1_000).unwrap();
        let (token, public) = header.strip_prefix("vapid t=").unwrap().split_once(", k=").unwrap();
        assert_eq!(public, key.public_key());
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let public = B64.decode(public).unwrap();
        assert_eq!((public.len(), public[0]), (65, 4), "an uncompressed P-256 point");
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &public)
            .verify(signed.as_bytes(), &B64.decode(signature).unwrap())
            .expect("a valid ES256 signature");
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(signed.split_once('.').unwrap().1).unwrap()).unwrap();
        assert_eq!(
            claims,
            serde_json::json!({ "aud": "https://push.example", "exp": 44_200, "sub": "mailto:ops@example.com" })
        );
    }

    #[test]
    fn the_body_carries_salt_record_size_and_key_before_one_sealed_record() {
        let rng = SystemRandom::new();
        let browser = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
        let p256dh = browser.compute_public_key().unwrap();
        let body = encrypt(p256dh.as_ref(), &[7u8; 16], b"{\"title\":\"hi\"}").unwrap();
        assert_eq!(u32::from_be_bytes(body[16..20].try_into().unwrap()), 4096);
        assert_eq!(body[20], 65);
        assert_eq!(body.len(), 16 + 4 + 1 + 65 + 14 + 1 + 16, "plaintext, delimiter and tag");
        assert!(encrypt(p256dh.as_ref(), &[7u8; 16], &[b'x'; MAX_PLAINTEXT + 1]).is_err());
        assert!(encrypt(&[4u8; 65], &[7u8; 16], b"x").is_err(), "not a point on the curve");
    }
}

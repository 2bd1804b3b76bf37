//! Session ids and API tokens: 256 random bits, of which only a SHA-256 is stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The token a request carries: `Authorization: Bearer`, else the session cookie (the
/// `__Host-` one when `secure`).
pub fn from_headers(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    if let Some(value) = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = value.trim().split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned()).filter(|t| !t.is_empty());
    }
    super::cookie::session_from_headers(headers, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash(&a).len(), 32);
        assert_ne!(hash(&a), hash(&b));
    }

    #[test]
    fn bearer_header_wins_over_cookie() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, "tandem_session=fromcookie".parse().unwrap());
        assert_eq!(from_headers(&headers, false).as_deref(), Some("fromcookie"));
        headers.insert(http::header::AUTHORIZATION, "Bearer fromheader".parse().unwrap());
        assert_eq!(from_headers(&headers, false).as_deref(), Some("fromheader"));
        headers.insert(http::header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(from_headers(&headers, false), None);
    }
}

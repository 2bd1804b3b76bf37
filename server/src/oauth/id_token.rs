//! Checking an OpenID Connect ID token: its signature by one of the issuer's published
//! keys (never `none`, never a shared secret), then `iss`, `aud` (and `azp`), `exp` and
//! the `nonce` this sign-in sent.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The claims Tandem reads; anything else in the token is ignored.
#[derive(Clone, Debug, Deserialize)]
pub struct IdClaims {
    pub sub: String,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    /// A string or a list; `jsonwebtoken` checks that it names this client.
    #[serde(default)]
    aud: serde_json::Value,
    #[serde(default)]
    pub email: Option<String>,
    /// Some providers send `"true"` as a string.
    #[serde(default)]
    pub email_verified: Option<serde_json::Value>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub picture: Option<String>,
}

/// `true` or `"true"`.
pub fn is_true(value: Option<&serde_json::Value>) -> bool {
    match value {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IdTokenError {
    #[error("the ID token is malformed: {0}")]
    Malformed(String),
    #[error("the ID token is signed with {0:?}, which is not accepted")]
    Algorithm(Algorithm),
    /// No published key has the token's key id; the caller may fetch the keys again.
    #[error("no key of the issuer matches the ID token")]
    UnknownKey,
    #[error("the ID token failed validation: {0}")]
    Invalid(String),
    #[error("the ID token's nonce is not the one this sign-in sent")]
    Nonce,
}

/// Signature algorithms accepted: asymmetric only, so a token cannot be forged with the
/// client secret, and `none` never passes.
const ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Validates `token` as issued by `issuer` to `client_id` for the sign-in that sent `nonce`.
pub fn validate(
    token: &str,
    keys: &JwkSet,
    issuer: &str,
    client_id: &str,
    nonce: &str,
) -> Result<IdClaims, IdTokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| IdTokenError::Malformed(e.to_string()))?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(IdTokenError::Algorithm(header.alg));
    }
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        // Without a key id, only an issuer with a single key is unambiguous.
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or(IdTokenError::UnknownKey)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| IdTokenError::Malformed(e.to_string()))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 60;
    let claims = jsonwebtoken::decode::<IdClaims>(token, &key, &validation)
        .map_err(|e| IdTokenError::Invalid(e.to_string()))?
        .claims;
    // With several audiences the token must have been issued to us (OIDC Core 3.1.3.7).
    let audiences = claims.aud.as_array().map_or(1, Vec::len);
    if audiences > 1 && claims.azp.as_deref() != Some(client_id) {
        return Err(IdTokenError::Invalid("azp is not this client".into()));
    }
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(IdTokenError::Nonce);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use jsonwebtoken::{EncodingKey, Header};
    use ring::signature::{Ed25519KeyPair, KeyPair};
    use serde_json::json;

    use super::*;

    const ISSUER: &str = "https://id.example.com";

    struct Signer {
        pkcs8: Vec<u8>,
        keys: JwkSet,
    }

    fn signer() -> Signer {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap().as_ref().to_vec();
        let public = Ed25519KeyPair::from_pkcs8(&pkcs8).unwrap().public_key().as_ref().to_vec();
        let keys = serde_json::from_value(json!({ "keys": [{
            "kty": "OKP", "crv": "Ed25519", "kid": "k1", "alg": "EdDSA", "use": "sig",
            "x": URL_SAFE_NO_PAD.encode(public),
        }]}))
        .unwrap();
        Signer { pkcs8, keys }
    }

    impl Signer {
        fn sign(&self, claims: serde_json::Value) -> String {
            let mut header = Header::new(Algorithm::EdDSA);
            header.kid = Some("k1".into());
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(&self.pkcs8)).unwrap()
        }
    }

    fn claims() -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        json!({ "iss": ISSUER, "aud": "tandem", "sub": "u1", "exp": now + 300, "iat": now,
                "nonce": "n1", "email": "ada@example.com", "email_verified": true })
    }

    fn with(change: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
        let mut c = claims();
        change(&mut c);
        c
    }

    #[test]
    fn a_good_token_passes_and_its_claims_are_read() {
        let s = signer();
        let c = validate(&s.sign(claims()), &s.keys, ISSUER, "tandem", "n1").unwrap();
        assert_eq!(c.sub, "u1");
        assert!(is_true(c.email_verified.as_ref()));
    }

    #[test]
    fn every_check_refuses_a_bad_token() {
        let s = signer();
        let check = |claims: serde_json::Value| validate(&s.sign(claims), &s.keys, ISSUER, "tandem", "n1");
        assert!(matches!(check(with(|c| c["iss"] = json!("https://evil.example"))), Err(IdTokenError::Invalid(_))));
        assert!(matches!(check(with(|c| c["aud"] = json!("someone-else"))), Err(IdTokenError::Invalid(_))));
        let expired = chrono::Utc::now().timestamp() - 3600;
        assert!(matches!(check(with(|c| c["exp"] = json!(expired))), Err(IdTokenError::Invalid(_))));
        assert!(matches!(check(with(|c| c["nonce"] = json!("replayed"))), Err(IdTokenError::Nonce)));
        assert!(matches!(
            check(with(|c| c.as_object_mut().unwrap().remove("nonce").map(drop).unwrap())),
            Err(IdTokenError::Nonce)
        ));
        let many = with(|c| c["aud"] = json!(["tandem", "other"]));
        assert!(matches!(check(many), Err(IdTokenError::Invalid(_))), "several audiences need azp");
        let many_with_azp = with(|c| {
            c["aud"] = json!(["tandem", "other"]);
            c["azp"] = json!("tandem");
        });
        assert!(check(many_with_azp).is_ok());
    }

    #[test]
    fn forged_signatures_shared_secrets_and_none_are_refused() {
        let s = signer();
        let other = signer();
        // Signed by a key the issuer never published, under its key id.
        let forged = other.sign(claims());
        assert!(matches!(validate(&forged, &s.keys, ISSUER, "tandem", "n1"), Err(IdTokenError::Invalid(_))));
        // HS256 with a secret anyone holding the client secret could use.
        let hs =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(), &EncodingKey::from_secret(b"k")).unwrap();
        assert!(matches!(validate(&hs, &s.keys, ISSUER, "tandem", "n1"), Err(IdTokenError::Algorithm(_))));
        // alg "none": a header and payload without a signature.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#),
            URL_SAFE_NO_PAD.encode(claims().to_string())
        );
        assert!(validate(&none, &s.keys, ISSUER, "tandem", "n1").is_err());
        // A key id the issuer does not publish.
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("k2".into());
        let unknown = jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_ed_der(&s.pkcs8)).unwrap();
        assert!(matches!(validate(&unknown, &s.keys, ISSUER, "tandem", "n1"), Err(IdTokenError::UnknownKey)));
    }
}

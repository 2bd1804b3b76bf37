//! Security headers on every response, and the Content-Security-Policy that lets only
//! our own scripts run.
//!
//! A server-rendered page gets a fresh nonce (Leptos puts it on its inline hydration
//! scripts); the page's shell hands it over in [`app::backend::CSP_NONCE_HEADER`], which
//! is taken off the response here and turned into the page's policy. Inline scripts
//! without it — anything user content could smuggle in — do not run. WebAssembly needs
//! `'wasm-unsafe-eval'`, which allows compiling WASM, not `eval` of strings.

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

#[derive(Clone, Copy, Debug)]
pub struct HeaderSettings {
    /// Adds `Strict-Transport-Security`, for a server reached over https.
    pub https: bool,
}

/// Everything that is not a page: JSON, files. Nothing in it may run or be framed.
const RESOURCE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The interactive API documentation (Swagger UI) loads its own script and styles.
const API_DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: https:; \
         connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn add_security_headers(State(settings): State<HeaderSettings>, request: Request, next: Next) -> Response {
    let docs = request.uri().path().starts_with("/api/docs");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let nonce = headers.remove(app::backend::CSP_NONCE_HEADER);
    let policy = match nonce.as_ref().and_then(|n| n.to_str().ok()) {
        Some(nonce) if is_nonce(nonce) => page_policy(nonce),
        _ if docs => API_DOCS_POLICY.to_owned(),
        _ => RESOURCE_POLICY.to_owned(),
    };
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (HeaderName::from_static("cross-origin-resource-policy"), "same-origin"),
        (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), payment=()"),
    ];
    for (name, value) in fixed {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if settings.https {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}

/// Leptos' nonces are URL-safe base64; anything else is not ours and is not echoed.
fn is_nonce(value: &str) -> bool {
    !value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_policy_allows_only_nonced_inline_scripts() {
        let policy = page_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        let script_src = policy.split(';').find(|d| d.trim().starts_with("script-src ")).unwrap();
        assert!(!script_src.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"));
        assert!(is_nonce("Zk3_-a") && !is_nonce("a b") && !is_nonce("'none'"));
    }
}

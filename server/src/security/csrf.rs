//! Cross-site request forgery: a request that changes something is refused when the
//! browser says it comes from another site.
//!
//! Browsers send `Sec-Fetch-Site` with every request; it is trusted when present. Older
//! browsers send only `Origin`, which must then name this server (its public URL or the
//! host the request was sent to). Clients that are not browsers (scripts, integrations)
//! send neither and are not at risk: they hold their bearer token themselves. The
//! session cookie's `SameSite=Lax` is the second lock on the same door.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::domain::{AppError, ErrorCode};

use crate::api::ApiError;

/// The origin (`scheme://host[:port]`) of the configured public URL.
#[derive(Clone, Debug)]
pub struct PublicOrigin(pub String);

pub async fn refuse_cross_site(State(origin): State<PublicOrigin>, request: Request, next: Next) -> Response {
    if changes_state(request.method()) && is_cross_site(request.headers(), &origin.0) {
        tracing::info!(path = %request.uri().path(), "cross-site request refused");
        let error = AppError::new(ErrorCode::Forbidden, "cross-site requests are refused");
        return ApiError::from(error).into_response();
    }
    next.run(request).await
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub fn is_cross_site(headers: &HeaderMap, public_origin: &str) -> bool {
    let text = |name| headers.get(name).and_then(|v: &header::HeaderValue| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        // `none`: typed into the address bar or a bookmark; never a page's doing.
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = text(header::ORIGIN) else {
        return false;
    };
    let host = text(header::HOST).unwrap_or_default();
    let own = |scheme: &str| !host.is_empty() && origin.eq_ignore_ascii_case(&format!("{scheme}://{host}"));
    !(origin.eq_ignore_ascii_case(public_origin) || own("http") || own("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    const PUBLIC: &str = "https://tasks.example.com";

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")]), PUBLIC));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")]), PUBLIC));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")]), PUBLIC));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")]), PUBLIC), "a sibling subdomain");
        let lying_origin = headers(&[("sec-fetch-site", "cross-site"), ("origin", PUBLIC)]);
        assert!(is_cross_site(&lying_origin, PUBLIC));
    }

    #[test]
    fn origin_must_be_this_server_when_fetch_metadata_is_missing() {
        assert!(!is_cross_site(&headers(&[]), PUBLIC), "not a browser");
        assert!(!is_cross_site(&headers(&[("origin", PUBLIC)]), PUBLIC));
        assert!(!is_cross_site(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), PUBLIC));
        assert!(is_cross_site(&headers(&[("origin", "https://evil.example")]), PUBLIC));
        assert!(is_cross_site(&headers(&[("origin", "null")]), PUBLIC));
        assert!(is_cross_site(&headers(&[("origin", "https://tasks.example.com.evil.example")]), PUBLIC));
    }
}

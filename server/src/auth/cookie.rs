//! The browser session cookie: HttpOnly, SameSite=Lax, and over https `Secure` with the
//! `__Host-` name (the browser then refuses it from a subdomain, a path or plain http).
//!
//! Over plain http (a server on a LAN, `localhost` in development) browsers do not keep
//! `Secure` cookies, so the cookie is plain `tandem_session` there.

pub const SESSION_COOKIE: &str = "tandem_session";
pub const SECURE_SESSION_COOKIE: &str = "__Host-tandem_session";

pub fn set(token: &str, max_age_secs: i64, secure: bool) -> String {
    if secure {
        format!("{SECURE_SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}; Secure")
    } else {
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}")
    }
}

pub fn clear(secure: bool) -> String {
    set("", 0, secure)
}

pub const FLOW_COOKIE: &str = "tandem_oauth";
pub const SECURE_FLOW_COOKIE: &str = "__Host-tandem_oauth";

/// Binds a provider sign-in to the browser that started it. `SameSite=Lax` still
/// travels with the provider's top-level redirect back.
pub fn set_flow(secret: &str, max_age_secs: i64, secure: bool) -> String {
    let name = if secure { SECURE_FLOW_COOKIE } else { FLOW_COOKIE };
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

pub fn clear_flow(secure: bool) -> String {
    set_flow("", 0, secure)
}

pub fn flow_from_headers(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    named(headers, if secure { SECURE_FLOW_COOKIE } else { FLOW_COOKIE })
}

/// The session a request carries. Over https only the `__Host-` cookie counts: a plain
/// one could have been planted by a sibling subdomain or over plain http.
pub fn session_from_headers(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    named(headers, if secure { SECURE_SESSION_COOKIE } else { SESSION_COOKIE })
}

fn named(headers: &http::HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == wanted && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_http_only_lax_and_host_only_secure_on_https() {
        let c = set("abc", 60, true);
        assert!(c.starts_with("__Host-tandem_session=abc; Path=/;"));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure") && !c.contains("Domain"));
        let plain = set("abc", 60, false);
        assert!(plain.starts_with("tandem_session=abc") && !plain.contains("Secure"));
        assert!(clear(false).contains("Max-Age=0"));
    }

    #[test]
    fn reads_the_session_among_other_cookies() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, "a=1; tandem_session=xyz; b=2".parse().unwrap());
        assert_eq!(session_from_headers(&headers, false).as_deref(), Some("xyz"));
        assert_eq!(session_from_headers(&headers, true), None, "over https a plain cookie may be planted");
        headers.insert(http::header::COOKIE, "tandem_session=planted; __Host-tandem_session=sec".parse().unwrap());
        assert_eq!(session_from_headers(&headers, true).as_deref(), Some("sec"));
    }
}

//! The browser session cookie: HttpOnly, SameSite=Lax, Secure when served over https.

pub const SESSION_COOKIE: &str = "tandem_session";

pub fn set(token: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

pub fn clear(secure: bool) -> String {
    set("", 0, secure)
}

pub fn session_from_headers(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_http_only_lax_and_secure_on_https() {
        let c = set("abc", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(!set("abc", 60, false).contains("Secure"));
        assert!(clear(false).contains("Max-Age=0"));
    }

    #[test]
    fn reads_the_session_among_other_cookies() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, "a=1; tandem_session=xyz; b=2".parse().unwrap());
        assert_eq!(session_from_headers(&headers).as_deref(), Some("xyz"));
    }
}

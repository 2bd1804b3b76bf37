//! Secrets: password hashes, session and API tokens, the session cookie.

pub mod cookie;
pub mod password;
pub mod token;

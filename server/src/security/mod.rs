//! The doors' locks that sit in front of every handler: security headers, refusal of
//! cross-site requests, the client's address, and the rate limits sign-in uses.

pub mod client_ip;
pub mod csrf;
pub mod headers;
pub mod rate_limit;

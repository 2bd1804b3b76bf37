//! Server functions: the UI's door to the service layer. Each one authenticates,
//! calls one use case and returns its answer; nothing else happens here.

pub mod account;
pub mod auth;
pub mod comments;
pub mod identities;
pub mod notifications;
pub mod projects;
pub mod push;
pub mod tasks;

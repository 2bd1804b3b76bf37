//! Everything that runs only on the server: the router, the service layer, storage,
//! authentication and the REST API.

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod email;
pub mod limits;
pub mod markdown;
pub mod oauth;
pub mod peer;
pub mod poller;
pub mod push;
pub mod realtime;
pub mod recurrence;
pub mod reminders;
pub mod security;
pub mod service;
pub mod startup;
pub mod store;
mod web;
pub mod zone;

//! The HTTP contract of API.md, exercised against the real server.

mod access;
mod auth;
mod authz_matrix;
mod comments;
mod digests;
mod email;
mod errors;
mod helpers;
mod notifications;
mod oauth;
mod oidc;
mod ops;
#[path = "../support/ports.rs"]
mod ports;
#[path = "../support/postgres.rs"]
mod postgres;
mod projects;
mod push;
mod push_service;
mod realtime;
mod recurring;
mod reminders;
mod schedule;
mod security;
mod smtp;
mod task_filters;
mod task_versions;
mod tasks;

//! The in-process HTTP suite: the whole router, driven with `oneshot`, on every database
//! backend `signet_store::testing::databases` offers (SQLite always; PostgreSQL when
//! `SIGNET_TEST_DATABASE_URL` is set). Every response is also checked for what must hold
//! everywhere: security headers, no server error, nothing internal in the body.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

#[path = "http/support.rs"]
mod support;

#[path = "http/pages.rs"]
mod pages;

#[path = "http/api.rs"]
mod api;

#[path = "http/isolation.rs"]
mod isolation;

#[path = "http/incoming.rs"]
mod incoming;

#[path = "http/uploads.rs"]
mod uploads;

#[path = "http/certificates.rs"]
mod certificates;

#[path = "http/verify.rs"]
mod verify;

#[path = "http/signing.rs"]
mod signing;

#[path = "http/search.rs"]
mod search;

#[path = "http/administration.rs"]
mod administration;

#[path = "http/dossiers.rs"]
mod dossiers;

#[path = "http/integrations.rs"]
mod integrations;
#[path = "http/meetings.rs"]
mod meetings;
#[path = "http/profile.rs"]
mod profile;

#[path = "http/copies.rs"]
mod copies;
// The drafting cycle: routes, returns, versions (issue 13 §2).
#[path = "http/drafting.rs"]
mod drafting;

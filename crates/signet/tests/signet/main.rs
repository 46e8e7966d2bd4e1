//! The `signet` binary end to end, in one test binary (each test binary is another link on
//! two cores): the CLI basics, the built-in CA, PAdES signing and verification, and the
//! certificate inventory.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

mod support;

mod ca;
mod cli;
mod edxml;
mod inventory;
mod pades;
mod vn_trust;

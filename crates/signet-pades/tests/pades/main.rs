//! signet-pades' integration tests, one binary (each test binary is another link).
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

mod corpus;
mod encrypted;
mod names;
mod past;
mod sign_verify;
mod tails;

//! signet-signers' integration tests, one binary (each test binary is another link). The
//! SoftHSM2 tests share this process's module, each on a token of its own
//! (`signet_testkit::softhsm`).
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

mod common;
mod pkcs11_cades;
mod softhsm;
mod software_cades;

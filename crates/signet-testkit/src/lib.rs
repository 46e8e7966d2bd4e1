//! Test helpers shared by Signet's test suites, so each suite stops carrying its own copy:
//!
//! - [`OsRng`]: the operating system's random source (rand_core's, over `getrandom`);
//! - [`TempDir`]: a scratch directory removed on drop (`tempfile`), kept when a test fails;
//! - [`tool`], [`openssl`], [`run`], [`text`]: external referees, with the command and its
//!   output in every failure message; a missing tool skips locally and fails under CI;
//! - [`softhsm`]: SoftHSM2 tokens per test, without touching the process environment for
//!   child processes.
//!
//! Only ever a dev-dependency. Test code: a failed set-up panics with a message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod scratch;
pub mod softhsm;
mod tools;

pub use rand_core::OsRng;
pub use scratch::TempDir;
pub use tools::{openssl, openssl_ok, require_tool, run, run_ok, text, tool};

/// `n` random bytes as lowercase hex, for unique names.
pub fn random_hex(n: usize) -> String {
    use rand_core::RngCore;
    let mut b = vec![0u8; n];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

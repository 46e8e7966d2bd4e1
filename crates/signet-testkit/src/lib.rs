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

// Tests' one source of randomness (the lint keeps it out of library code).
#[allow(clippy::disallowed_types)]
pub use rand_core::OsRng;
pub use scratch::TempDir;
pub use tools::{openssl, openssl_ok, require_tool, run, run_ok, shared_dir, text, tool};

/// `n` random bytes as lowercase hex, for unique names.
pub fn random_hex(n: usize) -> String {
    use rand_core::RngCore;
    let mut b = vec![0u8; n];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Deterministic bytes (splitmix64) for hostile-input tests, so a failure reproduces from
/// its seed. Not for keys: those come from [`OsRng`].
pub struct SplitMix64(pub u64);

impl rand_core::RngCore for SplitMix64 {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// A handwritten-signature picture as a baseline JPEG (300 × 120, RGB; rendered by poppler's
/// `pdftoppm -jpeg` from a one-line PDF), for the JPEG signature-image tests.
pub const SIGNATURE_JPEG: &[u8] = include_bytes!("../fixtures/signature.jpg");
/// The same picture as a CMYK JPEG (`pdftoppm -jpegcmyk`): a kind the appearance refuses.
pub const SIGNATURE_JPEG_CMYK: &[u8] = include_bytes!("../fixtures/signature-cmyk.jpg");

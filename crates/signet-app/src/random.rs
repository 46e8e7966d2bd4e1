//! The application's one source of randomness: the operating system's. Everything random
//! in the use cases (salts, serials, key ids, CA keys) comes through here, which is why the
//! workspace lints allow the OS random source in this module only.

/// Fills `dest` from the operating system's random source.
#[allow(clippy::disallowed_methods)]
pub fn fill(dest: &mut [u8]) -> Result<(), String> {
    getrandom::getrandom(dest)
        .map_err(|e| format!("the operating system's random source failed: {e}"))
}

/// The operating system's random source, handed to the pure PKI crate.
pub struct OsRng;

impl rand_core::RngCore for OsRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // The trait has no way to report it; the PKI crate calls `try_fill_bytes`.
        #[allow(clippy::expect_used)]
        self.try_fill_bytes(dest)
            .expect("the operating system's random source failed");
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        fill(dest).map_err(rand_core::Error::new)
    }
}

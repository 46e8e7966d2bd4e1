//! Randomness for the use cases (salts, serials, key ids, CA keys): the store's one source
//! ([`signet_store::fill_random`]), here as a function and as an `RngCore` for the pure PKI
//! crate.

/// Fills `dest` from the operating system's random source.
pub fn fill(dest: &mut [u8]) -> Result<(), String> {
    signet_store::fill_random(dest)
}

/// The operating system's random source, handed to the pure PKI crate.
pub struct OsRng;

/// The operating system's source is a CSPRNG.
impl rand_core::CryptoRng for OsRng {}

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

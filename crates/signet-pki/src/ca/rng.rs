//! The caller's random number generator: serial numbers, and RSA key generation.

use crate::error::{PkiError, Result};

/// The caller's RNG as the CSPRNG the `rsa` crate asks for: every caller passes the operating
/// system's generator (OsRng); tests may pass a seeded one for serials only.
pub(super) struct CallerRng<'a>(pub(super) &'a mut dyn rand_core::RngCore);

impl rand_core::RngCore for CallerRng<'_> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> std::result::Result<(), rand_core::Error> {
        self.0.try_fill_bytes(dest)
    }
}

impl rand_core::CryptoRng for CallerRng<'_> {}

/// 16 random bytes from the caller's RNG, as a positive serial of 121-127 bits.
pub(super) fn random_serial(rng: &mut dyn rand_core::RngCore) -> Result<Vec<u8>> {
    let mut b = [0u8; 16];
    rng.try_fill_bytes(&mut b)
        .map_err(|e| PkiError::Random(e.to_string()))?;
    b[0] &= 0x7f;
    b[0] |= 0x40;
    Ok(b.to_vec())
}

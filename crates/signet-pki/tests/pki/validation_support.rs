//! Helpers shared by the validation test modules.

use signet_testkit::TempDir;
use time::OffsetDateTime;

pub use signet_testkit::{openssl, text, OsRng};

/// `openssl` must be there under CI; locally a test without it skips with a message.
pub fn have_openssl() -> bool {
    signet_testkit::require_tool("openssl")
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

/// The first certificate of a PEM or DER file, as DER.
pub fn der_of(dir: &TempDir, name: &str) -> Vec<u8> {
    signet_pki::validation::certificates_from_pem_or_der(&dir.read(name))
        .unwrap()
        .remove(0)
}

//! Where the PKCS#11 module of the user's token is looked for when `--module` is not given.
//!
//! Vietnamese public CAs ship their USB tokens (mostly rebranded Feitian ePass2003,
//! SafeNet/Gemalto eToken, WatchData, Bkav/SecureMetric devices) with a middleware that
//! installs a PKCS#11 library under the CA's own name. The names below are the best known
//! ones, gathered from public integration code of Vietnamese e-government and e-invoice
//! software; none is verified by a test here except SoftHSM2's. `--module PATH` always wins.

use std::path::{Path, PathBuf};

/// Windows: library names installed in `%SystemRoot%\System32`, most common first.
pub const WINDOWS_NAMES: &[&str] = &[
    // Viettel-CA
    "viettel-ca_v6.dll",
    "viettel-ca_v5.dll",
    "viettel-ca_v4.dll",
    "viettel-ca_v3.dll",
    "viettel-ca_v2.dll",
    "viettel-ca_v1.dll",
    "viettel-ca.dll",
    // VNPT-CA
    "vnptca_p11_v10.dll",
    "vnptca_p11_v8.dll",
    "vnptca_p11_v6.dll",
    "vnpt-ca_csp11.dll",
    "vnpt-ca_v34.dll",
    "vnpt-ca_cl_v1.dll",
    // BkavCA (SecureMetric)
    "BkavCA.dll",
    "BkavCAv2S.dll",
    "st3csp11.dll",
    // FPT-CA
    "fpt-ca_v5.dll",
    "fpt-ca_v4.dll",
    "fpt-ca.dll",
    "fpt-ca-stx.dll",
    // Safe-CA
    "Safe-ca_v2.dll",
    "Safe-ca_v1.dll",
    "safe-ca.dll",
    // NewTel-CA
    "newca_v4.dll",
    "newtel-ca.dll",
    // Nacencomm CA2 / NC-CA
    "CA2_csp11.dll",
    "CA2_v34.dll",
    "ncca_csp11_v1.dll",
    "ShuttleCsp11_3003.dll",
    // SmartSign (Vina-CA), EFY-CA
    "vina-ca_v5.dll",
    "Vina-CA.dll",
    "efy-ca_v1.dll",
    // The devices under those brands
    "eps2003csp11.dll",
    "eTPKCS11.dll",
    "wdpkcs.dll",
    "gclib.dll",
    "ngp11v211.dll",
    // OpenSC
    "opensc-pkcs11.dll",
];

/// macOS: `.dylib` names in `/usr/local/lib` or `/Library/...` middleware folders.
pub const MACOS_NAMES: &[&str] = &[
    "viettel-ca_v6.dylib",
    "viettel-ca_v5.dylib",
    "viettel-ca_v4.dylib",
    "vnptca_p11_v8.dylib",
    "libcastle.1.0.0.dylib",
    "libeTPkcs11.dylib",
    "opensc-pkcs11.so",
    "libsofthsm2.so",
];

/// Linux: `.so` names in the usual library directories.
pub const LINUX_NAMES: &[&str] = &[
    "libviettel-ca_v6.so",
    "libvnptca_p11_v8.so",
    "libcastle.so.1.0.0",
    "libeTPkcs11.so",
    "opensc-pkcs11.so",
    "libsofthsm2.so",
];

fn dirs() -> Vec<PathBuf> {
    if cfg!(windows) {
        let root = std::env::var_os("SystemRoot").unwrap_or_else(|| "C:\\Windows".into());
        vec![PathBuf::from(root).join("System32")]
    } else if cfg!(target_os = "macos") {
        [
            "/usr/local/lib",
            "/opt/homebrew/lib",
            "/Library/OpenSC/lib",
            "/usr/lib",
        ]
        .iter()
        .map(PathBuf::from)
        .collect()
    } else {
        [
            "/usr/lib",
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/usr/lib64",
            "/usr/local/lib",
            "/usr/lib/x86_64-linux-gnu/pkcs11",
            "/usr/lib/pkcs11",
            "/usr/lib/softhsm",
            "/usr/lib/x86_64-linux-gnu/softhsm",
            "/usr/local/lib/softhsm",
        ]
        .iter()
        .map(PathBuf::from)
        .collect()
    }
}

fn names() -> &'static [&'static str] {
    if cfg!(windows) {
        WINDOWS_NAMES
    } else if cfg!(target_os = "macos") {
        MACOS_NAMES
    } else {
        LINUX_NAMES
    }
}

/// Every place looked at, in order: each known name in each usual directory.
pub fn candidates() -> Vec<PathBuf> {
    let dirs = dirs();
    names()
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .collect()
}

/// The first candidate that exists, or the list of those tried.
pub fn find() -> Result<PathBuf, Vec<PathBuf>> {
    let all = candidates();
    all.iter()
        .find(|p| Path::new(p).is_file())
        .cloned()
        .ok_or(all)
}

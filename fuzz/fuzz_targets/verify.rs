//! The whole PAdES verifier on a PDF (no trust anchors, no network).
//! The body is `signet_fuzz::targets::verify`, which the stable runner calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = signet_fuzz::targets::verify(data);
});

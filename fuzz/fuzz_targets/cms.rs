//! The CMS reader and verifier on raw DER (signatures and time-stamp tokens).
//! The body is `signet_fuzz::targets::cms`, which the stable runner calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = signet_fuzz::targets::cms(data);
});

//! The CSC server's request parsing (authorize, signHash, ...): JSON, base64 digests.
//! The body is `signet_fuzz::targets::csc`, which the stable runner calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = signet_fuzz::targets::csc(data);
});

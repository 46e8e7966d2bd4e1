//! The PDF reader end to end (parse, walk, update, prepare a signature).
//! The body is `signet_fuzz::targets::pdf`, which the stable runner calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = signet_fuzz::targets::pdf(data);
});

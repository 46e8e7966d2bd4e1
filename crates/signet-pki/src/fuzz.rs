//! Fuzz targets: entry points that take arbitrary bytes and must return (never panic, never
//! loop) whatever they are. Both fuzz runners call them: the stable mutation fuzzer
//! (`crates/signet-fuzz`) and cargo-fuzz's libFuzzer targets (`fuzz/`).

use crate::cms_parse::parse_signature;
use crate::cms_verify::verify_integrity;
use crate::timestamp::{parse_timestamp_token, verify_timestamp_token};

/// Parses and verifies arbitrary bytes as a signature over arbitrary data, for fuzzing: must
/// return (never panic, never loop) whatever the input. Returns whether both checks passed.
pub fn fuzz_cms(bytes: &[u8]) -> bool {
    // Split the input so that the fuzzer also drives the data side.
    let cut = bytes.first().map_or(0, |b| (*b as usize).min(bytes.len()));
    let (data, cms) = bytes.split_at(cut);
    let Ok(sig) = parse_signature(cms) else {
        return false;
    };
    for token in &sig.signature_timestamps {
        if let Ok(t) = parse_timestamp_token(token) {
            let _ = verify_timestamp_token(&t, &sig.signature);
        }
    }
    if let Ok(t) = parse_timestamp_token(cms) {
        let _ = verify_timestamp_token(&t, data);
    }
    verify_integrity(&sig, &[data]).ok()
}

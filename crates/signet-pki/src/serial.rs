//! Certificate serial numbers in their normal text form.

use crate::error::{PkiError, Result};

/// Normalises a serial (bytes of a DER INTEGER) to lower-case hex without leading zero bytes.
pub fn serial_hex(bytes: &[u8]) -> String {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    if start == bytes.len() {
        return "00".into();
    }
    hex::encode(&bytes[start..])
}

/// Parses a serial typed by a person (`4a:0b..`, `4A0B..`, `0x4a0b`) to its normal form.
pub fn parse_serial(text: &str) -> Result<String> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let mut digits: String = t.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(PkiError::UnknownSerial(text.to_string()));
    }
    if digits.len() % 2 == 1 {
        digits.insert(0, '0');
    }
    let bytes = hex::decode(&digits).map_err(|_| PkiError::UnknownSerial(text.to_string()))?;
    Ok(serial_hex(&bytes))
}

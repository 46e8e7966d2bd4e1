//! One-time pairing codes. The pending code lives in `DATA/pairing.json` (hashed), so that
//! `signet agent pair`, run beside a running agent, gives it a new code.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::origin::write_json;
use crate::{AgentError, Host};

/// How long a code is valid.
pub const CODE_LIFETIME_MINUTES: i64 = 10;
/// Wrong codes tolerated before the pending code is void.
pub const TRIES: u32 = 5;
/// Digits and capital letters without 0, 1, I and O (easily mistaken): 32 of them, so each
/// random byte gives one character without bias.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const LENGTH: usize = 8;

#[derive(serde::Serialize, serde::Deserialize)]
struct Pending {
    /// SHA-256 of the normalized code, hex.
    sha256: String,
    /// Unix seconds.
    expires: i64,
    tries_left: u32,
}

fn file(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("pairing.json")
}

/// Upper case, without the separators a user may type.
fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn hash(code: &str) -> String {
    hex::encode(Sha256::digest(normalize(code).as_bytes()))
}

/// A new code, replacing the pending one; shown as `ABCD-EFGH`.
pub(crate) fn new_code(data_dir: &Path, host: &dyn Host) -> Result<String, AgentError> {
    let mut bytes = [0u8; LENGTH];
    host.fill_random(&mut bytes).map_err(AgentError::Data)?;
    let code: String = bytes
        .iter()
        .map(|b| ALPHABET[(b & 31) as usize] as char)
        .collect();
    let pending = Pending {
        sha256: hash(&code),
        expires: host.now().unix_timestamp() + CODE_LIFETIME_MINUTES * 60,
        tries_left: TRIES,
    };
    write_json(&file(data_dir), &pending)?;
    Ok(format!("{}-{}", &code[..4], &code[4..]))
}

/// Consumes the pending code if `code` is it and it is still valid; a wrong code uses up a
/// try. Callers serialize calls.
pub(crate) fn redeem(data_dir: &Path, host: &dyn Host, code: &str) -> Result<(), AgentError> {
    let path = file(data_dir);
    let mut pending: Pending = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| AgentError::PairingRefused)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AgentError::PairingRefused)
        }
        Err(e) => return Err(AgentError::Data(format!("{}: {e}", path.display()))),
    };
    let void = |path: &Path| {
        let _ = std::fs::remove_file(path);
        AgentError::PairingRefused
    };
    if pending.tries_left == 0 || host.now().unix_timestamp() > pending.expires {
        return Err(void(&path));
    }
    if hash(code) == pending.sha256 && normalize(code).len() == LENGTH {
        // Single use.
        std::fs::remove_file(&path)
            .map_err(|e| AgentError::Data(format!("{}: {e}", path.display())))?;
        return Ok(());
    }
    pending.tries_left -= 1;
    if pending.tries_left == 0 {
        return Err(void(&path));
    }
    write_json(&path, &pending)?;
    Err(AgentError::PairingRefused)
}

//! Web origins: their normal form, and the ones paired with this agent (`paired.json`).

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use crate::AgentError;

/// The origin (`scheme://host[:port]`, lower case, default port dropped) of an http(s) URL
/// or origin; `None` for anything else (`null`, other schemes, user info, garbage).
pub fn normalize_origin(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') || authority.contains(char::is_whitespace) {
        return None;
    }
    let authority = match authority.rsplit_once(':') {
        // An IPv6 literal without a port ends in `]`.
        Some((host, port)) if !port.contains(']') => {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if port == default_port {
                host.to_string()
            } else {
                authority.clone()
            }
        }
        _ => authority.clone(),
    };
    Some(format!("{scheme}://{authority}"))
}

/// The file's form.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct PairedFile {
    origins: Vec<String>,
}

/// The paired origins: those of `paired.json` and those given on the command line.
pub(crate) struct PairedOrigins {
    file: PathBuf,
    stored: RwLock<Vec<String>>,
    given: Vec<String>,
}

impl PairedOrigins {
    pub(crate) fn load(data_dir: &Path, given: &[String]) -> Result<PairedOrigins, AgentError> {
        let file = data_dir.join("paired.json");
        let stored = match std::fs::read(&file) {
            Ok(bytes) => {
                serde_json::from_slice::<PairedFile>(&bytes)
                    .map_err(|e| AgentError::Data(format!("{}: {e}", file.display())))?
                    .origins
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(AgentError::Data(format!("{}: {e}", file.display()))),
        };
        let given = given
            .iter()
            .map(|o| {
                normalize_origin(o).ok_or_else(|| {
                    AgentError::Data(format!("--origin {o:?} is not an http(s) URL"))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(PairedOrigins {
            file,
            stored: RwLock::new(stored),
            given,
        })
    }

    /// Is this `Origin` header value paired?
    pub(crate) fn contains(&self, origin: &str) -> bool {
        let Some(origin) = normalize_origin(origin) else {
            return false;
        };
        self.given.contains(&origin)
            || self
                .stored
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .contains(&origin)
    }

    pub(crate) fn list(&self) -> Vec<String> {
        let mut all = self.given.clone();
        all.extend(
            self.stored
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned(),
        );
        all
    }

    /// Pairs `origin` (normalized) and writes `paired.json`.
    pub(crate) fn add(&self, origin: &str) -> Result<(), AgentError> {
        let mut stored = self.stored.write().unwrap_or_else(|e| e.into_inner());
        if !stored.iter().any(|o| o == origin) {
            stored.push(origin.to_string());
        }
        let body = PairedFile {
            origins: stored.clone(),
        };
        write_json(&self.file, &body)
    }
}

/// Writes `value` as JSON to `path` through a temporary file, so a crash never leaves half a
/// file.
pub(crate) fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), AgentError> {
    let err = |e: std::io::Error| AgentError::Data(format!("{}: {e}", path.display()));
    let bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| AgentError::Data(format!("{}: {e}", path.display())))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::normalize_origin;

    #[test]
    fn origins_are_normalized_and_garbage_refused() {
        let n = |s| normalize_origin(s);
        assert_eq!(
            n("https://Signet.Example.vn/documents/1").unwrap(),
            "https://signet.example.vn"
        );
        assert_eq!(n("http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(n("https://a.vn:443").unwrap(), "https://a.vn");
        assert_eq!(n("http://[::1]:80/").unwrap(), "http://[::1]");
        assert_eq!(n("http://[::1]").unwrap(), "http://[::1]");
        for bad in [
            "null",
            "",
            "file:///etc",
            "ftp://a",
            "https://",
            "https://u@a.vn",
            "http://a:x",
        ] {
            assert!(n(bad).is_none(), "{bad}");
        }
    }
}

//! Trust anchors from configuration: files and directories of PEM or DER certificates.

use std::path::{Path, PathBuf};

use signet_pki::validation::TrustAnchors;

use crate::error::{NetError, Result};

/// Largest anchor file read.
const MAX_FILE: u64 = 4 << 20;
/// Most files read from one directory.
const MAX_FILES: usize = 10_000;

fn file_error(path: &Path, detail: impl std::fmt::Display) -> NetError {
    NetError::File {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

/// Whether `bytes` look like a certificate file at all (DER, or text with a PEM certificate
/// block): a README or a notes file in a trust directory is skipped, not an error.
fn looks_like_certificate(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x30)
        || bytes
            .windows(b"-----BEGIN CERTIFICATE-----".len())
            .any(|w| w == b"-----BEGIN CERTIFICATE-----")
}

/// Reads one file of a directory: skipped (and logged) when it holds no certificate.
fn read_in_dir(path: &Path, anchors: &mut TrustAnchors) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| file_error(path, e))?;
    if meta.len() > MAX_FILE {
        tracing::info!("trust directory: {} skipped (over 4 MiB)", path.display());
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|e| file_error(path, e))?;
    if !looks_like_certificate(&bytes) {
        tracing::info!(
            "trust directory: {} skipped (not a certificate)",
            path.display()
        );
        return Ok(());
    }
    anchors
        .add_pem_or_der(&bytes)
        .map_err(|e| file_error(path, e))?;
    Ok(())
}

fn read_one(path: &Path, anchors: &mut TrustAnchors) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| file_error(path, e))?;
    if meta.len() > MAX_FILE {
        return Err(file_error(path, "larger than 4 MiB"));
    }
    let bytes = std::fs::read(path).map_err(|e| file_error(path, e))?;
    anchors
        .add_pem_or_der(&bytes)
        .map_err(|e| file_error(path, e))?;
    Ok(())
}

/// Reads trust anchors from files (PEM bundles or DER) and directories of such files (not
/// recursive; hidden files skipped; symbolic links followed, duplicates counted once). A file
/// named directly that holds no certificate is an error naming it: a mistyped configuration
/// must not silently trust less (or nothing). In a directory, files that are not certificates
/// (a README, notes) are skipped; one that looks like a certificate but does not parse is
/// still an error. No anchor at all is an error too.
pub fn load_trust_anchors(paths: &[PathBuf]) -> Result<TrustAnchors> {
    let mut anchors = TrustAnchors::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| file_error(p, e))?;
        if !meta.is_dir() {
            read_one(p, &mut anchors)?;
            continue;
        }
        let mut files = Vec::new();
        for entry in std::fs::read_dir(p).map_err(|e| file_error(p, e))? {
            let path = entry.map_err(|e| file_error(p, e))?.path();
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !hidden && path.is_file() {
                files.push(path);
            }
            if files.len() > MAX_FILES {
                return Err(file_error(p, "more than 10000 files"));
            }
        }
        files.sort();
        for f in files {
            read_in_dir(&f, &mut anchors)?;
        }
    }
    if anchors.is_empty() {
        return Err(NetError::File {
            path: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            detail: "no trust anchor found".into(),
        });
    }
    Ok(anchors)
}

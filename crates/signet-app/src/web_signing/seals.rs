//! The agencies' seal keys, held by the server: per agency code, a key on a PKCS#11 token or
//! HSM (SoftHSM2 in tests) or a PKCS#12 file. The demo keeps the seal keys its CA issued in
//! the CA directory (`seals/CODE.key.pem`, `seals/CODE.chain.pem`): a software fallback for
//! demonstrations only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::signing::SigningKey;
use crate::{AppError, Invalid};

/// Where one agency's seal key is.
#[derive(Debug, Clone)]
pub enum SealSource {
    /// A key on a PKCS#11 token: its certificate is read from the token (same label), the
    /// chain above it from `chain` (PEM) or, when absent, the built-in CA's.
    Pkcs11 {
        module: PathBuf,
        token: String,
        pin: String,
        key_label: String,
        chain: Option<PathBuf>,
    },
    /// A PKCS#12 file (key and chain).
    Pkcs12 { path: PathBuf, password: String },
}

/// Every agency's seal key source.
#[derive(Debug, Clone, Default)]
pub struct SealKeys {
    by_agency: HashMap<String, SealSource>,
    /// The demo's keys (`CODE.key.pem`, `CODE.chain.pem`).
    demo_dir: Option<PathBuf>,
}

/// A loaded seal key with its certificate first, then its chain.
pub struct SealKey {
    pub key: SigningKey,
    pub certs: Vec<Vec<u8>>,
}

fn seal_error(detail: impl std::fmt::Display) -> AppError {
    AppError::Invalid(Invalid::Seal {
        detail: detail.to_string(),
    })
}

impl SealKeys {
    pub fn new() -> Self {
        Self::default()
    }

    /// The seal key of the agency with code `agency_code`.
    pub fn insert(&mut self, agency_code: &str, source: SealSource) {
        self.by_agency.insert(agency_code.to_owned(), source);
    }

    /// Where the demo keeps its agencies' seal keys.
    pub fn with_demo_dir(mut self, dir: PathBuf) -> Self {
        self.demo_dir = Some(dir);
        self
    }

    pub fn demo_dir(&self) -> Option<&Path> {
        self.demo_dir.as_deref()
    }

    /// Whether the agency has a seal key configured (or a demo key on disk).
    pub fn has(&self, agency_code: &str) -> bool {
        self.by_agency.contains_key(agency_code)
            || self
                .demo_dir
                .as_ref()
                .is_some_and(|d| demo_paths(d, agency_code).0.exists())
    }

    /// Loads the agency's key; `ca_chain` completes a token's certificate when no chain
    /// file is named.
    pub fn load(&self, agency_code: &str, ca_chain: &[Vec<u8>]) -> Result<SealKey, AppError> {
        match self.by_agency.get(agency_code) {
            Some(SealSource::Pkcs12 { path, password }) => {
                let der = std::fs::read(path)
                    .map_err(|e| seal_error(format!("{}: {e}", path.display())))?;
                let (key, certs) = signet_signers::SoftwareKey::from_pkcs12(&der, password)
                    .map_err(|e| seal_error(format!("{}: {e}", path.display())))?;
                Ok(SealKey {
                    key: SigningKey::Software(key),
                    certs,
                })
            }
            Some(SealSource::Pkcs11 {
                module,
                token,
                pin,
                key_label,
                chain,
            }) => {
                let t = signet_signers::Token::open(module, token, pin).map_err(seal_error)?;
                let key = t.key(key_label).map_err(seal_error)?;
                let cert = t
                    .certificate(key_label)
                    .map_err(seal_error)?
                    .ok_or_else(|| {
                        seal_error(format!(
                            "no certificate labelled {key_label:?} on the token"
                        ))
                    })?;
                let mut certs = vec![cert];
                match chain {
                    Some(p) => certs.extend(read_certs(p)?),
                    None => certs.extend(ca_chain.iter().cloned()),
                }
                Ok(SealKey {
                    key: SigningKey::Token(key),
                    certs,
                })
            }
            None => self.load_demo(agency_code),
        }
    }

    fn load_demo(&self, agency_code: &str) -> Result<SealKey, AppError> {
        let dir = self.demo_dir.as_ref().ok_or_else(|| {
            seal_error(format!("no seal key is configured for the agency {agency_code} ([[seal]] in the configuration)"))
        })?;
        let (key_path, chain_path) = demo_paths(dir, agency_code);
        if !key_path.exists() {
            return Err(seal_error(format!(
                "no seal key is configured for the agency {agency_code} ([[seal]] in the configuration)"
            )));
        }
        let pem = std::fs::read_to_string(&key_path)
            .map_err(|e| seal_error(format!("{}: {e}", key_path.display())))?;
        let key = signet_signers::SoftwareKey::from_pkcs8_pem(&pem).map_err(seal_error)?;
        Ok(SealKey {
            key: SigningKey::Software(key),
            certs: read_certs(&chain_path)?,
        })
    }
}

fn read_certs(path: &Path) -> Result<Vec<Vec<u8>>, AppError> {
    let bytes = std::fs::read(path).map_err(|e| seal_error(format!("{}: {e}", path.display())))?;
    signet_pki::validation::certificates_from_pem_or_der(&bytes)
        .map_err(|e| seal_error(format!("{}: {e}", path.display())))
}

/// The demo's key and chain files of an agency.
pub fn demo_paths(dir: &Path, agency_code: &str) -> (PathBuf, PathBuf) {
    (
        dir.join(format!("{agency_code}.key.pem")),
        dir.join(format!("{agency_code}.chain.pem")),
    )
}

/// Keeps a demo seal key (PKCS#8) and its chain (the seal's certificate first) for `signet
/// demo`; the key file is readable by its owner only.
pub fn save_demo_key(
    dir: &Path,
    agency_code: &str,
    pkcs8: &[u8],
    certs: &[Vec<u8>],
) -> Result<(), AppError> {
    let io = |e: std::io::Error| seal_error(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let (key_path, chain_path) = demo_paths(dir, agency_code);
    let chain: String = certs
        .iter()
        .map(|c| signet_pki::pem("CERTIFICATE", c))
        .collect();
    std::fs::write(&chain_path, chain).map_err(io)?;
    write_private(&key_path, signet_pki::pem("PRIVATE KEY", pkcs8).as_bytes()).map_err(io)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

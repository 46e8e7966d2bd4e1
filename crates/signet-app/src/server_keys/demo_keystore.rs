//! DEMO ONLY: a software keystore for the keys of remote-signing credentials, used by
//! `signet demo` when SoftHSM2 is not installed, so every demo leader still has a working
//! phone credential. Never used outside the demo: `signet serve` opens only a PKCS#11 HSM.
//!
//! Each key is an RSA-2048 key in a PKCS#8 DER file `LABEL.p8` (mode 0600) in a directory
//! of mode 0700, next to a note saying what it is. RSA because a CSC request carries only
//! the hash, and the one software RSA implementation in the tree (`rsa`) signs a hash made
//! elsewhere, which `ring` does not. The keys are as safe as the demo's data directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey};

use crate::random::OsRng;
use crate::AppError;

/// What the note in the keystore's directory says.
const NOTE: &str = "Kho khóa phần mềm CHỈ DÙNG CHO DEMO (không có SoftHSM2).\n\
DEMO-ONLY software keystore of Signet's remote-signing credentials, made because SoftHSM2 \
is not installed. Never use it for real signatures: real deployments keep these keys in a \
PKCS#11 HSM ([remote_signing] hsm in signet.toml).\n";

/// The DigestInfo header of SHA-256 (RFC 8017 §9.2 note 1), before the digest.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The demo's keystore: a directory of key files, and the keys read so far.
pub(crate) struct DemoKeystore {
    dir: PathBuf,
    keys: Mutex<HashMap<String, Arc<RsaPrivateKey>>>,
}

fn keystore_error(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Ca(format!("demo software keystore: {what}: {e}"))
}

impl DemoKeystore {
    /// Opens (creating) the keystore in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Self, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| keystore_error(&dir.display().to_string(), e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| keystore_error(&dir.display().to_string(), e))?;
        }
        let note = dir.join("DEMO-ONLY.txt");
        if !note.exists() {
            crate::ca_dir::write_file(&note, NOTE.as_bytes(), 0o600)?;
        }
        Ok(Self {
            dir: dir.to_owned(),
            keys: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of key `label`; labels are the server's own (`csc-…`), anything that could
    /// leave the directory is refused.
    fn file(&self, label: &str) -> Result<PathBuf, AppError> {
        let plain = !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !plain {
            return Err(keystore_error("key label", format!("{label:?}")));
        }
        Ok(self.dir.join(format!("{label}.p8")))
    }

    /// Generates an RSA-2048 key `label` and saves it: its DER SubjectPublicKeyInfo. Slow
    /// (a fraction of a second to seconds): call it off the async workers.
    pub(crate) fn generate(&self, label: &str) -> Result<Vec<u8>, AppError> {
        let file = self.file(label)?;
        if file.exists() {
            return Err(keystore_error("key exists already", label));
        }
        let key = RsaPrivateKey::new(&mut OsRng, 2048).map_err(|e| keystore_error("RSA", e))?;
        let der = key
            .to_pkcs8_der()
            .map_err(|e| keystore_error("PKCS#8", e))?;
        crate::ca_dir::write_file(&file, der.as_bytes(), 0o600)?;
        let spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| keystore_error("public key", e))?;
        self.lock().insert(label.to_owned(), Arc::new(key));
        Ok(spki.as_bytes().to_vec())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<RsaPrivateKey>>> {
        // A map of keys read from files: a poisoned lock changes nothing in it.
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key(&self, label: &str) -> Result<Arc<RsaPrivateKey>, AppError> {
        if let Some(k) = self.lock().get(label) {
            return Ok(Arc::clone(k));
        }
        let file = self.file(label)?;
        let der =
            std::fs::read(&file).map_err(|e| keystore_error(&file.display().to_string(), e))?;
        let key =
            Arc::new(RsaPrivateKey::from_pkcs8_der(&der).map_err(|e| keystore_error("PKCS#8", e))?);
        self.lock().insert(label.to_owned(), Arc::clone(&key));
        Ok(key)
    }

    /// Signs SHA-256 digests with key `label` (RSA PKCS#1 v1.5, blinded): the signatures,
    /// in order.
    pub(crate) fn sign_digests(
        &self,
        label: &str,
        digests: &[Vec<u8>],
    ) -> Result<Vec<Vec<u8>>, AppError> {
        let key = self.key(label)?;
        digests
            .iter()
            .map(|d| {
                if d.len() != 32 {
                    return Err(keystore_error("digest", "not a SHA-256 digest"));
                }
                let scheme = Pkcs1v15Sign {
                    hash_len: Some(32),
                    prefix: SHA256_DIGEST_INFO.to_vec().into_boxed_slice(),
                };
                key.sign_with_rng(&mut OsRng, scheme, d)
                    .map_err(|e| keystore_error("RSA", e))
            })
            .collect()
    }
}

//! Keys the server holds for remote-signing credentials: in its PKCS#11 HSM (SoftHSM2 in
//! tests and in the demo), never in the database, which keeps only each key's label. The
//! demo without SoftHSM2 keeps them in a software keystore instead ([`demo_keystore`], demo
//! only).
//!
//! A key is opened once and kept: opening means a PKCS#11 session and a search, while a
//! signature is one `C_Sign`. Signing is blocking work for the HSM; callers run it off the
//! async workers ([`ServerKeys::sign_digests`] is synchronous on purpose).

mod demo_keystore;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use signet_pki::HolderKey;
use signet_signers::{Curve, Pkcs11Key, SignerError, Token};

use demo_keystore::DemoKeystore;
use signet_pki::SignatureAlgorithm;
use signet_store::certificates::DeviceKind;

use crate::issuance::{HolderToken, NewKey};
use crate::AppError;

/// The HSM of the remote-signing service: a PKCS#11 module, a token label, the user PIN.
#[derive(Clone)]
pub struct HsmConfig {
    pub module: PathBuf,
    pub token: String,
    pub pin: String,
}

impl std::fmt::Debug for HsmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmConfig")
            .field("module", &self.module)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Where the keys are: the opened HSM token and the keys used so far, or (demo only) the
/// software keystore.
pub struct ServerKeys {
    backend: Backend,
}

enum Backend {
    Hsm {
        config: HsmConfig,
        token: Token,
        keys: Mutex<HashMap<String, Arc<Pkcs11Key>>>,
    },
    Demo(DemoKeystore),
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            Backend::Hsm { config, .. } => f
                .debug_struct("ServerKeys")
                .field("config", config)
                .finish_non_exhaustive(),
            Backend::Demo(k) => f
                .debug_struct("ServerKeys")
                .field("demo_keystore", &k.dir())
                .finish_non_exhaustive(),
        }
    }
}

pub(crate) fn hsm_error(e: SignerError) -> AppError {
    AppError::Ca(format!("remote-signing HSM: {e}"))
}

impl ServerKeys {
    /// Opens the token (loads the module, checks the PIN).
    pub fn open(config: HsmConfig) -> Result<Self, AppError> {
        let token = Token::open(&config.module, &config.token, &config.pin).map_err(hsm_error)?;
        Ok(Self {
            backend: Backend::Hsm {
                config,
                token,
                keys: Mutex::new(HashMap::new()),
            },
        })
    }

    /// DEMO ONLY: the software keystore in `dir` (created), for `signet demo` on a machine
    /// without SoftHSM2. Its keys are files: never use it outside the demo.
    pub fn demo_software_keystore(dir: &Path) -> Result<Self, AppError> {
        Ok(Self {
            backend: Backend::Demo(DemoKeystore::open(dir)?),
        })
    }

    /// Whether the keys are in the demo's software keystore rather than an HSM.
    pub fn is_demo_software(&self) -> bool {
        matches!(self.backend, Backend::Demo(_))
    }

    /// Where the CA generates a credential's key pair and stores its certificate (HSM only).
    fn holder_token(config: &HsmConfig, key_label: &str) -> HolderToken {
        HolderToken {
            module: config.module.clone(),
            token: config.token.clone(),
            pin: config.pin.clone(),
            label: key_label.to_owned(),
        }
    }

    /// A new credential key `key_label`, as the CA issues its certificate, and the algorithm
    /// it signs with: an ECDSA P-256 key pair the CA generates in the HSM (made at once in
    /// any HSM, where an RSA key takes a second, and as strong), or in the demo's software
    /// keystore an RSA-2048 key made here. Blocking (the demo's RSA key takes a while).
    pub(crate) fn new_credential_key(
        &self,
        key_label: &str,
    ) -> Result<(NewKey, SignatureAlgorithm), AppError> {
        match &self.backend {
            Backend::Hsm { config, .. } => Ok((
                NewKey::Token {
                    token: Self::holder_token(config, key_label),
                    key: HolderKey::EcdsaP256,
                    device: DeviceKind::Remote,
                },
                SignatureAlgorithm::EcdsaP256Sha256,
            )),
            Backend::Demo(store) => Ok((
                NewKey::PublicKey {
                    spki: store.generate(key_label)?,
                    device: DeviceKind::Remote,
                    label: format!("{key_label} (kho khóa phần mềm, chỉ demo)"),
                },
                SignatureAlgorithm::RsaPkcs1Sha256,
            )),
        }
    }

    /// Generates a key pair `key_label` on the HSM (tests and tools; the CA path generates
    /// through [`Self::new_credential_key`]). Returns its SubjectPublicKeyInfo.
    pub fn generate(&self, key_label: &str, key: HolderKey) -> Result<Vec<u8>, AppError> {
        let token = match &self.backend {
            Backend::Hsm { token, .. } => token,
            Backend::Demo(store) if key == HolderKey::Rsa2048 => return store.generate(key_label),
            Backend::Demo(_) => {
                return Err(AppError::Ca(
                    "the demo software keystore makes RSA-2048 keys only".into(),
                ))
            }
        };
        let k = match key {
            HolderKey::EcdsaP256 => token.generate(key_label, Curve::P256),
            HolderKey::EcdsaP384 => token.generate(key_label, Curve::P384),
            HolderKey::Rsa2048 => token.generate_rsa(key_label, 2048),
            HolderKey::Rsa3072 => token.generate_rsa(key_label, 3072),
        }
        .map_err(hsm_error)?;
        Ok(k.public_key_info_der())
    }

    fn hsm_key(
        token: &Token,
        keys: &Mutex<HashMap<String, Arc<Pkcs11Key>>>,
        key_label: &str,
    ) -> Result<Arc<Pkcs11Key>, AppError> {
        let mut keys = keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = keys.get(key_label) {
            return Ok(Arc::clone(k));
        }
        let k = Arc::new(token.key(key_label).map_err(hsm_error)?);
        keys.insert(key_label.to_owned(), Arc::clone(&k));
        Ok(k)
    }

    /// Signs each digest with the key `key_label`: the raw signatures, in order.
    pub fn sign_digests(
        &self,
        key_label: &str,
        digests: &[Vec<u8>],
    ) -> Result<Vec<Vec<u8>>, AppError> {
        match &self.backend {
            Backend::Hsm { token, keys, .. } => {
                let key = Self::hsm_key(token, keys, key_label)?;
                digests
                    .iter()
                    .map(|d| key.sign_digest(d).map_err(hsm_error))
                    .collect()
            }
            Backend::Demo(store) => store.sign_digests(key_label, digests),
        }
    }
}

//! Keys the server holds for remote-signing credentials: in its PKCS#11 HSM (SoftHSM2 in
//! tests and in the demo), never in the database, which keeps only each key's label.
//!
//! A key is opened once and kept: opening means a PKCS#11 session and a search, while a
//! signature is one `C_Sign`. Signing is blocking work for the HSM; callers run it off the
//! async workers ([`ServerKeys::sign_digests`] is synchronous on purpose).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use signet_pki::HolderKey;
use signet_signers::{Curve, Pkcs11Key, SignerError, Token};

use crate::issuance::HolderToken;
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

/// The opened HSM token and the keys used so far.
pub struct ServerKeys {
    config: HsmConfig,
    token: Token,
    keys: Mutex<HashMap<String, Arc<Pkcs11Key>>>,
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerKeys")
            .field("config", &self.config)
            .finish_non_exhaustive()
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
            config,
            token,
            keys: Mutex::new(HashMap::new()),
        })
    }

    /// Where the CA generates a credential's key pair and stores its certificate.
    pub fn holder_token(&self, key_label: &str) -> HolderToken {
        HolderToken {
            module: self.config.module.clone(),
            token: self.config.token.clone(),
            pin: self.config.pin.clone(),
            label: key_label.to_owned(),
        }
    }

    /// Generates a key pair `key_label` on the HSM (tests and tools; the CA path generates
    /// through [`Self::holder_token`]). Returns its SubjectPublicKeyInfo.
    pub fn generate(&self, key_label: &str, key: HolderKey) -> Result<Vec<u8>, AppError> {
        let k = match key {
            HolderKey::EcdsaP256 => self.token.generate(key_label, Curve::P256),
            HolderKey::EcdsaP384 => self.token.generate(key_label, Curve::P384),
            HolderKey::Rsa2048 => self.token.generate_rsa(key_label, 2048),
            HolderKey::Rsa3072 => self.token.generate_rsa(key_label, 3072),
        }
        .map_err(hsm_error)?;
        Ok(k.public_key_info_der())
    }

    fn key(&self, key_label: &str) -> Result<Arc<Pkcs11Key>, AppError> {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = keys.get(key_label) {
            return Ok(Arc::clone(k));
        }
        let k = Arc::new(self.token.key(key_label).map_err(hsm_error)?);
        keys.insert(key_label.to_owned(), Arc::clone(&k));
        Ok(k)
    }

    /// Signs each digest with the key `key_label`: the raw signatures, in order.
    pub fn sign_digests(
        &self,
        key_label: &str,
        digests: &[Vec<u8>],
    ) -> Result<Vec<Vec<u8>>, AppError> {
        let key = self.key(key_label)?;
        digests
            .iter()
            .map(|d| key.sign_digest(d).map_err(hsm_error))
            .collect()
    }
}

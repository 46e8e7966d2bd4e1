//! A PKCS#11 module as a whole, as a local signing agent sees it: the tokens plugged in, the
//! certificates on them, and a batch of digests signed with one login.
//!
//! Unlike [`crate::Token`], nothing here keeps a login: every batch logs in with the PIN it is
//! given and logs out at the end, so one batch's PIN never authorizes the next.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use signet_pki::SignatureAlgorithm;

use crate::key::{sign_digest, PublicKey};
use crate::SignerError;

/// A loaded PKCS#11 module (kept loaded for the process; never finalized).
pub struct Module {
    ctx: Pkcs11,
    path: PathBuf,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("path", &self.path).finish()
    }
}

/// A token in one of the module's slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSummary {
    /// CK_TOKEN_INFO label, trimmed.
    pub label: String,
    /// CK_TOKEN_INFO serial number, trimmed.
    pub serial: String,
}

/// An X.509 certificate object found on a token.
#[derive(Clone, Debug)]
pub struct TokenCertificate {
    /// The token that holds it.
    pub token: TokenSummary,
    /// CKA_ID: what ties it to its key pair.
    pub id: Vec<u8>,
    /// CKA_LABEL.
    pub label: String,
    /// CKA_VALUE: the DER certificate.
    pub der: Vec<u8>,
    /// A key object (private or public) with the same CKA_ID is visible without login — or
    /// the token shows no key object at all before login (many hide them), and the
    /// certificate has a CKA_ID: then the key cannot be ruled out.
    pub has_key: bool,
}

impl Module {
    /// Loads and initializes the module at `path` (an already initialized module of this
    /// process is shared).
    pub fn load(path: &Path) -> Result<Module, SignerError> {
        let module_err = |e: Error| SignerError::Module {
            module: path.display().to_string(),
            detail: e.to_string(),
        };
        let ctx = Pkcs11::new(path).map_err(module_err)?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(module_err(e)),
        }
        Ok(Module {
            ctx,
            path: path.to_path_buf(),
        })
    }

    /// The module's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn slots(&self) -> Result<Vec<(Slot, TokenSummary)>, SignerError> {
        let mut out = Vec::new();
        for slot in self.ctx.get_slots_with_token()? {
            let info = self.ctx.get_token_info(slot)?;
            if !info.token_initialized() {
                continue;
            }
            out.push((
                slot,
                TokenSummary {
                    label: info.label().trim().to_string(),
                    serial: info.serial_number().trim().to_string(),
                },
            ));
        }
        Ok(out)
    }

    /// The initialized tokens now present.
    pub fn tokens(&self) -> Result<Vec<TokenSummary>, SignerError> {
        Ok(self.slots()?.into_iter().map(|(_, t)| t).collect())
    }

    /// Every X.509 certificate on every token, read without login.
    pub fn certificates(&self) -> Result<Vec<TokenCertificate>, SignerError> {
        let mut out = Vec::new();
        for (slot, token) in self.slots()? {
            let session = self.ctx.open_ro_session(slot)?;
            out.extend(token_certificates(&session, &token)?);
        }
        Ok(out)
    }

    /// Signs each of `digests` with the private key of CKA_ID `key_id` on the token of serial
    /// `token_serial`, whose certificate is `cert_der`: one login with `pin`, then a logout.
    /// ECDSA signatures are DER, RSA ones PKCS#1 v1.5 over the SHA-256 DigestInfo.
    pub fn sign_digests(
        &self,
        token_serial: &str,
        key_id: &[u8],
        cert_der: &[u8],
        pin: &str,
        digests: &[Vec<u8>],
    ) -> Result<Vec<Vec<u8>>, SignerError> {
        let kind = PublicKey::of_certificate(cert_der)?;
        let (slot, _) = self
            .slots()?
            .into_iter()
            .find(|(_, t)| t.serial == token_serial)
            .ok_or_else(|| SignerError::NoToken(token_serial.to_string()))?;
        let session = self.ctx.open_ro_session(slot)?;
        login(&session, pin)?;
        let signed = sign_all(&session, key_id, &kind, digests);
        // The login is per application: end it, so the next batch needs its own PIN.
        let _ = session.logout();
        signed
    }
}

/// The signature algorithm a certificate's key signs digests with here: ECDSA P-256 with
/// SHA-256, P-384 with SHA-384, RSA PKCS#1 v1.5 with SHA-256.
pub fn certificate_signature_algorithm(cert_der: &[u8]) -> Result<SignatureAlgorithm, SignerError> {
    Ok(match PublicKey::of_certificate(cert_der)? {
        PublicKey::Ec {
            curve: crate::Curve::P256,
            ..
        } => SignatureAlgorithm::EcdsaP256Sha256,
        PublicKey::Ec {
            curve: crate::Curve::P384,
            ..
        } => SignatureAlgorithm::EcdsaP384Sha384,
        PublicKey::Rsa { .. } => SignatureAlgorithm::RsaPkcs1Sha256,
    })
}

fn login(session: &Session, pin: &str) -> Result<(), SignerError> {
    let pin = AuthPin::new(pin.into());
    let mut result = session.login(UserType::User, Some(&pin));
    if let Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) = result {
        // Another application state left a login: the PIN must still be checked.
        let _ = session.logout();
        result = session.login(UserType::User, Some(&pin));
    }
    match result {
        Ok(()) => Ok(()),
        Err(e @ Error::Pkcs11(RvError::PinLocked, _)) => Err(SignerError::PinLocked(e.to_string())),
        Err(
            e
            @ Error::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange, _),
        ) => Err(SignerError::Login(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

fn sign_all(
    session: &Session,
    key_id: &[u8],
    kind: &PublicKey,
    digests: &[Vec<u8>],
) -> Result<Vec<Vec<u8>>, SignerError> {
    let mut keys = session.find_objects(&[
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Id(key_id.to_vec()),
    ])?;
    if keys.len() != 1 {
        return Err(SignerError::Key {
            what: "private key",
            label: key_id.iter().map(|b| format!("{b:02x}")).collect(),
            found: keys.len(),
        });
    }
    let key = keys.remove(0);
    digests
        .iter()
        .map(|d| sign_digest(session, key, kind, d, false))
        .collect()
}

fn token_certificates(
    session: &Session,
    token: &TokenSummary,
) -> Result<Vec<TokenCertificate>, SignerError> {
    let key_ids = key_ids(session)?;
    let mut out = Vec::new();
    for handle in session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])? {
        let (mut id, mut label, mut der) = (Vec::new(), Vec::new(), Vec::new());
        let attrs = session.get_attributes(
            handle,
            &[
                AttributeType::Id,
                AttributeType::Label,
                AttributeType::Value,
            ],
        )?;
        for a in attrs {
            match a {
                Attribute::Id(v) => id = v,
                Attribute::Label(v) => label = v,
                Attribute::Value(v) => der = v,
                _ => {}
            }
        }
        if der.is_empty() {
            continue;
        }
        let has_key = match &key_ids {
            Some(ids) => ids.contains(&id),
            None => !id.is_empty(),
        };
        out.push(TokenCertificate {
            token: token.clone(),
            id,
            label: String::from_utf8_lossy(&label).into_owned(),
            der,
            has_key,
        });
    }
    Ok(out)
}

/// The CKA_IDs of the key objects visible in `session`; `None` when none is visible.
fn key_ids(session: &Session) -> Result<Option<Vec<Vec<u8>>>, SignerError> {
    let mut ids = Vec::new();
    for class in [ObjectClass::PRIVATE_KEY, ObjectClass::PUBLIC_KEY] {
        for handle in session.find_objects(&[Attribute::Class(class)])? {
            for a in session.get_attributes(handle, &[AttributeType::Id])? {
                if let Attribute::Id(v) = a {
                    ids.push(v);
                }
            }
        }
    }
    Ok((!ids.is_empty()).then_some(ids))
}

//! Signers that reach a device. For now: ECDSA keys on a PKCS#11 token or HSM (`cryptoki`),
//! usable wherever an `rcgen::SigningKey` is taken — in particular as the keys of the built-in
//! CA (`signet_pki::Ca::init_with_keys` / `load_with_keys`). The private key never leaves the
//! token: the message is hashed here and only the digest is sent (CKM_ECDSA).

use std::path::Path;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use rcgen::{PublicKeyData, SignatureAlgorithm, SigningKey};

/// What went wrong with a token.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// The PKCS#11 module could not be loaded or initialised.
    #[error("PKCS#11 module {module}: {detail}")]
    Module {
        /// The module path.
        module: String,
        /// The library's message.
        detail: String,
    },
    /// No token with this label in any slot.
    #[error("no PKCS#11 token labelled {0:?}")]
    NoToken(String),
    /// The token refused the PIN.
    #[error("the token refused the PIN: {0}")]
    Login(String),
    /// No key, or more than one, with this label.
    #[error("expected one {what} labelled {label:?} on the token, found {found}")]
    Key {
        /// private or public key
        what: &'static str,
        /// The label asked for.
        label: String,
        /// How many were found.
        found: usize,
    },
    /// A key already exists under the label asked for a new one.
    #[error("the token already holds a key labelled {0:?}")]
    LabelTaken(String),
    /// Any other PKCS#11 failure.
    #[error("PKCS#11: {0}")]
    Pkcs11(#[from] cryptoki::error::Error),
    /// The token returned something that is not an ECDSA P-256/P-384 public key.
    #[error("unexpected key on the token: {0}")]
    BadKey(String),
}

/// The curves offered (with the hash each is used with).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// P-256 with SHA-256.
    P256,
    /// P-384 with SHA-384.
    P384,
}

impl Curve {
    fn params(self) -> Vec<u8> {
        match self {
            // OBJECT IDENTIFIER 1.2.840.10045.3.1.7 (secp256r1)
            Curve::P256 => vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            // OBJECT IDENTIFIER 1.3.132.0.34 (secp384r1)
            Curve::P384 => vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
        }
    }

    fn of_params(p: &[u8]) -> Option<Curve> {
        [Curve::P256, Curve::P384]
            .into_iter()
            .find(|c| c.params() == p)
    }

    fn algorithm(self) -> &'static SignatureAlgorithm {
        match self {
            Curve::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Curve::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        }
    }

    fn digest(self) -> &'static ring::digest::Algorithm {
        match self {
            Curve::P256 => &ring::digest::SHA256,
            Curve::P384 => &ring::digest::SHA384,
        }
    }

    fn point_len(self) -> usize {
        match self {
            Curve::P256 => 65,
            Curve::P384 => 97,
        }
    }
}

/// A token found by its label, with the module loaded once for the process.
pub struct Token {
    ctx: Pkcs11,
    slot: Slot,
    pin: AuthPin,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("slot", &self.slot)
            .finish_non_exhaustive()
    }
}

impl Token {
    /// Loads `module`, finds the token labelled `label` and checks the user PIN.
    pub fn open(module: &Path, label: &str, pin: &str) -> Result<Token, SignerError> {
        let module_err = |e: cryptoki::error::Error| SignerError::Module {
            module: module.display().to_string(),
            detail: e.to_string(),
        };
        let ctx = Pkcs11::new(module).map_err(module_err)?;
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(module_err)?;
        let slot = ctx
            .get_slots_with_token()?
            .into_iter()
            .find(|s| {
                ctx.get_token_info(*s)
                    .map(|t| t.label() == label)
                    .unwrap_or(false)
            })
            .ok_or_else(|| SignerError::NoToken(label.to_string()))?;
        let token = Token {
            ctx,
            slot,
            pin: AuthPin::new(pin.into()),
        };
        token.session()?;
        Ok(token)
    }

    /// A logged-in read-write session.
    fn session(&self) -> Result<Session, SignerError> {
        let session = self.ctx.open_rw_session(self.slot)?;
        match session.login(UserType::User, Some(&self.pin)) {
            Ok(()) => Ok(session),
            // The login state is per application: a second session is already logged in.
            Err(cryptoki::error::Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
            Err(
                e @ cryptoki::error::Error::Pkcs11(RvError::PinIncorrect | RvError::PinLocked, _),
            ) => Err(SignerError::Login(e.to_string())),
            Err(e) => Err(e.into()),
        }
    }

    fn find(
        session: &Session,
        class: ObjectClass,
        label: &str,
    ) -> Result<Vec<ObjectHandle>, SignerError> {
        Ok(session.find_objects(&[
            Attribute::Class(class),
            Attribute::KeyType(KeyType::EC),
            Attribute::Label(label.as_bytes().to_vec()),
        ])?)
    }

    /// Generates an ECDSA key pair on the token: private, sensitive, not extractable.
    pub fn generate(&self, label: &str, curve: Curve) -> Result<Pkcs11Key, SignerError> {
        let session = self.session()?;
        if !Token::find(&session, ObjectClass::PRIVATE_KEY, label)?.is_empty() {
            return Err(SignerError::LabelTaken(label.to_string()));
        }
        let id = label.as_bytes().to_vec();
        let public = [
            Attribute::Token(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id.clone()),
            Attribute::EcParams(curve.params()),
            Attribute::Verify(true),
        ];
        let private = [
            Attribute::Token(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
        ];
        session.generate_key_pair(&Mechanism::EccKeyPairGen, &public, &private)?;
        drop(session);
        self.key(label)
    }

    /// The key pair labelled `label` (one private and one public key object).
    pub fn key(&self, label: &str) -> Result<Pkcs11Key, SignerError> {
        let session = self.session()?;
        let one = |class, what| -> Result<ObjectHandle, SignerError> {
            let mut found = Token::find(&session, class, label)?;
            match found.len() {
                1 => Ok(found.remove(0)),
                n => Err(SignerError::Key {
                    what,
                    label: label.to_string(),
                    found: n,
                }),
            }
        };
        let private = one(ObjectClass::PRIVATE_KEY, "private key")?;
        let public = one(ObjectClass::PUBLIC_KEY, "public key")?;
        let attrs =
            session.get_attributes(public, &[AttributeType::EcParams, AttributeType::EcPoint])?;
        let (mut params, mut point) = (None, None);
        for a in attrs {
            match a {
                Attribute::EcParams(p) => params = Some(p),
                Attribute::EcPoint(p) => point = Some(p),
                _ => {}
            }
        }
        let params = params.ok_or_else(|| SignerError::BadKey("no CKA_EC_PARAMS".into()))?;
        let curve = Curve::of_params(&params)
            .ok_or_else(|| SignerError::BadKey(format!("curve {params:02x?}")))?;
        let mut point = point.ok_or_else(|| SignerError::BadKey("no CKA_EC_POINT".into()))?;
        // CKA_EC_POINT is the DER OCTET STRING of the point (PKCS#11 2.40); some tokens give
        // the raw point.
        let n = curve.point_len();
        if point.len() == n + 2 && point[0] == 0x04 && point[1] as usize == n {
            point.drain(..2);
        }
        if point.len() != n || point[0] != 0x04 {
            return Err(SignerError::BadKey(format!(
                "EC point of {} bytes, expected an uncompressed {n}-byte point",
                point.len()
            )));
        }
        Ok(Pkcs11Key {
            session: Mutex::new(session),
            private,
            point,
            curve,
        })
    }
}

/// An ECDSA private key on a token, with its public point.
pub struct Pkcs11Key {
    session: Mutex<Session>,
    private: ObjectHandle,
    point: Vec<u8>,
    curve: Curve,
}

impl std::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Key")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

/// DER INTEGER from an unsigned big-endian value.
fn der_uint(v: &[u8]) -> Vec<u8> {
    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len() - 1);
    let v = &v[start..];
    let mut out = vec![0x02, 0];
    if v[0] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(v);
    out[1] = (out.len() - 2) as u8;
    out
}

/// PKCS#11 CKM_ECDSA gives r||s; X.509 and CMS want `SEQUENCE { r INTEGER, s INTEGER }`.
fn ecdsa_raw_to_der(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut body = der_uint(r);
    body.extend(der_uint(s));
    // at most 2 * (2 + 1 + 48) = 102 bytes: the short length form is enough
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

impl PublicKeyData for Pkcs11Key {
    fn der_bytes(&self) -> &[u8] {
        &self.point
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.curve.algorithm()
    }
}

impl SigningKey for Pkcs11Key {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let digest = ring::digest::digest(self.curve.digest(), msg);
        let session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let raw = session
            .sign(&Mechanism::Ecdsa, self.private, digest.as_ref())
            .map_err(|_| rcgen::Error::RemoteKeyError)?;
        if raw.len() != 2 * (self.curve.point_len() / 2) {
            return Err(rcgen::Error::RemoteKeyError);
        }
        Ok(ecdsa_raw_to_der(&raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_signatures_become_der() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r needs a leading zero
        raw[32] = 0x00;
        raw[33] = 0x01; // s has a leading zero to drop
        let der = ecdsa_raw_to_der(&raw);
        assert_eq!(&der[..5], &[0x30, der.len() as u8 - 2, 0x02, 33, 0x00]);
        let s_at = 2 + 2 + 33;
        assert_eq!(&der[s_at..s_at + 2], &[0x02, 31]);
        assert_eq!(der_uint(&[0, 0]), vec![0x02, 1, 0]);
    }
}

//! Signers that reach a device. For now: ECDSA keys on a PKCS#11 token or HSM (`cryptoki`),
//! usable wherever an `rcgen::SigningKey` is taken — in particular as the keys of the built-in
//! CA (`signet_pki::Ca::init_with_keys` / `load_with_keys`). The private key never leaves the
//! token: the message is hashed here and only the digest is sent (CKM_ECDSA).
//!
//! The same calls serve a certificate holder's key generated on their token
//! ([`Token::generate`], then [`Token::store_certificate`] once the CA issued the certificate).

use std::path::Path;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
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
    /// A certificate already exists under the label asked for a new one.
    #[error("the token already holds a certificate labelled {0:?}")]
    CertificateLabelTaken(String),
    /// The bytes given as a certificate are not an X.509 certificate.
    #[error("not a DER X.509 certificate: {0}")]
    BadCertificate(&'static str),
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
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) => {}
            // Another `Token` of this process loaded the same module (a CA key and a holder's
            // key on one module). Nothing here ever calls C_Finalize, so sharing is safe.
            Err(cryptoki::error::Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(module_err(e)),
        }
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

    /// Stores an X.509 certificate (DER) on the token as a CKO_CERTIFICATE object with the label
    /// and CKA_ID of the key pair `label`, so that other PKCS#11 applications find the pair.
    pub fn store_certificate(&self, label: &str, cert_der: &[u8]) -> Result<(), SignerError> {
        let names = cert_names(cert_der)?;
        let session = self.session()?;
        let mut keys = Token::find(&session, ObjectClass::PRIVATE_KEY, label)?;
        if keys.len() != 1 {
            return Err(SignerError::Key {
                what: "private key",
                label: label.to_string(),
                found: keys.len(),
            });
        }
        let id = match session
            .get_attributes(keys.remove(0), &[AttributeType::Id])?
            .pop()
        {
            Some(Attribute::Id(id)) => id,
            _ => label.as_bytes().to_vec(),
        };
        if !Token::find_certificates(&session, label)?.is_empty() {
            return Err(SignerError::CertificateLabelTaken(label.to_string()));
        }
        session.create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id),
            Attribute::Subject(names.subject.to_vec()),
            Attribute::Issuer(names.issuer.to_vec()),
            Attribute::SerialNumber(names.serial.to_vec()),
            Attribute::Value(cert_der.to_vec()),
        ])?;
        Ok(())
    }

    fn find_certificates(session: &Session, label: &str) -> Result<Vec<ObjectHandle>, SignerError> {
        Ok(session.find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::Label(label.as_bytes().to_vec()),
        ])?)
    }

    /// The DER of the certificate labelled `label` on the token, if there is one.
    pub fn certificate(&self, label: &str) -> Result<Option<Vec<u8>>, SignerError> {
        let session = self.session()?;
        let Some(handle) = Token::find_certificates(&session, label)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        Ok(session
            .get_attributes(handle, &[AttributeType::Value])?
            .into_iter()
            .find_map(|a| match a {
                Attribute::Value(v) => Some(v),
                _ => None,
            }))
    }

    /// Destroys the key pair labelled `label` (undoing a failed issuance); returns how many
    /// objects were destroyed. Certificates are left alone.
    pub fn destroy_key_pair(&self, label: &str) -> Result<usize, SignerError> {
        let session = self.session()?;
        let mut objects = Token::find(&session, ObjectClass::PRIVATE_KEY, label)?;
        objects.extend(Token::find(&session, ObjectClass::PUBLIC_KEY, label)?);
        for o in &objects {
            session.destroy_object(*o)?;
        }
        Ok(objects.len())
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

/// How a private key object is protected, as the token reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyProtection {
    /// CKA_PRIVATE: only visible after login.
    pub private: bool,
    /// CKA_SENSITIVE: the value cannot be read in the clear.
    pub sensitive: bool,
    /// CKA_EXTRACTABLE: the value can be wrapped out of the token.
    pub extractable: bool,
    /// CKA_ALWAYS_SENSITIVE: it was sensitive since it was made.
    pub always_sensitive: bool,
    /// CKA_NEVER_EXTRACTABLE: it was never extractable.
    pub never_extractable: bool,
}

impl Pkcs11Key {
    /// Signs `msg`: hashed here (SHA-256 for P-256, SHA-384 for P-384), only the digest goes to
    /// the token. The signature is DER (`SEQUENCE { r, s }`), as X.509, CMS and openssl want.
    pub fn sign_message(&self, msg: &[u8]) -> Result<Vec<u8>, SignerError> {
        let digest = ring::digest::digest(self.curve.digest(), msg);
        let session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let raw = session.sign(&Mechanism::Ecdsa, self.private, digest.as_ref())?;
        if raw.len() != 2 * (self.curve.point_len() / 2) {
            return Err(SignerError::BadKey(format!(
                "ECDSA signature of {} bytes",
                raw.len()
            )));
        }
        Ok(ecdsa_raw_to_der(&raw))
    }

    /// The DER SubjectPublicKeyInfo of the key pair (read from the token's public key object).
    pub fn public_key_info_der(&self) -> Vec<u8> {
        self.subject_public_key_info()
    }

    /// The curve of the key.
    pub fn curve(&self) -> Curve {
        self.curve
    }

    /// The protection attributes of the private key object.
    pub fn protection(&self) -> Result<KeyProtection, SignerError> {
        let session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let attrs = session.get_attributes(
            self.private,
            &[
                AttributeType::Private,
                AttributeType::Sensitive,
                AttributeType::Extractable,
                AttributeType::AlwaysSensitive,
                AttributeType::NeverExtractable,
            ],
        )?;
        // Missing attributes count as the unsafe value.
        let mut p = KeyProtection {
            private: false,
            sensitive: false,
            extractable: true,
            always_sensitive: false,
            never_extractable: false,
        };
        for a in attrs {
            match a {
                Attribute::Private(v) => p.private = v,
                Attribute::Sensitive(v) => p.sensitive = v,
                Attribute::Extractable(v) => p.extractable = v,
                Attribute::AlwaysSensitive(v) => p.always_sensitive = v,
                Attribute::NeverExtractable(v) => p.never_extractable = v,
                _ => {}
            }
        }
        Ok(p)
    }
}

/// The subject, issuer and serial number (each a whole DER TLV) of an X.509 certificate, as
/// CKA_SUBJECT, CKA_ISSUER and CKA_SERIAL_NUMBER want them.
struct CertNames<'a> {
    serial: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
}

/// One DER TLV split off the front of a slice.
struct Tlv<'a> {
    tag: u8,
    /// Tag, length and contents.
    whole: &'a [u8],
    contents: &'a [u8],
    /// What follows it.
    rest: &'a [u8],
}

/// Splits one DER TLV off `input` (definite lengths up to 4 bytes).
fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    if input.len() < end {
        return None;
    }
    Some(Tlv {
        tag,
        whole: &input[..end],
        contents: &input[header..end],
        rest: &input[end..],
    })
}

fn cert_names(der: &[u8]) -> Result<CertNames<'_>, SignerError> {
    let bad = SignerError::BadCertificate;
    fn next<'a>(input: &'a [u8], what: &'static str) -> Result<Tlv<'a>, SignerError> {
        tlv(input).ok_or(SignerError::BadCertificate(what))
    }
    let cert = next(der, "truncated")?;
    let tbs = next(cert.contents, "truncated")?;
    if cert.tag != 0x30 || tbs.tag != 0x30 {
        return Err(bad("not a SEQUENCE"));
    }
    let mut serial = next(tbs.contents, "truncated")?;
    if serial.tag == 0xa0 {
        // [0] EXPLICIT version
        serial = next(serial.rest, "truncated")?;
    }
    if serial.tag != 0x02 {
        return Err(bad("no serial number"));
    }
    let signature = next(serial.rest, "no signature algorithm")?;
    let issuer = next(signature.rest, "no issuer")?;
    let validity = next(issuer.rest, "no validity")?;
    let subject = next(validity.rest, "no subject")?;
    if issuer.tag != 0x30 || subject.tag != 0x30 {
        return Err(bad("issuer or subject is not a Name"));
    }
    Ok(CertNames {
        serial: serial.whole,
        issuer: issuer.whole,
        subject: subject.whole,
    })
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
        self.sign_message(msg)
            .map_err(|_| rcgen::Error::RemoteKeyError)
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

    #[test]
    fn certificate_names_are_whole_tlvs_and_garbage_is_refused() {
        // SEQUENCE { SEQUENCE { [0] { INTEGER 2 }, INTEGER 5, SEQUENCE {}, SEQUENCE { 0x01 },
        //   SEQUENCE {}, SEQUENCE { 0x02 } } }
        let tbs = [
            0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x05, 0x30, 0x00, 0x30, 0x01, 0x01, 0x30,
            0x00, 0x30, 0x01, 0x02,
        ];
        let mut cert = vec![0x30, tbs.len() as u8 + 2, 0x30, tbs.len() as u8];
        cert.extend_from_slice(&tbs);
        let n = cert_names(&cert).unwrap();
        assert_eq!(n.serial, &[0x02, 0x01, 0x05]);
        assert_eq!(n.issuer, &[0x30, 0x01, 0x01]);
        assert_eq!(n.subject, &[0x30, 0x01, 0x02]);
        for bad in [
            &b""[..],
            b"\x30",
            b"\x30\x05\x30\x03",
            &cert[..cert.len() - 1],
        ] {
            assert!(matches!(
                cert_names(bad),
                Err(SignerError::BadCertificate(_))
            ));
        }
        assert!(tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none());
    }
}

//! A PKCS#11 token found by its label: login, key generation (ECDSA, RSA), certificates.

use std::path::Path;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use crate::asn1::cert_names;
use crate::curve::Curve;
use crate::key::Pkcs11Key;
use crate::SignerError;

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
            Attribute::Label(label.as_bytes().to_vec()),
        ])?)
    }

    /// Generates an ECDSA key pair on the token: private, sensitive, not extractable.
    pub fn generate(&self, label: &str, curve: Curve) -> Result<Pkcs11Key, SignerError> {
        self.generate_pair(
            label,
            &Mechanism::EccKeyPairGen,
            vec![Attribute::EcParams(curve.params())],
        )
    }

    /// Generates an RSA key pair of `bits` (2048, 3072 or 4096; exponent 65537) on the token:
    /// private, sensitive, not extractable.
    pub fn generate_rsa(&self, label: &str, bits: u32) -> Result<Pkcs11Key, SignerError> {
        if !matches!(bits, 2048 | 3072 | 4096) {
            return Err(SignerError::BadKey(format!(
                "RSA-{bits}: use 2048, 3072 or 4096"
            )));
        }
        self.generate_pair(
            label,
            &Mechanism::RsaPkcsKeyPairGen,
            vec![
                Attribute::ModulusBits((bits as u64).into()),
                Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
            ],
        )
    }

    /// Generates a key pair labelled (and identified by) `label` with `mechanism`, the public
    /// key's `key_attributes` added: on the token, the private half sensitive and not
    /// extractable.
    fn generate_pair(
        &self,
        label: &str,
        mechanism: &Mechanism,
        key_attributes: Vec<Attribute>,
    ) -> Result<Pkcs11Key, SignerError> {
        let session = self.session()?;
        if !Token::find(&session, ObjectClass::PRIVATE_KEY, label)?.is_empty() {
            return Err(SignerError::LabelTaken(label.to_string()));
        }
        let id = label.as_bytes().to_vec();
        let mut public = vec![
            Attribute::Token(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id.clone()),
            Attribute::Verify(true),
        ];
        public.extend(key_attributes);
        let private = [
            Attribute::Token(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
        ];
        session.generate_key_pair(mechanism, &public, &private)?;
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
        Pkcs11Key::open(session, private, public)
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

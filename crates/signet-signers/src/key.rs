//! A private key on a token: signing with only the digest sent, as a CMS [`RawSigner`] and as
//! an rcgen CA key.

use std::sync::Mutex;

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectHandle};
use cryptoki::session::Session;
use rcgen::{PublicKeyData, SignatureAlgorithm, SigningKey};

use crate::asn1::{der_tlv, der_uint, ecdsa_raw_to_der};
use crate::curve::Curve;
use crate::SignerError;

/// The public half of a token key, as a certificate carries it.
#[derive(Clone, Debug)]
pub(crate) enum PublicKey {
    /// The curve and the uncompressed point.
    Ec { curve: Curve, point: Vec<u8> },
    /// The DER RSAPublicKey and the modulus length in bytes.
    Rsa { der: Vec<u8>, modulus_len: usize },
}

fn ec_public(session: &Session, public: ObjectHandle) -> Result<PublicKey, SignerError> {
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
    Ok(PublicKey::Ec { curve, point })
}

fn rsa_public(session: &Session, public: ObjectHandle) -> Result<PublicKey, SignerError> {
    let attrs = session.get_attributes(
        public,
        &[AttributeType::Modulus, AttributeType::PublicExponent],
    )?;
    let (mut n, mut e) = (None, None);
    for a in attrs {
        match a {
            Attribute::Modulus(v) => n = Some(v),
            Attribute::PublicExponent(v) => e = Some(v),
            _ => {}
        }
    }
    let (n, e) = n
        .zip(e)
        .ok_or_else(|| SignerError::BadKey("RSA key without modulus or exponent".into()))?;
    let modulus_len = n.iter().skip_while(|b| **b == 0).count();
    if modulus_len < 256 {
        return Err(SignerError::BadKey(format!(
            "RSA-{} is too short (2048 bits at least)",
            modulus_len * 8
        )));
    }
    let mut body = der_uint(&n);
    body.extend(der_uint(&e));
    Ok(PublicKey::Rsa {
        der: der_tlv(0x30, &body),
        modulus_len,
    })
}

impl PublicKey {
    /// The hash signed with this key: SHA-384 for P-384, SHA-256 otherwise.
    pub(crate) fn digest(&self) -> &'static ring::digest::Algorithm {
        match self {
            PublicKey::Ec { curve, .. } => curve.digest(),
            PublicKey::Rsa { .. } => &ring::digest::SHA256,
        }
    }
}

impl PublicKey {
    /// The public key of a DER certificate (RSA of 2048 bits or more, P-256, P-384), for a
    /// token that keeps only the private key and the certificate.
    pub(crate) fn of_certificate(cert_der: &[u8]) -> Result<PublicKey, SignerError> {
        use der::{Decode, Encode};
        let cert = x509_cert::Certificate::from_der(cert_der)
            .map_err(|_| SignerError::BadCertificate("not a DER X.509 certificate"))?;
        let spki = cert.tbs_certificate.subject_public_key_info;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(SignerError::BadCertificate("public key of unused bits"))?
            .to_vec();
        match spki.algorithm.oid.to_string().as_str() {
            "1.2.840.113549.1.1.1" => {
                let modulus_len = rsa_modulus_len(&bits)
                    .ok_or_else(|| SignerError::BadKey("RSAPublicKey unreadable".into()))?;
                if modulus_len < 256 {
                    return Err(SignerError::BadKey(format!(
                        "RSA-{} is too short (2048 bits at least)",
                        modulus_len * 8
                    )));
                }
                Ok(PublicKey::Rsa {
                    der: bits,
                    modulus_len,
                })
            }
            "1.2.840.10045.2.1" => {
                let params = spki
                    .algorithm
                    .parameters
                    .and_then(|p| p.to_der().ok())
                    .unwrap_or_default();
                let curve = Curve::of_params(&params)
                    .ok_or_else(|| SignerError::BadKey(format!("curve {params:02x?}")))?;
                Ok(PublicKey::Ec { curve, point: bits })
            }
            other => Err(SignerError::BadKey(format!("key algorithm {other}"))),
        }
    }
}

/// The length in bytes of the modulus of a DER RSAPublicKey.
fn rsa_modulus_len(der: &[u8]) -> Option<usize> {
    use der::Decode;
    let seq = der::asn1::SequenceOf::<der::asn1::UintRef<'_>, 2>::from_der(der).ok()?;
    seq.get(0).map(|n| n.as_bytes().len())
}

/// Signs a `digest` already made (of the length [`PublicKey::digest`] gives) with the
/// `private` key object: CKM_ECDSA (the signature as DER), CKM_RSA_PKCS over the DigestInfo,
/// or CKM_RSA_PKCS_PSS (MGF1-SHA-256, 32-byte salt) — all only see the digest, and all are in
/// every token that does ECDSA or RSA, unlike the hash-and-sign mechanisms.
pub(crate) fn sign_digest(
    session: &Session,
    private: ObjectHandle,
    kind: &PublicKey,
    digest: &[u8],
    pss: bool,
) -> Result<Vec<u8>, SignerError> {
    if digest.len() != kind.digest().output_len() {
        return Err(SignerError::Crypto(format!(
            "a digest of {} bytes for a key that signs {}-byte digests",
            digest.len(),
            kind.digest().output_len()
        )));
    }
    match kind {
        PublicKey::Ec { curve, .. } => {
            let raw = session.sign(&Mechanism::Ecdsa, private, digest)?;
            if raw.len() != 2 * (curve.point_len() / 2) {
                return Err(SignerError::BadKey(format!(
                    "ECDSA signature of {} bytes",
                    raw.len()
                )));
            }
            Ok(ecdsa_raw_to_der(&raw))
        }
        PublicKey::Rsa { modulus_len, .. } => {
            let sig = if pss {
                let params = PkcsPssParams {
                    hash_alg: MechanismType::SHA256,
                    mgf: PkcsMgfType::MGF1_SHA256,
                    s_len: 32u64.into(),
                };
                session.sign(&Mechanism::RsaPkcsPss(params), private, digest)?
            } else {
                let mut info = SHA256_DIGEST_INFO.to_vec();
                info.extend_from_slice(digest);
                session.sign(&Mechanism::RsaPkcs, private, &info)?
            };
            if sig.len() != *modulus_len {
                return Err(SignerError::BadKey(format!(
                    "RSA signature of {} bytes for a {modulus_len}-byte modulus",
                    sig.len()
                )));
            }
            Ok(sig)
        }
    }
}

/// A private key on a token (ECDSA or RSA), with its public half.
pub struct Pkcs11Key {
    session: Mutex<Session>,
    private: ObjectHandle,
    kind: PublicKey,
    /// RSA keys: sign with RSASSA-PSS instead of PKCS#1 v1.5.
    pss: bool,
}

impl std::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Key")
            .field("algorithm", &signet_pki::RawSigner::algorithm(self))
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
    /// The key pair of two object handles found in `session` (logged in), which it keeps.
    pub(crate) fn open(
        session: Session,
        private: ObjectHandle,
        public: ObjectHandle,
    ) -> Result<Pkcs11Key, SignerError> {
        let kind = match session
            .get_attributes(public, &[AttributeType::KeyType])?
            .pop()
        {
            Some(Attribute::KeyType(KeyType::RSA)) => rsa_public(&session, public)?,
            Some(Attribute::KeyType(KeyType::EC)) => ec_public(&session, public)?,
            other => return Err(SignerError::BadKey(format!("key type {other:?}"))),
        };
        Ok(Pkcs11Key {
            session: Mutex::new(session),
            private,
            kind,
            pss: false,
        })
    }

    /// Signs `msg`: hashed here (SHA-256 for P-256 and RSA, SHA-384 for P-384), only the
    /// digest goes to the token. ECDSA signatures are DER (`SEQUENCE { r, s }`), as X.509, CMS
    /// and openssl want; RSA signatures are PKCS#1 v1.5 (or PSS after [`Self::with_pss`]).
    pub fn sign_message(&self, msg: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.sign_with(msg, self.pss)
    }

    fn sign_with(&self, msg: &[u8], pss: bool) -> Result<Vec<u8>, SignerError> {
        let digest = ring::digest::digest(self.kind.digest(), msg);
        let session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        sign_digest(&session, self.private, &self.kind, digest.as_ref(), pss)
    }

    /// Signs a digest computed elsewhere (a remote-signing request carries only hashes):
    /// SHA-256 for RSA and P-256 keys, SHA-384 for P-384 keys; any other length is refused.
    /// The output is what [`Self::sign_message`] gives for a message of that digest.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, SignerError> {
        let session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        sign_digest(&session, self.private, &self.kind, digest, self.pss)
    }

    /// The same key signing with RSASSA-PSS (RSA keys only; ECDSA keys are unchanged).
    pub fn with_pss(mut self) -> Pkcs11Key {
        self.pss = matches!(self.kind, PublicKey::Rsa { .. });
        self
    }

    /// The DER SubjectPublicKeyInfo of the key pair (read from the token's public key object).
    pub fn public_key_info_der(&self) -> Vec<u8> {
        self.subject_public_key_info()
    }

    /// The curve of an ECDSA key (`None` for RSA).
    pub fn curve(&self) -> Option<Curve> {
        match self.kind {
            PublicKey::Ec { curve, .. } => Some(curve),
            PublicKey::Rsa { .. } => None,
        }
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

/// DigestInfo header for SHA-256 (RFC 8017 9.2 note 1): what CKM_RSA_PKCS signs before
/// the digest.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

impl PublicKeyData for Pkcs11Key {
    fn der_bytes(&self) -> &[u8] {
        match &self.kind {
            PublicKey::Ec { point, .. } => point,
            PublicKey::Rsa { der, .. } => der,
        }
    }

    /// As a CA key (rcgen), RSA keys sign with PKCS#1 v1.5 and SHA-256.
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match &self.kind {
            PublicKey::Ec { curve, .. } => curve.algorithm(),
            PublicKey::Rsa { .. } => &rcgen::PKCS_RSA_SHA256,
        }
    }
}

impl signet_pki::RawSigner for Pkcs11Key {
    type Error = SignerError;

    fn algorithm(&self) -> signet_pki::SignatureAlgorithm {
        use signet_pki::SignatureAlgorithm as A;
        match (&self.kind, self.pss) {
            (
                PublicKey::Ec {
                    curve: Curve::P256, ..
                },
                _,
            ) => A::EcdsaP256Sha256,
            (
                PublicKey::Ec {
                    curve: Curve::P384, ..
                },
                _,
            ) => A::EcdsaP384Sha384,
            (PublicKey::Rsa { .. }, false) => A::RsaPkcs1Sha256,
            (PublicKey::Rsa { .. }, true) => A::RsaPssSha256,
        }
    }

    fn sign(&self, to_be_signed: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.sign_message(to_be_signed)
    }
}

impl SigningKey for Pkcs11Key {
    /// rcgen knows no PSS: as a CA key, RSA always signs PKCS#1 v1.5, as announced by
    /// [`PublicKeyData::algorithm`].
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.sign_with(msg, false)
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

//! The CA's keys: their algorithms, how they are saved (PKCS#8 PEM) or held (any
//! `rcgen::SigningKey`, e.g. a token), and a key loaded together with its certificate.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use rcgen::{KeyPair, SignatureAlgorithm};
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;

use super::rng::CallerRng;
use crate::digest::Digest;
use crate::error::{PkiError, Result};
use crate::oids;
use crate::pem::pem_decode;

/// Key algorithm of the CA's own keys (root, issuing, OCSP, TSA). Holders may also get RSA
/// keys ([`HolderKey`]); the CA's keys stay ECDSA, which rcgen on `ring` both makes and uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlg {
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384,
}

impl KeyAlg {
    pub(crate) fn rcgen(self) -> &'static SignatureAlgorithm {
        match self {
            KeyAlg::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyAlg::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        }
    }

    /// The signature algorithm OID (no parameters) used with this key.
    pub(crate) fn signature_oid(self) -> ObjectIdentifier {
        match self {
            KeyAlg::EcdsaP256 => oids::ECDSA_WITH_SHA256,
            KeyAlg::EcdsaP384 => oids::ECDSA_WITH_SHA384,
        }
    }

    /// The digest that goes with the signature.
    pub(crate) fn digest(self) -> Digest {
        match self {
            KeyAlg::EcdsaP256 => Digest::Sha256,
            KeyAlg::EcdsaP384 => Digest::Sha384,
        }
    }
}

/// The key a holder gets when the CA generates it (software keystore): ECDSA like the CA's
/// own keys, or RSA for signers and relying parties that need it (TT 15/2025 allows RSA ≥ 2048).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HolderKey {
    EcdsaP256,
    EcdsaP384,
    Rsa2048,
    Rsa3072,
}

impl HolderKey {
    /// Generates the key pair. ECDSA through ring; RSA through the `rsa` crate (ring cannot
    /// generate RSA keys, but signs with them), from `rng`, which must be a CSPRNG (OsRng).
    pub(super) fn generate(self, rng: &mut dyn rand_core::RngCore) -> Result<KeyPair> {
        let key_err = |e: String| PkiError::Key(e);
        let bits = match self {
            HolderKey::EcdsaP256 => {
                return KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                    .map_err(|e| key_err(e.to_string()))
            }
            HolderKey::EcdsaP384 => {
                return KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)
                    .map_err(|e| key_err(e.to_string()))
            }
            HolderKey::Rsa2048 => 2048,
            HolderKey::Rsa3072 => 3072,
        };
        use rsa::pkcs8::EncodePrivateKey;
        let private = rsa::RsaPrivateKey::new(&mut CallerRng(rng), bits)
            .map_err(|e| key_err(e.to_string()))?;
        let der = private.to_pkcs8_der().map_err(|e| key_err(e.to_string()))?;
        let der = rustls_pki_types::PrivatePkcs8KeyDer::from(der.as_bytes().to_vec());
        KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256)
            .map_err(|e| key_err(e.to_string()))
    }
}

/// PKCS#8 PEM of the four CA keys. Secret: save them readable by the CA operator only.
#[derive(Clone, Serialize, Deserialize)]
pub struct CaKeys {
    /// Root CA key.
    pub root: String,
    /// Issuing CA key.
    pub issuing: String,
    /// OCSP responder key.
    pub ocsp: String,
    /// TSA key.
    pub tsa: String,
}

impl std::fmt::Debug for CaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaKeys(..)")
    }
}

/// A key the CA generated for a subject, as PKCS#8 DER.
pub struct GeneratedKey {
    /// PKCS#8 (RFC 5958) DER of the private key.
    pub pkcs8_der: Vec<u8>,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GeneratedKey(..)")
    }
}

/// A CA private key. Software keys are rcgen `KeyPair`s (signing with `ring`); a key held by a
/// token or an HSM implements the same trait in an adapter crate and is handed to
/// [`Ca::load_with_keys`].
pub type CaKey = Box<DynKey>;

/// The key trait object behind [`CaKey`].
pub type DynKey = dyn rcgen::SigningKey + Send + Sync;

/// The four CA keys, however they are held.
pub struct CaSigningKeys {
    /// Root CA key.
    pub root: CaKey,
    /// Issuing CA key.
    pub issuing: CaKey,
    /// OCSP responder key.
    pub ocsp: CaKey,
    /// TSA key.
    pub tsa: CaKey,
}

impl std::fmt::Debug for CaSigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaSigningKeys(..)")
    }
}

/// A signer (a key and its certificate), parsed once.
pub(crate) struct Signer {
    pub(crate) key: CaKey,
    pub(crate) cert_der: Vec<u8>,
    pub(crate) cert: Certificate,
}

pub(super) fn software_key(key_pem: &str, what: &'static str) -> Result<CaKey> {
    let key = KeyPair::try_from(pem_decode(key_pem.as_bytes(), "PRIVATE KEY")?)
        .map_err(|e| PkiError::State(format!("{what} key: {e}")))?;
    Ok(Box::new(key))
}

impl Signer {
    pub(super) fn new(key: CaKey, cert_pem: &str, alg: KeyAlg, what: &'static str) -> Result<Self> {
        if key.algorithm() != alg.rcgen() {
            return Err(PkiError::State(format!(
                "the {what} key is not a {alg:?} key"
            )));
        }
        let cert_der = pem_decode(cert_pem.as_bytes(), "CERTIFICATE")?;
        let cert = Certificate::from_der(&cert_der).map_err(|e| PkiError::MalformedDer {
            what: "certificate",
            detail: e.to_string(),
        })?;
        let spki = cert.tbs_certificate.subject_public_key_info.to_der()?;
        if spki != key.subject_public_key_info() {
            return Err(PkiError::State(format!(
                "the {what} key does not match its certificate"
            )));
        }
        Ok(Signer {
            key,
            cert_der,
            cert,
        })
    }

    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        Ok(self.key.sign(msg)?)
    }
}

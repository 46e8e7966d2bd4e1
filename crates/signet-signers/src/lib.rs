//! Signers that reach a device or a file: ECDSA and RSA keys on a PKCS#11 token or HSM
//! (`cryptoki`), and software keys from PKCS#12 or PKCS#8 files ([`SoftwareKey`]).
//!
//! Token keys are usable wherever an `rcgen::SigningKey` is taken — in particular as the keys
//! of the built-in CA (`signet_pki::Ca::init_with_keys` / `load_with_keys`) — and every key
//! implements [`signet_pki::RawSigner`] for CMS/PAdES signatures. The trait lives in the pure
//! `signet-pki` so that building a signature does not depend on `cryptoki`. The private key
//! never leaves the token: the message is hashed here and only the digest is sent (CKM_ECDSA;
//! CKM_RSA_PKCS with a DigestInfo; CKM_RSA_PKCS_PSS).
//!
//! The same calls serve a certificate holder's key generated on their token
//! ([`Token::generate`], then [`Token::store_certificate`] once the CA issued the certificate).

mod asn1;
mod curve;
mod error;
mod key;
mod module;
mod software;
mod token;

pub use curve::Curve;
pub use error::SignerError;
pub use key::{KeyProtection, Pkcs11Key};
pub use module::{certificate_signature_algorithm, Module, TokenCertificate, TokenSummary};
pub use software::SoftwareKey;
pub use token::Token;

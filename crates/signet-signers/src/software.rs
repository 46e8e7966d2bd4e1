//! A private key held in memory (from a PKCS#12 file or a PKCS#8 PEM), signing with `ring`.

use ring::rand::SystemRandom;
use ring::signature::{self as rs, EcdsaKeyPair, KeyPair, RsaKeyPair};
use signet_pki::{RawSigner, SignatureAlgorithm};

use crate::SignerError;

enum Key {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

/// A software key: RSA (2048 to 4096 bits, PKCS#1 v1.5 or PSS) or ECDSA P-256/P-384.
pub struct SoftwareKey {
    key: Key,
    algorithm: SignatureAlgorithm,
    rng: SystemRandom,
}

impl std::fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

fn format_error(what: &str, e: impl std::fmt::Display) -> SignerError {
    SignerError::KeyFormat(format!("{what}: {e}"))
}

impl SoftwareKey {
    /// Reads a PKCS#8 DER private key: RSA (SHA-256, PKCS#1 v1.5; see [`Self::with_pss`]),
    /// ECDSA P-256 (SHA-256) or P-384 (SHA-384).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SoftwareKey, SignerError> {
        let rng = SystemRandom::new();
        let (key, algorithm) = if let Ok(k) = RsaKeyPair::from_pkcs8(der) {
            (Key::Rsa(k), SignatureAlgorithm::RsaPkcs1Sha256)
        } else if let Ok(k) =
            EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
        {
            (Key::Ecdsa(k), SignatureAlgorithm::EcdsaP256Sha256)
        } else {
            let k = EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P384_SHA384_ASN1_SIGNING, der, &rng)
                .map_err(|e| {
                    format_error("not an RSA (2048-4096 bits), P-256 or P-384 PKCS#8 key", e)
                })?;
            (Key::Ecdsa(k), SignatureAlgorithm::EcdsaP384Sha384)
        };
        Ok(SoftwareKey {
            key,
            algorithm,
            rng,
        })
    }

    /// Reads a PEM `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1).
    pub fn from_pkcs8_pem(pem: &str) -> Result<SoftwareKey, SignerError> {
        let (label, der) =
            der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| format_error("PEM", e))?;
        match label {
            "PRIVATE KEY" => SoftwareKey::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => {
                let k = RsaKeyPair::from_der(&der).map_err(|e| format_error("PKCS#1 key", e))?;
                Ok(SoftwareKey {
                    key: Key::Rsa(k),
                    algorithm: SignatureAlgorithm::RsaPkcs1Sha256,
                    rng: SystemRandom::new(),
                })
            }
            other => Err(SignerError::KeyFormat(format!(
                "PEM {other:?}, expected PRIVATE KEY"
            ))),
        }
    }

    /// Reads a PKCS#12 file: the private key and its certificate chain, the holder's
    /// certificate first (the certificate whose public key is the key's), then the others in
    /// the file's order.
    pub fn from_pkcs12(
        der: &[u8],
        password: &str,
    ) -> Result<(SoftwareKey, Vec<Vec<u8>>), SignerError> {
        let store = p12_keystore::KeyStore::from_pkcs12(der, password)
            .map_err(|e| SignerError::Pkcs12(e.to_string()))?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| SignerError::Pkcs12("no private key in the file".into()))?;
        let key = SoftwareKey::from_pkcs8_der(chain.key())?;
        let mut certs: Vec<Vec<u8>> = chain.chain().iter().map(|c| c.as_der().to_vec()).collect();
        let public = key.public_key();
        let leaf = certs
            .iter()
            .position(|c| crate::asn1::certificate_public_key(c).is_some_and(|k| k == public))
            .ok_or_else(|| {
                SignerError::Pkcs12("no certificate in the file matches the key".into())
            })?;
        let holder = certs.remove(leaf);
        certs.insert(0, holder);
        Ok((key, certs))
    }

    /// The same RSA key signing with RSASSA-PSS (same hash, salt as long as the hash).
    /// ECDSA keys are returned unchanged.
    pub fn with_pss(mut self) -> SoftwareKey {
        self.algorithm = self.algorithm.to_pss();
        self
    }

    /// The public key as a certificate carries it in its BIT STRING (RSAPublicKey DER or the
    /// uncompressed EC point).
    pub fn public_key(&self) -> Vec<u8> {
        match &self.key {
            Key::Rsa(k) => k.public_key().as_ref().to_vec(),
            Key::Ecdsa(k) => k.public_key().as_ref().to_vec(),
        }
    }

    fn rsa_padding(&self) -> &'static dyn rs::RsaEncoding {
        use SignatureAlgorithm::*;
        match self.algorithm {
            RsaPkcs1Sha384 => &rs::RSA_PKCS1_SHA384,
            RsaPkcs1Sha512 => &rs::RSA_PKCS1_SHA512,
            RsaPssSha256 => &rs::RSA_PSS_SHA256,
            RsaPssSha384 => &rs::RSA_PSS_SHA384,
            RsaPssSha512 => &rs::RSA_PSS_SHA512,
            _ => &rs::RSA_PKCS1_SHA256,
        }
    }
}

impl RawSigner for SoftwareKey {
    type Error = SignerError;

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, to_be_signed: &[u8]) -> Result<Vec<u8>, SignerError> {
        let failed = |_| SignerError::Crypto("the software key could not sign".into());
        match &self.key {
            Key::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(self.rsa_padding(), &self.rng, to_be_signed, &mut sig)
                    .map_err(failed)?;
                Ok(sig)
            }
            Key::Ecdsa(k) => Ok(k
                .sign(&self.rng, to_be_signed)
                .map_err(failed)?
                .as_ref()
                .to_vec()),
        }
    }
}

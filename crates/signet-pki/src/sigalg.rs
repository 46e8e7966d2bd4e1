//! Digest and signature algorithms of CMS signatures, and the [`RawSigner`] trait.
//!
//! The trait lives here, in the pure crate, so that CMS assembly can take any signer without
//! pulling `cryptoki` in; `signet-signers` implements it for software keys and PKCS#11 tokens.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use der::asn1::ObjectIdentifier as Oid;
use der::{Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use crate::error::Result;
use crate::oids;

/// Message digests read and written in CMS signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// SHA-1: only read, in old third-party signatures and `adbe.pkcs7.sha1`.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm of an OID (digest OIDs only).
    pub fn from_oid(oid: &Oid) -> Option<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|d| d.oid() == *oid)
    }

    /// The OID.
    pub fn oid(self) -> Oid {
        match self {
            Self::Sha1 => oids::SHA1,
            Self::Sha256 => oids::SHA256,
            Self::Sha384 => oids::SHA384,
            Self::Sha512 => oids::SHA512,
        }
    }

    /// Output length in bytes.
    pub fn len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Never true (a digest has an output); here because clippy pairs `len` with it.
    pub fn is_empty(self) -> bool {
        false
    }

    pub(crate) fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            Self::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha384 => &ring::digest::SHA384,
            Self::Sha512 => &ring::digest::SHA512,
        }
    }

    /// The digest of `data`.
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        self.hash_parts(&[data])
    }

    /// The digest of several pieces taken as one (a PDF's ByteRange). The SHA-2 family goes
    /// through `sha2`, which uses the CPU's SHA extensions where present (twice ring's speed on
    /// a whole document here); SHA-1 (legacy verification only) through ring.
    pub fn hash_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            Self::Sha256 => run::<sha2::Sha256>(parts),
            Self::Sha384 => run::<sha2::Sha384>(parts),
            Self::Sha512 => run::<sha2::Sha512>(parts),
            Self::Sha1 => {
                let mut ctx = ring::digest::Context::new(self.ring());
                for p in parts {
                    ctx.update(p);
                }
                ctx.finish().as_ref().to_vec()
            }
        }
    }

    /// `AlgorithmIdentifier` with absent parameters (RFC 5754 says SHOULD omit).
    pub(crate) fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }
}

/// The signature algorithms Signet signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSA PKCS#1 v1.5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSA PKCS#1 v1.5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32.
    RsaPssSha256,
    /// RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48.
    RsaPssSha384,
    /// RSASSA-PSS, SHA-512, MGF1-SHA-512, salt 64.
    RsaPssSha512,
    /// ECDSA on P-256 with SHA-256 (DER signature).
    EcdsaP256Sha256,
    /// ECDSA on P-384 with SHA-384 (DER signature).
    EcdsaP384Sha384,
}

/// RSASSA-PSS-params (RFC 4055). All fields are written: the defaults are SHA-1.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub trailer: Option<u32>,
}

impl SignatureAlgorithm {
    /// The digest that goes with the signature (also the CMS digestAlgorithm).
    pub fn digest(self) -> DigestAlgorithm {
        use SignatureAlgorithm::*;
        match self {
            RsaPkcs1Sha256 | RsaPssSha256 | EcdsaP256Sha256 => DigestAlgorithm::Sha256,
            RsaPkcs1Sha384 | RsaPssSha384 | EcdsaP384Sha384 => DigestAlgorithm::Sha384,
            RsaPkcs1Sha512 | RsaPssSha512 => DigestAlgorithm::Sha512,
        }
    }

    /// True for the RSASSA-PSS variants.
    pub fn is_pss(self) -> bool {
        use SignatureAlgorithm::*;
        matches!(self, RsaPssSha256 | RsaPssSha384 | RsaPssSha512)
    }

    /// True for ECDSA.
    pub fn is_ecdsa(self) -> bool {
        matches!(self, Self::EcdsaP256Sha256 | Self::EcdsaP384Sha384)
    }

    /// The PSS variant of an RSA algorithm (same hash); other algorithms are returned as-is.
    pub fn to_pss(self) -> Self {
        use SignatureAlgorithm::*;
        match self {
            RsaPkcs1Sha256 => RsaPssSha256,
            RsaPkcs1Sha384 => RsaPssSha384,
            RsaPkcs1Sha512 => RsaPssSha512,
            other => other,
        }
    }

    /// The OID of SignerInfo.signatureAlgorithm.
    pub fn oid(self) -> Oid {
        use SignatureAlgorithm::*;
        match self {
            RsaPkcs1Sha256 => oids::SHA256_WITH_RSA,
            RsaPkcs1Sha384 => oids::SHA384_WITH_RSA,
            RsaPkcs1Sha512 => oids::SHA512_WITH_RSA,
            RsaPssSha256 | RsaPssSha384 | RsaPssSha512 => oids::RSASSA_PSS,
            EcdsaP256Sha256 => oids::ECDSA_WITH_SHA256,
            EcdsaP384Sha384 => oids::ECDSA_WITH_SHA384,
        }
    }

    /// SignerInfo.signatureAlgorithm: PKCS#1 v1.5 with NULL parameters (RFC 4055 says they
    /// MUST be present), ECDSA without (RFC 5758), PSS with explicit RSASSA-PSS-params.
    pub fn identifier(self) -> Result<AlgorithmIdentifierOwned> {
        use SignatureAlgorithm::*;
        let parameters = match self {
            RsaPkcs1Sha256 | RsaPkcs1Sha384 | RsaPkcs1Sha512 => Some(der::asn1::Any::null()),
            EcdsaP256Sha256 | EcdsaP384Sha384 => None,
            RsaPssSha256 | RsaPssSha384 | RsaPssSha512 => {
                let digest = self.digest();
                let params = PssParams {
                    hash: Some(digest.identifier()),
                    mask_gen: Some(AlgorithmIdentifierOwned {
                        oid: oids::MGF1,
                        parameters: Some(der::asn1::Any::encode_from(&digest.identifier())?),
                    }),
                    salt_len: Some(digest.len() as u32),
                    trailer: None,
                };
                Some(der::asn1::Any::from_der(&params.to_der()?)?)
            }
        };
        Ok(AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters,
        })
    }
}

use der::Decode;

/// Something that signs: a key in memory, on a token, in an HSM.
///
/// `sign` gets the message to be signed — for CMS the DER `SET OF` signed attributes, see
/// [`crate::SignedAttributes::to_be_signed`] — and hashes it itself (or sends the digest to the
/// device). It returns the signature as CMS wants it: ECDSA as DER `SEQUENCE { r, s }`.
pub trait RawSigner {
    /// The error of the device or library behind the signer.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The algorithm this key signs with.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// Signs `to_be_signed`.
    fn sign(&self, to_be_signed: &[u8]) -> std::result::Result<Vec<u8>, Self::Error>;
}

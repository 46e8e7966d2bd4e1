//! Building a PAdES (CAdES detached) signature: signed attributes, the SignedData around a
//! signature, and the size of the /Contents placeholder it needs.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes as AttrSet, SignedData,
    SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::cms_parse::AlgorithmId;
use crate::cms_verify::verify_with_spki;
use crate::error::{PkiError, Result};
use crate::ess::{attribute, signing_certificate_v2};
use crate::oids;
use crate::sigalg::{DigestAlgorithm, RawSigner, SignatureAlgorithm};

/// What a time-stamp token is expected to need in /Contents: a token with the TSA certificate
/// and one CA certificate, with room to spare (our TSA's tokens are about 1.3 kB).
pub const TIMESTAMP_TOKEN_RESERVE: usize = 8 * 1024;

fn cms_error(detail: impl Into<String>) -> PkiError {
    PkiError::Cms(detail.into())
}

fn certificate(der: &[u8]) -> Result<Certificate> {
    Certificate::from_der(der).map_err(|e| PkiError::MalformedDer {
        what: "certificate",
        detail: e.to_string(),
    })
}

/// The signed attributes of a PAdES signature, and the bytes the signer signs.
#[derive(Clone, Debug)]
pub struct SignedAttributes {
    set: AttrSet,
    der: Vec<u8>,
    digest: DigestAlgorithm,
}

impl SignedAttributes {
    /// contentType id-data, messageDigest (`document_digest`, the digest of the ByteRange
    /// data) and signingCertificateV2 (SHA-256 of the certificate with its IssuerSerial).
    /// No signing-time: PAdES puts the claimed time in the signature dictionary's /M.
    pub fn pades(
        document_digest: &[u8],
        digest_alg: DigestAlgorithm,
        signer_cert_der: &[u8],
    ) -> Result<Self> {
        if digest_alg == DigestAlgorithm::Sha1 {
            return Err(cms_error("SHA-1 is not used for new signatures"));
        }
        if document_digest.len() != digest_alg.len() {
            return Err(cms_error(format!(
                "a {digest_alg:?} digest has {} bytes, not {}",
                digest_alg.len(),
                document_digest.len()
            )));
        }
        let cert = certificate(signer_cert_der)?;
        let mut set = SetOfVec::new();
        set.insert(attribute(
            oids::CONTENT_TYPE,
            Any::encode_from(&oids::DATA)?,
        )?)?;
        set.insert(attribute(
            oids::MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(document_digest)?)?,
        )?)?;
        set.insert(signing_certificate_v2(signer_cert_der, &cert)?)?;
        let der = set.to_der()?;
        Ok(SignedAttributes {
            set,
            der,
            digest: digest_alg,
        })
    }

    /// The message to sign: the DER `SET OF Attribute` (RFC 5652 5.4 — not the `[0] IMPLICIT`
    /// form that the SignerInfo stores).
    pub fn to_be_signed(&self) -> &[u8] {
        &self.der
    }
}

/// The DER ContentInfo(SignedData) of a detached PAdES signature: `signature` (made over
/// [`SignedAttributes::to_be_signed`] with `alg`) by the key of `signer_cert`, with
/// `signer_cert` and `chain` as certificates. The signature is checked against the
/// certificate first, so a wrong key or a device error cannot produce a broken file.
pub fn signed_data(
    attrs: &SignedAttributes,
    alg: SignatureAlgorithm,
    signature: &[u8],
    signer_cert: &[u8],
    chain: &[Vec<u8>],
) -> Result<Vec<u8>> {
    if alg.digest() != attrs.digest {
        return Err(cms_error(format!(
            "{alg:?} does not go with a {:?} messageDigest",
            attrs.digest
        )));
    }
    let cert = certificate(signer_cert)?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der()?;
    let id = alg.identifier()?;
    let parsed_id = AlgorithmId {
        oid: id.oid,
        parameters: id.parameters.as_ref().map(|p| p.to_der()).transpose()?,
    };
    match verify_with_spki(&spki, &parsed_id, alg.digest(), &attrs.der, signature) {
        Ok(true) => assemble(attrs, alg, signature, &cert, chain),
        Ok(false) => Err(cms_error(
            "the signature does not verify with the signer certificate's key",
        )),
        Err(why) => Err(cms_error(why)),
    }
}

fn assemble(
    attrs: &SignedAttributes,
    alg: SignatureAlgorithm,
    signature: &[u8],
    cert: &Certificate,
    chain: &[Vec<u8>],
) -> Result<Vec<u8>> {
    let digest_alg = alg.digest().identifier();
    let signer = SignerInfo {
        version: CmsVersion::V1, // issuerAndSerialNumber (RFC 5652 5.3)
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(attrs.set.clone()),
        signature_algorithm: alg.identifier()?,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let mut certs = SetOfVec::new();
    certs.insert(CertificateChoices::Certificate(cert.clone()))?;
    for der in chain {
        let c = CertificateChoices::Certificate(certificate(der)?);
        if !certs.iter().any(|x| *x == c) {
            certs.insert(c)?;
        }
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(digest_alg)?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer)?;
    let sd = SignedData {
        // id-data content, v1 SignerInfo, only X.509 certificates: version 1 (RFC 5652 5.1).
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oids::DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    Ok(ContentInfo {
        content_type: oids::SIGNED_DATA,
        content: Any::encode_from(&sd)?,
    }
    .to_der()?)
}

/// Signs `document_digest` with `signer` and returns the PAdES CMS (B-B).
pub fn sign_pades<S: RawSigner + ?Sized>(
    signer: &S,
    document_digest: &[u8],
    signer_cert: &[u8],
    chain: &[Vec<u8>],
) -> Result<Vec<u8>> {
    let alg = signer.algorithm();
    let attrs = SignedAttributes::pades(document_digest, alg.digest(), signer_cert)?;
    let signature = signer
        .sign(attrs.to_be_signed())
        .map_err(|e| PkiError::Signer(e.to_string()))?;
    signed_data(&attrs, alg, &signature, signer_cert, chain)
}

/// Bytes of CMS the /Contents placeholder must hold (its hex string is twice as long): the
/// signature as built, with the longest signature the key can give, plus `timestamp_reserve`
/// for a signature time-stamp token (0 for B-B, [`TIMESTAMP_TOKEN_RESERVE`] for B-T) and a
/// margin of 512 bytes.
pub fn contents_capacity(
    signer_cert: &[u8],
    chain: &[Vec<u8>],
    alg: SignatureAlgorithm,
    timestamp_reserve: usize,
) -> Result<usize> {
    let cert = certificate(signer_cert)?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der()?;
    let sig_len = match alg {
        SignatureAlgorithm::EcdsaP256Sha256 => 72,
        SignatureAlgorithm::EcdsaP384Sha384 => 104,
        _ => crate::certinfo::Spki::parse(&spki)?
            .rsa_modulus_len()
            .ok_or_else(|| cms_error("an RSA algorithm with a non-RSA certificate"))?,
    };
    let digest = vec![0u8; alg.digest().len()];
    let attrs = SignedAttributes::pades(&digest, alg.digest(), signer_cert)?;
    let cms = assemble(&attrs, alg, &vec![0xff; sig_len], &cert, chain)?;
    // The unsigned attribute around a token: [1], SEQUENCE, OID, SET headers.
    let reserve = if timestamp_reserve > 0 {
        timestamp_reserve + 32
    } else {
        0
    };
    Ok(cms.len() + reserve + 512)
}

//! The issuer half of an OCSP CertID: the issuing CA's name and key hashes, computed once.

use der::Encode;
use x509_cert::Certificate;
use x509_ocsp::CertId;

use crate::digest::Digest;
use crate::error::Result;

/// issuerNameHash and issuerKeyHash of the issuing CA, under SHA-1 and SHA-256.
pub(crate) struct IssuerHashes {
    by_alg: Vec<(Digest, Vec<u8>, Vec<u8>)>,
}

impl IssuerHashes {
    pub(crate) fn of(cert: &Certificate) -> Result<Self> {
        let name = cert.tbs_certificate.subject.to_der()?;
        let key = cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
            .to_vec();
        let by_alg = [Digest::Sha1, Digest::Sha256, Digest::Sha384, Digest::Sha512]
            .into_iter()
            .map(|d| (d, d.hash(&name), d.hash(&key)))
            .collect();
        Ok(IssuerHashes { by_alg })
    }

    pub(crate) fn matches(&self, id: &CertId) -> bool {
        let Some(d) = Digest::of_oid(&id.hash_algorithm.oid) else {
            return false;
        };
        self.by_alg.iter().any(|(a, n, k)| {
            *a == d
                && n.as_slice() == id.issuer_name_hash.as_bytes()
                && k.as_slice() == id.issuer_key_hash.as_bytes()
        })
    }
}

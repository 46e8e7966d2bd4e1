//! The digests the TSA accepts and the signers use.

use crate::oids;

/// The digests the TSA accepts and the signers use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Digest {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    pub(crate) fn of_oid(oid: &der::asn1::ObjectIdentifier) -> Option<Digest> {
        match *oid {
            o if o == oids::SHA1 => Some(Digest::Sha1),
            o if o == oids::SHA256 => Some(Digest::Sha256),
            o if o == oids::SHA384 => Some(Digest::Sha384),
            o if o == oids::SHA512 => Some(Digest::Sha512),
            _ => None,
        }
    }

    pub(crate) fn oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            Digest::Sha1 => oids::SHA1,
            Digest::Sha256 => oids::SHA256,
            Digest::Sha384 => oids::SHA384,
            Digest::Sha512 => oids::SHA512,
        }
    }

    pub(crate) fn len(self) -> usize {
        match self {
            Digest::Sha1 => 20,
            Digest::Sha256 => 32,
            Digest::Sha384 => 48,
            Digest::Sha512 => 64,
        }
    }

    pub(crate) fn hash(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            Digest::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Digest::Sha256 => &ring::digest::SHA256,
            Digest::Sha384 => &ring::digest::SHA384,
            Digest::Sha512 => &ring::digest::SHA512,
        };
        ring::digest::digest(alg, data).as_ref().to_vec()
    }
}

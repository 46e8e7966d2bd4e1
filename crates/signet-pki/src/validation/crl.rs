//! CRLs (RFC 5280 section 5 and 6.3): a complete CRL of the certificate's issuer, signed by the
//! issuer's key.

use der::asn1::{AnyRef, BitString, ContextSpecific, IntRef, ObjectIdentifier};
use der::{Decode, Encode, Reader, Sequence, SliceReader, Tag, TagNumber, Tagged};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::crl::RevokedCert;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::CrlReason;
use x509_cert::ext::{Extension, Extensions};
use x509_cert::name::Name;
use x509_cert::time::Time;

use super::cert::{first_inner_tlv, normalize_name, to_odt, Cert};
use super::needs::cdp_uris;
use super::sig;
use super::status::{fresh, revoked_at, Outcome};
use super::types::RevocationReason;
use crate::oids;

/// Largest CRL read, in bytes (a national CA's CRL can reach tens of megabytes).
pub(crate) const MAX_CRL_LEN: usize = 64 << 20;

const DELTA_CRL_INDICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
const CERTIFICATE_ISSUER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.29");

/// The outer CertificateList, its tbsCertList left raw.
#[derive(Sequence)]
struct RawCertList<'a> {
    tbs: AnyRef<'a>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// A CRL read lazily: the revoked entries stay raw and are scanned by serial only, so a CRL of
/// a hundred thousand entries costs a pass over bytes, not a hundred thousand decoded values.
pub(crate) struct Crl {
    pub(crate) index: usize,
    tbs: Vec<u8>,
    tbs_algorithm: AlgorithmIdentifierOwned,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
    issuer_der: Vec<u8>,
    issuer_norm: String,
    this_update: Time,
    next_update: Option<Time>,
    /// The body of revokedCertificates (concatenated entries), empty when absent.
    revoked: Vec<u8>,
    extensions: Extensions,
}

/// The tbsCertList fields, in order (RFC 5280 5.1).
struct Tbs {
    algorithm: AlgorithmIdentifierOwned,
    issuer: Name,
    this_update: Time,
    next_update: Option<Time>,
    revoked: Vec<u8>,
    extensions: Extensions,
}

fn read_tbs(body: &[u8]) -> der::Result<Tbs> {
    let mut r = SliceReader::new(body)?;
    let _version = Option::<x509_cert::Version>::decode(&mut r)?;
    let algorithm = AlgorithmIdentifierOwned::decode(&mut r)?;
    let issuer = Name::decode(&mut r)?;
    let this_update = Time::decode(&mut r)?;
    let next_update = Option::<Time>::decode(&mut r)?;
    let mut revoked = Vec::new();
    if !r.is_finished() && r.peek_tag()? == Tag::Sequence {
        revoked = AnyRef::decode(&mut r)?.value().to_vec();
    }
    let extensions = ContextSpecific::<Extensions>::decode_explicit(&mut r, TagNumber::N0)?
        .map(|c| c.value)
        .unwrap_or_default();
    r.finish(Tbs {
        algorithm,
        issuer,
        this_update,
        next_update,
        revoked,
        extensions,
    })
}

impl Crl {
    pub(crate) fn this_update(&self) -> time::OffsetDateTime {
        to_odt(&self.this_update)
    }

    pub(crate) fn parse(index: usize, der: &[u8]) -> Result<Crl, String> {
        if der.len() > MAX_CRL_LEN {
            return Err("larger than 64 MiB".into());
        }
        let bad = |e: der::Error| format!("malformed CRL: {e}");
        let raw = RawCertList::from_der(der).map_err(bad)?;
        if raw.tbs.tag() != Tag::Sequence {
            return Err("malformed CRL: tbsCertList is not a SEQUENCE".into());
        }
        let t = read_tbs(raw.tbs.value()).map_err(bad)?;
        Ok(Crl {
            index,
            tbs: first_inner_tlv(der).map_err(bad)?.to_vec(),
            tbs_algorithm: t.algorithm,
            signature_algorithm: raw.signature_algorithm,
            signature: raw.signature,
            issuer_der: t.issuer.to_der().map_err(bad)?,
            issuer_norm: normalize_name(&t.issuer.to_string()),
            this_update: t.this_update,
            next_update: t.next_update,
            revoked: t.revoked,
            extensions: t.extensions,
        })
    }

    fn same_issuer(&self, cert: &Cert) -> bool {
        let t = &cert.cert.tbs_certificate;
        cert.issuer_der == self.issuer_der
            || normalize_name(&t.issuer.to_string()) == self.issuer_norm
    }

    /// `Ok(None)`: this CRL is not about `cert`. `Err`: it is, but cannot be used.
    pub(crate) fn status_of(
        &self,
        cert: &Cert,
        issuer: &Cert,
        time: OffsetDateTime,
    ) -> Result<Option<Outcome>, String> {
        if !self.same_issuer(cert) {
            return Ok(None);
        }
        if !sig::same_algorithm(&self.tbs_algorithm, &self.signature_algorithm) {
            return Err("the two signature algorithm fields differ".into());
        }
        sig::verify(
            &self.signature_algorithm,
            issuer.spki(),
            &self.tbs,
            &self.signature,
        )?;
        if issuer
            .ext
            .key_usage
            .as_ref()
            .is_some_and(|ku| !ku.crl_sign())
        {
            return Err("the issuer's keyUsage lacks cRLSign".into());
        }
        if !self.in_scope(cert)? {
            return Ok(None);
        }
        let next = self.next_update.as_ref().map(to_odt);
        fresh(cert, time, to_odt(&self.this_update), next)?;
        self.lookup(cert, time).map(Some)
    }

    /// Reads the CRL extensions: only complete, direct CRLs for all reasons are used; an
    /// issuing distribution point limits the CRL to some certificates.
    fn in_scope(&self, cert: &Cert) -> Result<bool, String> {
        let mut scope = true;
        for e in &self.extensions {
            match e.extn_id {
                x if x == DELTA_CRL_INDICATOR => return Err("delta CRLs are not supported".into()),
                x if x == oids::ISSUING_DP => scope = idp_scope(e, cert)?,
                x if [oids::CRL_NUMBER, oids::AUTHORITY_KEY_ID, oids::FRESHEST_CRL]
                    .contains(&x) => {}
                x if e.critical => return Err(format!("critical CRL extension {x} not supported")),
                _ => {}
            }
        }
        Ok(scope)
    }

    /// The entry for the certificate's serial, if any, fully decoded.
    fn find_entry(&self, serial: &[u8]) -> Result<Option<RevokedCert>, String> {
        let bad = |e: der::Error| format!("malformed CRL entry: {e}");
        let mut r = SliceReader::new(&self.revoked).map_err(bad)?;
        while !r.is_finished() {
            let entry = AnyRef::decode(&mut r).map_err(bad)?;
            let mut inner = SliceReader::new(entry.value()).map_err(bad)?;
            if entry.tag() != Tag::Sequence {
                return Err("malformed CRL entry: not a SEQUENCE".into());
            }
            if IntRef::decode(&mut inner).map_err(bad)?.as_bytes() == serial {
                let der = entry.to_der().map_err(bad)?;
                return RevokedCert::from_der(&der).map(Some).map_err(bad);
            }
        }
        Ok(None)
    }

    fn lookup(&self, cert: &Cert, time: OffsetDateTime) -> Result<Outcome, String> {
        let Some(r) = self.find_entry(cert.serial())? else {
            return Ok(Outcome::Good);
        };
        let mut reason = None;
        for e in r.crl_entry_extensions.iter().flatten() {
            match e.extn_id {
                x if x == oids::CRL_REASON => {
                    reason = Some(
                        CrlReason::from_der(e.extn_value.as_bytes())
                            .map_err(|e| format!("malformed reasonCode: {e}"))?,
                    )
                }
                x if x == CERTIFICATE_ISSUER => {
                    return Err("indirect CRL entries are not supported".into())
                }
                x if x == oids::INVALIDITY_DATE => {}
                x if e.critical => return Err(format!("critical entry extension {x}")),
                _ => {}
            }
        }
        if reason == Some(CrlReason::RemoveFromCRL) {
            // Only meaningful in delta CRLs: the certificate is not revoked.
            return Ok(Outcome::Good);
        }
        let at = to_odt(&r.revocation_date);
        Ok(revoked_at(at, RevocationReason::of(reason), time))
    }
}

/// Whether the CRL's issuing distribution point covers `cert`.
fn idp_scope(e: &Extension, cert: &Cert) -> Result<bool, String> {
    let idp = IssuingDistributionPoint::from_der(e.extn_value.as_bytes())
        .map_err(|e| format!("malformed issuingDistributionPoint: {e}"))?;
    if idp.indirect_crl {
        return Err("indirect CRLs are not supported".into());
    }
    if idp.only_some_reasons.is_some() {
        return Err("CRLs for some reasons only are not supported".into());
    }
    if idp.only_contains_attribute_certs
        || (idp.only_contains_user_certs && cert.is_ca())
        || (idp.only_contains_ca_certs && !cert.is_ca())
    {
        return Ok(false);
    }
    // A partitioned CRL covers the certificates that name its distribution point.
    match idp.distribution_point {
        Some(DistributionPointName::FullName(names)) => {
            let idp_uris: Vec<String> = names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
                    _ => None,
                })
                .collect();
            let cert_uris = cdp_uris(&cert.cert);
            Ok(idp_uris.is_empty() || cert_uris.iter().any(|u| idp_uris.contains(u)))
        }
        Some(DistributionPointName::NameRelativeToCRLIssuer(_)) => {
            Err("issuingDistributionPoint relative to the CRL issuer is not supported".into())
        }
        None => Ok(true),
    }
}

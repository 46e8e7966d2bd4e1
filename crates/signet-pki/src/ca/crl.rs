//! Revocation and the CRLs of the root and of the issuing CA.

use rcgen::{CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber};
use rustls_pki_types::CertificateDer;
use time::{Duration, OffsetDateTime};

use super::keys::DynKey;
use super::loaded::Ca;
use crate::error::{PkiError, Result};
use crate::revocation::{Reason, Revocation, RevocationList};
use crate::serial::parse_serial;

/// How long a CRL is valid (nextUpdate - thisUpdate).
pub const CRL_VALIDITY: Duration = Duration::days(7);

/// The cRLNumber after `last`: the current Unix time, or `last + 1` if that is larger. It grows
/// even across processes that share no counter (a server and the command line), as long as the
/// clock does not go back.
pub fn next_crl_number(last: u64, now: OffsetDateTime) -> u64 {
    (last + 1).max(u64::try_from(now.unix_timestamp()).unwrap_or(0))
}

pub(super) fn crl(
    issuer: &rcgen::Issuer<'_, &DynKey>,
    revoked: Vec<RevokedCertParams>,
    crl_number: u64,
    now: OffsetDateTime,
) -> Result<Vec<u8>> {
    let now = now.replace_nanosecond(0).unwrap_or(now); // 0 is always a valid nanosecond
    let params = CertificateRevocationListParams {
        this_update: now,
        next_update: now + CRL_VALIDITY,
        crl_number: SerialNumber::from(crl_number),
        issuing_distribution_point: None,
        revoked_certs: revoked,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    Ok(params.signed_by(issuer)?.der().to_vec())
}

impl Ca {
    /// Records the revocation of a certificate this CA issued.
    pub fn revoke(&mut self, serial: &str, reason: Reason, now: OffsetDateTime) -> Result<()> {
        let serial = parse_serial(serial)?;
        if !self.issued_serials.contains(&serial) {
            return Err(PkiError::UnknownSerial(serial));
        }
        if self.record.revoked.get(&serial).is_some() {
            return Err(PkiError::AlreadyRevoked(serial));
        }
        self.record.revoked.entries.push(Revocation {
            serial,
            time: now.unix_timestamp(),
            reason,
        });
        Ok(())
    }

    /// The issuing CA's CRL over `revocations`, numbered `crl_number`.
    pub fn issuing_crl(
        &self,
        revocations: &RevocationList,
        crl_number: u64,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>> {
        let mut revoked = Vec::with_capacity(revocations.entries.len());
        for r in &revocations.entries {
            let bytes =
                hex::decode(&r.serial).map_err(|_| PkiError::UnknownSerial(r.serial.clone()))?;
            revoked.push(RevokedCertParams {
                serial_number: SerialNumber::from_slice(&bytes),
                revocation_time: OffsetDateTime::from_unix_timestamp(r.time)
                    .map_err(|e| PkiError::State(e.to_string()))?,
                reason_code: Some(r.reason.rcgen()),
                invalidity_date: None,
            });
        }
        crl(&self.issuing_issuer()?, revoked, crl_number, now)
    }

    /// The root's CRL, numbered `crl_number`. It lists no revoked CA: there is one issuing CA.
    pub fn root_crl(&self, crl_number: u64, now: OffsetDateTime) -> Result<Vec<u8>> {
        let issuer = rcgen::Issuer::from_ca_cert_der(
            &CertificateDer::from(self.root.cert_der.clone()),
            &*self.root.key,
        )?;
        crl(&issuer, Vec::new(), crl_number, now)
    }

    /// The next issuing-CA CRL from the recorded revocations, numbered by [`next_crl_number`];
    /// records the number.
    pub fn next_issuing_crl(&mut self, now: OffsetDateTime) -> Result<Vec<u8>> {
        let n = next_crl_number(self.record.crl_number, now);
        let der = self.issuing_crl(&self.record.revoked, n, now)?;
        self.record.crl_number = n;
        Ok(der)
    }

    /// The next root CRL, numbered by [`next_crl_number`]; records the number.
    pub fn next_root_crl(&mut self, now: OffsetDateTime) -> Result<Vec<u8>> {
        let n = next_crl_number(self.record.root_crl_number, now);
        let der = self.root_crl(n, now)?;
        self.record.root_crl_number = n;
        Ok(der)
    }
}

//! The database's certificate inventory kept complete with what the built-in CA issued: a
//! certificate issued while the database was not there (`signet ca issue` on the CA directory
//! alone) is recorded when the server starts and whenever the CA's state changes, from the
//! CA directory's `issued/SERIAL.json`; and so is a revocation made at the CA alone.

use signet_core::agency::AgencyCode;
use signet_core::{AgencyId, PersonId};
use signet_pki::RevocationList;
use signet_store::certificates::{CertificateKind, DeviceKind, NewCertificate};
use signet_store::StoreError;

use crate::ca_dir::{self, IssuedFile};
use crate::{App, AppError, Invalid};

/// Who the journal names for a certificate recorded from the CA directory.
pub const CA_ACTOR: &str = "built-in-ca";

/// Issuer and validity (ms) of a certificate.
fn validity(der: &[u8]) -> Result<(String, i64, i64), AppError> {
    use x509_cert::der::Decode;
    let c = x509_cert::Certificate::from_der(der).map_err(|e| AppError::Ca(e.to_string()))?;
    let v = &c.tbs_certificate.validity;
    let ms = |t: x509_cert::time::Time| t.to_unix_duration().as_millis() as i64;
    Ok((
        c.tbs_certificate.issuer.to_string(),
        ms(v.not_before),
        ms(v.not_after),
    ))
}

/// The row that records `file` in the inventory of `agency_id`.
pub fn new_certificate(
    agency_id: &AgencyId,
    file: &IssuedFile,
) -> Result<NewCertificate, AppError> {
    let bad = |what: &str| AppError::Ca(format!("issued certificate {}: {what}", file.serial));
    let der = signet_pki::validation::certificates_from_pem_or_der(file.certificate.as_bytes())
        .map_err(|e| bad(&e.to_string()))?
        .into_iter()
        .next()
        .ok_or_else(|| bad("no certificate"))?;
    let (issuer, not_before_ms, not_after_ms) = validity(&der)?;
    Ok(NewCertificate {
        agency_id: agency_id.clone(),
        kind: CertificateKind::parse(&file.kind).ok_or_else(|| bad("unknown kind"))?,
        holder_id: file.holder_id.clone().map(PersonId::from),
        holder_name: file.holder_name.clone(),
        subject_cn: file.holder_name.trim().to_owned(),
        serial: file.serial.clone(),
        issuer,
        not_before_ms,
        not_after_ms,
        device_kind: DeviceKind::parse(&file.device_kind).ok_or_else(|| bad("unknown device"))?,
        device_label: file.device_label.clone(),
        der,
    })
}

impl App {
    /// The agency a certificate of the built-in CA belongs to, by its code.
    pub async fn agency_id_by_code(&self, code: &str) -> Result<AgencyId, AppError> {
        let code = AgencyCode::parse(code.trim())?;
        match self.store.agency_by_code(&code).await {
            Ok(a) => Ok(a.id),
            Err(StoreError::NotFound) => Err(AppError::Invalid(Invalid::UnknownAgency {
                code: code.to_string(),
            })),
            Err(e) => Err(e.into()),
        }
    }

    /// Records every certificate of the CA directory the database lacks, unless the CA's
    /// state has not changed since the last time. Returns how many were recorded. Called at
    /// start and before the inventory is read; a certificate whose agency is not in the
    /// database is left out (and logged).
    pub async fn sync_ca_inventory(&self) -> Result<usize, AppError> {
        let Some(ca) = self.ca.as_deref() else {
            return Ok(0);
        };
        let mut synced = ca.inventory_mtime.lock().await;
        let mtime = ca_dir::state_mtime(ca.dir());
        if mtime.is_some() && *synced == mtime {
            return Ok(0);
        }
        let revocations = ca.published()?.ca.revocations().clone();
        let mut recorded = 0;
        for file in ca_dir::issued_files(ca.dir())? {
            if self.record_issued(&file, &revocations).await? {
                recorded += 1;
            }
        }
        if recorded > 0 {
            tracing::info!(
                recorded,
                "certificates of the CA directory recorded or marked revoked"
            );
        }
        *synced = mtime;
        Ok(recorded)
    }

    /// Records `file` unless the inventory has it, and its revocation at the CA (`signet ca
    /// revoke`, or a certificate withdrawn because the database could not record it) unless
    /// the inventory shows it; `false` when nothing changed, or when its agency is not in
    /// this database.
    async fn record_issued(
        &self,
        file: &IssuedFile,
        revocations: &RevocationList,
    ) -> Result<bool, AppError> {
        let agency_id = match self.agency_id_by_code(&file.agency_code).await {
            Ok(id) => id,
            Err(
                why @ (AppError::Invalid(_)
                | AppError::Rule(signet_core::CoreError::InvalidAgencyCode(_))),
            ) => {
                tracing::warn!(serial = %file.serial, "{why}: issued certificate not recorded");
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        let revoked_in_db = match self.store.certificate(&agency_id, &file.serial).await {
            Ok(c) => Some(c.revoked_at_ms.is_some()),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        if revoked_in_db.is_none() {
            let new = new_certificate(&agency_id, file)?;
            self.store
                .insert_certificate(&new, CA_ACTOR, self.clock.now_ms())
                .await?;
        }
        let revocation = revocations.get(&file.serial);
        if let (Some(r), None | Some(false)) = (revocation, revoked_in_db) {
            self.store
                .revoke_certificate(
                    &agency_id,
                    &file.serial,
                    r.reason.name(),
                    CA_ACTOR,
                    self.clock.now_ms(),
                )
                .await?;
        }
        Ok(revoked_in_db.is_none() || (revocation.is_some() && revoked_in_db == Some(false)))
    }
}

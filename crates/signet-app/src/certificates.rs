//! Certificate management for an agency's administrator: the list with totals, issuance from
//! the built-in CA (with a generated key in a PKCS#12 file, or for a holder's PKCS#10
//! request), revocation, download; and the holder's expiry reminder.
//!
//! Only an administrator sees and acts on the agency's certificates, and only on their own
//! agency's: every store call carries `viewer.agency_id`, so another agency's certificate is
//! "not found".

use signet_core::person::Viewer;
use signet_core::AgencyId;
use signet_pki::{pem, Profile, Reason, Subject};
use signet_store::certificates::{
    CertFilter, CertPage, CertTotals, Certificate, CertificateKind, DeviceKind, NewCertificate,
    StatusAt,
};
use signet_store::directory::{Agency, Person};
use time::{Duration, OffsetDateTime};

use crate::admin::require_admin;
use crate::ca_dir::{self, IssuedFile};
use crate::issuance::{Issuance, NewKey, Order};
use crate::{App, AppError};

/// A certificate is "expiring" (and its holder reminded) this long before its end.
pub const EXPIRY_WARNING: Duration = Duration::days(30);

/// Shortest password accepted for a PKCS#12 file.
pub const MIN_P12_PASSWORD: usize = 8;

/// Largest PKCS#10 request accepted (a 4096-bit RSA request in PEM is about 2 KiB).
pub const MAX_CSR_BYTES: usize = 16 * 1024;

/// The revocation reasons a person may give (RFC 5280 names).
pub fn revocation_reasons() -> Vec<&'static str> {
    Reason::ALL.iter().map(|(_, n)| *n).collect()
}

/// The status window at a time: expiring = ends within [`EXPIRY_WARNING`].
pub fn status_at(now: OffsetDateTime) -> StatusAt {
    let ms = |t: OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000) as i64;
    StatusAt {
        now_ms: ms(now),
        soon_ms: ms(now + EXPIRY_WARNING),
    }
}

/// A request for a certificate, as a form or a JSON body gives it.
#[derive(Debug, Clone, Default)]
pub struct CertificateForm {
    /// `personal` or `organization`.
    pub kind: String,
    /// The person, for a personal certificate.
    pub holder_id: String,
    /// A PKCS#10 request (PEM). Empty: the CA generates the key and returns a PKCS#12 file.
    pub csr: String,
    /// Password of the PKCS#12 file (generated key only), at least 8 characters.
    pub password: String,
    /// For a request: where the holder keeps the key (`software`, `pkcs11`, `remote`).
    pub device_kind: String,
    /// For a request: the token serial, keystore or credential name.
    pub device_label: String,
}

/// What an issuance gives back. The PKCS#12 file exists only here: it is not stored.
pub struct IssuedCertificate {
    pub certificate: Certificate,
    pub pkcs12: Option<Vec<u8>>,
}

impl std::fmt::Debug for IssuedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCertificate")
            .field("certificate", &self.certificate.serial)
            .field("pkcs12", &self.pkcs12.as_ref().map(|_| ".."))
            .finish()
    }
}

/// The agency's list page: one page of certificates, the totals, and the time they were
/// computed at.
#[derive(Debug, Clone)]
pub struct CertificateList {
    pub page: CertPage,
    pub totals: CertTotals,
    pub at: StatusAt,
    /// Whether this deployment can issue (a built-in CA is configured).
    pub can_issue: bool,
}

fn key_source(f: &CertificateForm) -> Result<NewKey, AppError> {
    let csr = f.csr.trim();
    if csr.is_empty() {
        if f.password.chars().count() < MIN_P12_PASSWORD {
            return Err(AppError::Invalid(crate::Invalid::PasswordTooShort {
                min: MIN_P12_PASSWORD,
            }));
        }
        return Ok(NewKey::Generated {
            key: None,
            password: f.password.clone(),
        });
    }
    if csr.len() > MAX_CSR_BYTES {
        return Err(AppError::Invalid(crate::Invalid::CsrTooLarge {
            max: MAX_CSR_BYTES,
        }));
    }
    let device = match f.device_kind.trim() {
        "" => DeviceKind::Pkcs11,
        d => DeviceKind::parse(d).ok_or_else(|| {
            AppError::Invalid(crate::Invalid::OneOf {
                field: "device_kind",
                allowed: "software, pkcs11, remote".into(),
            })
        })?,
    };
    let label = f.device_label.trim();
    signet_core::document::check_text("device_label", label, 100)?;
    Ok(NewKey::Request {
        csr: csr.as_bytes().to_vec(),
        device,
        label: label.to_owned(),
    })
}

/// The subject and holder of a new certificate.
pub(crate) struct Holder {
    kind: CertificateKind,
    person_id: Option<signet_core::PersonId>,
    name: String,
    subject: Subject,
}

impl Holder {
    pub(crate) fn organization(agency: &Agency) -> Self {
        Self {
            kind: CertificateKind::Organization,
            person_id: None,
            name: agency.name.clone(),
            subject: Subject {
                name: agency.name.clone(),
                agency_name: String::new(),
                agency_code: agency.code.to_string(),
                ..Default::default()
            },
        }
    }

    pub(crate) fn person(agency: &Agency, person: &Person, unit: Option<String>) -> Self {
        let nonempty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Self {
            kind: CertificateKind::Personal,
            person_id: Some(person.id.clone()),
            name: person.full_name.clone(),
            subject: Subject {
                name: person.full_name.clone(),
                agency_name: agency.name.clone(),
                agency_code: agency.code.to_string(),
                unit,
                title: nonempty(&person.title),
                email: nonempty(&person.email),
            },
        }
    }

    pub(crate) fn profile(&self) -> Profile {
        match self.kind {
            CertificateKind::Personal => Profile::Person,
            CertificateKind::Organization => Profile::Organization,
        }
    }

    pub(crate) fn subject(&self) -> &Subject {
        &self.subject
    }

    /// The order that issues this holder a certificate for `key`.
    pub(crate) fn order(&self, key: NewKey) -> Order {
        Order {
            kind: self.kind,
            holder_id: self.person_id.as_ref().map(ToString::to_string),
            subject: self.subject.clone(),
            key,
        }
    }

    /// The row that records `issued` for this holder.
    pub(crate) fn record(
        &self,
        agency_id: &signet_core::AgencyId,
        issued: &signet_pki::Issued,
        device: DeviceKind,
        label: String,
    ) -> Result<NewCertificate, AppError> {
        let file = IssuedFile {
            serial: issued.serial.clone(),
            agency_code: self.subject.agency_code.clone(),
            kind: self.kind.as_str().to_owned(),
            holder_id: self.person_id.as_ref().map(ToString::to_string),
            holder_name: self.name.clone(),
            device_kind: device.as_str().to_owned(),
            device_label: label,
            certificate: issued.pem(),
        };
        crate::ca_inventory::new_certificate(agency_id, &file)
    }
}

impl App {
    fn ca(&self) -> Result<&crate::ca_service::BuiltInCa, AppError> {
        self.ca.as_deref().ok_or(AppError::NoCa)
    }

    /// The status window now, by the app's clock.
    pub fn certificate_status_at(&self) -> StatusAt {
        status_at(self.clock.now())
    }

    /// A page of the agency's certificates with the agency's totals.
    pub async fn certificates(
        &self,
        viewer: &Viewer,
        filter: &CertFilter,
    ) -> Result<CertificateList, AppError> {
        require_admin(viewer)?;
        // Certificates issued from the command line since: a failure here must not hide the
        // inventory the database has.
        if let Err(e) = self.sync_ca_inventory().await {
            tracing::warn!(error = %e, "CA inventory not brought up to date");
        }
        let at = self.certificate_status_at();
        let page = self
            .store
            .certificates(&viewer.agency_id, filter, at)
            .await?;
        let totals = self.store.certificate_totals(&viewer.agency_id, at).await?;
        Ok(CertificateList {
            page,
            totals,
            at,
            can_issue: self.ca.is_some(),
        })
    }

    /// The agency's totals per kind and status now (the administration page's summary).
    pub async fn certificate_totals(&self, viewer: &Viewer) -> Result<CertTotals, AppError> {
        require_admin(viewer)?;
        let at = self.certificate_status_at();
        Ok(self.store.certificate_totals(&viewer.agency_id, at).await?)
    }

    /// One of the agency's certificates by serial (any spelling `signet_pki::parse_serial`
    /// reads).
    pub async fn certificate(
        &self,
        viewer: &Viewer,
        serial: &str,
    ) -> Result<Certificate, AppError> {
        require_admin(viewer)?;
        let serial = signet_pki::parse_serial(serial).map_err(|_| AppError::NotFound)?;
        Ok(self.store.certificate(&viewer.agency_id, &serial).await?)
    }

    /// The certificate as PEM, followed by its issuing CA and root when the built-in CA
    /// issued it.
    pub async fn certificate_pem(&self, viewer: &Viewer, serial: &str) -> Result<String, AppError> {
        let c = self.certificate(viewer, serial).await?;
        let mut out = pem("CERTIFICATE", &c.der);
        // The chain is a convenience: a CA directory that cannot be read must not keep the
        // administrator from the certificate itself.
        if let Some(ca) = self.ca.as_deref() {
            match ca.lock().await {
                Ok(loaded) if loaded.ca.has_issued(&c.serial) => {
                    for der in ca_dir::chain(&loaded.ca) {
                        out.push_str(&pem("CERTIFICATE", &der));
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "certificate chain unavailable"),
            }
        }
        Ok(out)
    }

    /// The signed-in person's certificates that expire within [`EXPIRY_WARNING`].
    pub async fn my_expiring_certificates(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<Certificate>, AppError> {
        Ok(self
            .store
            .expiring_for_holder(&viewer.person_id, self.certificate_status_at())
            .await?)
    }

    async fn holder(&self, viewer: &Viewer, form: &CertificateForm) -> Result<Holder, AppError> {
        let agency = self.store.agency(&viewer.agency_id).await?;
        let kind = CertificateKind::parse(form.kind.trim()).ok_or_else(|| {
            AppError::Invalid(crate::Invalid::OneOf {
                field: "kind",
                allowed: "personal, organization".into(),
            })
        })?;
        if kind == CertificateKind::Organization {
            return Ok(Holder::organization(&agency));
        }
        let person = match self.store.person(&form.holder_id.trim().into()).await {
            Ok(p) if p.agency_id == viewer.agency_id && p.active => p,
            Ok(p) if p.agency_id == viewer.agency_id => {
                return Err(AppError::Invalid(crate::Invalid::HolderDisabled))
            }
            Ok(_) | Err(signet_store::StoreError::NotFound) => {
                return Err(AppError::Invalid(crate::Invalid::HolderUnknown))
            }
            Err(e) => return Err(e.into()),
        };
        let unit = match &person.unit_id {
            Some(u) => Some(self.store.unit(&viewer.agency_id, u).await?.name),
            None => None,
        };
        Ok(Holder::person(&agency, &person, unit))
    }

    /// Issues a certificate from the built-in CA and records it. With no request in the
    /// form the CA generates the key and the answer carries it once, in a PKCS#12 file
    /// protected by the form's password; with a request, no key leaves the holder.
    pub async fn request_certificate(
        &self,
        viewer: &Viewer,
        form: &CertificateForm,
    ) -> Result<IssuedCertificate, AppError> {
        require_admin(viewer)?;
        self.ca()?;
        let key = key_source(form)?;
        let holder = self.holder(viewer, form).await?;
        let (certificate, issuance) = self
            .issue_and_record(
                holder.order(key),
                &viewer.agency_id,
                viewer.person_id.as_str(),
            )
            .await?;
        Ok(IssuedCertificate {
            certificate,
            pkcs12: issuance.pkcs12,
        })
    }

    /// Issues `order` from the built-in CA and records it in the agency's inventory: the use
    /// case of the web's certificate page (`signet ca issue` takes the same two steps, with
    /// its files written in between).
    ///
    /// All or nothing as far as two stores allow: the CA's state is saved first (the CA is
    /// the authority on what it signed), then the database row; if that fails, the new
    /// certificate — which nobody has received — is revoked at once.
    pub async fn issue_and_record(
        &self,
        order: Order,
        agency_id: &AgencyId,
        actor: &str,
    ) -> Result<(Certificate, Issuance), AppError> {
        let ca = self.ca()?;
        // No inventory sync between the CA's write and ours: it would record the
        // certificate first, and the row below would be a second one.
        let _sync = ca.inventory_mtime.lock().await;
        let issuance = ca.issue(order).await?;
        let certificate = self
            .record_issuance(agency_id, &issuance.record, actor)
            .await?;
        Ok((certificate, issuance))
    }

    /// Records a certificate the built-in CA just issued in the inventory of `agency_id`;
    /// when the database refuses, the certificate is withdrawn at the CA.
    pub async fn record_issuance(
        &self,
        agency_id: &AgencyId,
        file: &IssuedFile,
        actor: &str,
    ) -> Result<Certificate, AppError> {
        let new = crate::ca_inventory::new_certificate(agency_id, file)?;
        match self
            .store
            .insert_certificate(&new, actor, self.clock.now_ms())
            .await
        {
            Ok(certificate) => Ok(certificate),
            Err(e) => {
                if let Some(ca) = self.ca.as_deref() {
                    ca.withdraw(&new.serial).await;
                }
                Err(e.into())
            }
        }
    }

    /// Revokes one of the agency's certificates: the CA records it and makes a new CRL
    /// (`issuing.crl` in the CA directory), then the database marks it. The CA goes first:
    /// a certificate revoked at the CA but still "valid" in the list is corrected by revoking
    /// again; the reverse would be a list that lies about a certificate still in force.
    /// A certificate the built-in CA did not issue (recorded from elsewhere) is only marked:
    /// its own CA must revoke it.
    pub async fn revoke_certificate(
        &self,
        viewer: &Viewer,
        serial: &str,
        reason: &str,
    ) -> Result<Certificate, AppError> {
        let cert = self.certificate(viewer, serial).await?;
        let reason = Reason::parse(reason.trim()).ok_or_else(|| {
            let names: Vec<_> = Reason::ALL.iter().map(|(_, n)| *n).collect();
            AppError::Invalid(crate::Invalid::OneOf {
                field: "reason",
                allowed: names.join(", "),
            })
        })?;
        if cert.revoked_at_ms.is_some() {
            return Err(AppError::Conflict(format!(
                "certificate {} is already revoked",
                cert.serial
            )));
        }
        if let Some(ca) = self.ca.as_deref() {
            if ca.has_issued(&cert.serial).await? {
                ca.revoke_and_publish(&cert.serial, reason).await?;
            }
        }
        Ok(self
            .store
            .revoke_certificate(
                &viewer.agency_id,
                &cert.serial,
                reason.name(),
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }
}

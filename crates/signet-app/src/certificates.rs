//! Certificate management for an agency's administrator: the list with totals, issuance from
//! the built-in CA (with a generated key in a PKCS#12 file, or for a holder's PKCS#10
//! request), revocation, download; and the holder's expiry reminder.
//!
//! Only an administrator sees and acts on the agency's certificates, and only on their own
//! agency's: every store call carries `viewer.agency_id`, so another agency's certificate is
//! "not found".

use signet_core::person::Viewer;
use signet_pki::{pem, Profile, Reason, Subject};
use signet_store::certificates::{
    CertFilter, CertPage, CertTotals, Certificate, CertificateKind, DeviceKind, NewCertificate,
    StatusAt,
};
use signet_store::directory::{Agency, Person};
use time::{Duration, OffsetDateTime};

use crate::admin::require_admin;
use crate::ca_dir::{self, pki_error, OsRng};
use crate::ca_service::LoadedCa;
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

/// How the key of a new certificate comes to be.
enum KeySource {
    Generated {
        password: String,
    },
    Request {
        csr: Vec<u8>,
        device: DeviceKind,
        label: String,
    },
}

fn key_source(f: &CertificateForm) -> Result<KeySource, AppError> {
    let csr = f.csr.trim();
    if csr.is_empty() {
        if f.password.chars().count() < MIN_P12_PASSWORD {
            return Err(AppError::Invalid(format!(
                "the PKCS#12 password needs at least {MIN_P12_PASSWORD} characters"
            )));
        }
        return Ok(KeySource::Generated {
            password: f.password.clone(),
        });
    }
    if csr.len() > MAX_CSR_BYTES {
        return Err(AppError::Invalid(format!(
            "the certificate request is larger than {MAX_CSR_BYTES} bytes"
        )));
    }
    let device = match f.device_kind.trim() {
        "" => DeviceKind::Pkcs11,
        d => DeviceKind::parse(d)
            .ok_or_else(|| AppError::Invalid("device: one of software, pkcs11, remote".into()))?,
    };
    let label = f.device_label.trim();
    signet_core::document::check_text("device_label", label, 100)?;
    Ok(KeySource::Request {
        csr: csr.as_bytes().to_vec(),
        device,
        label: label.to_owned(),
    })
}

/// Issuer, validity (ms) of a certificate we just made.
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

    /// The row that records `issued` for this holder.
    pub(crate) fn record(
        &self,
        agency_id: &signet_core::AgencyId,
        issued: &signet_pki::Issued,
        device: DeviceKind,
        label: String,
    ) -> Result<NewCertificate, AppError> {
        let (issuer, not_before_ms, not_after_ms) = validity(&issued.der)?;
        Ok(NewCertificate {
            agency_id: agency_id.clone(),
            kind: self.kind,
            holder_id: self.person_id.clone(),
            holder_name: self.name.clone(),
            subject_cn: self.subject.name.trim().to_owned(),
            serial: issued.serial.clone(),
            issuer,
            not_before_ms,
            not_after_ms,
            device_kind: device,
            device_label: label,
            der: issued.der.clone(),
        })
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
        let kind = CertificateKind::parse(form.kind.trim())
            .ok_or_else(|| AppError::Invalid("kind: personal or organization".into()))?;
        if kind == CertificateKind::Organization {
            return Ok(Holder::organization(&agency));
        }
        let person = match self.store.person(&form.holder_id.trim().into()).await {
            Ok(p) if p.agency_id == viewer.agency_id && p.active => p,
            Ok(p) if p.agency_id == viewer.agency_id => {
                return Err(AppError::Invalid(
                    "holder: this account is disabled; enable it before issuing".into(),
                ))
            }
            Ok(_) | Err(signet_store::StoreError::NotFound) => {
                return Err(AppError::Invalid(
                    "holder: choose a person of this agency".into(),
                ))
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
    ///
    /// All or nothing as far as two stores allow: the CA's state is saved first (the CA is
    /// the authority on what it signed), then the database row; if that fails, the new
    /// certificate — which nobody has received — is revoked at once.
    pub async fn request_certificate(
        &self,
        viewer: &Viewer,
        form: &CertificateForm,
    ) -> Result<IssuedCertificate, AppError> {
        require_admin(viewer)?;
        let ca = self.ca()?;
        let source = key_source(form)?;
        let holder = self.holder(viewer, form).await?;
        let now = self.clock.now();
        let mut loaded = ca.lock().await?;
        let (issued, pkcs12, device, label) = match issue(&mut loaded, &holder, source, now).await {
            Ok(x) => x,
            Err(e) => {
                loaded.discard_changes();
                return Err(e);
            }
        };
        loaded.save(ca.dir())?;
        let new = holder.record(&viewer.agency_id, &issued, device, label)?;
        match self
            .store
            .insert_certificate(&new, &viewer.person_id, self.clock.now_ms())
            .await
        {
            Ok(certificate) => Ok(IssuedCertificate {
                certificate,
                pkcs12,
            }),
            Err(e) => {
                withdraw(&mut loaded, ca.dir(), &new.serial, now);
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
            AppError::Invalid(format!("reason: one of {}", names.join(", ")))
        })?;
        if cert.revoked_at_ms.is_some() {
            return Err(AppError::Conflict(format!(
                "certificate {} is already revoked",
                cert.serial
            )));
        }
        let now = self.clock.now();
        if let Some(ca) = self.ca.as_deref() {
            let mut loaded = ca.lock().await?;
            if loaded.ca.has_issued(&cert.serial) {
                revoke_at_ca(&mut loaded, ca.dir(), &cert.serial, reason, now)?;
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

type Issue = (signet_pki::Issued, Option<Vec<u8>>, DeviceKind, String);

/// Signs the certificate (and, for a generated key, builds the PKCS#12 file off the async
/// workers: 600,000 PBKDF2 iterations take a while). Changes only the in-memory CA.
async fn issue(
    loaded: &mut LoadedCa,
    holder: &Holder,
    source: KeySource,
    now: OffsetDateTime,
) -> Result<Issue, AppError> {
    let profile = holder.profile();
    match source {
        KeySource::Request { csr, device, label } => {
            let issued = loaded
                .ca
                .issue_from_csr(profile, &holder.subject, &csr, now, &mut OsRng)
                .map_err(pki_error)?;
            Ok((issued, None, device, label))
        }
        KeySource::Generated { password } => {
            let (issued, key) = loaded
                .ca
                .issue_with_new_key(profile, &holder.subject, now, &mut OsRng)
                .map_err(pki_error)?;
            let chain = ca_dir::chain(&loaded.ca);
            let (cert, alias) = (issued.der.clone(), holder.subject.name.clone());
            let p12 = tokio::task::spawn_blocking(move || {
                ca_dir::pkcs12(&cert, &key.pkcs8_der, &chain, &alias, &password)
            })
            .await
            .map_err(|e| AppError::Ca(format!("PKCS#12: {e}")))??;
            Ok((issued, Some(p12), DeviceKind::Software, "PKCS#12".into()))
        }
    }
}

/// Revokes at the CA (unless already done there), saves, and writes the new CRL.
fn revoke_at_ca(
    loaded: &mut LoadedCa,
    dir: &std::path::Path,
    serial: &str,
    reason: Reason,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let done = loaded.ca.revocations().get(serial).is_some();
    let crl = (|| {
        if !done {
            loaded.ca.revoke(serial, reason, now).map_err(pki_error)?;
        }
        loaded.ca.next_issuing_crl(now).map_err(pki_error)
    })();
    let crl = match crl {
        Ok(c) => c,
        Err(e) => {
            loaded.discard_changes();
            return Err(e);
        }
    };
    loaded.save(dir)?;
    ca_dir::write_file(&dir.join("issuing.crl"), &crl, 0o644)
}

/// A certificate signed and saved at the CA whose database row could not be written: nobody
/// has received it, so it is revoked (cessationOfOperation) rather than left valid and
/// unlisted. Best effort: the caller is already failing.
fn withdraw(loaded: &mut LoadedCa, dir: &std::path::Path, serial: &str, now: OffsetDateTime) {
    if let Err(e) = revoke_at_ca(loaded, dir, serial, Reason::CessationOfOperation, now) {
        tracing::error!(serial, error = %e, "could not withdraw a certificate the database did not record");
    }
}

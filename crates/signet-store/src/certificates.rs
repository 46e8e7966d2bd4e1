//! Certificates of an agency's people and of the agency itself: the administrator's list,
//! totals and revocation marks, and the holder's expiry reminder.
//!
//! A certificate's status is not stored: it depends on the time of the question. Every read
//! that needs it takes a [`StatusAt`] and computes it in SQL, so the totals and the filters
//! agree with [`Certificate::status`].

use signet_core::ids::{AgencyId, CertificateId, PersonId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::corrupt;
use crate::journal::details::{entry, CertificateIssued, CertificateRevoked};
use crate::journal::{append_and_commit, claim_head};
use crate::sql::{Builder, RowExt};
use crate::{new_id, Store, StoreError};

/// Whose certificate: a person's (cá nhân) or the agency's (tổ chức).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateKind {
    Personal,
    Organization,
}

impl CertificateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Personal => "personal",
            Self::Organization => "organization",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "personal" => Some(Self::Personal),
            "organization" => Some(Self::Organization),
            _ => None,
        }
    }
}

/// Where the private key lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// A software keystore (PKCS#12 file).
    Software,
    /// A USB token or smart card (PKCS#11).
    Pkcs11,
    /// A remote-signing credential (the key stays with a signing service).
    Remote,
}

impl DeviceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Software => "software",
            Self::Pkcs11 => "pkcs11",
            Self::Remote => "remote",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "software" => Some(Self::Software),
            "pkcs11" => Some(Self::Pkcs11),
            "remote" => Some(Self::Remote),
            _ => None,
        }
    }
}

/// The status of a certificate at a given time. Exactly one applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked and not expiring soon.
    Valid,
    /// Not revoked, not expired, and its validity ends within the reminder window.
    Expiring,
    /// Not revoked and past its validity.
    Expired,
    Revoked,
}

impl CertStatus {
    pub const ALL: [CertStatus; 4] = [
        CertStatus::Valid,
        CertStatus::Expiring,
        CertStatus::Expired,
        CertStatus::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expiring => "expiring",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The time a status is computed at: `now_ms`, and the end of the reminder window
/// (`soon_ms`, e.g. now + 30 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusAt {
    pub now_ms: i64,
    pub soon_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub id: CertificateId,
    pub agency_id: AgencyId,
    pub kind: CertificateKind,
    /// The person; `None` for an organization certificate.
    pub holder_id: Option<PersonId>,
    /// The person's or the agency's name when the certificate was recorded.
    pub holder_name: String,
    pub subject_cn: String,
    /// Lower-case hex, no leading zero bytes (signet_pki's normal form).
    pub serial: String,
    pub issuer: String,
    pub not_before_ms: i64,
    pub not_after_ms: i64,
    pub device_kind: DeviceKind,
    /// A token's serial, a keystore or credential name; may be empty.
    pub device_label: String,
    pub revoked_at_ms: Option<i64>,
    /// The RFC 5280 reason name (`keyCompromise`, ...).
    pub revocation_reason: Option<String>,
    pub der: Vec<u8>,
    pub created_at_ms: i64,
    /// The actor who recorded it: a person's id, or `system` (the command line).
    pub created_by: String,
}

impl Certificate {
    /// The status at `at`; the same rule as the SQL of [`status_condition`].
    pub fn status(&self, at: StatusAt) -> CertStatus {
        if self.revoked_at_ms.is_some() {
            CertStatus::Revoked
        } else if self.not_after_ms < at.now_ms {
            CertStatus::Expired
        } else if self.not_after_ms <= at.soon_ms {
            CertStatus::Expiring
        } else {
            CertStatus::Valid
        }
    }
}

/// A certificate to record (already issued).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCertificate {
    pub agency_id: AgencyId,
    pub kind: CertificateKind,
    pub holder_id: Option<PersonId>,
    pub holder_name: String,
    pub subject_cn: String,
    pub serial: String,
    pub issuer: String,
    pub not_before_ms: i64,
    pub not_after_ms: i64,
    pub device_kind: DeviceKind,
    pub device_label: String,
    pub der: Vec<u8>,
}

/// Filters of the list. It pages by keyset, soonest expiry first.
#[derive(Debug, Clone, Default)]
pub struct CertFilter {
    pub status: Option<CertStatus>,
    pub kind: Option<CertificateKind>,
    pub after: Option<CertCursor>,
    pub limit: u32,
}

/// Where a page ends: the last row's expiry and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertCursor {
    pub not_after_ms: i64,
    pub id: CertificateId,
}

impl CertCursor {
    // The same text form and checks as the document list's cursor (one definition of what a
    // cursor may hold).
    pub fn encode(&self) -> String {
        crate::documents::encode_cursor(self.not_after_ms, self.id.as_str())
    }

    pub fn decode(s: &str) -> Option<Self> {
        crate::documents::decode_cursor(s).map(|(not_after_ms, id)| Self {
            not_after_ms,
            id: id.into(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct CertPage {
    pub certificates: Vec<Certificate>,
    pub next: Option<CertCursor>,
}

/// Counts per kind and per status at one time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CertTotals {
    pub total: i64,
    pub personal: i64,
    pub organization: i64,
    pub valid: i64,
    pub expiring: i64,
    pub expired: i64,
    pub revoked: i64,
}

const COLUMNS: &str = "id, agency_id, kind, holder_id, holder_name, subject_cn, serial, issuer, \
    not_before_ms, not_after_ms, device_kind, device_label, revoked_at_ms, revocation_reason, \
    der_hex, created_at_ms, created_by";

fn certificate_from_row(r: &AnyRow) -> Result<Certificate, StoreError> {
    let kind: String = r.try_get("kind")?;
    let device: String = r.try_get("device_kind")?;
    let der: String = r.try_get("der_hex")?;
    Ok(Certificate {
        id: r.id("id")?,
        agency_id: r.id("agency_id")?,
        kind: CertificateKind::parse(&kind).ok_or_else(|| corrupt("certificate kind", &kind))?,
        holder_id: r.opt_id("holder_id")?,
        holder_name: r.try_get("holder_name")?,
        subject_cn: r.try_get("subject_cn")?,
        serial: r.try_get("serial")?,
        issuer: r.try_get("issuer")?,
        not_before_ms: r.try_get("not_before_ms")?,
        not_after_ms: r.try_get("not_after_ms")?,
        device_kind: DeviceKind::parse(&device).ok_or_else(|| corrupt("device kind", &device))?,
        device_label: r.try_get("device_label")?,
        revoked_at_ms: r.try_get("revoked_at_ms")?,
        revocation_reason: r.try_get("revocation_reason")?,
        der: hex::decode(&der).map_err(|e| corrupt("certificate DER", e))?,
        created_at_ms: r.try_get("created_at_ms")?,
        created_by: r.try_get("created_by")?,
    })
}

/// Appends the SQL condition of `status` at `at` (the rule of [`Certificate::status`]).
fn status_condition(q: &mut Builder, status: CertStatus, at: StatusAt) {
    match status {
        CertStatus::Revoked => {
            q.push(" AND revoked_at_ms IS NOT NULL");
        }
        CertStatus::Expired => {
            q.push(" AND revoked_at_ms IS NULL AND not_after_ms < ")
                .int(at.now_ms);
        }
        CertStatus::Expiring => {
            q.push(" AND revoked_at_ms IS NULL AND not_after_ms >= ")
                .int(at.now_ms)
                .push(" AND not_after_ms <= ")
                .int(at.soon_ms);
        }
        CertStatus::Valid => {
            q.push(" AND revoked_at_ms IS NULL AND not_after_ms > ")
                .int(at.soon_ms);
        }
    }
}

impl Store {
    /// Records an issued certificate and journals `certificate.issued`.
    pub async fn insert_certificate(
        &self,
        c: &NewCertificate,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<Certificate, StoreError> {
        let id = CertificateId::new(new_id());
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &c.agency_id).await?;
        sqlx::query(&format!(
            "INSERT INTO certificates ({COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, $13, $14, $15)"
        ))
        .bind(id.as_str())
        .bind(c.agency_id.as_str())
        .bind(c.kind.as_str())
        .bind(c.holder_id.as_ref().map(PersonId::as_str))
        .bind(&c.holder_name)
        .bind(&c.subject_cn)
        .bind(&c.serial)
        .bind(&c.issuer)
        .bind(c.not_before_ms)
        .bind(c.not_after_ms)
        .bind(c.device_kind.as_str())
        .bind(&c.device_label)
        .bind(hex::encode(&c.der))
        .bind(at_ms)
        .bind(actor.as_ref())
        .execute(&mut *tx)
        .await?;
        let action = CertificateIssued {
            serial: &c.serial,
            kind: c.kind.as_str(),
            holder: &c.holder_name,
            not_after_ms: c.not_after_ms,
        };
        let entry = entry(at_ms, actor.as_ref(), id.as_str(), &action)?;
        append_and_commit(tx, &c.agency_id, &mut head, entry).await?;
        Ok(Certificate {
            id,
            agency_id: c.agency_id.clone(),
            kind: c.kind,
            holder_id: c.holder_id.clone(),
            holder_name: c.holder_name.clone(),
            subject_cn: c.subject_cn.clone(),
            serial: c.serial.clone(),
            issuer: c.issuer.clone(),
            not_before_ms: c.not_before_ms,
            not_after_ms: c.not_after_ms,
            device_kind: c.device_kind,
            device_label: c.device_label.clone(),
            revoked_at_ms: None,
            revocation_reason: None,
            der: c.der.clone(),
            created_at_ms: at_ms,
            created_by: actor.as_ref().to_owned(),
        })
    }

    /// A page of an agency's certificates, soonest expiry first, filtered by status at `at`
    /// and by kind.
    pub async fn certificates(
        &self,
        agency_id: &AgencyId,
        f: &CertFilter,
        at: StatusAt,
    ) -> Result<CertPage, StoreError> {
        let limit = f.limit.clamp(1, 200);
        let mut q = Builder::new(&format!(
            "SELECT {COLUMNS} FROM certificates WHERE agency_id = "
        ));
        q.text(agency_id.as_str());
        if let Some(status) = f.status {
            status_condition(&mut q, status, at);
        }
        if let Some(kind) = f.kind {
            q.push(" AND kind = ").text(kind.as_str());
        }
        if let Some(c) = &f.after {
            // The plain `>=` bound lets both planners seek in the index (see documents::list).
            q.push(" AND not_after_ms >= ").int(c.not_after_ms);
            q.push(" AND (not_after_ms > ").int(c.not_after_ms);
            q.push(" OR (not_after_ms = ")
                .int(c.not_after_ms)
                .push(" AND id > ")
                .text(c.id.as_str())
                .push("))");
        }
        q.push(" ORDER BY not_after_ms, id LIMIT ")
            .int(i64::from(limit) + 1);
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut certificates = rows
            .iter()
            .map(certificate_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if certificates.len() > limit as usize {
            certificates.truncate(limit as usize);
            certificates.last().map(|c| CertCursor {
                not_after_ms: c.not_after_ms,
                id: c.id.clone(),
            })
        } else {
            None
        };
        Ok(CertPage { certificates, next })
    }

    /// Counts of an agency's certificates per kind and per status at `at`, in one query.
    pub async fn certificate_totals(
        &self,
        agency_id: &AgencyId,
        at: StatusAt,
    ) -> Result<CertTotals, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS total, \
             COALESCE(SUM(CASE WHEN kind = 'personal' THEN 1 ELSE 0 END), 0) AS personal, \
             COALESCE(SUM(CASE WHEN kind = 'organization' THEN 1 ELSE 0 END), 0) AS organization, \
             COALESCE(SUM(CASE WHEN revoked_at_ms IS NOT NULL THEN 1 ELSE 0 END), 0) AS revoked, \
             COALESCE(SUM(CASE WHEN revoked_at_ms IS NULL AND not_after_ms < $2 THEN 1 ELSE 0 END), 0) AS expired, \
             COALESCE(SUM(CASE WHEN revoked_at_ms IS NULL AND not_after_ms >= $2 AND not_after_ms <= $3 THEN 1 ELSE 0 END), 0) AS expiring, \
             COALESCE(SUM(CASE WHEN revoked_at_ms IS NULL AND not_after_ms > $3 THEN 1 ELSE 0 END), 0) AS valid \
             FROM certificates WHERE agency_id = $1",
        )
        .bind(agency_id.as_str())
        .bind(at.now_ms)
        .bind(at.soon_ms)
        .fetch_one(&self.pool)
        .await?;
        let n = |c: &str| -> Result<i64, StoreError> { Ok(row.try_get::<i64, _>(c)?) };
        Ok(CertTotals {
            total: n("total")?,
            personal: n("personal")?,
            organization: n("organization")?,
            valid: n("valid")?,
            expiring: n("expiring")?,
            expired: n("expired")?,
            revoked: n("revoked")?,
        })
    }

    /// One certificate of an agency by serial; `NotFound` for another agency's.
    pub async fn certificate(
        &self,
        agency_id: &AgencyId,
        serial: &str,
    ) -> Result<Certificate, StoreError> {
        // Serials are unique per issuer; within one agency two issuers giving the same
        // 120-bit random serial is not a case worth a second key, so the newest wins.
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM certificates WHERE agency_id = $1 AND serial = $2 \
             ORDER BY created_at_ms DESC, id DESC LIMIT 1"
        ))
        .bind(agency_id.as_str())
        .bind(serial)
        .fetch_one(&self.pool)
        .await?;
        certificate_from_row(&row)
    }

    /// Marks a certificate revoked and journals `certificate.revoked`. `Conflict` when it
    /// already is, `NotFound` when the agency has no such certificate.
    pub async fn revoke_certificate(
        &self,
        agency_id: &AgencyId,
        serial: &str,
        reason: &str,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<Certificate, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM certificates WHERE agency_id = $1 AND serial = $2 \
             ORDER BY created_at_ms DESC, id DESC LIMIT 1"
        ))
        .bind(agency_id.as_str())
        .bind(serial)
        .fetch_one(&mut *tx)
        .await?;
        let mut cert = certificate_from_row(&row)?;
        if cert.revoked_at_ms.is_some() {
            return Err(StoreError::Conflict(format!(
                "certificate {serial} is already revoked"
            )));
        }
        sqlx::query(
            "UPDATE certificates SET revoked_at_ms = $1, revocation_reason = $2 WHERE id = $3",
        )
        .bind(at_ms)
        .bind(reason)
        .bind(cert.id.as_str())
        .execute(&mut *tx)
        .await?;
        let entry = entry(
            at_ms,
            actor.as_ref(),
            cert.id.as_str(),
            &CertificateRevoked { serial, reason },
        )?;
        append_and_commit(tx, agency_id, &mut head, entry).await?;
        cert.revoked_at_ms = Some(at_ms);
        cert.revocation_reason = Some(reason.to_owned());
        Ok(cert)
    }

    /// A holder's certificates that are expiring at `at` (not revoked, not yet expired),
    /// soonest first; at most 10.
    pub async fn expiring_for_holder(
        &self,
        person_id: &PersonId,
        at: StatusAt,
    ) -> Result<Vec<Certificate>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM certificates WHERE holder_id = $1 \
             AND not_after_ms >= $2 AND not_after_ms <= $3 AND revoked_at_ms IS NULL \
             ORDER BY not_after_ms LIMIT 10"
        ))
        .bind(person_id.as_str())
        .bind(at.now_ms)
        .bind(at.soon_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(certificate_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_refusals() {
        let c = CertCursor {
            not_after_ms: 1_800_000_000_000,
            id: "abc123".into(),
        };
        assert_eq!(CertCursor::decode(&c.encode()), Some(c));
        assert_eq!(CertCursor::decode("x.abc"), None);
        assert_eq!(CertCursor::decode("1.a'b"), None);
        assert_eq!(CertCursor::decode("1."), None);
    }

    #[test]
    fn names_round_trip() {
        for s in CertStatus::ALL {
            assert_eq!(CertStatus::parse(s.as_str()), Some(s));
        }
        for k in [CertificateKind::Personal, CertificateKind::Organization] {
            assert_eq!(CertificateKind::parse(k.as_str()), Some(k));
        }
        for d in [DeviceKind::Software, DeviceKind::Pkcs11, DeviceKind::Remote] {
            assert_eq!(DeviceKind::parse(d.as_str()), Some(d));
        }
        assert_eq!(CertStatus::parse("ok"), None);
    }
}

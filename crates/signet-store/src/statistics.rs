//! Oversight counters per agency and month (issue 10 §5), kept in `unit_month_stats`.
//!
//! A "unit" of the statistics is an agency of the agency tree (province → departments and
//! districts → communes): the agencies are what the province ranks; an agency's internal
//! units (phòng) are not counted apart. Each counter changes in the transaction of the event
//! that changes it, and [`Store::recount`] rebuilds them from the documents:
//!
//! - `issued`: outgoing documents issued in the month (of their `issued_on`);
//! - `leader_signed_valid`, `sealed_valid`: of those, the ones whose issued file's leader's
//!   signature / organization seal verified valid ([`Store::record_signature_verdicts`]);
//! - `incoming`: incoming documents that arrived in the month (of `arrived_on`);
//! - `done_on_time`, `overdue`: of those, the ones completed by / after their deadline;
//! - `in_progress`: of those, the ones neither completed nor returned to the sender.
//!
//! The incoming counters belong to the month of arrival (a cohort), so a month's figures say
//! what became of the documents that came in that month.

use std::collections::BTreeMap;

use signet_core::ids::{AgencyId, DocumentId};
use sqlx::Row;

use crate::error::corrupt;
use crate::{Store, StoreError, Tx};

/// The counters of one agency over one month (or summed over several).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub issued: i64,
    pub leader_signed_valid: i64,
    pub sealed_valid: i64,
    pub incoming: i64,
    pub done_on_time: i64,
    pub overdue: i64,
    pub in_progress: i64,
}

impl Counters {
    pub const FIELDS: [&'static str; 7] = [
        "issued",
        "leader_signed_valid",
        "sealed_valid",
        "incoming",
        "done_on_time",
        "overdue",
        "in_progress",
    ];

    pub fn values(&self) -> [i64; 7] {
        [
            self.issued,
            self.leader_signed_valid,
            self.sealed_valid,
            self.incoming,
            self.done_on_time,
            self.overdue,
            self.in_progress,
        ]
    }

    fn from_values(v: [i64; 7]) -> Self {
        Self {
            issued: v[0],
            leader_signed_valid: v[1],
            sealed_valid: v[2],
            incoming: v[3],
            done_on_time: v[4],
            overdue: v[5],
            in_progress: v[6],
        }
    }

    pub fn add(&mut self, other: &Counters) {
        let (a, b) = (self.values(), other.values());
        *self = Self::from_values(std::array::from_fn(|i| a[i] + b[i]));
    }

    fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, StoreError> {
        let mut v = [0i64; 7];
        for (slot, field) in v.iter_mut().zip(Self::FIELDS) {
            *slot = r.try_get::<i64, _>(field)?;
        }
        Ok(Self::from_values(v))
    }
}

/// One counter whose stored value differs from the recount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub agency_id: AgencyId,
    pub month: String,
    pub field: &'static str,
    pub stored: i64,
    pub counted: i64,
}

/// `YYYY-MM` of an ISO date or date-time text.
pub(crate) fn month_of(date: &str) -> Result<String, StoreError> {
    date.get(..7)
        .filter(|m| m.as_bytes().get(4) == Some(&b'-'))
        .map(str::to_owned)
        .ok_or_else(|| corrupt("date", date))
}

/// Adds `delta` to the agency's counters of `month`, inside the caller's transaction.
pub(crate) async fn bump(
    tx: &mut Tx,
    agency_id: &AgencyId,
    month: &str,
    delta: &Counters,
) -> Result<(), StoreError> {
    let sets: Vec<String> = Counters::FIELDS
        .iter()
        .map(|f| format!("{f} = unit_month_stats.{f} + excluded.{f}"))
        .collect();
    let sql = format!(
        "INSERT INTO unit_month_stats (agency_id, month, {}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (agency_id, month) DO UPDATE SET {}",
        Counters::FIELDS.join(", "),
        sets.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(agency_id.as_str()).bind(month);
    for v in delta.values() {
        q = q.bind(v);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// The recount's queries: each yields `agency_id, month` and some counter columns.
/// The recount's queries; `{month}` is empty for every month, or the condition that keeps
/// one month's rows (an index range: see migration 21), with the month's first and last
/// possible day bound as `$1` and `$2` (the verdicts' query: the month as `$1`).
const RECOUNT: [(&str, &str); 3] = [
    (
        "SELECT agency_id, substr(issued_on, 1, 7) AS month, COUNT(*) AS issued \
         FROM documents WHERE direction = 'outgoing' AND issued_on IS NOT NULL {month} \
         GROUP BY agency_id, substr(issued_on, 1, 7)",
        "AND issued_on >= $1 AND issued_on <= $2",
    ),
    (
        "SELECT agency_id, month, CAST(SUM(leader_signature_valid) AS BIGINT) AS leader_signed_valid, \
         CAST(SUM(seal_valid) AS BIGINT) AS sealed_valid FROM signature_verdicts {month} \
         GROUP BY agency_id, month",
        "WHERE month = $1",
    ),
    (
        "SELECT d.agency_id, substr(d.arrived_on, 1, 7) AS month, COUNT(*) AS incoming, \
         SUM(CASE WHEN p.done_on IS NOT NULL AND p.done_on <= p.deadline THEN 1 ELSE 0 END) AS done_on_time, \
         SUM(CASE WHEN p.done_on IS NOT NULL AND p.done_on > p.deadline THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN d.state IN ('done', 'returned') THEN 0 ELSE 1 END) AS in_progress \
         FROM documents d LEFT JOIN incoming_processing p ON p.document_id = d.id \
         WHERE d.direction = 'incoming' AND d.arrived_on IS NOT NULL {month} \
         GROUP BY d.agency_id, substr(d.arrived_on, 1, 7)",
        "AND d.arrived_on >= $1 AND d.arrived_on <= $2",
    ),
];

type Table = BTreeMap<(String, String), Counters>;

/// What the verifier said of an issued document's file.
pub(crate) struct Verdicts<'a> {
    /// The file judged (empty when not known, e.g. generated demo history).
    pub file_sha256: &'a str,
    pub leader_valid: bool,
    pub seal_valid: bool,
    pub at_ms: i64,
}

/// Records `verdicts` of a document issued in `month`, replacing earlier ones, and moves the
/// month's counters by the difference — inside the caller's transaction.
pub(crate) async fn upsert_verdicts(
    tx: &mut Tx,
    agency_id: &AgencyId,
    document_id: &DocumentId,
    month: &str,
    verdicts: &Verdicts<'_>,
) -> Result<(), StoreError> {
    let before = sqlx::query(
        "SELECT leader_signature_valid, seal_valid, month FROM signature_verdicts \
         WHERE document_id = $1",
    )
    .bind(document_id.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(r) = before {
        let old_month: String = r.try_get(2)?;
        let undo = Counters {
            leader_signed_valid: -r.try_get::<i64, _>(0)?,
            sealed_valid: -r.try_get::<i64, _>(1)?,
            ..Counters::default()
        };
        if !old_month.is_empty() {
            bump(tx, agency_id, &old_month, &undo).await?;
        }
    }
    let (leader, seal) = (
        i64::from(verdicts.leader_valid),
        i64::from(verdicts.seal_valid),
    );
    sqlx::query(
        "INSERT INTO signature_verdicts (document_id, agency_id, file_sha256, leader_signature_valid, \
         seal_valid, verified_at_ms, month) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (document_id) DO UPDATE SET file_sha256 = excluded.file_sha256, \
         leader_signature_valid = excluded.leader_signature_valid, seal_valid = excluded.seal_valid, \
         verified_at_ms = excluded.verified_at_ms, month = excluded.month",
    )
    .bind(document_id.as_str())
    .bind(agency_id.as_str())
    .bind(verdicts.file_sha256)
    .bind(leader)
    .bind(seal)
    .bind(verdicts.at_ms)
    .bind(month)
    .execute(&mut **tx)
    .await?;
    let delta = Counters {
        leader_signed_valid: leader,
        sealed_valid: seal,
        ..Counters::default()
    };
    bump(tx, agency_id, month, &delta).await
}

impl Store {
    /// Records the verification verdicts of an issued document's file: whether the leader's
    /// personal signature and the organization's seal verified valid. Counted in the month
    /// the document was issued; recording again for the same document replaces the earlier
    /// verdicts (the counters move by the difference). Journals `document.verdicts`.
    pub async fn record_signature_verdicts(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        leader_valid: bool,
        seal_valid: bool,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = crate::journal::claim_head(&mut tx, agency_id).await?;
        let doc = crate::documents::fetch(&mut tx, agency_id, document_id).await?;
        let issued_on = doc
            .issued_on
            .as_deref()
            .filter(|_| doc.state.outgoing().is_some());
        let month = month_of(issued_on.ok_or(StoreError::Domain(
            signet_core::CoreError::WrongState {
                expected: "issued",
                actual: doc.state.code(),
            },
        ))?)?;
        let verdicts = Verdicts {
            file_sha256: "",
            leader_valid,
            seal_valid,
            at_ms,
        };
        upsert_verdicts(&mut tx, agency_id, document_id, &month, &verdicts).await?;
        let action = crate::journal::details::SignatureVerdicts {
            leader_signature_valid: leader_valid,
            seal_valid,
        };
        let entry = crate::journal::details::entry(at_ms, "system", document_id.as_str(), &action)?;
        crate::journal::append_and_commit(tx, agency_id, &mut head, entry).await
    }

    /// Every agency's counters summed per month over `from_month..=to_month` (`YYYY-MM`):
    /// `(agency, month) → counters`. The caller picks the agencies the viewer may see.
    pub async fn monthly_counters(
        &self,
        from_month: &str,
        to_month: &str,
    ) -> Result<Vec<(AgencyId, String, Counters)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT agency_id, month, {} FROM unit_month_stats WHERE month >= $1 AND month <= $2",
            Counters::FIELDS.join(", ")
        ))
        .bind(from_month)
        .bind(to_month)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    AgencyId::new(r.try_get::<String, _>("agency_id")?),
                    r.try_get::<String, _>("month")?,
                    Counters::from_row(r)?,
                ))
            })
            .collect()
    }

    /// The counters of `from_month..=to_month` summed per agency (or per month, `by_month`),
    /// by the database. `agencies` limits the sum to those agencies; `None` is every one.
    pub async fn summed_counters(
        &self,
        from_month: &str,
        to_month: &str,
        by_month: bool,
        agencies: Option<&[AgencyId]>,
    ) -> Result<Vec<(String, Counters)>, StoreError> {
        let key = if by_month { "month" } else { "agency_id" };
        let sums: Vec<String> = Counters::FIELDS
            .iter()
            .map(|f| format!("CAST(SUM({f}) AS BIGINT) AS {f}"))
            .collect();
        let mut b = crate::sql::Builder::new(&format!(
            "SELECT {key} AS k, {} FROM unit_month_stats WHERE month >= ",
            sums.join(", ")
        ));
        b.text(from_month).push(" AND month <= ").text(to_month);
        if let Some(ids) = agencies {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            b.push(" AND agency_id IN (")
                .texts(ids.iter().map(|id| id.as_str()))
                .push(")");
        }
        b.push(&format!(" GROUP BY {key} ORDER BY {key}"));
        let rows = b.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String, _>("k")?, Counters::from_row(r)?)))
            .collect()
    }

    /// Recounts every counter (of one month, or all) from the documents, the processing
    /// records and the verdicts, and lists where the stored counters differ.
    pub async fn recount(&self, month: Option<&str>) -> Result<Vec<Difference>, StoreError> {
        let mut counted: Table = BTreeMap::new();
        for (i, (sql, only)) in RECOUNT.iter().enumerate() {
            let sql = sql.replace("{month}", if month.is_some() { only } else { "" });
            let mut q = sqlx::query(&sql);
            if let Some(m) = month {
                q = if i == 1 {
                    q.bind(m.to_owned())
                } else {
                    q.bind(format!("{m}-01")).bind(format!("{m}-31"))
                };
            }
            for r in q.fetch_all(&self.pool).await? {
                let key = (r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?);
                let c = counted.entry(key).or_default();
                let mut v = c.values();
                for (i, field) in Counters::FIELDS.iter().enumerate() {
                    if let Ok(n) = r.try_get::<Option<i64>, _>(*field) {
                        v[i] += n.unwrap_or(0);
                    }
                }
                *c = Counters::from_values(v);
            }
        }
        let mut stored: Table = BTreeMap::new();
        let (first, last) = month.map_or(("0000-00", "9999-99"), |m| (m, m));
        for (agency, m, c) in self.monthly_counters(first, last).await? {
            stored.insert((agency.into_string(), m), c);
        }
        let keys: std::collections::BTreeSet<_> = counted.keys().chain(stored.keys()).collect();
        let mut out = Vec::new();
        for key in keys {
            if month.is_some_and(|m| m != key.1) {
                continue;
            }
            let (c, s) = (
                counted.get(key).copied().unwrap_or_default(),
                stored.get(key).copied().unwrap_or_default(),
            );
            for ((field, c), s) in Counters::FIELDS.iter().zip(c.values()).zip(s.values()) {
                if c != s {
                    out.push(Difference {
                        agency_id: AgencyId::new(key.0.clone()),
                        month: key.1.clone(),
                        field,
                        stored: s,
                        counted: c,
                    });
                }
            }
        }
        Ok(out)
    }
}

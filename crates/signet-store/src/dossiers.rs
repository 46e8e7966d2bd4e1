//! Work dossiers (hồ sơ công việc, issue 10 §2): opened under a code of the agency's dossier
//! list for a year, documents filed into them, closed, then handed to the agency's archive.
//! Every change is one transaction ending with its journal entry; every read carries the
//! agency, so another agency's dossier or document is never found.

use serde::Serialize;
use signet_core::ids::{AgencyId, DocumentId, DossierId, PersonId, UnitId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::documents::{document_from_row, Document, COLUMNS as DOCUMENT_COLUMNS};
use crate::error::corrupt;
use crate::journal::details::{entry, Action};
use crate::journal::{append_and_commit, claim_head};
use crate::sql::{Builder, RowExt};
use crate::{new_id, Store, StoreError, Tx};

/// Where a dossier is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierState {
    /// Documents may be filed into it.
    Open,
    /// The work is done; nothing more is filed.
    Closed,
    /// Handed to the agency's archive (nộp lưu).
    Archived,
}

impl DossierState {
    pub const ALL: &'static [DossierState] = &[Self::Open, Self::Closed, Self::Archived];

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|d| d.code() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Open => "Đang lập",
            Self::Closed => "Đã kết thúc",
            Self::Archived => "Đã nộp lưu",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Closed => "Closed",
            Self::Archived => "Archived",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dossier {
    pub id: DossierId,
    pub agency_id: AgencyId,
    pub year: i64,
    pub code: String,
    pub title: String,
    /// Years; 0 is permanent (vĩnh viễn).
    pub retention_years: i64,
    pub unit_id: Option<UnitId>,
    pub keeper_id: PersonId,
    pub state: DossierState,
    pub opened_at_ms: i64,
    pub closed_at_ms: Option<i64>,
    pub archived_at_ms: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewDossier {
    pub agency_id: AgencyId,
    pub year: i64,
    pub code: String,
    pub title: String,
    pub retention_years: i64,
    pub unit_id: Option<UnitId>,
    pub keeper_id: PersonId,
}

/// What the dossier list is narrowed by.
#[derive(Debug, Clone, Default)]
pub struct DossierFilter {
    pub year: Option<i64>,
    pub state: Option<DossierState>,
    pub keeper: Option<PersonId>,
    /// The code starts with this.
    pub code: Option<String>,
}

const COLUMNS: &str = "id, agency_id, year, code, title, retention_years, unit_id, keeper_id, \
    state, opened_at_ms, closed_at_ms, archived_at_ms";

fn dossier_from_row(r: &AnyRow) -> Result<Dossier, StoreError> {
    let state: String = r.try_get("state")?;
    Ok(Dossier {
        id: r.id("id")?,
        agency_id: r.id("agency_id")?,
        year: r.try_get("year")?,
        code: r.try_get("code")?,
        title: r.try_get("title")?,
        retention_years: r.try_get("retention_years")?,
        unit_id: r.opt_id("unit_id")?,
        keeper_id: r.id("keeper_id")?,
        state: DossierState::parse(&state).ok_or_else(|| corrupt("dossier state", &state))?,
        opened_at_ms: r.try_get("opened_at_ms")?,
        closed_at_ms: r.try_get("closed_at_ms")?,
        archived_at_ms: r.try_get("archived_at_ms")?,
    })
}

#[derive(Serialize)]
struct Opened<'a> {
    year: i64,
    code: &'a str,
    title: &'a str,
    retention_years: i64,
}

#[derive(Serialize)]
struct Filed<'a> {
    document: &'a str,
}

#[derive(Serialize)]
struct Moved<'a> {
    from: &'a str,
    to: &'a str,
}

impl Action for Opened<'_> {
    fn name(&self) -> String {
        "dossier.opened".into()
    }
}

impl Action for Filed<'_> {
    fn name(&self) -> String {
        "dossier.filed".into()
    }
}

impl Action for Moved<'_> {
    fn name(&self) -> String {
        format!("dossier.{}", self.to)
    }
}

async fn fetch(tx: &mut Tx, agency_id: &AgencyId, id: &DossierId) -> Result<Dossier, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM dossiers WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id.as_str())
    .bind(id.as_str())
    .fetch_one(&mut **tx)
    .await?;
    dossier_from_row(&row)
}

impl Store {
    /// Opens a dossier. Its code is unique in the agency and year (`Conflict` otherwise).
    pub async fn insert_dossier(&self, d: &NewDossier, at_ms: i64) -> Result<Dossier, StoreError> {
        let id = DossierId::new(new_id());
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &d.agency_id).await?;
        sqlx::query(
            "INSERT INTO dossiers (id, agency_id, year, code, title, retention_years, unit_id, \
             keeper_id, state, opened_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.as_str())
        .bind(d.agency_id.as_str())
        .bind(d.year)
        .bind(&d.code)
        .bind(&d.title)
        .bind(d.retention_years)
        .bind(d.unit_id.as_ref().map(UnitId::as_str))
        .bind(d.keeper_id.as_str())
        .bind(DossierState::Open.code())
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let dossier = fetch(&mut tx, &d.agency_id, &id).await?;
        let action = Opened {
            year: d.year,
            code: &d.code,
            title: &d.title,
            retention_years: d.retention_years,
        };
        let e = entry(at_ms, d.keeper_id.as_str(), id.as_str(), &action)?;
        append_and_commit(tx, &d.agency_id, &mut head, e).await?;
        Ok(dossier)
    }

    /// One dossier of the agency, or `NotFound`.
    pub async fn dossier(
        &self,
        agency_id: &AgencyId,
        id: &DossierId,
    ) -> Result<Dossier, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM dossiers WHERE agency_id = $1 AND id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .fetch_one(&self.pool)
        .await?;
        dossier_from_row(&row)
    }

    /// The agency's dossiers, newest year first, then by code (at most 500).
    pub async fn dossiers(
        &self,
        agency_id: &AgencyId,
        f: &DossierFilter,
    ) -> Result<Vec<Dossier>, StoreError> {
        let mut q = Builder::new(&format!(
            "SELECT {COLUMNS} FROM dossiers WHERE agency_id = "
        ));
        q.text(agency_id.as_str());
        if let Some(y) = f.year {
            q.push(" AND year = ").int(y);
        }
        if let Some(s) = f.state {
            q.push(" AND state = ").text(s.code());
        }
        if let Some(k) = &f.keeper {
            q.push(" AND keeper_id = ").text(k.as_str());
        }
        if let Some(code) = &f.code {
            // A range, not LIKE: a code may hold '%' or '_'.
            q.push(" AND code >= ").text(code);
            q.push(" AND code < ").text(&format!("{code}\u{10FFFF}"));
        }
        q.push(" ORDER BY year DESC, code LIMIT 500");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(dossier_from_row).collect()
    }

    /// Files a document of the agency into an open dossier of the agency. `NotFound` when
    /// either is not the agency's, `Conflict` when already filed there or the dossier is not
    /// open.
    pub async fn file_into_dossier(
        &self,
        agency_id: &AgencyId,
        dossier_id: &DossierId,
        document_id: &DocumentId,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let dossier = fetch(&mut tx, agency_id, dossier_id).await?;
        crate::documents::fetch(&mut tx, agency_id, document_id).await?;
        if dossier.state != DossierState::Open {
            return Err(StoreError::Conflict(format!(
                "dossier {} is {}",
                dossier.code,
                dossier.state.code()
            )));
        }
        sqlx::query(
            "INSERT INTO dossier_documents (dossier_id, document_id, agency_id, filed_by, \
             filed_at_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(dossier_id.as_str())
        .bind(document_id.as_str())
        .bind(agency_id.as_str())
        .bind(actor.as_str())
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let e = entry(
            at_ms,
            actor.as_str(),
            dossier_id.as_str(),
            &Filed {
                document: document_id.as_str(),
            },
        )?;
        append_and_commit(tx, agency_id, &mut head, e).await
    }

    /// The documents filed in a dossier of the agency, in filing order.
    pub async fn dossier_documents(
        &self,
        agency_id: &AgencyId,
        dossier_id: &DossierId,
    ) -> Result<Vec<Document>, StoreError> {
        let columns: Vec<String> = DOCUMENT_COLUMNS
            .split(',')
            .map(|c| format!("d.{}", c.trim()))
            .collect();
        let rows = sqlx::query(&format!(
            "SELECT {} FROM dossier_documents f JOIN documents d ON d.id = f.document_id \
             WHERE f.agency_id = $1 AND f.dossier_id = $2 AND d.agency_id = $1 \
             ORDER BY f.filed_at_ms, d.id",
            columns.join(", ")
        ))
        .bind(agency_id.as_str())
        .bind(dossier_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(document_from_row).collect()
    }

    /// The dossiers of the agency a document is filed in.
    pub async fn dossiers_of_document(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Vec<Dossier>, StoreError> {
        let columns: Vec<String> = COLUMNS
            .split(',')
            .map(|c| format!("s.{}", c.trim()))
            .collect();
        let rows = sqlx::query(&format!(
            "SELECT {} FROM dossier_documents f JOIN dossiers s ON s.id = f.dossier_id \
             WHERE f.document_id = $1 AND s.agency_id = $2 ORDER BY s.year DESC, s.code",
            columns.join(", ")
        ))
        .bind(document_id.as_str())
        .bind(agency_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(dossier_from_row).collect()
    }

    /// Moves a dossier `from` → `to` (close: open → closed; hand over: closed → archived).
    /// `Conflict` when it is not in `from`.
    pub async fn move_dossier(
        &self,
        agency_id: &AgencyId,
        id: &DossierId,
        from: DossierState,
        to: DossierState,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<Dossier, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let column = match to {
            DossierState::Archived => "archived_at_ms",
            _ => "closed_at_ms",
        };
        let done = sqlx::query(&format!(
            "UPDATE dossiers SET state = $1, {column} = $2 \
             WHERE agency_id = $3 AND id = $4 AND state = $5"
        ))
        .bind(to.code())
        .bind(at_ms)
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .bind(from.code())
        .execute(&mut *tx)
        .await?;
        let dossier = fetch(&mut tx, agency_id, id).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "dossier {} is {}, not {}",
                dossier.code,
                dossier.state.code(),
                from.code()
            )));
        }
        let action = Moved {
            from: from.code(),
            to: to.code(),
        };
        let e = entry(at_ms, actor.as_str(), id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, e).await?;
        Ok(dossier)
    }
}

//! Work dossiers (hồ sơ công việc, issue 10 §2): who may open, file into, close and hand over
//! a dossier, and the checks on what they type. Storage and the journal are the store's.
//!
//! Anyone who drafts may open a dossier and keeps it; the keeper and the clerk (văn thư, who
//! also keeps the archive) file documents and close it; only the clerk hands closed dossiers
//! to the archive. A document is filed only by someone who may read it.

use signet_core::document::{check_text, limits};
use signet_core::ids::{DocumentId, DossierId, PersonId};
use signet_core::person::Viewer;
use signet_store::documents::Document;
use signet_store::dossiers::{Dossier, DossierFilter, DossierState, NewDossier};

use crate::{App, AppError, Invalid};

/// Retention terms a dossier may carry, in years; 0 is permanent (vĩnh viễn). The terms of
/// the national schedules (Thông tư 10/2022/TT-BNV): 2, 5, 10, 20, 50 or 70 years.
pub const RETENTION_YEARS: &[i64] = &[0, 2, 5, 10, 20, 50, 70];

/// A dossier as typed: text fields.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DossierForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub retention_years: String,
    #[serde(default)]
    pub unit: String,
}

/// The list's filters as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DossierQuery {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub keeper: String,
    #[serde(default)]
    pub code: String,
}

fn year(s: &str) -> Result<i64, AppError> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| {
            AppError::Invalid(Invalid::Year {
                value: s.to_owned(),
            })
        })
}

fn retention(s: &str) -> Result<i64, AppError> {
    let allowed = || {
        AppError::Invalid(Invalid::OneOf {
            field: "retention_years",
            allowed: RETENTION_YEARS
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        })
    };
    let n: i64 = s.trim().parse().map_err(|_| allowed())?;
    RETENTION_YEARS
        .contains(&n)
        .then_some(n)
        .ok_or_else(allowed)
}

impl DossierQuery {
    pub fn filter(&self) -> Result<DossierFilter, AppError> {
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(DossierFilter {
            year: given(&self.year).map(|y| year(&y)).transpose()?,
            state: given(&self.state)
                .map(|s| {
                    DossierState::parse(&s).ok_or(AppError::Invalid(Invalid::OneOf {
                        field: "state",
                        allowed: "open, closed, archived".into(),
                    }))
                })
                .transpose()?,
            keeper: given(&self.keeper).map(PersonId::new),
            code: given(&self.code),
        })
    }
}

fn may_keep(viewer: &Viewer, d: &Dossier) -> bool {
    d.agency_id == viewer.agency_id && (d.keeper_id == viewer.person_id || viewer.can_register())
}

impl App {
    /// Opens a dossier kept by the viewer.
    pub async fn open_dossier(
        &self,
        viewer: &Viewer,
        form: &DossierForm,
    ) -> Result<Dossier, AppError> {
        if !viewer.can_draft() {
            return Err(AppError::Forbidden("opening a dossier"));
        }
        check_text("code", &form.code, limits::CODE_NOTATION)?;
        check_text("title", &form.title, limits::SUBJECT)?;
        let unit_id = match form.unit.trim() {
            "" => None,
            u => {
                let units = self.store.units(&viewer.agency_id).await?;
                let unit = units
                    .into_iter()
                    .find(|x| x.id.as_str() == u)
                    .ok_or(AppError::Invalid(Invalid::UnknownUnit))?;
                Some(unit.id)
            }
        };
        let new = NewDossier {
            agency_id: viewer.agency_id.clone(),
            year: year(&form.year)?,
            code: form.code.trim().to_owned(),
            title: form.title.trim().to_owned(),
            retention_years: retention(&form.retention_years)?,
            unit_id,
            keeper_id: viewer.person_id.clone(),
        };
        Ok(self.store.insert_dossier(&new, self.clock.now_ms()).await?)
    }

    pub async fn dossiers(
        &self,
        viewer: &Viewer,
        query: &DossierQuery,
    ) -> Result<Vec<Dossier>, AppError> {
        Ok(self
            .store
            .dossiers(&viewer.agency_id, &query.filter()?)
            .await?)
    }

    /// A dossier and the documents in it the viewer may read.
    pub async fn dossier(
        &self,
        viewer: &Viewer,
        id: &DossierId,
    ) -> Result<(Dossier, Vec<Document>), AppError> {
        let dossier = self.store.dossier(&viewer.agency_id, id).await?;
        let documents = self
            .store
            .dossier_documents(&viewer.agency_id, id)
            .await?
            .into_iter()
            .filter(|d| viewer.can_read(d.scope()))
            .collect();
        Ok((dossier, documents))
    }

    /// The open dossiers the viewer may file into: their own, or all for the clerk.
    pub async fn dossiers_to_file_into(&self, viewer: &Viewer) -> Result<Vec<Dossier>, AppError> {
        let filter = DossierFilter {
            state: Some(DossierState::Open),
            keeper: (!viewer.can_register()).then(|| viewer.person_id.clone()),
            ..Default::default()
        };
        Ok(self.store.dossiers(&viewer.agency_id, &filter).await?)
    }

    /// The dossiers a document the viewer may read is filed in.
    pub async fn dossiers_of(
        &self,
        viewer: &Viewer,
        document_id: &DocumentId,
    ) -> Result<Vec<Dossier>, AppError> {
        Ok(self
            .store
            .dossiers_of_document(&viewer.agency_id, document_id)
            .await?)
    }

    /// Files a document into an open dossier the viewer keeps (or any, for the clerk).
    pub async fn file_into_dossier(
        &self,
        viewer: &Viewer,
        dossier_id: &DossierId,
        document_id: &DocumentId,
    ) -> Result<Dossier, AppError> {
        let dossier = self.store.dossier(&viewer.agency_id, dossier_id).await?;
        let doc = self.store.document(&viewer.agency_id, document_id).await?;
        if !viewer.can_read(doc.scope()) {
            return Err(AppError::NotFound);
        }
        if !may_keep(viewer, &dossier) {
            return Err(AppError::Forbidden("filing into another person's dossier"));
        }
        self.store
            .file_into_dossier(
                &viewer.agency_id,
                dossier_id,
                document_id,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?;
        Ok(dossier)
    }

    /// Closes a dossier: the work is done, nothing more is filed.
    pub async fn close_dossier(
        &self,
        viewer: &Viewer,
        id: &DossierId,
    ) -> Result<Dossier, AppError> {
        let dossier = self.store.dossier(&viewer.agency_id, id).await?;
        if !may_keep(viewer, &dossier) {
            return Err(AppError::Forbidden("closing another person's dossier"));
        }
        self.move_dossier(viewer, id, DossierState::Open, DossierState::Closed)
            .await
    }

    /// Hands a closed dossier to the agency's archive (nộp lưu): the clerk's.
    pub async fn archive_dossier(
        &self,
        viewer: &Viewer,
        id: &DossierId,
    ) -> Result<Dossier, AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("handing dossiers to the archive"));
        }
        self.move_dossier(viewer, id, DossierState::Closed, DossierState::Archived)
            .await
    }

    /// Hands every closed dossier of a year to the archive; returns how many.
    pub async fn archive_year(&self, viewer: &Viewer, year_text: &str) -> Result<usize, AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("handing dossiers to the archive"));
        }
        let filter = DossierFilter {
            year: Some(year(year_text)?),
            state: Some(DossierState::Closed),
            ..Default::default()
        };
        let closed = self.store.dossiers(&viewer.agency_id, &filter).await?;
        for d in &closed {
            self.move_dossier(viewer, &d.id, DossierState::Closed, DossierState::Archived)
                .await?;
        }
        Ok(closed.len())
    }

    async fn move_dossier(
        &self,
        viewer: &Viewer,
        id: &DossierId,
        from: DossierState,
        to: DossierState,
    ) -> Result<Dossier, AppError> {
        Ok(self
            .store
            .move_dossier(
                &viewer.agency_id,
                id,
                from,
                to,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }
}

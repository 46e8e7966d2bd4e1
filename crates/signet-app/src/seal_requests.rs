//! The sealing API for the province's other systems (issue 14 §5): a system signed in with
//! its service account hands the agency a PDF with a document type and its own reference;
//! a clerk approves it (or it is sealed at once when the administrator allows that type),
//! and the agency's seal key signs it — the same key and signing code as issuance, at B-LT —
//! then the system fetches the sealed file, told by the `seal.completed` webhook.

use signet_core::document::DocumentType;
use signet_core::person::Viewer;
use signet_pades::Level;
use signet_store::documents::NewFile;
use signet_store::seal_requests::{NewSealRequest, SealRequest, FAILED, REJECTED, SEALED};

use crate::signing::{self, Role, SignRequest};
use crate::{App, AppError, Invalid};

/// The largest PDF the sealing API takes.
pub const MAX_BYTES: u64 = 50 << 20;
/// The longest reference.
pub const MAX_REFERENCE: usize = 200;

/// A seal request's form, before its file.
#[derive(Debug, Clone)]
pub struct SealForm {
    pub document_type: DocumentType,
    pub reference: String,
}

/// Checks the form's fields: a known document type code, a reference of 1–200 characters.
pub fn check_form(document_type: &str, reference: &str) -> Result<SealForm, AppError> {
    let document_type = DocumentType::parse(document_type.trim())?;
    let reference = reference.trim();
    if reference.is_empty() || reference.chars().count() > MAX_REFERENCE {
        return Err(AppError::Invalid(Invalid::SealReference {
            max: MAX_REFERENCE,
        }));
    }
    Ok(SealForm {
        document_type,
        reference: reference.to_owned(),
    })
}

fn may_request(viewer: &Viewer) -> Result<(), AppError> {
    if viewer.can_draft() || viewer.can_register() {
        Ok(())
    } else {
        Err(AppError::Forbidden("seal requests"))
    }
}

fn clerk_only(viewer: &Viewer) -> Result<(), AppError> {
    if viewer.can_register() {
        Ok(())
    } else {
        Err(AppError::Forbidden("approving seal requests"))
    }
}

impl App {
    /// Records a seal request for the viewer's agency; sealed at once when its type is one
    /// the agency seals automatically. Refused before anything is recorded when the file is
    /// not a readable PDF, too big, or the agency has no seal key.
    pub async fn request_seal(
        &self,
        viewer: &Viewer,
        form: &SealForm,
        file: NewFile,
    ) -> Result<SealRequest, AppError> {
        may_request(viewer)?;
        if file.content_type != "application/pdf" {
            return Err(AppError::Invalid(Invalid::NotPdf {
                name: file.file_name,
            }));
        }
        if file.blob.size > MAX_BYTES {
            return Err(AppError::TooLarge { limit: MAX_BYTES });
        }
        let pdf = self.read_blob(&file.blob.sha256).await?;
        let readable =
            tokio::task::spawn_blocking(move || signet_pdf::Document::parse(&pdf).is_ok())
                .await
                .unwrap_or(false);
        if !readable {
            return Err(AppError::Invalid(Invalid::NotPdf {
                name: file.file_name,
            }));
        }
        let agency = self.store.agency(&viewer.agency_id).await?;
        if !self.signing.seals.has(agency.code.as_str()) {
            return Err(AppError::Invalid(Invalid::Seal {
                detail: "no seal key is configured for this agency".into(),
            }));
        }
        let r = self
            .store
            .create_seal_request(&NewSealRequest {
                agency_id: &viewer.agency_id,
                requested_by: viewer.person_id.as_str(),
                doc_type: form.document_type.code(),
                reference: &form.reference,
                file_name: &file.file_name,
                source_sha256: &file.blob.sha256,
                at_ms: self.clock.now_ms(),
            })
            .await?;
        let auto = self.store.auto_seal_types(&viewer.agency_id).await?;
        if auto.iter().any(|t| t == &r.doc_type) {
            return self.seal_request_now(&r, "system").await;
        }
        Ok(r)
    }

    /// A request of the viewer's agency: its requester and the agency's clerks see it.
    pub async fn seal_request(&self, viewer: &Viewer, id: &str) -> Result<SealRequest, AppError> {
        let r = self.store.seal_request(&viewer.agency_id, id).await?;
        if r.requested_by != viewer.person_id.as_str() && !viewer.can_register() {
            return Err(AppError::NotFound);
        }
        Ok(r)
    }

    /// The sealed file of a request, with the name to download it under; `Conflict` until
    /// it is sealed.
    pub async fn sealed_file(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<(String, Vec<u8>), AppError> {
        let r = self.seal_request(viewer, id).await?;
        let sha = match (&r.sealed_sha256, r.state.as_str()) {
            (Some(sha), SEALED) => sha.clone(),
            _ => {
                return Err(AppError::Conflict(format!(
                    "the seal request is {}, not sealed",
                    r.state
                )))
            }
        };
        let stem = r
            .file_name
            .trim_end_matches(".pdf")
            .trim_end_matches(".PDF");
        Ok((
            format!("{stem}-da-dong-dau.pdf"),
            self.read_blob(&sha).await?,
        ))
    }

    /// The file as the other system sent it.
    pub async fn seal_request_source(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<(String, Vec<u8>), AppError> {
        let r = self.seal_request(viewer, id).await?;
        Ok((r.file_name.clone(), self.read_blob(&r.source_sha256).await?))
    }

    /// The clerk's list (optionally one state), newest first.
    pub async fn seal_requests(
        &self,
        viewer: &Viewer,
        state: Option<&str>,
    ) -> Result<Vec<SealRequest>, AppError> {
        clerk_only(viewer)?;
        let state = state.filter(|s| !s.is_empty());
        Ok(self
            .store
            .seal_requests(&viewer.agency_id, state, 200)
            .await?)
    }

    /// The clerk approves: the request is sealed now (or `failed` with the reason).
    pub async fn approve_seal_request(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<SealRequest, AppError> {
        clerk_only(viewer)?;
        let r = self.store.seal_request(&viewer.agency_id, id).await?;
        self.seal_request_now(&r, viewer.person_id.as_str()).await
    }

    /// The clerk refuses a request, with the reason the other system is given.
    pub async fn reject_seal_request(
        &self,
        viewer: &Viewer,
        id: &str,
        reason: &str,
    ) -> Result<SealRequest, AppError> {
        clerk_only(viewer)?;
        signet_core::document::check_optional_text(
            "reason",
            reason,
            crate::processing::INSTRUCTION_MAX,
        )?;
        let now = self.clock.now_ms();
        let actor = viewer.person_id.as_str();
        Ok(self
            .store
            .end_seal_request(&viewer.agency_id, id, REJECTED, reason.trim(), actor, now)
            .await?)
    }

    /// The document types the agency seals without a clerk (administrator's setting).
    pub async fn auto_seal_types(&self, viewer: &Viewer) -> Result<Vec<DocumentType>, AppError> {
        let codes = self.store.auto_seal_types(&viewer.agency_id).await?;
        Ok(codes
            .iter()
            .filter_map(|c| DocumentType::parse(c).ok())
            .collect())
    }

    pub async fn set_auto_seal_types(
        &self,
        viewer: &Viewer,
        codes: &[String],
    ) -> Result<Vec<DocumentType>, AppError> {
        if !viewer.can_administer() {
            return Err(AppError::Forbidden("seal settings"));
        }
        let mut types: Vec<DocumentType> = Vec::new();
        for c in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            let t = DocumentType::parse(c)?;
            if !types.contains(&t) {
                types.push(t);
            }
        }
        let stored: Vec<String> = types.iter().map(|t| t.code().to_owned()).collect();
        self.store
            .set_auto_seal_types(&viewer.agency_id, &stored)
            .await?;
        Ok(types)
    }

    /// Takes the request for sealing (once), seals it with the agency's key and records the
    /// result: `sealed` with `seal.completed`, or `failed` with the reason.
    async fn seal_request_now(
        &self,
        r: &SealRequest,
        actor: &str,
    ) -> Result<SealRequest, AppError> {
        let now = self.clock.now_ms();
        let r = self
            .store
            .start_sealing(&r.agency_id, &r.id, actor, now)
            .await?;
        match self.seal_pdf(&r).await {
            Ok(sealed) => {
                let blob = self.write_blob(&sealed).await?;
                let at = self.clock.now_ms();
                Ok(self.store.finish_sealing(&r, &blob.sha256, at).await?)
            }
            Err(e) => {
                tracing::warn!(request = %r.id, "seal request failed: {e}");
                let at = self.clock.now_ms();
                let why = e.to_string();
                Ok(self
                    .store
                    .end_seal_request(&r.agency_id, &r.id, FAILED, &why, actor, at)
                    .await?)
            }
        }
    }

    /// The request's file sealed by the agency (B-LT, the agency's seal field at its default
    /// place, the reference as the reason).
    async fn seal_pdf(&self, r: &SealRequest) -> Result<Vec<u8>, AppError> {
        let pdf = self.read_blob(&r.source_sha256).await?;
        let (key, agency_name) = self.load_seal_of(&r.agency_id).await?;
        let services = self.signing_services();
        let now = self.clock.now();
        let req = SignRequest {
            role: Role::Organization,
            field: None,
            page: None,
            rect: None,
            image: None,
            seal_field: None,
            seal_image: None,
            agency: Some(agency_name),
            notation: None,
            reason: Some(format!("Đóng dấu theo yêu cầu {}", r.reference)),
            level: Level::BLT,
        };
        tokio::task::spawn_blocking(move || {
            let cert = key.certs.first().cloned().unwrap_or_default();
            let plan = signing::plan(pdf, &req, &cert, now)?;
            signing::sign_planned(&plan, &key.key, &key.certs, None, &services, now)
        })
        .await
        .map_err(|e| AppError::Ca(format!("seal task: {e}")))?
    }
}

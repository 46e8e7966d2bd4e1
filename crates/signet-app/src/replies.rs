//! "Complete with a result": the lead handler drafts the reply (văn bản trả lời) from the
//! incoming document in one step — an outgoing draft pre-filled from it and linked both
//! ways — then completes with that reply (issue 10 §1).

use signet_core::document::{limits, DocumentType};
use signet_core::ids::DocumentId;
use signet_core::person::Viewer;
use signet_store::documents::{Document, NewDocument, NewFile};

use crate::{App, AppError};

/// The reply's subject: "V/v trả lời văn bản số 12/BNV-VP ngày 2026-04-20 của Bộ Nội vụ",
/// cut to the subject's limit.
pub fn reply_subject(incoming: &Document) -> String {
    let mut s = String::from("V/v trả lời văn bản");
    if let Some(n) = incoming
        .notation
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        s.push_str(&format!(" số {n}"));
    }
    if let Some(d) = incoming.issued_on.as_deref() {
        s.push_str(&format!(" ngày {d}"));
    }
    if !incoming.author_name.trim().is_empty() {
        s.push_str(&format!(" của {}", incoming.author_name.trim()));
    }
    s.chars().take(limits::SUBJECT).collect()
}

impl App {
    /// The lead handler drafts the reply: type công văn, addressed to the sender, as urgent
    /// and as secret as what it answers, drafted by the handler's unit, with the reply's
    /// file when one is given (the draft to sign).
    pub async fn draft_reply(
        &self,
        viewer: &Viewer,
        incoming_id: &DocumentId,
        files: Vec<NewFile>,
    ) -> Result<Document, AppError> {
        let record = self.record(viewer, incoming_id).await?;
        if !viewer.can_draft()
            || record.done_on.is_some()
            || !self.holds(viewer, &record, false).await?
        {
            return Err(AppError::Forbidden(
                "drafting the reply: the lead handler, before completion",
            ));
        }
        let incoming = self.incoming(viewer, incoming_id).await?;
        let unit = self.store.person(&viewer.person_id).await?.unit_id;
        let reply = NewDocument {
            agency_id: viewer.agency_id.clone(),
            doc_type: DocumentType::CongVan,
            subject: reply_subject(&incoming),
            urgency: incoming.urgency,
            secrecy: incoming.secrecy,
            signer_name: String::new(),
            signer_position: String::new(),
            pages: None,
            recipients: incoming
                .author_name
                .chars()
                .take(limits::RECIPIENTS)
                .collect(),
            due_on: None,
            drafting_unit_id: unit,
            created_by: viewer.person_id.clone(),
            files,
        };
        Ok(self
            .store
            .draft_reply(incoming_id, &reply, &viewer.person_id, self.clock.now_ms())
            .await?)
    }

    /// The replies drafted from an incoming document that the viewer may read.
    pub async fn replies(
        &self,
        viewer: &Viewer,
        incoming_id: &DocumentId,
    ) -> Result<Vec<Document>, AppError> {
        let mut out = Vec::new();
        for id in self
            .store
            .replies_of(&viewer.agency_id, incoming_id)
            .await?
        {
            if let Ok(d) = self.document(viewer, &id).await {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// The incoming document a reply answers, if the viewer may read it.
    pub async fn answered_document(
        &self,
        viewer: &Viewer,
        reply_id: &DocumentId,
    ) -> Result<Option<Document>, AppError> {
        let Some(id) = self.store.answered_by(&viewer.agency_id, reply_id).await? else {
            return Ok(None);
        };
        Ok(self.document(viewer, &id).await.ok())
    }
}

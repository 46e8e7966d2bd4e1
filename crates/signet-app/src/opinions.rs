//! A handler asks a leader for an opinion on an incoming document (xin ý kiến lãnh đạo), and
//! the leader answers on the document (issue 10 §1). Open requests wait in the leader's
//! "Việc của tôi".

use signet_core::document::check_text;
use signet_core::ids::{DocumentId, PersonId};
use signet_core::person::Viewer;
use signet_core::Role;
use signet_store::documents::{Document, OpinionRequest};

use crate::processing::INSTRUCTION_MAX;
use crate::{App, AppError, Invalid};

impl App {
    /// A handler of the document asks `leader` (the assigning leader when empty).
    pub async fn ask_opinion(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        leader: &str,
        question: &str,
    ) -> Result<(), AppError> {
        let record = self.record(viewer, id).await?;
        if record.done_on.is_some() || !self.holds(viewer, &record, true).await? {
            return Err(AppError::Forbidden(
                "asking for an opinion: the document's handlers, before completion",
            ));
        }
        check_text("question", question, INSTRUCTION_MAX)?;
        let leader = match leader.trim() {
            "" => record.assigned_by.clone(),
            l => PersonId::new(l),
        };
        let person = self
            .store
            .person(&leader)
            .await
            .map_err(|_| AppError::Invalid(Invalid::LeaderUnknown))?;
        if person.agency_id != viewer.agency_id
            || !person.active
            || !person.roles.contains(&Role::Leader)
        {
            return Err(AppError::Invalid(Invalid::LeaderUnknown));
        }
        self.store
            .ask_opinion(
                &viewer.agency_id,
                id,
                &leader,
                question.trim(),
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?;
        Ok(())
    }

    /// The leader asked answers; an answered request cannot be answered again (`Conflict`).
    pub async fn answer_opinion(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        request_id: &str,
        answer: &str,
    ) -> Result<(), AppError> {
        self.incoming(viewer, id).await?;
        check_text("answer", answer, INSTRUCTION_MAX)?;
        let asked = self.store.opinion_requests(&viewer.agency_id, id).await?;
        let request = asked
            .iter()
            .find(|r| r.id == request_id.trim())
            .ok_or(AppError::NotFound)?;
        if request.leader_id != viewer.person_id {
            return Err(AppError::Forbidden(
                "answering: the leader the opinion was asked of",
            ));
        }
        Ok(self
            .store
            .answer_opinion(
                &viewer.agency_id,
                id,
                &request.id,
                answer.trim(),
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// The requests on a document the viewer may read, oldest first.
    pub async fn opinion_requests(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Vec<OpinionRequest>, AppError> {
        self.incoming(viewer, id).await?;
        Ok(self.store.opinion_requests(&viewer.agency_id, id).await?)
    }

    /// The requests waiting for the viewer's answer, oldest first.
    pub async fn opinions_waiting(
        &self,
        viewer: &Viewer,
        limit: u32,
    ) -> Result<Vec<(OpinionRequest, Document)>, AppError> {
        if !viewer.has(Role::Leader) {
            return Ok(Vec::new());
        }
        let waiting = self
            .store
            .opinions_waiting(&viewer.agency_id, &viewer.person_id, limit)
            .await?;
        Ok(waiting
            .into_iter()
            .filter(|(_, d)| viewer.can_read(d.scope()))
            .collect())
    }
}

//! "Việc của tôi" (issue 13 §1): what waits for the person now, whatever their roles — the
//! first page after sign-in. Each part is the same list the person would find elsewhere
//! (outgoing by state, the processing queue), narrowed to what they can act on.

use signet_core::lifecycle::{DocumentState, OutgoingState, Step};
use signet_core::person::Viewer;
use signet_core::Direction;
use signet_store::documents::{Document, ListFilter, OpinionRequest};
use signet_store::meetings::Meeting;

use crate::processing::Queue;
use crate::{App, AppError};

/// How many items each part shows (the full lists are one link away).
pub const PART_LIMIT: u32 = 20;

/// What waits for the person, part by part.
#[derive(Debug, Clone)]
pub struct MyWork {
    /// Submitted drafts the person may sign (leaders).
    pub to_sign: Vec<Document>,
    /// Drafts whose review is at the person's level of their route, oldest first.
    pub to_review: Vec<Document>,
    /// Incoming documents assigned to the person, overdue first.
    pub to_process: Queue,
    /// The person's own drafts (new, or returned by the leader), newest first.
    pub drafts: Vec<Document>,
    /// Why each returned draft among `drafts` came back: (document, who, reason).
    pub returns: Vec<(signet_core::DocumentId, String, String)>,
    /// Signed documents the person may issue (clerks).
    pub to_issue: Vec<Document>,
    /// Handlers' requests for the person's opinion (leaders), oldest first.
    pub opinions: Vec<(OpinionRequest, Document)>,
    /// Meeting invitations the person (or the unit they head) has not answered, soonest
    /// first, with the participant row to answer.
    pub invitations: Vec<(Meeting, Document, String)>,
}

impl MyWork {
    /// Items that wait for an action, for the menu's count.
    pub fn count(&self) -> usize {
        self.to_sign.len()
            + self.to_review.len()
            + self.to_process.items.len()
            + self.to_issue.len()
            + self.opinions.len()
            + self.invitations.len()
    }
}

impl App {
    pub async fn my_work(&self, v: &Viewer) -> Result<MyWork, AppError> {
        let drafts = self.own_drafts(v).await?;
        let returned: Vec<_> = drafts
            .iter()
            .filter(|d| d.review_round > 0)
            .map(|d| d.id.clone())
            .collect();
        let returns = self.store.latest_returns(&v.agency_id, &returned).await?;
        Ok(MyWork {
            returns,
            to_sign: self
                .actionable(v, OutgoingState::Submitted, Step::Sign)
                .await?,
            to_review: self.reviews_waiting(v, PART_LIMIT).await?,
            to_process: self.work_queue(v, None, PART_LIMIT).await?,
            drafts,
            to_issue: self
                .actionable(v, OutgoingState::Signed, Step::Issue)
                .await?,
            opinions: self.opinions_waiting(v, PART_LIMIT).await?,
            invitations: self.invitations_waiting(v, PART_LIMIT).await?,
        })
    }

    /// Outgoing documents in `state` on which `v` may take `step`, oldest first.
    async fn actionable(
        &self,
        v: &Viewer,
        state: OutgoingState,
        step: Step,
    ) -> Result<Vec<Document>, AppError> {
        if !self.could_ever(v, step) {
            return Ok(Vec::new());
        }
        let filter = ListFilter {
            state: Some(DocumentState::Outgoing(state)),
            limit: PART_LIMIT,
            ..Default::default()
        };
        let page = self.list(v, Direction::Outgoing, &filter).await?;
        let mut docs: Vec<Document> = page
            .documents
            .into_iter()
            .filter(|d| self.allowed_steps(v, d).contains(&step))
            .collect();
        docs.reverse();
        Ok(docs)
    }

    /// Skips a query the person's roles can never use.
    fn could_ever(&self, v: &Viewer, step: Step) -> bool {
        use signet_core::person::Role;
        match step {
            Step::Sign => v.has(Role::Leader),
            Step::Issue => v.has(Role::Clerk),
            _ => true,
        }
    }

    async fn own_drafts(&self, v: &Viewer) -> Result<Vec<Document>, AppError> {
        let filter = ListFilter {
            state: Some(DocumentState::Outgoing(OutgoingState::Draft)),
            created_by: Some(v.person_id.clone()),
            limit: PART_LIMIT,
            ..Default::default()
        };
        Ok(self.list(v, Direction::Outgoing, &filter).await?.documents)
    }
}

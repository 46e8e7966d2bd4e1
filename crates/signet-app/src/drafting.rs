//! The drafting cycle as agencies run it (issue 13 §2): the officer submits a draft along a
//! route (reviewers level by level, then the leader chosen to sign) or the drafting unit's
//! default route; reviewers approve, return with a reason or forward; a returned draft gets
//! a new version (new main file, appendices, metadata) and goes round again.

use signet_core::lifecycle::{Draft, Outgoing, Step, Submitted};
use signet_core::person::{Role, Viewer};
use signet_core::review::{Decision, Route, RouteProblem, MAX_REASON};
use signet_core::{DocumentId, PersonId};
use signet_store::documents::review::{ReviewRecord, ReviewStep, Revision, RouteStop, Submission};
use signet_store::documents::{Document, DocumentFile, NewFile};

use crate::documents::DocumentForm;
use crate::{App, AppError, Invalid};

/// The most people a route form offers.
pub const ROUTE_CANDIDATES: u32 = 300;

/// A route as a form gives it: person ids per level (empty levels allowed) and the signer
/// (empty: any leader).
#[derive(Debug, Clone, Default)]
pub struct RouteForm {
    pub levels: Vec<Vec<String>>,
    pub signer_id: String,
}

impl RouteForm {
    pub fn is_empty(&self) -> bool {
        self.levels.iter().all(Vec::is_empty) && self.signer_id.trim().is_empty()
    }
}

/// A reviewer's decision as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct ReviewForm {
    /// `approve`, `return` or `forward`.
    pub decision: String,
    pub reason: String,
    pub forward_to: String,
}

/// Everything the document page shows of the drafting cycle.
#[derive(Debug, Clone)]
pub struct DraftCycle {
    pub route: Vec<RouteStop>,
    pub reviews: Vec<ReviewRecord>,
    /// The viewer is on the level reviewing now and has not approved yet.
    pub my_turn: bool,
    /// The latest return, while the draft is back with its author.
    pub returned: Option<ReviewRecord>,
    /// Files by the version they were added in, newest version first.
    pub versions: Vec<(i64, Vec<DocumentFile>)>,
    /// The version each revision made and the fields it changed (from the journal).
    pub changes: Vec<(i64, Vec<String>)>,
}

impl App {
    /// Trình along a route the officer chose. An empty form takes the drafting unit's
    /// default route (or none: straight to any leader).
    pub async fn submit_along(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        form: &RouteForm,
    ) -> Result<Document, AppError> {
        let doc = self.permitted(viewer, id, Step::Submit).await?;
        let step = Outgoing::<Draft>::restore(id, doc.state)?.submit();
        let route = if form.is_empty() {
            self.default_route(viewer, &doc).await?
        } else {
            self.route_from(viewer, form).await?
        };
        self.check_secret_route(&doc, &route).await?;
        let submission = Submission {
            agency_id: &viewer.agency_id,
            step: &step,
            route: &route,
            actor: &viewer.person_id,
            at_ms: self.clock.now_ms(),
        };
        Ok(self.store.submit_draft(&submission).await?)
    }

    /// The drafting unit's default route, still valid (people leave, lose a role).
    async fn default_route(&self, viewer: &Viewer, doc: &Document) -> Result<Route, AppError> {
        let Some(unit) = &doc.drafting_unit_id else {
            return Ok(Route::default());
        };
        let (levels, signer) = self.store.unit_route(&viewer.agency_id, unit).await?;
        let form = RouteForm {
            levels: levels
                .into_iter()
                .map(|l| l.into_iter().map(|p| p.to_string()).collect())
                .collect(),
            signer_id: signer.map(|s| s.to_string()).unwrap_or_default(),
        };
        self.route_from(viewer, &form).await
    }

    /// Checks a route form: reviewers are active people of the agency, the signer an active
    /// leader, the shape within [`signet_core::review`]'s limits.
    pub async fn route_from(&self, viewer: &Viewer, form: &RouteForm) -> Result<Route, AppError> {
        let mut levels = Vec::new();
        for level in &form.levels {
            let mut people = Vec::new();
            for id in level.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                let id = PersonId::new(id);
                self.colleague(viewer, &id, None)
                    .await
                    .map_err(|_| AppError::Invalid(Invalid::RouteReviewer))?;
                people.push(id);
            }
            levels.push(people);
        }
        let signer = match form.signer_id.trim() {
            "" => None,
            id => {
                let id = PersonId::new(id);
                self.colleague(viewer, &id, Some(Role::Leader))
                    .await
                    .map_err(|_| AppError::Invalid(Invalid::RouteSigner))?;
                Some(id)
            }
        };
        // Every shape problem has one wording: the rule, in full.
        Route::new(levels, signer).map_err(|_: RouteProblem| AppError::Invalid(Invalid::RouteShape))
    }

    /// A secret draft goes only to reviewers who may read it (leaders and clerks: see
    /// `Viewer::can_read`); anyone else would find it missing and the draft would stall.
    async fn check_secret_route(&self, doc: &Document, route: &Route) -> Result<(), AppError> {
        if !doc.secrecy.is_secret() {
            return Ok(());
        }
        for (_, id) in route.reviewers() {
            let p = self.store.person(id).await?;
            if !(p.roles.contains(&Role::Leader) || p.roles.contains(&Role::Clerk)) {
                return Err(AppError::Invalid(Invalid::RouteReviewer));
            }
        }
        Ok(())
    }

    /// An active person of the viewer's agency (holding `role`, when given).
    async fn colleague(
        &self,
        viewer: &Viewer,
        id: &PersonId,
        role: Option<Role>,
    ) -> Result<(), AppError> {
        let p = self.store.person(id).await?;
        let fits = p.agency_id == viewer.agency_id
            && p.active
            && role.is_none_or(|r| p.roles.contains(&r));
        if fits {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// A reviewer's decision on a draft whose review is at their level.
    pub async fn review(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        form: &ReviewForm,
    ) -> Result<Document, AppError> {
        let doc = self.review_turn(viewer, id).await?;
        let decision = self.decision(viewer, form).await?;
        let returning = match decision {
            Decision::Return { .. } => {
                Some(Outgoing::<Submitted>::restore(id, doc.state)?.return_to_draft())
            }
            _ => None,
        };
        let step = ReviewStep {
            agency_id: &viewer.agency_id,
            document: id,
            decision: &decision,
            returning: returning.as_ref(),
            actor: &viewer.person_id,
            at_ms: self.clock.now_ms(),
        };
        Ok(self.store.review_draft(&step).await?)
    }

    /// The draft, once it waits for the viewer's review (on the level reviewing now, not
    /// yet approved by them); refused otherwise.
    pub(crate) async fn review_turn(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Document, AppError> {
        let doc = self.document(viewer, id).await?;
        let route = self.store.draft_route(&viewer.agency_id, id).await?;
        let my_turn = doc.in_review()
            && route.iter().any(|s| {
                s.level == doc.review_level && s.person_id == viewer.person_id && !s.approved
            });
        if my_turn {
            Ok(doc)
        } else {
            Err(AppError::Forbidden(
                "reviewing: it is not your turn on this draft's route",
            ))
        }
    }

    async fn decision(&self, viewer: &Viewer, form: &ReviewForm) -> Result<Decision, AppError> {
        match form.decision.trim() {
            "approve" => Ok(Decision::Approve),
            "return" => Ok(Decision::Return {
                reason: return_reason(&form.reason)?,
            }),
            "forward" => {
                let to = PersonId::new(form.forward_to.trim());
                if to == viewer.person_id {
                    return Err(AppError::Invalid(Invalid::ForwardTo));
                }
                self.colleague(viewer, &to, None)
                    .await
                    .map_err(|_| AppError::Invalid(Invalid::ForwardTo))?;
                Ok(Decision::Forward { to })
            }
            _ => Err(AppError::Invalid(Invalid::OneOf {
                field: "decision",
                allowed: "approve, return, forward".into(),
            })),
        }
    }

    /// The signer sends the draft back with the reason its author reads (the API's bare
    /// `return` step gives none).
    pub async fn return_with_reason(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        reason: &str,
    ) -> Result<Document, AppError> {
        let doc = self.permitted(viewer, id, Step::Return).await?;
        let step = Outgoing::<Submitted>::restore(id, doc.state)?.return_to_draft();
        let reason = reason.trim();
        if reason.chars().count() > MAX_REASON || reason.contains('\0') {
            return Err(AppError::Invalid(Invalid::ReturnReason { max: MAX_REASON }));
        }
        Ok(self
            .store
            .return_draft(
                &viewer.agency_id,
                &step,
                reason,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// Checks a revision before its files are received (the author's or a clerk's, of a
    /// draft).
    pub async fn check_revision(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        form: &DocumentForm,
    ) -> Result<Document, AppError> {
        let doc = self.permitted(viewer, id, Step::Submit).await?;
        Outgoing::<Draft>::restore(id, doc.state)?;
        self.check_document_form(viewer, form)?;
        Ok(doc)
    }

    /// A new version of a draft: the metadata as now typed, and the files added (a new main
    /// file replaces the current one; appendices add to it).
    pub async fn revise_draft(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        form: &DocumentForm,
        files: Vec<NewFile>,
    ) -> Result<Document, AppError> {
        self.check_revision(viewer, id, form).await?;
        let mut new = form.validate(viewer)?;
        self.check_unit(viewer, new.drafting_unit_id.as_ref())
            .await?;
        new.files = files;
        let revision = Revision {
            agency_id: &viewer.agency_id,
            document: id,
            new: &new,
            actor: &viewer.person_id,
            at_ms: self.clock.now_ms(),
        };
        Ok(self.store.revise_draft(&revision).await?)
    }

    /// The drafting cycle of a document the viewer may read.
    pub async fn draft_cycle(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<DraftCycle, AppError> {
        let doc = self.document(viewer, id).await?;
        let route = self.store.draft_route(&viewer.agency_id, id).await?;
        let reviews = self.store.draft_reviews(&viewer.agency_id, id).await?;
        let my_turn = doc.in_review()
            && route.iter().any(|s| {
                s.level == doc.review_level && s.person_id == viewer.person_id && !s.approved
            });
        let returned = match doc.state.outgoing() {
            Some(signet_core::lifecycle::OutgoingState::Draft) => reviews
                .iter()
                .rev()
                .find(|r| r.decision == "returned")
                .cloned(),
            _ => None,
        };
        let files = self.store.document_files(&viewer.agency_id, id).await?;
        let mut versions: Vec<(i64, Vec<DocumentFile>)> = Vec::new();
        for f in files
            .into_iter()
            .filter(|f| f.kind == "main" || f.kind == crate::files::APPENDIX)
        {
            match versions.iter_mut().find(|(v, _)| *v == f.version) {
                Some((_, list)) => list.push(f),
                None => versions.push((f.version, vec![f])),
            }
        }
        versions.sort_by_key(|v| std::cmp::Reverse(v.0));
        let changes = self.revisions(viewer, id).await?;
        Ok(DraftCycle {
            route,
            reviews,
            my_turn,
            returned,
            versions,
            changes,
        })
    }

    /// The revisions of a draft from its journal: version and changed fields.
    async fn revisions(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Vec<(i64, Vec<String>)>, AppError> {
        #[derive(serde::Deserialize)]
        struct Revised {
            version: i64,
            changed: Vec<String>,
        }
        let entries = self
            .store
            .journal_of(&viewer.agency_id, id.as_str())
            .await?;
        Ok(entries
            .iter()
            .filter(|e| e.action == "document.revised")
            .filter_map(|e| serde_json::from_str::<Revised>(&e.details).ok())
            .map(|r| (r.version, r.changed))
            .collect())
    }

    /// Drafts waiting for the viewer's review, oldest first.
    pub async fn reviews_waiting(
        &self,
        viewer: &Viewer,
        limit: u32,
    ) -> Result<Vec<Document>, AppError> {
        let docs = self
            .store
            .reviews_waiting(&viewer.agency_id, &viewer.person_id, limit)
            .await?;
        Ok(docs
            .into_iter()
            .filter(|d| viewer.can_read(d.scope()))
            .collect())
    }

    /// Whom to offer for a draft of `unit`'s route: the agency's leaders and the unit's own
    /// people first (at most [`ROUTE_CANDIDATES`] in all). The API takes any active person
    /// of the agency.
    pub async fn colleagues(
        &self,
        viewer: &Viewer,
        unit: Option<&signet_core::UnitId>,
    ) -> Result<Vec<signet_store::directory::Person>, AppError> {
        Ok(self
            .store
            .route_candidates(&viewer.agency_id, unit, ROUTE_CANDIDATES)
            .await?)
    }

    /// The administrator sets a unit's default route.
    pub async fn set_unit_route(
        &self,
        viewer: &Viewer,
        unit: &signet_core::UnitId,
        form: &RouteForm,
    ) -> Result<(), AppError> {
        if !viewer.can_administer() {
            return Err(AppError::Forbidden("administration: administrators only"));
        }
        let route = self.route_from(viewer, form).await?;
        Ok(self
            .store
            .set_unit_route(&viewer.agency_id, unit, &route)
            .await?)
    }

    /// A unit's default route, as a form shows it.
    pub async fn unit_route(
        &self,
        viewer: &Viewer,
        unit: &signet_core::UnitId,
    ) -> Result<RouteForm, AppError> {
        let (levels, signer) = self.store.unit_route(&viewer.agency_id, unit).await?;
        Ok(RouteForm {
            levels: levels
                .into_iter()
                .map(|l| l.into_iter().map(|p| p.to_string()).collect())
                .collect(),
            signer_id: signer.map(|s| s.to_string()).unwrap_or_default(),
        })
    }
}

fn return_reason(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    let n = reason.chars().count();
    if n == 0 || n > MAX_REASON || reason.contains('\0') {
        return Err(AppError::Invalid(Invalid::ReturnReason { max: MAX_REASON }));
    }
    Ok(reason.to_owned())
}

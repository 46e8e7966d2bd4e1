//! The drafting cycle's storage (issue 13 §2): the route of a submitted draft, the
//! reviewers' decisions, and new versions of a returned draft.
//!
//! Every write here is one transaction that re-checks what the app layer checked (the state,
//! the level reviewing now, who is on it), so two reviewers clicking at once, or a reviewer
//! and the author, cannot both win.

use signet_core::ids::{AgencyId, DocumentId, PersonId, UnitId};
use signet_core::lifecycle::{Draft, Moved, Outgoing, Submitted};
use signet_core::review::{level_done, next_level, Decision, Route};
use sqlx::Row;

use super::terms::{index_document, search_text};
use super::write::{file_details, insert_files_of_version, move_state};
use super::{fetch, journal_and_commit, Document, NewDocument};
use crate::journal::claim_head;
use crate::journal::details::{entry, DraftReturned, DraftReviewed, DraftRevised, DraftSubmitted};
use crate::sql::RowExt;
use crate::{new_id, Store, StoreError, Tx};

/// One reviewer on the current route, and whether they approved in the current round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteStop {
    pub level: i64,
    pub person_id: PersonId,
    pub full_name: String,
    pub title: String,
    pub approved: bool,
}

/// One decision on a draft, with the names the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRecord {
    pub round: i64,
    pub version: i64,
    /// 0: the signer's own decision.
    pub level: i64,
    pub person_id: PersonId,
    pub person_name: String,
    /// `approved`, `returned` or `forwarded`.
    pub decision: String,
    pub reason: String,
    pub forwarded_to: Option<String>,
    pub at_ms: i64,
}

/// A draft going to its reviewers (or straight to its signer).
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    pub agency_id: &'a AgencyId,
    pub step: &'a Moved<Outgoing<Submitted>>,
    pub route: &'a Route,
    pub actor: &'a PersonId,
    pub at_ms: i64,
}

/// A reviewer's decision on the level reviewing now. A return carries the lifecycle's step
/// back to draft.
#[derive(Debug, Clone, Copy)]
pub struct ReviewStep<'a> {
    pub agency_id: &'a AgencyId,
    pub document: &'a DocumentId,
    pub decision: &'a Decision,
    pub returning: Option<&'a Moved<Outgoing<Draft>>>,
    pub actor: &'a PersonId,
    pub at_ms: i64,
}

/// A new version of a draft: its metadata as now, and the files it adds.
#[derive(Debug, Clone)]
pub struct Revision<'a> {
    pub agency_id: &'a AgencyId,
    pub document: &'a DocumentId,
    pub new: &'a NewDocument,
    pub actor: &'a PersonId,
    pub at_ms: i64,
}

fn conflict(what: &str) -> StoreError {
    StoreError::Conflict(what.to_owned())
}

impl Store {
    /// Trình: the draft moves to submitted, a new review round starts with `route`'s
    /// reviewers (the level reviewing is the first, or none), and the chosen signer is kept.
    pub async fn submit_draft(&self, s: &Submission<'_>) -> Result<Document, StoreError> {
        let t = s.step.transition();
        let id = t.document();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, s.agency_id).await?;
        move_state(&mut tx, s.agency_id, t, s.actor, s.at_ms).await?;
        sqlx::query(
            "UPDATE documents SET review_round = review_round + 1, review_level = $1, \
             signer_id = $2 WHERE agency_id = $3 AND id = $4",
        )
        .bind(s.route.first_level())
        .bind(s.route.signer().map(PersonId::as_str))
        .bind(s.agency_id.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM draft_reviewers WHERE document_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        for (level, person) in s.route.reviewers() {
            sqlx::query(
                "INSERT INTO draft_reviewers (document_id, level, person_id) VALUES ($1, $2, $3)",
            )
            .bind(id.as_str())
            .bind(level)
            .bind(person.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let doc = fetch(&mut tx, s.agency_id, id).await?;
        let action = DraftSubmitted {
            from: t.from().code(),
            to: t.to().code(),
            round: doc.review_round,
            version: doc.version,
            reviewers: s.route.reviewers().map(|(l, p)| (l, p.as_str())).collect(),
            signer: s.route.signer().map(PersonId::as_str),
        };
        let entry = entry(s.at_ms, s.actor.as_str(), id.as_str(), &action)?;
        journal_and_commit(tx, s.agency_id, &mut head, entry, id).await
    }

    /// A reviewer decides on the level reviewing now: an approval that completes the level
    /// passes the draft to the next level (or to the signer); a return sends it back to its
    /// author; a forward puts another person in the reviewer's place.
    pub async fn review_draft(&self, r: &ReviewStep<'_>) -> Result<Document, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, r.agency_id).await?;
        let doc = fetch(&mut tx, r.agency_id, r.document).await?;
        let entry = match r.decision {
            Decision::Approve => approve_in(&mut tx, &doc, r.actor, r.at_ms, None).await?,
            Decision::Forward { to } => {
                let level = check_turn(&mut tx, &doc, r.actor).await?;
                record(&mut tx, &doc, level, r, "", Some(to)).await?;
                forward(&mut tx, &doc, level, r.actor, to).await?;
                reviewed(
                    &doc,
                    level,
                    r.decision.code(),
                    r.actor,
                    r.at_ms,
                    Some(to),
                    None,
                )?
            }
            Decision::Return { reason } => {
                let level = check_turn(&mut tx, &doc, r.actor).await?;
                record(&mut tx, &doc, level, r, reason, None).await?;
                let step = r
                    .returning
                    .ok_or_else(|| conflict("a return needs its step"))?;
                back_to_draft(&mut tx, &doc, step, level, reason, r.actor, r.at_ms).await?
            }
        };
        journal_and_commit(tx, r.agency_id, &mut head, entry, r.document).await
    }

    /// The signer sends the draft back (with the reason the author reads).
    pub async fn return_draft(
        &self,
        agency_id: &AgencyId,
        step: &Moved<Outgoing<Draft>>,
        reason: &str,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<Document, StoreError> {
        let id = step.transition().document();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let doc = fetch(&mut tx, agency_id, id).await?;
        let r = ReviewStep {
            agency_id,
            document: id,
            decision: &Decision::Return {
                reason: reason.to_owned(),
            },
            returning: Some(step),
            actor,
            at_ms,
        };
        record(&mut tx, &doc, 0, &r, reason, None).await?;
        let entry = back_to_draft(&mut tx, &doc, step, 0, reason, actor, at_ms).await?;
        journal_and_commit(tx, agency_id, &mut head, entry, id).await
    }

    /// A new version of a draft: the metadata as the author now gives it, the files added
    /// (a new main file becomes the current one; earlier versions' files stay), the version
    /// one more, and the journal naming what changed.
    pub async fn revise_draft(&self, r: &Revision<'_>) -> Result<Document, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, r.agency_id).await?;
        let old = fetch(&mut tx, r.agency_id, r.document).await?;
        let changed = changed_fields(&old, r.new);
        let text = search_text(&r.new.subject, None, "");
        let done = sqlx::query(
            "UPDATE documents SET doc_type = $1, subject = $2, search_text = $3, urgency = $4, \
             secrecy = $5, pages = $6, recipients = $7, due_on = $8, drafting_unit_id = $9, \
             version = version + 1, updated_at_ms = $10 \
             WHERE agency_id = $11 AND id = $12 AND state = 'draft'",
        )
        .bind(r.new.doc_type.code())
        .bind(&r.new.subject)
        .bind(&text)
        .bind(r.new.urgency.code())
        .bind(r.new.secrecy.code())
        .bind(r.new.pages)
        .bind(&r.new.recipients)
        .bind(r.new.due_on.as_deref())
        .bind(r.new.drafting_unit_id.as_ref().map(UnitId::as_str))
        .bind(r.at_ms)
        .bind(r.agency_id.as_str())
        .bind(r.document.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(signet_core::CoreError::WrongState {
                expected: "draft",
                actual: old.state.code(),
            }
            .into());
        }
        if old.subject != r.new.subject {
            index_document(&mut tx, r.agency_id, r.document, old.created_at_ms, &text).await?;
        }
        let version = old.version + 1;
        insert_files_of_version(&mut tx, r.document, r.actor, r.at_ms, &r.new.files, version)
            .await?;
        let action = DraftRevised {
            version,
            changed,
            subject: &r.new.subject,
            secrecy: r.new.secrecy.code(),
            files: file_details(&r.new.files),
        };
        let entry = entry(r.at_ms, r.actor.as_str(), r.document.as_str(), &action)?;
        journal_and_commit(tx, r.agency_id, &mut head, entry, r.document).await
    }

    /// The current route of a draft, level by level, with who approved in this round.
    pub async fn draft_route(
        &self,
        agency_id: &AgencyId,
        id: &DocumentId,
    ) -> Result<Vec<RouteStop>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.level, r.person_id, p.full_name, p.title, \
             (SELECT COUNT(*) FROM draft_reviews v WHERE v.document_id = d.id \
               AND v.round = d.review_round AND v.level = r.level AND v.person_id = r.person_id \
               AND v.decision = 'approved') AS approved \
             FROM draft_reviewers r JOIN documents d ON d.id = r.document_id \
             JOIN people p ON p.id = r.person_id \
             WHERE d.agency_id = $1 AND r.document_id = $2 ORDER BY r.level, p.full_name",
        )
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RouteStop {
                    level: r.try_get("level")?,
                    person_id: r.id("person_id")?,
                    full_name: r.try_get("full_name")?,
                    title: r.try_get("title")?,
                    approved: r.try_get::<i64, _>("approved")? > 0,
                })
            })
            .collect()
    }

    /// Every decision on a draft, oldest first.
    pub async fn draft_reviews(
        &self,
        agency_id: &AgencyId,
        id: &DocumentId,
    ) -> Result<Vec<ReviewRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT v.round, v.version, v.level, v.person_id, p.full_name, v.decision, v.reason, \
             f.full_name AS forwarded_name, v.at_ms \
             FROM draft_reviews v JOIN documents d ON d.id = v.document_id \
             JOIN people p ON p.id = v.person_id LEFT JOIN people f ON f.id = v.forwarded_to \
             WHERE d.agency_id = $1 AND v.document_id = $2 ORDER BY v.at_ms, v.id",
        )
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReviewRecord {
                    round: r.try_get("round")?,
                    version: r.try_get("version")?,
                    level: r.try_get("level")?,
                    person_id: r.id("person_id")?,
                    person_name: r.try_get("full_name")?,
                    decision: r.try_get("decision")?,
                    reason: r.try_get("reason")?,
                    forwarded_to: r.try_get("forwarded_name")?,
                    at_ms: r.try_get("at_ms")?,
                })
            })
            .collect()
    }

    /// Drafts waiting for `person`'s review (on the level reviewing now, not yet approved
    /// by them in this round), oldest first.
    pub async fn reviews_waiting(
        &self,
        agency_id: &AgencyId,
        person: &PersonId,
        limit: u32,
    ) -> Result<Vec<Document>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM documents d JOIN draft_reviewers r \
             ON r.document_id = d.id AND r.level = d.review_level \
             WHERE r.person_id = $1 AND d.agency_id = $2 AND d.state = 'submitted' \
             AND NOT EXISTS (SELECT 1 FROM draft_reviews v WHERE v.document_id = d.id \
               AND v.round = d.review_round AND v.level = d.review_level \
               AND v.person_id = $1 AND v.decision = 'approved') \
             ORDER BY d.updated_at_ms, d.id LIMIT $3",
            super::list::prefixed_columns("d.")
        ))
        .bind(person.as_str())
        .bind(agency_id.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(super::document_from_row).collect()
    }

    /// The latest return of each of `ids` that was returned: (document, who, reason).
    pub async fn latest_returns(
        &self,
        agency_id: &AgencyId,
        ids: &[DocumentId],
    ) -> Result<Vec<(DocumentId, String, String)>, StoreError> {
        let mut out = Vec::new();
        for id in ids {
            let row = sqlx::query(
                "SELECT p.full_name, v.reason FROM draft_reviews v \
                 JOIN documents d ON d.id = v.document_id JOIN people p ON p.id = v.person_id \
                 WHERE d.agency_id = $1 AND v.document_id = $2 AND v.decision = 'returned' \
                 ORDER BY v.at_ms DESC, v.id DESC LIMIT 1",
            )
            .bind(agency_id.as_str())
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
            if let Some(r) = row {
                out.push((id.clone(), r.try_get("full_name")?, r.try_get("reason")?));
            }
        }
        Ok(out)
    }

    /// A unit's default route: its reviewers level by level and its default signer.
    pub async fn unit_route(
        &self,
        agency_id: &AgencyId,
        unit: &UnitId,
    ) -> Result<(Vec<Vec<PersonId>>, Option<PersonId>), StoreError> {
        let rows = sqlx::query(
            "SELECT r.level, r.person_id FROM unit_routes r JOIN units u ON u.id = r.unit_id \
             WHERE u.agency_id = $1 AND r.unit_id = $2 ORDER BY r.level, r.person_id",
        )
        .bind(agency_id.as_str())
        .bind(unit.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut levels: Vec<Vec<PersonId>> = Vec::new();
        for r in &rows {
            let level = usize::try_from(r.try_get::<i64, _>("level")?).unwrap_or(0);
            while levels.len() < level {
                levels.push(Vec::new());
            }
            if let Some(l) = level.checked_sub(1).and_then(|i| levels.get_mut(i)) {
                l.push(r.id("person_id")?);
            }
        }
        let signer =
            sqlx::query("SELECT default_signer_id FROM units WHERE agency_id = $1 AND id = $2")
                .bind(agency_id.as_str())
                .bind(unit.as_str())
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.opt_id("default_signer_id"))
                .transpose()?
                .flatten();
        Ok((levels, signer))
    }

    /// Sets a unit's default route (replacing the one before).
    pub async fn set_unit_route(
        &self,
        agency_id: &AgencyId,
        unit: &UnitId,
        route: &Route,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let done =
            sqlx::query("UPDATE units SET default_signer_id = $1 WHERE agency_id = $2 AND id = $3")
                .bind(route.signer().map(PersonId::as_str))
                .bind(agency_id.as_str())
                .bind(unit.as_str())
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM unit_routes WHERE unit_id = $1")
            .bind(unit.as_str())
            .execute(&mut *tx)
            .await?;
        for (level, person) in route.reviewers() {
            sqlx::query("INSERT INTO unit_routes (unit_id, level, person_id) VALUES ($1, $2, $3)")
                .bind(unit.as_str())
                .bind(level)
                .bind(person.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The level reviewing now, once `actor` may decide on it: on the level, not yet approved.
async fn check_turn(tx: &mut Tx, doc: &Document, actor: &PersonId) -> Result<i64, StoreError> {
    if !doc.in_review() {
        return Err(conflict("no review of this draft is pending"));
    }
    let level = doc.review_level;
    if !reviewers_at(tx, &doc.id, level).await?.contains(actor) {
        return Err(conflict("it is not this person's turn to review the draft"));
    }
    if approvals(tx, doc, level).await?.contains(actor) {
        return Err(conflict("this person already approved the draft"));
    }
    Ok(level)
}

/// `actor` approves the draft on the level reviewing now (having initialled the revision
/// `initial`, when given); a level all of whose reviewers approved passes the draft on.
/// Returns the journal entry; the caller commits.
pub(super) async fn approve_in(
    tx: &mut Tx,
    doc: &Document,
    actor: &PersonId,
    at_ms: i64,
    initial: Option<&str>,
) -> Result<signet_core::journal::NewEntry, StoreError> {
    let level = check_turn(tx, doc, actor).await?;
    let decision = Decision::Approve;
    let step = ReviewStep {
        agency_id: &doc.agency_id,
        document: &doc.id,
        decision: &decision,
        returning: None,
        actor,
        at_ms,
    };
    record(tx, doc, level, &step, "", None).await?;
    let mut approved = approvals(tx, doc, level).await?;
    approved.push(actor.clone());
    if level_done(&reviewers_at(tx, &doc.id, level).await?, &approved) {
        let levels = last_level(tx, &doc.id).await?;
        set_level(tx, doc, next_level(level, levels)).await?;
    }
    reviewed(doc, level, decision.code(), actor, at_ms, None, initial)
}

async fn reviewers_at(
    tx: &mut Tx,
    id: &DocumentId,
    level: i64,
) -> Result<Vec<PersonId>, StoreError> {
    let rows =
        sqlx::query("SELECT person_id FROM draft_reviewers WHERE document_id = $1 AND level = $2")
            .bind(id.as_str())
            .bind(level)
            .fetch_all(&mut **tx)
            .await?;
    rows.iter().map(|r| Ok(r.id("person_id")?)).collect()
}

async fn approvals(tx: &mut Tx, doc: &Document, level: i64) -> Result<Vec<PersonId>, StoreError> {
    let rows = sqlx::query(
        "SELECT person_id FROM draft_reviews WHERE document_id = $1 AND round = $2 \
         AND level = $3 AND decision = 'approved'",
    )
    .bind(doc.id.as_str())
    .bind(doc.review_round)
    .bind(level)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| Ok(r.id("person_id")?)).collect()
}

async fn last_level(tx: &mut Tx, id: &DocumentId) -> Result<i64, StoreError> {
    let max: Option<i64> =
        sqlx::query_scalar("SELECT MAX(level) FROM draft_reviewers WHERE document_id = $1")
            .bind(id.as_str())
            .fetch_one(&mut **tx)
            .await?;
    Ok(max.unwrap_or(0))
}

async fn set_level(tx: &mut Tx, doc: &Document, level: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE documents SET review_level = $1, updated_at_ms = updated_at_ms WHERE id = $2",
    )
    .bind(level)
    .bind(doc.id.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn record(
    tx: &mut Tx,
    doc: &Document,
    level: i64,
    r: &ReviewStep<'_>,
    reason: &str,
    forwarded_to: Option<&PersonId>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO draft_reviews (id, document_id, round, version, level, person_id, decision, \
         reason, forwarded_to, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(doc.id.as_str())
    .bind(doc.review_round)
    .bind(doc.version)
    .bind(level)
    .bind(r.actor.as_str())
    .bind(r.decision.code())
    .bind(reason)
    .bind(forwarded_to.map(PersonId::as_str))
    .bind(r.at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The reviewer's place on the level passes to `to`, who must not be on the route already
/// nor be its signer (they would review twice).
async fn forward(
    tx: &mut Tx,
    doc: &Document,
    level: i64,
    from: &PersonId,
    to: &PersonId,
) -> Result<(), StoreError> {
    let on_route: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM draft_reviewers WHERE document_id = $1 AND person_id = $2",
    )
    .bind(doc.id.as_str())
    .bind(to.as_str())
    .fetch_one(&mut **tx)
    .await?;
    if on_route > 0 || doc.signer_id.as_ref() == Some(to) {
        return Err(conflict("that person is already on this draft's route"));
    }
    sqlx::query(
        "UPDATE draft_reviewers SET person_id = $1 WHERE document_id = $2 AND level = $3 \
         AND person_id = $4",
    )
    .bind(to.as_str())
    .bind(doc.id.as_str())
    .bind(level)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn reviewed(
    doc: &Document,
    level: i64,
    decision: &str,
    actor: &PersonId,
    at_ms: i64,
    to: Option<&PersonId>,
    initial: Option<&str>,
) -> Result<signet_core::journal::NewEntry, StoreError> {
    let action = DraftReviewed {
        round: doc.review_round,
        version: doc.version,
        level,
        decision,
        forwarded_to: to.map(PersonId::as_str),
        initialled: initial,
    };
    entry(at_ms, actor.as_str(), doc.id.as_str(), &action)
}

/// Submitted → draft, the review closed; the entry carries the reason.
async fn back_to_draft(
    tx: &mut Tx,
    doc: &Document,
    step: &Moved<Outgoing<Draft>>,
    level: i64,
    reason: &str,
    actor: &PersonId,
    at_ms: i64,
) -> Result<signet_core::journal::NewEntry, StoreError> {
    let t = step.transition();
    move_state(tx, &doc.agency_id, t, actor, at_ms).await?;
    set_level(tx, doc, 0).await?;
    let action = DraftReturned {
        from: t.from().code(),
        to: t.to().code(),
        round: doc.review_round,
        level,
        reason,
    };
    entry(at_ms, actor.as_str(), doc.id.as_str(), &action)
}

/// The codes of the metadata a revision changes, for the journal and the versions list.
fn changed_fields(old: &Document, new: &NewDocument) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |name: &'static str, same: bool| {
        if !same {
            out.push(name);
        }
    };
    check("doc_type", old.doc_type == new.doc_type);
    check("subject", old.subject == new.subject);
    check("urgency", old.urgency == new.urgency);
    check("secrecy", old.secrecy == new.secrecy);
    check("pages", old.pages == new.pages);
    check("recipients", old.recipients == new.recipients);
    check("due_on", old.due_on == new.due_on);
    check(
        "drafting_unit_id",
        old.drafting_unit_id == new.drafting_unit_id,
    );
    if new.files.iter().any(|f| f.kind == "main") {
        out.push("file");
    }
    if new.files.iter().any(|f| f.kind == "attachment") {
        out.push("appendices");
    }
    out
}

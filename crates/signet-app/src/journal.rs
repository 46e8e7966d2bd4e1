//! Checking the per-agency hash-chained journals (`signet journal verify`): every agency's, or
//! the one with a given code, against its recorded head and, when given, against the anchors
//! kept outside the database ([`crate::journal_anchor`]). The chain rule is
//! `signet_core::journal`'s.

use signet_core::journal::{Anchor, Break};
use signet_pki::validation::TrustAnchors;
use signet_store::directory::Agency;
use signet_store::Store;

use crate::journal_anchor::{check_record, AnchorRecord};
use crate::{AppError, Invalid};

/// One agency's journal: the entries checked, or where the chain breaks; and what its
/// anchors say.
#[derive(Debug)]
pub struct JournalCheck {
    pub agency: Agency,
    pub result: Result<usize, Break>,
    pub anchors: Anchoring,
    /// Document rows that disagree with the journal (edited without an entry).
    pub rows: Vec<String>,
}

/// A journal against its anchors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchoring {
    /// No anchors were given, or none is about this agency.
    None,
    /// Anchors vouch for the entries up to `up_to`.
    Vouched { up_to: i64, anchors: usize },
    /// An anchor disagrees with the journal, or cannot be trusted.
    Broken(String),
}

impl Anchoring {
    pub fn is_broken(&self) -> bool {
        matches!(self, Anchoring::Broken(_))
    }
}

/// The anchors to check against and whom their time-stamps must come from.
pub struct AnchorSet<'a> {
    pub records: &'a [AnchorRecord],
    pub trust: &'a TrustAnchors,
}

/// Checks the journal of every agency (or of the one whose code is `only`). An unknown code
/// is `Invalid`, as is a database without agencies.
pub async fn verify_journals(
    store: &Store,
    only: Option<&str>,
    anchors: Option<&AnchorSet<'_>>,
) -> Result<Vec<JournalCheck>, AppError> {
    let mut checks = Vec::new();
    for agency in store.agencies().await? {
        if only.is_some_and(|c| agency.code.as_str() != c) {
            continue;
        }
        let entries = store.journal(&agency.id).await?;
        let head = store.journal_head(&agency.id).await?;
        let result = signet_core::journal::verify(agency.id.as_str(), &entries, head.as_ref());
        let anchors = anchors.map_or(Anchoring::None, |set| {
            against_anchors(&agency, &entries, head.as_ref(), set)
        });
        let rows = check_document_rows(&entries, &store.audited_rows(&agency.id).await?);
        checks.push(JournalCheck {
            agency,
            result,
            anchors,
            rows,
        });
    }
    if checks.is_empty() {
        return Err(AppError::Invalid(only.map_or(Invalid::NoAgencies, |c| {
            Invalid::UnknownAgency {
                code: c.to_string(),
            }
        })));
    }
    Ok(checks)
}

fn against_anchors(
    agency: &Agency,
    entries: &[signet_core::journal::Entry],
    head: Option<&signet_core::journal::Head>,
    set: &AnchorSet<'_>,
) -> Anchoring {
    let mine: Vec<&AnchorRecord> = set
        .records
        .iter()
        .filter(|r| r.anchor.agency_id == agency.id.as_str())
        .collect();
    if mine.is_empty() {
        return Anchoring::None;
    }
    let mut trusted: Vec<Anchor> = Vec::with_capacity(mine.len());
    for r in &mine {
        if let Err(e) = check_record(r, set.trust) {
            return Anchoring::Broken(format!("the anchor of entry {}: {e}", r.anchor.seq));
        }
        trusted.push(r.anchor.clone());
    }
    match signet_core::journal::check_anchors(entries, head, &trusted) {
        Ok(up_to) => Anchoring::Vouched {
            up_to,
            anchors: trusted.len(),
        },
        Err(e) => Anchoring::Broken(e.to_string()),
    }
}

/// What the journal says a document row must hold: the last journaled value of each field
/// (`None` where no entry says, e.g. secrecy in entries older than its journaling).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Journaled {
    state: Option<String>,
    subject: Option<String>,
    secrecy: Option<String>,
    number: Option<i64>,
    notation: Option<String>,
}

/// Replays the document entries of a journal into the fields each document must hold.
fn replay(entries: &[signet_core::journal::Entry]) -> std::collections::HashMap<&str, Journaled> {
    let mut docs: std::collections::HashMap<&str, Journaled> = std::collections::HashMap::new();
    for e in entries.iter().filter(|e| e.action.starts_with("document.")) {
        let Ok(details) = serde_json::from_str::<serde_json::Value>(&e.details) else {
            continue;
        };
        let text = |k: &str| details.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let doc = docs.entry(e.subject.as_str()).or_default();
        match e.action.as_str() {
            "document.drafted" => {
                doc.state = Some("draft".into());
                doc.subject = text("subject");
                doc.secrecy = text("secrecy");
            }
            "document.registered" => {
                doc.state = Some("registered".into());
                doc.subject = text("subject");
                doc.secrecy = text("secrecy");
                doc.number = details.get("arrival_number").and_then(|v| v.as_i64());
                doc.notation = text("notation");
            }
            // A new version of a draft: its subject and secrecy as revised.
            "document.revised" => {
                doc.subject = text("subject");
                doc.secrecy = text("secrecy");
            }
            "document.issued" => {
                doc.state = Some("issued".into());
                doc.number = details.get("number").and_then(|v| v.as_i64());
                doc.notation = text("notation");
            }
            // A number taken for an issue that waits for the seal.
            "document.numbered" => {
                doc.number = details.get("number").and_then(|v| v.as_i64());
                doc.notation = text("notation");
            }
            // A lifecycle step is named after the state it leads to (`document.<to>`);
            // other entries with a `to` (a lead handed on to a person) leave the state alone.
            action => {
                if let Some(to) = text("to").filter(|to| action == format!("document.{to}")) {
                    doc.state = Some(to);
                }
            }
        }
    }
    docs
}

/// The document rows that disagree with the journal: a row no entry is about (inserted
/// behind its back), or a journaled field changed without an entry. One line per row.
pub fn check_document_rows(
    entries: &[signet_core::journal::Entry],
    rows: &[signet_store::documents::AuditedRow],
) -> Vec<String> {
    let journaled = replay(entries);
    let mut problems = Vec::new();
    for row in rows {
        let Some(j) = journaled.get(row.id.as_str()) else {
            problems.push(format!("document {}: no journal entry is about it", row.id));
            continue;
        };
        let differs = |field: &str, journal: Option<String>, stored: Option<String>| {
            journal.filter(|j| Some(j) != stored.as_ref()).map(|j| {
                format!(
                    "document {}: {field} is {stored:?}, the journal says {j:?}",
                    row.id
                )
            })
        };
        problems.extend(
            [
                differs("state", j.state.clone(), Some(row.state.clone())),
                differs("subject", j.subject.clone(), Some(row.subject.clone())),
                differs("secrecy", j.secrecy.clone(), Some(row.secrecy.clone())),
                differs(
                    "number",
                    j.number.map(|n| n.to_string()),
                    row.number.map(|n| n.to_string()),
                ),
                differs("notation", j.notation.clone(), row.notation.clone()),
            ]
            .into_iter()
            .flatten(),
        );
    }
    problems
}

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
        checks.push(JournalCheck {
            agency,
            result,
            anchors,
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

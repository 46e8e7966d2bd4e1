//! The per-agency, hash-chained journal.
//!
//! Every change is an entry; each entry carries the hash of the one before it, and its own
//! hash covers its content and that link. Editing, removing or reordering any entry breaks the
//! chain at a place [`verify`] names. Removing entries from the end cannot be seen from the
//! chain alone, so the store also keeps the head (last sequence and hash) to compare against.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of an agency's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One journal entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub agency_id: String,
    /// 1, 2, 3… within the agency, no gaps.
    pub seq: i64,
    /// Unix time in milliseconds, given by the caller.
    pub at_ms: i64,
    /// Person id, or `system`.
    pub actor: String,
    /// What happened, e.g. `document.drafted`, `document.issued`.
    pub action: String,
    /// What it happened to, e.g. a document id.
    pub subject: String,
    /// Details as JSON text.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The content of an entry before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: String,
}

impl NewEntry {
    /// Chains this entry after `prev` (or after the genesis when `prev` is `None`).
    pub fn chain(self, agency_id: &str, prev: Option<(i64, &str)>) -> Entry {
        let (prev_seq, prev_hash) = prev.unwrap_or((0, GENESIS));
        let mut entry = Entry {
            agency_id: agency_id.to_owned(),
            seq: prev_seq + 1,
            at_ms: self.at_ms,
            actor: self.actor,
            action: self.action,
            subject: self.subject,
            details: self.details,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }
}

impl Entry {
    /// SHA-256 over the length-prefixed fields, so no two different entries share an input.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"signet-journal-v1");
        let seq = self.seq.to_string();
        let at = self.at_ms.to_string();
        let fields: [&str; 8] = [
            &self.agency_id,
            &seq,
            &at,
            &self.actor,
            &self.action,
            &self.subject,
            &self.details,
            &self.prev_hash,
        ];
        for f in fields {
            h.update((f.len() as u64).to_be_bytes());
            h.update(f.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Break {
    #[error("entry {seq}: its content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error("expected entry {expected}, found entry {found} (entries removed or reordered)")]
    Sequence { expected: i64, found: i64 },
    #[error(
        "entry {seq}: it does not link to the entry before it (removed, inserted or reordered)"
    )]
    Link { seq: i64 },
    #[error("entry {seq} belongs to agency {found}, not {expected}")]
    Agency {
        seq: i64,
        expected: String,
        found: String,
    },
    #[error("the journal ends at entry {found}, but its recorded head is entry {expected} (entries removed from the end)")]
    Truncated { expected: i64, found: i64 },
    #[error("the last entry's hash does not match the recorded head")]
    HeadMismatch,
}

/// The recorded head of a journal: the last sequence number and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Checks an agency's whole journal, in sequence order as stored, against its head.
/// Returns the number of entries checked.
pub fn verify(agency_id: &str, entries: &[Entry], head: Option<&Head>) -> Result<usize, Break> {
    let mut prev_hash = GENESIS;
    for (i, e) in entries.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.agency_id != agency_id {
            return Err(Break::Agency {
                seq: e.seq,
                expected: agency_id.to_owned(),
                found: e.agency_id.clone(),
            });
        }
        if e.seq != expected {
            return Err(Break::Sequence {
                expected,
                found: e.seq,
            });
        }
        if e.compute_hash() != e.hash {
            return Err(Break::Edited { seq: e.seq });
        }
        if e.prev_hash != prev_hash {
            return Err(Break::Link { seq: e.seq });
        }
        prev_hash = &e.hash;
    }
    check_head(entries, head)?;
    Ok(entries.len())
}

fn check_head(entries: &[Entry], head: Option<&Head>) -> Result<(), Break> {
    let Some(head) = head else { return Ok(()) };
    let last_seq = entries.last().map_or(0, |e| e.seq);
    if last_seq != head.seq {
        return Err(Break::Truncated {
            expected: head.seq,
            found: last_seq,
        });
    }
    match entries.last() {
        Some(e) if e.hash != head.hash => Err(Break::HeadMismatch),
        _ => Ok(()),
    }
}

/// A statement outside the database that an agency's journal had reached entry `seq`, whose
/// hash was `hash`, at `at_ms`. Time-stamped by a TSA and kept in files, it lets
/// [`check_anchors`] catch what the chain alone cannot: entries cut off the end together with
/// the head row, a head moved back, or a row rewritten with every later hash recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub agency_id: String,
    pub seq: i64,
    pub hash: String,
    pub at_ms: i64,
}

impl Anchor {
    /// The bytes the time-stamp covers.
    pub fn statement(&self) -> Vec<u8> {
        format!(
            "signet-journal-anchor-v1\n{}\n{}\n{}\n{}\n",
            self.agency_id, self.seq, self.hash, self.at_ms
        )
        .into_bytes()
    }
}

/// How a journal disagrees with its anchors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorBreak {
    #[error(
        "an anchor vouches for entry {anchor_seq}, but the journal ends at entry {last_seq} \
         (entries removed from the end, or the head moved back); check from entry {first_unvouched}"
    )]
    Truncated {
        anchor_seq: i64,
        last_seq: i64,
        first_unvouched: i64,
    },
    #[error(
        "entry {anchor_seq} is not the one its anchor vouches for (rewritten at or before it); \
         the last good anchor covers entries up to {last_good}: check from entry {first_unvouched}"
    )]
    Rewritten {
        anchor_seq: i64,
        last_good: i64,
        first_unvouched: i64,
    },
}

/// Checks an agency's journal (in sequence order) and its head against its anchors. Returns
/// the last entry an anchor vouches for (0 when none). Entries after it are vouched for only
/// by the chain itself.
pub fn check_anchors(
    entries: &[Entry],
    head: Option<&Head>,
    anchors: &[Anchor],
) -> Result<i64, AnchorBreak> {
    let mut sorted: Vec<&Anchor> = anchors.iter().collect();
    sorted.sort_by_key(|a| a.seq);
    let last_seq = entries
        .last()
        .map_or(0, |e| e.seq)
        .min(head.map_or(i64::MAX, |h| h.seq));
    let mut last_good = 0;
    for a in sorted {
        if a.seq > last_seq {
            return Err(AnchorBreak::Truncated {
                anchor_seq: a.seq,
                last_seq,
                first_unvouched: last_good + 1,
            });
        }
        let found = entries
            .binary_search_by_key(&a.seq, |e| e.seq)
            .ok()
            .and_then(|i| entries.get(i));
        if found.map(|e| e.hash.as_str()) != Some(a.hash.as_str()) {
            return Err(AnchorBreak::Rewritten {
                anchor_seq: a.seq,
                last_good,
                first_unvouched: last_good + 1,
            });
        }
        last_good = a.seq;
    }
    Ok(last_good)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn journal(n: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 0..n {
            let e = NewEntry {
                at_ms: 1_700_000_000_000 + i as i64,
                actor: format!("p{}", i % 3),
                action: "document.drafted".into(),
                subject: format!("doc-{i}"),
                details: format!("{{\"n\":{i}}}"),
            };
            let prev = out.last().map(|p| (p.seq, p.hash.as_str()));
            let chained = e.chain("ag", prev);
            out.push(chained);
        }
        out
    }

    fn head(j: &[Entry]) -> Head {
        let last = j.last().unwrap();
        Head {
            seq: last.seq,
            hash: last.hash.clone(),
        }
    }

    #[test]
    fn intact_journal_verifies() {
        let j = journal(10);
        assert_eq!(verify("ag", &j, Some(&head(&j))), Ok(10));
        assert_eq!(verify("ag", &[], None), Ok(0));
    }

    #[test]
    fn edit_is_found_where_it_is() {
        let mut j = journal(10);
        let h = head(&j);
        j[4].details = "{\"n\":999}".into();
        assert_eq!(verify("ag", &j, Some(&h)), Err(Break::Edited { seq: 5 }));
    }

    #[test]
    fn edit_with_rehash_breaks_the_next_link() {
        let mut j = journal(10);
        let h = head(&j);
        j[4].actor = "intruder".into();
        j[4].hash = j[4].compute_hash();
        assert_eq!(verify("ag", &j, Some(&h)), Err(Break::Link { seq: 6 }));
    }

    #[test]
    fn removal_and_reordering_are_found() {
        let j = journal(10);
        let h = head(&j);
        let mut removed = j.clone();
        removed.remove(3);
        assert_eq!(
            verify("ag", &removed, Some(&h)),
            Err(Break::Sequence {
                expected: 4,
                found: 5
            })
        );
        let mut swapped = j.clone();
        swapped.swap(2, 3);
        assert_eq!(
            verify("ag", &swapped, Some(&h)),
            Err(Break::Sequence {
                expected: 3,
                found: 4
            })
        );
    }

    #[test]
    fn truncation_is_found_against_the_head() {
        let j = journal(10);
        let h = head(&j);
        assert_eq!(
            verify("ag", &j[..8], Some(&h)),
            Err(Break::Truncated {
                expected: 10,
                found: 8
            })
        );
    }

    proptest! {
        /// Any single-field edit anywhere is found at or after that entry, never missed.
        #[test]
        fn any_edit_is_detected(n in 1usize..30, pick in 0usize..30, field in 0u8..5, rehash: bool) {
            let mut j = journal(n);
            let h = head(&j);
            let i = pick % n;
            match field {
                0 => j[i].actor.push('x'),
                1 => j[i].action.push('x'),
                2 => j[i].subject.push('x'),
                3 => j[i].details.push(' '),
                _ => j[i].at_ms += 1,
            }
            if rehash { j[i].hash = j[i].compute_hash(); }
            let err = verify("ag", &j, Some(&h));
            prop_assert!(err.is_err());
        }
    }

    fn anchor_at(j: &[Entry], seq: i64) -> Anchor {
        let e = &j[usize::try_from(seq - 1).unwrap()];
        Anchor {
            agency_id: "ag".into(),
            seq,
            hash: e.hash.clone(),
            at_ms: e.at_ms,
        }
    }

    /// Re-chains `j` from entry `from` on, as someone with database access could.
    fn rechain(j: &[Entry], from: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = j[..from].to_vec();
        for e in &j[from..] {
            let prev = out.last().map(|p| (p.seq, p.hash.as_str()));
            let new = NewEntry {
                at_ms: e.at_ms,
                actor: e.actor.clone(),
                action: e.action.clone(),
                subject: e.subject.clone(),
                details: e.details.replace('1', "7"),
            };
            out.push(new.chain("ag", prev));
        }
        out
    }

    #[test]
    fn anchors_catch_what_the_chain_alone_cannot() {
        let j = journal(20);
        let anchors = [anchor_at(&j, 5), anchor_at(&j, 12)];
        assert_eq!(check_anchors(&j, Some(&head(&j)), &anchors), Ok(12));

        // Truncation with the head deleted (or moved back): the chain still verifies.
        let cut = &j[..9];
        assert_eq!(verify("ag", cut, Some(&head(cut))), Ok(9));
        assert_eq!(
            check_anchors(cut, Some(&head(cut)), &anchors),
            Err(AnchorBreak::Truncated {
                anchor_seq: 12,
                last_seq: 9,
                first_unvouched: 6
            })
        );
        assert!(matches!(
            check_anchors(&j, Some(&head(cut)), &anchors),
            Err(AnchorBreak::Truncated { .. })
        ));

        // A row rewritten and every later hash recomputed: the chain verifies again.
        let forged = rechain(&j, 8);
        assert_eq!(verify("ag", &forged, Some(&head(&forged))), Ok(20));
        assert_eq!(
            check_anchors(&forged, Some(&head(&forged)), &anchors),
            Err(AnchorBreak::Rewritten {
                anchor_seq: 12,
                last_good: 5,
                first_unvouched: 6
            })
        );
        // After the last anchor, only the chain vouches.
        let late = rechain(&j, 15);
        assert_eq!(check_anchors(&late, Some(&head(&late)), &anchors), Ok(12));
        assert_eq!(anchors[0].statement(), anchor_at(&j, 5).statement());
        assert_ne!(anchors[0].statement(), anchors[1].statement());
    }
}

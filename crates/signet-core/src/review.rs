//! The review route of a draft (issue 13 §2): before the leader signs, a draft may pass
//! through levels of reviewers — the head of the drafting unit, the office's leader… — each
//! level approving before the next one sees it; several people on one level review in
//! parallel, and the level is done when all of them have approved. Any reviewer may return
//! the draft with a reason (back to its author, for a new version) or forward their review
//! to another person, who takes their place on the level.
//!
//! This module holds the rules only; the store keeps the route and the decisions.

use crate::ids::PersonId;

/// At most this many levels, and people per level: a route longer than an agency's
/// hierarchy is a mistake, not a route.
pub const MAX_LEVELS: usize = 5;
pub const MAX_PER_LEVEL: usize = 5;
/// The longest reason a returned draft may carry.
pub const MAX_REASON: usize = 2000;

/// What is wrong with a route as chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteProblem {
    TooManyLevels,
    TooManyOnLevel,
    /// The same person twice (on one level or on two): they would approve twice.
    Repeated,
    /// The signer also on a review level: the signer's turn comes after every level.
    SignerReviews,
}

/// The levels of reviewers, in order, and the leader chosen to sign (or any leader).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    levels: Vec<Vec<PersonId>>,
    signer: Option<PersonId>,
}

impl Route {
    /// A route from the levels as chosen; empty levels are dropped (a form with three level
    /// boxes of which one is used is a one-level route).
    pub fn new(levels: Vec<Vec<PersonId>>, signer: Option<PersonId>) -> Result<Self, RouteProblem> {
        let levels: Vec<Vec<PersonId>> = levels.into_iter().filter(|l| !l.is_empty()).collect();
        if levels.len() > MAX_LEVELS {
            return Err(RouteProblem::TooManyLevels);
        }
        if levels.iter().any(|l| l.len() > MAX_PER_LEVEL) {
            return Err(RouteProblem::TooManyOnLevel);
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in levels.iter().flatten() {
            if !seen.insert(p) {
                return Err(RouteProblem::Repeated);
            }
        }
        if signer.as_ref().is_some_and(|s| seen.contains(s)) {
            return Err(RouteProblem::SignerReviews);
        }
        Ok(Self { levels, signer })
    }

    /// Level `n` (1-based) holds `levels()[n - 1]`.
    pub fn levels(&self) -> &[Vec<PersonId>] {
        &self.levels
    }

    pub fn signer(&self) -> Option<&PersonId> {
        self.signer.as_ref()
    }

    /// Everyone who reviews, level by level.
    pub fn reviewers(&self) -> impl Iterator<Item = (i64, &PersonId)> {
        self.levels
            .iter()
            .enumerate()
            .flat_map(|(i, l)| l.iter().map(move |p| (level_number(i), p)))
    }

    /// The level a new submission starts at: 1, or 0 (the signer's turn) with no reviewers.
    pub fn first_level(&self) -> i64 {
        if self.levels.is_empty() {
            0
        } else {
            1
        }
    }
}

fn level_number(index: usize) -> i64 {
    i64::try_from(index + 1).unwrap_or(i64::MAX)
}

/// The level after `level` once it is done: the next one, or 0 (the signer's turn) after
/// the last. `levels` is how many levels the route has.
pub fn next_level(level: i64, levels: i64) -> i64 {
    if level >= levels {
        0
    } else {
        level + 1
    }
}

/// Whether a level is done: every reviewer on it has approved (in this round).
pub fn level_done(reviewers: &[PersonId], approved: &[PersonId]) -> bool {
    !reviewers.is_empty() && reviewers.iter().all(|r| approved.contains(r))
}

/// A reviewer's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Back to the author, with the reason they will read.
    Return {
        reason: String,
    },
    /// The review passes to another person, who takes this reviewer's place on the level.
    Forward {
        to: PersonId,
    },
}

impl Decision {
    /// The stored code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Return { .. } => "returned",
            Self::Forward { .. } => "forwarded",
        }
    }

    pub fn label_vi(code: &str) -> &'static str {
        match code {
            "approved" => "Đồng ý",
            "returned" => "Trả lại",
            "forwarded" => "Chuyển tiếp",
            _ => "—",
        }
    }

    pub fn label_en(code: &str) -> &'static str {
        match code {
            "approved" => "Approved",
            "returned" => "Returned",
            "forwarded" => "Forwarded",
            _ => "—",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PersonId {
        PersonId::new(s)
    }

    #[test]
    fn empty_levels_are_dropped_and_numbered_from_one() {
        let r = Route::new(vec![vec![], vec![p("a")], vec![p("b"), p("c")]], None).unwrap();
        assert_eq!(r.levels().len(), 2);
        let all: Vec<(i64, &str)> = r.reviewers().map(|(l, p)| (l, p.as_str())).collect();
        assert_eq!(all, [(1, "a"), (2, "b"), (2, "c")]);
        assert_eq!(r.first_level(), 1);
        assert_eq!(Route::new(vec![vec![]], None).unwrap().first_level(), 0);
    }

    #[test]
    fn a_person_reviews_once_and_the_signer_not_at_all() {
        assert_eq!(
            Route::new(vec![vec![p("a")], vec![p("a")]], None),
            Err(RouteProblem::Repeated)
        );
        assert_eq!(
            Route::new(vec![vec![p("a"), p("a")]], None),
            Err(RouteProblem::Repeated)
        );
        assert_eq!(
            Route::new(vec![vec![p("a")]], Some(p("a"))),
            Err(RouteProblem::SignerReviews)
        );
        let too_many = vec![vec![p("x")]; 1]
            .into_iter()
            .chain((0..MAX_LEVELS).map(|i| vec![p(&format!("l{i}"))]))
            .collect();
        assert_eq!(Route::new(too_many, None), Err(RouteProblem::TooManyLevels));
        let wide = (0..=MAX_PER_LEVEL).map(|i| p(&format!("w{i}"))).collect();
        assert_eq!(
            Route::new(vec![wide], None),
            Err(RouteProblem::TooManyOnLevel)
        );
    }

    #[test]
    fn a_parallel_level_needs_everyone() {
        let level = [p("a"), p("b")];
        assert!(!level_done(&level, &[p("a")]));
        assert!(level_done(&level, &[p("b"), p("a")]));
        assert!(!level_done(&[], &[p("a")]));
    }

    #[test]
    fn after_the_last_level_the_signer_signs() {
        assert_eq!(next_level(1, 2), 2);
        assert_eq!(next_level(2, 2), 0);
        assert_eq!(next_level(1, 1), 0);
    }
}

//! Search across incoming and outgoing documents (issue 10 §6): the word index finds the
//! documents, the filters narrow them, the secrecy rule and the agency are in the query.

use signet_core::document::Direction;
use signet_core::ids::{PersonId, UnitId};
use signet_core::person::Viewer;

use super::list::push_secrecy_rule;
use super::matching::{matching_page, Search};
use super::{Cursor, Page};
use crate::sql::Builder;
use crate::{Store, StoreError};

/// What a search asks for. Paging is by keyset, newest first, like the lists.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Words as typed; see [`signet_core::text::query_words`].
    pub text: String,
    pub direction: Option<Direction>,
    /// A state code of either lifecycle (`issued`, `registered`, …).
    pub state: Option<String>,
    /// Registered or created at or after this instant (ms).
    pub from_ms: Option<i64>,
    /// … and before this one (ms, exclusive).
    pub to_ms: Option<i64>,
    /// Drafted by this unit, or assigned to it.
    pub unit: Option<UnitId>,
    /// Assigned to this person (any role: lead, co-handler, to know).
    pub handler: Option<PersonId>,
    pub after: Option<Cursor>,
    pub limit: u32,
}

impl Store {
    /// A page of the viewer's agency's documents matching every word of the search, newest
    /// first. Another agency's documents are never read (the agency is the index's first
    /// column); secret ones only for those [`Viewer::can_read`] lets read them.
    pub async fn search(&self, viewer: &Viewer, f: &SearchFilter) -> Result<Page, StoreError> {
        let words = signet_core::text::query_words(&f.text);
        let search = Search {
            agency_id: &viewer.agency_id,
            words: &words,
            after: f.after.as_ref(),
            from_ms: f.from_ms,
            to_ms: f.to_ms,
            limit: f.limit.clamp(1, 200),
        };
        matching_page(&self.pool, &search, |q| {
            push_secrecy_rule(q, viewer);
            push_search_filters(q, f);
        })
        .await
    }
}

/// The filters of a search besides its dates (the walk bounds those), on the `d` alias; they
/// are checked on one batch of matching documents at a time.
fn push_search_filters(q: &mut Builder, f: &SearchFilter) {
    if let Some(d) = f.direction {
        q.push(" AND d.direction = ").text(d.as_str());
    }
    if let Some(s) = &f.state {
        q.push(" AND d.state = ").text(s);
    }
    if let Some(unit) = &f.unit {
        q.push(" AND (d.drafting_unit_id = ")
            .text(unit.as_str())
            .push(" OR (SELECT COUNT(*) FROM assignments a WHERE a.document_id = d.id")
            .push(" AND a.holder = ")
            .text(unit.as_str())
            .push(") > 0)");
    }
    if let Some(person) = &f.handler {
        q.push(" AND (SELECT COUNT(*) FROM assignments a WHERE a.document_id = d.id")
            .push(" AND a.holder = ")
            .text(person.as_str())
            .push(") > 0");
    }
}

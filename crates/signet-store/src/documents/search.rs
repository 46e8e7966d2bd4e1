//! Search across incoming and outgoing documents (issue 10 §6): the word index finds the
//! documents, the filters narrow them, the secrecy rule and the agency are in the query.

use signet_core::document::Direction;
use signet_core::ids::{PersonId, UnitId};
use signet_core::person::Viewer;

use super::list::{prefixed_columns, push_secrecy_rule};
use super::terms::{push_word_search, rarest_first};
use super::{document_from_row, Cursor, Page};
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
        if words.is_empty() {
            return Ok(Page {
                documents: Vec::new(),
                next: None,
            });
        }
        let words = rarest_first(&self.pool, &viewer.agency_id, words).await?;
        let limit = f.limit.clamp(1, 200);
        let mut q = Builder::new("SELECT ");
        q.push(&prefixed_columns("d."));
        push_word_search(&mut q, &viewer.agency_id, &words);
        push_secrecy_rule(&mut q, viewer);
        push_search_filters(&mut q, f);
        if let Some(c) = &f.after {
            // The plain bound first: an index range for both planners (see list.rs).
            q.push(" AND t.created_at_ms <= ").int(c.created_at_ms);
            q.push(" AND (t.created_at_ms < ").int(c.created_at_ms);
            q.push(" OR (t.created_at_ms = ")
                .int(c.created_at_ms)
                .push(" AND t.document_id < ")
                .text(c.id.as_str())
                .push("))");
        }
        q.push(" ORDER BY t.created_at_ms DESC, t.document_id DESC LIMIT ")
            .int(i64::from(limit) + 1);
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut documents = rows
            .iter()
            .map(document_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next = (documents.len() > limit as usize).then(|| {
            documents.truncate(limit as usize);
            documents.last().map(|d| Cursor {
                created_at_ms: d.created_at_ms,
                id: d.id.clone(),
            })
        });
        Ok(Page {
            documents,
            next: next.flatten(),
        })
    }
}

/// The filters of a search, on the `t` (word index) and `d` (documents) aliases. Assignments
/// are checked per row by a count on their document index, which keeps the plan an ordered
/// walk of the word index (see terms.rs for why not EXISTS).
fn push_search_filters(q: &mut Builder, f: &SearchFilter) {
    if let Some(d) = f.direction {
        q.push(" AND d.direction = ").text(d.as_str());
    }
    if let Some(s) = &f.state {
        q.push(" AND d.state = ").text(s);
    }
    if let Some(from) = f.from_ms {
        q.push(" AND t.created_at_ms >= ").int(from);
    }
    if let Some(to) = f.to_ms {
        q.push(" AND t.created_at_ms < ").int(to);
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

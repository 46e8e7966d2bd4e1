//! Lists of documents (keyset pages, filters, search) and registers (sổ đăng ký).

use signet_core::document::{Direction, DocumentType, Secrecy, Urgency};
use signet_core::ids::{AgencyId, DocumentId};
use signet_core::lifecycle::DocumentState;
use signet_core::person::Viewer;
use signet_core::Role;

use super::matching::{matching_page, Search};
use super::{document_from_row, Document, COLUMNS};
use crate::sql::Builder;
use crate::{Store, StoreError};
use sqlx::Row;

/// Filters of the document lists. Lists page by keyset (newest first), so page N costs the
/// same as page 1 whatever the size of the table.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub state: Option<DocumentState>,
    pub doc_type: Option<DocumentType>,
    pub urgency: Option<Urgency>,
    pub year: Option<i64>,
    /// Free text, matched against the folded subject, notation and author ("ky so" finds
    /// "Ký số"; the last word is a prefix, see [`signet_core::text::query_words`]).
    pub text: Option<String>,
    /// Only documents this person created (their own drafts).
    pub created_by: Option<signet_core::ids::PersonId>,
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// Where a page ends: the last row's creation time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at_ms: i64,
    pub id: DocumentId,
}

impl Cursor {
    pub fn encode(&self) -> String {
        encode_cursor(self.created_at_ms, self.id.as_str())
    }

    pub fn decode(s: &str) -> Option<Self> {
        let (created_at_ms, id) = decode_cursor(s)?;
        Some(Self {
            created_at_ms,
            id: DocumentId::new(id),
        })
    }
}

/// The text form of a keyset cursor (`<ms>.<id>`), shared by every list that pages by a
/// time and an id.
pub(crate) fn encode_cursor(ms: i64, id: &str) -> String {
    format!("{ms}.{id}")
}

/// Reads [`encode_cursor`]'s form back; an id is 1 to 64 ASCII letters and digits.
pub(crate) fn decode_cursor(s: &str) -> Option<(i64, String)> {
    let (ms, id) = s.split_once('.')?;
    let valid_id =
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric());
    valid_id.then_some(())?;
    Some((ms.parse().ok()?, id.to_owned()))
}

#[derive(Debug, Clone)]
pub struct Page {
    pub documents: Vec<Document>,
    pub next: Option<Cursor>,
}

impl Page {
    /// A page of `limit` from up to `limit + 1` documents read: the one more tells there is
    /// a next page, which starts after the last one kept.
    pub(super) fn of(mut documents: Vec<Document>, limit: u32) -> Self {
        let next = if documents.len() > limit as usize {
            documents.truncate(limit as usize);
            documents.last().map(|d| Cursor {
                created_at_ms: d.created_at_ms,
                id: d.id.clone(),
            })
        } else {
            None
        };
        Self { documents, next }
    }
}

/// The document columns with a table alias, for queries that join.
pub(super) fn prefixed_columns(prefix: &str) -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("{prefix}{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The secrecy rule of [`Viewer::can_read`], on the `d` alias.
pub(super) fn push_secrecy_rule(q: &mut Builder, viewer: &Viewer) {
    if !(viewer.has(Role::Leader) || viewer.has(Role::Clerk)) {
        q.push(" AND (d.secrecy = ")
            .text(Secrecy::None.code())
            .push(" OR d.created_by = ")
            .text(viewer.person_id.as_str())
            .push(")");
    }
}

/// The list filters and the secrecy rule, on the `d` alias.
fn push_filters(q: &mut Builder, viewer: &Viewer, f: &ListFilter) {
    push_secrecy_rule(q, viewer);
    if let Some(s) = f.state {
        q.push(" AND d.state = ").text(s.code());
    }
    if let Some(t) = f.doc_type {
        q.push(" AND d.doc_type = ").text(t.code());
    }
    if let Some(u) = f.urgency {
        q.push(" AND d.urgency = ").text(u.code());
    }
    if let Some(y) = f.year {
        q.push(" AND d.year = ").int(y);
    }
    if let Some(p) = &f.created_by {
        q.push(" AND d.created_by = ").text(p.as_str());
    }
}

impl Store {
    /// A page of the viewer's agency's documents in one direction, newest first, with the
    /// secrecy rule of [`Viewer::can_read`] applied in the query.
    ///
    /// Without search text the list walks the `documents_list` index. With it, the word
    /// index finds the documents holding every word (see [`super::matching`]) and the
    /// filters are checked on them. A search with no word in it (only punctuation) finds
    /// nothing.
    pub async fn list(
        &self,
        viewer: &Viewer,
        direction: Direction,
        f: &ListFilter,
    ) -> Result<Page, StoreError> {
        let limit = f.limit.clamp(1, 200);
        if let Some(text) = f.text.as_deref() {
            let words = signet_core::text::query_words(text);
            let search = Search {
                agency_id: &viewer.agency_id,
                words: &words,
                after: f.after.as_ref(),
                from_ms: None,
                to_ms: None,
                limit,
            };
            return matching_page(&self.pool, &search, |q| {
                q.push(" AND d.direction = ").text(direction.as_str());
                push_filters(q, viewer, f);
            })
            .await;
        }
        let mut q = Builder::new("SELECT ");
        q.push(&prefixed_columns("d."));
        q.push(" FROM documents d WHERE d.agency_id = ")
            .text(viewer.agency_id.as_str());
        q.push(" AND d.direction = ").text(direction.as_str());
        push_filters(&mut q, viewer, f);
        if let Some(c) = &f.after {
            // The plain `<=` bound is redundant with the OR below, but it is a range both
            // planners can seek to in the index; without it SQLite walks from the top.
            q.push(" AND d.created_at_ms <= ").int(c.created_at_ms);
            q.push(" AND (d.created_at_ms < ").int(c.created_at_ms);
            q.push(" OR (d.created_at_ms = ")
                .int(c.created_at_ms)
                .push(" AND d.id < ")
                .text(c.id.as_str())
                .push("))");
        }
        q.push(" ORDER BY d.created_at_ms DESC, d.id DESC LIMIT ")
            .int(i64::from(limit) + 1);
        let rows = q.query().fetch_all(&self.pool).await?;
        let documents = rows
            .iter()
            .map(document_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::of(documents, limit))
    }

    /// A register (sổ đăng ký): the numbered documents of one series and year, by number.
    pub async fn register(
        &self,
        agency_id: &AgencyId,
        series: &str,
        year: i64,
    ) -> Result<Vec<Document>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM documents WHERE agency_id = $1 AND series = $2 AND year = $3 \
             AND number IS NOT NULL ORDER BY number"
        ))
        .bind(agency_id.as_str())
        .bind(series)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(document_from_row).collect()
    }

    /// What the register's other columns record for each numbered document of a series and
    /// year (Phụ lục IV): who keeps the filed copy, when it was sent and who acknowledged it
    /// (outgoing); to whom it was handed, when, and whether they took it up (incoming).
    pub async fn register_details(
        &self,
        agency_id: &AgencyId,
        series: &str,
        year: i64,
    ) -> Result<Vec<RegisterDetails>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, \
             COALESCE((SELECT u.name FROM units u WHERE u.id = d.drafting_unit_id), '') AS keeper, \
             (SELECT MIN(c.created_at_ms) FROM consignments c WHERE c.agency_id = d.agency_id \
               AND c.document_id = d.id AND c.kind = 'document') AS sent_at_ms, \
             (SELECT COUNT(*) FROM consignments c WHERE c.agency_id = d.agency_id \
               AND c.document_id = d.id AND c.kind = 'document') AS sent_copies, \
             (SELECT COALESCE(p.full_name, u.name, a.holder) FROM assignments a \
               LEFT JOIN people p ON a.holder_kind = 'person' AND p.id = a.holder \
               LEFT JOIN units u ON a.holder_kind = 'unit' AND u.id = a.holder \
               WHERE a.document_id = d.id AND a.role = 'lead' \
               ORDER BY a.assigned_at_ms DESC, a.id DESC LIMIT 1) AS lead, \
             (SELECT MIN(a.assigned_at_ms) FROM assignments a WHERE a.document_id = d.id) \
               AS assigned_at_ms \
             FROM documents d WHERE d.agency_id = $1 AND d.series = $2 AND d.year = $3 \
             AND d.number IS NOT NULL ORDER BY d.number",
        )
        .bind(agency_id.as_str())
        .bind(series)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        let acknowledged = sqlx::query(
            "SELECT DISTINCT s.document_id, c.peer_name FROM exchange_statuses s \
             JOIN documents d ON d.id = s.document_id \
             JOIN consignments c ON c.agency_id = s.agency_id AND c.document_id = s.document_id \
               AND c.peer_code = s.recipient_code AND c.kind = 'document' \
             WHERE s.agency_id = $1 AND d.series = $2 AND d.year = $3 ORDER BY c.peer_name",
        )
        .bind(agency_id.as_str())
        .bind(series)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id")?;
            let mut received = Vec::new();
            for a in &acknowledged {
                if a.try_get::<String, _>("document_id")? == id {
                    received.push(a.try_get("peer_name")?);
                }
            }
            out.push(RegisterDetails {
                keeper: r.try_get("keeper")?,
                sent_at_ms: r.try_get("sent_at_ms")?,
                sent_copies: r.try_get("sent_copies")?,
                lead: r.try_get("lead")?,
                assigned_at_ms: r.try_get("assigned_at_ms")?,
                acknowledged_by: received,
                id,
            });
        }
        Ok(out)
    }
}

/// The register columns a document row alone does not hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterDetails {
    pub id: String,
    /// The drafting unit, which keeps the filed copy (bản lưu).
    pub keeper: String,
    /// When the exchange first sent it, and to how many recipients.
    pub sent_at_ms: Option<i64>,
    pub sent_copies: i64,
    /// Recipients whose systems sent a status back (they received it).
    pub acknowledged_by: Vec<String>,
    /// Incoming: the lead (person or unit) it was assigned to, and when first assigned.
    pub lead: Option<String>,
    pub assigned_at_ms: Option<i64>,
}

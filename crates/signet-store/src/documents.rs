//! Documents, their files, numbering from the registers, and lists.
//!
//! Every write here is one transaction that begins by claiming the agency's journal head and
//! ends by appending to the journal, so a document never changes without its journal entry.

use signet_core::document::{Direction, DocumentType, Secrecy, Urgency};
use signet_core::lifecycle::OutgoingState;
use signet_core::person::Viewer;
use signet_core::register::{Notation, Series};
use signet_core::text::fold;
use signet_core::{CoreError, Role};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::directory::{entry, json_str};
use crate::error::corrupt;
use crate::journal::{append, claim_head};
use crate::sql::Builder;
use crate::{new_id, Store, StoreError, StoredBlob, Tx};

/// A document as stored, with its metadata (Nghị định 30 Phụ lục VI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: String,
    pub agency_id: String,
    pub direction: Direction,
    /// `draft`, `submitted`, `signed`, `issued`, `sent` (outgoing); `registered` (incoming).
    pub state: String,
    pub doc_type: DocumentType,
    pub subject: String,
    pub urgency: Urgency,
    pub secrecy: Secrecy,
    pub series: Option<String>,
    pub year: Option<i64>,
    /// Số (outgoing, once issued) or số đến (incoming).
    pub number: Option<i64>,
    /// Số/ký hiệu: ours once issued, or the sender's for an incoming document.
    pub notation: Option<String>,
    pub issued_on: Option<String>,
    /// Tác giả: the issuing agency of an incoming document.
    pub author_name: String,
    pub author_code: String,
    pub signer_name: String,
    pub signer_position: String,
    pub pages: Option<i64>,
    pub recipients: String,
    pub due_on: Option<String>,
    pub drafting_unit_id: Option<String>,
    pub arrived_on: Option<String>,
    pub created_by: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Document {
    pub fn outgoing_state(&self) -> Result<OutgoingState, CoreError> {
        OutgoingState::parse(&self.state)
    }
}

/// A file attached to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFile {
    pub id: String,
    pub document_id: String,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// `main` (the document itself) or `attachment`.
    pub kind: String,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone)]
pub struct NewFile {
    pub blob: StoredBlob,
    pub file_name: String,
    pub content_type: String,
    pub kind: String,
}

/// The metadata shared by new drafts and newly received documents.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub agency_id: String,
    pub doc_type: DocumentType,
    pub subject: String,
    pub urgency: Urgency,
    pub secrecy: Secrecy,
    pub signer_name: String,
    pub signer_position: String,
    pub pages: Option<i64>,
    pub recipients: String,
    pub due_on: Option<String>,
    pub drafting_unit_id: Option<String>,
    pub created_by: String,
    pub files: Vec<NewFile>,
}

/// What an incoming document adds: where it came from and its number there.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub author_name: String,
    pub author_code: String,
    pub notation: String,
    pub issued_on: Option<String>,
    pub arrived_on: String,
    pub year: i32,
}

/// Who issues which document, when, in which year's register.
#[derive(Debug, Clone, Copy)]
pub struct Issue<'a> {
    pub agency_id: &'a str,
    pub id: &'a str,
    pub year: i32,
    /// `YYYY-MM-DD`.
    pub issued_on: &'a str,
    pub actor: &'a str,
    pub at_ms: i64,
}

/// Filters of the document lists. Lists page by keyset (newest first), so page N costs the
/// same as page 1 whatever the size of the table.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub state: Option<String>,
    pub doc_type: Option<DocumentType>,
    pub urgency: Option<Urgency>,
    pub year: Option<i64>,
    /// Free text, matched against the folded subject and notation ("ky so" finds "Ký số").
    pub text: Option<String>,
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// Where a page ends: the last row's creation time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at_ms: i64,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at_ms, self.id)
    }

    pub fn decode(s: &str) -> Option<Self> {
        let (ms, id) = s.split_once('.')?;
        let valid_id =
            !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric());
        valid_id.then_some(())?;
        Some(Self {
            created_at_ms: ms.parse().ok()?,
            id: id.to_owned(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    pub documents: Vec<Document>,
    pub next: Option<Cursor>,
}

const COLUMNS: &str = "id, agency_id, direction, state, doc_type, subject, urgency, secrecy, \
    series, year, number, notation, issued_on, author_name, author_code, signer_name, \
    signer_position, pages, recipients, due_on, drafting_unit_id, arrived_on, created_by, \
    created_at_ms, updated_at_ms";

fn document_from_row(r: &AnyRow) -> Result<Document, StoreError> {
    let text = |c: &str| -> Result<String, StoreError> { Ok(r.try_get::<String, _>(c)?) };
    let direction = text("direction")?;
    Ok(Document {
        id: text("id")?,
        agency_id: text("agency_id")?,
        direction: Direction::parse(&direction).ok_or_else(|| corrupt("direction", &direction))?,
        state: text("state")?,
        doc_type: DocumentType::parse(&text("doc_type")?).map_err(|e| corrupt("type", e))?,
        subject: text("subject")?,
        urgency: Urgency::parse(&text("urgency")?).map_err(|e| corrupt("urgency", e))?,
        secrecy: Secrecy::parse(&text("secrecy")?).map_err(|e| corrupt("secrecy", e))?,
        series: r.try_get("series")?,
        year: r.try_get("year")?,
        number: r.try_get("number")?,
        notation: r.try_get("notation")?,
        issued_on: r.try_get("issued_on")?,
        author_name: text("author_name")?,
        author_code: text("author_code")?,
        signer_name: text("signer_name")?,
        signer_position: text("signer_position")?,
        pages: r.try_get("pages")?,
        recipients: text("recipients")?,
        due_on: r.try_get("due_on")?,
        drafting_unit_id: r.try_get("drafting_unit_id")?,
        arrived_on: r.try_get("arrived_on")?,
        created_by: text("created_by")?,
        created_at_ms: r.try_get("created_at_ms")?,
        updated_at_ms: r.try_get("updated_at_ms")?,
    })
}

/// The document columns with a table alias, for queries that join.
fn prefixed_columns(prefix: &str) -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("{prefix}{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `FROM document_terms t JOIN documents d … WHERE` the longest word matches and every other
/// word is there too (looked up by the full primary key).
fn push_word_search(q: &mut Builder, agency_id: &str, words: &[String]) {
    let mut sorted: Vec<&String> = words.iter().take(8).collect();
    sorted.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    q.push(" FROM document_terms t JOIN documents d ON d.id = t.document_id WHERE t.agency_id = ")
        .text(agency_id);
    for (i, word) in sorted.iter().enumerate() {
        if i == 0 {
            q.push(" AND t.term = ").text(word);
        } else {
            // A per-row count, not EXISTS: PostgreSQL turns EXISTS into a hash semi-join, assumes
            // the words independent, expects one row and sorts every document of the first
            // word (1.4 s at 1M documents). A scalar subquery keeps the plan an ordered walk of
            // the first word with one primary-key probe per row (0.5 ms).
            q.push(" AND (SELECT COUNT(*) FROM document_terms w")
                .push(" WHERE w.agency_id = t.agency_id AND w.term = ")
                .text(word)
                .push(" AND w.created_at_ms = t.created_at_ms")
                .push(" AND w.document_id = t.document_id) > 0");
        }
    }
}

/// The list filters and the secrecy rule, on the `d` alias.
fn push_filters(q: &mut Builder, viewer: &Viewer, f: &ListFilter) {
    if !(viewer.has(Role::Leader) || viewer.has(Role::Clerk)) {
        q.push(" AND (d.secrecy = ")
            .text(Secrecy::None.code())
            .push(" OR d.created_by = ")
            .text(&viewer.person_id)
            .push(")");
    }
    if let Some(s) = &f.state {
        q.push(" AND d.state = ").text(s);
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
}

/// The text the search matches: subject and notation, folded.
fn search_text(subject: &str, notation: Option<&str>, author: &str) -> String {
    fold(&format!("{subject} {} {author}", notation.unwrap_or("")))
}

/// Takes the next number of a counter. The upsert is atomic on both engines: the row lock
/// (PostgreSQL) or the write lock (SQLite) makes concurrent callers wait their turn, and a
/// rolled-back transaction gives its number back, so numbers are gap-free and unique.
async fn next_number(
    tx: &mut Tx,
    agency_id: &str,
    series: &str,
    year: i32,
) -> Result<i64, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO counters (agency_id, series, year, value) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (agency_id, series, year) DO UPDATE SET value = counters.value + 1 \
         RETURNING value",
    )
    .bind(agency_id)
    .bind(series)
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

async fn insert_files(
    tx: &mut Tx,
    doc_id: &str,
    actor: &str,
    at_ms: i64,
    files: &[NewFile],
) -> Result<(), StoreError> {
    for f in files {
        sqlx::query(
            "INSERT INTO blobs (sha256, size, created_at_ms) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&f.blob.sha256)
        .bind(f.blob.size as i64)
        .bind(at_ms)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO document_files (id, document_id, sha256, file_name, content_type, size, kind, created_by, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(doc_id)
        .bind(&f.blob.sha256)
        .bind(&f.file_name)
        .bind(&f.content_type)
        .bind(f.blob.size as i64)
        .bind(&f.kind)
        .bind(actor)
        .bind(at_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn files_json(files: &[NewFile]) -> String {
    let items: Vec<String> = files
        .iter()
        .map(|f| {
            format!(
                "{{\"sha256\":\"{}\",\"name\":{},\"size\":{}}}",
                f.blob.sha256,
                json_str(&f.file_name),
                f.blob.size
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

impl Store {
    /// Stores a new outgoing draft with its files.
    pub async fn insert_draft(&self, d: &NewDocument, at_ms: i64) -> Result<Document, StoreError> {
        let id = new_id();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &d.agency_id).await?;
        insert_document(
            &mut tx,
            &id,
            d,
            Direction::Outgoing,
            OutgoingState::Draft.code(),
            None,
            at_ms,
        )
        .await?;
        insert_files(&mut tx, &id, &d.created_by, at_ms, &d.files).await?;
        let details = format!(
            "{{\"subject\":{},\"type\":\"{}\",\"files\":{}}}",
            json_str(&d.subject),
            d.doc_type.code(),
            files_json(&d.files)
        );
        journal_and_commit(
            tx,
            &d.agency_id,
            &mut head,
            entry(at_ms, &d.created_by, "document.drafted", &id, details),
            &id,
        )
        .await
    }

    /// Registers an incoming document: it takes the next số đến of the year, in order of
    /// receipt (Nghị định 30 Điều 22.2).
    pub async fn register_incoming(
        &self,
        d: &NewDocument,
        arrival: &Arrival,
        at_ms: i64,
    ) -> Result<Document, StoreError> {
        let id = new_id();
        let series = Series::for_incoming(d.secrecy).key();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &d.agency_id).await?;
        let number = next_number(&mut tx, &d.agency_id, &series, arrival.year).await?;
        insert_document(
            &mut tx,
            &id,
            d,
            Direction::Incoming,
            "registered",
            Some(arrival),
            at_ms,
        )
        .await?;
        sqlx::query("UPDATE documents SET series = $1, year = $2, number = $3 WHERE id = $4")
            .bind(&series)
            .bind(i64::from(arrival.year))
            .bind(number)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        insert_files(&mut tx, &id, &d.created_by, at_ms, &d.files).await?;
        let details = format!(
            "{{\"arrival_number\":{number},\"notation\":{},\"from\":{},\"files\":{}}}",
            json_str(&arrival.notation),
            json_str(&arrival.author_name),
            files_json(&d.files)
        );
        journal_and_commit(
            tx,
            &d.agency_id,
            &mut head,
            entry(at_ms, &d.created_by, "document.registered", &id, details),
            &id,
        )
        .await
    }

    /// Moves an outgoing document from one state to the next. The caller has checked the
    /// step against the lifecycle; the `WHERE state` guard catches a concurrent change.
    pub async fn transition(
        &self,
        agency_id: &str,
        id: &str,
        from: OutgoingState,
        to: OutgoingState,
        actor: &str,
        at_ms: i64,
    ) -> Result<Document, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query("UPDATE documents SET state = $1, updated_at_ms = $2 WHERE agency_id = $3 AND id = $4 AND state = $5")
            .bind(to.code())
            .bind(at_ms)
            .bind(agency_id)
            .bind(id)
            .bind(from.code())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            let current = fetch(&mut tx, agency_id, id).await?;
            return Err(CoreError::WrongState {
                expected: from.code(),
                actual: current
                    .outgoing_state()
                    .map(OutgoingState::code)
                    .unwrap_or("unknown"),
            }
            .into());
        }
        let details = format!("{{\"from\":\"{}\",\"to\":\"{}\"}}", from.code(), to.code());
        journal_and_commit(
            tx,
            agency_id,
            &mut head,
            entry(
                at_ms,
                actor,
                &format!("document.{}", to.code()),
                id,
                details,
            ),
            id,
        )
        .await
    }

    /// Issues a signed outgoing document: takes the next number of its series for the year,
    /// writes number and notation (built by `notation` from the number), and journals it.
    pub async fn issue(
        &self,
        req: &Issue<'_>,
        notation: impl FnOnce(u32, &Document) -> Result<Notation, CoreError>,
    ) -> Result<Document, StoreError> {
        let Issue {
            agency_id,
            id,
            year,
            issued_on,
            actor,
            at_ms,
        } = *req;
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let doc = fetch(&mut tx, agency_id, id).await?;
        let state = doc.outgoing_state()?;
        if state != OutgoingState::Signed {
            return Err(CoreError::WrongState {
                expected: "signed",
                actual: state.code(),
            }
            .into());
        }
        let series = Series::for_outgoing(doc.doc_type, doc.secrecy).key();
        let number = next_number(&mut tx, agency_id, &series, year).await?;
        let n = u32::try_from(number).map_err(|_| corrupt("counter", number))?;
        let notation = notation(n, &doc)?.to_string();
        sqlx::query(
            "UPDATE documents SET state = $1, series = $2, year = $3, number = $4, notation = $5, \
             issued_on = $6, search_text = $7, updated_at_ms = $8 WHERE id = $9",
        )
        .bind(OutgoingState::Issued.code())
        .bind(&series)
        .bind(i64::from(year))
        .bind(number)
        .bind(&notation)
        .bind(issued_on)
        .bind(search_text(&doc.subject, Some(&notation), &doc.author_name))
        .bind(at_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        index_terms(&mut tx, agency_id, id, doc.created_at_ms, &notation).await?;
        let details = format!("{{\"number\":{number},\"notation\":{},\"series\":\"{series}\",\"issued_on\":\"{issued_on}\"}}", json_str(&notation));
        journal_and_commit(
            tx,
            agency_id,
            &mut head,
            entry(at_ms, actor, "document.issued", id, details),
            id,
        )
        .await
    }

    /// One document of the viewer's agency, or `NotFound` — also when it belongs to
    /// another agency, so nobody learns that it exists.
    pub async fn document(&self, agency_id: &str, id: &str) -> Result<Document, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM documents WHERE agency_id = $1 AND id = $2"
        ))
        .bind(agency_id)
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        document_from_row(&row)
    }

    pub async fn document_files(&self, document_id: &str) -> Result<Vec<DocumentFile>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, document_id, sha256, file_name, content_type, size, kind, created_at_ms \
             FROM document_files WHERE document_id = $1 ORDER BY created_at_ms, file_name",
        )
        .bind(document_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DocumentFile {
                    id: r.try_get("id")?,
                    document_id: r.try_get("document_id")?,
                    sha256: r.try_get("sha256")?,
                    file_name: r.try_get("file_name")?,
                    content_type: r.try_get("content_type")?,
                    size: r.try_get("size")?,
                    kind: r.try_get("kind")?,
                    created_at_ms: r.try_get("created_at_ms")?,
                })
            })
            .collect()
    }

    /// A page of the viewer's agency's documents in one direction, newest first, with the
    /// secrecy rule of [`Viewer::can_read`] applied in the query.
    ///
    /// Without search text the list walks the `documents_list` index. With it, the query is
    /// driven by the word index: the longest word of the search (likely the rarest) is read
    /// newest first from `document_terms`, and each other word must be there too. A search
    /// with no word in it (only punctuation) finds nothing.
    pub async fn list(
        &self,
        viewer: &Viewer,
        direction: Direction,
        f: &ListFilter,
    ) -> Result<Page, StoreError> {
        let limit = f.limit.clamp(1, 200);
        let words = f.text.as_deref().map(signet_core::text::terms);
        let mut q = Builder::new("SELECT ");
        q.push(&prefixed_columns("d."));
        // Order and cursor columns: the word index's copies when searching, so the index
        // gives the order.
        let (order_at, order_id) = match words.as_deref() {
            None => {
                q.push(" FROM documents d WHERE d.agency_id = ")
                    .text(&viewer.agency_id);
                ("d.created_at_ms", "d.id")
            }
            Some([]) => {
                return Ok(Page {
                    documents: Vec::new(),
                    next: None,
                })
            }
            Some(words) => {
                push_word_search(&mut q, &viewer.agency_id, words);
                ("t.created_at_ms", "t.document_id")
            }
        };
        q.push(" AND d.direction = ").text(direction.as_str());
        push_filters(&mut q, viewer, f);
        if let Some(c) = &f.after {
            // The plain `<=` bound is redundant with the OR below, but it is a range both
            // planners can seek to in the index; without it SQLite walks from the top.
            q.push(&format!(" AND {order_at} <= ")).int(c.created_at_ms);
            q.push(&format!(" AND ({order_at} < ")).int(c.created_at_ms);
            q.push(&format!(" OR ({order_at} = "))
                .int(c.created_at_ms)
                .push(&format!(" AND {order_id} < "))
                .text(&c.id)
                .push("))");
        }
        q.push(&format!(
            " ORDER BY {order_at} DESC, {order_id} DESC LIMIT "
        ))
        .int(i64::from(limit) + 1);
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut documents = rows
            .iter()
            .map(document_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if documents.len() > limit as usize {
            documents.truncate(limit as usize);
            documents.last().map(|d| Cursor {
                created_at_ms: d.created_at_ms,
                id: d.id.clone(),
            })
        } else {
            None
        };
        Ok(Page { documents, next })
    }

    /// A register (sổ đăng ký): the numbered documents of one series and year, by number.
    pub async fn register(
        &self,
        agency_id: &str,
        series: &str,
        year: i64,
    ) -> Result<Vec<Document>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM documents WHERE agency_id = $1 AND series = $2 AND year = $3 \
             AND number IS NOT NULL ORDER BY number"
        ))
        .bind(agency_id)
        .bind(series)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(document_from_row).collect()
    }
}

async fn insert_document(
    tx: &mut Tx,
    id: &str,
    d: &NewDocument,
    direction: Direction,
    state: &str,
    arrival: Option<&Arrival>,
    at_ms: i64,
) -> Result<(), StoreError> {
    let (author_name, author_code) = arrival.map_or((String::new(), String::new()), |a| {
        (a.author_name.clone(), a.author_code.clone())
    });
    let notation = arrival.map(|a| a.notation.clone());
    sqlx::query(
        "INSERT INTO documents (id, agency_id, direction, state, doc_type, subject, search_text, urgency, secrecy, \
         notation, issued_on, author_name, author_code, signer_name, signer_position, pages, recipients, due_on, \
         drafting_unit_id, arrived_on, created_by, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)",
    )
    .bind(id)
    .bind(&d.agency_id)
    .bind(direction.as_str())
    .bind(state)
    .bind(d.doc_type.code())
    .bind(&d.subject)
    .bind(search_text(&d.subject, notation.as_deref(), &author_name))
    .bind(d.urgency.code())
    .bind(d.secrecy.code())
    .bind(notation)
    .bind(arrival.and_then(|a| a.issued_on.clone()))
    .bind(author_name)
    .bind(author_code)
    .bind(&d.signer_name)
    .bind(&d.signer_position)
    .bind(d.pages)
    .bind(&d.recipients)
    .bind(d.due_on.clone())
    .bind(d.drafting_unit_id.clone())
    .bind(arrival.map(|a| a.arrived_on.clone()))
    .bind(&d.created_by)
    .bind(at_ms)
    .execute(&mut **tx)
    .await?;
    let text = search_text(
        &d.subject,
        arrival.map(|a| a.notation.as_str()),
        &arrival.map(|a| a.author_name.clone()).unwrap_or_default(),
    );
    index_terms(tx, &d.agency_id, id, at_ms, &text).await
}

/// Adds a document's words to the word index (words already there are kept).
async fn index_terms(
    tx: &mut Tx,
    agency_id: &str,
    id: &str,
    created_at_ms: i64,
    text: &str,
) -> Result<(), StoreError> {
    for term in signet_core::text::terms(text) {
        sqlx::query(
            "INSERT INTO document_terms (agency_id, term, created_at_ms, document_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (agency_id, term, created_at_ms, document_id) DO NOTHING",
        )
        .bind(agency_id)
        .bind(term)
        .bind(created_at_ms)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Fills the word index for documents stored before it existed (migration 2).
pub(crate) async fn backfill_terms(tx: &mut Tx) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT id, agency_id, created_at_ms, search_text FROM documents")
        .fetch_all(&mut **tx)
        .await?;
    for r in &rows {
        let (id, agency, at, text): (String, String, i64, String) = (
            r.try_get("id")?,
            r.try_get("agency_id")?,
            r.try_get("created_at_ms")?,
            r.try_get("search_text")?,
        );
        index_terms(tx, &agency, &id, at, &text).await?;
    }
    Ok(())
}

/// The end of every document write: journal the change, read the document back as stored,
/// commit.
async fn journal_and_commit(
    mut tx: Tx,
    agency_id: &str,
    head: &mut signet_core::journal::Head,
    entry: signet_core::journal::NewEntry,
    id: &str,
) -> Result<Document, StoreError> {
    append(&mut tx, agency_id, head, entry).await?;
    let doc = fetch(&mut tx, agency_id, id).await?;
    tx.commit().await?;
    Ok(doc)
}

async fn fetch(tx: &mut Tx, agency_id: &str, id: &str) -> Result<Document, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM documents WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    document_from_row(&row)
}

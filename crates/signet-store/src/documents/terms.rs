//! The word index (`document_terms`): what a search matches, how it is kept, how a search
//! query walks it.

use signet_core::ids::{AgencyId, DocumentId};
use signet_core::text::fold;
use sqlx::Row;

use crate::sql::Builder;
use crate::{StoreError, Tx};

/// The text the search matches: subject, notation and author, folded.
pub(super) fn search_text(subject: &str, notation: Option<&str>, author: &str) -> String {
    fold(&format!("{subject} {} {author}", notation.unwrap_or("")))
}

/// Adds a document's words to the word index (words already there are kept).
pub(super) async fn index_terms(
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

/// [`index_terms`] for a document known by its typed ids.
pub(super) async fn index_document(
    tx: &mut Tx,
    agency_id: &AgencyId,
    id: &DocumentId,
    created_at_ms: i64,
    text: &str,
) -> Result<(), StoreError> {
    index_terms(tx, agency_id.as_str(), id.as_str(), created_at_ms, text).await
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

/// `FROM document_terms t JOIN documents d … WHERE` the longest word matches and every other
/// word is there too (looked up by the full primary key).
pub(super) fn push_word_search(q: &mut Builder, agency_id: &AgencyId, words: &[String]) {
    let mut sorted: Vec<&String> = words.iter().take(8).collect();
    sorted.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    q.push(" FROM document_terms t JOIN documents d ON d.id = t.document_id WHERE t.agency_id = ")
        .text(agency_id.as_str());
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

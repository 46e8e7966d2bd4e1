//! The word index (`document_terms`): what a search matches and how it is kept (how a
//! search walks it: [`super::matching`]).

use signet_core::ids::{AgencyId, DocumentId};
use signet_core::text::words_line;
use sqlx::Row;

use crate::{StoreError, Tx};

/// The text the search matches: the folded words of subject, notation and author, one line
/// with a space around each word (see [`words_line`]), so a prefix check is a `LIKE`.
pub(super) fn search_text(subject: &str, notation: Option<&str>, author: &str) -> String {
    words_line(&format!("{subject} {} {author}", notation.unwrap_or("")))
}

/// Adds a document's words and short word prefixes to the word index (keys already there are
/// kept).
pub(super) async fn index_terms(
    tx: &mut Tx,
    agency_id: &str,
    id: &str,
    created_at_ms: i64,
    text: &str,
) -> Result<(), StoreError> {
    for term in signet_core::text::index_keys(text) {
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

/// Rewrites every document's search text as a words line and adds the prefix keys to the
/// word index (migration 9: prefix search).
pub(crate) async fn reindex_for_prefixes(tx: &mut Tx) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT id, search_text FROM documents")
        .fetch_all(&mut **tx)
        .await?;
    for r in &rows {
        let (id, text): (String, String) = (r.try_get("id")?, r.try_get("search_text")?);
        sqlx::query("UPDATE documents SET search_text = $1 WHERE id = $2")
            .bind(words_line(&text))
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    backfill_terms(tx).await
}

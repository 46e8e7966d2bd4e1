//! The word index (`document_terms`): what a search matches, how it is kept, how a search
//! query walks it.

use signet_core::ids::{AgencyId, DocumentId};
use signet_core::text::{words_line, QueryWord};
use sqlx::Row;

use crate::sql::Builder;
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

/// Orders the words rarest first, so the walk follows the key with the fewest rows: each
/// key's rows are counted up to a cap (an index range, bounded, so a common word costs no
/// more than the cap); ties go to whole words, then longer ones. "quyet dinh 12" walks
/// `12*` (a thousand rows) rather than `quyet` (a fifth of all documents).
pub(super) async fn rarest_first(
    pool: &sqlx::AnyPool,
    agency_id: &AgencyId,
    words: Vec<QueryWord>,
) -> Result<Vec<QueryWord>, StoreError> {
    const CAP: i64 = 2000;
    if words.len() < 2 {
        return Ok(words);
    }
    let mut counted = Vec::with_capacity(words.len());
    for w in words.into_iter().take(8) {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM document_terms WHERE agency_id = $1 \
             AND term = $2 LIMIT $3) c",
        )
        .bind(agency_id.as_str())
        .bind(&w.key)
        .bind(CAP)
        .fetch_one(pool)
        .await?;
        counted.push((n, w));
    }
    counted.sort_by_key(|(n, w)| (*n, !w.is_exact(), std::cmp::Reverse(w.key.chars().count())));
    Ok(counted.into_iter().map(|(_, w)| w).collect())
}

/// `FROM document_terms t JOIN documents d … WHERE` the walk's key matches, every other key
/// is there too (looked up by the full primary key), and a long prefix starts a word of the
/// search text. The walk follows the longest whole word (likely the rarest), or the prefix
/// key when the search is one unfinished word. `words` come rarest first ([`rarest_first`]).
pub(super) fn push_word_search(q: &mut Builder, agency_id: &AgencyId, words: &[QueryWord]) {
    let sorted: Vec<&QueryWord> = words.iter().take(8).collect();
    q.push(" FROM document_terms t JOIN documents d ON d.id = t.document_id WHERE t.agency_id = ")
        .text(agency_id.as_str());
    for (i, word) in sorted.iter().enumerate() {
        if let Some(prefix) = &word.starts_word {
            // Words are letters and digits only: no LIKE wildcard can come in.
            q.push(" AND d.search_text LIKE ")
                .text(&format!("% {prefix}%"));
        }
        let word = &word.key;
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

//! Which documents hold every key of a search, newest first: a leapfrog walk over the word
//! index, then the filters in one query per batch of matches.
//!
//! Each key's postings (`document_terms` rows) are read newest first, in batches. The walk
//! moves every key down to the oldest of their heads, so a key that is absent from the newest
//! documents costs one index seek instead of a walk through every newer document of the other
//! words. A single SQL query driven by one key cannot do that: "quyet dinh 12" at a million
//! documents walked 174,000 `quyet` rows, probing `12*` on each, before the first document
//! numbered 12… appeared (880 ms); the walk below seeks there at once.

use std::collections::VecDeque;

use signet_core::ids::AgencyId;
use signet_core::text::QueryWord;
use sqlx::Row;

use super::list::prefixed_columns;
use super::{document_from_row, Cursor, Page};
use crate::sql::Builder;
use crate::StoreError;

/// At most this many keys are walked (the query reader keeps 8 words anyway).
const MAX_KEYS: usize = 8;

/// A place in the word index's newest-first order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Position {
    at: i64,
    id: String,
}

/// The newest position the walk may still read.
#[derive(Debug, Clone)]
enum Upper {
    Top,
    AtOrBefore(Position),
    Before(Position),
}

impl Upper {
    fn admits(&self, p: &Position) -> bool {
        match self {
            Upper::Top => true,
            Upper::AtOrBefore(u) => p <= u,
            Upper::Before(u) => p < u,
        }
    }

    /// The tighter of two bounds.
    fn min(self, other: Upper) -> Upper {
        match (&self, &other) {
            (Upper::Top, _) => other,
            (_, Upper::Top) => self,
            (Upper::AtOrBefore(a) | Upper::Before(a), Upper::AtOrBefore(b) | Upper::Before(b)) => {
                if a < b || (a == b && matches!(self, Upper::Before(_))) {
                    self
                } else {
                    other
                }
            }
        }
    }

    /// `AND …` restricting `t` rows to this bound, as one row-value comparison: both
    /// planners seek it in the index whatever the key. Written as `at <= x AND (at < x OR
    /// (at = x AND id <= y))`, SQLite with its STAT4 statistics judged a key held by most
    /// documents (`so*`) worth a MULTI-INDEX OR and a sort: 46 ms per 64 postings at 100,000
    /// documents, 2.6 s per page of "ky so" at a million.
    fn push_sql(&self, q: &mut Builder) {
        let (p, op) = match self {
            Upper::Top => return,
            Upper::AtOrBefore(p) => (p, "<="),
            Upper::Before(p) => (p, "<"),
        };
        q.push(&format!(" AND (t.created_at_ms, t.document_id) {op} ("))
            .int(p.at)
            .push(", ")
            .text(&p.id)
            .push(")");
    }
}

/// The first read of a key, and every read after a seek.
const FIRST_BATCH: i64 = 64;
const MAX_BATCH: i64 = 4096;

/// One key's postings, read newest first in batches that grow while the key is walked
/// densely.
struct Postings {
    key: String,
    buffered: VecDeque<Position>,
    /// Every posting admitted by the last read's bound (and above the floor) is buffered.
    complete: bool,
    batch: i64,
    /// Of the postings dropped since the last read, those the walk looked at (the front
    /// returned as a head) and those it jumped over.
    looked_at: i64,
    jumped: i64,
    /// Whether the buffer's front has been returned as a head.
    front_seen: bool,
}

impl Postings {
    fn new(key: String) -> Self {
        Self {
            key,
            buffered: VecDeque::new(),
            complete: false,
            batch: FIRST_BATCH,
            looked_at: 0,
            jumped: 0,
            front_seen: false,
        }
    }

    fn drop_front(&mut self) {
        self.buffered.pop_front();
        if std::mem::take(&mut self.front_seen) {
            self.looked_at += 1;
        } else {
            self.jumped += 1;
        }
    }

    /// The next read's size. A key whose postings the walk mostly looked at is walked
    /// densely ("ky so": every `so` document is near a `ky` one): read more at a time. A key
    /// the walk mostly jumped over is being sought (the other words are rare): a big batch
    /// would be thousands of rows read for the one after the jump — "ke hoach kiem tra
    /// 99999" read 4,096 rows per common word at each jump between the numbers' clusters.
    fn next_batch(&mut self) -> i64 {
        let dropped = self.looked_at + self.jumped;
        if dropped == 0 {
            return self.batch;
        }
        let dense = self.looked_at * 8 >= dropped;
        (self.looked_at, self.jumped) = (0, 0);
        if dense {
            (self.batch * 4).min(MAX_BATCH)
        } else {
            FIRST_BATCH
        }
    }

    /// The newest posting the bound admits, reading more when the buffer runs out.
    async fn head(
        &mut self,
        walk: &Bounds<'_>,
        upper: &Upper,
    ) -> Result<Option<Position>, StoreError> {
        loop {
            while let Some(front) = self.buffered.front() {
                if upper.admits(front) {
                    let head = front.clone();
                    self.front_seen = true;
                    return Ok(Some(head));
                }
                self.drop_front();
            }
            if self.complete {
                return Ok(None);
            }
            self.read(walk, upper).await?;
        }
    }

    async fn read(&mut self, walk: &Bounds<'_>, upper: &Upper) -> Result<(), StoreError> {
        self.batch = self.next_batch();
        let mut q = Builder::new(
            "SELECT t.created_at_ms, t.document_id FROM document_terms t WHERE t.agency_id = ",
        );
        q.text(walk.agency_id.as_str())
            .push(" AND t.term = ")
            .text(&self.key);
        upper.push_sql(&mut q);
        if let Some(floor) = walk.floor_ms {
            q.push(" AND t.created_at_ms >= ").int(floor);
        }
        q.push(" ORDER BY t.created_at_ms DESC, t.document_id DESC LIMIT ")
            .int(self.batch);
        let rows = q.query().fetch_all(walk.pool).await?;
        self.complete = (rows.len() as i64) < self.batch;
        for r in &rows {
            self.buffered.push_back(Position {
                at: r.try_get("created_at_ms")?,
                id: r.try_get("document_id")?,
            });
        }
        Ok(())
    }
}

/// What every read of the walk shares.
struct Bounds<'a> {
    pool: &'a sqlx::AnyPool,
    agency_id: &'a AgencyId,
    floor_ms: Option<i64>,
}

/// The leapfrog over every key's postings.
struct Walk<'a> {
    bounds: Bounds<'a>,
    keys: Vec<Postings>,
    upper: Upper,
}

impl Walk<'_> {
    /// The next (older) position every key holds, or `None` once a key has no more.
    async fn next(&mut self) -> Result<Option<Position>, StoreError> {
        loop {
            let mut candidate: Option<Position> = None;
            let mut agree = true;
            for key in &mut self.keys {
                let Some(head) = key.head(&self.bounds, &self.upper).await? else {
                    return Ok(None);
                };
                // Heads are admitted by the bound, which is the candidate once there is one:
                // a head is the candidate or older than it.
                if candidate.as_ref().is_some_and(|c| *c != head) {
                    agree = false;
                }
                if candidate.as_ref().is_none_or(|c| head < *c) {
                    self.upper = Upper::AtOrBefore(head.clone());
                    candidate = Some(head);
                }
            }
            let Some(found) = candidate else {
                return Ok(None);
            };
            if agree {
                self.upper = Upper::Before(found.clone());
                return Ok(Some(found));
            }
        }
    }
}

/// What a word search asks of [`matching_page`] besides the words.
pub(super) struct Search<'a> {
    pub agency_id: &'a AgencyId,
    pub words: &'a [QueryWord],
    pub after: Option<&'a Cursor>,
    /// Created at or after this instant (ms).
    pub from_ms: Option<i64>,
    /// Created before this instant (ms).
    pub to_ms: Option<i64>,
    pub limit: u32,
}

/// A page of the documents holding every word, newest first, that also pass `filters`
/// (`AND …` clauses on the `d` alias: the secrecy rule, states, units…).
pub(super) async fn matching_page(
    pool: &sqlx::AnyPool,
    s: &Search<'_>,
    filters: impl Fn(&mut Builder),
) -> Result<Page, StoreError> {
    let mut keys: Vec<String> = s.words.iter().map(|w| w.key.clone()).collect();
    keys.dedup();
    keys.truncate(MAX_KEYS);
    if keys.is_empty() {
        return Ok(Page {
            documents: Vec::new(),
            next: None,
        });
    }
    let mut upper = Upper::Top;
    if let Some(c) = s.after {
        upper = upper.min(Upper::Before(Position {
            at: c.created_at_ms,
            id: c.id.as_str().to_owned(),
        }));
    }
    if let Some(to) = s.to_ms {
        // (to, "") admits every earlier time and nothing at `to` itself.
        upper = upper.min(Upper::Before(Position {
            at: to,
            id: String::new(),
        }));
    }
    let mut walk = Walk {
        bounds: Bounds {
            pool,
            agency_id: s.agency_id,
            floor_ms: s.from_ms,
        },
        keys: keys.into_iter().map(Postings::new).collect(),
        upper,
    };
    let wanted = s.limit as usize + 1;
    let mut documents = Vec::new();
    let mut ended = false;
    while documents.len() < wanted && !ended {
        let mut batch = Vec::new();
        while batch.len() < (wanted - documents.len()).max(16) {
            match walk.next().await? {
                Some(p) => batch.push(p),
                None => {
                    ended = true;
                    break;
                }
            }
        }
        documents.extend(passing(pool, s, &batch, &filters).await?);
    }
    Ok(Page::of(documents, s.limit))
}

/// The documents of `batch` that pass the filters and whose text has every long prefix at the
/// start of a word, in the batch's order.
async fn passing(
    pool: &sqlx::AnyPool,
    s: &Search<'_>,
    batch: &[Position],
    filters: &impl Fn(&mut Builder),
) -> Result<Vec<super::Document>, StoreError> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    // The batch's ids drive the query, each document read by its primary key: with `d.id IN
    // (…)` beside the filters, SQLite (no statistics) chose an index on the agency or the
    // direction and read a million rows (1.7 s). `CROSS JOIN` keeps the ids the outer loop
    // in SQLite; PostgreSQL reads it as a plain join.
    let mut q = Builder::new("SELECT ");
    q.push(&prefixed_columns("d."));
    q.push(" FROM (");
    for (i, p) in batch.iter().enumerate() {
        q.push(if i == 0 {
            "SELECT "
        } else {
            " UNION ALL SELECT "
        })
        .text(&p.id)
        .push(" AS id");
    }
    q.push(") c CROSS JOIN documents d WHERE d.id = c.id AND d.agency_id = ")
        .text(s.agency_id.as_str());
    for prefix in s.words.iter().filter_map(|w| w.starts_word.as_deref()) {
        // Words are letters and digits only: no LIKE wildcard can come in.
        q.push(" AND d.search_text LIKE ")
            .text(&format!("% {prefix}%"));
    }
    filters(&mut q);
    let rows = q.query().fetch_all(pool).await?;
    let mut found = rows
        .iter()
        .map(document_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let order = |id: &str| batch.iter().position(|p| p.id == id);
    found.sort_by_key(|d| order(d.id.as_str()));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(looked_at: i64, jumped: i64, batch: i64) -> i64 {
        let mut p = Postings::new("ky".into());
        (p.batch, p.looked_at, p.jumped) = (batch, looked_at, jumped);
        p.next_batch()
    }

    #[test]
    fn a_key_walked_densely_is_read_in_growing_batches_and_a_sought_one_in_small_ones() {
        // Nothing dropped yet (the first read): the size stays.
        assert_eq!(after(0, 0, FIRST_BATCH), FIRST_BATCH);
        // "so" beside "ky": one posting in five looked at is dense.
        assert_eq!(after(13, 51, 64), 256);
        assert_eq!(after(400, 0, 1024), MAX_BATCH);
        assert_eq!(after(4000, 96, MAX_BATCH), MAX_BATCH);
        // A jump over a big batch: the next read is small again.
        assert_eq!(after(1, 4095, MAX_BATCH), FIRST_BATCH);
        assert_eq!(after(2, 62, 256), FIRST_BATCH);
    }

    #[test]
    fn a_posting_counts_as_looked_at_only_once_returned_as_a_head() {
        let mut p = Postings::new("ky".into());
        for at in [3, 2, 1] {
            p.buffered.push_back(Position {
                at,
                id: String::new(),
            });
        }
        p.front_seen = true;
        p.drop_front();
        p.drop_front();
        p.drop_front();
        assert_eq!((p.looked_at, p.jumped), (1, 2));
    }
}

//! The recount of one month over a province's six years (issue 10: "a recount of a month
//! over 8.5 million documents in < 30 s"), run with `cargo bench -p signet-store --bench
//! recount` (`SIGNET_RECOUNT_DOCUMENTS` to change the size; PostgreSQL too when
//! SIGNET_TEST_DATABASE_URL is set).
//!
//! The fixture is written in SQL, not through the store's journaled writes (which would take
//! hours): 1,739 agencies; 8.5 million documents over 72 months (2021-01 … 2026-12), half
//! issued outgoing documents with their signature verdicts, half incoming ones with their
//! processing records (nine in ten done, on time or late); the monthly counters as the
//! writes would have kept them. Then `Store::recount` of one month (the question `signet
//! statistics recount --month` asks), five times, and of every month once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::time::{Duration, Instant};

use signet_store::testing::{self, TestDb};

const AGENCIES: u64 = 1_739;
const MONTHS: u64 = 72;
const BATCH: u64 = 500_000;

/// The engine's pieces of the generating SQL.
struct Dialect {
    /// Rows `i` from `$from` to `$to` (inclusive), as a FROM clause naming the column `i`.
    series: fn(u64, u64) -> String,
    /// An id from an integer expression.
    hex: fn(&str) -> String,
    /// An ISO date from year, month and day integer expressions.
    date: fn(&str, &str, &str) -> String,
}

const SQLITE: Dialect = Dialect {
    series: |a, b| {
        format!(
            "(WITH RECURSIVE s(i) AS (SELECT {a} UNION ALL SELECT i + 1 FROM s WHERE i < {b}) \
             SELECT i FROM s) AS g"
        )
    },
    hex: |e| format!("printf('%032x', {e})"),
    date: |y, m, d| format!("printf('%04d-%02d-%02d', {y}, {m}, {d})"),
};

const POSTGRES: Dialect = Dialect {
    series: |a, b| format!("generate_series({a}::bigint, {b}::bigint) AS g(i)"),
    hex: |e| format!("lpad(to_hex({e}), 32, '0')"),
    date: |y, m, d| {
        format!("format('%s-%s-%s', {y}, lpad(({m})::text, 2, '0'), lpad(({d})::text, 2, '0'))")
    },
};

/// Document `i`'s agency, month (0 … 71) and date.
fn parts(d: &Dialect) -> (String, String) {
    let agency = format!("'a' || ({})", (d.hex)(&format!("i % {AGENCIES}")));
    let month = format!("((i / {AGENCIES}) % {MONTHS})");
    let date = (d.date)(
        &format!("2021 + {month} / 12"),
        &format!("{month} % 12 + 1"),
        "(i % 28) + 1",
    );
    (agency, date)
}

async fn build(db: &TestDb, d: &Dialect, documents: u64) {
    let started = Instant::now();
    let exec = |sql: String| async move { testing::execute(&db.store, &sql).await.unwrap() };
    exec(format!(
        "INSERT INTO agencies (id, code, name, abbreviation, created_at_ms) \
         SELECT 'a' || ({h}), 'B' || ({h}), 'Cơ quan ' || i, 'CQ', 0 FROM {s}",
        h = (d.hex)("i"),
        s = (d.series)(0, AGENCIES - 1)
    ))
    .await;
    let first = format!("'a' || ({})", (d.hex)("0"));
    exec(format!(
        "INSERT INTO people (id, agency_id, username, full_name, roles, password_hash, created_at_ms) \
         VALUES ('p0', {first}, 'bench', 'Bench', 'officer', 'x', 0)"
    ))
    .await;
    let (agency, date) = parts(d);
    let id = (d.hex)("i");
    let mut from = 0;
    while from < documents {
        let to = (from + BATCH).min(documents) - 1;
        let s = (d.series)(from, to);
        exec(format!(
            "INSERT INTO documents (id, agency_id, direction, state, doc_type, subject, search_text, \
             urgency, secrecy, issued_on, arrived_on, created_by, created_at_ms, updated_at_ms) \
             SELECT {id}, {agency}, CASE WHEN i % 2 = 0 THEN 'outgoing' ELSE 'incoming' END, \
             CASE WHEN i % 2 = 0 THEN 'issued' WHEN i % 10 = 1 THEN 'processing' ELSE 'done' END, \
             'cong-van', 'Văn bản', ' van ban ', 'thuong', 'none', \
             CASE WHEN i % 2 = 0 THEN {date} END, CASE WHEN i % 2 = 1 THEN {date} END, \
             'p0', i, i FROM {s}"
        ))
        .await;
        exec(format!(
            "INSERT INTO signature_verdicts (document_id, agency_id, file_sha256, \
             leader_signature_valid, seal_valid, verified_at_ms, month) \
             SELECT {id}, {agency}, '', CASE WHEN i % 50 = 0 THEN 0 ELSE 1 END, 1, 0, substr({date}, 1, 7) \
             FROM {s} WHERE i % 2 = 0"
        ))
        .await;
        exec(format!(
            "INSERT INTO incoming_processing (document_id, agency_id, instruction, deadline, \
             assigned_by, assigned_at_ms, done_on) \
             SELECT {id}, {agency}, 'Xử lý', {date}, 'p0', 0, \
             CASE WHEN i % 10 = 1 THEN NULL WHEN i % 7 = 0 THEN '2099-01-01' ELSE {date} END \
             FROM {s} WHERE i % 2 = 1"
        ))
        .await;
        from = to + 1;
        eprintln!(
            "  {} documents, {:.0} s",
            from,
            started.elapsed().as_secs_f64()
        );
    }
    // The counters as the journaled writes keep them: from the rows, once.
    exec(
        "INSERT INTO unit_month_stats (agency_id, month, issued, leader_signed_valid, sealed_valid, \
         incoming, done_on_time, overdue, in_progress) \
         SELECT d.agency_id, substr(COALESCE(d.issued_on, d.arrived_on), 1, 7), \
         SUM(CASE WHEN d.direction = 'outgoing' THEN 1 ELSE 0 END), \
         CAST(COALESCE(SUM(v.leader_signature_valid), 0) AS BIGINT), \
         CAST(COALESCE(SUM(v.seal_valid), 0) AS BIGINT), \
         SUM(CASE WHEN d.direction = 'incoming' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN p.done_on IS NOT NULL AND p.done_on <= p.deadline THEN 1 ELSE 0 END), \
         SUM(CASE WHEN p.done_on IS NOT NULL AND p.done_on > p.deadline THEN 1 ELSE 0 END), \
         SUM(CASE WHEN d.direction = 'incoming' AND d.state NOT IN ('done', 'returned') THEN 1 ELSE 0 END) \
         FROM documents d LEFT JOIN signature_verdicts v ON v.document_id = d.id \
         LEFT JOIN incoming_processing p ON p.document_id = d.id \
         GROUP BY d.agency_id, substr(COALESCE(d.issued_on, d.arrived_on), 1, 7)"
            .to_owned(),
    )
    .await;
    if db.label == "postgres" {
        exec("VACUUM ANALYZE".to_owned()).await;
    }
    eprintln!(
        "  fixture: {documents} documents in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(db: TestDb, d: &Dialect, documents: u64) {
    eprintln!("-- {}", db.label);
    build(&db, d, documents).await;
    let mut times = Vec::new();
    for month in ["2024-06", "2022-02", "2026-11", "2021-01", "2025-08"] {
        let t = Instant::now();
        let diff = db.store.recount(Some(month)).await.unwrap();
        times.push(t.elapsed());
        assert!(diff.is_empty(), "{month}: {diff:?}");
    }
    times.sort();
    let t = Instant::now();
    let all = db.store.recount(None).await.unwrap();
    let whole = t.elapsed();
    assert!(all.is_empty(), "{}", all.len());
    println!(
        "| {} | {documents} | one month | 5 | {:.0} | {:.0} |",
        db.label,
        ms(times[2]),
        ms(times[4])
    );
    println!(
        "| {} | {documents} | every month (72) | 1 | {:.0} | {:.0} |",
        db.label,
        ms(whole),
        ms(whole)
    );
    db.cleanup().await;
}

#[tokio::main]
async fn main() {
    let documents: u64 = std::env::var("SIGNET_RECOUNT_DOCUMENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8_500_000);
    println!("| database | documents | recount | runs | p50 ms | max ms |");
    println!("|---|---|---|---|---|---|");
    run(testing::sqlite().await.unwrap(), &SQLITE, documents).await;
    if let Some(url) = testing::postgres_url() {
        run(testing::postgres(&url).await.unwrap(), &POSTGRES, documents).await;
    }
}

//! Archive renewal throughput (issue 11 §4: "10,000 documents re-timestamped in < 5 minutes
//! with the built-in TSA"), run with `cargo bench -p signet-app --bench renewal`
//! (`SIGNET_RENEWAL_DOCUMENTS` to change the count; PostgreSQL too when
//! SIGNET_TEST_DATABASE_URL is set).
//!
//! The fixture: one document drafted, signed by the leader (a device key from the built-in
//! CA) and issued with the agency's seal (B-LT) through the application; then as many issued
//! documents again whose current file is that PDF (rows copied in SQL: the renewal reads each
//! document's file, so sharing the bytes changes nothing of its work). Then
//! `App::renew_archives` with a horizon past the TSA certificate's expiry, as the daily job
//! and `signet archive renew` run it: for every document the validation data of everything
//! in its file and a new document timestamp from the built-in TSA, stored as a new revision
//! and journaled.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::time::Instant;

use signet_app::testing::chairman_key;
use signet_app::testing::support::{
    app_with_tsa, init_ca, leader_signs, submitted_draft, viewer, TestClock,
};
use signet_store::testing::{self, TestDb};
use time::OffsetDateTime;

async fn run(db: TestDb, documents: usize) {
    eprintln!("-- {}", db.label);
    let now = OffsetDateTime::now_utc();
    init_ca(&db.dir, now);
    let app = app_with_tsa(&db, TestClock::at(now), None).await;
    assert!(app.seed_demo().await.unwrap());
    let officer = viewer(&app, "chuyenvien.vp").await;
    let leader = viewer(&app, "lanhdao.ubnd").await;
    let clerk = viewer(&app, "vanthu.ubnd").await;
    let (key, chain) = chairman_key(&app, Some("Chủ tịch")).await.unwrap();
    let doc = submitted_draft(&app, &officer, "Về việc lưu trữ lâu dài").await;
    leader_signs(&app, &leader, &doc, &key, &chain).await;
    let issued = app.issue_step(&clerk, &doc).await.unwrap();
    assert_eq!(issued.state.code(), "issued");
    let file = app
        .store
        .current_file(&clerk.agency_id, &doc)
        .await
        .unwrap()
        .unwrap();
    let started = Instant::now();
    for k in 1..documents {
        let (d, f) = (format!("bench{k:027}"), format!("benchfile{k:023}"));
        testing::execute(
            &db.store,
            &format!(
                "INSERT INTO documents (id, agency_id, direction, state, doc_type, subject, \
                 search_text, urgency, secrecy, series, year, number, notation, issued_on, \
                 created_by, created_at_ms, updated_at_ms) SELECT '{d}', agency_id, direction, \
                 state, doc_type, subject, search_text, urgency, secrecy, series, year, \
                 number + {k}, notation, issued_on, created_by, created_at_ms, updated_at_ms \
                 FROM documents WHERE id = '{doc}'"
            ),
        )
        .await
        .unwrap();
        testing::execute(
            &db.store,
            &format!(
                "INSERT INTO document_files (id, document_id, sha256, file_name, content_type, \
                 size, kind, created_by, created_at_ms, version) SELECT '{f}', '{d}', sha256, \
                 file_name, content_type, size, kind, created_by, created_at_ms, version \
                 FROM document_files WHERE id = '{}'",
                file.id
            ),
        )
        .await
        .unwrap();
    }
    eprintln!(
        "  fixture: {documents} issued documents in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let horizon = now + time::Duration::days(365 * 40);
    let t = Instant::now();
    let run = app.renew_archives(horizon, false).await.unwrap();
    let took = t.elapsed().as_secs_f64();
    assert!(run.failed.is_empty(), "{:?}", run.failed.first());
    assert_eq!(run.renewed.len(), documents, "{run:?}");
    println!(
        "| {} | {documents} | {:.1} | {:.1} | {:.2} |",
        db.label,
        took,
        documents as f64 / took,
        1000.0 * took / documents as f64
    );
    db.cleanup().await;
}

#[tokio::main]
async fn main() {
    let documents: usize = std::env::var("SIGNET_RENEWAL_DOCUMENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    println!("| database | documents | seconds | documents/s | ms per document |");
    println!("|---|---|---|---|---|");
    run(testing::sqlite().await.unwrap(), documents).await;
    if let Some(url) = testing::postgres_url() {
        run(testing::postgres(&url).await.unwrap(), documents).await;
    }
}

//! Signing from the web (issue 9 §9), run with `cargo bench -p signet-web --bench websign`:
//! the server's time from the leader's signature arriving (`POST /api/v1/signatures/{id}/
//! complete`) to the signed revision stored and the answer sent (the document and its
//! signature panel), for a 1 MB PDF, in-process through the whole router, on SQLite. The
//! device's time (PIN, token) is outside: the signatures are made before the clock starts.
//! Prints a Markdown line for BENCHMARKS.md.
// Bench code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine;
use http_body_util::BodyExt;
use signet_app::{App, SystemClock};
use signet_core::person::Viewer;
use signet_pki::RawSigner;
use signet_store::documents::{NewDocument, NewFile};
use signet_store::BlobStore;
use tower::ServiceExt;

const RUNS: usize = 30;

async fn viewer(app: &App, username: &str) -> Viewer {
    let p = app.store.person_by_username(username).await.unwrap();
    Viewer {
        person_id: p.id,
        agency_id: p.agency_id,
        roles: p.roles,
    }
}

/// A one-page PDF of about 1 MB (a large content stream).
fn one_megabyte_pdf(i: usize) -> Vec<u8> {
    let mut content = format!("BT /F1 12 Tf 72 760 Td (Van ban {i}) Tj ET\n").into_bytes();
    while content.len() < 1 << 20 {
        content.extend_from_slice(b"% padding padding padding padding padding padding padding\n");
    }
    signet_pdf::one_page_pdf([0.0, 0.0, 595.0, 842.0], &content)
}

#[tokio::main]
async fn main() {
    let db = signet_store::testing::sqlite().await.unwrap();
    signet_app::ca_dir::init(
        &db.dir.join("ca"),
        "CA bench",
        "http://127.0.0.1:9",
        signet_pki::KeyAlg::EcdsaP256,
        None,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let blobs = BlobStore::open(db.dir.join("files"), 1 << 30)
        .await
        .unwrap();
    let ca = signet_app::ca_service::BuiltInCa::open(&db.dir.join("ca")).unwrap();
    let app = App::new(db.store.clone(), blobs, Arc::new(SystemClock)).with_ca(ca);
    app.seed_demo().await.unwrap();
    let router = signet_web::router(app.clone(), signet_web::WebConfig::default());
    let officer = viewer(&app, "chuyenvien.vp").await;
    let leader = viewer(&app, "lanhdao.ubnd").await;
    let token = app
        .sign_in("lanhdao.ubnd", signet_app::demo::DEMO_PASSWORD, "bench")
        .await
        .unwrap()
        .token;
    let (key, chain) = signet_app::testing::chairman_key(&app, None).await.unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for i in 0..RUNS {
        let pdf = one_megabyte_pdf(i);
        size = pdf.len();
        let mut w = app.blobs.writer().await.unwrap();
        w.write(&pdf).await.unwrap();
        let blob = w.finish().await.unwrap();
        let new = NewDocument {
            agency_id: officer.agency_id.clone(),
            doc_type: signet_core::document::DocumentType::CongVan,
            subject: format!("Văn bản thử {i}"),
            urgency: Default::default(),
            secrecy: Default::default(),
            signer_name: String::new(),
            signer_position: String::new(),
            pages: Some(1),
            recipients: String::new(),
            due_on: None,
            drafting_unit_id: None,
            created_by: officer.person_id.clone(),
            files: vec![NewFile {
                blob,
                file_name: "a.pdf".into(),
                content_type: "application/pdf".into(),
                kind: "main".into(),
            }],
        };
        let d = app
            .store
            .insert_draft(&new, app.clock.now_ms())
            .await
            .unwrap();
        app.submit(&officer, &d.id).await.unwrap();
        let p = app
            .prepare_signature(&leader, &d.id, "agent", chain.clone())
            .await
            .unwrap();
        let row = app
            .store
            .pending_signature(&leader.agency_id, &p.pending_id)
            .await
            .unwrap();
        let pending: signet_pades::sign::Pending = serde_json::from_str(&row.state_json).unwrap();
        let signature = key.sign(&pending.to_be_signed).unwrap();
        let body = serde_json::json!({
            "signatures": [b64.encode(&signature)],
            "certificate_chain": chain.iter().map(|c| b64.encode(c)).collect::<Vec<_>>(),
        });
        let req = Request::post(format!("/api/v1/signatures/{}/complete", p.pending_id))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let start = Instant::now();
        let res = router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        times.push(start.elapsed());
        assert_eq!(
            status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p50 = ms(times[times.len() / 2]);
    let max = ms(*times.last().unwrap());
    println!(
        "| Leader's signature arriving → signed revision stored (B-T, in-process TSA) + answer, {:.2} MB PDF, SQLite, {RUNS} runs | p50 {p50:.1} ms | max {max:.1} ms |",
        size as f64 / (1 << 20) as f64
    );
    db.cleanup().await;
}

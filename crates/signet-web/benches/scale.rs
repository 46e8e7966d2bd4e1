//! Scale benchmarks, run with `cargo bench -p signet-web --bench scale`:
//!
//! 1. The outgoing list page with SIGNET_BENCH_DOCS documents (default 1,000,000) in one
//!    agency: server time of the whole request (session, query, template), in-process.
//!    The same for the search page across directions (issue 10 §6).
//! 2. The daily pages (issue 13: "every page of the daily flow < 100 ms p99 with 1M documents
//!    and 40,000 people"): with SIGNET_BENCH_PEOPLE people (default 40,000) added to the
//!    agency, "Việc của tôi" for the officer, the leader and the clerk, a draft's page (its
//!    route form offers the people), a submitted document's page for the leader, the
//!    incoming list and the register.
//! 3. Issuance numbering throughput under concurrency.
//!
//! On SQLite always; on PostgreSQL too when SIGNET_TEST_DATABASE_URL is set. Prints a
//! Markdown table for BENCHMARKS.md.
// Test code: a failed step panics with its message, and the clock and random source are
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
use http_body_util::BodyExt;
use signet_app::{App, SystemClock};
use signet_core::person::Viewer;
use signet_store::testing::{self, TestDb};
use signet_store::BlobStore;
use tower::ServiceExt;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn app_on(db: &TestDb) -> App {
    let blobs = BlobStore::open(db.dir.join("files"), 1 << 30)
        .await
        .unwrap();
    App::new(db.store.clone(), blobs, Arc::new(SystemClock))
}

async fn viewer(app: &App, username: &str) -> Viewer {
    let p = app.store.person_by_username(username).await.unwrap();
    Viewer {
        person_id: p.id,
        agency_id: p.agency_id,
        roles: p.roles,
    }
}

/// Times `n` GETs of `uri` through the router; returns (p50, p99, max) in ms.
async fn time_get(router: &axum::Router, cookie: &str, uri: &str, n: usize) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let req = Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let start = Instant::now();
        let res = router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        times.push(start.elapsed());
        assert_eq!(
            status,
            StatusCode::OK,
            "{uri}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        );
    }
    times.sort();
    (
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
    )
}

async fn list_bench(label: &str, app: &App, docs: usize) {
    let officer = viewer(app, "chuyenvien.vp").await;
    let start = Instant::now();
    testing::bulk_documents(
        &app.store,
        &officer.agency_id,
        &officer.person_id,
        docs,
        1_600_000_000_000,
    )
    .await
    .unwrap();
    testing::analyze(&app.store).await.unwrap();
    eprintln!(
        "[{label}] inserted {docs} documents in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let session = app
        .sign_in("chuyenvien.vp", signet_app::demo::DEMO_PASSWORD, "bench")
        .await
        .unwrap();
    let cookie = format!("signet_session={}", session.token);
    let router = signet_web::router(app.clone(), signet_web::WebConfig::default());
    // A cursor half-way down the list: keyset paging makes page 10,000 cost what page 1 does.
    let mid = format!(
        "{}.{:032x}",
        1_600_000_000_000i64 + 3 * 365 * 24 * 3600 * 1000,
        docs / 2
    );
    let n = env_usize("SIGNET_BENCH_REQUESTS", 500);
    let cases = [
        ("/outgoing (page 1)", "/outgoing".to_owned(), n),
        (
            "/outgoing, deep page (cursor at 50%)",
            format!("/outgoing?after={mid}"),
            n,
        ),
        (
            "/outgoing?type=quyet-dinh",
            "/outgoing?type=quyet-dinh".to_owned(),
            n,
        ),
        (
            "/outgoing?state=issued&urgency=khan",
            "/outgoing?state=issued&urgency=khan".to_owned(),
            n,
        ),
        (
            "/outgoing?q=ky so (search, common words)",
            "/outgoing?q=ky%20so".to_owned(),
            20,
        ),
        (
            "/outgoing?q=… (search, no match)",
            "/outgoing?q=khong%20co%20van%20ban%20nay".to_owned(),
            10,
        ),
        // The search page (issue 10 §6): both directions, the last word a prefix.
        ("/search?q=ky so", "/search?q=ky%20so".to_owned(), n),
        (
            "/search?q=quyet dinh 12 (prefix 12*)",
            "/search?q=quyet%20dinh%2012".to_owned(),
            n,
        ),
        (
            "/search?q=quyet (one prefix, long: quy* + word check)",
            "/search?q=quyet".to_owned(),
            n,
        ),
        (
            "/search?q=ke hoach kiem tra 99999 (rare)",
            "/search?q=ke%20hoach%20kiem%20tra%2099999".to_owned(),
            n,
        ),
        (
            "/search?q=… (no match)",
            "/search?q=khong%20co%20van%20ban%20nay".to_owned(),
            n,
        ),
        (
            "/search?q=ky so, deep page (cursor at 50%)",
            format!("/search?q=ky%20so&after={mid}"),
            n,
        ),
    ];
    for (name, uri, count) in cases {
        let _ = time_get(&router, &cookie, &uri, 5).await; // warm caches
        let (p50, p99, max) = time_get(&router, &cookie, &uri, count).await;
        println!("| {label} | {name} | {docs} | {count} | {p50:.2} | {p99:.2} | {max:.2} |");
    }
    // The floor: the same first-page query through the store alone, no HTTP, no template.
    let filter = signet_store::documents::ListFilter {
        limit: 50,
        ..Default::default()
    };
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let page = app
            .store
            .list(&officer, signet_core::Direction::Outgoing, &filter)
            .await
            .unwrap();
        times.push(start.elapsed());
        assert_eq!(page.documents.len(), 50);
    }
    times.sort();
    let (p50, p99, max) = (
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
    );
    println!("| {label} | floor: the page-1 query alone (Store::list) | {docs} | {n} | {p50:.2} | {p99:.2} | {max:.2} |");
}

/// Adds `n` people to the agency in SQL (half of them in the officer's unit: the route form's
/// worst case), in statements of 1,000 rows.
async fn bulk_people(app: &App, like: &Viewer, n: usize) {
    let unit = app
        .store
        .person(&like.person_id)
        .await
        .unwrap()
        .unit_id
        .map(|u| u.to_string());
    let mut done = 0;
    while done < n {
        let batch = 1_000.min(n - done);
        let rows: Vec<String> = (done..done + batch)
            .map(|i| {
                let unit = match (&unit, i % 2) {
                    (Some(u), 0) => format!("'{u}'"),
                    _ => "NULL".to_owned(),
                };
                format!(
                    "('bench-person-{i}', '{}', {unit}, 'bench.person.{i}', 'Cán bộ {i}', \
                     'Chuyên viên', 'officer', 'x', 0)",
                    like.agency_id
                )
            })
            .collect();
        testing::execute(
            &app.store,
            &format!(
                "INSERT INTO people (id, agency_id, unit_id, username, full_name, title, roles, \
                 password_hash, created_at_ms) VALUES {}",
                rows.join(", ")
            ),
        )
        .await
        .unwrap();
        done += batch;
    }
}

/// A session cookie for a demo person.
async fn cookie_of(app: &App, username: &str) -> String {
    let s = app
        .sign_in(username, signet_app::demo::DEMO_PASSWORD, "bench")
        .await
        .unwrap();
    format!("signet_session={}", s.token)
}

/// The pages of a day's work, with `people` people in the agency (after [`list_bench`]'s
/// documents).
async fn daily_bench(label: &str, app: &App, docs: usize, people: usize) {
    let officer = viewer(app, "chuyenvien.vp").await;
    let start = Instant::now();
    bulk_people(app, &officer, people).await;
    testing::analyze(&app.store).await.unwrap();
    eprintln!(
        "[{label}] added {people} people in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let router = signet_web::router(app.clone(), signet_web::WebConfig::default());
    let (officer_c, leader_c, clerk_c) = (
        cookie_of(app, "chuyenvien.vp").await,
        cookie_of(app, "lanhdao.ubnd").await,
        cookie_of(app, "vanthu.ubnd").await,
    );
    let form = signet_app::documents::DocumentForm {
        doc_type: "cong-van".into(),
        subject: "Dự thảo đo trang chi tiết".into(),
        ..Default::default()
    };
    let draft = app.create_draft(&officer, &form, Vec::new()).await.unwrap();
    let submitted = app.create_draft(&officer, &form, Vec::new()).await.unwrap();
    app.submit(&officer, &submitted.id).await.unwrap();
    let year = time::OffsetDateTime::now_utc().year();
    let n = env_usize("SIGNET_BENCH_REQUESTS", 500);
    let cases = [
        ("/my-work (officer)", "/my-work".to_owned(), &officer_c),
        ("/my-work (leader)", "/my-work".to_owned(), &leader_c),
        ("/my-work (clerk)", "/my-work".to_owned(), &clerk_c),
        (
            "/documents/{draft} (officer: route form)",
            format!("/documents/{}", draft.id),
            &officer_c,
        ),
        (
            "/documents/{submitted} (leader)",
            format!("/documents/{}", submitted.id),
            &leader_c,
        ),
        (
            "/incoming (page 1, clerk)",
            "/incoming".to_owned(),
            &clerk_c,
        ),
        (
            "/registers?book=di (clerk)",
            format!("/registers?book=di&year={year}"),
            &clerk_c,
        ),
    ];
    for (name, uri, cookie) in cases {
        let _ = time_get(&router, cookie, &uri, 5).await;
        let (p50, p99, max) = time_get(&router, cookie, &uri, n).await;
        println!(
            "| {label} | {name}, {people} people | {docs} | {n} | {p50:.2} | {p99:.2} | {max:.2} |"
        );
    }
}

async fn numbering_bench(label: &str, app: &App, count: usize, concurrency: usize) {
    let officer = viewer(app, "chuyenvien.vp").await;
    let leader = viewer(app, "lanhdao.ubnd").await;
    let clerk = viewer(app, "vanthu.ubnd").await;
    let mut ids = Vec::with_capacity(count);
    let form = signet_app::documents::DocumentForm {
        doc_type: "cong-van".into(),
        subject: "Đo thông lượng cấp số".into(),
        ..Default::default()
    };
    for _ in 0..count {
        let d = app.create_draft(&officer, &form, Vec::new()).await.unwrap();
        app.submit(&officer, &d.id).await.unwrap();
        app.sign(&leader, &d.id).await.unwrap();
        ids.push(d.id);
    }
    let sem = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let start = Instant::now();
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (app, clerk, sem) = (app.clone(), clerk.clone(), sem.clone());
            tokio::spawn(async move {
                let _permit = sem.acquire().await.unwrap();
                app.issue(&clerk, &id).await.unwrap().number.unwrap()
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), count, "numbers must be unique");
    println!(
        "| {label} | {count} | {concurrency} | {secs:.2} | {:.0} |",
        count as f64 / secs
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let docs = env_usize("SIGNET_BENCH_DOCS", 1_000_000);
        let issuances = env_usize("SIGNET_BENCH_ISSUANCES", 2_000);
        // SIGNET_BENCH_POSTGRES_ONLY=1 skips SQLite (its 1M fixture takes ~28 minutes).
        let mut dbs = Vec::new();
        if std::env::var("SIGNET_BENCH_POSTGRES_ONLY").is_err() {
            dbs.push(("SQLite", testing::sqlite().await.unwrap()));
        }
        if let Some(url) = testing::postgres_url() {
            dbs.push(("PostgreSQL", testing::postgres(&url).await.unwrap()));
        }
        println!("\n| database | request | documents | requests | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|");
        let mut apps = Vec::new();
        for (label, db) in &dbs {
            let app = app_on(db).await;
            app.seed_demo().await.unwrap();
            list_bench(label, &app, docs).await;
            let people = env_usize("SIGNET_BENCH_PEOPLE", 40_000);
            if people > 0 {
                daily_bench(label, &app, docs, people).await;
            }
            apps.push((label, app));
        }
        println!("\n| database | issuances | concurrency | seconds | issuances/s |\n|---|---|---|---|---|");
        for (label, app) in apps.iter().filter(|_| issuances > 0) {
            for c in [1, 16, 64] {
                numbering_bench(label, app, issuances, c).await;
            }
        }
        for (_, db) in dbs {
            db.cleanup().await;
        }
    });
}

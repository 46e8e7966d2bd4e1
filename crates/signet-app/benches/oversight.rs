//! Oversight benchmarks (issue 10), run with `cargo bench -p signet-app --bench oversight`:
//!
//! 1. The statistics of a whole province: 2,300 agencies (province → 62 departments and
//!    districts → 2,237 communes) with counters for 12 months, asked by the province's
//!    administrator for the year (`App::statistics`: visibility, counter query, ranking).
//!    The query reads the counters only, so its cost does not grow with the documents.
//! 2. The work queue of one officer with 5,000 open assignments (among 50,000 in the
//!    agency): page 1 and a page with the cursor half-way.
//!
//! On SQLite always; on PostgreSQL too when SIGNET_TEST_DATABASE_URL is set. Prints a
//! Markdown table for BENCHMARKS.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use signet_app::clock::FixedClock;
use signet_app::App;
use signet_core::ids::AgencyId;
use signet_core::person::Viewer;
use signet_core::{AgencyCode, Role};
use signet_store::directory::{NewAgency, NewPerson};
use signet_store::testing::{self, TestDb};
use signet_store::{BlobStore, Store};
use time::macros::datetime;

const AGENCIES: usize = 2_300;
const MID: usize = 62;
const OPEN: usize = 5_000;
const OTHERS: usize = 45_000;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn time<F, Fut>(n: usize, mut f: F) -> (f64, f64, f64)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    for _ in 0..5 {
        f().await;
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    (
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
    )
}

async fn person(store: &Store, agency: &AgencyId, username: &str, role: Role) -> Viewer {
    let p = NewPerson {
        agency_id: agency.clone(),
        unit_id: None,
        username: username.into(),
        full_name: username.into(),
        title: String::new(),
        email: String::new(),
        roles: vec![role],
        password_hash: "x".into(),
    };
    let p = store.insert_person(&p, "bench", 0).await.unwrap();
    Viewer {
        person_id: p.id,
        agency_id: agency.clone(),
        roles: vec![role],
    }
}

/// The province's tree; returns the agencies in creation order (province first).
async fn tree(store: &Store) -> Vec<AgencyId> {
    let mut ids: Vec<AgencyId> = Vec::with_capacity(AGENCIES);
    for i in 0..AGENCIES {
        let parent = match i {
            0 => None,
            i if i <= MID => Some(ids[0].clone()),
            i => Some(ids[1 + (i % MID)].clone()),
        };
        let a = NewAgency {
            code: AgencyCode::parse(&format!("BENCH.{i:05}")).unwrap(),
            name: format!("Cơ quan {i:05}"),
            abbreviation: "CQ".into(),
            parent_id: parent,
            address: String::new(),
        };
        ids.push(store.insert_agency(&a, "bench", 0).await.unwrap().id);
    }
    ids
}

/// Twelve months of counters for every agency, in multi-row statements.
async fn counters(store: &Store, ids: &[AgencyId]) {
    let mut rows = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        for m in 1..=12 {
            let issued = 20 + (i * 7 + m * 3) % 40;
            let signed = issued - (i + m) % 5;
            rows.push(format!(
                "('{id}', '2026-{m:02}', {issued}, {signed}, {}, {}, {}, {}, {})",
                issued - 1,
                30 + i % 20,
                25 + i % 10,
                (i + m) % 4,
                (i * m) % 3
            ));
        }
    }
    for chunk in rows.chunks(1000) {
        let sql = format!(
            "INSERT INTO unit_month_stats (agency_id, month, issued, leader_signed_valid, \
             sealed_valid, incoming, done_on_time, overdue, in_progress) VALUES {}",
            chunk.join(", ")
        );
        testing::execute(store, &sql).await.unwrap();
    }
}

/// OPEN assignments for `holder`, OTHERS for other holders, on bulk documents.
async fn assignments(store: &Store, agency: &AgencyId, holder: &Viewer) {
    testing::bulk_documents(store, agency, &holder.person_id, OPEN, 0)
        .await
        .unwrap();
    let mut rows = Vec::new();
    for k in 0..OPEN + OTHERS {
        let doc = format!("{:032x}", (k % OPEN) as u128 + 1);
        let who = if k < OPEN {
            holder.person_id.to_string()
        } else {
            format!("other{}", k % 900)
        };
        let day = 1 + (k * 7) % 365;
        let (m, d) = (1 + (day / 31).min(11), 1 + day % 28);
        rows.push(format!(
            "('a{k:08}', '{agency}', '{doc}', 'lead', '{who}', 'person', '2026-{m:02}-{d:02}', 1, '{p}', 0)",
            p = holder.person_id
        ));
    }
    for chunk in rows.chunks(1000) {
        let sql = format!(
            "INSERT INTO assignments (id, agency_id, document_id, role, holder, holder_kind, \
             deadline, is_open, assigned_by, assigned_at_ms) VALUES {}",
            chunk.join(", ")
        );
        testing::execute(store, &sql).await.unwrap();
    }
}

async fn run(db: &TestDb) {
    let store = &db.store;
    let blobs = BlobStore::open(testing::scratch_dir("bench-blobs"), 1 << 20)
        .await
        .unwrap();
    let app = App::new(
        store.clone(),
        blobs,
        Arc::new(FixedClock(datetime!(2026-12-04 03:00 UTC))),
    );
    let t = Instant::now();
    let ids = tree(store).await;
    counters(store, &ids).await;
    let admin = person(store, &ids[0], "bench.admin", Role::Administrator).await;
    let district = person(store, &ids[1], "bench.district", Role::Leader).await;
    let officer = person(store, &ids[0], "bench.officer", Role::Officer).await;
    assignments(store, &ids[0], &officer).await;
    testing::analyze(store).await.unwrap();
    if db.label != "sqlite" {
        // What autovacuum does to a table at rest: the visibility map lets PostgreSQL answer
        // from the covering index alone.
        testing::execute(store, "VACUUM ANALYZE unit_month_stats")
            .await
            .unwrap();
    }
    eprintln!(
        "{}: fixture in {:.1} s",
        db.label,
        t.elapsed().as_secs_f64()
    );
    let label = if db.label == "sqlite" {
        "SQLite"
    } else {
        "PostgreSQL"
    };

    let n = 200;
    let (p50, p99, max) = time(n, || async {
        let r = app
            .statistics(&admin, "2026-01-01", "2026-12-31", None)
            .await
            .unwrap();
        assert_eq!(r.units.len(), AGENCIES);
    })
    .await;
    println!("| {label} | statistics, whole province, 12 months | {AGENCIES} agencies | {n} | {p50:.2} | {p99:.2} | {max:.2} |");
    let (p50, p99, max) = time(n, || async {
        let r = app
            .statistics(&district, "2026-01-01", "2026-12-31", None)
            .await
            .unwrap();
        assert!(r.units.len() > 30);
    })
    .await;
    println!("| {label} | statistics, one district's subtree, 12 months | {AGENCIES} agencies | {n} | {p50:.2} | {p99:.2} | {max:.2} |");

    let n = 500;
    let (p50, p99, max) = time(n, || async {
        let q = app.work_queue(&officer, None, 50).await.unwrap();
        assert_eq!(q.items.len(), 50);
    })
    .await;
    println!("| {label} | work queue, page 1 | {OPEN} open (of {}) | {n} | {p50:.2} | {p99:.2} | {max:.2} |", OPEN + OTHERS);
    // The cursor half-way: walk there once.
    let mut after: Option<String> = None;
    for _ in 0..OPEN / 100 {
        after = app
            .work_queue(&officer, after.as_deref(), 50)
            .await
            .unwrap()
            .next;
    }
    let (p50, p99, max) = time(n, || async {
        let q = app
            .work_queue(&officer, after.as_deref(), 50)
            .await
            .unwrap();
        assert_eq!(q.items.len(), 50);
    })
    .await;
    println!("| {label} | work queue, cursor half-way | {OPEN} open (of {}) | {n} | {p50:.2} | {p99:.2} | {max:.2} |", OPEN + OTHERS);
}

#[tokio::main]
async fn main() {
    println!("\n| database | request | size | requests | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|");
    for db in testing::databases().await.unwrap() {
        run(&db).await;
        db.cleanup().await;
    }
}

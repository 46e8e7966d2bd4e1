//! Hub throughput (issue 14, figures), run with `cargo bench -p signet-web --bench hub`: signed
//! 100 KB edXML packets accepted by `signet hub`'s use case (`Hub::accept`: read the packet,
//! check its XML signature and the signer's chain and agency, write and fsync it, commit its
//! queue row), 16 at a time, on SQLite and (with SIGNET_TEST_DATABASE_URL) PostgreSQL. The
//! peer measured in the same run: the durable write alone (the packet fsynced in the blob
//! store, no parsing, no database). Prints Markdown lines for BENCHMARKS.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use signet_app::exchange::Setup;
use signet_app::hub::Hub;
use signet_app::{App, SystemClock};
use signet_store::BlobStore;

const PACKETS: usize = 2000;
const DISTINCT: usize = 100;
const CONCURRENCY: usize = 16;

struct SealSigner(signet_signers::SoftwareKey);

impl signet_pki::RawSigner for SealSigner {
    type Error = signet_signers::SignerError;
    fn algorithm(&self) -> signet_pki::SignatureAlgorithm {
        self.0.algorithm()
    }
    fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, Self::Error> {
        self.0.sign(tbs)
    }
}

/// `DISTINCT` signed packets of about 100 KB from the demo's UBND to its SNV.
fn packets(ca_dir: &std::path::Path) -> Vec<Vec<u8>> {
    let (key_path, chain_path) =
        signet_app::web_signing::seals::demo_paths(&ca_dir.join("seals"), "000.00.00.H99");
    let pem = std::fs::read_to_string(key_path).unwrap();
    let key = SealSigner(signet_signers::SoftwareKey::from_pkcs8_pem(&pem).unwrap());
    let chain = std::fs::read(chain_path).unwrap();
    let certs = signet_pki::validation::certificates_from_pem_or_der(&chain).unwrap();
    (0..DISTINCT)
        .map(|i| {
            let spec = signet_edxml::Spec {
                kind: signet_edxml::Kind::Document,
                document_id: format!("000.00.00.H99,2026/12/04,{i}/UBND-VP"),
                from: signet_edxml::Organ {
                    organ_id: "000.00.00.H99".into(),
                    organ_name: "Ủy ban nhân dân tỉnh Lạc Hồng".into(),
                },
                to: vec![signet_edxml::Organ {
                    organ_id: "000.00.02.H99".into(),
                    organ_name: "Sở Nội vụ".into(),
                }],
                subject: format!("Văn bản thử {i}"),
                ..Default::default()
            };
            let mut pdf = format!("%PDF-1.4\n% {i}\n").into_bytes();
            while pdf.len() < 75 * 1024 {
                pdf.extend_from_slice(b"% padding padding padding padding padding padding\n");
            }
            let files = [signet_edxml::FileIn {
                name: "van-ban.pdf",
                content_type: "application/pdf",
                bytes: &pdf,
            }];
            signet_edxml::build_signed(
                &spec,
                &files,
                time::OffsetDateTime::now_utc(),
                &key,
                &certs[0],
            )
            .unwrap()
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs `job(i)` for every packet index, `CONCURRENCY` at a time: (per second, p50, p99).
async fn measure<F, Fut>(job: F) -> (f64, Duration, Duration)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let job = Arc::new(job);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (job, next) = (Arc::clone(&job), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= PACKETS {
                    return times;
                }
                let t = Instant::now();
                job(i).await;
                times.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let total = start.elapsed();
    all.sort();
    (
        PACKETS as f64 / total.as_secs_f64(),
        percentile(&all, 0.5),
        percentile(&all, 0.99),
    )
}

#[tokio::main]
async fn main() {
    let mut dbs = vec![signet_store::testing::sqlite().await.unwrap()];
    if let Ok(url) = std::env::var("SIGNET_TEST_DATABASE_URL") {
        dbs.push(signet_store::testing::postgres(&url).await.unwrap());
    }
    let ca_dir = dbs[0].dir.join("ca");
    signet_app::ca_dir::init(
        &ca_dir,
        "CA bench",
        "http://127.0.0.1:9",
        signet_pki::KeyAlg::EcdsaP256,
        None,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let blobs = BlobStore::open(dbs[0].dir.join("blobs"), 1 << 30)
        .await
        .unwrap();
    let ca = signet_app::ca_service::BuiltInCa::open(&ca_dir).unwrap();
    let app = App::new(dbs[0].store.clone(), blobs, Arc::new(SystemClock)).with_ca(ca);
    assert!(app.seed_demo().await.unwrap());
    let chain = {
        let ca = signet_app::ca_service::BuiltInCa::open(&ca_dir).unwrap();
        signet_app::ca_dir::chain(&ca.published().unwrap().ca)
    };
    let packets = Arc::new(packets(&ca_dir));
    let mut setup = Setup::default();
    setup.routes.add("", "http://127.0.0.1:9");
    setup.trust.anchors.add(&chain[1]).unwrap();
    setup.trust.intermediates = vec![chain[0].clone()];
    let setup = Arc::new(setup);
    let size = packets[0].len();
    println!(
        "packets of {} KB, {PACKETS} per run, {CONCURRENCY} at a time",
        size / 1024
    );
    for db in &dbs {
        let hub = Hub::new(
            db.store.clone(),
            BlobStore::open(db.dir.join("hub"), 1 << 30).await.unwrap(),
            Arc::new(SystemClock),
            Arc::clone(&setup),
        );
        let (h, p) = (hub.clone(), Arc::clone(&packets));
        let (rate, p50, p99) = measure(move |i| {
            let (h, p) = (h.clone(), Arc::clone(&p));
            async move {
                let r = h
                    .accept(&format!("bench-{i}"), "000.00.02.H99", &p[i % DISTINCT])
                    .await
                    .unwrap();
                assert_eq!(r, signet_store::exchange::Receipt::New);
            }
        })
        .await;
        println!(
            "| hub accept, {} | {rate:.0} packets/s | p50 {:.1} ms | p99 {:.1} ms |",
            db.label,
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
        let blobs = BlobStore::open(db.dir.join("peer"), 1 << 30).await.unwrap();
        let p = Arc::clone(&packets);
        let (rate, p50, p99) = measure(move |i| {
            let (blobs, p) = (blobs.clone(), Arc::clone(&p));
            async move {
                let mut w = blobs.writer().await.unwrap();
                let mut bytes = p[i % DISTINCT].clone();
                bytes.extend_from_slice(format!("<!-- {i} -->").as_bytes());
                w.write(&bytes).await.unwrap();
                w.finish().await.unwrap();
            }
        })
        .await;
        println!(
            "| peer: fsynced write alone, {} disk | {rate:.0} packets/s | p50 {:.1} ms | p99 {:.1} ms |",
            db.label,
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
}

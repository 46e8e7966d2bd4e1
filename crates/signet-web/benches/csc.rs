//! The CSC server on SoftHSM2, run with `cargo bench -p signet-web --bench csc`:
//!
//! 1. `signatures/signHash` latency with SIGNET_BENCH_CLIENTS (default 50) concurrent
//!    clients, each signing SIGNET_BENCH_HASHES (default 20) hashes one call at a time under
//!    its own SAD: the whole HTTP exchange seen by the client (Signet's own CSC v2 client,
//!    blocking, one thread per client, over TCP to the server in this process).
//!    The same again with a load generator's client instead (one kept-alive HTTP/1.1
//!    connection per client writing the request bytes and reading the answer, as wrk or hey
//!    do): the clients share the server's two cores, and this one costs them a fraction of
//!    the CPU of a full client — the nearest this machine comes to clients on another one.
//! 2. A batch: `credentials/authorize` for 100 hashes then one `signatures/signHash` for all
//!    of them, PIN check (argon2id) included; 10 runs.
//!
//! SQLite; ECDSA P-256 keys generated in SoftHSM2. Prints Markdown rows for BENCHMARKS.md,
//! with the machine's load average and the CPU time of the process per call (server and
//! clients together; the part of the figures that does not depend on the other work of a
//! shared machine). Clients sign in one after the other (the sign-in limit per address).
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use signet_app::ca_service::BuiltInCa;
use signet_app::demo::DEMO_PASSWORD;
use signet_app::remote_signing::client::{CscClient, Provider};
use signet_app::server_keys::{HsmConfig, ServerKeys};
use signet_app::{App, SystemClock};
use signet_store::BlobStore;
use signet_testkit::softhsm::SoftHsm;

const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";

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

/// CPU seconds this process used so far (user + system, all threads: server and clients),
/// from /proc: the cost of a call whatever else the machine runs.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at ") ".
    let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 11 and 12 after the state; 100 Hz.
    (ticks(11) + ticks(12)) / 100.0
}

/// The machine's 1-minute load average.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_owned()
}

fn hashes(seed: usize, n: usize) -> Vec<[u8; 32]> {
    (0..n)
        .map(|i| {
            let msg = format!("{seed}/{i}");
            signet_pki::DigestAlgorithm::Sha256
                .hash(msg.as_bytes())
                .try_into()
                .unwrap()
        })
        .collect()
}

/// The leaders of the demo province (each has a credential).
const LEADERS: [&str; 20] = [
    "lanhdao.ubnd",
    "pholanhdao.ubnd",
    "lanhdao.snv",
    "pholanhdao.snv",
    "lanhdao.stc",
    "pholanhdao.stc",
    "lanhdao.skhcn",
    "pholanhdao.skhcn",
    "lanhdao.sgddt",
    "pholanhdao.sgddt",
    "lanhdao.binhan",
    "pholanhdao.binhan",
    "lanhdao.hungphu",
    "pholanhdao.hungphu",
    "lanhdao.anphu",
    "pholanhdao.anphu",
    "lanhdao.tanlap",
    "pholanhdao.tanlap",
    "lanhdao.hungthinh",
    "pholanhdao.hungthinh",
];

fn session(base: &str, username: &str) -> (CscClient, String) {
    let client = CscClient::login(&Provider {
        name: "bench".into(),
        base_url: base.into(),
        username: username.into(),
        password: DEMO_PASSWORD.into(),
    })
    .unwrap();
    let id = client.credentials().unwrap().remove(0);
    (client, id)
}

/// A load generator's client: one kept-alive HTTP/1.1 connection, requests written as
/// bytes, answers read by their Content-Length — the CPU of a call is nearly all the server's.
struct LeanClient {
    stream: BufReader<TcpStream>,
    host: String,
    bearer: String,
}

impl LeanClient {
    /// Signs `username` in over the CSC API (HTTP Basic) on a connection of its own.
    fn login(base: &str, username: &str) -> Self {
        let host = base.trim_start_matches("http://").to_owned();
        let stream = TcpStream::connect(&host).unwrap();
        stream.set_nodelay(true).unwrap();
        let mut c = Self {
            stream: BufReader::new(stream),
            host,
            bearer: String::new(),
        };
        let basic = format!(
            "Basic {}",
            B64.encode(format!("{username}:{DEMO_PASSWORD}"))
        );
        let (status, body) = c.post("/csc/v2/auth/login", &basic, b"{}");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        c.bearer = format!("Bearer {}", v["access_token"].as_str().unwrap());
        c
    }

    /// `signatures/signHash` for one hash: the answer's status and body.
    fn sign_hash(&mut self, id: &str, sad: &str, hash: &[u8; 32]) -> (u16, Vec<u8>) {
        let body = serde_json::json!({
            "credentialID": id,
            "SAD": sad,
            "hashes": [B64.encode(hash)],
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
            "signAlgo": ECDSA_SHA256,
        });
        let bearer = self.bearer.clone();
        self.post(
            "/csc/v2/signatures/signHash",
            &bearer,
            body.to_string().as_bytes(),
        )
    }

    fn post(&mut self, path: &str, authorization: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {authorization}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        self.stream.get_mut().write_all(&req).unwrap();
        let mut line = String::new();
        self.stream.read_line(&mut line).unwrap();
        let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut length = None;
        loop {
            line.clear();
            self.stream.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = Some(value.trim().parse::<usize>().unwrap());
                }
            }
        }
        let mut answer = vec![0; length.expect("a Content-Length")];
        self.stream.read_exact(&mut answer).unwrap();
        (status, answer)
    }
}

/// What a run of signHash calls measured.
struct Run {
    /// Sorted latencies.
    latencies: Vec<Duration>,
    calls_per_s: f64,
    cpu_us_per_call: f64,
}

/// Part 1: every client authorizes its hashes, waits for the others, then signs them one
/// call at a time; the latencies of all signHash calls, and the throughput and CPU time of
/// the signing (from the start signal to the last answer).
fn concurrent_sign_hash(base: &str, clients: usize, per_client: usize, lean: bool) -> Run {
    let barrier = Arc::new(Barrier::new(clients + 1));
    // Signed in one after the other: every sign-in counts against the address's limit
    // until it succeeds, and 50 at once from one address would pass it.
    // Authorized here too, before any thread starts: a refusal then ends the bench instead
    // of leaving the others waiting at the barrier for a thread that panicked.
    let sessions: Vec<_> = (0..clients)
        .map(|c| {
            let (client, id) = session(base, LEADERS[c % LEADERS.len()]);
            let hs = hashes(c, per_client);
            let sad = client.authorize(&id, DEMO_PASSWORD, &hs).unwrap().sad;
            let lean = lean.then(|| LeanClient::login(base, LEADERS[c % LEADERS.len()]));
            (client, lean, id, hs, sad)
        })
        .collect();
    let threads: Vec<_> = sessions
        .into_iter()
        .map(|(client, mut lean, id, hs, sad)| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                hs.iter()
                    .map(|h| {
                        let t = Instant::now();
                        if let Some(lean) = lean.as_mut() {
                            let (status, body) = lean.sign_hash(&id, &sad, h);
                            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
                        } else {
                            let sigs = client.sign_hashes(&id, &sad, &[*h], ECDSA_SHA256);
                            assert_eq!(sigs.unwrap().len(), 1);
                        }
                        t.elapsed()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    barrier.wait();
    let (cpu, t) = (cpu_seconds(), Instant::now());
    let mut all: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let (cpu, wall) = (cpu_seconds() - cpu, t.elapsed().as_secs_f64());
    all.sort();
    let n = all.len() as f64;
    Run {
        latencies: all,
        calls_per_s: n / wall,
        cpu_us_per_call: cpu * 1e6 / n,
    }
}

/// Part 2: authorize + signHash for a batch of `n` hashes, `runs` times.
fn batch(base: &str, n: usize, runs: usize) -> Vec<Duration> {
    let (client, id) = session(base, "lanhdao.ubnd");
    let mut times: Vec<Duration> = (0..runs)
        .map(|r| {
            let hs = hashes(10_000 + r, n);
            let t = Instant::now();
            let sad = client.authorize(&id, DEMO_PASSWORD, &hs).unwrap().sad;
            let sigs = client.sign_hashes(&id, &sad, &hs, ECDSA_SHA256).unwrap();
            let elapsed = t.elapsed();
            assert_eq!(sigs.len(), n);
            elapsed
        })
        .collect();
    times.sort();
    times
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(token) = SoftHsm::in_process_token("csc-bench", "13572468") else {
        return;
    };
    let clients = env_usize("SIGNET_BENCH_CLIENTS", 50);
    let per_client = env_usize("SIGNET_BENCH_HASHES", 20);
    let (base, db) = runtime.block_on(async {
        let db = signet_store::testing::sqlite().await.unwrap();
        let ca_dir = db.dir.join("ca");
        signet_app::ca_dir::init(
            &ca_dir,
            "CA đo hiệu năng",
            "http://127.0.0.1:9",
            signet_pki::KeyAlg::EcdsaP256,
            None,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
        let keys = ServerKeys::open(HsmConfig {
            module: token.module.clone(),
            token: token.label.clone(),
            pin: token.pin.clone(),
        })
        .unwrap();
        let blobs = BlobStore::open(&db.dir.join("blobs"), 1 << 20)
            .await
            .unwrap();
        let app = App::new(db.store.clone(), blobs, Arc::new(SystemClock))
            .with_ca(BuiltInCa::open(&ca_dir).unwrap())
            .with_server_keys(keys);
        assert!(app.seed_demo().await.unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = signet_web::WebConfig::default();
        tokio::spawn(signet_web::serve(
            listener,
            app,
            config,
            std::future::pending(),
        ));
        (base, db)
    });
    println!("load average before: {}", load_average());
    println!("| test | calls | p50 ms | p99 ms | max ms | calls/s | CPU µs/call |");
    println!("|---|---|---|---|---|---|---|");
    for (name, run) in [
        (
            format!("{clients} concurrent clients"),
            concurrent_sign_hash(&base, clients, per_client, false),
        ),
        (
            format!("{clients} concurrent load-generator clients"),
            concurrent_sign_hash(&base, clients, per_client, true),
        ),
        (
            "1 client (floor)".to_owned(),
            concurrent_sign_hash(&base, 1, 200, false),
        ),
    ] {
        let lat = &run.latencies;
        println!(
            "| signHash, 1 hash per call, {name} | {} | {:.2} | {:.2} | {:.2} | {:.0} | {:.0} |",
            lat.len(),
            percentile(lat, 0.5),
            percentile(lat, 0.99),
            percentile(lat, 1.0),
            run.calls_per_s,
            run.cpu_us_per_call
        );
    }
    let b = batch(&base, 100, 10);
    println!(
        "| authorize (PIN) + signHash, batch of 100 hashes | {} | {:.2} | {:.2} | {:.2} | | |",
        b.len(),
        percentile(&b, 0.5),
        percentile(&b, 0.99),
        percentile(&b, 1.0)
    );
    println!("load average after: {}", load_average());
    runtime.block_on(db.cleanup());
}

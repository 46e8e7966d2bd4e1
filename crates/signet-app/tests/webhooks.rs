//! The province's other systems (issue 14 §5): webhooks posted to a real HTTP receiver on
//! loopback — signed with HMAC-SHA256 over timestamp and body, the same idempotency key on a
//! retry and on a replay, back-off then `failed` at the cap, one event per action written
//! with it — and the sealing API: a PDF another system sends is sealed by the agency's key
//! after a clerk's approval, or at once for an allowed type, and pdfsig and pyHanko accept it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_app::testing::support::{submitted_draft, viewer, TestClock};
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use signet_app::ca_service::BuiltInCa;
use signet_app::exchange::{Courier, Outcome, Setup};
use signet_app::seal_requests::check_form;
use signet_app::testing::chairman_key;
use signet_app::verification::Verifier;
use signet_app::webhooks::{verify_signature, HttpPoster, Poster};
use signet_app::{App, AppError, Invalid};
use signet_core::person::Viewer;
use signet_core::DocumentId;
use signet_pades::sign::Pending;
use signet_pki::validation::TrustAnchors;
use signet_pki::RawSigner;
use signet_signers::SoftwareKey;
use signet_store::documents::NewFile;
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;
use time::OffsetDateTime;

// ---------------------------------------------------------------------------------------
// A tiny HTTP receiver on 127.0.0.1: records each request, answers from a script (then 200).

#[derive(Debug, Clone)]
struct Got {
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Got>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks/signet", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(Mutex::new(VecDeque::new()));
        let (g, a) = (Arc::clone(&got), Arc::clone(&answers));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let status = a.lock().unwrap().pop_front().unwrap_or(200);
                serve_one(stream, status, |req| g.lock().unwrap().push(req));
            }
        });
        Self { url, got, answers }
    }

    fn answer_next(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }

    fn requests(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
}

/// Reads one request, records it, then answers. Recorded before the answer so a test that
/// has seen the delivery finish also sees the request (answering first raced the test).
fn serve_one(stream: std::net::TcpStream, status: u16, record: impl FnOnce(Got)) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
    }
    let len: usize = headers.get("content-length")?.parse().ok()?;
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    record(Got {
        path,
        headers,
        body,
    });
    let mut stream = stream;
    let answer = format!("HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    stream.write_all(answer.as_bytes()).ok()
}

// ---------------------------------------------------------------------------------------
// The application (as the exchange tests make it).

async fn app_on(db: &TestDb, clock: Arc<TestClock>) -> App {
    signet_app::ca_dir::init(
        &db.dir.join("ca"),
        "CA thử nghiệm",
        "http://127.0.0.1:9",
        signet_pki::KeyAlg::EcdsaP256,
        None,
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    let blobs = BlobStore::open(db.dir.join("blobs"), 64 << 20)
        .await
        .unwrap();
    let ca = BuiltInCa::open(&db.dir.join("ca")).unwrap();
    let root = std::fs::read(db.dir.join("ca/root.pem")).unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_pem_or_der(&root).unwrap();
    let app = App::new(db.store.clone(), blobs, clock)
        .with_signing(signet_app::web_signing::Setup::default())
        .with_ca(ca)
        .with_verifier(Verifier::new(anchors, false))
        .with_webhooks(signet_app::webhooks::Setup {
            max_attempts: 3,
            retry_base_ms: 1_000,
            max_retry_ms: 60_000,
        });
    assert!(app.seed_demo().await.unwrap());
    app
}

async fn leader_signs(app: &App, leader: &Viewer, doc: &DocumentId) {
    let (key, chain): (SoftwareKey, Vec<Vec<u8>>) =
        chairman_key(app, Some("Chủ tịch")).await.unwrap();
    let p = app
        .prepare_signature(leader, doc, "agent", chain.clone())
        .await
        .unwrap();
    let row = app
        .store
        .pending_signature(&leader.agency_id, &p.pending_id)
        .await
        .unwrap();
    let pending: Pending = serde_json::from_str(&row.state_json).unwrap();
    let sig = key.sign(&pending.to_be_signed).unwrap();
    app.complete_signature(leader, &p.pending_id, &sig, &chain)
        .await
        .unwrap();
}

/// Every packet goes to the same node's receive (both agencies live on it).
struct Loopback {
    node: App,
    handle: tokio::runtime::Handle,
}

impl Courier for Loopback {
    fn deliver(&self, _url: &str, consignment: &str, to: &str, packet: &[u8]) -> Outcome {
        match self
            .handle
            .block_on(self.node.receive_packet(consignment, to, packet))
        {
            Ok(_) => Outcome::Accepted,
            Err(e) => Outcome::Refused(e.to_string()),
        }
    }
}

fn exchange_setup(db: &TestDb) -> Setup {
    let ca = BuiltInCa::open(&db.dir.join("ca")).unwrap();
    let chain = signet_app::ca_dir::chain(&ca.published().unwrap().ca);
    let mut s = Setup::default();
    s.routes.add("", "http://loopback");
    s.trust.anchors.add(&chain[1]).unwrap();
    s.trust.intermediates = vec![chain[0].clone()];
    s
}

fn json(g: &Got) -> serde_json::Value {
    serde_json::from_slice(&g.body).unwrap()
}

/// The delivery is signed as documented: `t=…,v1=HMAC(secret, t "." body)`, the timestamp
/// header equal to `t`.
fn assert_signed(g: &Got, secret: &str) {
    let header = g.headers.get("signet-signature").expect("signature header");
    let t = verify_signature(secret, header, &g.body).expect("HMAC verifies");
    assert_eq!(g.headers.get("signet-timestamp"), Some(&t.to_string()));
    assert_eq!(
        verify_signature("whsec_wrong", header, &g.body),
        None,
        "another secret does not verify"
    );
    assert_eq!(
        g.headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
}

async fn post_due(app: &App) -> usize {
    let poster: Arc<dyn Poster> = Arc::new(HttpPoster::default());
    app.deliver_webhooks_due(poster, 50).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_a_subscriber_signed_once_each_with_retry_cap_and_replay() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_on(&db, clock.clone()).await;
        let app = app.with_exchange(exchange_setup(&db));
        let admin = viewer(&app, "quantri.ubnd").await;
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let officer = viewer(&app, "chuyenvien.vp").await;
        let leader = viewer(&app, "lanhdao.ubnd").await;
        let receiver = Receiver::start();

        // Only administrators subscribe; bad addresses and events are refused.
        let all: Vec<String> = signet_store::webhooks::EVENTS
            .iter()
            .map(|e| (*e).to_owned())
            .collect();
        let e = app
            .subscribe_webhook(&clerk, &receiver.url, &all)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let e = app
            .subscribe_webhook(&admin, "ftp://x/y", &all)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::WebhookUrl { .. })),
            "{e:?}"
        );
        let e = app
            .subscribe_webhook(&admin, &receiver.url, &["document.eaten".into()])
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::WebhookEvents { .. })),
            "{e:?}"
        );
        let created = app
            .subscribe_webhook(&admin, &receiver.url, &all)
            .await
            .unwrap();
        let secret = created.secret.clone();
        assert!(secret.starts_with("whsec_") && secret.len() > 40);
        assert_eq!(app.webhook_subscribers(&admin).await.unwrap().len(), 1);

        // Issue a document addressed to another agency: document.issued written with it.
        let doc = submitted_draft(&app, &officer, "Về việc thông báo hệ thống khác").await;
        leader_signs(&app, &leader, &doc).await;
        app.set_recipients(&clerk, &doc, &["000.00.02.H99".into()])
            .await
            .unwrap();
        assert!(
            app.webhook_log(&admin, None).await.unwrap().is_empty(),
            "nothing before the action"
        );
        app.issue_step(&clerk, &doc).await.unwrap();
        let log = app.webhook_log(&admin, None).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].event, "document.issued");
        assert_eq!(log[0].state, "pending");

        // The receiver fails the first attempt: retried after the back-off, same key.
        receiver.answer_next(&[500]);
        assert_eq!(post_due(&app).await, 1);
        let d = &app.webhook_log(&admin, None).await.unwrap()[0];
        assert_eq!(
            (d.state.as_str(), d.attempts, d.last_status),
            ("pending", 1, Some(500))
        );
        assert_eq!(post_due(&app).await, 0, "not due before the back-off");
        clock.advance_ms(1_000);
        assert_eq!(post_due(&app).await, 1);
        let d = &app.webhook_log(&admin, None).await.unwrap()[0];
        assert_eq!((d.state.as_str(), d.attempts), ("delivered", 2));
        let got = receiver.requests();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].path, "/hooks/signet");
        assert_eq!(got[0].body, got[1].body, "the same body on a retry");
        assert_eq!(
            got[0].headers.get("idempotency-key"),
            Some(&d.id),
            "the delivery id is the idempotency key"
        );
        assert_eq!(
            got[0].headers.get("idempotency-key"),
            got[1].headers.get("idempotency-key")
        );
        for g in &got {
            assert_signed(g, &secret);
        }
        let body = json(&got[1]);
        assert_eq!(body["type"], "document.issued");
        assert_eq!(body["data"]["document_id"], doc.as_str());
        assert_eq!(
            got[1].headers.get("signet-event").map(String::as_str),
            Some("document.issued")
        );
        assert!(body["data"]["notation"].as_str().unwrap().contains('/'));
        assert_eq!(body["data"]["sha256"].as_str().unwrap().len(), 64);

        // Sent through the exchange, status 01 back: document.sent and status.received.
        let courier: Arc<dyn Courier> = Arc::new(Loopback {
            node: app.clone(),
            handle: tokio::runtime::Handle::current(),
        });
        assert_eq!(app.deliver_due(courier.clone(), 10).await.unwrap(), 1);
        assert_eq!(app.deliver_due(courier.clone(), 10).await.unwrap(), 1);
        assert_eq!(post_due(&app).await, 2);
        let got = receiver.requests();
        let events: Vec<serde_json::Value> = got[2..].iter().map(json).collect();
        let sent = events
            .iter()
            .find(|e| e["type"] == "document.sent")
            .unwrap();
        assert_eq!(sent["data"]["recipient_code"], "000.00.02.H99");
        assert_eq!(sent["data"]["document_id"], doc.as_str());
        let status = events
            .iter()
            .find(|e| e["type"] == "status.received")
            .unwrap();
        assert_eq!(status["data"]["status_code"], "01");
        assert_eq!(status["data"]["verified"], true);
        for g in &got[2..] {
            assert_signed(g, &secret);
        }
        // The receiving agency has no subscriber: its actions wrote no deliveries of ours.
        assert_eq!(app.webhook_log(&admin, None).await.unwrap().len(), 3);

        // Replay from the log: the same body and key once more.
        let first = app.webhook_log(&admin, Some("delivered")).await.unwrap();
        let issued = first.iter().find(|d| d.event == "document.issued").unwrap();
        let again = app.replay_webhook(&admin, &issued.id).await.unwrap();
        assert_eq!((again.state.as_str(), again.attempts), ("pending", 0));
        assert_eq!(post_due(&app).await, 1);
        let got = receiver.requests();
        let last = got.last().unwrap();
        assert_eq!(last.headers.get("idempotency-key"), Some(&issued.id));
        assert_eq!(last.body, issued.payload.as_bytes());
        assert_signed(last, &secret);
        let e = app.replay_webhook(&clerk, &issued.id).await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");

        // A subscriber that never answers: retried with back-off, failed at the cap.
        let dead = TcpListener::bind("127.0.0.1:0").unwrap();
        let dead_url = format!("http://{}/x", dead.local_addr().unwrap());
        drop(dead);
        let gone = app
            .subscribe_webhook(&admin, &dead_url, &["document.issued".into()])
            .await
            .unwrap();
        app.remove_webhook(&admin, &created.subscriber.id)
            .await
            .unwrap();
        let doc2 = submitted_draft(&app, &officer, "Về việc thứ hai").await;
        leader_signs(&app, &leader, &doc2).await;
        app.issue_step(&clerk, &doc2).await.unwrap();
        let pending = app.webhook_log(&admin, Some("pending")).await.unwrap();
        assert_eq!(pending.len(), 1, "a removed subscriber gets no new event");
        assert_eq!(pending[0].subscriber_id, gone.subscriber.id);
        for wait in [0, 1_000, 2_000] {
            clock.advance_ms(wait);
            assert_eq!(post_due(&app).await, 1);
        }
        let failed = app.webhook_log(&admin, Some("failed")).await.unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].attempts, 3);
        assert!(failed[0].last_error.is_some());
        clock.advance_ms(3_600_000);
        assert_eq!(
            post_due(&app).await,
            0,
            "failed stays failed until replayed"
        );
        db.cleanup().await;
    }
}

/// pdfsig: one valid signature covering the whole file; pyHanko: valid.
fn referees(db: &TestDb, pdf: &[u8]) {
    let path = db.dir.join("sealed-request.pdf");
    std::fs::write(&path, pdf).unwrap();
    if let Some(pdfsig) = signet_testkit::tool("pdfsig") {
        let out = signet_testkit::run(&db.dir, pdfsig, &["-nocert", path.to_str().unwrap()]);
        let text = signet_testkit::text(&out);
        assert_eq!(text.matches("Signature is Valid").count(), 1, "{text}");
        assert!(text.contains("Total document signed"), "{text}");
    }
    if let Some(pyhanko) = signet_testkit::tool("pyhanko") {
        let root = db.dir.join("ca/root.pem");
        let out = signet_testkit::run(
            &db.dir,
            pyhanko,
            &[
                "sign",
                "validate",
                "--pretty-print",
                "--no-revocation-check",
                "--trust",
                root.to_str().unwrap(),
                path.to_str().unwrap(),
            ],
        );
        let text = signet_testkit::text(&out);
        assert_eq!(text.matches("judged VALID").count(), 1, "pyHanko:\n{text}");
    }
}

async fn upload(app: &App, name: &str, bytes: &[u8]) -> NewFile {
    let mut w = app.blobs.writer().await.unwrap();
    w.write(bytes).await.unwrap();
    let blob = w.finish().await.unwrap();
    let content_type = signet_app::files::sniff(name, bytes).unwrap_or("application/octet-stream");
    NewFile {
        blob,
        file_name: name.into(),
        content_type: content_type.into(),
        kind: "main".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_system_has_a_pdf_sealed_after_approval_or_at_once_for_an_allowed_type() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_on(&db, clock.clone()).await;
        let admin = viewer(&app, "quantri.ubnd").await;
        let clerk = viewer(&app, "vanthu.ubnd").await;
        // The one-stop system's service account: an officer of the agency.
        let system = viewer(&app, "chuyenvien.vp").await;
        let other_clerk = viewer(&app, "vanthu.snv").await;
        let receiver = Receiver::start();
        let created = app
            .subscribe_webhook(&admin, &receiver.url, &["seal.completed".into()])
            .await
            .unwrap();

        // Bad input is refused clearly, before anything is recorded.
        let e = check_form("giay-an-com", "HS-1").unwrap_err();
        assert!(matches!(e, AppError::Rule(_)), "{e:?}");
        let e = check_form("giay-moi", "  ").unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::SealReference { .. })),
            "{e:?}"
        );
        let form = check_form("giay-moi", "HS-2026-000123").unwrap();
        let png = upload(&app, "anh.png", b"\x89PNG\r\n\x1a\n0000").await;
        let e = app.request_seal(&system, &form, png).await.unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::NotPdf { .. })),
            "{e:?}"
        );
        let broken = upload(&app, "hong.pdf", b"%PDF-1.7 nothing more").await;
        let e = app.request_seal(&system, &form, broken).await.unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::NotPdf { .. })),
            "{e:?}"
        );
        assert!(app.seal_requests(&clerk, None).await.unwrap().is_empty());

        // A request waits for the clerk; its file is not there yet.
        let pdf = signet_app::demo::sample_pdf("Kết quả thủ tục hành chính");
        let file = upload(&app, "ket-qua.pdf", &pdf).await;
        let r = app.request_seal(&system, &form, file).await.unwrap();
        assert_eq!(r.state, "pending");
        let e = app.sealed_file(&system, &r.id).await.unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        // Another agency's clerk does not see it; the requester may not approve it.
        let e = app.seal_request(&other_clerk, &r.id).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        let e = app.approve_seal_request(&system, &r.id).await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");

        // Approved: sealed with the agency's key, seal.completed for the subscriber.
        let sealed = app.approve_seal_request(&clerk, &r.id).await.unwrap();
        assert_eq!(sealed.state, "sealed", "{}", sealed.reason);
        let e = app.approve_seal_request(&clerk, &r.id).await.unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "sealed once: {e:?}");
        let (name, bytes) = app.sealed_file(&system, &r.id).await.unwrap();
        assert_eq!(name, "ket-qua-da-dong-dau.pdf");
        assert!(bytes.starts_with(&pdf[..8]) && bytes.len() > pdf.len());
        referees(&db, &bytes);
        assert_eq!(post_due(&app).await, 1);
        let got = receiver.requests();
        assert_eq!(got.len(), 1);
        assert_signed(&got[0], &created.secret);
        let body = json(&got[0]);
        assert_eq!(body["type"], "seal.completed");
        assert_eq!(body["data"]["seal_request_id"], r.id.as_str());
        assert_eq!(body["data"]["reference"], "HS-2026-000123");
        assert_eq!(
            body["data"]["file"],
            format!("/api/v1/seal-requests/{}/file", r.id)
        );

        // Rejected with a reason; a rejected request cannot be sealed afterwards.
        let file = upload(&app, "khac.pdf", &pdf).await;
        let r2 = app.request_seal(&system, &form, file).await.unwrap();
        let rejected = app
            .reject_seal_request(&clerk, &r2.id, "Sai mẫu")
            .await
            .unwrap();
        assert_eq!(
            (rejected.state.as_str(), rejected.reason.as_str()),
            ("rejected", "Sai mẫu")
        );
        let e = app.approve_seal_request(&clerk, &r2.id).await.unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");

        // An allowed type is sealed at once, no clerk involved.
        let e = app
            .set_auto_seal_types(&clerk, &["giay-moi".into()])
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        app.set_auto_seal_types(&admin, &["giay-moi".into()])
            .await
            .unwrap();
        let file = upload(&app, "tu-dong.pdf", &pdf).await;
        let r3 = app.request_seal(&system, &form, file).await.unwrap();
        assert_eq!(r3.state, "sealed", "{}", r3.reason);
        let other_type = check_form("quyet-dinh", "HS-9").unwrap();
        let file = upload(&app, "cho.pdf", &pdf).await;
        let r4 = app.request_seal(&system, &other_type, file).await.unwrap();
        assert_eq!(r4.state, "pending", "other types still wait");
        assert_eq!(post_due(&app).await, 1);
        db.cleanup().await;
    }
}

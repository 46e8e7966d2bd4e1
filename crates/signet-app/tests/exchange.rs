//! Exchange between agencies (issue 14 §3): a clerk's issued document goes to another
//! agency as a signed edXML packet through the outbox; the receiver gets one incoming
//! document however often the packet comes, answers 01 at once and 03 when registered; the
//! sender sees each status verified; a forged status is shown not verified; secret
//! documents, unknown recipients and packets for another agency are refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::sync::{Arc, Mutex};

use signet_app::ca_service::BuiltInCa;
use signet_app::exchange::{Courier, Outcome, Setup};
use signet_app::testing::chairman_key;
use signet_app::verification::Verifier;
use signet_app::{App, AppError, Clock, Invalid};
use signet_core::person::Viewer;
use signet_core::DocumentId;
use signet_pades::sign::Pending;
use signet_pki::validation::TrustAnchors;
use signet_pki::RawSigner;
use signet_signers::SoftwareKey;
use signet_store::documents::{NewDocument, NewFile};
use signet_store::exchange::Receipt;
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;
use time::OffsetDateTime;

struct TestClock(Mutex<OffsetDateTime>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// A fresh application on `db` (a "server"), with the CA of `db.dir/ca`.
async fn app_with_tsa(db: &TestDb, clock: Arc<TestClock>, tsa: Option<&str>) -> App {
    let blobs = BlobStore::open(db.dir.join("blobs"), 64 << 20)
        .await
        .unwrap();
    let ca = BuiltInCa::open(&db.dir.join("ca")).unwrap();
    let root = std::fs::read(db.dir.join("ca/root.pem")).unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_pem_or_der(&root).unwrap();
    App::new(db.store.clone(), blobs, clock)
        .with_signing(signet_app::web_signing::Setup {
            tsa: tsa.map(str::to_owned),
            ..Default::default()
        })
        .with_ca(ca)
        .with_verifier(Verifier::new(anchors, false))
}

async fn viewer(app: &App, username: &str) -> Viewer {
    let p = app.store.person_by_username(username).await.unwrap();
    Viewer {
        person_id: p.id,
        agency_id: p.agency_id,
        roles: p.roles,
    }
}

/// An officer's submitted draft made from the demo's template (with the number fields).
async fn submitted_draft(app: &App, officer: &Viewer, subject: &str) -> DocumentId {
    draft_of(app, officer, subject, Default::default()).await
}

async fn draft_of(
    app: &App,
    officer: &Viewer,
    subject: &str,
    secrecy: signet_core::document::Secrecy,
) -> DocumentId {
    let pdf = signet_app::demo::sample_pdf(subject);
    let mut w = app.blobs.writer().await.unwrap();
    w.write(&pdf).await.unwrap();
    let blob = w.finish().await.unwrap();
    let new = NewDocument {
        agency_id: officer.agency_id.clone(),
        doc_type: signet_core::document::DocumentType::CongVan,
        subject: subject.into(),
        urgency: Default::default(),
        secrecy,
        signer_name: String::new(),
        signer_position: String::new(),
        pages: Some(1),
        recipients: String::new(),
        due_on: None,
        drafting_unit_id: app.store.person(&officer.person_id).await.unwrap().unit_id,
        created_by: officer.person_id.clone(),
        files: vec![NewFile {
            blob,
            file_name: "du-thao.pdf".into(),
            content_type: "application/pdf".into(),
            kind: "main".into(),
        }],
    };
    let d = app
        .store
        .insert_draft(&new, app.clock.now_ms())
        .await
        .unwrap();
    app.submit(officer, &d.id).await.unwrap();
    d.id
}

fn init_ca(db: &TestDb) {
    signet_app::ca_dir::init(
        &db.dir.join("ca"),
        "CA thử nghiệm",
        "http://127.0.0.1:9",
        signet_pki::KeyAlg::EcdsaP256,
        None,
        OffsetDateTime::now_utc(),
    )
    .unwrap();
}

/// What the device signs: the prepared signed attributes (the device is given their
/// digest; a software key signs the attributes themselves, which is the same signature).
async fn device_sign(app: &App, leader: &Viewer, pending_id: &str, key: &SoftwareKey) -> Vec<u8> {
    let row = app
        .store
        .pending_signature(&leader.agency_id, pending_id)
        .await
        .unwrap();
    let pending: Pending = serde_json::from_str(&row.state_json).unwrap();
    key.sign(&pending.to_be_signed).unwrap()
}

async fn leader_signs(
    app: &App,
    leader: &Viewer,
    doc: &DocumentId,
    key: &SoftwareKey,
    chain: &[Vec<u8>],
) {
    let p = app
        .prepare_signature(leader, doc, "agent", chain.to_vec())
        .await
        .unwrap();
    let sig = device_sign(app, leader, &p.pending_id, key).await;
    app.complete_signature(leader, &p.pending_id, &sig, chain)
        .await
        .unwrap();
}

/// The in-process network: every packet goes to `node`'s receive (the same code the HTTP
/// endpoint calls), and each one is kept to be replayed.
struct Loopback {
    node: App,
    handle: tokio::runtime::Handle,
    sent: Mutex<Vec<(String, String, Vec<u8>)>>,
}

impl Courier for Loopback {
    fn deliver(&self, _url: &str, consignment: &str, to: &str, packet: &[u8]) -> Outcome {
        self.sent
            .lock()
            .unwrap()
            .push((consignment.into(), to.into(), packet.to_vec()));
        match self
            .handle
            .block_on(self.node.receive_packet(consignment, to, packet))
        {
            Ok(_) => Outcome::Accepted,
            Err(e) => Outcome::Refused(e.to_string()),
        }
    }
}

fn setup_for(db: &TestDb) -> Setup {
    let ca = BuiltInCa::open(&db.dir.join("ca")).unwrap();
    let loaded = ca.published().unwrap();
    let chain = signet_app::ca_dir::chain(&loaded.ca);
    let mut s = Setup::default();
    s.routes.add("", "http://loopback");
    s.trust.anchors.add(&chain[1]).unwrap();
    s.trust.intermediates = vec![chain[0].clone()];
    s.max_attempts = 3;
    s
}

async fn issued_to(app: &App, db: &TestDb, recipients: &[String]) -> DocumentId {
    let officer = viewer(app, "chuyenvien.vp").await;
    let leader = viewer(app, "lanhdao.ubnd").await;
    let clerk = viewer(app, "vanthu.ubnd").await;
    let _ = db;
    let (key, chain) = chairman_key(app, Some("Chủ tịch")).await.unwrap();
    let doc = submitted_draft(app, &officer, "Về việc liên thông văn bản").await;
    leader_signs(app, &leader, &doc, &key, &chain).await;
    app.set_recipients(&clerk, &doc, recipients).await.unwrap();
    let issued = app.issue_step(&clerk, &doc).await.unwrap();
    assert_eq!(issued.state.code(), "issued");
    doc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_goes_to_another_agency_once_and_its_statuses_come_back_verified() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        init_ca(&db);
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_with_tsa(&db, clock.clone(), None).await;
        assert!(app.seed_demo().await.unwrap());
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let their_clerk = viewer(&app, "vanthu.snv").await;
        let snv = "000.00.02.H99".to_owned();
        let app = app.with_exchange(setup_for(&db));
        let net = Arc::new(Loopback {
            node: app.clone(),
            handle: tokio::runtime::Handle::current(),
            sent: Mutex::new(Vec::new()),
        });
        let courier: Arc<dyn Courier> = net.clone();

        // A recipient not in the directory is refused before anything is recorded.
        let officer = viewer(&app, "chuyenvien.vp").await;
        let draft = submitted_draft(&app, &officer, "Về việc khác").await;
        let e = app
            .set_recipients(&clerk, &draft, &["000.00.99.H99".into()])
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ExchangeRecipient { ref code }) if code == "000.00.99.H99"),
            "{e:?}"
        );

        // Issued with a recipient: one consignment, written with the issue.
        let doc = issued_to(&app, &db, std::slice::from_ref(&snv)).await;
        let view = app.exchange_of(&clerk, &doc).await.unwrap();
        assert_eq!(view.consignments.len(), 1);
        assert_eq!(view.consignments[0].state, "pending");
        let consignment = view.consignments[0].id.clone();

        // Delivered: the receiver has it as "arrived", status 01 queued at once.
        assert_eq!(app.deliver_due(courier.clone(), 10).await.unwrap(), 1);
        let inbox = app.exchange_inbox(&their_clerk, None).await.unwrap();
        assert_eq!(
            inbox.len(),
            1,
            "{:?}",
            app.exchange_of(&clerk, &doc).await.unwrap().consignments
        );
        assert_eq!(inbox[0].state, "arrived");
        assert_eq!(
            inbox[0].consignment_id, consignment,
            "the id is kept end to end"
        );
        assert!(
            inbox[0].verdict.contains("TotalPassed"),
            "{}",
            inbox[0].verdict
        );
        // Tenant isolation: the sender's clerk does not see the receiver's inbox.
        assert!(app.exchange_inbox(&clerk, None).await.unwrap().is_empty());

        // The same packet again, under its id or another: still one document.
        let (id, to, packet) = net.sent.lock().unwrap()[0].clone();
        let again = app.receive_packet(&id, &to, &packet).await.unwrap();
        assert_eq!(again, Receipt::Duplicate);
        let other = app.receive_packet("other-id", &to, &packet).await.unwrap();
        assert_eq!(other, Receipt::Duplicate);
        assert_eq!(
            app.exchange_inbox(&their_clerk, None).await.unwrap().len(),
            1
        );

        // Addressed to another agency: refused.
        let e = app
            .receive_packet("x-1", "000.00.03.H99", &packet)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("another agency"), "{e}");

        // Status 01 goes back and is verified on the sender's page.
        assert_eq!(
            app.deliver_due(courier.clone(), 10).await.unwrap(),
            1,
            "{:?}",
            app.send_log(&their_clerk, None).await.unwrap()
        );
        let view = app.exchange_of(&clerk, &doc).await.unwrap();
        assert_eq!(view.consignments[0].state, "delivered");
        assert_eq!(
            view.statuses.len(),
            1,
            "{:?}",
            app.send_log(&their_clerk, None).await.unwrap()
        );
        assert_eq!(view.statuses[0].status_code, "01");
        assert!(view.statuses[0].verified, "{:?}", view.statuses[0]);
        let receipt01 = net.sent.lock().unwrap()[1].2.clone();
        let inspected = signet_edxml::inspect(receipt01.as_slice(), &Default::default()).unwrap();
        assert_eq!(inspected.signature.valid, Some(true));

        // Registered: an incoming document with the sender's number, status 03 verified.
        let registered = app
            .register_arrived(&their_clerk, &inbox[0].id)
            .await
            .unwrap();
        assert_eq!(
            registered.author_code.as_ref().map(|c| c.as_str()),
            Some("000.00.00.H99")
        );
        assert_eq!(app.deliver_due(courier.clone(), 10).await.unwrap(), 1);
        let view = app.exchange_of(&clerk, &doc).await.unwrap();
        let codes: Vec<(&str, bool)> = view
            .statuses
            .iter()
            .map(|s| (s.status_code.as_str(), s.verified))
            .collect();
        assert_eq!(codes, vec![("01", true), ("03", true)]);

        // A forged status: the receiver's 03 replayed as someone else's consignment but
        // with the text changed is not a valid signature; one bound to another document
        // hash fails too. Either is recorded not verified and changes nothing else.
        let genuine = String::from_utf8(net.sent.lock().unwrap()[2].2.clone()).unwrap();
        let forged = genuine.replace("[sha256:", "[sha256:0");
        app.receive_packet("forged-1", "000.00.00.H99", forged.as_bytes())
            .await
            .unwrap();
        let view = app.exchange_of(&clerk, &doc).await.unwrap();
        let f = view
            .statuses
            .iter()
            .find(|s| s.consignment_id == "forged-1")
            .unwrap();
        assert!(!f.verified);
        assert!(!f.reason.is_empty());
        assert_eq!(view.consignments[0].state, "delivered");
    }
}

#[tokio::test]
async fn a_secret_document_is_never_addressed_for_the_exchange() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        init_ca(&db);
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_with_tsa(&db, clock.clone(), None).await;
        assert!(app.seed_demo().await.unwrap());
        let officer = viewer(&app, "chuyenvien.vp").await;
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let doc = draft_of(
            &app,
            &officer,
            "Về việc mật",
            signet_core::document::Secrecy::Confidential,
        )
        .await;
        let e = app
            .set_recipients(&clerk, &doc, &["000.00.02.H99".into()])
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ExchangeSecret)),
            "{e:?}"
        );
        assert!(app.recipients(&clerk, &doc).await.unwrap().is_empty());
    }
}

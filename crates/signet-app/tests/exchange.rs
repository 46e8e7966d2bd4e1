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

use signet_app::testing::support::{
    app_with_tsa, draft_of, init_ca, leader_signs, submitted_draft, viewer, TestClock,
};
use std::sync::{Arc, Mutex};

use signet_app::ca_service::BuiltInCa;
use signet_app::exchange::{Courier, Outcome, Setup};
use signet_app::testing::chairman_key;
use signet_app::{App, AppError, Invalid};
use signet_core::DocumentId;
use signet_store::exchange::Receipt;
use signet_store::testing::{databases, TestDb};
use time::OffsetDateTime;

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
        init_ca(&db.dir, OffsetDateTime::now_utc());
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
        init_ca(&db.dir, OffsetDateTime::now_utc());
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

/// One node serving both agencies, with the loopback network and the demo seeded.
async fn exchange_node(db: &TestDb) -> (App, Arc<Loopback>, Arc<dyn Courier>) {
    init_ca(&db.dir, OffsetDateTime::now_utc());
    let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
    let app = app_with_tsa(db, clock, None).await;
    assert!(app.seed_demo().await.unwrap());
    let app = app.with_exchange(setup_for(db));
    let net = Arc::new(Loopback {
        node: app.clone(),
        handle: tokio::runtime::Handle::current(),
        sent: Mutex::new(Vec::new()),
    });
    let courier: Arc<dyn Courier> = net.clone();
    (app, net, courier)
}

/// Delivers until the outbox is quiet (each round may queue answers).
async fn settle(app: &App, courier: &Arc<dyn Courier>) {
    for _ in 0..10 {
        if app.deliver_due(courier.clone(), 50).await.unwrap() == 0 {
            return;
        }
    }
    panic!("the outbox does not settle");
}

fn codes_of(view: &signet_app::exchange::ExchangeView) -> Vec<(String, bool)> {
    view.statuses
        .iter()
        .map(|s| (s.status_code.clone(), s.verified))
        .collect()
}

/// A packet of `spec`'s shape for a recall, from `from` to the Sở Nội vụ.
fn recall_spec(from: &str, document_id: &str) -> signet_edxml::Spec {
    signet_edxml::Spec {
        document_id: document_id.into(),
        from: signet_edxml::Organ {
            organ_id: from.into(),
            organ_name: "Cơ quan gửi".into(),
        },
        to: vec![signet_edxml::Organ {
            organ_id: "000.00.02.H99".into(),
            organ_name: "Sở Nội vụ".into(),
        }],
        subject: "Thu hồi".into(),
        business: signet_edxml::Business {
            kind: signet_edxml::BusinessKind::Recall,
            reason: "Không có văn bản này".into(),
            replaces: vec![],
        },
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recalled_document_stops_at_the_recipient_which_confirms_with_a_verified_13() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let (app, net, courier) = exchange_node(&db).await;
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let their_clerk = viewer(&app, "vanthu.snv").await;
        let their_leader = viewer(&app, "lanhdao.snv").await;
        let snv = "000.00.02.H99".to_owned();
        let doc = issued_to(&app, &db, std::slice::from_ref(&snv)).await;
        settle(&app, &courier).await;
        let inbox = app.exchange_inbox(&their_clerk, None).await.unwrap();
        let registered = app
            .register_arrived(&their_clerk, &inbox[0].id)
            .await
            .unwrap();
        settle(&app, &courier).await;

        // A recall needs a reason, and only the sender's clerk may recall.
        let e = app.recall(&clerk, &doc, "  ").await.unwrap_err();
        assert!(e.to_string().contains("reason"), "{e}");
        let officer = viewer(&app, "chuyenvien.vp").await;
        assert!(matches!(
            app.recall(&officer, &doc, "x").await,
            Err(AppError::Forbidden(_))
        ));
        let to = app
            .recall(&clerk, &doc, "Sai sót về thể thức")
            .await
            .unwrap();
        assert_eq!(to, vec![snv.clone()]);
        // Once: a second recall is refused, nothing more queued.
        assert!(app.recall(&clerk, &doc, "lần nữa").await.is_err());
        let lineage = app.lineage(&clerk, &doc).await.unwrap();
        assert_eq!(lineage.recall.unwrap().reason, "Sai sót về thể thức");
        let sent_before = net.sent.lock().unwrap().len();
        settle(&app, &courier).await;
        let sent: Vec<_> = net.sent.lock().unwrap()[sent_before..].to_vec();
        assert_eq!(sent.len(), 2, "the recall and its confirmation");
        let recall_packet =
            signet_edxml::inspect(sent[0].2.as_slice(), &Default::default()).unwrap();
        assert_eq!(
            recall_packet.business.kind,
            signet_edxml::BusinessKind::Recall
        );
        assert!(recall_packet.attachments.is_empty());
        assert_eq!(recall_packet.signature.valid, Some(true));

        // The recipient's copy is recalled, with the reason; processing stops.
        let a = app.exchange_inbox(&their_clerk, None).await.unwrap();
        assert_eq!(a[0].state, "recalled");
        assert_eq!(a[0].reason, "Sai sót về thể thức");
        let copy = app
            .received_copy(&their_clerk, &registered.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(copy.arrived.state, "recalled");
        let form = signet_app::processing::AssignForm {
            instruction: "Giao xử lý".into(),
            lead: format!("person:{}", their_clerk.person_id),
            ..Default::default()
        };
        let e = app
            .assign(&their_leader, &registered.id, &form)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ExchangeRecalled { ref reason }) if reason == "Sai sót về thể thức"),
            "{e:?}"
        );

        // The sender sees 13, verified, in the recipient's timeline.
        let view = app.exchange_of(&clerk, &doc).await.unwrap();
        assert_eq!(
            codes_of(&view),
            vec![
                ("01".into(), true),
                ("03".into(), true),
                ("13".into(), true)
            ]
        );
        let confirmation =
            signet_edxml::inspect(sent[1].2.as_slice(), &Default::default()).unwrap();
        let status = confirmation.status.unwrap();
        assert_eq!(status.code, "13");
        assert!(
            status.description.contains("[sha256:"),
            "{}",
            status.description
        );

        // The recall again, under its id or another: changes nothing, no second 13.
        let (id, to, packet) = sent[0].clone();
        for consignment in [id.as_str(), "recall-again"] {
            let r = app.receive_packet(consignment, &to, &packet).await.unwrap();
            assert_eq!(r, Receipt::Duplicate);
        }
        let thirteen = app
            .send_log(&their_clerk, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.status_code.as_deref() == Some("13"))
            .count();
        assert_eq!(thirteen, 1);

        // A recall of a document the recipient never had, and one naming another agency's
        // document (genuinely signed by its sender): refused, and on the recipient's record.
        let unknown = signet_app::testing::sealed_packet(
            &app,
            "000.00.00.H99",
            recall_spec("000.00.00.H99", "000.00.00.H99,2026/01/01,999/UBND"),
            vec![],
        )
        .await
        .unwrap();
        let e = app
            .receive_packet("recall-unknown", &snv, &unknown)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("to recall"), "{e}");
        let theirs = signet_app::testing::sealed_packet(
            &app,
            "000.00.03.H99",
            recall_spec("000.00.03.H99", &recall_packet.document_id),
            vec![],
        )
        .await
        .unwrap();
        let e = app
            .receive_packet("recall-theirs", &snv, &theirs)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("to recall"), "{e}");
        let journal = app.store.journal(&their_clerk.agency_id).await.unwrap();
        let refused: Vec<&str> = journal
            .iter()
            .filter(|e| e.action == "exchange.refused")
            .map(|e| e.subject.as_str())
            .collect();
        assert_eq!(refused, ["recall-unknown", "recall-theirs"]);
        assert!(journal.iter().any(|e| e.action == "exchange.recalled"));
        let ours = app.store.journal(&clerk.agency_id).await.unwrap();
        assert!(ours.iter().any(|e| e.action == "exchange.recall_queued"));
    }
}

/// Issues an officer's new draft that updates or replaces `original` (recipients taken from
/// the original's).
async fn issued_superseding(app: &App, original: &DocumentId, kind: &str) -> DocumentId {
    let officer = viewer(app, "chuyenvien.vp").await;
    let leader = viewer(app, "lanhdao.ubnd").await;
    let clerk = viewer(app, "vanthu.ubnd").await;
    let (key, chain) = chairman_key(app, Some("Chủ tịch")).await.unwrap();
    let doc = submitted_draft(app, &officer, "Về việc liên thông (bản mới)").await;
    leader_signs(app, &leader, &doc, &key, &chain).await;
    let notation = app
        .document(&clerk, original)
        .await
        .unwrap()
        .notation
        .unwrap();
    app.set_supersedes(&clerk, &doc, kind, &notation)
        .await
        .unwrap();
    let issued = app.issue_step(&clerk, &doc).await.unwrap();
    assert_eq!(issued.state.code(), "issued");
    doc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_and_an_update_arrive_linked_to_the_original_answered_16_and_15() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let (app, net, courier) = exchange_node(&db).await;
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let their_clerk = viewer(&app, "vanthu.snv").await;
        let snv = "000.00.02.H99".to_owned();
        let first = issued_to(&app, &db, std::slice::from_ref(&snv)).await;
        settle(&app, &courier).await;

        // Only a document that went out can be superseded.
        let officer = viewer(&app, "chuyenvien.vp").await;
        let draft = submitted_draft(&app, &officer, "Về việc khác").await;
        let e = app
            .set_supersedes(&clerk, &draft, "replace", "999/UBND-VP")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("999/UBND-VP"), "{e}");

        // The replacement: recipients from the original, a new document at the recipient
        // linked to the original, which is marked replaced and answered 16.
        let second = issued_superseding(&app, &first, "replace").await;
        let recipients = app.recipients(&clerk, &second).await.unwrap();
        assert_eq!(recipients.len(), 1);
        assert_eq!(recipients[0].code, snv);
        let lineage = app.lineage(&clerk, &second).await.unwrap();
        let (link, original_notation) = lineage.supersedes.unwrap();
        assert_eq!(link.original_id, first);
        let sent_before = net.sent.lock().unwrap().len();
        settle(&app, &courier).await;
        let inbox = app.exchange_inbox(&their_clerk, None).await.unwrap();
        assert_eq!(inbox.len(), 2);
        // (Received at one instant on this test clock: found by what they are, not by order.)
        let new = inbox.iter().find(|a| a.business == "replace").unwrap();
        let old = inbox.iter().find(|a| a.business == "new").unwrap();
        assert_eq!(new.business, "replace");
        assert_eq!(new.original_id.as_deref(), Some(old.id.as_str()));
        assert_eq!(new.original_notation, original_notation);
        assert_eq!(old.superseded, "replaced");
        assert_eq!(old.superseded_by.as_deref(), Some(new.id.as_str()));
        let first_view = app.exchange_of(&clerk, &first).await.unwrap();
        assert_eq!(
            codes_of(&first_view),
            vec![("01".into(), true), ("16".into(), true)]
        );
        let second_view = app.exchange_of(&clerk, &second).await.unwrap();
        assert_eq!(codes_of(&second_view), vec![("01".into(), true)]);

        // The replacement's packet again: one document, no second 16.
        let (id, to, packet) = net.sent.lock().unwrap()[sent_before].clone();
        let p = signet_edxml::inspect(packet.as_slice(), &Default::default()).unwrap();
        assert_eq!(p.business.kind, signet_edxml::BusinessKind::Replace);
        assert_eq!(
            app.receive_packet(&id, &to, &packet).await.unwrap(),
            Receipt::Duplicate
        );
        assert_eq!(
            app.receive_packet("again", &to, &packet).await.unwrap(),
            Receipt::Duplicate
        );
        assert_eq!(
            app.exchange_inbox(&their_clerk, None).await.unwrap().len(),
            2
        );
        settle(&app, &courier).await;
        let first_view = app.exchange_of(&clerk, &first).await.unwrap();
        assert_eq!(first_view.statuses.len(), 2);

        // An update of the replacement: linked to it, which is marked updated; 15 verified.
        let third = issued_superseding(&app, &second, "update").await;
        settle(&app, &courier).await;
        let inbox = app.exchange_inbox(&their_clerk, None).await.unwrap();
        assert_eq!(inbox.len(), 3);
        let by = |b: &str| inbox.iter().find(|a| a.business == b).unwrap().clone();
        let (update, replacement, original) = (by("update"), by("replace"), by("new"));
        assert_eq!(update.original_id.as_deref(), Some(replacement.id.as_str()));
        assert_eq!(replacement.superseded, "updated");
        assert_eq!(original.superseded, "replaced");
        let second_view = app.exchange_of(&clerk, &second).await.unwrap();
        assert_eq!(
            codes_of(&second_view),
            vec![("01".into(), true), ("15".into(), true)]
        );
        let third_view = app.exchange_of(&clerk, &third).await.unwrap();
        assert_eq!(codes_of(&third_view), vec![("01".into(), true)]);
        // The replaced and the updated can still be registered; the links show on the page.
        let registered = app
            .register_arrived(&their_clerk, &replacement.id)
            .await
            .unwrap();
        let copy = app
            .received_copy(&their_clerk, &registered.id)
            .await
            .unwrap()
            .unwrap();
        let mut linked: Vec<&str> = copy.links.iter().map(|a| a.id.as_str()).collect();
        linked.sort_unstable();
        let mut expected = [original.id.as_str(), update.id.as_str()];
        expected.sort_unstable();
        assert_eq!(linked, expected);
        let journal = app.store.journal(&their_clerk.agency_id).await.unwrap();
        assert_eq!(
            journal
                .iter()
                .filter(|e| e.action == "exchange.superseded")
                .count(),
            2
        );
    }
}

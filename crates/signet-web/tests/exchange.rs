//! Exchange over HTTP (issue 14 §3): a node and two chained hubs (province → national) on
//! loopback, each hub on its own database; a hub's queue survives a restart; a consignment
//! posted twice is queued once; a packet not signed by its sender is refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_app::testing::support::{
    app_with_tsa, init_ca, leader_signs, submitted_draft, viewer, TestClock,
};
use std::sync::{Arc, Mutex};

use signet_app::ca_service::BuiltInCa;
use signet_app::exchange::{Courier, HttpCourier, Setup};
use signet_app::hub::Hub;
use signet_app::testing::chairman_key;
use signet_app::App;
use signet_core::person::Viewer;
use signet_core::DocumentId;
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;
use time::OffsetDateTime;

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

/// A page session of `who` (cookie, CSRF token), made in the store as signing in would.
async fn session(app: &App, who: &Viewer) -> (String, String) {
    let token = signet_store::new_id() + &signet_store::new_id();
    let csrf = signet_store::new_id();
    let now = app.clock.now_ms();
    app.store
        .insert_session(&token, &who.person_id, &csrf, now, now + 3_600_000)
        .await
        .unwrap();
    (format!("signet_session={token}"), csrf)
}

/// One request through the node's router: status and body.
async fn call(
    router: &axum::Router,
    method: &str,
    path: &str,
    cookie: &str,
    form: Option<String>,
) -> (u16, String) {
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("cookie", cookie);
    if form.is_some() {
        req = req.header("content-type", "application/x-www-form-urlencoded");
    }
    let req = req
        .body(axum::body::Body::from(form.unwrap_or_default()))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Serves `router` on a loopback port until the returned sender is dropped.
async fn start(router: axum::Router) -> (String, tokio::sync::oneshot::Sender<()>) {
    start_at("127.0.0.1:0", router).await
}

/// The same on `addr` (a restarted server on its old port), waiting for the port.
async fn start_at(addr: &str, router: axum::Router) -> (String, tokio::sync::oneshot::Sender<()>) {
    let mut tries = 0;
    let listener = loop {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => break l,
            Err(e) if tries < 100 => {
                tries += 1;
                eprintln!("waiting for {addr}: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{addr}: {e}"),
        }
    };
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(signet_web::serve_router(listener, router, async move {
        let _ = rx.await;
    }));
    (url, tx)
}

async fn hub_on(db: &TestDb, dir: &str, clock: Arc<TestClock>, setup: Setup) -> Hub {
    Hub::new(
        db.store.clone(),
        BlobStore::open(db.dir.join(dir), 64 << 20).await.unwrap(),
        clock,
        Arc::new(setup),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_travels_through_two_hubs_and_its_status_comes_back() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        init_ca(&db.dir, OffsetDateTime::now_utc());
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_with_tsa(&db, clock.clone(), None).await;
        assert!(app.seed_demo().await.unwrap());
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let their_clerk = viewer(&app, "vanthu.snv").await;
        let trust = setup_for(&db).trust;

        // The node on loopback.
        // (Its receiving side needs only the trust; the sending side, below, the routes.)
        let receiving = app.clone().with_exchange(setup_for(&db));
        let node_router = signet_web::router(receiving, signet_web::WebConfig::default());
        let (node_url, _node) = start(node_router).await;
        // The national hub serves the node; the province hub sends everything national.
        let national_db = signet_store::testing::sqlite().await.unwrap();
        let mut national_setup = Setup::default();
        national_setup.routes.add("", &node_url);
        national_setup.trust = trust.clone();
        let national = hub_on(&national_db, "hub", clock.clone(), national_setup).await;
        let (national_url, _n) = start(signet_web::exchange::hub_router(national.clone())).await;
        let mut province_setup = Setup::default();
        province_setup.routes.add("", &national_url);
        province_setup.trust = trust.clone();
        let province = hub_on(&db, "province-hub", clock.clone(), province_setup.clone()).await;
        let (province_url, stop_province) =
            start(signet_web::exchange::hub_router(province.clone())).await;
        let mut node_setup = setup_for(&db);
        node_setup.routes = Default::default();
        node_setup.routes.add("", &province_url);
        let app = app.with_exchange(node_setup);
        let http: Arc<dyn Courier> = Arc::new(HttpCourier::default());

        let doc = issued_to(&app, &db, &["000.00.02.H99".to_owned()]).await;
        // Node → province hub: accepted and durable there, then the hub goes down.
        assert_eq!(app.deliver_due(http.clone(), 10).await.unwrap(), 1);
        let view = app.exchange_of(&clerk, &doc).await.unwrap();
        assert_eq!(view.consignments[0].state, "delivered", "{view:?}");
        let id = view.consignments[0].id.clone();
        drop(stop_province);
        drop(province);
        // The same consignment again (a retry that crossed the answer): queued once.
        let restarted = hub_on(&db, "province-hub", clock.clone(), province_setup).await;
        let (_, packet_sha) = {
            let items = restarted.store.hub_items("queued", 10).await.unwrap();
            assert_eq!(items.len(), 1, "the queue survives the restart");
            (
                items[0].consignment_id.clone(),
                items[0].packet_sha256.clone(),
            )
        };
        let packet = std::fs::read(
            db.dir
                .join("province-hub")
                .join(&packet_sha[..2])
                .join(&packet_sha),
        )
        .unwrap();
        {
            let again = restarted
                .accept(&id, "000.00.02.H99", &packet)
                .await
                .unwrap();
            assert_eq!(again, signet_store::exchange::Receipt::Duplicate);
        }
        // A packet whose header was changed by one character: its signature no longer holds.
        {
            let text = String::from_utf8(packet.clone()).unwrap();
            let forged = text.replacen("Về việc liên thông", "Về việc liên thônG", 1);
            let e = restarted
                .accept("forged", "000.00.02.H99", forged.as_bytes())
                .await;
            assert!(e.is_err(), "a forged packet is refused");
        }
        // Province → national → node.
        assert_eq!(restarted.forward_due(http.clone(), 10).await.unwrap(), 1);
        assert_eq!(national.forward_due(http.clone(), 10).await.unwrap(), 1);
        let inbox = app.exchange_inbox(&their_clerk, None).await.unwrap();
        assert_eq!(
            inbox.len(),
            1,
            "{:?}",
            national.store.hub_items("undeliverable", 10).await.unwrap()
        );
        assert_eq!(inbox[0].consignment_id, id, "one consignment id end to end");
        let (_, _province_again) = start_at(
            province_url.trim_start_matches("http://"),
            signet_web::exchange::hub_router(restarted.clone()),
        )
        .await;

        // Status 01 back the same way.
        assert_eq!(app.deliver_due(http.clone(), 10).await.unwrap(), 1);
        assert_eq!(restarted.forward_due(http.clone(), 10).await.unwrap(), 1);
        assert_eq!(national.forward_due(http.clone(), 10).await.unwrap(), 1);
        let view = app.exchange_of(&clerk, &doc).await.unwrap();
        assert_eq!(view.statuses.len(), 1);
        assert!(view.statuses[0].verified, "{:?}", view.statuses[0]);
        assert_eq!(
            restarted.store.hub_counts().await.unwrap(),
            vec![("forwarded".to_owned(), 2)]
        );

        // The pages: the sender's timeline with the verified mark and the receipt; the
        // receiver's list with the arrived document, returned with a reason (status 02).
        let pages = signet_web::router(app.clone(), signet_web::WebConfig::default());
        let (ours, _) = session(&app, &clerk).await;
        let (theirs, their_csrf) = session(&app, &their_clerk).await;
        let (st, page) = call(&pages, "GET", &format!("/documents/{doc}"), &ours, None).await;
        assert_eq!(st, 200);
        assert!(
            page.contains("000.00.02.H99") && page.contains("Đã xác thực"),
            "{page}"
        );
        let receipt_path = format!(
            "/documents/{doc}/receipts/{}",
            view.statuses[0].consignment_id
        );
        let (st, receipt) = call(&pages, "GET", &receipt_path, &ours, None).await;
        assert_eq!(st, 200);
        let inspected = signet_edxml::inspect(receipt.as_bytes(), &Default::default()).unwrap();
        assert_eq!(inspected.status.unwrap().code, "01");
        assert_eq!(inspected.signature.valid, Some(true));
        // Another agency's clerk sees neither the document nor its receipts.
        let (st, _) = call(&pages, "GET", &receipt_path, &theirs, None).await;
        assert_eq!(st, 404);
        let (st, list) = call(&pages, "GET", "/exchange", &theirs, None).await;
        assert_eq!(st, 200);
        assert!(list.contains("Về việc liên thông văn bản"), "{list}");
        // Without a reason: the page again, the problem in that row's form, nothing sent.
        let (st, page) = call(
            &pages,
            "POST",
            &format!("/exchange/arrived/{}/return", inbox[0].id),
            &theirs,
            Some(format!("csrf={their_csrf}&reason=+")),
        )
        .await;
        assert_eq!(st, 422, "{page}");
        assert!(page.contains(r##"href="#return-arrived-form""##), "{page}");
        assert!(page.contains(r#"id="return-arrived-form""#), "{page}");
        let (st, _) = call(
            &pages,
            "POST",
            &format!("/exchange/arrived/{}/return", inbox[0].id),
            &theirs,
            Some(format!(
                "csrf={their_csrf}&reason=Sai+n%C6%A1i+nh%E1%BA%ADn"
            )),
        )
        .await;
        assert_eq!(st, 303);
        assert_eq!(app.deliver_due(http.clone(), 10).await.unwrap(), 1);
        assert_eq!(restarted.forward_due(http.clone(), 10).await.unwrap(), 1);
        assert_eq!(national.forward_due(http.clone(), 10).await.unwrap(), 1);
        let view = app.exchange_of(&clerk, &doc).await.unwrap();
        let last = view.statuses.last().unwrap();
        assert_eq!((last.status_code.as_str(), last.verified), ("02", true));
        assert!(last.description.starts_with("Sai nơi nhận"), "{last:?}");

        // Concurrent posts are committed together (the hub's group commit): the same new
        // consignment posted six times at once is queued once, the others answered as
        // duplicates, and a second consignment in the same batches is queued too.
        let posts = (0..8).map(|i| {
            let (hub, packet) = (restarted.clone(), packet.clone());
            let id = if i < 6 {
                "concurrent-1"
            } else {
                "concurrent-2"
            };
            tokio::spawn(async move { hub.accept(id, "000.00.02.H99", &packet).await })
        });
        let mut receipts = Vec::new();
        for p in posts {
            receipts.push(p.await.unwrap().unwrap());
        }
        let new = |r: &[signet_store::exchange::Receipt]| {
            r.iter()
                .filter(|x| **x == signet_store::exchange::Receipt::New)
                .count()
        };
        assert_eq!(new(&receipts[..6]), 1, "{receipts:?}");
        assert_eq!(new(&receipts[6..]), 1, "{receipts:?}");
        let queued = restarted.store.hub_items("queued", 10).await.unwrap();
        let mut ids: Vec<_> = queued.iter().map(|q| q.consignment_id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["concurrent-1", "concurrent-2"]);
    }
}

/// HTTP to the next hop, keeping each packet sent (to post it again).
struct Recording {
    http: HttpCourier,
    sent: Mutex<Vec<(String, String, Vec<u8>)>>,
}

impl Courier for Recording {
    fn deliver(
        &self,
        url: &str,
        consignment: &str,
        to: &str,
        packet: &[u8],
    ) -> signet_app::exchange::Outcome {
        self.sent
            .lock()
            .unwrap()
            .push((consignment.into(), to.into(), packet.to_vec()));
        self.http.deliver(url, consignment, to, packet)
    }
}

/// Posts a packet to a node as a hub would.
fn post_packet(
    url: &str,
    consignment: &str,
    to: &str,
    packet: &[u8],
) -> signet_app::exchange::Outcome {
    HttpCourier::default().deliver(url, consignment, to, packet)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recall_from_the_document_page_stops_the_copy_and_comes_back_as_a_verified_13() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        init_ca(&db.dir, OffsetDateTime::now_utc());
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_with_tsa(&db, clock.clone(), None).await;
        assert!(app.seed_demo().await.unwrap());
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let their_clerk = viewer(&app, "vanthu.snv").await;
        // One node serving both agencies, delivering to itself over HTTP.
        let receiving = app.clone().with_exchange(setup_for(&db));
        let (node_url, _node) = start(signet_web::router(
            receiving,
            signet_web::WebConfig::default(),
        ))
        .await;
        let mut setup = setup_for(&db);
        setup.routes = Default::default();
        setup.routes.add("", &node_url);
        let app = app.with_exchange(setup);
        let net = Arc::new(Recording {
            http: HttpCourier::default(),
            sent: Mutex::new(Vec::new()),
        });
        let courier: Arc<dyn Courier> = net.clone();
        let pages = signet_web::router(app.clone(), signet_web::WebConfig::default());
        let (ours, csrf) = session(&app, &clerk).await;
        let (theirs, their_csrf) = session(&app, &their_clerk).await;

        let doc = issued_to(&app, &db, &["000.00.02.H99".to_owned()]).await;
        assert_eq!(app.deliver_due(courier.clone(), 10).await.unwrap(), 1);
        let inbox = app.exchange_inbox(&their_clerk, None).await.unwrap();
        let (st, _) = call(
            &pages,
            "POST",
            &format!("/exchange/arrived/{}/register", inbox[0].id),
            &theirs,
            Some(format!("csrf={their_csrf}")),
        )
        .await;
        assert_eq!(st, 303);
        assert_eq!(app.deliver_due(courier.clone(), 10).await.unwrap(), 2);
        let registered = app
            .exchange_inbox(&their_clerk, None)
            .await
            .unwrap()
            .remove(0)
            .document_id
            .unwrap();

        // The sender's page offers the recall; without a reason it is refused clearly.
        let path = format!("/documents/{doc}");
        let (_, page) = call(&pages, "GET", &path, &ours, None).await;
        assert!(page.contains("id=\"recall-form\""), "{page}");
        let recall = format!("/exchange/documents/{doc}/recall");
        let (st, body) = call(
            &pages,
            "POST",
            &recall,
            &ours,
            Some(format!("csrf={csrf}&reason=")),
        )
        .await;
        assert!((400..500).contains(&st), "{st} {body}");
        let (st, _) = call(
            &pages,
            "POST",
            &recall,
            &ours,
            Some(format!("csrf={csrf}&reason=Sai+th%E1%BB%83+th%E1%BB%A9c")),
        )
        .await;
        assert_eq!(st, 303);
        // The recall packet, then its confirmation 13.
        assert_eq!(app.deliver_due(courier.clone(), 10).await.unwrap(), 1);
        assert_eq!(app.deliver_due(courier.clone(), 10).await.unwrap(), 1);
        let (_, page) = call(&pages, "GET", &path, &ours, None).await;
        assert!(!page.contains("id=\"recall-form\""), "recalled once");
        assert!(
            page.contains("Đã thu hồi") && page.contains("Sai thể thức"),
            "{page}"
        );
        let view = app.exchange_of(&clerk, &doc).await.unwrap();
        let last = view.statuses.last().unwrap();
        assert_eq!((last.status_code.as_str(), last.verified), ("13", true));
        assert!(page.contains(&format!(
            "/documents/{doc}/receipts/{}",
            last.consignment_id
        )));

        // The recipient: the copy's page and the list say recalled; assigning is refused.
        let (_, their_page) = call(
            &pages,
            "GET",
            &format!("/documents/{registered}"),
            &theirs,
            None,
        )
        .await;
        assert!(
            their_page.contains("Văn bản đã bị bên gửi thu hồi"),
            "{their_page}"
        );
        let (_, list) = call(&pages, "GET", "/exchange", &theirs, None).await;
        assert!(list.contains("data-state=\"recalled\"") && list.contains("Đã bị thu hồi"));
        // Both agencies' document lists mark it too.
        let (_, incoming) = call(&pages, "GET", "/incoming", &theirs, None).await;
        assert!(incoming.contains("Đã bị thu hồi"), "{incoming}");
        let (_, outgoing) = call(&pages, "GET", "/outgoing", &ours, None).await;
        assert!(outgoing.contains("Đã bị thu hồi"), "{outgoing}");

        // The recall posted again: 200 duplicate, nothing more queued. A recall of a
        // document the recipient does not have: 422 with the reason.
        let recall_packet = net
            .sent
            .lock()
            .unwrap()
            .iter()
            .find(|(_, _, p)| {
                signet_edxml::inspect(p.as_slice(), &Default::default())
                    .map(|p| p.business.kind == signet_edxml::BusinessKind::Recall)
                    .unwrap_or(false)
            })
            .cloned()
            .unwrap();
        let (url, (id, to, packet)) = (node_url.clone(), recall_packet);
        let again = tokio::task::spawn_blocking(move || post_packet(&url, &id, &to, &packet))
            .await
            .unwrap();
        assert_eq!(again, signet_app::exchange::Outcome::Accepted);
        assert_eq!(app.deliver_due(courier.clone(), 10).await.unwrap(), 0);
        let spec = signet_edxml::Spec {
            document_id: "000.00.00.H99,2026/01/01,999/UBND".into(),
            from: signet_edxml::Organ {
                organ_id: "000.00.00.H99".into(),
                organ_name: "UBND".into(),
            },
            to: vec![signet_edxml::Organ {
                organ_id: "000.00.02.H99".into(),
                organ_name: "Sở Nội vụ".into(),
            }],
            business: signet_edxml::Business {
                kind: signet_edxml::BusinessKind::Recall,
                reason: "x".into(),
                replaces: vec![],
            },
            ..Default::default()
        };
        let unknown = signet_app::testing::sealed_packet(&app, "000.00.00.H99", spec, vec![])
            .await
            .unwrap();
        let url = node_url.clone();
        let refused = tokio::task::spawn_blocking(move || {
            post_packet(&url, "recall-unknown", "000.00.02.H99", &unknown)
        })
        .await
        .unwrap();
        let signet_app::exchange::Outcome::Refused(body) = refused else {
            panic!("{refused:?}");
        };
        assert!(
            body.starts_with("422") && body.contains("to recall"),
            "{body}"
        );

        // A draft that replaces the recalled document: the link on its page.
        let officer = viewer(&app, "chuyenvien.vp").await;
        let draft = submitted_draft(&app, &officer, "Về việc thay thế").await;
        let notation = app.document(&clerk, &doc).await.unwrap().notation.unwrap();
        let (st, _) = call(
            &pages,
            "POST",
            &format!("/exchange/documents/{draft}/supersedes"),
            &ours,
            Some(format!(
                "csrf={csrf}&kind=replace&original={}",
                notation.replace('/', "%2F")
            )),
        )
        .await;
        assert_eq!(st, 303);
        let (_, page) = call(&pages, "GET", &format!("/documents/{draft}"), &ours, None).await;
        assert!(
            page.contains("Thay thế văn bản số") && page.contains(&notation),
            "{page}"
        );
        assert!(page.contains("000.00.02.H99"), "the original's recipients");
    }
}

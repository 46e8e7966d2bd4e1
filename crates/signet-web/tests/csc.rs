//! The CSC server over HTTP (`/csc/v1`, `/csc/v2`) and the phone page, on SoftHSM2 and every
//! database backend: pyHanko's own CSC client signs a PDF through the server and pyHanko
//! validates the result; bad bodies, other people's credentials, SAD misuse and PIN lockout
//! are refused with CSC's error body and a 4xx, and change nothing.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use signet_app::ca_service::BuiltInCa;
use signet_app::demo::DEMO_PASSWORD;
use signet_app::remote_signing::RemoteRequest;
use signet_app::server_keys::{HsmConfig, ServerKeys};
use signet_app::{App, SystemClock};
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;
use signet_testkit::softhsm::SoftHsm;
use signet_web::WebConfig;
use tower::ServiceExt;

struct Env {
    app: App,
    router: Router,
    ca_dir: PathBuf,
}

async fn env(db: &TestDb) -> Option<Env> {
    let token = SoftHsm::in_process_token("csc-web", "24681357")?;
    let keys = ServerKeys::open(HsmConfig {
        module: token.module,
        token: token.label,
        pin: token.pin,
    })
    .unwrap();
    let ca_dir = db.dir.join("ca");
    signet_app::ca_dir::init(
        &ca_dir,
        "CA kiểm thử CSC",
        "http://127.0.0.1:9",
        signet_pki::KeyAlg::EcdsaP256,
        None,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let blobs = BlobStore::open(&db.dir.join("blobs"), 1 << 20)
        .await
        .unwrap();
    let app = App::new(db.store.clone(), blobs, Arc::new(SystemClock))
        .with_ca(BuiltInCa::open(&ca_dir).unwrap())
        .with_server_keys(keys);
    assert!(app.seed_demo().await.unwrap());
    let router = signet_web::router(app.clone(), WebConfig::default());
    Some(Env {
        app,
        router,
        ca_dir,
    })
}

struct Resp {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A CSC refusal: the status, and the body's `error`.
    fn refused(&self, status: StatusCode, error: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        let v = self.json();
        assert_eq!(v["error"], error, "{v}");
        assert!(v["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
    }
}

async fn send(router: &Router, req: Request<Body>) -> Resp {
    let r = router.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let content_type = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    Resp {
        status,
        content_type,
        body,
    }
}

/// POST `body` (raw) to a CSC endpoint with a bearer token.
async fn csc(router: &Router, token: &str, path: &str, body: &str) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(router, req).await
}

async fn login(router: &Router, username: &str) -> String {
    let basic = B64.encode(format!("{username}:{DEMO_PASSWORD}"));
    let req = Request::builder()
        .method(Method::POST)
        .uri("/csc/v2/auth/login")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Body::empty())
        .unwrap();
    let r = send(router, req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["access_token"].as_str().unwrap().to_owned()
}

async fn first_credential(router: &Router, token: &str) -> String {
    let r = csc(router, token, "/csc/v2/credentials/list", "{}").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["credentialIDs"][0].as_str().unwrap().to_owned()
}

/// The base64 SHA-256 of `msg`, as a CSC request carries it.
fn h(msg: &str) -> String {
    B64.encode(signet_pki::DigestAlgorithm::Sha256.hash(msg.as_bytes()))
}

async fn journal_len(app: &App) -> usize {
    let mut n = 0;
    for a in app.store.agencies().await.unwrap() {
        n += app.store.journal(&a.id).await.unwrap().len();
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_csc_errors_and_change_nothing() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Env { app, router, .. }) = env(&db).await else {
            return;
        };
        let r = send(
            &router,
            Request::post("/csc/v2/info").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json()["methods"].as_array().unwrap().len() >= 6);
        // No token, a wrong password.
        csc(&router, "nope", "/csc/v2/credentials/list", "{}")
            .await
            .refused(StatusCode::UNAUTHORIZED, "invalid_token");
        let req = Request::post("/csc/v1/auth/login")
            .header(
                header::AUTHORIZATION,
                format!("Basic {}", B64.encode("lanhdao.ubnd:wrong")),
            )
            .body(Body::empty())
            .unwrap();
        send(&router, req)
            .await
            .refused(StatusCode::UNAUTHORIZED, "authentication_error");

        let leader = login(&router, "lanhdao.ubnd").await;
        let cred = first_credential(&router, &leader).await;
        let info = csc(
            &router,
            &leader,
            "/csc/v2/credentials/info",
            &json!({"credentialID": cred}).to_string(),
        )
        .await;
        let info = info.json();
        assert_eq!(info["SCAL"], "2");
        assert_eq!(info["cert"]["certificates"].as_array().unwrap().len(), 3);
        assert!(info["multisign"].as_u64().unwrap() >= 100);
        assert!(info["key"]["algo"]
            .as_array()
            .unwrap()
            .contains(&json!("1.2.840.10045.4.3.2")));

        let before = journal_len(&app).await;
        // Malformed bodies: not JSON, wrong types, missing fields, hashes that are not
        // SHA-256, a count that does not match, another hash algorithm.
        let bad_bodies = [
            "{",
            "[]",
            "{\"credentialID\": 5}",
            &json!({"credentialID": cred, "numSignatures": 1, "hash": ["AAAA"], "PIN": DEMO_PASSWORD}).to_string(),
            &json!({"credentialID": cred, "numSignatures": 2, "hash": [h("a")], "PIN": DEMO_PASSWORD}).to_string(),
            &json!({"credentialID": cred, "numSignatures": 0, "hash": [], "PIN": DEMO_PASSWORD}).to_string(),
            &json!({"credentialID": cred, "numSignatures": 1, "hash": [h("a")], "hashAlgo": "1.3.14.3.2.26", "PIN": DEMO_PASSWORD}).to_string(),
            &json!({"credentialID": cred, "numSignatures": 1, "hash": [h("a")]}).to_string(),
            &json!({"credentialID": "no-such-credential", "numSignatures": 1, "hash": [h("a")], "PIN": DEMO_PASSWORD}).to_string(),
        ];
        for body in bad_bodies {
            csc(&router, &leader, "/csc/v1/credentials/authorize", body)
                .await
                .refused(StatusCode::BAD_REQUEST, "invalid_request");
        }
        csc(
            &router,
            &leader,
            "/csc/v2/signatures/signHash",
            "{\"SAD\": []}",
        )
        .await
        .refused(StatusCode::BAD_REQUEST, "invalid_request");
        assert_eq!(journal_len(&app).await, before, "nothing journaled");

        // Another person's credential: refused everywhere.
        let deputy = login(&router, "pholanhdao.ubnd").await;
        let body = json!({"credentialID": cred, "numSignatures": 1, "hash": [h("a")], "PIN": DEMO_PASSWORD});
        csc(
            &router,
            &deputy,
            "/csc/v1/credentials/authorize",
            &body.to_string(),
        )
        .await
        .refused(StatusCode::FORBIDDEN, "access_denied");
        csc(
            &router,
            &deputy,
            "/csc/v2/credentials/info",
            &json!({"credentialID": cred}).to_string(),
        )
        .await
        .refused(StatusCode::FORBIDDEN, "access_denied");
        assert_eq!(journal_len(&app).await, before, "nothing journaled");

        // SAD misuse over HTTP (v2 names): hash B under A's SAD, A twice, another credential.
        let auth = csc(
            &router,
            &leader,
            "/csc/v2/credentials/authorize",
            &json!({"credentialID": cred, "numSignatures": 1, "hashes": [h("A")],
                    "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
                    "authData": [{"id": "PIN", "value": DEMO_PASSWORD}]})
            .to_string(),
        )
        .await;
        assert_eq!(auth.status, StatusCode::OK, "{}", auth.text());
        let sad = auth.json()["SAD"].as_str().unwrap().to_owned();
        assert_eq!(auth.json()["expiresIn"], 300);
        let sign = |hash: String, sad: String, cred: String| {
            json!({"credentialID": cred, "SAD": sad, "hashes": [hash],
                   "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1", "signAlgo": "1.2.840.10045.4.3.2"})
            .to_string()
        };
        csc(
            &router,
            &leader,
            "/csc/v2/signatures/signHash",
            &sign(h("B"), sad.clone(), cred.clone()),
        )
        .await
        .refused(StatusCode::BAD_REQUEST, "invalid_request");
        // The right SAD and hash with a token that is no session: refused, nothing used.
        csc(
            &router,
            "nope",
            "/csc/v2/signatures/signHash",
            &sign(h("A"), sad.clone(), cred.clone()),
        )
        .await
        .refused(StatusCode::UNAUTHORIZED, "invalid_token");
        let ok = csc(
            &router,
            &leader,
            "/csc/v2/signatures/signHash",
            &sign(h("A"), sad.clone(), cred.clone()),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        assert_eq!(ok.json()["signatures"].as_array().unwrap().len(), 1);
        csc(
            &router,
            &leader,
            "/csc/v2/signatures/signHash",
            &sign(h("A"), sad.clone(), cred.clone()),
        )
        .await
        .refused(StatusCode::BAD_REQUEST, "invalid_request");
        let deputy_cred = first_credential(&router, &deputy).await;
        csc(
            &router,
            &deputy,
            "/csc/v2/signatures/signHash",
            &sign(h("A"), sad.clone(), deputy_cred),
        )
        .await
        .refused(StatusCode::BAD_REQUEST, "invalid_request");
        // A signature algorithm the key does not have.
        let rsa = json!({"credentialID": cred, "SAD": sad, "hashes": [h("A")], "signAlgo": "1.2.840.113549.1.1.11"});
        csc(
            &router,
            &leader,
            "/csc/v2/signatures/signHash",
            &rsa.to_string(),
        )
        .await
        .refused(StatusCode::BAD_REQUEST, "invalid_request");

        // PIN lockout over HTTP: four wrong PINs say how many tries are left, the fifth locks.
        let wrong = json!({"credentialID": cred, "numSignatures": 1, "hash": [h("x")], "PIN": "sai-ma-pin"});
        for _ in 0..4 {
            csc(
                &router,
                &leader,
                "/csc/v1/credentials/authorize",
                &wrong.to_string(),
            )
            .await
            .refused(StatusCode::BAD_REQUEST, "invalid_pin");
        }
        csc(
            &router,
            &leader,
            "/csc/v1/credentials/authorize",
            &wrong.to_string(),
        )
        .await
        .refused(StatusCode::FORBIDDEN, "access_denied");
        let right = json!({"credentialID": cred, "numSignatures": 1, "hash": [h("x")], "PIN": DEMO_PASSWORD});
        csc(
            &router,
            &leader,
            "/csc/v1/credentials/authorize",
            &right.to_string(),
        )
        .await
        .refused(StatusCode::FORBIDDEN, "access_denied");
        let locked = csc(
            &router,
            &leader,
            "/csc/v2/credentials/info",
            &json!({"credentialID": cred}).to_string(),
        )
        .await;
        assert_eq!(locked.json()["key"]["status"], "disabled");
        // The agency's administrator sees it on the admin page and unlocks it.
        let (admin, csrf) = page_session(&app, "quantri.ubnd").await;
        let list = page(
            &router,
            &admin,
            Method::GET,
            "/admin/remote-credentials",
            "",
        )
        .await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list
            .text()
            .contains(&format!("/admin/remote-credentials/{cred}/unlock")));
        let (leader_page, leader_csrf) = page_session(&app, "lanhdao.ubnd").await;
        let path = format!("/admin/remote-credentials/{cred}/unlock");
        let refused = page(
            &router,
            &leader_page,
            Method::POST,
            &path,
            &format!("csrf={leader_csrf}"),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let unlocked = page(
            &router,
            &admin,
            Method::POST,
            &path,
            &format!("csrf={csrf}"),
        )
        .await;
        assert_eq!(
            unlocked.status,
            StatusCode::SEE_OTHER,
            "{}",
            unlocked.text()
        );
        let again = csc(
            &router,
            &leader,
            "/csc/v1/credentials/authorize",
            &right.to_string(),
        )
        .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text());
        db.cleanup().await;
    }
}

/// A session cookie and its CSRF token for the pages.
async fn page_session(app: &App, username: &str) -> (String, String) {
    let s = app.sign_in(username, DEMO_PASSWORD, "test").await.unwrap();
    (format!("signet_session={}", s.token), s.csrf_token)
}

async fn page(router: &Router, cookie: &str, method: Method, path: &str, form: &str) -> Resp {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    send(router, req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_lists_approves_and_rejects() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Env { app, router, .. }) = env(&db).await else {
            return;
        };
        let (cookie, csrf) = page_session(&app, "lanhdao.ubnd").await;
        let viewer = app
            .signed_in(cookie.trim_start_matches("signet_session="))
            .await
            .unwrap()
            .viewer;
        let cred = app.remote_credentials(&viewer).await.unwrap().remove(0);
        let ask = |label: &str| RemoteRequest {
            credential_id: cred.id.clone(),
            label: label.into(),
            application: "Signet — văn bản đi".into(),
            digests: vec![[3; 32], [4; 32]],
        };
        let first = app
            .request_remote_signature(&viewer, ask("12/UBND-VP — Về việc ký số"))
            .await
            .unwrap();
        let second = app
            .request_remote_signature(&viewer, ask("13/UBND-VP — Kế hoạch"))
            .await
            .unwrap();
        let list = page(&router, &cookie, Method::GET, "/sign-requests", "").await;
        assert_eq!(list.status, StatusCode::OK);
        let html = list.text();
        assert!(html.contains("12/UBND-VP — Về việc ký số") && html.contains("13/UBND-VP"));
        assert!(html.contains("Signet — văn bản đi"));
        assert!(html.contains("rel=\"manifest\""));
        assert!(html.contains(&format!("/sign-requests/{first}/approve")));
        // Another leader's page does not show them.
        let (other, _) = page_session(&app, "pholanhdao.ubnd").await;
        let theirs = page(&router, &other, Method::GET, "/sign-requests", "").await;
        assert!(!theirs.text().contains("12/UBND-VP"));
        // A wrong PIN: the page again, with why; a forged form: refused.
        let wrong = page(
            &router,
            &cookie,
            Method::POST,
            &format!("/sign-requests/{first}/approve"),
            &format!("csrf={csrf}&pin=000000"),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.text().contains("PIN"));
        let forged = page(
            &router,
            &cookie,
            Method::POST,
            &format!("/sign-requests/{first}/approve"),
            "csrf=x&pin=Signet%402026",
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let approved = page(
            &router,
            &cookie,
            Method::POST,
            &format!("/sign-requests/{first}/approve"),
            &format!("csrf={csrf}&pin=Signet%402026"),
        )
        .await;
        assert_eq!(
            approved.status,
            StatusCode::SEE_OTHER,
            "{}",
            approved.text()
        );
        let rejected = page(
            &router,
            &cookie,
            Method::POST,
            &format!("/sign-requests/{second}/reject"),
            &format!("csrf={csrf}"),
        )
        .await;
        assert_eq!(rejected.status, StatusCode::SEE_OTHER);
        assert!(matches!(
            app.remote_signature_outcome(&viewer, &first).await.unwrap(),
            signet_app::remote_signing::RemoteOutcome::Signed(s) if s.len() == 2
        ));
        assert_eq!(
            app.remote_signature_outcome(&viewer, &second)
                .await
                .unwrap(),
            signet_app::remote_signing::RemoteOutcome::Rejected
        );
        let empty = page(&router, &cookie, Method::GET, "/sign-requests", "").await;
        assert!(!empty.text().contains("/approve"));
        // The installable page's assets.
        let manifest = page(
            &router,
            &cookie,
            Method::GET,
            "/static/manifest.webmanifest",
            "",
        )
        .await;
        assert_eq!(manifest.content_type, "application/manifest+json");
        assert_eq!(manifest.json()["start_url"], "/sign-requests");
        let script = page(
            &router,
            &cookie,
            Method::GET,
            "/static/sign-requests.js",
            "",
        )
        .await;
        assert!(script.text().contains("EventSource"));
        db.cleanup().await;
    }
}

/// The application served over TCP on a free port, until [`Server::stop`].
struct Server {
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(app: &App) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let config = WebConfig::default();
        let handle = tokio::spawn(signet_web::serve(listener, app.clone(), config, async {
            let _ = stopped.await;
        }));
        Server { base, stop, handle }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.handle.await.unwrap().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signets_own_csc_client_signs_through_the_server() {
    use signet_app::remote_signing::client::{CscClient, Provider};
    let db = signet_store::testing::sqlite().await.unwrap();
    let Some(Env { app, .. }) = env(&db).await else {
        return;
    };
    let server = Server::start(&app).await;
    let provider = Provider {
        name: "Signet".into(),
        base_url: format!("{}/", server.base),
        username: "lanhdao.snv".into(),
        password: DEMO_PASSWORD.into(),
    };
    let (signature, chain, wrong_pin, other_hash) = tokio::task::spawn_blocking(move || {
        let client = CscClient::login(&provider).unwrap();
        let ids = client.credentials().unwrap();
        assert_eq!(ids.len(), 1);
        let info = client.credential_info(&ids[0]).unwrap();
        assert_eq!(info.scal, "2");
        let chain = CscClient::chain(&info).unwrap();
        let digest: [u8; 32] = signet_pki::DigestAlgorithm::Sha256
            .hash(b"signed attributes")
            .try_into()
            .unwrap();
        let wrong_pin = client
            .authorize(&ids[0], "không-đúng", &[digest])
            .unwrap_err();
        let sad = client
            .authorize(&ids[0], DEMO_PASSWORD, &[digest])
            .unwrap()
            .sad;
        let other_hash = client
            .sign_hashes(&ids[0], &sad, &[[9; 32]], "1.2.840.10045.4.3.2")
            .unwrap_err();
        let mut sigs = client
            .sign_hashes(&ids[0], &sad, &[digest], "1.2.840.10045.4.3.2")
            .unwrap();
        (sigs.remove(0), chain, wrong_pin, other_hash)
    })
    .await
    .unwrap();
    assert_eq!(chain.len(), 3);
    // The provider's own words come back: CSC error codes.
    assert!(wrong_pin.to_string().contains("invalid_pin"), "{wrong_pin}");
    assert!(
        other_hash.to_string().contains("invalid_request"),
        "{other_hash}"
    );
    use x509_cert::der::Decode;
    let cert = x509_cert::Certificate::from_der(&chain[0]).unwrap();
    let key = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, key)
        .verify(b"signed attributes", &signature)
        .expect("the signature verifies with the credential's certificate");
    server.stop().await;
    db.cleanup().await;
}

/// The venv's Python, next to its `pyhanko` (skips locally when missing; fails under CI).
fn venv_python() -> Option<PathBuf> {
    let pyhanko = signet_testkit::tool("pyhanko")?;
    Some(pyhanko.with_file_name("python3"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyhanko_signs_through_the_csc_server_and_validates() {
    let Some(python) = venv_python() else {
        return;
    };
    let db = signet_store::testing::sqlite().await.unwrap();
    let Some(Env { app, ca_dir, .. }) = env(&db).await else {
        return;
    };
    let server = Server::start(&app).await;
    let base = server.base.clone();
    let input = db.dir.join("in.pdf");
    let output = db.dir.join("out.pdf");
    std::fs::write(&input, signet_app::demo::sample_pdf("Ký qua CSC")).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/csc/pyhanko_csc.py");
    let args: Vec<String> = vec![
        script.display().to_string(),
        base,
        "lanhdao.ubnd".into(),
        DEMO_PASSWORD.into(),
        DEMO_PASSWORD.into(),
        input.display().to_string(),
        output.display().to_string(),
        ca_dir.join("root.pem").display().to_string(),
    ];
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = signet_testkit::text(&out);
    assert!(out.status.success(), "pyHanko: {text}");
    assert!(text.contains("The signature is judged VALID"), "{text}");
    assert!(text.contains("sha256_ecdsa"), "{text}");
    // The signature is journaled in the leader's agency.
    let leader = app.store.person_by_username("lanhdao.ubnd").await.unwrap();
    let actions: Vec<String> = app
        .store
        .journal(&leader.agency_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.iter().any(|a| a == "remote.authorized"));
    assert!(actions.iter().any(|a| a == "remote.signed"));
    server.stop().await;
    db.cleanup().await;
}

/// An officer's submitted draft (the demo's template), made through the app.
async fn submitted_draft(app: &App, officer: &str, subject: &str) -> String {
    use signet_app::testing::support;
    let officer = support::viewer(app, officer).await;
    support::submitted_draft(app, &officer, subject)
        .await
        .to_string()
}

/// The server-held key from the pages and the API: refused until the administrator allows
/// it; then the batch page signs the selection with one PIN, the API signs one more, a
/// wrong PIN and another agency's leader change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_batch_page_signs_with_the_server_held_key_once_allowed() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Env { app, router, .. }) = env(&db).await else {
            return;
        };
        let mut ids = Vec::new();
        for i in 0..3 {
            ids.push(submitted_draft(&app, "chuyenvien.vp", &format!("Lô ký {i}")).await);
        }
        let (cookie, csrf) = page_session(&app, "lanhdao.ubnd").await;
        let list = page(&router, &cookie, Method::GET, "/signing-batch", "").await;
        assert_eq!(list.status, StatusCode::OK);
        let html = list.text();
        assert!(ids.iter().all(|id| html.contains(id.as_str())));
        assert!(
            !html.contains("batch-sign-server"),
            "no server key before the agency allows it"
        );
        let form = format!(
            "csrf={csrf}&document_ids={}&document_ids={}&pin={DEMO_PASSWORD}",
            ids[0], ids[1]
        );
        let refused = page(&router, &cookie, Method::POST, "/signing-batch", &form).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Only an administrator turns it on.
        let (leader_only, leader_csrf) = (cookie.clone(), csrf.clone());
        let r = page(
            &router,
            &leader_only,
            Method::POST,
            "/admin/server-keys",
            &format!("csrf={leader_csrf}&enabled=on"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let (admin, admin_csrf) = page_session(&app, "quantri.ubnd").await;
        let r = page(
            &router,
            &admin,
            Method::POST,
            "/admin/server-keys",
            &format!("csrf={admin_csrf}&enabled=on"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&router, &cookie, Method::GET, "/signing-batch", "")
            .await
            .text();
        assert!(html.contains("batch-sign-server"));

        // A wrong PIN: nothing signed.
        let wrong = form.replace(DEMO_PASSWORD, "not-the-pin");
        let r = page(&router, &cookie, Method::POST, "/signing-batch", &wrong).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The batch page again: the two chosen still ticked, the third not, the problem
        // beside the PIN, the PIN itself never shown.
        let html = r.text();
        for kept in [
            "id=\"pin-problem\"".to_owned(),
            "href=\"#batch-sign-form\"".to_owned(),
            format!("id=\"s-{}\" checked", ids[0]),
            format!("id=\"s-{}\" checked", ids[1]),
        ] {
            assert!(html.contains(&kept), "{kept} kept: {html}");
        }
        assert!(
            !html.contains(&format!("id=\"s-{}\" checked", ids[2])),
            "{html}"
        );
        assert!(!html.contains("not-the-pin"), "the PIN is not shown again");
        // Nothing chosen: said above the selection.
        let none = format!("csrf={csrf}&pin=not-the-pin");
        let r = page(&router, &cookie, Method::POST, "/signing-batch", &none).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("id=\"form-problem\""), "{}", r.text());
        // From the document's page: the page again, the problem beside the PIN (never the
        // PIN itself).
        let r = page(
            &router,
            &cookie,
            Method::POST,
            &format!("/documents/{}/sign-server", ids[0]),
            &format!("csrf={csrf}&pin=not-the-pin"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("id=\"pin-problem\""), "{html}");
        assert!(html.contains("href=\"#server-sign-form\""), "{html}");
        assert!(!html.contains("not-the-pin"), "the PIN is not shown again");
        let r = page(&router, &cookie, Method::POST, "/signing-batch", &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&router, &cookie, Method::GET, "/signing-batch?done=2", "")
            .await
            .text();
        assert!(!html.contains(&format!("s-{}", ids[0])));
        assert!(html.contains(&format!("s-{}", ids[2])));

        // Another agency's leader cannot sign this agency's document.
        let (other, other_csrf) = page_session(&app, "lanhdao.snv").await;
        let r = page(
            &router,
            &other,
            Method::POST,
            "/signing-batch",
            &format!(
                "csrf={other_csrf}&document_ids={}&pin={DEMO_PASSWORD}",
                ids[2]
            ),
        )
        .await;
        assert!(r.status.is_client_error(), "{}", r.text());

        // The leader's signature image through the API: a PNG is taken, garbage refused,
        // another agency's person cannot set it.
        let leader_id = app
            .store
            .person_by_username("lanhdao.ubnd")
            .await
            .unwrap()
            .id
            .to_string();
        let put = |cookie: &str, csrf: &str, body: Vec<u8>| {
            Request::builder()
                .method(Method::POST)
                .uri(format!("/api/v1/people/{leader_id}/signature-image"))
                .header(header::COOKIE, cookie)
                .header("X-CSRF-Token", csrf)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({ "png": B64.encode(body) }).to_string()))
                .unwrap()
        };
        let png = signet_appearance::demo::signature_png("Lãnh đạo");
        let r = send(&router, put(&cookie, &csrf, b"GIF89a".to_vec())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = send(&router, put(&other, &other_csrf, png.clone())).await;
        assert!(r.status.is_client_error(), "{}", r.text());
        let r = send(&router, put(&cookie, &csrf, png)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());

        // The API: the third document.
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/signatures/server")
            .header(header::COOKIE, &cookie)
            .header("X-CSRF-Token", &csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"document_ids": [ids[2]], "pin": DEMO_PASSWORD}).to_string(),
            ))
            .unwrap();
        let r = send(&router, req).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["documents"][0]["state"], "signed");
        db.cleanup().await;
    }
}

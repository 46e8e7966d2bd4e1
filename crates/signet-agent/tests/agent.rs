//! The agent against real SoftHSM2 tokens (this process's module, a token per test): the
//! certificates it offers, batches of digests it signs (checked with the certificate's public
//! key), the PIN, the origin gate, pairing, bad input, the loopback rule.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use base64::Engine;
use http_body_util::BodyExt;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, PublicKeyData};
use serde_json::{json, Value};
use signet_agent::{Agent, AgentConfig, Host};
use signet_signers::{Curve, Token};
use signet_testkit::softhsm::SoftHsm;
use signet_testkit::TempDir;
use time::OffsetDateTime;
use tower::ServiceExt;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const PAGE: &str = "https://signet.example.vn";
const PIN: &str = "482916";

/// A clock the test moves, the OS random source.
struct TestHost {
    now: AtomicI64,
}

impl Host for TestHost {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.now.load(Ordering::SeqCst)).unwrap()
    }
    fn fill_random(&self, dest: &mut [u8]) -> Result<(), String> {
        use ring::rand::SecureRandom;
        ring::rand::SystemRandom::new()
            .fill(dest)
            .map_err(|_| "no random".to_string())
    }
}

/// A signing key of the token and what the test checks its signatures with.
struct Signer {
    /// The raw public key (RSAPublicKey DER, or the EC point).
    public: Vec<u8>,
    cert: Vec<u8>,
    ring_alg: &'static dyn ring::signature::VerificationAlgorithm,
}

/// One test at a time: PKCS#11 state is per process (a context that is dropped finalizes the
/// module for every other context of the process, invalidating their sessions and handles),
/// so tests that each open their own token must not overlap.
async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::OnceLock<tokio::sync::Mutex<()>> = std::sync::OnceLock::new();
    SERIAL
        .get_or_init(|| tokio::sync::Mutex::new(()))
        .lock()
        .await
}

struct Fixture {
    agent: Agent,
    host: Arc<TestHost>,
    data: TempDir,
    ca: Vec<u8>,
    rsa: Signer,
    ec: Signer,
    ec384: Signer,
}

/// A token with a CA key and certificate, an RSA-2048 and a P-256 signing key with
/// certificates the CA issued; an agent on it that knows the page [`PAGE`].
fn fixture(name: &str) -> Option<Fixture> {
    let t = SoftHsm::in_process_token(name, PIN)?;
    let token = Token::open(&t.module, &t.label, &t.pin).unwrap();
    let ca_key = token.generate("ca", Curve::P256).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Signet Test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap().der().to_vec();
    token.store_certificate("ca", &ca).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let issue = |key: &signet_signers::Pkcs11Key, label: &str| -> Vec<u8> {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name
            .push(DnType::CommonName, format!("Nguyễn Văn An {label}"));
        let der = p.signed_by(key, &issuer).unwrap().der().to_vec();
        token.store_certificate(label, &der).unwrap();
        der
    };
    let rsa_key = token.generate_rsa("leader-rsa", 2048).unwrap();
    let rsa = Signer {
        public: rsa_key.der_bytes().to_vec(),
        cert: issue(&rsa_key, "leader-rsa"),
        ring_alg: &ring::signature::RSA_PKCS1_2048_8192_SHA256,
    };
    let ec_key = token.generate("leader-ec", Curve::P256).unwrap();
    let ec = Signer {
        public: ec_key.der_bytes().to_vec(),
        cert: issue(&ec_key, "leader-ec"),
        ring_alg: &ring::signature::ECDSA_P256_SHA256_ASN1,
    };
    let ec384_key = token.generate("leader-p384", Curve::P384).unwrap();
    let ec384 = Signer {
        public: ec384_key.der_bytes().to_vec(),
        cert: issue(&ec384_key, "leader-p384"),
        ring_alg: &ring::signature::ECDSA_P384_SHA384_ASN1,
    };
    // The test's own sessions (and their login) end here: the agent logs in by itself.
    drop((rsa_key, ec_key, ec384_key, issuer, token));
    let host = Arc::new(TestHost {
        now: AtomicI64::new(1_780_000_000),
    });
    let data = TempDir::new("agent");
    let agent = Agent::open(
        AgentConfig {
            module: t.module.clone(),
            data_dir: data.dir().to_path_buf(),
            origins: vec![format!("{PAGE}/documents/1")],
        },
        host.clone(),
    )
    .unwrap();
    Some(Fixture {
        agent,
        host,
        data,
        ca,
        rsa,
        ec,
        ec384,
    })
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    json: Value,
}

async fn call(
    agent: &Agent,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(path);
    if !headers.iter().any(|(k, _)| *k == "host") {
        req = req.header("host", "127.0.0.1:8765");
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(body.map(|b| Body::from(b.to_string())).unwrap_or_default())
        .unwrap();
    let res = agent.router().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
    };
    Answer {
        status,
        headers,
        json,
    }
}

async fn get(agent: &Agent, path: &str, origin: &str) -> Answer {
    call(agent, Method::GET, path, &[("origin", origin)], None).await
}

async fn post(agent: &Agent, path: &str, origin: &str, body: &Value) -> Answer {
    let body = body.to_string();
    call(
        agent,
        Method::POST,
        path,
        &[("origin", origin), ("content-type", "application/json")],
        Some(&body),
    )
    .await
}

/// The id the agent gives the certificate `der`.
async fn certificate_id(f: &Fixture, der: &[u8]) -> String {
    let list = get(&f.agent, "/v1/certificates", PAGE).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    list.json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["der"] == B64.encode(der))
        .unwrap_or_else(|| panic!("certificate not offered: {}", list.json))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn log(f: &Fixture) -> String {
    // No file yet: nothing was journaled.
    std::fs::read_to_string(f.data.path("agent.log")).unwrap_or_default()
}

#[tokio::test]
async fn offers_the_signing_certificates_with_their_chain() {
    let _serial = one_at_a_time().await;
    let Some(f) = fixture("agent-list") else {
        return;
    };
    let info = get(&f.agent, "/v1/info", PAGE).await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.json);
    assert_eq!(info.json["agent"], "signet-agent");
    assert!(info.json["version"].as_str().is_some_and(|v| !v.is_empty()));
    assert!(info.json["module"].as_str().unwrap().contains("softhsm"));
    assert!(info.json["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["label"].as_str().unwrap().starts_with("agent-list-")));

    let list = get(&f.agent, "/v1/certificates", PAGE).await;
    let ours: Vec<&Value> = list.json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["token"].as_str().unwrap().starts_with("agent-list-"))
        .collect();
    // The three signing certificates; the CA's is not one (though its key is on the token).
    assert_eq!(ours.len(), 3, "{}", list.json);
    for (c, signer) in ours.iter().zip([&f.rsa, &f.ec, &f.ec384]) {
        assert_eq!(c["der"], B64.encode(&signer.cert));
        assert_eq!(c["chain"], json!([B64.encode(&f.ca)]));
        assert!(
            c["subject"].as_str().unwrap().contains("Nguyễn Văn An"),
            "{c}"
        );
        assert!(
            c["issuer"].as_str().unwrap().contains("Signet Test CA"),
            "{c}"
        );
        assert!(!c["serial"].as_str().unwrap().is_empty());
        let not_after = c["not_after"].as_str().unwrap();
        OffsetDateTime::parse(not_after, &time::format_description::well_known::Rfc3339).unwrap();
        let id = c["id"].as_str().unwrap();
        let (serial, key_id) = id.rsplit_once('/').unwrap();
        assert!(!serial.is_empty());
        assert_eq!(
            hex::decode(key_id).unwrap(),
            c["label"].as_str().unwrap().as_bytes()
        );
    }
    // Only ever the answer's origin, as sent, for CORS.
    assert_eq!(list.headers["access-control-allow-origin"], PAGE);
}

async fn sign_and_verify(
    f: &Fixture,
    signer: &Signer,
    algorithm: &str,
    (digest, digest_name): (&'static ring::digest::Algorithm, &str),
) {
    let id = certificate_id(f, &signer.cert).await;
    let messages: Vec<Vec<u8>> = (0..3)
        .map(|i| format!("signed attributes of document {i}").into_bytes())
        .collect();
    let digests: Vec<String> = messages
        .iter()
        .map(|m| B64.encode(ring::digest::digest(digest, m)))
        .collect();
    let answer = post(
        &f.agent,
        "/v1/sign",
        PAGE,
        &json!({
            "certificate_id": id,
            "pin": PIN,
            "digest_algorithm": digest_name,
            "digests": digests,
            "context": {"origin_label": "UBND tỉnh Demo", "documents": [
                {"notation": "12/UBND-VP", "subject": "V/v họp giao ban"},
                {"notation": "13/UBND-VP", "subject": "V/v\u{1b}[2J báo cáo"},
                {"notation": "14/QĐ-UBND", "subject": "Quyết định"}]}
        }),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["algorithm"], algorithm);
    let signatures = answer.json["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 3);
    let key = ring::signature::UnparsedPublicKey::new(signer.ring_alg, &signer.public);
    for (m, s) in messages.iter().zip(signatures) {
        let s = B64.decode(s.as_str().unwrap()).unwrap();
        key.verify(m, &s)
            .unwrap_or_else(|_| panic!("{algorithm} signature does not verify"));
        // ... and only for its own message.
        assert!(key.verify(b"another message", &s).is_err());
    }
}

#[tokio::test]
async fn signs_batches_that_verify_with_the_certificate_key() {
    let _serial = one_at_a_time().await;
    let Some(f) = fixture("agent-sign") else {
        return;
    };
    let sha256 = (&ring::digest::SHA256, "sha256");
    sign_and_verify(&f, &f.rsa, "rsa-pkcs1v15-sha256", sha256).await;
    sign_and_verify(&f, &f.ec, "ecdsa-p256-sha256", sha256).await;
    sign_and_verify(
        &f,
        &f.ec384,
        "ecdsa-p384-sha384",
        (&ring::digest::SHA384, "sha384"),
    )
    .await;
    // Journaled: who asked, what, how many, the outcome — and never the PIN.
    let log = log(&f);
    let entries: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let signs: Vec<&Value> = entries.iter().filter(|e| e["event"] == "sign").collect();
    assert_eq!(signs.len(), 3, "{log}");
    for e in &signs {
        assert_eq!(e["origin"], PAGE);
        assert_eq!(e["count"], 3);
        assert_eq!(e["result"], "ok");
        assert_eq!(e["documents"][0]["notation"], "12/UBND-VP");
        assert!(e["time"].as_str().unwrap().starts_with("2026-"));
    }
    assert!(!log.contains(PIN), "the PIN is in the log: {log}");
}

#[tokio::test]
async fn a_wrong_or_missing_pin_is_refused() {
    let _serial = one_at_a_time().await;
    let Some(f) = fixture("agent-pin") else {
        return;
    };
    let id = certificate_id(&f, &f.rsa.cert).await;
    let digest = B64.encode([7u8; 32]);
    let body = |pin: Option<&str>| {
        let mut b =
            json!({"certificate_id": id, "digest_algorithm": "sha256", "digests": [digest]});
        if let Some(p) = pin {
            b["pin"] = json!(p);
        }
        b
    };
    let wrong = post(&f.agent, "/v1/sign", PAGE, &body(Some("000000"))).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json["error"], "pin_incorrect", "{}", wrong.json);
    // No PIN and no terminal to ask on.
    let none = post(&f.agent, "/v1/sign", PAGE, &body(None)).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.json["error"], "pin_required");
    // A good PIN after both works, and a later batch without a PIN is refused again: one
    // batch's login never serves the next.
    let good = post(&f.agent, "/v1/sign", PAGE, &body(Some(PIN))).await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.json);
    let after = post(&f.agent, "/v1/sign", PAGE, &body(None)).await;
    assert_eq!(after.json["error"], "pin_required");
    let log = log(&f);
    assert!(
        log.contains("\"pin_incorrect\"") && !log.contains("000000"),
        "{log}"
    );
}

#[tokio::test]
async fn unpaired_origins_are_refused() {
    let _serial = one_at_a_time().await;
    let Some(f) = fixture("agent-gate") else {
        return;
    };
    let id = certificate_id(&f, &f.ec.cert).await;
    let evil = "https://evil.example";
    for path in ["/v1/info", "/v1/certificates"] {
        let a = get(&f.agent, path, evil).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert_eq!(a.json["error"], "unpaired_origin");
        assert!(a.json["message"].as_str().unwrap().contains("evil.example"));
        // No Origin at all: refused the same way.
        let a = call(&f.agent, Method::GET, path, &[], None).await;
        assert_eq!(a.json["error"], "unpaired_origin");
    }
    // Same host, other port or scheme: another origin.
    for other in [
        "https://signet.example.vn:8443",
        "http://signet.example.vn",
        "null",
    ] {
        let a = get(&f.agent, "/v1/certificates", other).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{other}");
    }
    let sign = json!({"certificate_id": id, "pin": PIN, "digests": [B64.encode([1u8; 32])]});
    let a = post(&f.agent, "/v1/sign", evil, &sign).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(
        !log(&f).contains("\"sign\""),
        "an unpaired request reached the token"
    );

    // Preflights: answered for the paired page only, with Private Network Access.
    let preflight = |origin: &'static str| {
        let agent = f.agent.clone();
        async move {
            call(
                &agent,
                Method::OPTIONS,
                "/v1/sign",
                &[
                    ("origin", origin),
                    ("access-control-request-method", "POST"),
                    ("access-control-request-headers", "content-type"),
                    ("access-control-request-private-network", "true"),
                ],
                None,
            )
            .await
        }
    };
    let ok = preflight(PAGE).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(ok.headers["access-control-allow-origin"], PAGE);
    assert_eq!(ok.headers["access-control-allow-private-network"], "true");
    assert!(ok.headers["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    let refused = preflight("https://evil.example").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.headers.contains_key("access-control-allow-origin"));
    assert!(!refused
        .headers
        .contains_key("access-control-allow-private-network"));

    // A page of another name that resolves to this PC (DNS rebinding).
    let a = call(
        &f.agent,
        Method::GET,
        "/v1/info",
        &[("origin", PAGE), ("host", "evil.example:8765")],
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn pairing_takes_the_right_code_once_in_time() {
    let _serial = one_at_a_time().await;
    let Some(f) = fixture("agent-pair") else {
        return;
    };
    let new_page = "https://vanban.tinh.gov.vn";
    let pair = |origin: &'static str, code: String| {
        let agent = f.agent.clone();
        async move { post(&agent, "/v1/pair", origin, &json!({ "code": code })).await }
    };
    // No code was ever given out.
    assert_eq!(
        pair(new_page, "ABCD-EFGH".into()).await.json["error"],
        "pairing_refused"
    );

    let code = f.agent.new_pairing_code().unwrap();
    assert_eq!(code.len(), 9, "{code}");
    let wrong = pair(new_page, "2345-6789".into()).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.json["error"], "pairing_refused");
    // The pairing answer is readable by the page that asked.
    assert_eq!(wrong.headers["access-control-allow-origin"], new_page);
    assert_eq!(
        get(&f.agent, "/v1/info", new_page).await.status,
        StatusCode::FORBIDDEN
    );
    // Typed in lower case, without the dash: accepted.
    let typed = code.replace('-', "").to_lowercase();
    let ok = pair(new_page, typed.clone()).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    assert_eq!(ok.json["origin"], new_page);
    assert_eq!(
        get(&f.agent, "/v1/info", new_page).await.status,
        StatusCode::OK
    );
    // Single use.
    let again = pair("https://other.example", typed).await;
    assert_eq!(again.json["error"], "pairing_refused");

    // Expired after ten minutes.
    let code = f.agent.new_pairing_code().unwrap();
    f.host.now.fetch_add(10 * 60 + 1, Ordering::SeqCst);
    assert_eq!(
        pair("https://late.example", code).await.json["error"],
        "pairing_refused"
    );

    // Five wrong tries void the code, even for the right one after.
    let code = f.agent.new_pairing_code().unwrap();
    for _ in 0..5 {
        assert_eq!(
            pair("https://guess.example", "ZZZZ-ZZZZ".into())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        pair("https://guess.example", code).await.json["error"],
        "pairing_refused"
    );

    // A new code replaces the pending one.
    let first = f.agent.new_pairing_code().unwrap();
    let second = f.agent.new_pairing_code().unwrap();
    if first != second {
        assert_eq!(
            pair("https://first.example", first).await.json["error"],
            "pairing_refused"
        );
    }

    // The pairing survives a restart; the journal has every attempt.
    let paired: Value = serde_json::from_slice(&f.data.read("paired.json")).unwrap();
    assert_eq!(paired["origins"], json!([new_page]));
    let reopened = Agent::open(
        AgentConfig {
            module: f.agent.module_path().to_path_buf(),
            data_dir: f.data.dir().to_path_buf(),
            origins: vec![],
        },
        f.host.clone(),
    )
    .unwrap();
    assert_eq!(reopened.paired_origins(), vec![new_page.to_string()]);
    let log = log(&f);
    assert!(
        log.contains("\"pairing_refused\"") && log.contains(new_page),
        "{log}"
    );
    // The pending code is stored hashed only.
    if let Ok(bytes) = std::fs::read(f.data.path("pairing.json")) {
        assert!(!String::from_utf8_lossy(&bytes).contains(&second.replace('-', "")));
    }
}

#[tokio::test]
async fn malformed_requests_are_400_and_unknown_certificates_404() {
    let _serial = one_at_a_time().await;
    let Some(f) = fixture("agent-bad") else {
        return;
    };
    let rsa = certificate_id(&f, &f.rsa.cert).await;
    let d32 = B64.encode([9u8; 32]);
    let cases = [
        "not json".to_string(),
        "{}".to_string(),
        json!({"certificate_id": rsa, "pin": PIN}).to_string(),
        json!({"certificate_id": rsa, "pin": PIN, "digests": []}).to_string(),
        json!({"certificate_id": rsa, "pin": PIN, "digests": ["***"]}).to_string(),
        json!({"certificate_id": rsa, "pin": PIN, "digests": [B64.encode([1u8; 31])]}).to_string(),
        json!({"certificate_id": rsa, "pin": PIN, "digests": [d32], "digest_algorithm": "sha384"})
            .to_string(),
        json!({"certificate_id": rsa, "pin": PIN, "digests": [d32], "context": {"documents": "x"}})
            .to_string(),
        json!({"certificate_id": rsa, "pin": PIN, "digests": vec![d32.clone(); 1001]}).to_string(),
    ];
    for body in &cases {
        let a = call(
            &f.agent,
            Method::POST,
            "/v1/sign",
            &[("origin", PAGE), ("content-type", "application/json")],
            Some(body),
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}: {}", a.json);
        assert_eq!(a.json["error"], "bad_request");
    }
    let unknown = json!({"certificate_id": "nope/00", "pin": PIN, "digests": [d32]});
    let a = post(&f.agent, "/v1/sign", PAGE, &unknown).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.json["error"], "unknown_certificate");
    let a = call(
        &f.agent,
        Method::POST,
        "/v1/pair",
        &[("origin", PAGE)],
        Some("{\"code\": 5}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        get(&f.agent, "/v2/anything", PAGE).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn listens_on_loopback_only() {
    let _serial = one_at_a_time().await;
    for bad in [
        "0.0.0.0:8765",
        "192.168.1.10:8765",
        "[::]:8765",
        "example.com:8765",
        "localhost",
        "8765",
    ] {
        let e = signet_agent::loopback_address(bad).unwrap_err();
        assert_eq!(e.code(), "not_loopback", "{bad}");
    }
    for good in [
        "127.0.0.1:8765",
        "[::1]:8765",
        "localhost:8765",
        "127.0.0.2:1",
    ] {
        assert!(signet_agent::loopback_address(good)
            .unwrap()
            .ip()
            .is_loopback());
    }
    assert!(signet_agent::bind("0.0.0.0:0").await.is_err());
    let listener = signet_agent::bind("127.0.0.1:0").await.unwrap();
    assert!(listener.local_addr().unwrap().ip().is_loopback());
}

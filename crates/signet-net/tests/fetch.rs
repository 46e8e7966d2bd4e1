//! Fetching from a real HTTP server on 127.0.0.1 that serves our CA's CRLs, issuer certificate,
//! OCSP responder and TSA; then validating with what was fetched.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use base64::Engine;
use signet_net::{load_trust_anchors, validate_online, Fetcher, HttpClient, NetError};
use signet_pki::validation::{
    revocation_needs, validate, CertStatus, Purpose, RevocationNeed, RevocationReason,
    RevocationSource, TrustAnchors, ValidationContext,
};
use signet_pki::{pem, Ca, KeyAlg, Profile, Reason, Subject};
use signet_testkit::{OsRng, TempDir};
use time::{Duration, OffsetDateTime};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

#[derive(Default)]
struct Hits {
    crl: AtomicUsize,
    ocsp_post: AtomicUsize,
    ocsp_get: AtomicUsize,
    cert: AtomicUsize,
}

struct Server {
    base: String,
    ca: Arc<Mutex<Ca>>,
    hits: Arc<Hits>,
}

/// One request: method, path, body.
fn read_request(s: &mut TcpStream) -> Option<(String, String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 || buf.len() > 65536 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut first = head.lines().next()?.split(' ');
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((method, path, body))
}

fn answer(s: &mut TcpStream, status: &str, ctype: &str, body: &[u8]) {
    let head = format!("HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
}

fn handle(mut s: TcpStream, ca: &Mutex<Ca>, hits: &Hits) {
    let _ = s.set_read_timeout(Some(StdDuration::from_secs(5)));
    let Some((method, path, body)) = read_request(&mut s) else {
        return;
    };
    let t = now();
    match (method.as_str(), path.as_str()) {
        ("GET", "/crl/issuing.crl") => {
            hits.crl.fetch_add(1, Ordering::SeqCst);
            let crl = ca.lock().unwrap().next_issuing_crl(t).unwrap();
            answer(&mut s, "200 OK", "application/pkix-crl", &crl)
        }
        ("GET", "/crl/root.crl") => {
            hits.crl.fetch_add(1, Ordering::SeqCst);
            let crl = ca.lock().unwrap().next_root_crl(t).unwrap();
            answer(&mut s, "200 OK", "application/pkix-crl", &crl)
        }
        ("GET", "/ca/issuing.cer") => {
            hits.cert.fetch_add(1, Ordering::SeqCst);
            let der = ca.lock().unwrap().issuing_der().to_vec();
            answer(&mut s, "200 OK", "application/pkix-cert", &der)
        }
        ("POST", "/ocsp") => {
            hits.ocsp_post.fetch_add(1, Ordering::SeqCst);
            let ca = ca.lock().unwrap();
            let r = ca.respond(&body, ca.revocations(), t);
            answer(&mut s, "200 OK", "application/ocsp-response", &r)
        }
        ("POST", "/getonly") => answer(&mut s, "405 Method Not Allowed", "text/plain", b"GET only"),
        ("GET", p) if p.starts_with("/getonly/") || p.starts_with("/ocsp/") => {
            hits.ocsp_get.fetch_add(1, Ordering::SeqCst);
            let enc = p.splitn(3, '/').nth(2).unwrap();
            let b64 = enc
                .replace("%2B", "+")
                .replace("%2F", "/")
                .replace("%3D", "=");
            let req = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap();
            let ca = ca.lock().unwrap();
            let r = ca.respond(&req, ca.revocations(), t);
            answer(&mut s, "200 OK", "application/ocsp-response", &r)
        }
        ("POST", "/tsa") => {
            let mut ca = ca.lock().unwrap();
            let serial = ca.next_tsa_serial();
            let r = ca.timestamp(&body, serial, t);
            answer(&mut s, "200 OK", "application/timestamp-reply", &r)
        }
        ("GET", "/hang") => std::thread::sleep(StdDuration::from_secs(6)),
        ("GET", "/big") => answer(
            &mut s,
            "200 OK",
            "application/octet-stream",
            &vec![0x30; 100_000],
        ),
        ("GET", "/chunked") => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n");
        }
        ("GET", "/moved") => {
            let _ = s.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: /chunked\r\nContent-Length: 0\r\n\r\n",
            );
        }
        _ => answer(&mut s, "404 Not Found", "text/plain", b"no"),
    }
}

/// Starts the server (one thread per connection; the process ends them) and its CA, whose
/// URLs point at the server.
fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (ca, _, _) = Ca::init(
        "Signet Net CA",
        &base,
        KeyAlg::EcdsaP256,
        now() - Duration::hours(1),
        &mut OsRng,
    )
    .unwrap();
    let ca = Arc::new(Mutex::new(ca));
    let hits = Arc::new(Hits::default());
    let (c, h) = (ca.clone(), hits.clone());
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let (c, h) = (c.clone(), h.clone());
            std::thread::spawn(move || handle(s, &c, &h));
        }
    });
    Server { base, ca, hits }
}

fn person() -> Subject {
    Subject {
        name: "Lê Thị Hoa".into(),
        agency_code: "000.00.00.H06".into(),
        ..Subject::default()
    }
}

fn client() -> HttpClient {
    HttpClient {
        connect_timeout: StdDuration::from_secs(2),
        total_timeout: StdDuration::from_secs(2),
        ..HttpClient::default()
    }
}

#[test]
fn issuer_ocsp_and_crl_fetched_then_valid_then_revoked() {
    let srv = server();
    let (person, root) = {
        let mut ca = srv.ca.lock().unwrap();
        let (p, _) = ca
            .issue_with_new_key(
                Profile::Person,
                &person(),
                now() - Duration::minutes(30),
                &mut OsRng,
            )
            .unwrap();
        (p, ca.root_der().to_vec())
    };
    let fetcher = Fetcher::new(client());
    // Only the root is known: the issuing CA comes from the AIA caIssuers URL, the person's
    // status from OCSP, the issuing CA's from the root CRL.
    let mut ctx = ValidationContext::new(TrustAnchors::from_pem_or_der(&root).unwrap(), now());
    let (r, errors) = validate_online(
        &fetcher,
        &mut ctx,
        &person.der,
        Purpose::DocumentSigning,
        now(),
    )
    .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(r.status, CertStatus::Valid, "{r:#?}");
    assert_eq!(r.chain.len(), 3);
    assert_eq!(r.per_cert[0].2, RevocationSource::Ocsp(0));
    assert_eq!(r.per_cert[1].2, RevocationSource::Crl(0));
    assert_eq!(srv.hits.cert.load(Ordering::SeqCst), 1);
    assert_eq!(srv.hits.ocsp_post.load(Ordering::SeqCst), 1);
    assert_eq!(srv.hits.crl.load(Ordering::SeqCst), 1);

    // Revoked at the CA: the same fetcher still answers from its cache (until nextUpdate)...
    let revoked_at = now();
    srv.ca
        .lock()
        .unwrap()
        .revoke(&person.serial, Reason::KeyCompromise, revoked_at)
        .unwrap();
    let needs = revocation_needs(
        &validate(
            &ValidationContext {
                ocsp_responses: vec![],
                crls: vec![],
                ..ctx.clone()
            },
            &person.der,
            Purpose::DocumentSigning,
        )
        .unwrap(),
    );
    assert_eq!(needs.len(), 2);
    let cached = fetcher.fetch_revocation(&needs, now());
    assert!(cached.errors.is_empty(), "{:?}", cached.errors);
    assert_eq!(
        srv.hits.ocsp_post.load(Ordering::SeqCst),
        1,
        "served from the cache"
    );
    // ...a fresh one, or the same one after nextUpdate, sees the revocation.
    let later = now() + Duration::days(2);
    let fresh = fetcher.fetch_revocation(&needs[..1], later);
    assert_eq!(srv.hits.ocsp_post.load(Ordering::SeqCst), 2);
    let mut ctx2 = ValidationContext::new(ctx.anchors.clone(), now() + Duration::seconds(1));
    ctx2.intermediates = ctx.intermediates.clone();
    ctx2.ocsp_responses = fresh.ocsp_responses;
    ctx2.crls = cached.crls;
    let r = validate(&ctx2, &person.der, Purpose::DocumentSigning).unwrap();
    assert_eq!(
        r.status,
        CertStatus::Revoked {
            at: revoked_at,
            reason: RevocationReason::KeyCompromise
        },
        "{r:#?}"
    );

    // The CRL says the same, fetched from the distribution point.
    let crl = Fetcher::new(client())
        .fetch_crl(&format!("{}/crl/issuing.crl", srv.base), now())
        .unwrap();
    ctx2.ocsp_responses.clear();
    ctx2.crls.push(crl);
    let r = validate(&ctx2, &person.der, Purpose::DocumentSigning).unwrap();
    assert!(matches!(r.status, CertStatus::Revoked { .. }), "{r:#?}");
}

#[test]
fn crl_cache_until_next_update() {
    let srv = server();
    let mut f = Fetcher::new(client());
    f.max_ttl = Duration::days(30);
    let url = format!("{}/crl/root.crl", srv.base);
    let a = f.fetch_crl(&url, now()).unwrap();
    let b = f.fetch_crl(&url, now() + Duration::days(6)).unwrap();
    assert_eq!(a, b);
    assert_eq!(srv.hits.crl.load(Ordering::SeqCst), 1);
    f.fetch_crl(&url, now() + Duration::days(8)).unwrap();
    assert_eq!(srv.hits.crl.load(Ordering::SeqCst), 2);
    // Not a CRL: refused, not cached.
    let e = f
        .fetch_crl(&format!("{}/ca/issuing.cer", srv.base), now())
        .unwrap_err();
    assert!(matches!(e, NetError::Content { .. }), "{e}");
    let e = f
        .fetch_crl(&format!("{}/nothing", srv.base), now())
        .unwrap_err();
    assert!(matches!(e, NetError::Status { status: 404, .. }), "{e}");
}

#[test]
fn ocsp_falls_back_to_get() {
    let srv = server();
    let (person, issuing) = {
        let mut ca = srv.ca.lock().unwrap();
        let (p, _) = ca
            .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
            .unwrap();
        (p, ca.issuing_der().to_vec())
    };
    let req = signet_pki::validation::ocsp_request(&person.der, &issuing).unwrap();
    let f = Fetcher::new(client());
    let resp = f
        .fetch_ocsp(&format!("{}/getonly", srv.base), &req, now())
        .unwrap();
    assert_eq!(srv.hits.ocsp_get.load(Ordering::SeqCst), 1);
    assert_eq!(
        resp[..5],
        [0x30, 0x82, resp[2], resp[3], 0x0a],
        "an OCSPResponse"
    );
}

#[test]
fn a_server_that_never_answers_hits_the_time_limit() {
    let srv = server();
    let f = Fetcher::new(HttpClient {
        total_timeout: StdDuration::from_millis(800),
        ..client()
    });
    let start = Instant::now();
    let e = f
        .fetch_crl(&format!("{}/hang", srv.base), now())
        .unwrap_err();
    assert!(matches!(e, NetError::Timeout { .. }), "{e}");
    assert!(
        start.elapsed() < StdDuration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // Nobody listening: a connection error, not a hang.
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let e = f.http.get(&format!("http://{free}/x")).unwrap_err();
    assert!(matches!(e, NetError::Connect { .. }), "{e}");
}

/// With an overall deadline, a responder that never answers costs that deadline once: the
/// other certificates' data, fetched beside it, still arrives; the silent URL is reported and
/// then paused, so the next verification gets its answer ("failed recently") at once.
#[test]
fn a_silent_responder_costs_one_deadline_then_is_paused() {
    let srv = server();
    let f = Arc::new(Fetcher::new(client()));
    let need = |crl: &str| RevocationNeed {
        cert: Vec::new(),
        issuer: Vec::new(),
        ocsp_urls: Vec::new(),
        crl_urls: vec![format!("{}{crl}", srv.base)],
        ocsp_request_der: Vec::new(),
    };
    let needs = [need("/hang"), need("/crl/issuing.crl")];
    let deadline = StdDuration::from_millis(700);
    let got = f.fetch_revocation_within(&needs, now(), deadline);
    assert_eq!(
        got.crls.len(),
        1,
        "the answering responder's CRL: {:?}",
        got.errors
    );
    assert!(
        matches!(got.errors.as_slice(), [NetError::Deadline { .. }]),
        "{:?}",
        got.errors
    );
    let again = f.fetch_revocation_within(&needs[..1], now(), StdDuration::from_secs(30));
    assert!(
        matches!(again.errors.as_slice(), [NetError::RecentlyFailed { .. }]),
        "paused, not asked again: {:?}",
        again.errors
    );
}

/// Whatever a CRL's nextUpdate says, it is kept at most `max_ttl`.
#[test]
fn answers_are_kept_at_most_max_ttl() {
    let srv = server();
    let mut f = Fetcher::new(client());
    f.max_ttl = Duration::minutes(10);
    let url = format!("{}/crl/issuing.crl", srv.base);
    let t = now();
    f.fetch_crl(&url, t).unwrap();
    f.fetch_crl(&url, t + Duration::minutes(9)).unwrap();
    assert_eq!(
        srv.hits.crl.load(Ordering::SeqCst),
        1,
        "cached within max_ttl"
    );
    f.fetch_crl(&url, t + Duration::minutes(11)).unwrap();
    assert_eq!(
        srv.hits.crl.load(Ordering::SeqCst),
        2,
        "fetched again after max_ttl"
    );
    // A URL under an uncached prefix is asked every time.
    f.uncached_prefixes = vec![srv.base.clone()];
    f.fetch_crl(&url, t + Duration::minutes(11)).unwrap();
    assert_eq!(srv.hits.crl.load(Ordering::SeqCst), 3);
}

#[test]
fn size_limit_chunked_bodies_redirects_and_schemes() {
    let srv = server();
    let small = HttpClient {
        max_body: 1000,
        ..client()
    };
    let e = small.get(&format!("{}/big", srv.base)).unwrap_err();
    assert!(matches!(e, NetError::TooLarge { limit: 1000, .. }), "{e}");
    let r = client().get(&format!("{}/chunked", srv.base)).unwrap();
    assert_eq!(r.body, b"hello, world");
    let r = client().get(&format!("{}/moved", srv.base)).unwrap();
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello, world"[..]));
    let no_redirects = HttpClient {
        max_redirects: 0,
        ..client()
    };
    assert!(matches!(
        no_redirects.get(&format!("{}/moved", srv.base)),
        Err(NetError::Protocol { .. })
    ));
    assert!(matches!(
        client().get("https://127.0.0.1/"),
        Err(NetError::UnsupportedScheme(_))
    ));
}

#[test]
fn timestamp_over_http() {
    let srv = server();
    // TimeStampReq: v1, SHA-256 imprint, nonce 5.
    let tsq: Vec<u8> = [
        &[
            0x30, 0x37, 0x02, 0x01, 0x01, 0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
            0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20,
        ][..],
        &[0xab; 32],
        &[0x02, 0x01, 0x05],
    ]
    .concat();
    let f = Fetcher::new(client());
    let resp = f.timestamp(&format!("{}/tsa", srv.base), &tsq).unwrap();
    assert_eq!(
        &resp[4..9],
        &[0x30, 0x03, 0x02, 0x01, 0x00],
        "granted: {resp:02x?}"
    );
    let e = f
        .timestamp(&format!("{}/nothing", srv.base), &tsq)
        .unwrap_err();
    assert!(matches!(e, NetError::Status { status: 404, .. }), "{e}");
}

#[test]
fn trust_anchors_from_files_and_directories() {
    let tmp = TempDir::new("net-anchors");
    let dir = tmp.dir();
    std::fs::create_dir_all(dir.join("d")).unwrap();
    let (a, _, _) = Ca::init(
        "Anchor A",
        "http://a.invalid",
        KeyAlg::EcdsaP256,
        now(),
        &mut OsRng,
    )
    .unwrap();
    let (b, _, _) = Ca::init(
        "Anchor B",
        "http://b.invalid",
        KeyAlg::EcdsaP384,
        now(),
        &mut OsRng,
    )
    .unwrap();
    std::fs::write(dir.join("d/a.pem"), pem("CERTIFICATE", a.root_der())).unwrap();
    std::fs::write(dir.join("d/b.cer"), b.root_der()).unwrap();
    std::fs::write(dir.join("d/.hidden"), b"not a certificate").unwrap();
    std::fs::write(
        dir.join("bundle.pem"),
        format!(
            "{}{}",
            pem("CERTIFICATE", a.root_der()),
            pem("CERTIFICATE", a.issuing_der())
        ),
    )
    .unwrap();
    std::fs::write(dir.join("junk.txt"), b"junk").unwrap();
    let anchors = load_trust_anchors(&[dir.join("d"), dir.join("bundle.pem")]).unwrap();
    assert_eq!(anchors.len(), 3, "a's root counted once");
    let e = load_trust_anchors(&[dir.join("d"), dir.join("junk.txt")]).unwrap_err();
    assert!(e.to_string().contains("junk.txt"), "{e}");
    let e = load_trust_anchors(&[dir.join("missing")]).unwrap_err();
    assert!(matches!(e, NetError::File { .. }), "{e}");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    assert!(load_trust_anchors(&[dir.join("empty")]).is_err());
}

/// A server that answers each connection with the next canned byte string, then closes.
fn canned_server(answers: Vec<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (mut s, answer) in listener.incoming().flatten().zip(answers) {
            let _ = s.set_read_timeout(Some(StdDuration::from_secs(2)));
            let _ = read_request(&mut s);
            let _ = s.write_all(&answer);
        }
    });
    base
}

#[test]
fn malformed_answers_give_errors_not_panics_nor_hangs() {
    let good: &[&[u8]] = &[
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\nhello",
    ];
    // Deterministic mutations (xorshift), so a failure reproduces.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut answers = Vec::new();
    for i in 0..300 {
        let mut a = good[i % good.len()].to_vec();
        match next() % 3 {
            0 => a.truncate((next() as usize) % a.len()),
            1 => {
                let j = (next() as usize) % a.len();
                a[j] = next() as u8;
            }
            _ => {
                let j = (next() as usize) % a.len();
                a.insert(j, b"0123456789abcdef\r\n:; "[(next() % 21) as usize]);
            }
        }
        answers.push(a);
    }
    answers.push(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n".to_vec());
    answers.push(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n".to_vec(),
    );
    let n = answers.len();
    let base = canned_server(answers);
    let c = client();
    let start = Instant::now();
    let (mut ok, mut err) = (0, 0);
    for _ in 0..n {
        match c.get(&format!("{base}/x")) {
            Ok(r) => {
                assert!(r.body.len() <= 64, "{r:?}");
                ok += 1;
            }
            Err(_) => err += 1,
        }
    }
    assert!(ok > 0 && err > 0, "ok {ok}, err {err}");
    // Every answer ends with the server closing: no exchange waits for the time limit.
    assert!(
        start.elapsed() < StdDuration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

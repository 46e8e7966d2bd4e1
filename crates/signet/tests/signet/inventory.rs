//! A certificate issued by `signet ca issue` is in the deployment's inventory — the
//! administrator's `/admin/certificates` and `/api/v1/certificates`: recorded at once when the
//! command is given the deployment (`--data`), and otherwise when the server starts or sees
//! the CA's state change. The CA's endpoints carry the same security headers as every page.
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
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::*;

const ADMIN: &str = "quantri.ubnd";
const PASSWORD: &str = "Signet@2026";
const AGENCY: &str = "000.00.00.H99";

/// `signet demo` on `port`, returned once it prints its logins (after its start-up work).
fn start_demo(data: &Path, port: u16) -> ServerGuard {
    let mut cmd = Command::new(BIN);
    cmd.args(["demo", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data);
    spawn_until(&mut cmd, "chuyenvien.vp")
}

/// One HTTP/1.1 exchange: (head, body).
fn exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let split = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&resp[..split]).to_ascii_lowercase();
    let mut body = resp[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (head, String::from_utf8_lossy(&body).into_owned())
}

/// The API's certificate list, as the administrator sees it.
fn api_certificates(port: u16) -> String {
    let login = format!(r#"{{"username":"{ADMIN}","password":"{PASSWORD}"}}"#);
    let (head, body) = exchange(
        port,
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        login.as_bytes(),
    );
    assert!(head.starts_with("http/1.1 201"), "{head}\n{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let bearer = format!("Bearer {}", v["token"].as_str().unwrap());
    let (head, body) = exchange(
        port,
        "GET",
        "/api/v1/certificates?limit=100",
        &[("Authorization", &bearer)],
        b"",
    );
    assert!(head.starts_with("http/1.1 200"), "{head}\n{body}");
    body
}

/// The administrator's certificate page.
fn certificate_page(port: u16) -> String {
    let form = format!("username={ADMIN}&password={PASSWORD}");
    let (head, _) = exchange(
        port,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    assert!(head.starts_with("http/1.1 303"), "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let (head, body) = exchange(
        port,
        "GET",
        "/admin/certificates",
        &[("Cookie", &cookie)],
        b"",
    );
    assert!(head.starts_with("http/1.1 200"), "{head}");
    body
}

/// `signet ca issue` of a person's certificate with a generated key; returns the serial.
fn issue(dir: &Path, name: &str, out: &str, deployment: &[&str]) -> String {
    let mut args = vec![
        "ca",
        "issue",
        "--dir",
        "data/ca",
        "--kind",
        "person",
        "--name",
        name,
        "--agency",
        AGENCY,
        "--password",
        "mật-khẩu-1",
        "--out",
        out,
    ];
    args.extend_from_slice(deployment);
    let t = ok(signet(dir, &args));
    t.trim()
        .strip_prefix("issued serial ")
        .unwrap_or_else(|| panic!("{t}"))
        .to_owned()
}

#[test]
fn a_certificate_issued_from_the_command_line_is_in_the_inventory() {
    let tmp = TempDir::new("inventory");
    let d = tmp.dir();
    let port = free_port();
    // The demo deployment and its CA, then the server stopped.
    drop(start_demo(&tmp.path("data"), port));

    // Given the deployment: recorded at once. Without it: only the CA directory knows.
    let online = issue(d, "Phạm Thị Dòng Lệnh", "online", &["--data", "data"]);
    let offline = issue(d, "Lê Văn Ngoại Tuyến", "offline", &[]);
    // An agency the deployment does not have is refused before anything is issued.
    let state = std::fs::read(tmp.path("data/ca/state.json")).unwrap();
    let o = signet(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "data/ca",
            "--kind",
            "organization",
            "--name",
            "Cơ quan lạ",
            "--agency",
            "000.00.99.H99",
            "--password",
            "mật-khẩu-1",
            "--out",
            "stranger",
            "--data",
            "data",
        ],
    );
    assert!(!o.status.success(), "{}", out_text(&o));
    assert!(
        out_text(&o).contains("no agency with code 000.00.99.H99"),
        "{}",
        out_text(&o)
    );
    assert_eq!(
        std::fs::read(tmp.path("data/ca/state.json")).unwrap(),
        state
    );
    assert!(!tmp.path("stranger.pem").exists());

    // The server records what the database lacks when it starts ...
    let _server = start_demo(&tmp.path("data"), port);
    let list = api_certificates(port);
    for serial in [&online, &offline] {
        assert!(
            list.contains(&format!("\"{serial}\"")),
            "{serial} in {list}"
        );
    }
    // ... once each.
    assert_eq!(list.matches(&format!("\"{online}\"")).count(), 1, "{list}");
    assert_eq!(list.matches(&format!("\"{offline}\"")).count(), 1, "{list}");

    // ... and when the CA's state changes while it runs.
    let later = issue(d, "Đỗ Minh Trong Lúc Chạy", "later", &[]);
    let list = api_certificates(port);
    assert!(list.contains(&format!("\"{later}\"")), "{later} in {list}");
    let page = certificate_page(port);
    for name in [
        "Phạm Thị Dòng Lệnh",
        "Lê Văn Ngoại Tuyến",
        "Đỗ Minh Trong Lúc Chạy",
    ] {
        assert!(page.contains(name), "{name} on the certificate page");
    }
    assert!(page.contains(&later), "{later} on the certificate page");

    // The CA's endpoints answer beside the application, with its security headers.
    let (head, _) = exchange(port, "GET", "/crl/issuing.crl", &[], b"");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    for h in [
        "content-type: application/pkix-crl",
        "x-content-type-options: nosniff",
        "content-security-policy: default-src 'none'",
        "x-frame-options: deny",
        "cache-control: no-store",
    ] {
        assert!(head.contains(h), "{h} in {head}");
    }
}

/// `signet ca serve` alone sends the same headers.
#[test]
fn the_ca_server_alone_sends_the_security_headers() {
    let tmp = TempDir::new("inventory");
    let d = tmp.dir();
    ok(signet(d, &["ca", "init", "--dir", "ca"]));
    let port = free_port();
    let _server = start_server(d, port);
    let (head, _) = exchange(port, "GET", "/ca/root.cer", &[], b"");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    for h in [
        "content-type: application/pkix-cert",
        "x-content-type-options: nosniff",
        "content-security-policy: default-src 'none'",
    ] {
        assert!(head.contains(h), "{h} in {head}");
    }
    let (head, _) = exchange(
        port,
        "POST",
        "/tsa",
        &[("Content-Type", "text/plain")],
        b"x",
    );
    assert!(
        head.starts_with("http/1.1 415") && head.contains("nosniff"),
        "{head}"
    );
}

/// `POST /api/v1/verify` as anyone: the report.
fn verify_on_server(port: u16, pdf: &[u8]) -> serde_json::Value {
    let (head, body) = exchange(
        port,
        "POST",
        "/api/v1/verify",
        &[("Content-Type", "application/pdf")],
        pdf,
    );
    assert!(head.starts_with("http/1.1 200"), "{head}\n{body}");
    serde_json::from_str(&body).unwrap()
}

/// A certificate revoked at the built-in CA is "revoked" in the server's very next
/// verification: the server asks its own CA afresh instead of reusing the earlier "good"
/// answer until its nextUpdate a day later. The report says when the answer was produced.
#[test]
fn a_revocation_shows_in_the_next_server_verification() {
    let tmp = TempDir::new("revocation");
    let d = tmp.dir();
    let port = free_port();
    let _server = start_demo(&tmp.path("data"), port);
    let serial = issue(d, "Trần Thu Hồi", "leader", &[]);
    std::fs::write(
        tmp.path("doc.pdf"),
        signet_pdf::one_page_pdf(
            [0.0, 0.0, 595.0, 842.0],
            b"BT /F1 20 Tf 72 760 Td (Quyet dinh thu hoi) Tj ET",
        ),
    )
    .unwrap();
    ok(signet(
        d,
        &[
            "sign",
            "doc.pdf",
            "--out",
            "signed.pdf",
            "--p12",
            "leader.p12",
            "--password",
            "mật-khẩu-1",
        ],
    ));
    let pdf = std::fs::read(tmp.path("signed.pdf")).unwrap();
    let before = verify_on_server(port, &pdf);
    let revocation = &before["signatures"][0]["revocation"];
    assert_eq!(revocation["status"], "good", "{before}");
    assert!(
        revocation["produced_at"]
            .as_str()
            .is_some_and(|t| t.len() >= 20),
        "when the answer was produced: {revocation}"
    );
    ok(signet(
        d,
        &[
            "ca",
            "revoke",
            "--dir",
            "data/ca",
            "--serial",
            &serial,
            "--reason",
            "keyCompromise",
        ],
    ));
    let after = verify_on_server(port, &pdf);
    assert_eq!(
        after["signatures"][0]["revocation"]["status"], "revoked",
        "{after}"
    );
    assert_ne!(after["verdict"], "TOTAL-PASSED", "{after}");

    // A client that never finishes its headers is disconnected (not held for ever).
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(90)))
        .unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    let mut rest = Vec::new();
    let read = slow.read_to_end(&mut rest);
    assert!(
        read.is_ok(),
        "the server closes the connection (a read time-out here means it kept it): {read:?}"
    );
}

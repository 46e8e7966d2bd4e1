//! The `signet` binary end to end: `demo` creates and seeds a data directory and serves it;
//! `journal verify` passes on it, and names the entry after someone edits or removes one.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use signet_store::testing::{execute, scratch_dir};
use signet_store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_signet");

/// Starts `signet demo` on a free port, waits for it to say it is running, then stops it.
fn run_demo(data: &Path) {
    let mut child = Command::new(BIN)
        .args(["demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = String::new();
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("chuyenvien.vp") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        printed.contains("Signet is running at http://127.0.0.1:"),
        "{printed}"
    );
    assert!(
        printed.contains("Signet@2026"),
        "demo logins printed: {printed}"
    );
}

fn verify(data: &Path) -> (i32, String) {
    let out = Command::new(BIN)
        .args(["journal", "verify", "--data"])
        .arg(data)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn demo_then_journal_verify_finds_tampering() {
    let data = scratch_dir("signet-cli");
    run_demo(&data);
    let (code, out) = verify(&data);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok      000.00.00.H99"), "{out}");
    assert_eq!(out.lines().count(), 10, "ten demo agencies: {out}");

    let store = Store::connect(&format!("sqlite://{}", data.join("signet.db").display()), 1)
        .await
        .unwrap();
    let province = "(SELECT id FROM agencies WHERE code = '000.00.00.H99')";

    // A document row edited without a journal entry (a draft made "issued"), then put back.
    let sql = |state: &str, from: &str| {
        format!("UPDATE documents SET state = '{state}' WHERE id = (SELECT id FROM documents WHERE agency_id = {province} AND state = '{from}' ORDER BY id LIMIT 1)")
    };
    assert_eq!(
        execute(&store, &sql("sealed-behind-the-back", "draft"))
            .await
            .unwrap(),
        1
    );
    let (code, out) = verify(&data);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("BROKEN  000.00.00.H99")
            && out.contains("without a journal entry")
            && out.contains("the journal says \"draft\""),
        "{out}"
    );
    assert_eq!(
        execute(&store, &sql("draft", "sealed-behind-the-back"))
            .await
            .unwrap(),
        1
    );
    let (code, out) = verify(&data);
    assert_eq!(code, 0, "put back: {out}");

    let edited = execute(
        &store,
        &format!(
            "UPDATE journal SET actor = 'someone-else' WHERE seq = 3 AND agency_id = {province}"
        ),
    )
    .await
    .unwrap();
    assert_eq!(edited, 1);
    let (code, out) = verify(&data);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("BROKEN  000.00.00.H99") && out.contains("entry 3"),
        "{out}"
    );
    assert!(
        out.contains("ok      000.00.02.H99"),
        "other agencies still verify: {out}"
    );

    // Removing the newest entry of another agency is caught against the recorded head.
    let snv = "(SELECT id FROM agencies WHERE code = '000.00.02.H99')";
    let removed = execute(&store, &format!("DELETE FROM journal WHERE agency_id = {snv} AND seq = (SELECT MAX(seq) FROM journal WHERE agency_id = {snv})")).await.unwrap();
    assert_eq!(removed, 1);
    let (code, out) = verify(&data);
    assert_eq!(code, 1);
    assert!(
        out.contains("BROKEN  000.00.02.H99") && out.contains("removed from the end"),
        "{out}"
    );
    store.close().await;

    let out = Command::new(BIN)
        .args(["journal", "verify", "--agency", "999.99.99.Z99", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no agency with code 999.99.99.Z99"));
    let _ = std::fs::remove_dir_all(&data);
}

fn anchor(data: &Path) -> String {
    let out = Command::new(BIN)
        .args(["journal", "anchor", "--data"])
        .arg(data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The line of one agency in `journal verify`'s output.
fn line_of<'a>(out: &'a str, code: &str) -> &'a str {
    out.lines().find(|l| l.contains(code)).unwrap_or("")
}

/// What the chain alone cannot see, the anchors do: entries cut off the end with the head
/// row moved back, and a row rewritten with every later hash recomputed.
#[tokio::test]
async fn anchors_catch_truncation_rollback_and_a_rehashed_suffix() {
    let data = scratch_dir("signet-anchors");
    run_demo(&data);
    let out = anchor(&data);
    assert!(out.contains("anchored 000.00.00.H99"), "{out}");
    let (code, out) = verify(&data);
    assert_eq!(code, 0, "{out}");
    assert!(
        line_of(&out, "000.00.00.H99").contains("anchored up to entry"),
        "{out}"
    );
    let store = Store::connect(&format!("sqlite://{}", data.join("signet.db").display()), 1)
        .await
        .unwrap();
    let id_of = |code: &str| format!("(SELECT id FROM agencies WHERE code = '{code}')");

    // 1. The last two entries and the head row, moved back to match: the chain verifies.
    let province = id_of("000.00.00.H99");
    execute(&store, &format!("DELETE FROM journal WHERE agency_id = {province} AND seq > (SELECT seq - 2 FROM journal_heads WHERE agency_id = {province})")).await.unwrap();
    execute(&store, &format!("UPDATE journal_heads SET seq = (SELECT MAX(seq) FROM journal WHERE agency_id = {province}), hash = (SELECT hash FROM journal WHERE agency_id = {province} ORDER BY seq DESC LIMIT 1) WHERE agency_id = {province}")).await.unwrap();

    // 2. Another agency's entries rewritten from entry 2 on, every hash recomputed.
    let snv = store
        .agency_by_code(&signet_core::AgencyCode::parse("000.00.02.H99").unwrap())
        .await
        .unwrap();
    let entries = store.journal(&snv.id).await.unwrap();
    assert!(entries.len() >= 3, "the department has a few entries");
    let mut prev: Option<(i64, String)> = Some((entries[0].seq, entries[0].hash.clone()));
    for e in &entries[1..] {
        let forged = signet_core::journal::NewEntry {
            at_ms: e.at_ms,
            actor: "someone-else".into(),
            action: e.action.clone(),
            subject: e.subject.clone(),
            details: e.details.clone(),
        }
        .chain(
            snv.id.as_str(),
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
        );
        execute(
            &store,
            &format!(
                "UPDATE journal SET actor = 'someone-else', prev_hash = '{}', hash = '{}' WHERE agency_id = '{}' AND seq = {}",
                forged.prev_hash, forged.hash, snv.id, forged.seq
            ),
        )
        .await
        .unwrap();
        prev = Some((forged.seq, forged.hash.clone()));
    }
    let (last_seq, last_hash) = prev.unwrap();
    execute(&store, &format!("UPDATE journal_heads SET seq = {last_seq}, hash = '{last_hash}' WHERE agency_id = '{}'", snv.id)).await.unwrap();
    store.close().await;

    let (code, out) = verify(&data);
    assert_eq!(code, 1, "{out}");
    let province_line = line_of(&out, "000.00.00.H99");
    assert!(
        province_line.starts_with("BROKEN") && province_line.contains("removed from the end"),
        "{out}"
    );
    let snv_line = line_of(&out, "000.00.02.H99");
    assert!(
        snv_line.starts_with("BROKEN")
            && snv_line.contains("rewritten")
            && snv_line.contains("check from entry 1"),
        "{out}"
    );
    assert!(
        line_of(&out, "000.00.03.H99").starts_with("ok"),
        "untouched agencies still verify: {out}"
    );

    // An anchor file edited by hand is not trusted.
    let dir = data.join("journal-anchors");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&file).unwrap();
    let tampered = text.replacen("\"seq\":", "\"seq\":1", 1);
    std::fs::write(&file, tampered).unwrap();
    let (code, out) = verify(&data);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the anchor of entry"), "{out}");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_bad_configuration_is_a_clear_error() {
    let dir = scratch_dir("signet-cli-config");
    let config = dir.join("signet.toml");
    std::fs::write(
        &config,
        "[database]\nurl = \"sqlite://x.db\"\nmax_conections = 3\n[files]\ndir = \"f\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("max_conections"),
        "names the unknown key: {err}"
    );
    let out = Command::new(BIN).arg("default-config").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("[database]"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A real deployment starts empty; `bootstrap` creates the first agency and administrator,
/// once.
#[test]
fn bootstrap_creates_the_first_agency_once() {
    let data = scratch_dir("signet-cli-bootstrap");
    let bootstrap = |password: Option<&str>| {
        let mut cmd = Command::new(BIN);
        cmd.args([
            "bootstrap",
            "--agency-code",
            "000.00.00.H98",
            "--agency-name",
            "Ủy ban nhân dân tỉnh Thử Nghiệm",
            "--abbreviation",
            "UBND",
            "--admin-username",
            "quantri",
            "--admin-name",
            "Nguyễn Quản Trị",
            "--data",
        ])
        .arg(&data)
        .env_remove("SIGNET_ADMIN_PASSWORD");
        if let Some(p) = password {
            cmd.env("SIGNET_ADMIN_PASSWORD", p);
        }
        cmd.output().unwrap()
    };
    let out = bootstrap(None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SIGNET_ADMIN_PASSWORD"));
    let out = bootstrap(Some("short"));
    assert!(!out.status.success(), "password policy");
    let out = bootstrap(Some("mật khẩu đủ dài 2026"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("000.00.00.H98"));
    let out = bootstrap(Some("mật khẩu đủ dài 2026"));
    assert!(!out.status.success(), "a second bootstrap is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already has agencies"));
    let (code, out) = verify(&data);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ok      000.00.00.H98  2 entries"),
        "agency and administrator journaled: {out}"
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn an_unreachable_database_says_why() {
    let dir = scratch_dir("signet-cli-db");
    let config = dir.join("signet.toml");
    std::fs::write(
        &config,
        "[database]\nurl = \"postgres://postgres@127.0.0.1:1/none\"\n[files]\ndir = \"f\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["migrate", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(err.contains("refused") || err.contains("connect"), "{err}");
    assert!(!err.contains("timed out"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `signet demo` runs its own CA: the CRL is served on the web app's port and is a CRL that
/// openssl reads, issued by the demo CA.
#[test]
fn the_demo_serves_its_ca_beside_the_web_app() {
    use std::io::{Read, Write};
    let data = scratch_dir("signet-cli-demo-ca");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BIN)
        .args(["demo", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    while let Some(Ok(line)) = lines.next() {
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("chuyenvien.vp") {
            break;
        }
    }
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        (
            String::from_utf8_lossy(&buf[..split]).into_owned(),
            buf[split + 4..].to_vec(),
        )
    };
    let (head, _) = get("/healthz");
    let (crl_head, crl) = get("/crl/issuing.crl");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(printed.contains("CA services at"), "{printed}");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(crl_head.starts_with("HTTP/1.1 200"), "{crl_head}");
    std::fs::write(data.join("issuing.crl"), &crl).unwrap();
    let out = Command::new("openssl")
        .args([
            "crl", "-inform", "DER", "-noout", "-issuer", "-nameopt", "utf8", "-in",
        ])
        .arg(data.join("issuing.crl"))
        .output()
        .unwrap();
    let issuer = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && issuer.contains("Lạc Hồng"),
        "{issuer}"
    );
    let _ = std::fs::remove_dir_all(&data);
}

fn recount(data: &Path, month: Option<&str>) -> (i32, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["statistics", "recount", "--data"]).arg(data);
    if let Some(m) = month {
        cmd.args(["--month", m]);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[tokio::test]
async fn statistics_recount_agrees_with_the_demo_and_reports_a_tampered_counter() {
    let data = scratch_dir("signet-recount");
    run_demo(&data);
    let (code, out) = recount(&data, None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok: the counters equal the recount"), "{out}");
    let store = Store::connect(&format!("sqlite://{}", data.join("signet.db").display()), 1)
        .await
        .unwrap();
    let month: String = {
        let stats = store.monthly_counters("0000-00", "9999-99").await.unwrap();
        assert!(
            stats.len() > 10,
            "the demo's history has counters: {stats:?}"
        );
        stats[0].1.clone()
    };
    let changed = execute(
        &store,
        &format!("UPDATE unit_month_stats SET overdue = overdue + 2 WHERE month = '{month}' AND agency_id = (SELECT MIN(agency_id) FROM unit_month_stats WHERE month = '{month}')"),
    )
    .await
    .unwrap();
    assert_eq!(changed, 1);
    let (code, out) = recount(&data, Some(&month));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("DIFFERS") && out.contains("overdue"), "{out}");
    assert!(out.contains("1 counter(s) differ"), "{out}");
    let (code, out) = recount(&data, Some("2026-13"));
    assert_ne!(code, 0, "{out}");
}

/// `signet verify` on an encrypted PDF (issue 11 §1): without its user password, exit 3 with a
/// message asking for it; a wrong one is named as such; with `--password` the file is read
/// (no signature in it: exit 2) and the report says it was encrypted.
#[test]
fn verify_takes_the_password_of_an_encrypted_pdf() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../signet-pdf/tests/regressions/encrypted-r6-aes-256-user-fuzz.pdf"
    );
    let run = |extra: &[&str]| {
        let o = Command::new(BIN)
            .args(["verify", "--offline", "--trust-lists", "none", file])
            .args(extra)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.code(), text)
    };
    let (code, text) = run(&[]);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("needs a password"), "{text}");
    let (code, text) = run(&["--password", "wrong"]);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("password given does not open"), "{text}");
    let (code, text) = run(&["--password", "fuzz"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("The file is encrypted (AES-256, revision 6)"),
        "{text}"
    );
}

/// `signet sign` refuses an encrypted PDF with a message that says why and what to do
/// (issue 11 §1: Signet verifies encrypted files but writes nothing into them).
#[test]
fn sign_refuses_an_encrypted_pdf() {
    let dir = scratch_dir("sign-encrypted");
    let run = |args: &[&str]| {
        let o = Command::new(BIN)
            .args(args)
            .current_dir(&dir)
            .env_remove("SIGNET_KEY_PASSWORD")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.success(), text)
    };
    let (ok, text) = run(&[
        "ca",
        "init",
        "--dir",
        "ca",
        "--name",
        "Test CA",
        "--base-url",
        "http://127.0.0.1:9",
    ]);
    assert!(ok, "{text}");
    let (ok, text) = run(&[
        "ca",
        "issue",
        "--dir",
        "ca",
        "--kind",
        "person",
        "--name",
        "Nguyễn Văn An",
        "--agency",
        "000.00.00.H99",
        "--password",
        "secret123",
        "--out",
        "leader",
    ]);
    assert!(ok, "{text}");
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../signet-pdf/tests/regressions/encrypted-r6-aes-256-objstm.pdf"
    );
    let (ok, text) = run(&[
        "sign",
        file,
        "--out",
        "signed.pdf",
        "--p12",
        "leader.p12",
        "--password",
        "secret123",
    ]);
    assert!(!ok, "{text}");
    assert!(text.contains("does not sign them"), "{text}");
    assert!(!dir.join("signed.pdf").exists());
}

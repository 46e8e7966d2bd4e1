//! `signet ca …` end to end, with the `openssl` command as referee: init, issue (CSR, PKCS#12 and
//! key on a PKCS#11 token), revoke, crl, and `serve` answering openssl's OCSP and time-stamp clients.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::path::Path;
use std::process::Command;

use crate::support::*;

fn ocsp(dir: &Path, port: u16, what: &[&str]) -> String {
    let url = format!("http://127.0.0.1:{port}/ocsp");
    let mut args = vec!["ocsp", "-issuer", "ca/issuing.pem"];
    args.extend_from_slice(what);
    // The command of the issue, as is: the issuing CA comes from -issuer.
    args.extend_from_slice(&["-url", &url, "-CAfile", "ca/root.pem"]);
    out_text(&openssl(dir, &args))
}

#[test]
fn ca_init_issue_revoke_crl_and_serve() {
    let tmp = TempDir::new("cli");
    let d = tmp.dir();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    ok(signet(
        d,
        &[
            "ca",
            "init",
            "--dir",
            "ca",
            "--name",
            "Sở Thông tin Thử nghiệm",
            "--base-url",
            &base,
        ],
    ));
    // Keys are private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for k in ["root", "issuing", "ocsp", "tsa"] {
            let m = std::fs::metadata(tmp.path(&format!("ca/keys/{k}.key"))).unwrap();
            assert_eq!(m.permissions().mode() & 0o777, 0o600, "{k}");
        }
        let m = std::fs::metadata(tmp.path("ca/state.json")).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o600);
    }
    // A second init on the same directory is refused.
    let o = signet(d, &["ca", "init", "--dir", "ca"]);
    assert!(!o.status.success() && out_text(&o).contains("refusing to overwrite"));

    // A person with a generated key: PKCS#12 that openssl opens.
    let t = ok(signet(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--kind",
            "person",
            "--name",
            "Trần Thị Bích Ngọc",
            "--agency",
            "000.00.00.H06",
            "--agency-name",
            "Ủy ban nhân dân tỉnh Bắc Ninh",
            "--unit",
            "Văn phòng",
            "--email",
            "ngoc@bacninh.gov.vn",
            "--password",
            "mật-khẩu-1",
            "--out",
            "ngoc",
        ],
    ));
    assert!(t.contains("issued serial "), "{t}");
    let t = ok(openssl(
        d,
        &[
            "x509", "-in", "ngoc.pem", "-noout", "-subject", "-nameopt", "utf8",
        ],
    ));
    assert!(
        t.contains("CN=Trần Thị Bích Ngọc") && t.contains("OU=Văn phòng"),
        "{t}"
    );
    let t = ok(openssl(
        d,
        &[
            "pkcs12",
            "-in",
            "ngoc.p12",
            "-passin",
            "pass:mật-khẩu-1",
            "-nodes",
        ],
    ));
    assert!(
        t.contains("BEGIN PRIVATE KEY") && t.contains("localKeyID"),
        "{t}"
    );
    let o = openssl(
        d,
        &[
            "pkcs12",
            "-in",
            "ngoc.p12",
            "-passin",
            "pass:wrong",
            "-nodes",
        ],
    );
    assert!(!o.status.success());
    let t = ok(openssl(
        d,
        &[
            "pkcs12",
            "-in",
            "ngoc.p12",
            "-passin",
            "pass:mật-khẩu-1",
            "-info",
            "-noout",
        ],
    ));
    assert!(
        t.contains("AES-256-CBC") && t.contains("MAC: sha256"),
        "{t}"
    );
    // PREFIX.pem is the certificate then the issuing CA.
    let chain = std::fs::read_to_string(tmp.path("ngoc.pem")).unwrap();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(tmp.path("ngoc.p12")).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o600);
    }
    // No password, or an empty one: refused, nothing written.
    let o = signet(
        d,
        &[
            "ca", "issue", "--dir", "ca", "--kind", "person", "--name", "X", "--agency", "A",
            "--out", "x",
        ],
    );
    assert!(
        !o.status.success() && out_text(&o).contains("SIGNET_KEY_PASSWORD"),
        "{}",
        out_text(&o)
    );
    let o = Command::new(BIN)
        .args([
            "ca", "issue", "--dir", "ca", "--kind", "person", "--name", "X", "--agency", "A",
            "--out", "x",
        ])
        .current_dir(d)
        .env("SIGNET_KEY_PASSWORD", "")
        .output()
        .unwrap();
    assert!(
        !o.status.success() && out_text(&o).contains("empty password"),
        "{}",
        out_text(&o)
    );
    assert!(!tmp.path("x.p12").exists() && !tmp.path("x.pem").exists());

    // An organization from an openssl CSR; a tampered CSR is refused precisely.
    ok(openssl(
        d,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "seal.key",
            "-subj",
            "/CN=ignored",
            "-out",
            "seal.csr",
        ],
    ));
    let t = ok(signet(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--kind",
            "organization",
            "--name",
            "Ủy ban nhân dân tỉnh Bắc Ninh",
            "--agency",
            "000.00.00.H06",
            "--csr",
            "seal.csr",
            "--out",
            "seal",
        ],
    ));
    assert!(t.contains("issued serial"), "{t}");
    assert!(!tmp.path("seal.p12").exists());
    let t = ok(openssl(
        d,
        &[
            "x509", "-in", "seal.pem", "-noout", "-subject", "-nameopt", "utf8",
        ],
    ));
    assert!(
        t.contains("organizationIdentifier=000.00.00.H06") && !t.contains("ignored"),
        "{t}"
    );
    ok(openssl(
        d,
        &[
            "req", "-in", "seal.csr", "-outform", "DER", "-out", "seal.der",
        ],
    ));
    let mut der = std::fs::read(tmp.path("seal.der")).unwrap();
    let i = der.len() - 4;
    der[i] ^= 0x40;
    std::fs::write(tmp.path("bad.der"), &der).unwrap();
    let o = signet(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--kind",
            "organization",
            "--name",
            "X",
            "--agency",
            "A",
            "--csr",
            "bad.der",
            "--out",
            "bad",
        ],
    );
    assert!(!o.status.success());
    assert!(
        out_text(&o).contains("signature does not verify (no proof of possession)"),
        "{}",
        out_text(&o)
    );
    let o = signet(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--kind",
            "organization",
            "--name",
            "X",
            "--agency",
            "A",
            "--csr",
            "ngoc.pem",
            "--out",
            "bad",
        ],
    );
    assert!(
        out_text(&o).contains("not a PEM CERTIFICATE REQUEST"),
        "{}",
        out_text(&o)
    );

    // Serve; openssl's OCSP client over HTTP.
    let _server = start_server(d, port);
    let t = ocsp(d, port, &["-cert", "ngoc.pem"]);
    assert!(
        t.contains("Response verify OK") && t.contains("ngoc.pem: good"),
        "{t}"
    );
    let t = ocsp(d, port, &["-cert", "seal.pem"]);
    assert!(
        t.contains("Response verify OK") && t.contains("seal.pem: good"),
        "{t}"
    );
    let t = ocsp(d, port, &["-serial", "0x7e57000000000001"]);
    assert!(
        t.contains("Response verify OK") && t.contains(": unknown"),
        "{t}"
    );

    // Revoke while the server runs: it reloads the state.
    let serial = ok(openssl(
        d,
        &["x509", "-in", "seal.pem", "-noout", "-serial"],
    ));
    let serial = serial.trim().trim_start_matches("serial=").to_string();
    let t = ok(signet(
        d,
        &[
            "ca",
            "revoke",
            "--dir",
            "ca",
            "--serial",
            &serial,
            "--reason",
            "superseded",
        ],
    ));
    assert!(t.contains("revoked"), "{t}");
    let o = signet(d, &["ca", "revoke", "--dir", "ca", "--serial", &serial]);
    assert!(!o.status.success() && out_text(&o).contains("already revoked"));
    let o = signet(
        d,
        &[
            "ca", "revoke", "--dir", "ca", "--serial", "abc", "--reason", "boredom",
        ],
    );
    assert!(!o.status.success() && out_text(&o).contains("keyCompromise"));
    let t = ocsp(d, port, &["-cert", "seal.pem"]);
    assert!(
        t.contains("Response verify OK") && t.contains("seal.pem: revoked"),
        "{t}"
    );
    assert!(t.contains("Reason: superseded"), "{t}");
    let t = ocsp(d, port, &["-cert", "ngoc.pem"]);
    assert!(t.contains("ngoc.pem: good"), "{t}");

    // The CRL from the command line, and from the server.
    ok(signet(
        d,
        &["ca", "crl", "--dir", "ca", "--out", "issuing.crl.pem"],
    ));
    let (status, root_crl) = http(port, "GET", "/crl/root.crl", "text/plain", b"");
    assert_eq!(status, 200);
    std::fs::write(tmp.path("root.crl"), root_crl).unwrap();
    ok(openssl(
        d,
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "root.crl",
            "-out",
            "root.crl.pem",
        ],
    ));
    let crls = format!(
        "{}{}",
        std::fs::read_to_string(tmp.path("issuing.crl.pem")).unwrap(),
        std::fs::read_to_string(tmp.path("root.crl.pem")).unwrap()
    );
    std::fs::write(tmp.path("crls.pem"), crls).unwrap();
    let verify = |leaf: &str| {
        openssl(
            d,
            &[
                "verify",
                "-CAfile",
                "ca/root.pem",
                "-untrusted",
                "ca/issuing.pem",
                "-crl_check_all",
                "-CRLfile",
                "crls.pem",
                leaf,
            ],
        )
    };
    let o = verify("ngoc.pem");
    assert!(o.status.success(), "{}", out_text(&o));
    let o = verify("seal.pem");
    assert!(
        !o.status.success() && out_text(&o).contains("certificate revoked"),
        "{}",
        out_text(&o)
    );
    let (status, served) = http(port, "GET", "/crl/issuing.crl", "text/plain", b"");
    assert_eq!(status, 200);
    std::fs::write(tmp.path("served.crl"), served).unwrap();
    let t = ok(openssl(
        d,
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "served.crl",
            "-noout",
            "-text",
        ],
    ));
    assert!(
        t.contains(&serial.to_uppercase()) && t.contains("Superseded"),
        "{t}"
    );
    let (status, _) = http(port, "GET", "/ca/issuing.cer", "text/plain", b"");
    assert_eq!(status, 200);

    // OCSP by GET (RFC 6960 appendix A), with the base64 URL-encoded.
    ok(openssl(
        d,
        &[
            "ocsp",
            "-issuer",
            "ca/issuing.pem",
            "-cert",
            "ngoc.pem",
            "-no_nonce",
            "-reqout",
            "q.der",
        ],
    ));
    let q = std::fs::read(tmp.path("q.der")).unwrap();
    let b64 = {
        let o = Command::new("openssl")
            .args(["base64", "-A", "-in", "q.der"])
            .current_dir(d)
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    let encoded = b64
        .trim()
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let (status, body) = http(port, "GET", &format!("/ocsp/{encoded}"), "text/plain", b"");
    assert_eq!(status, 200);
    std::fs::write(tmp.path("get.der"), body).unwrap();
    let t = out_text(&openssl(
        d,
        &[
            "ocsp",
            "-issuer",
            "ca/issuing.pem",
            "-cert",
            "ngoc.pem",
            "-no_nonce",
            "-respin",
            "get.der",
            "-CAfile",
            "ca/root.pem",
            "-verify_other",
            "ca/issuing.pem",
        ],
    ));
    assert!(
        t.contains("Response verify OK") && t.contains("ngoc.pem: good"),
        "{t}"
    );
    let _ = q;

    // Garbage OCSP: malformedRequest with HTTP 200 (the protocol's answer, not a 500).
    for (method, path, body) in [
        ("POST", "/ocsp", &b"garbage"[..]),
        ("GET", "/ocsp/bm90LW9jc3A%3D", b""),
    ] {
        let (status, body) = http(port, method, path, "application/ocsp-request", body);
        assert_eq!(status, 200, "{method} {path}");
        std::fs::write(tmp.path("g.der"), body).unwrap();
        let t = out_text(&openssl(
            d,
            &["ocsp", "-respin", "g.der", "-resp_text", "-noverify"],
        ));
        assert!(t.to_lowercase().contains("malformedrequest"), "{t}");
    }
    let (status, _) = http(port, "POST", "/ocsp", "text/plain", b"x");
    assert_eq!(status, 415);
    let (status, _) = http(
        port,
        "POST",
        "/ocsp",
        "application/ocsp-request",
        &vec![0x30; 100_000],
    );
    assert_eq!(status, 413);

    // Time-stamps: openssl ts query, our TSA, openssl ts verify.
    assert_timestamp_verifies(d, &tmp, port, "Công văn số 15/UBND-VP\n");
    let (status, body) = http(
        port,
        "POST",
        "/tsa",
        "application/timestamp-query",
        b"not a query",
    );
    assert_eq!(status, 200);
    std::fs::write(tmp.path("bad.tsr"), body).unwrap();
    let t = out_text(&openssl(d, &["ts", "-reply", "-in", "bad.tsr", "-text"]));
    assert!(
        t.contains("Status: Rejected") && t.contains("wrong format"),
        "{t}"
    );
    let (status, _) = http(port, "POST", "/tsa", "application/json", b"{}");
    assert_eq!(status, 415);
}

/// `ca init --pkcs11-module`: the four CA keys are generated inside SoftHSM2; every later
/// command (issue, serve) signs on the token.
#[test]
fn ca_with_keys_on_softhsm() {
    let Some(hsm) = SoftHsm::new() else {
        return;
    };
    let module = hsm.module().display().to_string();
    let tmp = TempDir::new("cli");
    let d = tmp.dir();
    let conf = hsm.conf();
    let env = [
        ("SOFTHSM2_CONF", conf.display().to_string()),
        ("SIGNET_PKCS11_PIN", "246810".to_string()),
    ];
    let cmd = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env_remove("SIGNET_KEY_PASSWORD")
            .current_dir(d)
            .output()
            .unwrap()
    };
    ok(cmd(
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            "signet",
            "--so-pin",
            "13572468",
            "--pin",
            "246810",
        ],
    ));
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let init = [
        "ca",
        "init",
        "--dir",
        "ca",
        "--base-url",
        &base,
        "--pkcs11-module",
        &module,
        "--token-label",
        "signet",
    ];
    // Without the PIN: a clear refusal.
    let o = Command::new(BIN)
        .args(init)
        .env("SOFTHSM2_CONF", &conf)
        .env_remove("SIGNET_PKCS11_PIN")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        !o.status.success() && out_text(&o).contains("SIGNET_PKCS11_PIN"),
        "{}",
        out_text(&o)
    );
    let t = ok(cmd(BIN, &init));
    assert!(t.contains("keys on token"), "{t}");
    assert!(!tmp.path("ca/keys").exists() && tmp.path("ca/pkcs11.json").exists());
    // Same labels again: refused, the token keeps its keys.
    let o = cmd(
        BIN,
        &[
            "ca",
            "init",
            "--dir",
            "ca2",
            "--pkcs11-module",
            &module,
            "--token-label",
            "signet",
        ],
    );
    assert!(
        !o.status.success() && out_text(&o).contains("already holds a key"),
        "{}",
        out_text(&o)
    );

    let t = ok(cmd(
        BIN,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--kind",
            "person",
            "--name",
            "Đỗ Minh Đức",
            "--agency",
            "000.00.00.H06",
            "--password",
            "hsm-test-pw",
            "--out",
            "duc",
        ],
    ));
    assert!(t.contains("issued serial"), "{t}");
    let o = openssl(
        d,
        &[
            "verify",
            "-CAfile",
            "ca/root.pem",
            "-untrusted",
            "ca/issuing.pem",
            "duc.pem",
        ],
    );
    assert!(o.status.success(), "{}", out_text(&o));

    // A holder's key generated on a second token behind the same module (the CA's module is
    // already initialised in that process), with its own PIN.
    ok(cmd(
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            "holder",
            "--so-pin",
            "13572468",
            "--pin",
            "975310",
        ],
    ));
    let t = ok(cmd(
        BIN,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--kind",
            "organization",
            "--name",
            "Ủy ban nhân dân tỉnh Bắc Ninh",
            "--agency",
            "000.00.00.H06",
            "--pkcs11-module",
            &module,
            "--token",
            "holder",
            "--pin",
            "975310",
            "--out",
            "seal",
        ],
    ));
    assert!(t.contains("on token \"holder\""), "{t}");
    ok(openssl(
        d,
        &[
            "verify",
            "-CAfile",
            "ca/root.pem",
            "-untrusted",
            "ca/issuing.pem",
            "seal.pem",
        ],
    ));

    let _server = start_server_with(d, port, &env);
    let t = ocsp(d, port, &["-cert", "duc.pem"]);
    assert!(
        t.contains("Response verify OK") && t.contains("duc.pem: good"),
        "{t}"
    );
    assert_timestamp_verifies(d, &tmp, port, "Quyết định\n");
}

/// `ca issue --pkcs11-module`: a software CA issues a certificate for a key pair generated inside
/// the holder's SoftHSM2 token. The key signs on the token (only the digest goes there) and
/// openssl verifies that signature with the issued certificate.
#[test]
fn ca_issue_with_key_on_holder_token() {
    // This test also opens the holder's token in this process, after the `signet` children
    // made it: so the process-wide configuration (see signet_testkit::softhsm), which this
    // process's module reads when it loads, after the children ran.
    let Some(hsm) = SoftHsm::process() else {
        return;
    };
    let module = hsm.module().display().to_string();
    let tmp = TempDir::new("cli");
    let d = tmp.dir();
    let conf = hsm.conf();
    // `pin`: None leaves SIGNET_PKCS11_PIN unset.
    let cmd = |program: &str, args: &[&str], pin: Option<&str>| {
        let mut c = Command::new(program);
        c.args(args)
            .env("SOFTHSM2_CONF", &conf)
            .env_remove("SIGNET_KEY_PASSWORD")
            .env_remove("SIGNET_PKCS11_PIN")
            .current_dir(d);
        if let Some(pin) = pin {
            c.env("SIGNET_PKCS11_PIN", pin);
        }
        c.output().unwrap()
    };
    ok(cmd(
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            "holder",
            "--so-pin",
            "97531864",
            "--pin",
            "135790",
        ],
        None,
    ));
    ok(cmd(BIN, &["ca", "init", "--dir", "ca"], None));
    let issue = |extra: &[&str], pin: Option<&str>| {
        let mut args = vec![
            "ca",
            "issue",
            "--dir",
            "ca",
            "--kind",
            "person",
            "--name",
            "Lê Văn Tám",
            "--agency",
            "000.00.00.H06",
            "--email",
            "tam@bacninh.gov.vn",
            "--pkcs11-module",
            &module,
            "--out",
            "tam",
        ];
        args.extend_from_slice(extra);
        cmd(BIN, &args, pin)
    };
    let issued_count = || {
        let state = std::fs::read_to_string(tmp.path("ca/state.json")).unwrap();
        state.matches("\"serial\"").count()
    };

    // (d) A wrong PIN (here on the command line, which wins over the environment), or none.
    let o = issue(&["--token", "holder", "--pin", "000000"], Some("135790"));
    let t = out_text(&o);
    assert!(!o.status.success() && t.contains("PIN"), "{t}");
    let o = issue(&["--token", "holder"], None);
    let t = out_text(&o);
    assert!(
        !o.status.success() && t.contains("SIGNET_PKCS11_PIN"),
        "{t}"
    );
    // (e) A token that is not there.
    let o = issue(&["--token", "no-such-token"], Some("135790"));
    let t = out_text(&o);
    assert!(
        !o.status.success() && t.contains("no PKCS#11 token labelled \"no-such-token\""),
        "{t}"
    );
    // --pkcs11-module without --token, or with --password: refused by the parser.
    let o = issue(&[], Some("135790"));
    assert!(!o.status.success(), "{}", out_text(&o));
    let o = issue(&["--token", "holder", "--password", "x"], Some("135790"));
    assert!(!o.status.success(), "{}", out_text(&o));
    // A profile field refused after the key pair was made: the pair is taken off the token.
    let long_unit = "Phòng ".repeat(20);
    let o = issue(
        &[
            "--token",
            "holder",
            "--key-label",
            "odd",
            "--unit",
            &long_unit,
        ],
        Some("135790"),
    );
    let t = out_text(&o);
    assert!(
        !o.status.success() && t.contains("invalid unit") && t.contains("was removed"),
        "{t}"
    );
    assert!(!tmp.path("tam.pem").exists());
    assert_eq!(issued_count(), 0);

    // The real thing, PIN from the environment.
    let t = ok(issue(&["--token", "holder"], Some("135790")));
    assert!(
        t.contains("issued serial") && t.contains("labelled \"tam\""),
        "{t}"
    );
    assert_eq!(issued_count(), 1);
    // Nothing secret on disk: the chain only.
    let chain = std::fs::read_to_string(tmp.path("tam.pem")).unwrap();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
    assert!(!chain.contains("PRIVATE KEY"));
    assert!(!tmp.path("tam.p12").exists());
    // The same label again: refused before anything is issued.
    let o = issue(&["--token", "holder"], Some("135790"));
    assert!(
        !o.status.success() && out_text(&o).contains("already holds a"),
        "{}",
        out_text(&o)
    );
    assert_eq!(issued_count(), 1);

    // (b) The chain verifies.
    ok(openssl(
        d,
        &[
            "verify",
            "-CAfile",
            "ca/root.pem",
            "-untrusted",
            "ca/issuing.pem",
            "tam.pem",
        ],
    ));

    // (a) and (c) through signet-signers, in this process: its module reads the process-wide
    // SOFTHSM2_CONF (`SoftHsm::process`), the configuration the children used.
    let token = signet_signers::Token::open(Path::new(&module), "holder", "135790").unwrap();
    assert!(matches!(
        token.key("odd"),
        Err(signet_signers::SignerError::Key { found: 0, .. })
    ));
    let key = token.key("tam").unwrap();
    let p = key.protection().unwrap();
    assert!(
        p.private && p.sensitive && !p.extractable && p.always_sensitive && p.never_extractable,
        "{p:?}"
    );
    let msg = "Quyết định số 12/QĐ-UBND\n".as_bytes();
    std::fs::write(tmp.path("msg.txt"), msg).unwrap();
    std::fs::write(tmp.path("sig.der"), key.sign_message(msg).unwrap()).unwrap();
    ok(openssl(
        d,
        &[
            "x509", "-in", "tam.pem", "-noout", "-pubkey", "-out", "pub.pem",
        ],
    ));
    let t = ok(openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "sig.der",
            "msg.txt",
        ],
    ));
    assert!(t.contains("Verified OK"), "{t}");
    std::fs::write(tmp.path("msg.txt"), b"something else").unwrap();
    let o = openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "sig.der",
            "msg.txt",
        ],
    );
    assert!(!o.status.success(), "{}", out_text(&o));
    // The certificate is on the token too, under the key's label.
    ok(openssl(
        d,
        &[
            "x509", "-in", "tam.pem", "-outform", "DER", "-out", "tam.der",
        ],
    ));
    assert_eq!(
        token.certificate("tam").unwrap(),
        Some(std::fs::read(tmp.path("tam.der")).unwrap())
    );
}

/// A time-stamp round trip: `openssl ts -query` for `text`, our `/tsa`, `openssl ts -verify`
/// against the CA in `d/ca`.
fn assert_timestamp_verifies(d: &Path, tmp: &TempDir, port: u16, text: &str) {
    std::fs::write(tmp.path("doc.txt"), text).unwrap();
    ok(openssl(
        d,
        &[
            "ts", "-query", "-data", "doc.txt", "-sha256", "-cert", "-out", "doc.tsq",
        ],
    ));
    let (status, body) = http(
        port,
        "POST",
        "/tsa",
        "application/timestamp-query",
        &std::fs::read(tmp.path("doc.tsq")).unwrap(),
    );
    assert_eq!(status, 200);
    std::fs::write(tmp.path("doc.tsr"), body).unwrap();
    let t = out_text(&openssl(
        d,
        &[
            "ts",
            "-verify",
            "-data",
            "doc.txt",
            "-in",
            "doc.tsr",
            "-CAfile",
            "ca/root.pem",
            "-untrusted",
            "ca/issuing.pem",
        ],
    ));
    assert!(t.contains("Verification: OK"), "{t}");
}

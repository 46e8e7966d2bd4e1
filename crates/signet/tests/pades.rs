//! `signet sign` and `signet verify` end to end, refereed by **pdfsig** (poppler, NSS) and
//! **pyHanko** (`pyhanko sign validate`): every file we sign must be accepted by both; every
//! tampered file must be refused by us where pyHanko refuses it. The PKI is our own CA
//! (`signet ca`), serving OCSP, CRLs and the TSA on a loopback port; keys are software
//! keystores (RSA-2048 from an openssl CSR, ECDSA P-256 generated) and a SoftHSM2 token.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::*;

/// The referees, from the venv scripts/test makes (or PATH).
fn pyhanko() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/pyhanko");
    if venv.exists() {
        return Some(venv);
    }
    let found = Command::new("pyhanko").arg("--version").output().is_ok();
    assert!(
        found || std::env::var_os("CI").is_none(),
        "pyhanko missing on CI (scripts/test installs it)"
    );
    found.then(|| PathBuf::from("pyhanko"))
}

fn tools_present() -> bool {
    let have = |c: &str| Command::new(c).arg("-v").output().is_ok();
    let ok = have("pdfsig") && have("certutil") && pyhanko().is_some();
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "pdfsig/certutil/pyhanko missing on CI"
    );
    if !ok {
        eprintln!("skipped: pdfsig, certutil or pyhanko not installed");
    }
    ok
}

/// A CA with a leader (RSA-2048, from an openssl CSR), a leader (ECDSA, generated), the
/// agency's seal (ECDSA), its services on a loopback port, and an NSS database trusting its
/// root for pdfsig.
struct Pki {
    tmp: TempDir,
    port: u16,
    server: Option<ServerGuard>,
}

impl Pki {
    fn new() -> Pki {
        let tmp = TempDir::new();
        let d = tmp.0.clone();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        ok(signet(
            &d,
            &[
                "ca",
                "init",
                "--dir",
                "ca",
                "--name",
                "Lạc Hồng Test CA",
                "--base-url",
                &base,
            ],
        ));
        let issue = |kind: &str, name: &str, out: &str, extra: &[&str]| {
            let mut a = vec![
                "ca",
                "issue",
                "--dir",
                "ca",
                "--kind",
                kind,
                "--name",
                name,
                "--agency",
                "000.00.00.H99",
            ];
            a.extend_from_slice(&[
                "--agency-name",
                "Ủy ban nhân dân tỉnh Lạc Hồng",
                "--out",
                out,
            ]);
            a.extend_from_slice(extra);
            ok(signet(&d, &a));
        };
        issue(
            "person",
            "Nguyễn Văn An",
            "leader-ec",
            &["--password", "secret123"],
        );
        issue(
            "organization",
            "Ủy ban nhân dân tỉnh Lạc Hồng",
            "seal",
            &["--password", "secret123"],
        );
        // RSA: the key and CSR from openssl, the certificate from our CA, the keystore from openssl.
        ok(openssl(
            &d,
            &[
                "req",
                "-new",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "rsa.key",
                "-subj",
                "/CN=ignored",
                "-out",
                "rsa.csr",
            ],
        ));
        issue(
            "person",
            "Trần Thị Bình",
            "leader-rsa",
            &["--csr", "rsa.csr"],
        );
        ok(openssl(
            &d,
            &[
                "pkcs12",
                "-export",
                "-inkey",
                "rsa.key",
                "-in",
                "leader-rsa.pem",
                "-passout",
                "pass:secret123",
                "-out",
                "leader-rsa.p12",
            ],
        ));
        std::fs::write(
            tmp.path("doc.pdf"),
            signet_pdf::one_page_pdf(
                [0.0, 0.0, 595.0, 842.0],
                b"BT /F1 20 Tf 72 760 Td (Quyet dinh 12/QD-UBND) Tj ET",
            ),
        )
        .unwrap();
        std::fs::create_dir_all(tmp.path("nss")).unwrap();
        run_ok(
            Command::new("certutil")
                .args(["-N", "-d", "sql:nss", "--empty-password"])
                .current_dir(&d),
        );
        run_ok(
            Command::new("certutil")
                .args([
                    "-A",
                    "-d",
                    "sql:nss",
                    "-n",
                    "root",
                    "-t",
                    "CT,C,C",
                    "-i",
                    "ca/root.pem",
                ])
                .current_dir(&d),
        );
        let server = Some(start_server(&d, port));
        Pki { tmp, port, server }
    }

    fn dir(&self) -> &Path {
        &self.tmp.0
    }

    fn tsa(&self) -> String {
        format!("http://127.0.0.1:{}/tsa", self.port)
    }

    /// `signet sign` with the arguments given after the input and output.
    fn sign(&self, input: &str, out: &str, args: &[&str]) -> String {
        let mut a = vec!["sign", input, "--out", out];
        a.extend_from_slice(args);
        ok(signet(self.dir(), &a))
    }

    /// `signet verify --json`: exit code and the report.
    fn verify(&self, file: &str, offline: bool) -> (i32, serde_json::Value) {
        let mut a = vec!["verify", file, "--trust", "ca/root.pem", "--json"];
        if offline {
            a.push("--offline");
        }
        let o = signet(self.dir(), &a);
        let code = o.status.code().unwrap_or(-1);
        let json = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
        (code, json)
    }

    fn pdfsig(&self, file: &str) -> String {
        out_text(
            &Command::new("pdfsig")
                .args(["-nssdir", "sql:nss", file])
                .current_dir(self.dir())
                .output()
                .unwrap(),
        )
    }

    /// pyHanko's executive summary: (exit code, text).
    fn pyhanko(&self, file: &str, extra: &[&str]) -> (i32, String) {
        let mut c = Command::new(pyhanko().unwrap());
        c.args([
            "sign",
            "validate",
            "--executive-summary",
            "--trust",
            "ca/root.pem",
            "--trust-replace",
        ]);
        c.args(extra).arg(file).current_dir(self.dir());
        let o = c.output().unwrap();
        (o.status.code().unwrap_or(-1), out_text(&o))
    }

    fn stop_services(&mut self) {
        self.server = None;
    }
}

fn run_ok(c: &mut Command) -> Output {
    let o = c.output().unwrap();
    assert!(o.status.success(), "{c:?}: {}", out_text(&o));
    o
}

/// pdfsig says every signature is valid and trusted; the last one covers the whole file.
fn assert_pdfsig_accepts(text: &str, signatures: usize, last_total: bool) {
    assert_eq!(
        text.matches("Signature is Valid.").count(),
        signatures,
        "{text}"
    );
    assert_eq!(
        text.matches("Certificate is Trusted.").count(),
        signatures,
        "{text}"
    );
    if last_total {
        let signed: Vec<&str> = text
            .split("Signature #")
            .filter(|b| b.contains("Signature Validation"))
            .collect();
        assert!(
            signed.last().unwrap().contains("Total document signed"),
            "{text}"
        );
    }
}

fn assert_pyhanko_valid(r: (i32, String), signatures: usize) {
    assert_eq!(r.0, 0, "{}", r.1);
    assert_eq!(r.1.matches(":VALID").count(), signatures, "{}", r.1);
}

fn sig<'a>(report: &'a serde_json::Value, field: &str) -> &'a serde_json::Value {
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["field"] == field)
        .unwrap_or_else(|| panic!("{field} in {report}"))
}

#[test]
fn leader_then_seal_from_b_b_to_b_lta_accepted_by_pdfsig_and_pyhanko() {
    if !tools_present() {
        return;
    }
    let mut pki = Pki::new();
    let tsa = pki.tsa();
    // The leader (RSA-2048, software keystore) signs at B-T; both boxes are created first.
    pki.sign(
        "doc.pdf",
        "leader.pdf",
        &[
            "--p12",
            "leader-rsa.p12",
            "--password",
            "secret123",
            "--role",
            "personal",
            "--field",
            "ChuKyLanhDao",
            "--page",
            "1",
            "--rect",
            "330,80,530,160",
            "--seal-field",
            "ChuKyCoQuan",
            "--level",
            "B-T",
            "--tsa",
            &tsa,
        ],
    );
    assert_pdfsig_accepts(&pki.pdfsig("leader.pdf"), 1, true);
    assert_pyhanko_valid(pki.pyhanko("leader.pdf", &[]), 1);
    let (code, r) = pki.verify("leader.pdf", false);
    assert_eq!(code, 0, "{r}");
    assert_eq!(sig(&r, "ChuKyLanhDao")["level"], "B-T");
    assert_eq!(sig(&r, "ChuKyLanhDao")["coverage"], "entire-file");

    // The agency seals (ECDSA P-256) at B-LT, then B-LTA over a copy.
    pki.sign(
        "leader.pdf",
        "sealed-lt.pdf",
        &[
            "--p12",
            "seal.p12",
            "--password",
            "secret123",
            "--role",
            "organization",
            "--field",
            "ChuKyCoQuan",
            "--agency",
            "Ủy ban nhân dân tỉnh Lạc Hồng",
            "--level",
            "B-LT",
            "--tsa",
            &tsa,
            "--trust",
            "ca/root.pem",
        ],
    );
    pki.sign(
        "leader.pdf",
        "sealed-lta.pdf",
        &[
            "--p12",
            "seal.p12",
            "--password",
            "secret123",
            "--role",
            "organization",
            "--field",
            "ChuKyCoQuan",
            "--level",
            "B-LTA",
            "--tsa",
            &tsa,
            "--trust",
            "ca/root.pem",
        ],
    );
    for f in ["sealed-lt.pdf", "sealed-lta.pdf"] {
        assert_pdfsig_accepts(&pki.pdfsig(f), 2, false);
        assert_pyhanko_valid(pki.pyhanko(f, &[]), 2);
    }
    // The seal's B-LT revision carries everything: the whole file is its last signature's.
    assert_pdfsig_accepts(&pki.pdfsig("sealed-lt.pdf"), 2, true);
    let visible = out_text(
        &Command::new("pdftotext")
            .args(["sealed-lt.pdf", "-"])
            .current_dir(pki.dir())
            .output()
            .unwrap(),
    );
    assert!(
        visible.contains("Ủy ban nhân dân tỉnh Lạc Hồng") && visible.contains("+07:00"),
        "{visible}"
    );

    // With the network off: validation data in the file is enough.
    pki.stop_services();
    for (f, level) in [("sealed-lt.pdf", "B-LT"), ("sealed-lta.pdf", "B-LTA")] {
        assert_pyhanko_valid(pki.pyhanko(f, &["--no-revocation-check"]), 2);
        let (code, r) = pki.verify(f, true);
        assert_eq!(code, 0, "{f}: {r}");
        let seal = sig(&r, "ChuKyCoQuan");
        assert_eq!(seal["level"], level, "{f}: {r}");
        assert_eq!(seal["revocation"]["status"], "good", "{f}: {r}");
        assert_eq!(
            sig(&r, "ChuKyLanhDao")["revocation"]["status"],
            "good",
            "{f}: {r}"
        );
    }
}

#[test]
fn ecdsa_b_b_and_a_key_on_a_softhsm_token() {
    if !tools_present() {
        return;
    }
    let Some(module) = softhsm_module() else {
        return;
    };
    let pki = Pki::new();
    pki.sign(
        "doc.pdf",
        "ec.pdf",
        &[
            "--p12",
            "leader-ec.p12",
            "--password",
            "secret123",
            "--page",
            "1",
            "--rect",
            "330,80,530,160",
        ],
    );
    assert_pdfsig_accepts(&pki.pdfsig("ec.pdf"), 1, true);
    assert_pyhanko_valid(pki.pyhanko("ec.pdf", &[]), 1);
    assert_eq!(
        pki.verify("ec.pdf", false).1["signatures"][0]["level"],
        "B-B"
    );

    // The leader's key generated on the token by the CA, never leaving it.
    let conf = softhsm_conf(&pki.tmp);
    let env = |c: &mut Command| {
        c.env("SOFTHSM2_CONF", &conf).current_dir(pki.dir());
    };
    let mut init = Command::new("softhsm2-util");
    init.args([
        "--init-token",
        "--free",
        "--label",
        "leader-token",
        "--so-pin",
        "12345678",
        "--pin",
        "123456",
    ]);
    env(&mut init);
    run_ok(&mut init);
    let mut issue = Command::new(BIN);
    issue.args([
        "ca",
        "issue",
        "--dir",
        "ca",
        "--kind",
        "person",
        "--name",
        "Lê Văn Cường",
        "--agency",
        "000.00.00.H99",
        "--pkcs11-module",
        &module,
        "--token",
        "leader-token",
        "--pin",
        "123456",
        "--key-label",
        "leader",
        "--out",
        "token-leader",
    ]);
    env(&mut issue);
    run_ok(&mut issue);
    let mut sign = Command::new(BIN);
    sign.args([
        "sign",
        "doc.pdf",
        "--out",
        "token.pdf",
        "--cert",
        "token-leader.pem",
        "--pkcs11-module",
        &module,
        "--token",
        "leader-token",
        "--pin",
        "123456",
        "--key-label",
        "leader",
        "--page",
        "1",
        "--rect",
        "330,80,530,160",
        "--level",
        "B-T",
        "--tsa",
        &pki.tsa(),
    ]);
    env(&mut sign);
    run_ok(&mut sign);
    assert_pdfsig_accepts(&pki.pdfsig("token.pdf"), 1, true);
    assert_pyhanko_valid(pki.pyhanko("token.pdf", &[]), 1);
    let (code, r) = pki.verify("token.pdf", false);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["signatures"][0]["signer"]["common_name"], "Lê Văn Cường");
}

/// Appends an incremental update replacing page 1's content: the shadow-style change that
/// pdfsig still calls valid and pyHanko rejects.
fn change_page_content(pdf: &[u8]) -> Vec<u8> {
    let doc = signet_pdf::Document::parse(pdf).unwrap();
    let page = doc.pages().unwrap()[0];
    let mut page_dict = doc.get(page).unwrap().unwrap();
    let mut up = signet_pdf::Update::new(&doc);
    let content = up.allocate();
    let body = b"BT /F1 20 Tf 72 700 Td (Da sua sau khi ky) Tj ET".to_vec();
    let stream = signet_pdf::Stream::new(
        signet_pdf::Dictionary::new().with(b"Length", body.len() as i64),
        body,
    );
    up.put(content, &signet_pdf::Object::Stream(stream));
    page_dict.as_dict_mut().unwrap().set(b"Contents", content);
    up.put(page, &page_dict);
    up.finish().unwrap()
}

#[test]
fn tampered_files_are_refused_where_pyhanko_refuses_them() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    pki.sign(
        "doc.pdf",
        "good.pdf",
        &[
            "--p12",
            "leader-ec.p12",
            "--password",
            "secret123",
            "--page",
            "1",
            "--rect",
            "330,80,530,160",
        ],
    );
    let good = std::fs::read(pki.tmp.path("good.pdf")).unwrap();

    // One byte inside the signed range (the page text).
    let at = good.windows(6).position(|w| w == b"Quyet ").unwrap();
    let mut flipped = good.clone();
    flipped[at] = b'J';
    std::fs::write(pki.tmp.path("flipped.pdf"), &flipped).unwrap();
    let (code, r) = pki.verify("flipped.pdf", false);
    assert_eq!(code, 1, "{r}");
    assert_eq!(r["signatures"][0]["integrity"], "broken");
    assert_eq!(r["signatures"][0]["sub_indication"], "HASH_FAILURE");
    assert_ne!(pki.pyhanko("flipped.pdf", &[]).0, 0);
    assert!(pki.pdfsig("flipped.pdf").contains("Digest Mismatch"));

    // Page content changed in an update after signing.
    std::fs::write(pki.tmp.path("shadow.pdf"), change_page_content(&good)).unwrap();
    let (code, r) = pki.verify("shadow.pdf", false);
    assert_ne!(code, 0, "{r}");
    assert_eq!(r["signatures"][0]["modifications"], "other");
    assert_eq!(r["signatures"][0]["coverage"], "entire-revision");
    assert_ne!(pki.pyhanko("shadow.pdf", &[]).0, 0);
    assert!(
        pki.pdfsig("shadow.pdf").contains("Signature is Valid."),
        "pdfsig does not analyse updates"
    );

    // Bytes appended that form no revision: pyHanko still judges the signature valid (the bytes
    // are not part of the document); so do we, but the signature no longer covers the file and
    // the report says so.
    let mut appended = good.clone();
    appended.extend_from_slice(b"\n1 0 obj\n<< /Injected true >>\nendobj\n");
    std::fs::write(pki.tmp.path("appended.pdf"), &appended).unwrap();
    let (code, r) = pki.verify("appended.pdf", false);
    assert_eq!(pki.pyhanko("appended.pdf", &[]).0, 0);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["signatures"][0]["coverage"], "entire-revision", "{r}");
    assert!(
        r["messages"]
            .to_string()
            .contains("not part of any revision"),
        "{r}"
    );

    // Not a PDF at all: exit status 3 and a message.
    std::fs::write(pki.tmp.path("junk.pdf"), b"GIF89a not a pdf").unwrap();
    let o = signet(pki.dir(), &["verify", "junk.pdf"]);
    assert_eq!(o.status.code(), Some(3), "{}", out_text(&o));
    assert!(out_text(&o).contains("junk.pdf"));
}

#[test]
fn a_revoked_signer_is_not_passed() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    pki.sign(
        "doc.pdf",
        "s.pdf",
        &[
            "--p12",
            "leader-ec.p12",
            "--password",
            "secret123",
            "--page",
            "1",
            "--rect",
            "330,80,530,160",
        ],
    );
    let serial = {
        let o = openssl(
            pki.dir(),
            &["x509", "-in", "leader-ec.pem", "-noout", "-serial"],
        );
        out_text(&o)
            .trim()
            .trim_start_matches("serial=")
            .to_ascii_lowercase()
    };
    ok(signet(
        pki.dir(),
        &[
            "ca",
            "revoke",
            "--dir",
            "ca",
            "--serial",
            &serial,
            "--reason",
            "keyCompromise",
        ],
    ));
    let (code, r) = pki.verify("s.pdf", false);
    assert_ne!(code, 0, "{r}");
    let s = &r["signatures"][0];
    assert_eq!(s["revocation"]["status"], "revoked", "{r}");
    assert_eq!(s["revocation"]["reason"], "keyCompromise", "{r}");
    assert_eq!(s["sub_indication"], "REVOKED_NO_POE", "{r}");
    assert_ne!(pki.pyhanko("s.pdf", &[]).0, 0);
}

#[test]
fn an_attachment_is_signed_top_right_in_times_10() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    pki.sign(
        "doc.pdf",
        "att.pdf",
        &[
            "--p12",
            "seal.p12",
            "--password",
            "secret123",
            "--role",
            "attachment",
            "--notation",
            "12/QĐ-UBND",
            "--agency",
            "Ủy ban nhân dân tỉnh Lạc Hồng",
        ],
    );
    assert_pdfsig_accepts(&pki.pdfsig("att.pdf"), 1, true);
    assert_pyhanko_valid(pki.pyhanko("att.pdf", &[]), 1);
    let text = out_text(
        &Command::new("pdftotext")
            .args(["-layout", "att.pdf", "-"])
            .current_dir(pki.dir())
            .output()
            .unwrap(),
    );
    assert!(text.contains("12/QĐ-UBND"), "{text}");
    let fonts = out_text(
        &Command::new("pdffonts")
            .arg("att.pdf")
            .current_dir(pki.dir())
            .output()
            .unwrap(),
    );
    assert!(
        fonts.contains("LiberationSerif") || fonts.contains("Liberation"),
        "{fonts}"
    );
    // Top right: the field's rectangle is in the upper right quarter of the A4 page.
    let doc =
        signet_pdf::Document::parse(&std::fs::read(pki.tmp.path("att.pdf")).unwrap()).unwrap();
    let field = doc.acro_form_fields().unwrap().into_iter().next().unwrap();
    let rect = field.widgets[0].rect.unwrap();
    assert!(rect[0] > 595.0 / 2.0 && rect[1] > 842.0 / 2.0, "{rect:?}");
}

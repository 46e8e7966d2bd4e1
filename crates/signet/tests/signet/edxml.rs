//! `signet edxml inspect|build`: the integrators' contract (issue 14 §2) end to end — round
//! trip, signatures checked by us and by xmlsec1 with the built-in CA's certificates, a
//! one-character change anywhere in the header breaking them, refusals with exit status 1.

use std::path::Path;

use serde_json::{json, Value};
use signet_testkit::{run, tool};

use crate::support::*;

fn spec() -> Value {
    json!({
        "kind": "document",
        "document_id": "000.00.00.H99,2024/07/15,123/QĐ-UBND",
        "from": {"organ_id": "000.00.00.H99", "organ_name": "Ủy ban nhân dân tỉnh Thử nghiệm"},
        "to": [
            {"organ_id": "000.00.01.H99", "organ_name": "Sở Nội vụ"},
            {"organ_id": "000.00.00.G22", "organ_name": "Văn phòng Chính phủ"}
        ],
        "code": {"number": "123", "notation": "QĐ-UBND"},
        "promulgation": {"place": "Thành phố Thử", "date": "2024-07-15"},
        "document_type": {"type": "18", "type_detail": "0", "name": "Quyết định"},
        "subject": "Về việc ban hành quy chế & thử nghiệm <liên thông>",
        "priority": "1",
        "due_date": "2026-11-25",
        "signer": {"position": "Chủ tịch", "full_name": "Nguyễn Văn An"},
        "status": null
    })
}

fn inspect_json(d: &Path, file: &str) -> Value {
    let o = signet(d, &["edxml", "inspect", file, "--json"]);
    let t = out_text(&o);
    assert!(o.status.success(), "{t}");
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The spec part of an inspect report.
fn spec_of(mut v: Value) -> Value {
    let m = v.as_object_mut().unwrap();
    m.remove("attachments");
    m.remove("signature");
    v
}

/// A CA and an organization's PKCS#12 (seal.p12, password "mật-khẩu-1").
fn ca_and_seal(d: &Path) {
    ok(signet(
        d,
        &[
            "ca",
            "init",
            "--dir",
            "ca",
            "--name",
            "CA Thử nghiệm",
            "--base-url",
            "http://127.0.0.1:9",
        ],
    ));
    ok(signet(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--kind",
            "organization",
            "--name",
            "Ủy ban nhân dân tỉnh Thử nghiệm",
            "--agency",
            "000.00.00.H99",
            "--password",
            "mật-khẩu-1",
            "--out",
            "seal",
        ],
    ));
}

fn build_signed(d: &Path, out: &str) {
    let t = ok(signet(
        d,
        &[
            "edxml",
            "build",
            "spec.json",
            "--attach",
            "qd.pdf",
            "--attach",
            "phu-luc.docx",
            "--sign-p12",
            "seal.p12",
            "--password",
            "mật-khẩu-1",
            "--out",
            out,
        ],
    ));
    assert!(
        t.contains("signed by Ủy ban nhân dân tỉnh Thử nghiệm"),
        "{t}"
    );
}

#[test]
fn build_then_inspect_gives_back_the_spec() {
    let tmp = TempDir::new("edxml");
    let d = tmp.dir();
    tmp.write("spec.json", spec().to_string());
    let pdf = b"%PDF-1.7\n% a document\n".repeat(100);
    tmp.write("qd.pdf", &pdf);
    tmp.write("phu-luc.docx", b"PK\x03\x04 not really a docx");
    ok(signet(
        d,
        &[
            "edxml",
            "build",
            "spec.json",
            "--attach",
            "qd.pdf",
            "--attach",
            "phu-luc.docx",
            "--out",
            "p.edxml",
        ],
    ));
    let v = inspect_json(d, "p.edxml");
    assert_eq!(spec_of(v.clone()), spec());
    assert_eq!(
        v["attachments"][0],
        json!({"name": "qd.pdf", "content_type": "application/pdf", "size": pdf.len(),
               "sha256": sha256_hex(&pdf)})
    );
    assert_eq!(v["attachments"][1]["name"], "phu-luc.docx");
    assert_eq!(
        v["signature"],
        json!({"present": false, "valid": null, "signer": null, "digest": null})
    );
    // The packet is the QCVN sample shape, which xmllint reads as well-formed XML.
    let text = String::from_utf8(tmp.read("p.edxml")).unwrap();
    assert!(text
        .contains("<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"));
    assert!(text.contains("<ContentId>cid:") && text.contains("xlink:href=\"cid:"));
    // The human summary.
    let t = ok(signet(d, &["edxml", "inspect", "p.edxml"]));
    assert!(
        t.contains("Trích yếu / Subject: Về việc ban hành") && t.contains("none"),
        "{t}"
    );

    // A status packet.
    let status = json!({
        "kind": "status",
        "document_id": "000.00.00.H99,2024/07/15,123/QĐ-UBND",
        "from": {"organ_id": "000.00.01.H99", "organ_name": "Sở Nội vụ"},
        "status": {"code": "03", "description": "Đã vào sổ", "timestamp": "2024-07-16T08:30:00+07:00",
                   "response_for": {"organ_id": "000.00.00.H99", "code": "123/QĐ-UBND",
                                    "document_id": "000.00.00.H99,2024/07/15,123/QĐ-UBND",
                                    "promulgation_date": "2024-07-15"}}
    });
    tmp.write("status.json", status.to_string());
    ok(signet(
        d,
        &["edxml", "build", "status.json", "--out", "s.edxml"],
    ));
    let v = inspect_json(d, "s.edxml");
    assert_eq!(v["kind"], "status");
    assert_eq!(v["status"], status["status"]);
    assert_eq!(v["document_id"], status["document_id"]);
    assert_eq!(v["from"], status["from"]);
    assert_eq!(v["attachments"], json!([]));
}

fn sha256_hex(b: &[u8]) -> String {
    let o = {
        let tmp = TempDir::new("sha");
        tmp.write("f", b);
        openssl(tmp.dir(), &["dgst", "-sha256", "-r", "f"])
    };
    out_text(&o).split_whitespace().next().unwrap().to_owned()
}

#[test]
fn signed_packet_verifies_here_and_with_xmlsec1_and_breaks_when_changed() {
    let tmp = TempDir::new("edxml-sig");
    let d = tmp.dir();
    ca_and_seal(d);
    tmp.write("spec.json", spec().to_string());
    tmp.write("qd.pdf", b"%PDF-1.7 signed");
    tmp.write("phu-luc.docx", b"appendix");
    build_signed(d, "p.edxml");
    let v = inspect_json(d, "p.edxml");
    assert_eq!(
        v["signature"],
        json!({"present": true, "valid": true, "signer": "Ủy ban nhân dân tỉnh Thử nghiệm", "digest": "sha256"})
    );
    assert_eq!(spec_of(v), spec());

    // One character changed in the header, in the subject and in an attachment.
    let text = String::from_utf8(tmp.read("p.edxml")).unwrap();
    let tampered = [
        (
            "<edXML:OrganId>000.00.01.H99",
            "<edXML:OrganId>000.00.01.H98",
        ),
        ("quy chế", "quy chê"),
        ("<edXML:Priority>1", "<edXML:Priority>2"),
        ("<AttachmentName>qd.pdf", "<AttachmentName>qd.pdg"),
    ];
    for (i, (from, to)) in tampered.iter().enumerate() {
        let name = format!("t{i}.edxml");
        let changed = text.replacen(from, to, 1);
        assert_ne!(changed, text, "{from}");
        tmp.write(&name, &changed);
        let v = inspect_json(d, &name);
        assert_eq!(v["signature"]["valid"], false, "{from}");
    }

    // The standard tool, given only the CA's root and issuing certificates.
    let Some(xmlsec1) = tool("xmlsec1") else {
        return;
    };
    let verify = |file: &str| {
        run(
            d,
            &xmlsec1,
            &[
                "--verify",
                "--trusted-pem",
                "ca/root.pem",
                "--untrusted-pem",
                "ca/issuing.pem",
                file,
            ],
        )
    };
    let o = verify("p.edxml");
    assert!(
        o.status.success(),
        "xmlsec1 refused our packet: {}",
        out_text(&o)
    );
    for i in 0..tampered.len() {
        let o = verify(&format!("t{i}.edxml"));
        assert!(!o.status.success(), "xmlsec1 accepted tampered packet {i}");
    }
    // Another CA's root is not trusted by xmlsec1.
    let other = TempDir::new("edxml-other");
    ok(signet(
        other.dir(),
        &[
            "ca",
            "init",
            "--dir",
            "ca",
            "--name",
            "Khác",
            "--base-url",
            "http://127.0.0.1:9",
        ],
    ));
    let root = other.path("ca/root.pem");
    let o = run(
        d,
        &xmlsec1,
        &[
            "--verify",
            "--trusted-pem",
            root.to_str().unwrap(),
            "--untrusted-pem",
            "ca/issuing.pem",
            "p.edxml",
        ],
    );
    assert!(!o.status.success(), "xmlsec1 trusted a foreign root");
}

#[test]
fn bad_packets_are_refused_with_one_line_and_exit_1() {
    let tmp = TempDir::new("edxml-bad");
    let d = tmp.dir();
    tmp.write("spec.json", spec().to_string());
    ok(signet(
        d,
        &["edxml", "build", "spec.json", "--out", "p.edxml"],
    ));
    let good = String::from_utf8(tmp.read("p.edxml")).unwrap();
    let cases = [
        (
            "amp.edxml",
            good.replacen("quy chế &amp; thử", "quy chế & thử", 1),
        ),
        (
            "lt.edxml",
            good.replacen("quy chế &amp; thử", "quy chế < thử", 1),
        ),
        ("cut.edxml", good[..good.len() * 2 / 3].to_owned()),
        (
            "doctype.edxml",
            good.replacen(
                "<edXML xmlns",
                "<!DOCTYPE edXML [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><edXML xmlns",
                1,
            ),
        ),
        ("empty.edxml", String::new()),
        ("other.edxml", "<html><body>x</body></html>".to_owned()),
    ];
    for (name, content) in &cases {
        tmp.write(name, content);
        for json in [true, false] {
            let mut args = vec!["edxml", "inspect", name];
            if json {
                args.push("--json");
            }
            let o = signet(d, &args);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{name}: {err}");
            assert!(o.stdout.is_empty(), "{name}");
            assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
            assert!(err.contains(name), "{err}");
        }
    }
    let o = signet(d, &["edxml", "inspect", "missing.edxml"]);
    assert_eq!(o.status.code(), Some(1));
    // A spec the writer refuses: no file written.
    tmp.write(
        "bad.json",
        json!({"kind": "status", "from": {"organ_id": "X"},
        "status": {"code": "99"}})
        .to_string(),
    );
    let o = signet(d, &["edxml", "build", "bad.json", "--out", "bad.edxml"]);
    assert!(!o.status.success() && out_text(&o).contains("status code"));
    assert!(!tmp.path("bad.edxml").exists());
}

#[test]
fn build_signed_with_a_key_on_a_token() {
    let Some(hsm) = SoftHsm::new() else {
        return;
    };
    hsm.init_token("edxml", "135790");
    let module = hsm.module().display().to_string();
    let tmp = TempDir::new("edxml-token");
    let d = tmp.dir();
    let run_hsm = |args: &[&str]| {
        hsm.command(BIN)
            .args(args)
            .current_dir(d)
            .env("SIGNET_PKCS11_PIN", "135790")
            .env_remove("SIGNET_TOKEN_PIN")
            .output()
            .unwrap()
    };
    ok(run_hsm(&[
        "ca",
        "init",
        "--dir",
        "ca",
        "--name",
        "CA Thử",
        "--base-url",
        "http://127.0.0.1:9",
    ]));
    ok(run_hsm(&[
        "ca",
        "issue",
        "--dir",
        "ca",
        "--kind",
        "organization",
        "--name",
        "Sở Thử nghiệm",
        "--agency",
        "000.00.01.H99",
        "--pkcs11-module",
        &module,
        "--token",
        "edxml",
        "--out",
        "seal",
    ]));
    tmp.write("spec.json", spec().to_string());
    let build = |extra: &[&str]| {
        let mut args = vec![
            "edxml",
            "build",
            "spec.json",
            "--pkcs11-module",
            &module,
            "--pkcs11-token",
            "edxml",
            "--pkcs11-pin",
            "135790",
            "--pkcs11-key",
            "seal",
            "--out",
            "p.edxml",
        ];
        args.extend_from_slice(extra);
        run_hsm(&args)
    };
    // The certificate is the one `ca issue` stored on the token beside the key.
    let t = ok(build(&[]));
    assert!(t.contains("signed by Sở Thử nghiệm"), "{t}");
    let v = inspect_json(d, "p.edxml");
    assert_eq!(v["signature"]["valid"], true);
    assert_eq!(v["signature"]["signer"], "Sở Thử nghiệm");
    assert_eq!(spec_of(v), spec());
    // A wrong PIN: refused, nothing written.
    std::fs::remove_file(tmp.path("p.edxml")).unwrap();
    let o = run_hsm(&[
        "edxml",
        "build",
        "spec.json",
        "--pkcs11-module",
        &module,
        "--pkcs11-token",
        "edxml",
        "--pkcs11-pin",
        "000000",
        "--pkcs11-key",
        "seal",
        "--out",
        "p.edxml",
    ]);
    assert!(!o.status.success(), "{}", out_text(&o));
    assert!(!tmp.path("p.edxml").exists());
}

#[test]
fn seed_packets_are_read() {
    // The fuzz seeds: a document, a signed one, a zipped attachment, a signed status and the
    // legacy SOAP-ENV status.
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../signet-edxml/fuzz-seeds");
    let mut n = 0;
    for entry in std::fs::read_dir(&seeds).unwrap() {
        let path = entry.unwrap().path();
        let file = path.to_str().unwrap();
        let v = inspect_json(&seeds, file);
        assert!(
            v["kind"] == "document" || v["kind"] == "status",
            "{file}: {v}"
        );
        let t = ok(signet(&seeds, &["edxml", "inspect", file]));
        if file.ends_with("legacy-soap-status.xml") {
            assert!(
                t.contains("SOAP-ENV") && t.contains("03 (registered)"),
                "{t}"
            );
        }
        n += 1;
    }
    assert!(n >= 5);
}

//! The built-in Vietnamese trust lists on real government PDFs (`../shared/corpus/vn/`, signed
//! with Ban Cơ yếu's certificates, carrying no intermediate): with the lists and `--offline`
//! every signer chains to a Vietnamese root and the report names the list; without them none
//! does. Also: `--trust DIR` skips a README, and the subject details of the profile are shown.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use signet_store::testing::scratch_dir;

const BIN: &str = env!("CARGO_BIN_EXE_signet");

/// `shared/corpus/vn` beside the repository (or beside the worktrees' parent).
fn corpus() -> PathBuf {
    signet_testkit::shared_dir()
        .map(|s| s.join("corpus/vn"))
        .filter(|p| p.is_dir())
        .expect("the shared vn corpus")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn vn_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(corpus()).expect("the shared vn corpus") {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                files.push(f.unwrap().path());
            }
        }
    }
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    files
}

fn verify_json(file: &Path, extra: &[&str]) -> Value {
    let out = Command::new(BIN)
        .args(["verify", "--offline", "--json"])
        .args(extra)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 2),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_government_signer_chains_to_a_vietnamese_root_offline() {
    for f in vn_files() {
        let on = verify_json(&f, &[]);
        let off = verify_json(&f, &["--trust-lists", "none"]);
        let (on, off) = (
            on["signatures"].as_array().unwrap(),
            off["signatures"].as_array().unwrap(),
        );
        assert!(!on.is_empty());
        for (a, b) in on.iter().zip(off) {
            let name = format!("{} {}", f.display(), a["field"]);
            assert_eq!(a["trust_list"]["id"], "vn-gov", "{name}");
            assert_eq!(
                a["trust_list"]["name"], "Chữ ký số chuyên dùng Chính phủ",
                "{name}"
            );
            let root = a["trust_anchor"].as_str().unwrap();
            assert!(
                root == "RootCA chuyên dùng Chính phủ G2"
                    || root == "Co quan chung thuc so chuyen dung Chinh phu (RootCA)",
                "{name}: {root}"
            );
            assert_ne!(a["sub_indication"], "NO_CERTIFICATE_CHAIN_FOUND", "{name}");
            // The lists off: the same signature finds no chain.
            assert!(b["trust_list"].is_null(), "{name}");
            if a["integrity"] == "intact" && a["indication"] != "TOTAL-FAILED" {
                assert_eq!(b["sub_indication"], "NO_CERTIFICATE_CHAIN_FOUND", "{name}");
            }
        }
    }
}

#[test]
fn gen1_sha1_chains_end_in_the_list_but_fail_crypto_constraints() {
    let f = corpus().join("m1htan__Law_in_Tech/5e783d8db3fc18fd143519bf416a0f05fbc2b066.pdf");
    for s in verify_json(&f, &[])["signatures"].as_array().unwrap() {
        assert_eq!(s["trust_list"]["id"], "vn-gov");
        assert_eq!(s["sub_indication"], "CRYPTO_CONSTRAINTS_FAILURE_NO_POE");
    }
}

#[test]
fn public_list_alone_does_not_trust_government_signers() {
    let f = corpus().join("AVG-Team__VN-Law/06-bct.signed.pdf");
    let r = verify_json(&f, &["--trust-lists", "vn-public"]);
    assert_eq!(
        r["signatures"][0]["sub_indication"],
        "NO_CERTIFICATE_CHAIN_FOUND"
    );
}

#[test]
fn signer_details_of_the_vietnamese_profile() {
    let f = corpus().join("AVG-Team__VN-Law/06-bct.signed.pdf");
    let r = verify_json(&f, &[]);
    let d = &r["signatures"][0]["signer"]["details"];
    assert_eq!(d["uid"], "MST:0102357802, MNS:1032158");
    assert_eq!(d["identifiers"][0]["kind"], "MST");
    assert_eq!(d["identifiers"][0]["value"], "0102357802");
    assert_eq!(d["identifiers"][1]["label_vi"], "Mã quan hệ ngân sách");
    let text = Command::new(BIN)
        .args(["verify", "--offline"])
        .arg(&f)
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Mã số thuế / tax code: MST:0102357802"),
        "{text}"
    );
    assert!(
        text.contains("Chữ ký số chuyên dùng Chính phủ (vn-gov)"),
        "{text}"
    );
}

#[test]
fn trust_directory_skips_files_that_are_not_certificates() {
    let dir = scratch_dir("vn-trust-dir");
    for name in ["vgca-root-g2.pem", "README.md"] {
        std::fs::copy(repo().join("trust/vn").join(name), dir.join(name)).unwrap();
    }
    std::fs::write(dir.join("notes.txt"), "gốc của Ban Cơ yếu\n").unwrap();
    let f = corpus().join("AVG-Team__VN-Law/06-bct.signed.pdf");
    let dir_arg = dir.display().to_string();
    // The intermediate comes from the built-in list; the anchor only from the directory.
    let r = verify_json(&f, &["--trust", &dir_arg, "--trust-lists", "vn-gov"]);
    assert_ne!(
        r["signatures"][0]["sub_indication"],
        "NO_CERTIFICATE_CHAIN_FOUND"
    );
    // A file named directly must still be a certificate.
    let out = Command::new(BIN)
        .args(["verify", "--offline", "--trust"])
        .arg(dir.join("README.md"))
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("README.md"));
    // A file that looks like a certificate but is broken is an error, not skipped.
    std::fs::write(
        dir.join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args([
            "verify",
            "--offline",
            "--trust",
            &dir_arg,
            &f.display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.pem"));
}

/// The README's fingerprints are those of the compiled-in certificates.
#[test]
fn built_in_lists_match_their_readme() {
    let readme = std::fs::read_to_string(repo().join("trust/vn/README.md")).unwrap();
    let mut n = 0;
    for list in signet_app::trust_lists::ALL {
        let mut anchors = signet_pki::validation::TrustAnchors::new();
        list.add_to(&mut anchors).unwrap();
        assert_eq!(anchors.len(), list.roots.len());
        assert_eq!(anchors.path_certificate_count(), list.intermediates.len());
        for s in anchors.summaries() {
            assert!(readme.contains(&s.sha256), "{} {}", list.id, s.subject);
            n += 1;
        }
        for (name, pem) in list.intermediates {
            let der = signet_pki::validation::certificates_from_pem_or_der(pem).unwrap();
            let s = signet_pki::validation::summarize(&der[0]).unwrap();
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{name}.pem`")))
                .unwrap();
            assert!(row.contains(&s.sha256) && row.contains(list.id), "{row}");
            n += 1;
        }
    }
    assert_eq!(n, 25);
}

/// `--etsi-report`: schema-valid against ETSI TS 119 102-2 (xmllint with the XSDs kept under
/// signet-pades/tests/etsi-xsd), with the indications of the JSON report.
#[test]
fn etsi_xml_report_is_schema_valid() {
    let xsd = repo().join("crates/signet-pades/tests/etsi-xsd");
    let dir = scratch_dir("vn-etsi");
    for f in vn_files() {
        let xml = dir.join("report.xml");
        let out = Command::new(BIN)
            .args(["verify", "--offline", "--json", "--etsi-report"])
            .arg(&xml)
            .arg(&f)
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let check = Command::new("xmllint")
            .env("XML_CATALOG_FILES", xsd.join("catalog.xml"))
            .args(["--nonet", "--noout", "--schema"])
            .arg(xsd.join("1910202xmlSchema.xsd"))
            .arg(&xml)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&check.stderr)
        );
        let text = std::fs::read_to_string(&xml).unwrap();
        let sigs = json["signatures"].as_array().unwrap();
        assert_eq!(
            text.matches("<vr:SignatureValidationReport>").count(),
            sigs.len()
        );
        for s in sigs {
            let main = s["indication"].as_str().unwrap().to_lowercase();
            assert!(text.contains(&format!("urn:etsi:019102:mainindication:{main}")));
            if let Some(sub) = s["sub_indication"].as_str() {
                assert!(text.contains(&format!("urn:etsi:019102:subindication:{sub}")));
            }
        }
    }
    // A report that does not fit the schema is refused by the same check (the test can fail).
    let bad = dir.join("bad.xml");
    std::fs::write(
        &bad,
        "<vr:ValidationReport xmlns:vr=\"http://uri.etsi.org/19102/v1.4.1#\"/>",
    )
    .unwrap();
    let check = Command::new("xmllint")
        .env("XML_CATALOG_FILES", xsd.join("catalog.xml"))
        .args(["--nonet", "--noout", "--schema"])
        .arg(xsd.join("1910202xmlSchema.xsd"))
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!check.status.success());
}

/// `--slip`: the printable "phiếu kiểm tra chữ ký số", read back with pdftotext.
#[test]
fn verification_slip_reads_back_in_vietnamese() {
    let dir = scratch_dir("vn-slip");
    let f = corpus().join("AVG-Team__VN-Law/06-bct.signed.pdf");
    let slip = dir.join("phieu.pdf");
    let out = Command::new(BIN)
        .args(["verify", "--offline", "--slip"])
        .arg(&slip)
        .arg(&f)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 2));
    let text = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&slip)
        .arg("-")
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    let sha: String = signet_app::verification::document_sha256(&std::fs::read(&f).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for needle in [
        "PHIẾU KIỂM TRA CHỮ KÝ SỐ",
        "06-bct.signed.pdf",
        sha.as_str(),
        "Kết luận chung: CHƯA XÁC ĐỊNH ĐƯỢC (INDETERMINATE)",
        "Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ",
        "Mã số thuế: 0102357802",
        "Danh sách tin cậy: Chữ ký số chuyên dùng Chính phủ",
        "Dấu thời gian: 2024-04-12T07:35:36Z",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

//! The unusual tails around `%%EOF` (issue 11 §2): a signed file, then what mail gateways,
//! archivers and hand edits do to its end — a newline or CRLF added, NULs or spaces appended,
//! junk after the marker, an empty update, the signed last newline removed or turned into a
//! CR or a CRLF. Signet's integrity, coverage and modification verdicts must be pyHanko's:
//! asked live when the venv has pyHanko, else the verdicts pyHanko 0.38 gave on these same
//! constructions (recorded below). The rule they taught: "entire file" means the signed range
//! ends at the file's last byte — any tail, even whitespace, leaves the file "entire revision"
//! (`coverage.rs`).

use crate::names::{coverage_name, modifications_name};
use std::path::Path;

use signet_pades::sign;
use signet_pades::testing::LocalPki;
use signet_pades::{Level, Options};
use signet_testkit::TempDir;
use time::macros::datetime;

/// A constructed tail and pyHanko's verdict: (intact, coverage, modifications).
struct Case {
    name: &'static str,
    tail: fn(&[u8]) -> Vec<u8>,
    hanko: (bool, &'static str, &'static str),
}

fn strip_nl(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\n").unwrap_or(b)
}

const CASES: &[Case] = &[
    Case {
        name: "as-signed",
        tail: |b| b.to_vec(),
        hanko: (true, "ENTIRE_FILE", "NONE"),
    },
    Case {
        name: "newline-added",
        tail: |b| [b, b"\n"].concat(),
        hanko: (true, "ENTIRE_REVISION", "NONE"),
    },
    Case {
        name: "crlf-added",
        tail: |b| [b, b"\r\n"].concat(),
        hanko: (true, "ENTIRE_REVISION", "NONE"),
    },
    Case {
        name: "nuls-appended",
        tail: |b| [b, &[0u8; 512][..]].concat(),
        hanko: (true, "ENTIRE_REVISION", "NONE"),
    },
    Case {
        name: "spaces-appended",
        tail: |b| [b, b"   \n\n \t\n"].concat(),
        hanko: (true, "ENTIRE_REVISION", "NONE"),
    },
    Case {
        name: "junk-after-eof",
        tail: |b| [b, b"trailing garbage from a mail gateway\n"].concat(),
        hanko: (true, "ENTIRE_REVISION", "NONE"),
    },
    Case {
        name: "signed-newline-removed",
        tail: |b| strip_nl(b).to_vec(),
        hanko: (false, "PARTIAL", "OTHER"),
    },
    Case {
        name: "signed-newline-to-cr",
        tail: |b| [strip_nl(b), b"\r"].concat(),
        hanko: (false, "ENTIRE_FILE", "NONE"),
    },
    Case {
        name: "signed-newline-to-crlf",
        tail: |b| [strip_nl(b), b"\r\n"].concat(),
        hanko: (false, "ENTIRE_REVISION", "NONE"),
    },
];

/// pyHanko's verdicts on `file`, read leniently as a validator of received mail would.
fn hanko(python: &Path, dir: &Path, file: &str) -> (bool, String, String) {
    let code = "import sys, json\n\
        from pyhanko.pdf_utils.reader import PdfFileReader\n\
        from pyhanko.sign.validation import validate_pdf_signature\n\
        r = PdfFileReader(open(sys.argv[1], 'rb'), strict=False)\n\
        st = validate_pdf_signature(r.embedded_signatures[0])\n\
        c = st.coverage.name\n\
        c = c if c in ('ENTIRE_FILE', 'ENTIRE_REVISION') else 'PARTIAL'\n\
        print(json.dumps([bool(st.intact), c, st.modification_level.name]))\n";
    let out = signet_testkit::run_ok(dir, python, &["-c", code, file]);
    let line = out
        .lines()
        .rfind(|l| l.starts_with('['))
        .unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("pyHanko said {out:?}: {e}"))
}

#[test]
fn verdicts_on_unusual_tails_are_pyhankos() {
    let now = datetime!(2026-11-23 09:00:00 +07:00);
    let pki = LocalPki::new(now).unwrap();
    let key = pki.issue("Nguyễn Văn An", false).unwrap();
    let pdf = signet_pdf::one_page_pdf(
        [0.0, 0.0, 595.0, 842.0],
        b"BT /F1 20 Tf 72 760 Td (Cong van) Tj ET",
    );
    let req = sign::Request {
        field: "ChuKy".into(),
        create: Some(sign::NewField {
            name: "ChuKy".into(),
            page: 0,
            rect: [330.0, 80.0, 530.0, 160.0],
        }),
        appearance: None,
        m: signet_pades::pdfdate::pdf_date(now),
        reason: None,
        location: None,
        level: Level::BB,
        validation_data: None,
        fill: Vec::new(),
    };
    let signed = sign::sign(
        &pdf,
        &req,
        &key,
        &key.chain[0],
        &key.chain[1..],
        &pki,
        &pki.anchors(),
        now,
    )
    .unwrap();
    assert!(signed.ends_with(b"%%EOF\n"), "the constructions assume it");
    let python = signet_testkit::tool("pyhanko").map(|p| p.with_file_name("python"));
    let tmp = TempDir::new("tails");
    for case in CASES {
        let bytes = (case.tail)(&signed);
        let file = format!("{}.pdf", case.name);
        std::fs::write(tmp.dir().join(&file), &bytes).unwrap();
        let report = signet_pades::verify(&bytes, &Options::new(pki.anchors(), now))
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name))
            .report;
        let s = &report.signatures[0];
        let ours = (
            s.integrity == signet_pades::Integrity::Intact,
            coverage_name(s.coverage).to_owned(),
            modifications_name(s.modifications).to_owned(),
        );
        let recorded = (
            case.hanko.0,
            case.hanko.1.to_owned(),
            case.hanko.2.to_owned(),
        );
        assert_eq!(
            ours, recorded,
            "{}: Signet vs pyHanko 0.38 (recorded)",
            case.name
        );
        if let Some(py) = &python {
            assert_eq!(
                ours,
                hanko(py, tmp.dir(), &file),
                "{}: Signet vs pyHanko",
                case.name
            );
        }
    }
}

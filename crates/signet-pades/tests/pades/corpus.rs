//! Agreement with the reference validator (pyHanko 0.38) on third-party signed PDFs:
//! `../shared/corpus/pdf/manifest.jsonl` holds pyHanko's verdict for every signature. Integrity
//! must agree on every signature both can read except the two Ed448 files, coverage on ≥ 98 %,
//! modifications on ≥ 99 %.
//! Disagreements are printed (and explained in docs/CORPUS-AGREEMENT.md). No file may crash or
//! hang the verifier: each runs in a thread with a time limit.

use crate::names::{coverage_name, modifications_name};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use signet_pades::{Integrity, Modifications, Options, Report};
use signet_pki::validation::{RevocationPolicy, TrustAnchors};

const TIME_LIMIT: Duration = Duration::from_secs(20);

/// `../shared` beside the repository, or `SIGNET_SHARED_DIR` (a worktree lives elsewhere).
fn shared() -> PathBuf {
    signet_testkit::shared_dir()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

fn corpus() -> PathBuf {
    shared().join("corpus/pdf")
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(corpus().join("manifest.jsonl"))
        .expect("the shared corpus manifest");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn verify_with_limit(path: PathBuf) -> Result<Result<Report, String>, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let bytes = std::fs::read(&path).unwrap();
        let mut opts = Options::new(
            TrustAnchors::new(),
            time::OffsetDateTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000),
        );
        opts.revocation = RevocationPolicy::Skip;
        let r = signet_pades::verify(&bytes, &opts)
            .map(|o| o.report)
            .map_err(|e| e.to_string());
        let _ = tx.send(r);
    });
    rx.recv_timeout(TIME_LIMIT)
        .map_err(|_| "time limit or crash".to_string())
}

fn hanko_coverage(v: &str) -> &'static str {
    match v {
        "ENTIRE_FILE" => "ENTIRE_FILE",
        "ENTIRE_REVISION" => "ENTIRE_REVISION",
        _ => "PARTIAL",
    }
}

#[derive(Default)]
struct Tally {
    compared: usize,
    agreed: usize,
    disagreements: Vec<String>,
}

impl Tally {
    fn add(&mut self, what: &str, file: &str, field: &str, ours: &str, theirs: &str) {
        self.compared += 1;
        if ours == theirs {
            self.agreed += 1;
        } else {
            self.disagreements.push(format!(
                "{what}: {file} [{field}] ours={ours} pyHanko={theirs}"
            ));
        }
    }
    fn rate(&self) -> f64 {
        if self.compared == 0 {
            1.0
        } else {
            self.agreed as f64 / self.compared as f64
        }
    }
}

#[test]
fn agrees_with_pyhanko_on_the_shared_corpus() {
    if !corpus().join("manifest.jsonl").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared corpus is missing on CI"
        );
        eprintln!("skipped: no shared corpus at {}", corpus().display());
        return;
    }
    let mut by_file: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for rec in manifest() {
        by_file
            .entry(rec["file"].as_str().unwrap().to_owned())
            .or_default()
            .push(rec);
    }
    let (mut integrity, mut coverage, mut modifications) =
        (Tally::default(), Tally::default(), Tally::default());
    let mut unreadable = Vec::new();
    let mut missing = Vec::new();
    for (file, records) in &by_file {
        let outcome = verify_with_limit(corpus().join(file));
        let report = match outcome {
            Err(e) => panic!("{file}: {e}"),
            Ok(Err(e)) => {
                unreadable.push(format!("{file}: {e}"));
                continue;
            }
            Ok(Ok(r)) => r,
        };
        for rec in records.iter().filter(|r| r["record"] == "signature") {
            let field = rec["field_name"].as_str().unwrap_or("");
            let Some(ours) = report.signatures.iter().find(|s| s.field == field) else {
                missing.push(format!("{file} [{field}]"));
                continue;
            };
            if let (Some(i), Some(v)) = (rec["intact"].as_bool(), rec["valid"].as_bool()) {
                let theirs = if i && v { "intact" } else { "broken" };
                let o = if ours.integrity == Integrity::Intact {
                    "intact"
                } else {
                    "broken"
                };
                integrity.add("integrity", file, field, o, theirs);
            }
            if let Some(c) = rec["coverage"].as_str() {
                coverage.add(
                    "coverage",
                    file,
                    field,
                    coverage_name(ours.coverage),
                    hanko_coverage(c),
                );
            }
            if let Some(m) = rec["modification_level"].as_str() {
                modifications.add(
                    "modifications",
                    file,
                    field,
                    modifications_name(ours.modifications),
                    m,
                );
            }
        }
    }
    for d in integrity
        .disagreements
        .iter()
        .chain(&coverage.disagreements)
        .chain(&modifications.disagreements)
    {
        eprintln!("DISAGREE {d}");
    }
    for u in &unreadable {
        eprintln!("UNREADABLE {u}");
    }
    for m in &missing {
        eprintln!("MISSING {m}");
    }
    eprintln!(
        "files {} | integrity {}/{} ({:.1}%) | coverage {}/{} ({:.1}%) | modifications {}/{} ({:.1}%) | unreadable {} | signatures not found {}",
        by_file.len(),
        integrity.agreed, integrity.compared, 100.0 * integrity.rate(),
        coverage.agreed, coverage.compared, 100.0 * coverage.rate(),
        modifications.agreed, modifications.compared, 100.0 * modifications.rate(),
        unreadable.len(), missing.len()
    );
    assert!(
        integrity.compared > 150,
        "too few signatures compared: {}",
        integrity.compared
    );
    // The two Ed448 files are the known integrity disagreement (docs/CORPUS-AGREEMENT.md).
    assert!(
        integrity
            .disagreements
            .iter()
            .all(|d| d.contains("/ed448-")),
        "integrity disagreements other than the Ed448 files"
    );
    assert!(coverage.rate() >= 0.98, "coverage agreement");
    // 167/168: the one left is deliberate (a new signature widget tagged in a tagged PDF's
    // structure tree is form filling here, other for pyHanko); see docs/CORPUS-AGREEMENT.md.
    assert!(modifications.rate() >= 0.99, "modifications agreement");
}

fn vn_corpus() -> PathBuf {
    shared().join("corpus/vn")
}

/// Real documents of the Vietnamese Government (`../shared/corpus/vn/`): none may be called
/// tampered with. The Government's flow (a certification with P=2, then the seal in a new
/// visible field) is allowed as Acrobat allows it, a deliberate difference from pyHanko's
/// default policy (docs/CORPUS-AGREEMENT.md). Trust is not judged here (no anchors given).
#[test]
fn no_vietnamese_government_document_is_called_tampered() {
    let manifest = vn_corpus().join("manifest.jsonl");
    if !manifest.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the vn corpus is missing on CI"
        );
        eprintln!("skipped: no vn corpus at {}", vn_corpus().display());
        return;
    }
    let text = std::fs::read_to_string(manifest).unwrap();
    let files: std::collections::BTreeSet<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["file"].as_str().map(str::to_owned))
        .collect();
    let mut failures = Vec::new();
    for file in &files {
        let report = match verify_with_limit(vn_corpus().join(file)) {
            Err(e) => panic!("{file}: {e}"),
            Ok(Err(e)) => panic!("{file}: unreadable: {e}"),
            Ok(Ok(r)) => r,
        };
        assert!(!report.signatures.is_empty(), "{file}: no signature found");
        for s in &report.signatures {
            eprintln!(
                "VN {file} [{}] {:?} {:?} {:?} {:?}",
                s.field, s.integrity, s.coverage, s.modifications, s.indication
            );
            if s.integrity != Integrity::Intact || s.modifications == Modifications::Other {
                for m in &s.messages {
                    eprintln!("    {m:?}");
                }
                failures.push(format!("{file} [{}]", s.field));
            }
        }
    }
    // The seal revisions of 50-2026-ND-CP.pdf also tag the new widget in the structure tree
    // (tagged PDF): cleared by the structure rule (docs/CORPUS-AGREEMENT.md).
    assert_eq!(failures, Vec::<String>::new(), "called tampered");
}

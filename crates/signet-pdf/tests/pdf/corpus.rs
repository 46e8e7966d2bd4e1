//! Every file of the shared corpus: parse under a time limit, never panic, and find the
//! signature fields pyHanko lists in the manifest.

use signet_pdf::{Document, PdfError};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CORPUS: &str = "/work/shared/corpus/pdf";

fn corpus_files() -> Option<Vec<PathBuf>> {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "corpus {CORPUS} missing under CI"
        );
        eprintln!("skipping: corpus {CORPUS} not present");
        return None;
    }
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")) {
                out.push(p);
            }
        }
    }
    out.sort();
    Some(out)
}

type Expect = (BTreeSet<String>, Option<u64>, Vec<(usize, usize)>);

#[derive(Debug)]
enum Outcome {
    Opened {
        recovered: bool,
        revisions: usize,
        ends: Vec<usize>,
        fields: Vec<String>,
        pages: Option<usize>,
        lenient: bool,
        /// Signed fields whose /Contents span is exactly the ByteRange gap, out of all.
        gaps: (usize, usize),
    },
    Encrypted,
    Failed(PdfError),
}

fn examine(bytes: Vec<u8>) -> Outcome {
    match Document::from_vec(bytes) {
        Ok(doc) => {
            let all = doc.acro_form_fields().unwrap_or_default();
            let gaps = gap_agreement(&doc, &all);
            let fields = all.into_iter().map(|f| f.name).collect();
            let pages = doc.pages().ok().map(|p| p.len());
            Outcome::Opened {
                recovered: doc.recovered(),
                revisions: doc.revisions().len(),
                ends: doc.revision_end_offsets(),
                fields,
                pages,
                lenient: doc.lenient(),
                gaps,
            }
        }
        // Encrypted files this reader refuses: another security handler, a malformed
        // encryption dictionary, a password needed (pyHanko refuses the same ones).
        Err(PdfError::Encryption(_) | PdfError::PasswordRequired | PdfError::WrongPassword) => {
            Outcome::Encrypted
        }
        Err(e) => Outcome::Failed(e),
    }
}

/// How many signed fields have a ByteRange whose gap is exactly their /Contents string.
fn gap_agreement(doc: &Document, fields: &[signet_pdf::SignatureField]) -> (usize, usize) {
    let (mut ok, mut total) = (0, 0);
    for f in fields {
        let (Some(sd), Some(r)) = (&f.sig_dict, f.value_ref()) else {
            continue;
        };
        let Some(br) = sd.get(b"ByteRange").and_then(|b| b.as_array()) else {
            continue;
        };
        let br: Vec<i64> = br.iter().filter_map(|o| o.as_i64()).collect();
        total += 1;
        let span = doc
            .value_span_at(doc.last_revision(), r, b"Contents")
            .ok()
            .flatten();
        if br.len() == 4 && span == Some((br[1] as usize, br[2] as usize)) {
            ok += 1;
        }
    }
    (ok, total)
}

/// Runs `examine` in a thread; a parse that takes more than 5 s fails the test.
fn examine_timed(path: &Path) -> (Outcome, Duration) {
    let bytes = std::fs::read(path).unwrap();
    let (tx, rx) = mpsc::channel();
    let t0 = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(examine(bytes));
    });
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(o) => (o, t0.elapsed()),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{}: parse took more than 5 s", path.display())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{}: parser panicked", path.display()),
    }
}

/// file → (expected field names, pyHanko's revision count, (signed revision, ByteRange end)).
fn manifest() -> HashMap<String, Expect> {
    let text = std::fs::read_to_string(format!("{CORPUS}/manifest.jsonl")).unwrap();
    let mut m: HashMap<String, Expect> = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = v["file"].as_str().unwrap().to_string();
        let e = m.entry(file).or_default();
        if v["record"] == "signature" {
            if let Some(n) = v["field_name"].as_str() {
                e.0.insert(n.to_string());
            }
            e.1 = v["revisions"].as_u64();
            let br = v["byte_range"].as_array().filter(|b| b.len() == 4);
            if let (Some(rev), Some(br)) = (v["signed_revision"].as_u64(), br) {
                let end = br[2].as_u64().unwrap() + br[3].as_u64().unwrap();
                e.2.push((rev as usize, end as usize));
            }
        }
    }
    m
}

#[test]
fn corpus_parses_and_finds_signature_fields() {
    let Some(files) = corpus_files() else { return };
    let manifest = manifest();
    let (mut opened, mut recovered, mut encrypted, mut failed) = (0, 0, 0, 0);
    let (mut expected, mut found, mut rev_agree, mut rev_total) = (0, 0, 0, 0);
    let (mut end_agree, mut end_total) = (0, 0);
    let (mut lenient_n, mut gap_ok, mut gap_total) = (0, 0, 0);
    let mut slowest = (Duration::ZERO, String::new());
    let mut biggest = (0u64, Duration::ZERO, String::new());
    for path in &files {
        let rel = path
            .strip_prefix(CORPUS)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let size = std::fs::metadata(path).unwrap().len();
        let (outcome, took) = examine_timed(path);
        if took > slowest.0 {
            slowest = (took, rel.clone());
        }
        if size > biggest.0 {
            biggest = (size, took, rel.clone());
        }
        let want = manifest.get(&rel);
        match &outcome {
            Outcome::Opened {
                recovered: r,
                revisions,
                ends,
                fields,
                pages,
                lenient,
                gaps,
            } => {
                opened += 1;
                recovered += usize::from(*r);
                lenient_n += usize::from(*lenient);
                gap_ok += gaps.0;
                gap_total += gaps.1;
                if gaps.0 != gaps.1 {
                    eprintln!(
                        "{rel}: {} of {} ByteRange gaps are not exactly /Contents",
                        gaps.1 - gaps.0,
                        gaps.1
                    );
                }
                if *r {
                    eprintln!("recovered: {rel}");
                }
                if pages.is_none() {
                    eprintln!("no page list: {rel}");
                }
                if let Some((names, revs, signed)) = want {
                    for (rev, end) in signed {
                        end_total += 1;
                        if ends.get(*rev) == Some(end) {
                            end_agree += 1;
                        } else {
                            eprintln!("{rel}: ByteRange end {end} is not the end of revision {rev} ({ends:?})");
                        }
                    }
                    for n in names {
                        expected += 1;
                        if fields.iter().any(|f| f == n) {
                            found += 1;
                        } else {
                            eprintln!("MISSING field {n:?} in {rel} (we found {fields:?})");
                        }
                    }
                    if let Some(revs) = revs {
                        rev_total += 1;
                        if *revs as usize == *revisions {
                            rev_agree += 1;
                        } else {
                            eprintln!(
                                "revisions differ in {rel}: pyHanko {revs}, ours {revisions}"
                            );
                        }
                    }
                }
            }
            Outcome::Encrypted => encrypted += 1,
            Outcome::Failed(e) => {
                failed += 1;
                eprintln!("FAILED {rel}: {e}");
                if let Some((names, _, _)) = want {
                    expected += names.len();
                }
            }
        }
    }
    eprintln!(
        "corpus: {} files, opened {opened} (recovered {recovered}), encrypted and refused {encrypted}, failed {failed}",
        files.len()
    );
    eprintln!(
        "signature fields found {found}/{expected}; revision count agrees {rev_agree}/{rev_total}"
    );
    eprintln!("signed revision ends agree {end_agree}/{end_total}; lenient (small defects tolerated) {lenient_n}");
    eprintln!("signatures whose ByteRange gap is exactly /Contents: {gap_ok}/{gap_total}");
    eprintln!(
        "slowest parse {:?} ({}); biggest file {} bytes parsed in {:?} ({})",
        slowest.0, slowest.1, biggest.0, biggest.1, biggest.2
    );
    assert!(files.len() >= 100, "corpus unexpectedly small");
    assert!(
        opened + encrypted >= files.len() - 3,
        "too many failures: {failed}"
    );
    assert!(
        found * 100 >= expected * 97,
        "field agreement {found}/{expected} below 97%"
    );
    assert!(
        end_agree * 100 >= end_total * 90,
        "revision ends {end_agree}/{end_total} below 90%"
    );
    assert!(
        rev_agree * 100 >= rev_total * 85,
        "revision agreement {rev_agree}/{rev_total} below 85%"
    );
}

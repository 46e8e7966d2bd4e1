//! Helpers shared by the integration tests.

use signet_pdf::{Document, XrefKind};
use std::path::{Path, PathBuf};
use std::process::Command;

pub use signet_testkit::tool;

pub const CORPUS: &str = "/work/shared/corpus/pdf";

/// Writes bytes to a fresh temporary file (tests only).
pub fn temp_file(tag: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("signet-pdf-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{tag}.pdf"));
    std::fs::write(&p, bytes).unwrap();
    p
}

/// `qpdf --check` exit code (0 = fine, 3 = warnings, 2 = errors).
pub fn qpdf_check(path: &Path) -> Option<(i32, String)> {
    let qpdf = tool("qpdf")?;
    let out = Command::new(qpdf)
        .arg("--check")
        .arg(path)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Some((out.status.code().unwrap_or(-1), text))
}

/// `pdfinfo` exit code and output.
pub fn pdfinfo(path: &Path) -> Option<(i32, String)> {
    let bin = tool("pdfinfo")?;
    let out = Command::new(bin).arg(path).output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Some((out.status.code().unwrap_or(-1), text))
}

/// Clean corpus files (opened without recovery or leniency) whose newest section is `kind`.
pub fn corpus_by_kind(kind: XrefKind, max: usize) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(CORPUS)];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "pdf") {
                files.push(p);
            }
        }
    }
    files.sort();
    for p in files {
        let bytes = std::fs::read(&p).unwrap();
        let Ok(doc) = Document::parse(&bytes) else {
            continue;
        };
        if doc.recovered() || doc.lenient() || doc.revisions().last().map(|r| r.kind) != Some(kind)
        {
            continue;
        }
        if doc.pages().map(|p| p.is_empty()).unwrap_or(true) {
            continue;
        }
        out.push((p, bytes));
        if out.len() >= max {
            break;
        }
    }
    out
}

//! Verifying an AES-256 encrypted signed PDF against the same file unencrypted (issue 11 §1:
//! within 2×), in process: run by `scripts/bench-encrypted`, which makes the files. Arguments:
//! DIR (holding plain-1.pdf, aes256-1.pdf with one signature, plain-2.pdf, aes256-2.pdf with
//! a second one, and cert.pem, the signer's self-signed certificate) and N (runs per file).
// Test code: a failed step panics with its message, and the clock is the real one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::time::Instant;

use signet_pades::{Indication, Options};
use signet_pki::validation::{RevocationPolicy, TrustAnchors};

fn median_ms(n: usize, mut f: impl FnMut()) -> (f64, f64, f64) {
    for _ in 0..3 {
        f();
    }
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    (t[n / 2], t[0], t[n - 1])
}

/// Every object of every revision read and every stream decoded: the whole decryption cost.
fn read_everything(bytes: &[u8]) {
    let doc = signet_pdf::Document::parse(bytes).unwrap();
    for rev in 0..doc.revisions().len() {
        for r in doc.live_refs_at(rev) {
            if let Ok(Some(signet_pdf::Object::Stream(s))) = doc.get_at(rev, r) {
                let _ = s.decoded();
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| !a.starts_with("--")).collect();
    let Some(dir) = args.get(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: encrypted DIR N (run scripts/bench-encrypted)");
        return;
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(21);
    let mut anchors = TrustAnchors::new();
    anchors
        .add_pem_or_der(&std::fs::read(dir.join("cert.pem")).unwrap())
        .unwrap();
    let mut opts = Options::new(anchors, time::OffsetDateTime::now_utc());
    opts.revocation = RevocationPolicy::Skip;
    for sigs in [1, 2] {
        let plain = std::fs::read(dir.join(format!("plain-{sigs}.pdf"))).unwrap();
        let aes = std::fs::read(dir.join(format!("aes256-{sigs}.pdf"))).unwrap();
        for (name, b) in [("plain", &plain), ("aes256", &aes)] {
            let r = signet_pades::verify(b, &opts).unwrap().report;
            assert!(
                r.signatures
                    .iter()
                    .all(|s| s.indication == Indication::TotalPassed),
                "{name}-{sigs}: {:?}",
                r.signatures
                    .iter()
                    .map(|s| (&s.field, s.indication))
                    .collect::<Vec<_>>()
            );
        }
        let p = median_ms(n, || {
            signet_pades::verify(&plain, &opts).unwrap();
        });
        let a = median_ms(n, || {
            signet_pades::verify(&aes, &opts).unwrap();
        });
        println!(
            "verify, {sigs} signature(s), {} bytes: unencrypted median {:.2} ms (min {:.2}, max {:.2}); AES-256 median {:.2} ms (min {:.2}, max {:.2}); ratio {:.2}",
            aes.len(), p.0, p.1, p.2, a.0, a.1, a.2, a.0 / p.0
        );
        let p = median_ms(n, || read_everything(&plain));
        let a = median_ms(n, || read_everything(&aes));
        println!(
            "read every object and stream, {sigs} signature(s): unencrypted median {:.2} ms; AES-256 median {:.2} ms; ratio {:.2}",
            p.0, a.0, a.0 / p.0
        );
    }
}

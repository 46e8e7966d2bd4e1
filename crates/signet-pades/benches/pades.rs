//! Signing and verifying a PDF, in process, no I/O in the timed part: run by
//! `scripts/bench-pades`, which prepares the keys and the 1 MB file and times pyHanko on the same
//! inputs in the same run. Arguments: DIR (holding doc.pdf, rsa.p12, ec.p12 with password
//! "bench-pass", root.pem) and N (runs per operation).
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::time::Instant;

use signet_pades::sign::{self, NewField, Request};
use signet_pades::{Level, Options};
use signet_pki::validation::{RevocationPolicy, TrustAnchors};
use signet_pki::RawSigner;
use signet_signers::SoftwareKey;

struct NoNetwork;

impl signet_pades::Services for NoNetwork {
    fn timestamp(&self, _: &[u8]) -> Result<Vec<u8>, String> {
        Err("B-B only".into())
    }
    fn revocation(
        &self,
        _: &[signet_pki::validation::RevocationNeed],
        _: time::OffsetDateTime,
    ) -> signet_pades::dss::Dss {
        signet_pades::dss::Dss::default()
    }
}

fn median_ms(n: usize, mut f: impl FnMut()) -> (f64, f64, f64) {
    // Warm-up: the first runs pay page faults for the 1 MB buffers and a cold CPU.
    for _ in 0..5 {
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

fn report(label: &str, (m, lo, hi): (f64, f64, f64)) {
    println!("signet {label:<40} median {m:8.3} ms  (min {lo:.3}, max {hi:.3})");
}

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| !a.starts_with("--")).collect();
    let Some(dir) = args.get(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: pades DIR [N] (see scripts/bench-pades)");
        return;
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(21);
    let pdf = std::fs::read(dir.join("doc.pdf")).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let req = Request {
        field: "Sig1".into(),
        create: Some(NewField {
            name: "Sig1".into(),
            page: 0,
            rect: [0.0, 0.0, 0.0, 0.0],
        }),
        appearance: None,
        m: signet_pades::pdfdate::pdf_date(now),
        reason: None,
        location: None,
        level: Level::BB,
        validation_data: None,
        fill: Vec::new(),
    };
    let anchors =
        TrustAnchors::from_pem_or_der(&std::fs::read(dir.join("root.pem")).unwrap()).unwrap();
    println!("input: doc.pdf, {} bytes; N = {n}", pdf.len());
    let mut signed = Vec::new();
    for (label, file) in [("ECDSA P-256", "ec.p12"), ("RSA-2048", "rsa.p12")] {
        let (key, chain) =
            SoftwareKey::from_pkcs12(&std::fs::read(dir.join(file)).unwrap(), "bench-pass")
                .unwrap();
        let sign_once = || {
            sign::sign(
                &pdf,
                &req,
                &key,
                &chain[0],
                &chain[1..],
                &NoNetwork,
                &anchors,
                now,
            )
            .unwrap()
        };
        signed = sign_once();
        report(
            &format!("sign B-B {label}"),
            median_ms(n, || {
                sign_once();
            }),
        );
        if label == "RSA-2048" {
            // The floor: hash the file once and make one private-key operation.
            let floor = median_ms(n, || {
                let digest = signet_pki::DigestAlgorithm::Sha256.hash(&pdf);
                key.sign(&digest).unwrap();
            });
            report("floor: SHA-256 of the file + 1 RSA-2048 signature", floor);
        }
    }
    std::fs::write(dir.join("signet-signed.pdf"), &signed).unwrap();
    let mut opts = Options::new(anchors, now);
    opts.revocation = RevocationPolicy::Skip;
    let r = signet_pades::verify(&signed, &opts).unwrap().report;
    assert_eq!(r.verdict, signet_pades::Indication::TotalPassed, "{r:?}");
    report(
        "verify (no revocation fetch)",
        median_ms(n, || {
            signet_pades::verify(&signed, &opts).unwrap();
        }),
    );
}

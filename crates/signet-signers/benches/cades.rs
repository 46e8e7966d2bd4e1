//! Medians of PAdES CMS work (criterion is not in the workspace): sign + assemble, parse +
//! verify, for RSA-2048 (software, PKCS#1 v1.5) and ECDSA P-256, plus a B-T signature
//! timestamp from the in-process TSA. Run with `cargo bench -p signet-signers --bench cades`.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use signet_pki::{
    add_signature_timestamp, parse_signature, sign_pades, signature_value, timestamp_request,
    timestamp_token, verify_integrity, Ca, DigestAlgorithm, KeyAlg, Profile, RawSigner, Subject,
};
use signet_signers::SoftwareKey;
use signet_testkit::OsRng;
use time::OffsetDateTime;

fn median(n: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

fn report(what: &str, d: Duration) {
    println!(
        "{what:<55} median {:>9.3} ms  ({:>7.0}/s)",
        d.as_secs_f64() * 1e3,
        1.0 / d.as_secs_f64()
    );
}

fn subject(name: &str) -> Subject {
    Subject {
        name: name.into(),
        agency_code: "000.00.00.H06".into(),
        ..Subject::default()
    }
}

/// An RSA-2048 key made by openssl (ring does not generate RSA keys), if openssl runs.
fn rsa_key(ca: &mut Ca) -> Option<(SoftwareKey, Vec<u8>)> {
    let dir = std::env::temp_dir().join(format!("signet-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let key = dir.join("k.pem");
    let spki = dir.join("k.spki");
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&key)
        .stderr(Stdio::null())
        .status()
        .ok()?
        .success()
        && Command::new("openssl")
            .args(["pkey", "-pubout", "-outform", "DER", "-in"])
            .arg(&key)
            .arg("-out")
            .arg(&spki)
            .status()
            .ok()?
            .success();
    let result = ok.then(|| {
        let pem = std::fs::read_to_string(&key).expect("key");
        let spki = std::fs::read(&spki).expect("spki");
        let cert = ca
            .issue_for_public_key(
                Profile::Person,
                &subject("RSA"),
                &spki,
                OffsetDateTime::now_utc(),
                &mut OsRng,
            )
            .expect("issued");
        (SoftwareKey::from_pkcs8_pem(&pem).expect("key"), cert.der)
    });
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn bench_key(name: &str, key: &SoftwareKey, cert: &[u8], chain: &[Vec<u8>], doc: &[u8]) {
    let digest = key.algorithm().digest().hash(doc);
    let n = 101;
    report(
        &format!("{name}: sign + assemble CMS (digest given)"),
        median(n, || {
            sign_pades(key, &digest, cert, chain).expect("signed");
        }),
    );
    let cms = sign_pades(key, &digest, cert, chain).expect("signed");
    report(
        &format!("{name}: parse + verify, digest of 1 MB included"),
        median(n, || {
            let sig = parse_signature(&cms).expect("parsed");
            assert!(verify_integrity(&sig, &[doc]).ok());
        }),
    );
    println!("{name}: CMS size {} bytes", cms.len());
}

fn main() {
    let now = OffsetDateTime::now_utc();
    let (mut ca, _, _) = Ca::init(
        "Bench CA",
        "http://127.0.0.1:9/",
        KeyAlg::EcdsaP256,
        now,
        &mut OsRng,
    )
    .expect("CA");
    let chain = vec![ca.issuing_der().to_vec()];
    let doc: Vec<u8> = (0..1_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    report(
        "SHA-256 of 1 MB (floor)",
        median(51, || {
            DigestAlgorithm::Sha256.hash(&doc);
        }),
    );

    let (issued, key) = ca
        .issue_with_new_key(Profile::Person, &subject("EC"), now, &mut OsRng)
        .expect("issued");
    let p256 = SoftwareKey::from_pkcs8_der(&key.pkcs8_der).expect("key");
    bench_key("ECDSA P-256", &p256, &issued.der, &chain, &doc);
    match rsa_key(&mut ca) {
        Some((rsa, cert)) => {
            bench_key("RSA-2048", &rsa, &cert, &chain, &doc);
        }
        None => println!("RSA-2048: skipped (openssl not available to make the key)"),
    }

    let cms = sign_pades(&p256, &[0; 32], &issued.der, &chain).expect("signed");
    let mut serial = 0;
    report(
        "B-T: request + in-process TSA + check + add token",
        median(101, || {
            let value = signature_value(&cms).expect("value");
            let req = timestamp_request(
                &DigestAlgorithm::Sha256.hash(&value),
                DigestAlgorithm::Sha256,
                &[1; 8],
            );
            serial += 1;
            let resp = ca.timestamp(&req, serial, now);
            let token = timestamp_token(&resp, &req).expect("token");
            add_signature_timestamp(&cms, &token).expect("added");
        }),
    );
}

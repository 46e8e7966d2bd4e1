//! OCSP responses and TSA tokens per second, in-process, one thread; and, for scale, the same
//! number of answers from `openssl ocsp -index` and `openssl ts -reply` (one process each, as a
//! CGI-style responder would run them) when `openssl` is on the PATH.
//!
//! `cargo bench -p signet-pki --bench responders` (N=2000 by default; BENCH_N to change,
//! BENCH_OPENSSL_N for the openssl runs, 0 to skip them).
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::process::Command;
use std::time::Instant;

use der::asn1::{Int, Null, OctetString};
use der::{Decode, Encode};
use signet_pki::{pem, Ca, KeyAlg, Profile, Reason, Subject};
// A seeded generator for the CA and its serials: every run measures the same work.
use signet_testkit::SplitMix64 as Rng;
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest, Version};
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

fn sha(alg: &'static ring::digest::Algorithm, data: &[u8]) -> Vec<u8> {
    ring::digest::digest(alg, data).as_ref().to_vec()
}

fn ocsp_request(issuer: &Certificate, serial: &[u8], nonce: u64) -> Vec<u8> {
    let name = issuer.tbs_certificate.subject.to_der().unwrap();
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let sha1 = &ring::digest::SHA1_FOR_LEGACY_USE_ONLY;
    let nonce_ext = x509_cert::ext::Extension {
        extn_id: der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"),
        critical: false,
        extn_value: OctetString::new(
            OctetString::new(nonce.to_be_bytes().to_vec())
                .unwrap()
                .to_der()
                .unwrap(),
        )
        .unwrap(),
    };
    OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: CertId {
                    hash_algorithm: AlgorithmIdentifierOwned {
                        oid: der::asn1::ObjectIdentifier::new_unwrap("1.3.14.3.2.26"),
                        parameters: Some(der::Any::encode_from(&Null).unwrap()),
                    },
                    issuer_name_hash: OctetString::new(sha(sha1, &name)).unwrap(),
                    issuer_key_hash: OctetString::new(sha(sha1, key)).unwrap(),
                    serial_number: SerialNumber::new(serial).unwrap(),
                },
                single_request_extensions: None,
            }],
            request_extensions: Some(vec![nonce_ext]),
        },
        optional_signature: None,
    }
    .to_der()
    .unwrap()
}

fn tsa_request(i: u64) -> Vec<u8> {
    TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: spki::AlgorithmIdentifier {
                oid: der::asn1::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
                parameters: None,
            },
            hashed_message: OctetString::new(sha(&ring::digest::SHA256, &i.to_be_bytes())).unwrap(),
        },
        req_policy: None,
        nonce: Some(Int::new(&[0x01, (i & 0xff) as u8]).unwrap()),
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .unwrap()
}

fn env_n(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let n = env_n("BENCH_N", 2000);
    let n_openssl = env_n("BENCH_OPENSSL_N", 200);
    let now = OffsetDateTime::now_utc();
    let mut rng = Rng(42);
    let (mut ca, keys, _) = Ca::init(
        "Bench CA",
        "http://127.0.0.1:9",
        KeyAlg::EcdsaP256,
        now,
        &mut rng,
    )
    .unwrap();
    let subject = Subject {
        name: "Nguyễn Văn Bench".into(),
        agency_code: "000.00.00.H06".into(),
        ..Subject::default()
    };
    let mut serials = Vec::new();
    let t = Instant::now();
    for _ in 0..100 {
        let (c, _) = ca
            .issue_with_new_key(Profile::Person, &subject, now, &mut rng)
            .unwrap();
        serials.push(c.serial);
    }
    println!(
        "issue (new P-256 key + certificate): {:.0}/s",
        100.0 / t.elapsed().as_secs_f64()
    );
    for s in serials.iter().step_by(10) {
        ca.revoke(s, Reason::KeyCompromise, now).unwrap();
    }
    let issuer = Certificate::from_der(ca.issuing_der()).unwrap();
    let requests: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            let serial = hex::decode(&serials[i % serials.len()]).unwrap();
            ocsp_request(&issuer, &serial, i as u64)
        })
        .collect();

    let t = Instant::now();
    let mut bytes = 0;
    for r in &requests {
        bytes += ca.respond(r, ca.revocations(), now).len();
    }
    let ocsp_secs = t.elapsed().as_secs_f64();
    println!(
        "OCSP: {n} responses in {:.3} s = {:.0} responses/s ({} bytes each on average)",
        ocsp_secs,
        n as f64 / ocsp_secs,
        bytes / n
    );

    let tsqs: Vec<Vec<u8>> = (0..n as u64).map(tsa_request).collect();
    let t = Instant::now();
    let mut bytes = 0;
    for (i, q) in tsqs.iter().enumerate() {
        bytes += ca.timestamp(q, i as u64 + 1, now).len();
    }
    let tsa_secs = t.elapsed().as_secs_f64();
    println!(
        "TSA: {n} tokens in {:.3} s = {:.0} tokens/s ({} bytes each on average)",
        tsa_secs,
        n as f64 / tsa_secs,
        bytes / n
    );

    if n_openssl == 0 || Command::new("openssl").arg("version").output().is_err() {
        return;
    }
    // The same answers from openssl, one process per answer.
    let dir = std::env::temp_dir().join(format!("signet-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let w = |name: &str, data: &[u8]| std::fs::write(dir.join(name), data).unwrap();
    w(
        "issuing.pem",
        pem("CERTIFICATE", ca.issuing_der()).as_bytes(),
    );
    w("ocsp.pem", pem("CERTIFICATE", ca.ocsp_der()).as_bytes());
    w("ocsp.key", keys.ocsp.as_bytes());
    w("tsa.pem", pem("CERTIFICATE", ca.tsa_der()).as_bytes());
    w("tsa.key", keys.tsa.as_bytes());
    let index: String = serials
        .iter()
        .map(|s| format!("V\t361231235959Z\t\t{}\tunknown\t/CN=x\n", s.to_uppercase()))
        .collect();
    w("index.txt", index.as_bytes());
    w("index.txt.attr", b"unique_subject = no\n");
    w("q.der", &requests[0]);
    w("q.tsq", &tsqs[0]);
    w("serial", b"01\n");
    w(
        "tsa.cnf",
        format!(
            "[tsa]\ndefault_tsa = t\n[t]\ndir = {d}\nserial = $dir/serial\nsigner_cert = $dir/tsa.pem\n\
             signer_key = $dir/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.3.6.1.4.1.32473.1.3\n\
             digests = sha256, sha384, sha512\naccuracy = secs:1\ness_cert_id_alg = sha256\n\
             ess_cert_id_chain = no\ncerts = $dir/tsa.pem\n",
            d = dir.display()
        )
        .as_bytes(),
    );
    let run = |args: &[&str]| {
        let t = Instant::now();
        for _ in 0..n_openssl {
            let o = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        t.elapsed().as_secs_f64()
    };
    let secs = run(&[
        "ocsp",
        "-index",
        "index.txt",
        "-CA",
        "issuing.pem",
        "-rsigner",
        "ocsp.pem",
        "-rkey",
        "ocsp.key",
        "-ndays",
        "1",
        "-reqin",
        "q.der",
        "-respout",
        "r.der",
    ]);
    println!(
        "openssl ocsp -index (one process per response): {n_openssl} in {secs:.3} s = {:.0} responses/s; \
         {n} would take {:.1} s",
        n_openssl as f64 / secs,
        secs * n as f64 / n_openssl as f64
    );
    let secs = run(&[
        "ts",
        "-reply",
        "-config",
        "tsa.cnf",
        "-queryfile",
        "q.tsq",
        "-out",
        "r.tsr",
    ]);
    println!(
        "openssl ts -reply (one process per token): {n_openssl} in {secs:.3} s = {:.0} tokens/s; \
         {n} would take {:.1} s",
        n_openssl as f64 / secs,
        secs * n as f64 / n_openssl as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! `signet_edxml::inspect` of a packet with one big attachment, read from a file: time,
//! throughput and the process's peak memory above what it held before reading (Linux
//! VmHWM/VmRSS; the peak is reset through /proc/self/clear_refs before each read). Two
//! packets: unsigned (the reader keeps both canonical forms to the end: the most work) and
//! ECDSA-signed (checked: one canonical form after the header).
//! `cargo bench -p signet-edxml --bench inspect [-- MB]` (default 100 MB).
// Bench code: a failed step panics with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use base64::Engine;
use rand_core::RngCore;
use signet_edxml::{build, FileIn, Limits, Spec};
use signet_testkit::{SplitMix64, TempDir};
use time::macros::datetime;

fn status_kib(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let mb: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100);
    let tmp = TempDir::new("edxml-bench");
    let path = tmp.path("big.edxml");
    // A packet with a one-byte attachment, whose base64 is then replaced by the big one.
    let spec = Spec {
        from: signet_edxml::Organ {
            organ_id: "000.00.00.H99".into(),
            organ_name: "Bench".into(),
        },
        ..Spec::default()
    };
    let file = [FileIn {
        name: "big.bin",
        content_type: "application/octet-stream",
        bytes: b"X",
    }];
    let small =
        String::from_utf8(build(&spec, &file, datetime!(2024-07-15 00:00 UTC)).unwrap()).unwrap();
    let (head, tail) = small.split_once("WA==").unwrap();
    let mut out = BufWriter::new(std::fs::File::create(&path).unwrap());
    out.write_all(head.as_bytes()).unwrap();
    let mut rng = SplitMix64(7);
    let mut chunk = vec![0u8; 3 * 1024 * 1024];
    let mut left = mb * 1_000_000;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        rng.fill_bytes(&mut chunk[..n]);
        out.write_all(
            base64::engine::general_purpose::STANDARD
                .encode(&chunk[..n])
                .as_bytes(),
        )
        .unwrap();
        left -= n as u64;
    }
    out.write_all(tail.as_bytes()).unwrap();
    out.flush().unwrap();
    drop(out);
    drop(chunk);
    measure("unsigned", mb, &path);
    // The signed packet is made in memory (the peak is reset before reading it).
    let mut bytes = vec![0u8; (mb * 1_000_000) as usize];
    rng.fill_bytes(&mut bytes);
    let (key, cert) = signer();
    let file = [FileIn {
        name: "big.bin",
        content_type: "application/octet-stream",
        bytes: &bytes,
    }];
    let signed =
        signet_edxml::build_signed(&spec, &file, datetime!(2024-07-15 00:00 UTC), &key, &cert)
            .unwrap();
    std::fs::write(&path, &signed).unwrap();
    drop((signed, bytes));
    measure("ECDSA-signed", mb, &path);
}

fn signer() -> (signet_signers::SoftwareKey, Vec<u8>) {
    let now = datetime!(2024-01-01 00:00 UTC);
    let mut rng = signet_testkit::OsRng;
    let (mut ca, _, _) = signet_pki::Ca::init(
        "Bench CA",
        "http://127.0.0.1:1",
        signet_pki::KeyAlg::EcdsaP256,
        now,
        &mut rng,
    )
    .unwrap();
    let subject = signet_pki::Subject {
        name: "Bench".into(),
        agency_code: "000.00.00.H99".into(),
        ..signet_pki::Subject::default()
    };
    let (issued, key) = ca
        .issue_with_new_key(signet_pki::Profile::Organization, &subject, now, &mut rng)
        .unwrap();
    (
        signet_signers::SoftwareKey::from_pkcs8_der(&key.pkcs8_der).unwrap(),
        issued.der,
    )
}

fn measure(what: &str, mb: u64, path: &std::path::Path) {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let packet_bytes = std::fs::metadata(path).unwrap().len();
    let before = status_kib("VmRSS:");
    let t = Instant::now();
    let p = signet_edxml::inspect(
        BufReader::with_capacity(1 << 16, std::fs::File::open(path).unwrap()),
        &Limits::default(),
    )
    .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM:");
    assert_eq!(p.attachments[0].size, mb * 1_000_000);
    assert_eq!(p.signature.valid, p.signature.present.then_some(true));
    println!(
        "inspect {what}: {mb} MB attachment, packet {:.1} MB, {secs:.2} s ({:.0} MB/s), RSS before {:.1} MiB, peak {:.1} MiB, peak above before {:.1} MiB",
        packet_bytes as f64 / 1e6,
        packet_bytes as f64 / 1e6 / secs,
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        peak.saturating_sub(before) as f64 / 1024.0,
    );
}

//! Fuzz targets: each takes bytes and exercises one parser. Add new ones to `TARGETS` and to
//! `fuzz/fuzz_targets/` (the libFuzzer runner).

/// A target returns a short outcome label; new labels make an input "interesting".
pub type Target = fn(&[u8]) -> String;

pub const TARGETS: &[(&str, Target)] = &[
    ("pdf", pdf),
    ("cms", cms),
    ("verify", verify),
    ("edxml", edxml),
];

pub fn find(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Error text without numbers, so offsets do not make every input look new.
fn label(prefix: &str, e: &dyn std::fmt::Display) -> String {
    // Coarse on purpose: the error's first words, so the live corpus grows by kinds of
    // failure, not by every offset or name mentioned.
    let s: String = e
        .to_string()
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .take(28)
        .collect();
    format!("{prefix}:{s}")
}

/// The PDF reader end to end: `signet_pdf::fuzz::exercise` (parse, walk every object of every
/// revision, pages, fields, an incremental update and a signature placeholder that must read
/// back), which the crate's regression test runs too.
pub fn pdf(data: &[u8]) -> String {
    use signet_pdf::fuzz::Outcome;
    match signet_pdf::fuzz::exercise(data) {
        // A broken invariant is what the fuzzers look for: they catch the panic.
        #[allow(clippy::panic)]
        Err(broken) => panic!("{broken}"),
        Ok(Outcome::Unreadable(e)) => label("parse", &e),
        Ok(Outcome::Read {
            revisions,
            recovered,
            lenient,
            fields,
        }) => {
            let mut l = format!("ok:r{}:{recovered}:{lenient}", revisions.min(4));
            match fields {
                Ok(n) => l.push_str(&format!(":f{}", n.min(3))),
                Err(e) => l.push_str(&label(":fields", &e)),
            }
            l
        }
    }
}

/// The CMS reader and verifier (signatures and time-stamp tokens) on raw DER: parse, check
/// integrity against empty data, parse as a token. Seeds: the /Contents of signed PDFs
/// (`scripts/fuzz` extracts them).
pub fn cms(data: &[u8]) -> String {
    let sig = match signet_pki::parse_signature(data) {
        Ok(s) => s,
        Err(e) => {
            let _ = signet_pki::parse_timestamp_token(data);
            return label("cms", &e);
        }
    };
    let integrity = signet_pki::verify_integrity(&sig, &[data]);
    let mut out = format!(
        "ok:{}:{}:{}:ts{}",
        integrity.digest_ok,
        integrity.signature_ok,
        sig.signed_attributes.is_some(),
        sig.signature_timestamps.len().min(2)
    );
    for t in &sig.signature_timestamps {
        if let Ok(token) = signet_pki::parse_timestamp_token(t) {
            let _ = signet_pki::verify_timestamp_token(&token, &sig.signature);
            out.push_str(":tok");
        }
    }
    out
}

/// The whole verifier on a PDF (no trust anchors, no network): structure, every signature's
/// CMS, coverage, the modification policy, paths. It must answer, never panic or hang.
pub fn verify(data: &[u8]) -> String {
    let mut opts = signet_pades::Options::new(
        signet_pki::validation::TrustAnchors::new(),
        time::OffsetDateTime::UNIX_EPOCH,
    );
    opts.revocation = signet_pki::validation::RevocationPolicy::Skip;
    match signet_pades::verify(data, &opts) {
        Err(e) => label("unreadable", &e),
        Ok(o) => {
            let mut l = format!("{:?}:{}", o.report.verdict, o.report.recovered);
            for s in o.report.signatures.iter().take(3) {
                l.push_str(&format!(
                    ":{:?}{:?}{:?}",
                    s.integrity, s.coverage, s.modifications
                ));
            }
            l
        }
    }
}

/// The edXML packet reader (streaming XML, namespaces, attachments with base64 and ZIP, the
/// XML signature check): it must refuse or read, never panic or hang.
pub fn edxml(data: &[u8]) -> String {
    signet_edxml::fuzz_inspect(data)
}

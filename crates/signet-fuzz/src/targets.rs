//! Fuzz targets: each takes bytes and exercises one parser. Add new ones to `TARGETS` and to
//! `fuzz/fuzz_targets/` (the libFuzzer runner).

/// A target returns a short outcome label; new labels make an input "interesting".
pub type Target = fn(&[u8]) -> String;

pub const TARGETS: &[(&str, Target)] = &[
    ("pdf", pdf),
    ("cms", cms),
    ("verify", verify),
    ("edxml", edxml),
    ("csc", csc),
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

/// The CSC server's request parsing (issue 9 §3): the first byte picks the endpoint
/// (authorize, signHash, extendTransaction, credentials/info, credentials/list), the rest is
/// its JSON body. A body must be refused or read, never panic; what is read must survive a
/// round trip (serialized again, it reads back to the same digests). Seeds:
/// `crates/signet-fuzz/csc-seeds`.
pub fn csc(data: &[u8]) -> String {
    use signet_app::remote_signing::wire;
    let Some((&which, body)) = data.split_first() else {
        return "empty".into();
    };
    let outcome = match which % 5 {
        0 => wire::parse_authorize(body).map(|(req, hashes)| {
            let again = serde_json::to_vec(&req).map_err(|e| e.to_string());
            let back = again.and_then(|b| wire::parse_authorize(&b));
            round_trip("authorize", &hashes, back.map(|(_, h)| h));
            format!("authorize:{}:{}", hashes.len().min(3), req.pin().is_some())
        }),
        1 => wire::parse_sign_hash(body).map(|(req, hashes)| {
            let again = serde_json::to_vec(&req).map_err(|e| e.to_string());
            let back = again.and_then(|b| wire::parse_sign_hash(&b));
            round_trip("signHash", &hashes, back.map(|(_, h)| h));
            format!(
                "signHash:{}:{}",
                hashes.len().min(3),
                req.sign_algo.len().min(24)
            )
        }),
        2 => wire::parse_json::<wire::ExtendRequest>(body).map(|_| "extend".into()),
        3 => wire::parse_json::<wire::CredentialRequest>(body)
            .map(|r| format!("info:{:?}", r.certificates.map(|c| c.len().min(6)))),
        _ => wire::parse_json::<wire::ListRequest>(body).map(|_| "list".into()),
    };
    outcome.unwrap_or_else(|e| label(&format!("csc{}", which % 5), &e))
}

/// A request read once must read again to the same digests.
fn round_trip(what: &str, hashes: &[[u8; 32]], back: Result<Vec<[u8; 32]>, String>) {
    match back {
        Ok(h) if h == hashes => {}
        // A broken invariant is what the fuzzers look for: they catch the panic.
        #[allow(clippy::panic)]
        other => panic!("{what}: the request does not read back the same: {other:?}"),
    }
}

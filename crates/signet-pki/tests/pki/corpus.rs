//! Integrity of real third-party CMS: the signatures of `shared/corpus/pdf/` (DSS and pyHanko
//! test files), checked against the verdicts recorded in its manifest (pyHanko's `intact` and
//! `valid`, with pdfsig's as second opinion).

use std::path::PathBuf;

use signet_pki::{
    parse_signature, parse_timestamp_token, verify_integrity, verify_timestamp_token,
};

fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("SIGNET_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => signet_testkit::shared_dir()
            .map(|s| s.join("corpus/pdf"))
            .unwrap_or_default(),
    };
    if dir.join("manifest.jsonl").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the corpus is missing at {} on CI",
        dir.display()
    );
    eprintln!("skipped: no corpus at {}", dir.display());
    None
}

/// The /Contents bytes between the two ByteRange pieces: `<hex>`, zero padded.
fn contents(file: &[u8], br: &[usize; 4]) -> Option<Vec<u8>> {
    let gap = file.get(br[0] + br[1]..br[2])?;
    let text = std::str::from_utf8(gap).ok()?.trim();
    let hex: String = text
        .strip_prefix('<')?
        .strip_suffix('>')?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    hex::decode(hex).ok()
}

/// Signatures where neither referee gave a verdict we can follow, with ours and why.
const KNOWN: &[(&str, bool, &str)] = &[(
    "dss/validation/Signature-P-HU_NET-2.pdf#0",
    true,
    "sha256WithRSAEncryption written as digestAlgorithm: pyHanko crashes on it, pdfsig \
     gives 'Unknown Validation Failure'; read as SHA-256 the signature verifies",
)];

/// Truncations and bit flips of a real signature (BER ones included) never panic, and a
/// flip in the signature value never verifies.
fn mutate(cms: &[u8], data: &[&[u8]]) {
    let sig_len = parse_signature(cms).map(|s| s.signature.len()).unwrap_or(0);
    let mut state = cms.len() as u64;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % n.max(1)
    };
    for _ in 0..24 {
        let _ = signet_pki::fuzz_cms(&cms[..next(cms.len())]);
        let mut m = cms.to_vec();
        let i = next(m.len());
        m[i] ^= 1 << next(8);
        if let Ok(s) = parse_signature(&m) {
            let _ = verify_integrity(&s, data);
            for t in &s.signature_timestamps {
                if let Ok(t) = parse_timestamp_token(t) {
                    let _ = verify_timestamp_token(&t, &s.signature);
                }
            }
        }
    }
    if sig_len > 0 {
        let mut s = parse_signature(cms).unwrap();
        let i = next(sig_len);
        s.signature[i] ^= 0x10;
        assert!(!verify_integrity(&s, data).signature_ok);
    }
}

/// Files that exercise one feature each: check the feature, not only the verdict.
fn special(name: &str, sig: &signet_pki::CmsSignature, got: &signet_pki::Integrity) {
    match name {
        "pyhanko/pdf/sig-no-signed-attrs.pdf#0" => {
            assert!(sig.signed_attributes.is_none() && !got.signed_attributes && got.ok());
        }
        "pyhanko/pdf/sig-with-ski-sid.pdf#0" => {
            assert!(sig.signer_certificate.is_some() && got.ok(), "{got:?}");
        }
        "dss/validation/pdf-double-signer-info.pdf#0" => {
            assert_eq!(sig.signer_info_count, 2);
        }
        _ => return,
    }
    println!("  checked: {name}");
}

struct Record {
    name: String,
    expected: bool,
    pdfsig: Option<bool>,
    kind: String,
}

#[test]
fn integrity_agrees_with_the_corpus_manifest() {
    let Some(dir) = corpus_dir() else {
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    let (mut agree, mut disagree, mut unsupported, mut unextracted) = (0, vec![], vec![], 0);
    let (mut unsorted, mut checked, mut ber) = (0, vec![], 0);
    let (mut timestamps, mut tsa_eku) = (0, 0);
    for line in manifest.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let br: Option<[usize; 4]> = serde_json::from_value(v["byte_range"].clone()).ok();
        let pdfsig = v["pdfsig_crypto_ok"].as_bool();
        // pyHanko's verdict, or pdfsig's where pyHanko gave none.
        let expected = match (v["intact"].as_bool(), v["valid"].as_bool(), pdfsig) {
            (Some(i), Some(v), _) => Some(i && v),
            (None, None, Some(p)) => Some(p),
            _ => None,
        };
        let (Some(br), Some(expected)) = (br, expected) else {
            unextracted += 1;
            continue;
        };
        let r = Record {
            name: format!("{}#{}", v["file"].as_str().unwrap(), v["sig_index"]),
            expected,
            pdfsig,
            kind: v["subfilter"].as_str().unwrap_or("?").to_string(),
        };
        let file = std::fs::read(dir.join(v["file"].as_str().unwrap())).unwrap();
        let Some(cms) = contents(&file, &br) else {
            unextracted += 1;
            continue;
        };
        let (Some(a), Some(b)) = (
            file.get(br[0]..br[0] + br[1]),
            file.get(br[2]..br[2] + br[3]),
        ) else {
            unextracted += 1;
            continue;
        };
        let sig = match parse_signature(&cms) {
            Ok(s) => s,
            // An empty or broken /Contents is refused, as the referees do.
            Err(_) if !r.expected => {
                agree += 1;
                continue;
            }
            Err(e) => {
                unsupported.push(format!("{} ({}): parse: {e}", r.name, r.kind));
                continue;
            }
        };
        let got = verify_integrity(&sig, &[a, b]);
        if let Some((_, ours, why)) = KNOWN.iter().find(|(n, _, _)| *n == r.name) {
            assert_eq!(got.ok(), *ours, "{}: {why}: {got:?}", r.name);
            println!("  known: {} — ours {ours}: {why}", r.name);
            agree += 1;
        } else if got.strict_ok() == r.expected {
            agree += 1;
            if got.ok() != got.strict_ok() {
                // Signed over an unsorted SET as written: pdfsig (NSS) accepts those bytes.
                assert_eq!(r.pdfsig, Some(got.ok()), "{}", r.name);
                unsorted += 1;
            }
        } else if !got.ok()
            && got
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("unsupported"))
        {
            unsupported.push(format!("{} ({}): {:?}", r.name, r.kind, got.problem));
        } else {
            disagree.push(format!(
                "{} ({}): ours {got:?}, pyHanko {}, pdfsig {:?}",
                r.name, r.kind, r.expected, r.pdfsig
            ));
        }
        if cms.starts_with(&[0x30, 0x80]) {
            ber += 1;
        }
        special(&r.name, &sig, &got);
        mutate(&cms, &[a, b]);
        if let (Some(i), Some(v)) = (
            v["signature_timestamp_intact"].as_bool(),
            v["signature_timestamp_valid"].as_bool(),
        ) {
            let token = parse_timestamp_token(&sig.signature_timestamps[0]).unwrap();
            let c = verify_timestamp_token(&token, &sig.signature).unwrap();
            let ours = c.imprint_ok && c.signature_ok;
            assert_eq!(ours, i && v, "{} timestamp: {c:?}", r.name);
            timestamps += 1;
            tsa_eku += usize::from(c.cert_id_ok && c.eku_ok);
        }
        checked.push((r.kind, got.ok()));
    }
    println!(
        "corpus: {agree} agree ({unsorted} of them signed over unsorted attributes: valid as \
         written, invalid as DER), {} disagree, {} unsupported, {unextracted} not extracted",
        disagree.len(),
        unsupported.len()
    );
    let mut kinds: Vec<&str> = checked.iter().map(|(k, _)| k.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    for k in kinds {
        let n = checked.iter().filter(|(x, _)| x == k).count();
        let ok = checked.iter().filter(|(x, v)| x == k && *v).count();
        println!("  {k}: {n} signatures, {ok} intact and valid");
    }
    for u in &unsupported {
        println!("  unsupported: {u}");
    }
    for d in &disagree {
        println!("  DISAGREE: {d}");
    }
    assert!(agree >= 160, "only {agree} signatures agree");
    println!("  {ber} of them BER (indefinite lengths)");
    println!(
        "  {timestamps} signature timestamps agree with pyHanko; {tsa_eku} name their TSA \
         certificate (ESS) and it has a critical timeStamping EKU"
    );
    assert!(timestamps >= 30, "{timestamps}");
    assert!(ber >= 15, "{ber}");
    assert!(
        unsorted >= 7,
        "the unsorted-attribute files were not recognised"
    );
    assert!(disagree.is_empty(), "{disagree:#?}");
}

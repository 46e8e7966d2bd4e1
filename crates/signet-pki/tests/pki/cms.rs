//! CAdES/PAdES CMS built here and read back: precise tamper verdicts, signature timestamps
//! from our TSA checked by `openssl ts -verify`, placeholder sizing, hostile input.

use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use signet_pki::{
    add_signature_timestamp, contents_capacity, fuzz_cms, parse_signature, parse_timestamp_token,
    pem, sign_pades, signature_value, signed_data, timestamp_request, timestamp_token,
    verify_integrity, verify_timestamp_token, Ca, DigestAlgorithm, KeyAlg, PkiError, Profile,
    RawSigner, SignatureAlgorithm, SignedAttributes, Subject, TIMESTAMP_TOKEN_RESERVE,
};
use signet_testkit::{openssl, require_tool, text, OsRng, TempDir};
use time::OffsetDateTime;

/// A P-256 key held by `ring`, as a [`RawSigner`].
struct RingKey(EcdsaKeyPair);

impl RawSigner for RingKey {
    type Error = std::io::Error;
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaP256Sha256
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, std::io::Error> {
        let rng = ring::rand::SystemRandom::new();
        Ok(self.0.sign(&rng, msg).unwrap().as_ref().to_vec())
    }
}

struct Setup {
    ca: Ca,
    key: RingKey,
    cert: Vec<u8>,
    chain: Vec<Vec<u8>>,
}

fn setup() -> Setup {
    let now = OffsetDateTime::now_utc();
    let (mut ca, _, _) = Ca::init(
        "CMS Test CA",
        "http://127.0.0.1:9/",
        KeyAlg::EcdsaP256,
        now,
        &mut OsRng,
    )
    .unwrap();
    let subject = Subject {
        name: "Trần Văn Ký".into(),
        agency_name: "Sở Nội vụ".into(),
        agency_code: "000.00.01.H06".into(),
        ..Subject::default()
    };
    let (issued, key) = ca
        .issue_with_new_key(Profile::Person, &subject, now, &mut OsRng)
        .unwrap();
    let rng = ring::rand::SystemRandom::new();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &key.pkcs8_der, &rng).unwrap();
    let chain = vec![ca.issuing_der().to_vec()];
    Setup {
        ca,
        key: RingKey(key),
        cert: issued.der,
        chain,
    }
}

const DOC: &[u8] = b"%PDF-1.7 ... Quyet dinh so 12/QD-UBND ... %%EOF";

#[test]
fn round_trip_and_precise_tamper_verdicts() {
    let s = setup();
    let digest = DigestAlgorithm::Sha256.hash(DOC);
    let cms = sign_pades(&s.key, &digest, &s.cert, &s.chain).unwrap();

    // /Contents are zero-padded: the parser reads one ContentInfo and ignores the rest.
    let mut padded = cms.clone();
    padded.resize(cms.len() + 4000, 0);
    let sig = parse_signature(&padded).unwrap();
    assert_eq!(sig.signer_certificate.as_deref(), Some(&s.cert[..]));
    assert_eq!(sig.certificates.len(), 2);
    assert_eq!(sig.signer_info_count, 1);
    assert_eq!(sig.digest_algorithm, Some(DigestAlgorithm::Sha256));
    let attrs = sig.signed_attributes.as_ref().unwrap();
    assert!(attrs.signing_time.is_none(), "PAdES: no signing-time");
    assert_eq!(attrs.message_digest.as_deref(), Some(&digest[..]));
    let ess = attrs.signing_certificate_v2.as_ref().unwrap();
    assert!(ess[0].matches(&s.cert) && !ess[0].matches(&s.chain[0]));

    // The two halves of a ByteRange hash as one.
    let (a, b) = DOC.split_at(10);
    let ok = verify_integrity(&sig, &[a, b]);
    assert!(
        ok.digest_ok && ok.signature_ok && ok.signed_attributes,
        "{ok:?}"
    );
    assert_eq!(ok.signing_certificate, Some(true));

    // A changed document byte: the digest fails, the signature over the attributes holds.
    let mut doc = DOC.to_vec();
    doc[20] ^= 1;
    let bad = verify_integrity(&sig, &[&doc]);
    assert!(!bad.digest_ok && bad.signature_ok, "{bad:?}");

    // A changed signature byte: the digest holds, the signature fails.
    let mut forged = sig.clone();
    let last = forged.signature.len() - 3;
    forged.signature[last] ^= 0x40;
    let bad = verify_integrity(&forged, &[DOC]);
    assert!(bad.digest_ok && !bad.signature_ok, "{bad:?}");

    // A changed signed attribute (inside the SET, not the messageDigest): signature fails.
    let mut forged = sig.clone();
    let a = forged.signed_attributes.as_mut().unwrap();
    let n = a.der.len();
    a.der[n - 1] ^= 1;
    let bad = verify_integrity(&forged, &[DOC]);
    assert!(bad.digest_ok && !bad.signature_ok, "{bad:?}");

    // A signed contentType that is not the eContentType (a TSTInfo signature replayed as a
    // document signature, say) fails the digest check.
    let mut replayed = sig.clone();
    replayed.content_type = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
    let bad = verify_integrity(&replayed, &[DOC]);
    assert!(!bad.digest_ok && bad.problem.unwrap().contains("contentType"));

    // Another certificate put in the signer's place: signingCertificateV2 says so.
    let mut swapped = sig.clone();
    swapped.signer_certificate = Some(s.chain[0].clone());
    let bad = verify_integrity(&swapped, &[DOC]);
    assert!(
        !bad.signature_ok && bad.signing_certificate == Some(false),
        "{bad:?}"
    );

    // Without its certificate the signer cannot be checked, and says why.
    let mut orphan = sig.clone();
    orphan.signer_certificate = None;
    let bad = verify_integrity(&orphan, &[DOC]);
    assert!(!bad.signature_ok && bad.problem.unwrap().contains("certificate"));
}

#[test]
fn building_refuses_what_would_make_a_broken_file() {
    let s = setup();
    let digest = DigestAlgorithm::Sha256.hash(DOC);
    assert!(matches!(
        SignedAttributes::pades(&digest[..31], DigestAlgorithm::Sha256, &s.cert),
        Err(PkiError::Cms(_))
    ));
    assert!(SignedAttributes::pades(&[0; 20], DigestAlgorithm::Sha1, &s.cert).is_err());
    assert!(SignedAttributes::pades(&digest, DigestAlgorithm::Sha256, b"not a cert").is_err());
    let attrs = SignedAttributes::pades(&digest, DigestAlgorithm::Sha256, &s.cert).unwrap();
    // The bytes to sign are the SET OF, not the [0] IMPLICIT form.
    assert_eq!(attrs.to_be_signed()[0], 0x31);
    let sig = s.key.sign(attrs.to_be_signed()).unwrap();
    // A signature by another key (the CA's issuing certificate does not match it).
    let err = signed_data(&attrs, s.key.algorithm(), &sig, &s.chain[0], &[]).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    // A signature over other bytes.
    let other = s.key.sign(b"something else").unwrap();
    assert!(signed_data(&attrs, s.key.algorithm(), &other, &s.cert, &[]).is_err());
    // An algorithm whose digest is not the attributes'.
    assert!(signed_data(
        &attrs,
        SignatureAlgorithm::EcdsaP384Sha384,
        &sig,
        &s.cert,
        &[]
    )
    .is_err());
    let cms = signed_data(&attrs, s.key.algorithm(), &sig, &s.cert, &s.chain).unwrap();
    assert!(verify_integrity(&parse_signature(&cms).unwrap(), &[DOC]).ok());
}

#[test]
fn placeholder_capacity_holds_the_signature_and_a_timestamp() {
    let mut s = setup();
    let digest = DigestAlgorithm::Sha256.hash(DOC);
    let alg = SignatureAlgorithm::EcdsaP256Sha256;
    let bb = contents_capacity(&s.cert, &s.chain, alg, 0).unwrap();
    let bt = contents_capacity(&s.cert, &s.chain, alg, TIMESTAMP_TOKEN_RESERVE).unwrap();
    let cms = sign_pades(&s.key, &digest, &s.cert, &s.chain).unwrap();
    assert!(
        cms.len() <= bb && bb <= cms.len() + 600,
        "{} vs {bb}",
        cms.len()
    );
    let with_ts = timestamp(&mut s.ca, &cms);
    assert!(with_ts.len() <= bt, "{} vs {bt}", with_ts.len());
    // An RSA algorithm with an EC certificate cannot be sized.
    assert!(contents_capacity(&s.cert, &s.chain, SignatureAlgorithm::RsaPkcs1Sha256, 0).is_err());
}

/// Time-stamps the signature of `cms` with the CA's TSA and adds the token (PAdES B-T).
fn timestamp(ca: &mut Ca, cms: &[u8]) -> Vec<u8> {
    let imprint = DigestAlgorithm::Sha256.hash(&signature_value(cms).unwrap());
    let req = timestamp_request(&imprint, DigestAlgorithm::Sha256, &[0x42, 0x17, 0x99]);
    let serial = ca.next_tsa_serial();
    let resp = ca.timestamp(&req, serial, OffsetDateTime::now_utc());
    let token = timestamp_token(&resp, &req).unwrap();
    add_signature_timestamp(cms, &token).unwrap()
}

#[test]
fn signature_timestamp_from_our_tsa_verifies_here_and_with_openssl_ts() {
    let mut s = setup();
    let dir = TempDir::new("ts");
    let digest = DigestAlgorithm::Sha256.hash(DOC);
    let cms = sign_pades(&s.key, &digest, &s.cert, &s.chain).unwrap();
    let signature = signature_value(&cms).unwrap();
    let imprint = DigestAlgorithm::Sha256.hash(&signature);
    let req = timestamp_request(&imprint, DigestAlgorithm::Sha256, &[1, 2, 3, 4, 5, 6, 7, 8]);
    let serial = s.ca.next_tsa_serial();
    let now = OffsetDateTime::now_utc();
    let resp = s.ca.timestamp(&req, serial, now);
    let token = timestamp_token(&resp, &req).unwrap();

    // Our reading of the token.
    let t = parse_timestamp_token(&token).unwrap();
    assert_eq!(t.info.imprint, imprint);
    assert_eq!(t.info.gen_time.unix_timestamp(), now.unix_timestamp());
    assert_eq!(t.info.nonce.as_deref(), Some(&[1, 2, 3, 4, 5, 6, 7, 8][..]));
    assert_eq!(t.info.policy, signet_pki::TSA_POLICY);
    assert_eq!(t.tsa_certificate.as_deref(), Some(s.ca.tsa_der()));
    let check = verify_timestamp_token(&t, &signature).unwrap();
    assert!(check.ok(), "{check:?}");
    let wrong = verify_timestamp_token(&t, b"another signature").unwrap();
    assert!(!wrong.imprint_ok && wrong.signature_ok && wrong.cert_id_ok && wrong.eku_ok);

    // The answer to another request, or with another nonce, is refused.
    let other_req = timestamp_request(&imprint, DigestAlgorithm::Sha256, &[9]);
    assert!(timestamp_token(&resp, &other_req).is_err());
    let other_imprint =
        timestamp_request(&[0; 32], DigestAlgorithm::Sha256, &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(timestamp_token(&resp, &other_imprint).is_err());
    // A token whose TSA signature was damaged in transit is refused.
    let tsa_sig = parse_timestamp_token(&token).unwrap().cms.signature;
    let at = find(&resp, &tsa_sig).start + 10;
    let mut damaged = resp.clone();
    damaged[at] ^= 1;
    let err = timestamp_token(&damaged, &req).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    // A rejection (SHA-1 is refused by our TSA) is an error, not a token.
    let sha1_req = timestamp_request(&[0; 20], DigestAlgorithm::Sha1, &[]);
    let rejection = s.ca.timestamp(&sha1_req, 99, now);
    let err = timestamp_token(&rejection, &sha1_req).unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");

    // B-T: the token goes into the unsigned attributes; the signature still verifies.
    let bt = add_signature_timestamp(&cms, &token).unwrap();
    let parsed = parse_signature(&bt).unwrap();
    assert_eq!(parsed.signature_timestamps, vec![token.clone()]);
    assert!(verify_integrity(&parsed, &[DOC]).ok());
    // A token over something else is refused.
    let other_cms = sign_pades(&s.key, &digest, &s.cert, &s.chain).unwrap();
    assert!(add_signature_timestamp(&other_cms, &token).is_err());

    // openssl ts -verify on the token, with the signature value as the data.
    dir.write("sigvalue.bin", &signature);
    dir.write("token.der", &token);
    dir.write("root.pem", pem("CERTIFICATE", s.ca.root_der()));
    dir.write("issuing.pem", pem("CERTIFICATE", s.ca.issuing_der()));
    if !require_tool("openssl") {
        return;
    }
    let o = openssl(
        dir.dir(),
        &[
            "ts",
            "-verify",
            "-token_in",
            "-in",
            "token.der",
            "-data",
            "sigvalue.bin",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
        ],
    );
    assert!(
        o.status.success() && text(&o).contains("Verification: OK"),
        "{}",
        text(&o)
    );
    // And openssl refuses it for other data (the referee can fail).
    dir.write("other.bin", b"other");
    let o = openssl(
        dir.dir(),
        &[
            "ts",
            "-verify",
            "-token_in",
            "-in",
            "token.der",
            "-data",
            "other.bin",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
        ],
    );
    assert!(!o.status.success(), "{}", text(&o));
}

#[test]
fn document_timestamp_token_is_a_contents_of_its_own() {
    let mut s = setup();
    // B-LTA: the token over the ByteRange digest is the whole /Contents.
    let digest = DigestAlgorithm::Sha256.hash(DOC);
    let req = timestamp_request(&digest, DigestAlgorithm::Sha256, &[7; 8]);
    let serial = s.ca.next_tsa_serial();
    let resp = s.ca.timestamp(&req, serial, OffsetDateTime::now_utc());
    let token = timestamp_token(&resp, &req).unwrap();
    let mut padded = token.clone();
    padded.resize(token.len() + 1000, 0);
    let sig = parse_signature(&padded).unwrap();
    let ok = verify_integrity(&sig, &[DOC]);
    assert!(ok.ok(), "{ok:?}");
    let bad = verify_integrity(&sig, &[b"changed document"]);
    assert!(!bad.digest_ok && bad.signature_ok, "{bad:?}");
}

#[test]
fn hostile_cms_never_panics() {
    let mut s = setup();
    let digest = DigestAlgorithm::Sha256.hash(DOC);
    let cms = sign_pades(&s.key, &digest, &s.cert, &s.chain).unwrap();
    let bt = timestamp(&mut s.ca, &cms);
    // Every prefix is an error (the outer length runs past it), never a panic.
    for n in 0..bt.len() {
        let _ = fuzz_cms(&bt[..n]);
        assert!(parse_signature(&bt[..n]).is_err(), "prefix {n}");
    }
    // Bit flips anywhere never panic; inside the signed attributes or the signature value
    // they always make the verdict fail (elsewhere, e.g. in a CA certificate's own signature,
    // integrity rightly does not notice).
    let sig = parse_signature(&bt).unwrap();
    let guarded = [
        find(&bt, &sig.signed_attributes.as_ref().unwrap().der[1..]),
        find(&bt, &sig.signature),
    ];
    let mut checked = 0;
    for i in 0..bt.len() {
        for bit in [0x01u8, 0x80] {
            let mut m = bt.clone();
            m[i] ^= bit;
            let mut with_data = vec![DOC.len() as u8];
            with_data.extend_from_slice(DOC);
            with_data.extend_from_slice(&m);
            let _ = fuzz_cms(&with_data);
            if guarded.iter().any(|r| r.contains(&i)) {
                checked += 1;
                let ok = parse_signature(&m).is_ok_and(|s| verify_integrity(&s, &[DOC]).ok());
                assert!(!ok, "flip {bit:#x} at {i} still verifies");
            }
        }
    }
    assert!(checked > 400, "{checked}");
}

fn find(hay: &[u8], needle: &[u8]) -> std::ops::Range<usize> {
    let at = hay.windows(needle.len()).position(|w| w == needle).unwrap();
    at..at + needle.len()
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = fuzz_cms(&bytes);
            let _ = parse_timestamp_token(&bytes);
        }

        #[test]
        fn sequence_shaped_bytes_never_panic(
            body in proptest::collection::vec(any::<u8>(), 0..400),
            indefinite in any::<bool>(),
        ) {
            // ContentInfo { signedData OID, [0] { ... } } followed by random contents.
            let mut v = vec![0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
                0x07, 0x02, 0xa0, 0x80, 0x30];
            v.push(if indefinite { 0x80 } else { body.len().min(127) as u8 });
            v.extend_from_slice(&body);
            let _ = fuzz_cms(&v);
        }
    }
}

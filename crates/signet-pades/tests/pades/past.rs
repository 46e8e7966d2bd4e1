//! Past signature validation (ETSI EN 319 102-1 §5.6.2.4): a signature whose signer's
//! certificate expired, or was revoked, after the time a valid timestamp proves stays valid;
//! revoked before that time it fails; with nothing proving an earlier time, an expired
//! certificate leaves the signature INDETERMINATE. Real CA, OCSP, CRLs and TSA (signet-pki),
//! the clock moved by hand.

use signet_pades::dss::Dss;
use signet_pades::sign::{self, NewField, Request};
use signet_pades::testing::{LocalKey, LocalPki};
use signet_pades::{Indication, Level, Options, Report, SubIndication};
use signet_pki::validation::{RevocationPolicy, TrustAnchors};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-11-23 09:00:00 +07:00);

fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// Signs a one-page document in a new field "LanhDao" at `pki.now`.
fn sign_at(pki: &LocalPki, key: &LocalKey, level: Level) -> Vec<u8> {
    let pdf = signet_pdf::one_page_pdf(
        [0.0, 0.0, 595.0, 842.0],
        b"BT /F1 20 Tf 72 760 Td (Quyet dinh) Tj ET",
    );
    let req = Request {
        field: "LanhDao".into(),
        create: Some(NewField {
            name: "LanhDao".into(),
            page: 0,
            rect: [330.0, 80.0, 530.0, 160.0],
        }),
        appearance: None,
        m: signet_pades::pdfdate::pdf_date(pki.now),
        reason: None,
        location: None,
        level,
        validation_data: None,
        fill: Vec::new(),
    };
    sign::sign(
        &pdf,
        &req,
        key,
        &key.chain[0],
        &key.chain[1..],
        pki,
        &pki.anchors(),
        pki.now,
    )
    .unwrap()
}

/// Verifies at `at` with revocation required and `crls` as what the verifier fetched.
fn verify(anchors: TrustAnchors, pdf: &[u8], at: OffsetDateTime, crls: Vec<Vec<u8>>) -> Report {
    let mut opts = Options::new(anchors, at);
    opts.revocation = RevocationPolicy::Require;
    opts.fetched = Dss {
        crls,
        ..Dss::default()
    };
    signet_pades::verify(pdf, &opts).unwrap().report
}

fn serial(key: &LocalKey) -> String {
    signet_pki::validation::summarize(&key.chain[0])
        .unwrap()
        .serial
}

fn not_after(key: &LocalKey) -> OffsetDateTime {
    signet_pki::validation::summarize(&key.chain[0])
        .unwrap()
        .not_after
}

fn rfc3339(t: OffsetDateTime) -> String {
    signet_pades::pdfdate::rfc3339(t.to_offset(time::UtcOffset::UTC))
}

fn mentions(r: &Report, i: usize, words: &str) -> bool {
    r.signatures[i]
        .messages
        .iter()
        .any(|m| m.en.contains(words))
}

#[test]
fn an_expired_signer_stays_valid_at_the_time_its_timestamp_proves() {
    let pki = LocalPki::new(T0).unwrap();
    let leader = pki.issue("Nguyễn Văn An", false).unwrap();
    // B-LT: the file carries the OCSP answers of the signing day.
    let signed = sign_at(&pki, &leader, Level::BLT);
    let later = not_after(&leader) + days(365);
    // Now the TSA's status comes from a CRL fetched today; the signer's from the file.
    let r = verify(pki.anchors(), &signed, later, pki.crls(later).unwrap());
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{r:#?}");
    assert_eq!(r.verdict, Indication::TotalPassed);
    let ts = s.timestamp.clone().unwrap();
    assert_eq!(s.proof_of_existence.as_deref(), Some(ts.as_str()));
    assert_eq!(s.validated_at.as_deref(), Some(ts.as_str()));
    assert!(mentions(&r, 0, "past signature validation"), "{r:#?}");
    assert!(mentions(&r, 0, "expired at"), "{r:#?}");
    assert_eq!(s.revocation.as_ref().unwrap().status, "good");

    // Before the certificate expired the path is valid now: validated now, no message.
    let r = verify(
        pki.anchors(),
        &signed,
        T0 + days(30),
        pki.crls(T0 + days(30)).unwrap(),
    );
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{r:#?}");
    assert_eq!(
        s.validated_at.as_deref(),
        Some(rfc3339(T0 + days(30)).as_str())
    );
    assert!(!mentions(&r, 0, "past signature validation"), "{r:#?}");

    // The same file and time, but a TSA nobody can vouch for now (no current revocation data
    // for it): nothing proves the signing time, the expired certificate is not excused.
    let r = verify(pki.anchors(), &signed, later, Vec::new());
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::Indeterminate, "{r:#?}");
    assert_eq!(s.proof_of_existence, None);
    assert_eq!(s.sub_indication, Some(SubIndication::OutOfBoundsNoPoe));
}

#[test]
fn an_expired_signer_without_timestamp_is_indeterminate() {
    let pki = LocalPki::new(T0).unwrap();
    let leader = pki.issue("Trần Thị Bình", false).unwrap();
    let signed = sign_at(&pki, &leader, Level::BB);
    let later = not_after(&leader) + days(365);
    // Revocation data is no excuse: a CRL from while the certificate was valid is at hand.
    let mut crls = pki.crls(T0 + days(1)).unwrap();
    crls.extend(pki.crls(later).unwrap());
    let r = verify(pki.anchors(), &signed, later, crls);
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::Indeterminate, "{r:#?}");
    assert_eq!(s.sub_indication, Some(SubIndication::OutOfBoundsNoPoe));
    assert_eq!(s.proof_of_existence, None);
    assert_eq!(s.validated_at.as_deref(), Some(rfc3339(later).as_str()));
    assert!(!mentions(&r, 0, "past signature validation"));
}

#[test]
fn a_signer_revoked_after_the_timestamp_stays_valid() {
    let pki = LocalPki::new(T0).unwrap();
    let leader = pki.issue("Lê Văn Cường", false).unwrap();
    let signed = sign_at(&pki, &leader, Level::BT);
    let revoked = T0 + days(100);
    pki.revoke_at(&serial(&leader), revoked).unwrap();
    let now = T0 + days(200);
    let r = verify(pki.anchors(), &signed, now, pki.crls(now).unwrap());
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{r:#?}");
    assert_eq!(s.proof_of_existence, s.timestamp);
    assert_eq!(s.validated_at, s.timestamp);
    assert!(mentions(&r, 0, "was revoked at"), "{r:#?}");
    assert!(mentions(&r, 0, &rfc3339(revoked)), "{r:#?}");

    // Years later, the certificate expired as well: a CRL kept from before it expired (listing
    // the revocation) still shows it was good at the proven time.
    let later = not_after(&leader) + days(365);
    let mut crls = pki.crls(now).unwrap();
    crls.extend(pki.crls(later).unwrap());
    let r = verify(pki.anchors(), &signed, later, crls);
    assert_eq!(
        r.signatures[0].indication,
        Indication::TotalPassed,
        "{r:#?}"
    );

    // Without any timestamp the same revocation is not excused.
    let mut pki = LocalPki::new(T0).unwrap();
    let other = pki.issue("Phạm Thị Dung", false).unwrap();
    let plain = sign_at(&pki, &other, Level::BB);
    pki.revoke_at(&serial(&other), revoked).unwrap();
    pki.now = now;
    let r = verify(pki.anchors(), &plain, now, pki.crls(now).unwrap());
    assert_eq!(
        r.signatures[0].indication,
        Indication::Indeterminate,
        "{r:#?}"
    );
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(SubIndication::RevokedNoPoe)
    );
}

#[test]
fn a_signer_revoked_before_the_timestamp_fails() {
    let mut pki = LocalPki::new(T0).unwrap();
    let leader = pki.issue("Hoàng Văn Em", false).unwrap();
    let revoked = T0 + days(10);
    pki.revoke_at(&serial(&leader), revoked).unwrap();
    // Signed (and timestamped) after the revocation, with the compromised key.
    pki.now = T0 + days(20);
    let signed = sign_at(&pki, &leader, Level::BT);
    let now = T0 + days(30);
    let r = verify(pki.anchors(), &signed, now, pki.crls(now).unwrap());
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::TotalFailed, "{r:#?}");
    assert_eq!(s.sub_indication, Some(SubIndication::Revoked));
    assert_eq!(
        s.proof_of_existence.as_deref(),
        Some(rfc3339(T0 + days(20)).as_str())
    );
    assert_eq!(s.revocation.as_ref().unwrap().status, "revoked");
    assert!(!mentions(&r, 0, "past signature validation"));
}

/// Appends a DSS revision holding `crls` (what a renewal embeds before re-timestamping).
fn with_crls(pdf: &[u8], crls: Vec<Vec<u8>>) -> Vec<u8> {
    let doc = signet_pdf::Document::parse(pdf).unwrap();
    let dss = signet_pdf::Dss {
        certs: Vec::new(),
        ocsps: Vec::new(),
        crls,
        vri: Vec::new(),
    };
    signet_pdf::add_dss(&doc, &dss).unwrap()
}

#[test]
fn the_document_timestamp_chain_proves_what_expired_tsas_no_longer_can() {
    // A first CA generation: the signer, its TSA (10 years) and issuing CA (10 years).
    let mut pki1 = LocalPki::new(T0).unwrap();
    let leader = pki1.issue("Nguyễn Văn An", false).unwrap();
    let signed = sign_at(&pki1, &leader, Level::BLT);
    pki1.now = T0 + days(365);
    let archived = sign::add_document_timestamp(&signed, &pki1, "Archive1").unwrap();
    // Nine and a half years on, before the first TSA expires: its CRLs go into the file and a
    // second generation's TSA timestamps the whole.
    let renewal = T0 + days(9 * 365 + 180);
    let archived = with_crls(&archived, pki1.crls(renewal).unwrap());
    let mut pki2 = LocalPki::new(T0 + days(9 * 365)).unwrap();
    pki2.now = renewal;
    let archived = sign::add_document_timestamp(&archived, &pki2, "Archive2").unwrap();

    let mut anchors = pki1.anchors();
    anchors.add(&pki2.root()).unwrap();
    // Eleven years on: the signer, the first TSA and the first issuing CA have all expired.
    let now = T0 + days(11 * 365);
    let r = verify(anchors.clone(), &archived, now, pki2.crls(now).unwrap());
    let by = |f: &str| r.signatures.iter().find(|s| s.field == f).unwrap();
    assert_eq!(r.verdict, Indication::TotalPassed, "{r:#?}");
    let (sig, a1, a2) = (by("LanhDao"), by("Archive1"), by("Archive2"));
    // The newest timestamp is valid now; the older one at the time the newer proves.
    assert_eq!(a2.validated_at.as_deref(), Some(rfc3339(now).as_str()));
    assert_eq!(a2.proof_of_existence, None);
    assert_eq!(
        a1.proof_of_existence.as_deref(),
        Some(rfc3339(renewal).as_str())
    );
    assert_eq!(a1.validated_at.as_deref(), Some(rfc3339(renewal).as_str()));
    assert!(
        a1.messages
            .iter()
            .any(|m| m.en.starts_with("The timestamp was validated at")),
        "{a1:#?}"
    );
    // The signature: its own timestamp (its TSA validated at the first archive timestamp's
    // time) proves the signing day.
    assert_eq!(sig.proof_of_existence, sig.timestamp);
    assert_eq!(sig.validated_at, sig.timestamp);
    assert_eq!(sig.level.as_deref(), Some("B-LTA"));

    // Without the second generation's timestamp, the same day finds the first TSA expired and
    // nothing newer vouching for it: no proof, the signature is not valid.
    let without = {
        let doc = signet_pdf::Document::parse(&archived).unwrap();
        let end = doc.revisions()[doc.revisions().len() - 2].end;
        archived[..end].to_vec()
    };
    let r = verify(pki1.anchors(), &without, now, Vec::new());
    assert_ne!(
        r.signatures[0].indication,
        Indication::TotalPassed,
        "{r:#?}"
    );
    assert!(
        r.signatures.iter().all(|s| s.proof_of_existence.is_none()),
        "{r:#?}"
    );
}

#[test]
fn an_untrusted_document_timestamp_proves_nothing() {
    let pki = LocalPki::new(T0).unwrap();
    let leader = pki.issue("Vũ Thị Giang", false).unwrap();
    let signed = sign_at(&pki, &leader, Level::BB);
    let revoked = T0 + days(100);
    pki.revoke_at(&serial(&leader), revoked).unwrap();
    // Someone else's TSA, dated before the revocation, over the signed file.
    let mut rogue = LocalPki::new(T0).unwrap();
    rogue.now = T0 + days(50);
    let stamped = sign::add_document_timestamp(&signed, &rogue, "DauThoiGian").unwrap();
    let now = T0 + days(200);
    let r = verify(pki.anchors(), &stamped, now, pki.crls(now).unwrap());
    let sig = r.signatures.iter().find(|s| s.field == "LanhDao").unwrap();
    assert_eq!(sig.proof_of_existence, None, "{r:#?}");
    assert_eq!(sig.indication, Indication::Indeterminate, "{r:#?}");
    assert_eq!(sig.sub_indication, Some(SubIndication::RevokedNoPoe));

    // The same timestamp from the signer's own (trusted) TSA is a proof: valid at that time.
    let mut pki = pki;
    pki.now = T0 + days(50);
    let stamped = sign::add_document_timestamp(&signed, &pki, "DauThoiGian").unwrap();
    let r = verify(pki.anchors(), &stamped, now, pki.crls(now).unwrap());
    let sig = r.signatures.iter().find(|s| s.field == "LanhDao").unwrap();
    assert_eq!(sig.indication, Indication::TotalPassed, "{r:#?}");
    assert_eq!(
        sig.proof_of_existence.as_deref(),
        Some(rfc3339(T0 + days(50)).as_str())
    );
}

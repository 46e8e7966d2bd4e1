//! Signing and verifying in the process with a real CA, OCSP responder and TSA (signet-pki):
//! the leader signs, the agency seals at B-LT with the validation data of both in its own
//! revision, then B-LTA; the files verify with no network. The external referees (pdfsig,
//! pyHanko) check the same flows through the CLI in `crates/signet/tests/pades.rs`.

use signet_pades::sign::{self, NewField, Request};
use signet_pades::testing::LocalPki;
use signet_pades::{Indication, Level, Options, Report};
use signet_pki::validation::RevocationPolicy;
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-23 09:00:00 +07:00);

fn document() -> Vec<u8> {
    signet_pdf::one_page_pdf(
        [0.0, 0.0, 595.0, 842.0],
        b"BT /F1 20 Tf 72 760 Td (Quyet dinh) Tj ET",
    )
}

fn request(field: &str, level: Level) -> Request<'static> {
    Request {
        field: field.into(),
        create: None,
        appearance: None,
        m: signet_pades::pdfdate::pdf_date(NOW),
        reason: None,
        location: None,
        level,
        validation_data: None,
        fill: Vec::new(),
    }
}

/// The leader signs at B-B in a field created in the signing revision.
fn sign_in_new_field(pki: &LocalPki, key: &signet_pades::testing::LocalKey, pdf: &[u8]) -> Vec<u8> {
    let mut req = request("LanhDao", Level::BB);
    req.create = Some(NewField {
        name: "LanhDao".into(),
        page: 0,
        rect: [330.0, 80.0, 530.0, 160.0],
    });
    sign::sign(
        pdf,
        &req,
        key,
        &key.chain[0],
        &key.chain[1..],
        pki,
        &pki.anchors(),
        NOW,
    )
    .unwrap()
}

/// Verification with the network off: only what the file carries.
fn verify_offline(pki: &LocalPki, pdf: &[u8], at: OffsetDateTime) -> Report {
    let mut opts = Options::new(pki.anchors(), at);
    opts.revocation = RevocationPolicy::Require;
    signet_pades::verify(pdf, &opts).unwrap().report
}

fn with_fields(pdf: &[u8]) -> Vec<u8> {
    sign::add_fields(
        pdf,
        &[
            NewField {
                name: "LanhDao".into(),
                page: 0,
                rect: [330.0, 80.0, 530.0, 160.0],
            },
            NewField {
                name: "CoQuan".into(),
                page: 0,
                rect: [250.0, 60.0, 400.0, 180.0],
            },
        ],
    )
    .unwrap()
}

#[test]
fn leader_then_seal_at_b_lt_verifies_offline_and_covers_the_whole_file() {
    let pki = LocalPki::new(NOW).unwrap();
    let leader = pki.issue("Nguyễn Văn An", false).unwrap();
    let seal = pki.issue("Ủy ban nhân dân tỉnh Lạc Hồng", true).unwrap();
    let pdf = with_fields(&document());
    let anchors = pki.anchors();
    let signed = sign::sign(
        &pdf,
        &request("LanhDao", Level::BT),
        &leader,
        &leader.chain[0],
        &leader.chain[1..],
        &pki,
        &anchors,
        NOW,
    )
    .unwrap();
    // Without revocation data and without network, the leader's signature cannot pass yet.
    let r = verify_offline(&pki, &signed, NOW);
    assert_eq!(
        r.signatures[0].indication,
        Indication::Indeterminate,
        "{r:#?}"
    );

    let sealed = sign::sign(
        &signed,
        &request("CoQuan", Level::BLT),
        &seal,
        &seal.chain[0],
        &seal.chain[1..],
        &pki,
        &anchors,
        NOW,
    )
    .unwrap();
    let r = verify_offline(&pki, &sealed, NOW);
    assert_eq!(r.verdict, Indication::TotalPassed, "{r:#?}");
    let by = |f: &str| r.signatures.iter().find(|s| s.field == f).unwrap();
    assert_eq!(by("CoQuan").coverage, signet_pades::Coverage::EntireFile);
    assert_eq!(by("CoQuan").level.as_deref(), Some("B-LT"));
    assert_eq!(by("LanhDao").level.as_deref(), Some("B-LT"));
    assert_eq!(
        by("LanhDao").modifications,
        signet_pades::Modifications::FormFilling
    );
    assert_eq!(by("LanhDao").revocation.as_ref().unwrap().status, "good");

    // Ten years on, with the certificates long expired: the timestamps are the proof.
    let later = NOW + time::Duration::days(3650);
    let r = verify_offline(&pki, &sealed, later);
    assert_ne!(r.verdict, Indication::TotalFailed, "{r:#?}");

    let lta = sign::add_document_timestamp(&sealed, &pki, "DauThoiGian").unwrap();
    let r = verify_offline(&pki, &lta, NOW);
    assert_eq!(r.verdict, Indication::TotalPassed, "{r:#?}");
    assert_eq!(
        r.signatures
            .iter()
            .find(|s| s.field == "CoQuan")
            .unwrap()
            .level
            .as_deref(),
        Some("B-LTA")
    );
    assert_eq!(r.signatures.len(), 3);
}

#[test]
fn two_steps_survive_a_restart() {
    let pki = LocalPki::new(NOW).unwrap();
    let leader = pki.issue("Trần Thị Bình", false).unwrap();
    let pdf = with_fields(&document());
    let alg = signet_pki::RawSigner::algorithm(&leader);
    let pending = sign::prepare(
        &pdf,
        &request("LanhDao", Level::BT),
        alg,
        &leader.chain[0],
        &leader.chain[1..],
    )
    .unwrap();
    // Persisted (e.g. while the leader confirms on a phone), read back later.
    let saved = serde_json::to_vec(&pending).unwrap();
    let pending: sign::Pending = serde_json::from_slice(&saved).unwrap();
    let signature = signet_pki::RawSigner::sign(&leader, &pending.to_be_signed).unwrap();
    let signed = sign::complete(pending, &signature, &pki).unwrap();
    let mut opts = Options::new(pki.anchors(), NOW);
    opts.fetched = {
        let first = signet_pades::verify(&signed, &opts).unwrap();
        signet_pades::sign::Services::revocation(&pki, &first.needs, NOW)
    };
    let r = signet_pades::verify(&signed, &opts).unwrap().report;
    assert_eq!(r.verdict, Indication::TotalPassed, "{r:#?}");
    assert_eq!(r.signatures[0].level.as_deref(), Some("B-T"));
    assert!(r.signatures[0].timestamp.is_some());

    // A signature made over other bytes is refused when embedding, not written broken.
    let pending = sign::prepare(
        &pdf,
        &request("LanhDao", Level::BB),
        alg,
        &leader.chain[0],
        &leader.chain[1..],
    )
    .unwrap();
    assert!(sign::complete(
        pending,
        &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
        &pki
    )
    .is_err());
}

#[test]
fn tampering_and_revocation_are_reported() {
    let pki = LocalPki::new(NOW).unwrap();
    let leader = pki.issue("Lê Văn Cường", false).unwrap();
    let pdf = document();
    let signed = sign_in_new_field(&pki, &leader, &pdf);
    let at = signed.windows(6).position(|w| w == b"Quyet ").unwrap();
    let mut flipped = signed.clone();
    flipped[at] ^= 0x01;
    let r = verify_offline(&pki, &flipped, NOW);
    assert_eq!(r.verdict, Indication::TotalFailed);
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(signet_pades::SubIndication::HashFailure)
    );

    // Revoked after signing, no timestamp: nothing proves the signature came first.
    let serial = signet_pki::validation::summarize(&leader.chain[0])
        .unwrap()
        .serial;
    pki.revoke(&serial).unwrap();
    let mut opts = Options::new(pki.anchors(), NOW + time::Duration::hours(1));
    let first = signet_pades::verify(&signed, &opts).unwrap();
    opts.fetched = signet_pades::sign::Services::revocation(&pki, &first.needs, NOW);
    let r = signet_pades::verify(&signed, &opts).unwrap().report;
    assert_ne!(r.verdict, Indication::TotalPassed, "{r:#?}");
    assert_eq!(
        r.signatures[0].revocation.as_ref().unwrap().status,
        "revoked"
    );
}

#[test]
fn a_damaged_unsigned_file_is_rewritten_then_signed() {
    let pki = LocalPki::new(NOW).unwrap();
    let leader = pki.issue("Đỗ Thị Hoa", false).unwrap();
    // startxref a few bytes off, as some office tools write it: readable, but only leniently.
    let mut pdf = document();
    let at = pdf.windows(9).rposition(|w| w == b"startxref").unwrap() + 10;
    let end = at + pdf[at..].iter().position(|c| !c.is_ascii_digit()).unwrap();
    let off: usize = std::str::from_utf8(&pdf[at..end]).unwrap().parse().unwrap();
    pdf.splice(at..end, (off - 3).to_string().into_bytes());
    assert!(signet_pdf::Document::parse(&pdf).unwrap().lenient());
    let signed = sign_in_new_field(&pki, &leader, &pdf);
    let doc = signet_pdf::Document::parse(&signed).unwrap();
    assert!(!doc.lenient() && !doc.recovered());
    let mut opts = Options::new(pki.anchors(), NOW);
    opts.revocation = RevocationPolicy::Skip;
    let r = signet_pades::verify(&signed, &opts).unwrap().report;
    assert_eq!(r.verdict, Indication::TotalPassed, "{r:#?}");
    assert_eq!(r.signatures[0].coverage, signet_pades::Coverage::EntireFile);
}

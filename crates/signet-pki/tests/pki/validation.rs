//! Path validation (`signet_pki::validation`) on our CA: each verdict compared with `openssl
//! verify` / `openssl ocsp` on the same inputs.

use crate::validation_support::{have_openssl, now, openssl, text, OsRng};
use signet_pki::validation::{
    ocsp_request, revocation_needs, validate, CertStatus, PathReport, Purpose, RevocationPolicy,
    RevocationReason, RevocationSource, TrustAnchors, ValidationContext,
};
use signet_pki::{pem, Ca, KeyAlg, Profile, Reason, Subject};
use signet_testkit::TempDir;
use time::{Duration, OffsetDateTime};

fn person() -> Subject {
    Subject {
        name: "Nguyễn Văn An".into(),
        agency_name: "Sở Tư pháp".into(),
        agency_code: "000.00.00.H06".into(),
        email: Some("an@example.gov.vn".into()),
        ..Subject::default()
    }
}

/// Our CA with a person certificate, files written for openssl.
struct Pki {
    dir: TempDir,
    ca: Ca,
    person: Vec<u8>,
    created: OffsetDateTime,
}

impl Pki {
    fn new(tag: &str) -> Pki {
        let created = now();
        let (mut ca, _, _) = Ca::init(
            "Signet Val CA",
            "http://127.0.0.1:9",
            KeyAlg::EcdsaP256,
            created,
            &mut OsRng,
        )
        .unwrap();
        let (p, _) = ca
            .issue_with_new_key(Profile::Person, &person(), created, &mut OsRng)
            .unwrap();
        let dir = TempDir::new(tag);
        dir.write("root.pem", pem("CERTIFICATE", ca.root_der()));
        dir.write("issuing.pem", pem("CERTIFICATE", ca.issuing_der()));
        dir.write("tsa.pem", pem("CERTIFICATE", ca.tsa_der()));
        dir.write("person.pem", pem("CERTIFICATE", &p.der));
        Pki {
            dir,
            ca,
            person: p.der,
            created,
        }
    }

    fn anchors(&self) -> TrustAnchors {
        TrustAnchors::from_pem_or_der(&self.dir.read("root.pem")).unwrap()
    }

    /// A context at `time` with the issuing CA in the pool and fresh CRLs of both levels
    /// (also written to crls.pem for openssl).
    fn ctx(&mut self, time: OffsetDateTime) -> ValidationContext {
        let crl = self.ca.next_issuing_crl(self.created).unwrap();
        let root_crl = self.ca.next_root_crl(self.created).unwrap();
        self.dir.write(
            "crls.pem",
            format!("{}{}", pem("X509 CRL", &crl), pem("X509 CRL", &root_crl)),
        );
        let mut ctx = ValidationContext::new(self.anchors(), time);
        ctx.intermediates.push(self.ca.issuing_der().to_vec());
        ctx.crls = vec![crl, root_crl];
        ctx
    }

    /// `openssl verify` with both CRLs checked for the whole chain, optionally at a time.
    fn openssl_verify(&self, leaf: &str, extra: &[&str]) -> String {
        let mut args = vec!["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem"];
        args.extend_from_slice(extra);
        args.push(leaf);
        text(&openssl(self.dir.dir(), &args))
    }

    fn openssl_verify_crl(&self, leaf: &str, extra: &[&str]) -> String {
        let mut e = vec!["-crl_check_all", "-CRLfile", "crls.pem"];
        e.extend_from_slice(extra);
        self.openssl_verify(leaf, &e)
    }
}

fn check(report: &PathReport) -> &CertStatus {
    &report.status
}

#[test]
fn fresh_person_certificate_is_valid_like_openssl_says() {
    let mut pki = Pki::new("valid");
    let ctx = pki.ctx(now());
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(check(&r), &CertStatus::Valid, "{r:#?}");
    assert_eq!(r.chain.len(), 3);
    assert_eq!(r.chain[0].subject_cn, "Nguyễn Văn An");
    assert_eq!(r.anchor.as_ref().unwrap().der, pki.ca.root_der());
    let sources: Vec<_> = r.per_cert.iter().map(|p| p.2).collect();
    assert_eq!(
        sources,
        [
            RevocationSource::Crl(0),
            RevocationSource::Crl(1),
            RevocationSource::None
        ]
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    if have_openssl() {
        let o = pki.openssl_verify_crl("person.pem", &[]);
        assert!(o.contains("person.pem: OK"), "{o}");
    }
}

#[test]
fn revoked_by_crl_with_date_and_reason_like_openssl() {
    let mut pki = Pki::new("revcrl");
    let serial = r_serial(&pki.person);
    let at = pki.created + Duration::seconds(5);
    pki.ca.revoke(&serial, Reason::KeyCompromise, at).unwrap();
    let ctx = pki.ctx(now() + Duration::seconds(10));
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(
        r.status,
        CertStatus::Revoked {
            at,
            reason: RevocationReason::KeyCompromise
        }
    );
    assert_eq!(r.per_cert[0].2, RevocationSource::Crl(0));
    // Validated before the revocation date, the same CRL says the certificate was good then.
    let mut before = ctx.clone();
    before.time = pki.created + Duration::seconds(1);
    let r = validate(&before, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::Valid, "{r:#?}");
    if have_openssl() {
        let o = pki.openssl_verify_crl("person.pem", &[]);
        assert!(o.contains("certificate revoked"), "{o}");
    }
}

/// The serial of a DER certificate as hex, read by openssl-independent means (our own parser).
fn r_serial(der: &[u8]) -> String {
    let ctx = ValidationContext::new(TrustAnchors::new(), now());
    validate(&ctx, der, Purpose::Any).unwrap().chain[0]
        .serial
        .clone()
}

#[test]
fn revoked_by_ocsp_like_openssl_ocsp() {
    let mut pki = Pki::new("revocsp");
    let serial = r_serial(&pki.person);
    let at = pki.created + Duration::seconds(2);
    pki.ca.revoke(&serial, Reason::Superseded, at).unwrap();
    let mut ctx = pki.ctx(now() + Duration::seconds(5));
    ctx.crls.remove(0); // only the root's CRL: the person's status must come from OCSP
    let req = ocsp_request(&pki.person, pki.ca.issuing_der()).unwrap();
    let resp = pki.ca.respond(&req, pki.ca.revocations(), now());
    ctx.ocsp_responses.push(resp.clone());
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(
        r.status,
        CertStatus::Revoked {
            at,
            reason: RevocationReason::Superseded
        },
        "{r:#?}"
    );
    assert_eq!(r.per_cert[0].2, RevocationSource::Ocsp(0));
    // A response for another certificate is not taken for this one.
    let (other, _) = pki
        .ca
        .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
        .unwrap();
    let r = validate(&ctx, &other.der, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::RevocationUnknown, "{r:#?}");
    if have_openssl() {
        pki.dir.write("resp.der", &resp);
        pki.dir.write(
            "chain.pem",
            format!(
                "{}{}",
                pem("CERTIFICATE", pki.ca.issuing_der()),
                pem("CERTIFICATE", pki.ca.root_der())
            ),
        );
        let o = text(&openssl(
            pki.dir.dir(),
            &[
                "ocsp",
                "-respin",
                "resp.der",
                "-issuer",
                "issuing.pem",
                "-cert",
                "person.pem",
                "-CAfile",
                "chain.pem",
            ],
        ));
        assert!(o.contains("Response verify OK"), "{o}");
        assert!(o.contains("person.pem: revoked"), "{o}");
        assert!(o.contains("Reason: superseded"), "{o}");
    }
}

#[test]
fn expired_and_not_yet_valid_like_openssl_attime() {
    let mut pki = Pki::new("time");
    let person_not_after = pki.created + signet_pki::PERSON_VALIDITY;
    let late = person_not_after + Duration::days(1);
    let ctx = pki.ctx(late);
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::Expired, "{r:#?}");
    assert_eq!(r.per_cert[0].1, CertStatus::Expired);
    let early = pki.created - Duration::minutes(5);
    let mut ctx_early = ctx.clone();
    ctx_early.time = early;
    let r = validate(&ctx_early, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::NotYetValid, "{r:#?}");
    if have_openssl() {
        let t = late.unix_timestamp().to_string();
        let o = pki.openssl_verify_crl("person.pem", &["-attime", &t]);
        assert!(o.contains("certificate has expired"), "{o}");
        let t = early.unix_timestamp().to_string();
        let o = pki.openssl_verify_crl("person.pem", &["-attime", &t]);
        assert!(o.contains("certificate is not yet valid"), "{o}");
    }
}

#[test]
fn unknown_issuer_without_the_root_like_openssl() {
    let mut pki = Pki::new("unknown");
    let other = Pki::new("unknown-other");
    let mut ctx = pki.ctx(now());
    ctx.anchors = other.anchors();
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::UnknownIssuer, "{r:#?}");
    // The partial chain reaches the issuing CA, whose AIA/issuer is what is missing.
    assert_eq!(r.chain.len(), 2);
    assert!(r.per_cert.is_empty() && r.anchor.is_none());
    // Without the issuing CA in the pool the chain stops at the person.
    ctx.intermediates.clear();
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!((r.status, r.chain.len()), (CertStatus::UnknownIssuer, 1));
    if have_openssl() {
        let o = text(&openssl(
            pki.dir.dir(),
            &[
                "verify",
                "-CAfile",
                &other.dir.path("root.pem").display().to_string(),
                "-untrusted",
                "issuing.pem",
                "person.pem",
            ],
        ));
        assert!(o.contains("unable to get local issuer certificate"), "{o}");
    }
}

#[test]
fn missing_revocation_data_by_policy_like_openssl() {
    let mut pki = Pki::new("norev");
    let mut ctx = pki.ctx(now());
    ctx.crls.clear();
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::RevocationUnknown, "{r:#?}");
    assert_eq!(r.per_cert[0].1, CertStatus::RevocationUnknown);
    // What to fetch: the person (OCSP + CRL URLs of the CA) and the issuing CA (root CRL).
    let needs = revocation_needs(&r);
    assert_eq!(needs.len(), 2);
    assert_eq!(needs[0].ocsp_urls, ["http://127.0.0.1:9/ocsp"]);
    assert_eq!(needs[0].crl_urls, ["http://127.0.0.1:9/crl/issuing.crl"]);
    assert_eq!(needs[1].crl_urls, ["http://127.0.0.1:9/crl/root.crl"]);
    assert!(needs[1].ocsp_urls.is_empty());
    // The prepared request is one our responder answers "good" — and then it validates.
    let resp = pki
        .ca
        .respond(&needs[0].ocsp_request_der, pki.ca.revocations(), now());
    ctx.ocsp_responses.push(resp);
    ctx.crls.push(pki.ca.next_root_crl(now()).unwrap());
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::Valid, "{r:#?}");
    assert_eq!(r.per_cert[0].2, RevocationSource::Ocsp(0));
    assert!(revocation_needs(&r).is_empty());

    ctx.crls.clear();
    ctx.ocsp_responses.clear();
    ctx.revocation = RevocationPolicy::SoftFail;
    assert_eq!(
        validate(&ctx, &pki.person, Purpose::DocumentSigning)
            .unwrap()
            .status,
        CertStatus::Valid
    );
    ctx.revocation = RevocationPolicy::Skip;
    assert_eq!(
        validate(&ctx, &pki.person, Purpose::DocumentSigning)
            .unwrap()
            .status,
        CertStatus::Valid
    );
    if have_openssl() {
        let o = pki.openssl_verify("person.pem", &["-crl_check"]);
        assert!(o.contains("unable to get certificate CRL"), "{o}");
    }
}

#[test]
fn tsa_certificate_for_timestamping_only_like_openssl_purpose() {
    let mut pki = Pki::new("tsa");
    let ctx = pki.ctx(now());
    let tsa = pki.ca.tsa_der().to_vec();
    let r = validate(&ctx, &tsa, Purpose::Timestamping).unwrap();
    assert_eq!(r.status, CertStatus::Valid, "{r:#?}");
    let r = validate(&ctx, &pki.person, Purpose::Timestamping).unwrap();
    assert!(
        matches!(r.status, CertStatus::Invalid(ref m) if m.contains("time-stamping")),
        "{r:#?}"
    );
    // ...and the TSA certificate does not sign documents, nor answer OCSP.
    let r = validate(&ctx, &tsa, Purpose::DocumentSigning).unwrap();
    assert!(matches!(r.status, CertStatus::Invalid(_)), "{r:#?}");
    let ocsp = pki.ca.ocsp_der().to_vec();
    let r = validate(&ctx, &ocsp, Purpose::OcspSigning).unwrap();
    assert_eq!(r.status, CertStatus::Valid, "{r:#?}");
    assert_eq!(r.per_cert[0].2, RevocationSource::NoCheck);
    if have_openssl() {
        let o = pki.openssl_verify_crl("tsa.pem", &["-purpose", "timestampsign"]);
        assert!(o.contains("tsa.pem: OK"), "{o}");
        let o = pki.openssl_verify_crl("person.pem", &["-purpose", "timestampsign"]);
        assert!(o.contains("unsuitable certificate purpose"), "{o}");
    }
}

#[test]
fn not_a_ca_cannot_issue_and_bad_signature_is_invalid() {
    let mut pki = Pki::new("notca");
    let ctx = pki.ctx(now());
    // A certificate "issued" by the person: rcgen signs with the person's key.
    let (p, key) = pki
        .ca
        .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
        .unwrap();
    let key = rcgen::KeyPair::try_from(key.pkcs8_der.as_slice()).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_der(&p.der.clone().into(), &key).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["x.example".into()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Sub of a person");
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = params.signed_by(&leaf_key, &issuer).unwrap();
    let mut ctx2 = ctx.clone();
    ctx2.intermediates.push(p.der.clone());
    ctx2.revocation = RevocationPolicy::Skip;
    let r = validate(&ctx2, leaf.der(), Purpose::Any).unwrap();
    assert!(
        matches!(r.status, CertStatus::Invalid(ref m) if m.contains("not a CA")),
        "{r:#?}"
    );
    // A flipped bit in the person certificate's signature.
    let mut bad = pki.person.clone();
    let n = bad.len();
    bad[n - 3] ^= 0x01;
    let r = validate(&ctx, &bad, Purpose::DocumentSigning).unwrap();
    assert!(
        matches!(r.status, CertStatus::Invalid(ref m) if m.contains("does not verify")),
        "{r:#?}"
    );
    if have_openssl() {
        pki.dir.write("bad.der", &bad);
        let o = text(&openssl(
            pki.dir.dir(),
            &[
                "x509", "-inform", "DER", "-in", "bad.der", "-out", "bad.pem",
            ],
        ));
        assert!(o.is_empty(), "{o}");
        let o = pki.openssl_verify("bad.pem", &[]);
        assert!(o.contains("certificate signature failure"), "{o}");
        pki.dir.write("p2.pem", pem("CERTIFICATE", &p.der));
        pki.dir.write("leaf.pem", pem("CERTIFICATE", leaf.der()));
        let o = text(&openssl(
            pki.dir.dir(),
            &[
                "verify",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "issuing.pem",
                "-untrusted",
                "p2.pem",
                "leaf.pem",
            ],
        ));
        assert!(o.contains("invalid CA certificate"), "{o}");
    }
}

#[test]
fn anchors_read_pem_bundles_and_der() {
    let pki = Pki::new("anchors");
    let bundle = format!(
        "# comment\n{}{}{}",
        pem("CERTIFICATE", pki.ca.root_der()),
        pem("X509 CRL", b"not read"),
        pem("CERTIFICATE", pki.ca.issuing_der())
    );
    let mut a = TrustAnchors::from_pem_or_der(bundle.as_bytes()).unwrap();
    assert_eq!(a.len(), 2);
    a.add(pki.ca.root_der()).unwrap();
    assert_eq!(a.len(), 2, "a duplicate is not added");
    assert_eq!(
        TrustAnchors::from_pem_or_der(pki.ca.root_der())
            .unwrap()
            .len(),
        1
    );
    assert!(TrustAnchors::from_pem_or_der(b"hello").is_err());
    assert!(TrustAnchors::from_pem_or_der(&[0x30, 0x03, 0x02, 0x01]).is_err());
    // Trusting the issuing CA directly is enough: the path stops there.
    let mut ctx = ValidationContext::new(
        TrustAnchors::from_pem_or_der(pki.ca.issuing_der()).unwrap(),
        now(),
    );
    ctx.revocation = RevocationPolicy::Skip;
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!((r.status, r.chain.len()), (CertStatus::Valid, 2));
}

/// Prints the cost of one validation (3 certificates, a CRL per CA and an OCSP response), and
/// keeps it bounded even in a debug build.
#[test]
fn one_validation_is_fast() {
    let mut pki = Pki::new("speed");
    let mut ctx = pki.ctx(now());
    let req = ocsp_request(&pki.person, pki.ca.issuing_der()).unwrap();
    ctx.ocsp_responses
        .push(pki.ca.respond(&req, pki.ca.revocations(), now()));
    let n = 100;
    let start = std::time::Instant::now();
    for _ in 0..n {
        let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
        assert_eq!(r.status, CertStatus::Valid);
    }
    let each = start.elapsed() / n;
    eprintln!("one validation (3 certs, 2 CRLs, 1 OCSP response): {each:?}");
    assert!(each < std::time::Duration::from_millis(200), "{each:?}");
}

/// A sub-CA below the issuing CA (pathLen 0) and a leaf with an unknown critical extension:
/// both refused, as openssl refuses them.
#[test]
fn path_length_and_unknown_critical_extension_like_openssl() {
    let created = now();
    let (mut ca, keys, _) = Ca::init(
        "Signet Len CA",
        "http://127.0.0.1:9",
        KeyAlg::EcdsaP256,
        created,
        &mut OsRng,
    )
    .unwrap();
    let (_, key_der) = der::pem::decode_vec(keys.issuing.as_bytes()).unwrap();
    let issuing_key = rcgen::KeyPair::try_from(key_der.as_slice()).unwrap();
    let issuing =
        rcgen::Issuer::from_ca_cert_der(&ca.issuing_der().to_vec().into(), &issuing_key).unwrap();
    // Sub-CA signed by the issuing CA, leaf by the sub-CA.
    let mut sp = rcgen::CertificateParams::default();
    sp.distinguished_name
        .push(rcgen::DnType::CommonName, "Too Deep CA");
    sp.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    sp.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
    let sub_key = rcgen::KeyPair::generate().unwrap();
    let sub = sp.signed_by(&sub_key, &issuing).unwrap();
    let sub_issuer = rcgen::Issuer::new(sp, &sub_key);
    let mut lp = rcgen::CertificateParams::default();
    lp.distinguished_name
        .push(rcgen::DnType::CommonName, "Deep Leaf");
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = lp.signed_by(&leaf_key, &sub_issuer).unwrap();
    // A leaf of the issuing CA with a critical extension nobody knows.
    let mut cp = rcgen::CertificateParams::default();
    cp.distinguished_name
        .push(rcgen::DnType::CommonName, "Odd Leaf");
    let mut ext = rcgen::CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 4, 1, 32473, 9, 9],
        vec![0x05, 0x00],
    );
    ext.set_criticality(true);
    cp.custom_extensions = vec![ext];
    let odd = cp.signed_by(&leaf_key, &issuing).unwrap();

    let mut ctx =
        ValidationContext::new(TrustAnchors::from_pem_or_der(ca.root_der()).unwrap(), now());
    ctx.intermediates = vec![ca.issuing_der().to_vec(), sub.der().to_vec()];
    ctx.revocation = RevocationPolicy::Skip;
    let r = validate(&ctx, leaf.der(), Purpose::Any).unwrap();
    assert!(
        matches!(r.status, CertStatus::Invalid(ref m) if m.contains("pathLenConstraint")),
        "{r:#?}"
    );
    let r = validate(&ctx, odd.der(), Purpose::Any).unwrap();
    assert!(
        matches!(r.status, CertStatus::Invalid(ref m) if m.contains("critical extension 1.3.6.1.4.1.32473.9.9")),
        "{r:#?}"
    );
    let _ = ca.next_issuing_crl(created);
    if have_openssl() {
        let dir = TempDir::new("pathlen");
        dir.write("root.pem", pem("CERTIFICATE", ca.root_der()));
        dir.write(
            "chain.pem",
            format!(
                "{}{}",
                pem("CERTIFICATE", ca.issuing_der()),
                pem("CERTIFICATE", sub.der())
            ),
        );
        dir.write("leaf.pem", pem("CERTIFICATE", leaf.der()));
        dir.write("odd.pem", pem("CERTIFICATE", odd.der()));
        let v = |leaf: &str| {
            text(&openssl(
                dir.dir(),
                &[
                    "verify",
                    "-CAfile",
                    "root.pem",
                    "-untrusted",
                    "chain.pem",
                    leaf,
                ],
            ))
        };
        let o = v("leaf.pem");
        assert!(o.contains("path length constraint exceeded"), "{o}");
        let o = v("odd.pem");
        assert!(
            o.contains("unhandled critical extension")
                || o.contains("unsupported certificate extension"),
            "{o}"
        );
    }
}

/// An OCSP response without the responder's certificate (as a DSS may keep them apart) is
/// usable when that certificate is in the pool, and not otherwise.
#[test]
fn ocsp_responder_certificate_from_the_pool() {
    use der::{Decode, Encode};
    let mut pki = Pki::new("ocsppool");
    let mut ctx = pki.ctx(now());
    ctx.crls.remove(0);
    let req = ocsp_request(&pki.person, pki.ca.issuing_der()).unwrap();
    let resp = pki.ca.respond(&req, pki.ca.revocations(), now());
    let mut outer = x509_ocsp::OcspResponse::from_der(&resp).unwrap();
    let bytes = outer.response_bytes.as_mut().unwrap();
    let mut basic = x509_ocsp::BasicOcspResponse::from_der(bytes.response.as_bytes()).unwrap();
    assert!(basic.certs.take().is_some());
    bytes.response = der::asn1::OctetString::new(basic.to_der().unwrap()).unwrap();
    ctx.ocsp_responses.push(outer.to_der().unwrap());
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::RevocationUnknown, "{r:#?}");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("not signed by the issuer")),
        "{:?}",
        r.warnings
    );
    ctx.intermediates.push(pki.ca.ocsp_der().to_vec());
    let r = validate(&ctx, &pki.person, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::Valid, "{r:#?}");
    assert_eq!(r.per_cert[0].2, RevocationSource::Ocsp(0));
}

/// A CRL of 20,000 entries (one of them the person's): found, and the cost printed.
#[test]
fn large_crl_lookup() {
    let created = now();
    let (mut ca, keys, _) = Ca::init(
        "Signet Big CRL CA",
        "http://127.0.0.1:9",
        KeyAlg::EcdsaP256,
        created,
        &mut OsRng,
    )
    .unwrap();
    let (p, _) = ca
        .issue_with_new_key(Profile::Person, &person(), created, &mut OsRng)
        .unwrap();
    let (_, key_der) = der::pem::decode_vec(keys.issuing.as_bytes()).unwrap();
    let key = rcgen::KeyPair::try_from(key_der.as_slice()).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_der(&ca.issuing_der().to_vec().into(), &key).unwrap();
    let n: u32 = 20_000;
    let mut revoked: Vec<rcgen::RevokedCertParams> = (1..=n)
        .map(|i| rcgen::RevokedCertParams {
            serial_number: rcgen::SerialNumber::from_slice(
                &[&[0x7f][..], &i.to_be_bytes()].concat(),
            ),
            revocation_time: created,
            reason_code: Some(rcgen::RevocationReason::Superseded),
            invalidity_date: None,
        })
        .collect();
    revoked.insert(
        (n / 2) as usize,
        rcgen::RevokedCertParams {
            serial_number: rcgen::SerialNumber::from_slice(&hex::decode(&p.serial).unwrap()),
            revocation_time: created,
            reason_code: Some(rcgen::RevocationReason::CessationOfOperation),
            invalidity_date: None,
        },
    );
    let crl = rcgen::CertificateRevocationListParams {
        this_update: created,
        next_update: created + Duration::days(7),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked,
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .unwrap();
    let mut ctx = ValidationContext::new(
        TrustAnchors::from_pem_or_der(ca.root_der()).unwrap(),
        now() + Duration::seconds(1),
    );
    ctx.intermediates.push(ca.issuing_der().to_vec());
    ctx.crls = vec![crl.der().to_vec(), ca.next_root_crl(created).unwrap()];
    let start = std::time::Instant::now();
    let r = validate(&ctx, &p.der, Purpose::DocumentSigning).unwrap();
    eprintln!(
        "validation with a {} KiB CRL of {} entries: {:?}",
        crl.der().len() / 1024,
        n + 1,
        start.elapsed()
    );
    assert_eq!(
        r.status,
        CertStatus::Revoked {
            at: created,
            reason: RevocationReason::CessationOfOperation
        },
        "{:?}",
        r.status
    );
}

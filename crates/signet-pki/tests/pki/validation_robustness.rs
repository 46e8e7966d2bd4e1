//! Hostile input to the validator: mutated and truncated certificates, CRLs and OCSP responses
//! give errors or verdicts, never a panic; and a mutated input is never "Valid" by accident.

use signet_pki::validation::{
    ocsp_request, revocation_needs, validate, CertStatus, Purpose, TrustAnchors, ValidationContext,
};
use signet_pki::{Ca, KeyAlg, Profile, Subject};
use signet_testkit::SplitMix64 as Rng;
use time::OffsetDateTime;

/// A copy of `data` with 1-4 bytes changed, or truncated, or with a byte inserted.
fn mutate(rng: &mut Rng, data: &[u8]) -> Vec<u8> {
    use rand_core::RngCore;
    let mut v = data.to_vec();
    match rng.next_u32() % 4 {
        0 => v.truncate((rng.next_u32() as usize) % data.len()),
        1 => {
            let i = (rng.next_u32() as usize) % (v.len() + 1);
            v.insert(i, rng.next_u32() as u8);
        }
        _ => {
            for _ in 0..=(rng.next_u32() % 4) {
                let i = (rng.next_u32() as usize) % v.len();
                v[i] ^= 1 << (rng.next_u32() % 8);
            }
        }
    }
    v
}

#[test]
fn mutated_inputs_never_panic_nor_pass() {
    use rand_core::RngCore;
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let mut rng = Rng(11);
    let (mut ca, _, _) = Ca::init(
        "Fuzz CA",
        "http://x.invalid",
        KeyAlg::EcdsaP256,
        now,
        &mut rng,
    )
    .unwrap();
    let subject = Subject {
        name: "Fuzz Person".into(),
        agency_code: "H06".into(),
        ..Subject::default()
    };
    let (p, _) = ca
        .issue_with_new_key(Profile::Person, &subject, now, &mut rng)
        .unwrap();
    let crl = ca.next_issuing_crl(now).unwrap();
    let root_crl = ca.next_root_crl(now).unwrap();
    let req = ocsp_request(&p.der, ca.issuing_der()).unwrap();
    let resp = ca.respond(&req, ca.revocations(), now);
    let mut ctx =
        ValidationContext::new(TrustAnchors::from_pem_or_der(ca.root_der()).unwrap(), now);
    ctx.intermediates.push(ca.issuing_der().to_vec());
    ctx.crls = vec![crl.clone(), root_crl.clone()];
    ctx.ocsp_responses = vec![resp.clone()];
    let good = validate(&ctx, &p.der, Purpose::DocumentSigning).unwrap();
    assert_eq!(good.status, CertStatus::Valid);

    let mut outcomes = [0usize; 3];
    for round in 0..1500 {
        let mut c = ctx.clone();
        let mut leaf = p.der.clone();
        match round % 5 {
            0 => leaf = mutate(&mut rng, &p.der),
            1 => c.intermediates[0] = mutate(&mut rng, ca.issuing_der()),
            2 => c.crls[1] = mutate(&mut rng, &root_crl),
            3 => {
                // Without the OCSP answer the person's status rests on the mutated CRL.
                c.ocsp_responses.clear();
                c.crls[0] = mutate(&mut rng, &crl);
            }
            _ => {
                c.crls.remove(0);
                c.ocsp_responses[0] = mutate(&mut rng, &resp);
            }
        }
        match validate(&c, &leaf, Purpose::DocumentSigning) {
            Err(_) => outcomes[0] += 1,
            Ok(r) if r.status == CertStatus::Valid => {
                outcomes[1] += 1;
                // A "valid" verdict is only possible for the certificate we issued, intact.
                assert_eq!(r.chain[0].der, p.der);
                assert_eq!(r.per_cert.len(), 3);
                let _ = revocation_needs(&r);
            }
            Ok(r) => {
                outcomes[2] += 1;
                let _ = revocation_needs(&r);
            }
        }
    }
    // Most mutations break something; some hit unsigned bytes (e.g. the outer signature
    // encoding of a response we do not need), so every kind of outcome shows up.
    assert!(outcomes[0] > 0 && outcomes[2] > 0, "{outcomes:?}");

    // Random strings as every kind of input.
    for _ in 0..500 {
        let len = (rng.next_u32() % 200) as usize;
        let mut junk = vec![0u8; len];
        rng.fill_bytes(&mut junk);
        if len > 1 && rng.next_u32() & 1 == 0 {
            junk[0] = 0x30;
        }
        assert!(validate(&ctx, &junk, Purpose::Any).is_err());
        let _ = TrustAnchors::from_pem_or_der(&junk);
        let mut c = ctx.clone();
        c.intermediates.push(junk.clone());
        c.crls.push(junk.clone());
        c.ocsp_responses.push(junk.clone());
        let r = validate(&c, &p.der, Purpose::DocumentSigning).unwrap();
        assert_eq!(r.status, CertStatus::Valid);
        assert!(r.warnings.len() >= 2, "{:?}", r.warnings);
    }
}

#[test]
fn many_namesake_issuers_are_bounded() {
    // 300 different CAs all named like the issuing CA: the search stops within its limits and
    // still finds the real issuer among them (AKI/SKI first).
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let mut rng = Rng(5);
    let (mut ca, _, _) =
        Ca::init("Same", "http://x.invalid", KeyAlg::EcdsaP256, now, &mut rng).unwrap();
    let subject = Subject {
        name: "P".into(),
        agency_code: "H06".into(),
        ..Subject::default()
    };
    let (p, _) = ca
        .issue_with_new_key(Profile::Person, &subject, now, &mut rng)
        .unwrap();
    let mut ctx =
        ValidationContext::new(TrustAnchors::from_pem_or_der(ca.root_der()).unwrap(), now);
    ctx.revocation = signet_pki::validation::RevocationPolicy::Skip;
    for _ in 0..30 {
        let (other, _, _) =
            Ca::init("Same", "http://x.invalid", KeyAlg::EcdsaP256, now, &mut rng).unwrap();
        for _ in 0..10 {
            ctx.intermediates.push(other.issuing_der().to_vec());
        }
        ctx.intermediates.push(other.issuing_der().to_vec());
    }
    ctx.intermediates.push(ca.issuing_der().to_vec());
    let start = std::time::Instant::now();
    let r = validate(&ctx, &p.der, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::Valid, "{r:#?}");
    assert!(start.elapsed().as_secs() < 10);
}

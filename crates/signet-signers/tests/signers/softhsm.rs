//! The built-in CA with its four keys generated inside SoftHSM2 (a PKCS#11 token), checked by
//! openssl: chain and CRL, an OCSP response, a time-stamp token.

use signet_pki::{pem, Ca, CaSigningKeys, KeyAlg, Profile, Reason, Subject};
use signet_signers::{Curve, SignerError, Token};
use signet_testkit::softhsm::SoftHsm;
use signet_testkit::{run, text, OsRng, TempDir};
use time::OffsetDateTime;

#[test]
fn ca_keys_on_softhsm() {
    let Some(t) = SoftHsm::in_process_token("signet-ca", "123456") else {
        return;
    };
    let module = &t.module;
    let dir = TempDir::new("hsm");
    let d = dir.dir();

    // A wrong PIN is refused (before any good login on this token: the login state is per
    // process and token).
    let err = Token::open(module, &t.label, "000000").unwrap_err();
    assert!(matches!(err, SignerError::Login(_)), "{err}");
    let err = Token::open(module, "no-such-token", "123456").unwrap_err();
    assert!(matches!(err, SignerError::NoToken(_)), "{err}");

    let token = Token::open(module, &t.label, &t.pin).unwrap();
    let gen = |l: &str| -> signet_pki::CaKey { Box::new(token.generate(l, Curve::P256).unwrap()) };
    let keys = CaSigningKeys {
        root: gen("root"),
        issuing: gen("issuing"),
        ocsp: gen("ocsp"),
        tsa: gen("tsa"),
    };
    assert!(matches!(
        token.generate("root", Curve::P256),
        Err(SignerError::LabelTaken(_))
    ));
    let now = OffsetDateTime::now_utc();
    let (ca, record) = Ca::init_with_keys(
        "Signet HSM CA",
        "http://127.0.0.1:9",
        KeyAlg::EcdsaP256,
        now,
        &mut OsRng,
        keys,
    )
    .unwrap();
    assert!(ca.keys().is_none());
    drop(ca);

    // Reopen the keys by label, as a later process would.
    let again = |l: &str| -> signet_pki::CaKey { Box::new(token.key(l).unwrap()) };
    let keys = CaSigningKeys {
        root: again("root"),
        issuing: again("issuing"),
        ocsp: again("ocsp"),
        tsa: again("tsa"),
    };
    let mut ca = Ca::load_with_keys(keys, record).unwrap();
    let subject = Subject {
        name: "Phạm Thị Thu Hà".into(),
        agency_code: "000.00.00.H06".into(),
        ..Subject::default()
    };
    let (good, _) = ca
        .issue_with_new_key(Profile::Person, &subject, now, &mut OsRng)
        .unwrap();
    let (bad, _) = ca
        .issue_with_new_key(Profile::Person, &subject, now, &mut OsRng)
        .unwrap();
    ca.revoke(&bad.serial, Reason::KeyCompromise, now).unwrap();
    let crl = ca.next_issuing_crl(now).unwrap();
    let root_crl = ca.next_root_crl(now).unwrap();
    let w = |name: &str, data: &[u8]| std::fs::write(d.join(name), data).unwrap();
    w("root.pem", pem("CERTIFICATE", ca.root_der()).as_bytes());
    w(
        "issuing.pem",
        pem("CERTIFICATE", ca.issuing_der()).as_bytes(),
    );
    w("good.pem", good.pem().as_bytes());
    w("bad.pem", bad.pem().as_bytes());
    w(
        "crls.pem",
        format!("{}{}", pem("X509 CRL", &crl), pem("X509 CRL", &root_crl)).as_bytes(),
    );
    let verify = |leaf: &str| {
        run(
            d,
            "openssl",
            &[
                "verify",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "issuing.pem",
                "-crl_check_all",
                "-CRLfile",
                "crls.pem",
                leaf,
            ],
        )
    };
    let o = verify("good.pem");
    assert!(o.status.success(), "{}", text(&o));
    let o = verify("bad.pem");
    assert!(
        !o.status.success() && text(&o).contains("certificate revoked"),
        "{}",
        text(&o)
    );

    // OCSP signed by the token's OCSP key.
    let o = run(
        d,
        "openssl",
        &[
            "ocsp",
            "-issuer",
            "issuing.pem",
            "-cert",
            "bad.pem",
            "-no_nonce",
            "-reqout",
            "q.der",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    w(
        "r.der",
        &ca.respond(
            &std::fs::read(d.join("q.der")).unwrap(),
            ca.revocations(),
            now,
        ),
    );
    let t = text(&run(
        d,
        "openssl",
        &[
            "ocsp",
            "-issuer",
            "issuing.pem",
            "-cert",
            "bad.pem",
            "-no_nonce",
            "-respin",
            "r.der",
            "-CAfile",
            "root.pem",
        ],
    ));
    assert!(
        t.contains("Response verify OK") && t.contains("bad.pem: revoked"),
        "{t}"
    );

    // A time-stamp token signed by the token's TSA key.
    w("doc.txt", "Tờ trình số 7/TTr-VP\n".as_bytes());
    let o = run(
        d,
        "openssl",
        &[
            "ts", "-query", "-data", "doc.txt", "-sha256", "-cert", "-out", "q.tsq",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    w(
        "r.tsr",
        &ca.timestamp(&std::fs::read(d.join("q.tsq")).unwrap(), 1, now),
    );
    let t = text(&run(
        d,
        "openssl",
        &[
            "ts",
            "-verify",
            "-data",
            "doc.txt",
            "-in",
            "r.tsr",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
        ],
    ));
    assert!(t.contains("Verification: OK"), "{t}");
}

//! The CA, CRL, OCSP responder and TSA checked by the `openssl` command as referee.

use signet_pki::{pem, Ca, KeyAlg, PkiError, Profile, Reason, Subject};
use signet_testkit::{openssl, text, OsRng, TempDir};
use time::OffsetDateTime;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn person() -> Subject {
    Subject {
        name: "Nguyễn Thị Minh Khai".into(),
        agency_name: "Ủy ban nhân dân tỉnh Bắc Ninh".into(),
        agency_code: "000.00.00.H06".into(),
        unit: Some("Văn phòng".into()),
        title: Some("Chánh Văn phòng".into()),
        email: Some("khai@bacninh.gov.vn".into()),
    }
}

fn organization() -> Subject {
    Subject {
        name: "Ủy ban nhân dân tỉnh Bắc Ninh".into(),
        agency_code: "000.00.00.H06".into(),
        ..Subject::default()
    }
}

fn new_ca(dir: &TempDir) -> Ca {
    let (ca, _keys, _record) = Ca::init(
        "Signet Test CA",
        "http://127.0.0.1:9/",
        KeyAlg::EcdsaP256,
        now(),
        &mut OsRng,
    )
    .unwrap();
    dir.write("root.pem", pem("CERTIFICATE", ca.root_der()));
    dir.write("issuing.pem", pem("CERTIFICATE", ca.issuing_der()));
    ca
}

#[test]
fn hierarchy_and_crl_verify_with_openssl() {
    let dir = TempDir::new("crl");
    let mut ca = new_ca(&dir);
    let (good, _key) = ca
        .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
        .unwrap();
    let (bad, _key) = ca
        .issue_with_new_key(Profile::Organization, &organization(), now(), &mut OsRng)
        .unwrap();
    dir.write("good.pem", good.pem());
    dir.write("bad.pem", bad.pem());
    ca.revoke(&bad.serial, Reason::KeyCompromise, now())
        .unwrap();
    assert!(matches!(
        ca.revoke(&bad.serial, Reason::KeyCompromise, now()),
        Err(PkiError::AlreadyRevoked(_))
    ));
    assert!(matches!(
        ca.revoke("01", Reason::KeyCompromise, now()),
        Err(PkiError::UnknownSerial(_))
    ));
    let crl = ca.next_issuing_crl(now()).unwrap();
    let root_crl = ca.next_root_crl(now()).unwrap();
    let crl2 = ca.next_issuing_crl(now()).unwrap();
    assert!(ca.record().crl_number >= now().unix_timestamp() as u64 - 5);
    assert_ne!(crl, crl2);
    dir.write(
        "crls.pem",
        format!("{}{}", pem("X509 CRL", &crl2), pem("X509 CRL", &root_crl)),
    );

    // Every CA-side certificate verifies (the OCSP and TSA certificates too).
    dir.write("ocsp.pem", pem("CERTIFICATE", ca.ocsp_der()));
    dir.write("tsa.pem", pem("CERTIFICATE", ca.tsa_der()));
    for leaf in ["issuing.pem", "ocsp.pem", "tsa.pem", "good.pem"] {
        let o = openssl(
            dir.dir(),
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
        );
        assert!(o.status.success(), "{leaf}: {}", text(&o));
        assert!(text(&o).contains(": OK"), "{}", text(&o));
    }
    let o = openssl(
        dir.dir(),
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
            "-crl_check",
            "-CRLfile",
            "crls.pem",
            "bad.pem",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("certificate revoked"), "{}", text(&o));

    // CRL fields as openssl reads them.
    dir.write("crl.der", &crl2);
    let o = openssl(
        dir.dir(),
        &["crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text"],
    );
    let t = text(&o);
    assert!(
        t.contains("X509v3 CRL Number")
            && t.contains(&format!("\n                {}\n", ca.record().crl_number)),
        "{t}"
    );
    assert!(t.contains("Authority Key Identifier"), "{t}");
    assert!(t.contains("Key Compromise"), "{t}");
    assert!(t.contains("Next Update"), "{t}");
}

#[test]
fn profiles_as_openssl_prints_them() {
    let dir = TempDir::new("profiles");
    let mut ca = new_ca(&dir);
    let (p, _) = ca
        .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
        .unwrap();
    dir.write("p.pem", p.pem());
    let o = openssl(
        dir.dir(),
        &[
            "x509", "-in", "p.pem", "-noout", "-subject", "-nameopt", "utf8",
        ],
    );
    let t = text(&o);
    assert!(t.contains("CN=Nguyễn Thị Minh Khai"), "{t}");
    assert!(t.contains("O=Ủy ban nhân dân tỉnh Bắc Ninh"), "{t}");
    assert!(t.contains("OU=Văn phòng"), "{t}");
    assert!(t.contains("title=Chánh Văn phòng"), "{t}");
    assert!(t.contains("emailAddress=khai@bacninh.gov.vn"), "{t}");
    // UTF8String, not a BMP or T.61 string.
    let o = openssl(dir.dir(), &["asn1parse", "-in", "p.pem"]);
    assert!(text(&o).contains("UTF8STRING        :Nguy"), "{}", text(&o));

    let o = openssl(dir.dir(), &["x509", "-in", "p.pem", "-noout", "-text"]);
    let t = text(&o);
    assert!(
        t.contains(
            "X509v3 Key Usage: critical\n                Digital Signature, Non Repudiation"
        ),
        "{t}"
    );
    assert!(
        t.contains("X509v3 Extended Key Usage: \n                E-mail Protection\n"),
        "{t}"
    );
    assert!(t.contains("URI:http://127.0.0.1:9/crl/issuing.crl"), "{t}");
    assert!(t.contains("OCSP - URI:http://127.0.0.1:9/ocsp"), "{t}");
    assert!(
        t.contains("CA Issuers - URI:http://127.0.0.1:9/ca/issuing.cer"),
        "{t}"
    );
    assert!(t.contains("email:khai@bacninh.gov.vn"), "{t}");
    assert!(t.contains("CA:FALSE"), "{t}");
    // a serial of at least 64 bits
    let serial = t
        .split("Serial Number:")
        .nth(1)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    assert!(serial.split(':').count() >= 8, "{serial}");

    let (o_cert, _) = ca
        .issue_with_new_key(Profile::Organization, &organization(), now(), &mut OsRng)
        .unwrap();
    dir.write("o.pem", o_cert.pem());
    let o = openssl(
        dir.dir(),
        &[
            "x509",
            "-in",
            "o.pem",
            "-noout",
            "-subject",
            "-nameopt",
            "utf8,sep_comma_plus",
        ],
    );
    let t = text(&o);
    assert!(t.contains("CN=Ủy ban nhân dân tỉnh Bắc Ninh"), "{t}");
    assert!(t.contains("organizationIdentifier=000.00.00.H06"), "{t}");

    dir.write("ocsp.pem", pem("CERTIFICATE", ca.ocsp_der()));
    let t = text(&openssl(
        dir.dir(),
        &["x509", "-in", "ocsp.pem", "-noout", "-text"],
    ));
    assert!(
        t.contains("X509v3 Extended Key Usage: critical\n                OCSP Signing\n"),
        "{t}"
    );
    assert!(t.contains("OCSP No Check"), "{t}");
    dir.write("tsa.pem", pem("CERTIFICATE", ca.tsa_der()));
    let t = text(&openssl(
        dir.dir(),
        &["x509", "-in", "tsa.pem", "-noout", "-text"],
    ));
    assert!(
        t.contains("X509v3 Extended Key Usage: critical\n                Time Stamping\n"),
        "{t}"
    );
    let t = text(&openssl(
        dir.dir(),
        &["x509", "-in", "issuing.pem", "-noout", "-text"],
    ));
    assert!(
        t.contains("X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0"),
        "{t}"
    );
    assert!(
        t.contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"),
        "{t}"
    );
    assert!(t.contains("URI:http://127.0.0.1:9/crl/root.crl"), "{t}");
    let t = text(&openssl(
        dir.dir(),
        &["x509", "-in", "root.pem", "-noout", "-text"],
    ));
    assert!(
        t.contains("X509v3 Basic Constraints: critical\n                CA:TRUE\n"),
        "{t}"
    );
}

#[test]
fn state_round_trips_through_json() {
    let dir = TempDir::new("state");
    let mut ca = new_ca(&dir);
    let (c, _) = ca
        .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
        .unwrap();
    ca.revoke(&c.serial, Reason::Superseded, now()).unwrap();
    let keys = serde_json::to_string(ca.keys().unwrap()).unwrap();
    let record = serde_json::to_string(ca.record()).unwrap();
    let back = Ca::load(
        serde_json::from_str(&keys).unwrap(),
        serde_json::from_str(&record).unwrap(),
    )
    .unwrap();
    assert!(back.has_issued(&c.serial));
    assert_eq!(back.revocations().entries.len(), 1);
    assert_eq!(back.root_der(), ca.root_der());

    // A key that does not belong to its certificate is refused.
    let mut keys2: signet_pki::CaKeys = serde_json::from_str(&keys).unwrap();
    keys2.issuing = keys2.ocsp.clone();
    let err = Ca::load(keys2, serde_json::from_str(&record).unwrap()).unwrap_err();
    assert!(matches!(err, PkiError::State(_)), "{err}");
}

#[test]
fn csr_from_openssl_is_issued_and_tampered_csr_refused() {
    let dir = TempDir::new("csr");
    let mut ca = new_ca(&dir);
    for (alg, opt) in [
        ("EC", "ec_paramgen_curve:P-256"),
        ("RSA", "rsa_keygen_bits:2048"),
    ] {
        let o = openssl(
            dir.dir(),
            &[
                "req",
                "-new",
                "-newkey",
                alg,
                "-pkeyopt",
                opt,
                "-nodes",
                "-keyout",
                "k.pem",
                "-subj",
                "/CN=Asked For/O=Evil Corp",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-out",
                "r.pem",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        let csr = std::fs::read(dir.path("r.pem")).unwrap();
        let c = ca
            .issue_from_csr(Profile::Person, &person(), &csr, now(), &mut OsRng)
            .unwrap();
        dir.write("c.pem", c.pem());
        let t = text(&openssl(
            dir.dir(),
            &[
                "x509", "-in", "c.pem", "-noout", "-text", "-nameopt", "utf8",
            ],
        ));
        assert!(
            t.contains("Nguyễn Thị Minh Khai") && !t.contains("Evil") && !t.contains("CA:TRUE"),
            "{t}"
        );
        // The certificate carries the CSR's key.
        let a = openssl(dir.dir(), &["x509", "-in", "c.pem", "-noout", "-pubkey"]);
        let b = openssl(dir.dir(), &["pkey", "-in", "k.pem", "-pubout"]);
        assert_eq!(a.stdout, b.stdout);
        let o = openssl(
            dir.dir(),
            &[
                "verify",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "issuing.pem",
                "c.pem",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));

        // DER works too; flip one byte of the signature: refused precisely.
        openssl(
            dir.dir(),
            &["req", "-in", "r.pem", "-outform", "DER", "-out", "r.der"],
        );
        let mut der = std::fs::read(dir.path("r.der")).unwrap();
        ca.issue_from_csr(Profile::Person, &person(), &der, now(), &mut OsRng)
            .unwrap();
        let last = der.len() - 5;
        der[last] ^= 0x01;
        let err = ca
            .issue_from_csr(Profile::Person, &person(), &der, now(), &mut OsRng)
            .unwrap_err();
        assert!(matches!(err, PkiError::CsrBadSignature), "{alg}: {err}");
        assert!(err.to_string().contains("proof of possession"));
    }
    // Not a CSR at all.
    let err = ca
        .issue_from_csr(Profile::Person, &person(), b"hello", now(), &mut OsRng)
        .unwrap_err();
    assert!(matches!(err, PkiError::WrongPem { .. }), "{err}");
    let cert = std::fs::read(dir.path("root.pem")).unwrap();
    let err = ca
        .issue_from_csr(Profile::Person, &person(), &cert, now(), &mut OsRng)
        .unwrap_err();
    assert!(
        err.to_string().contains("-----BEGIN CERTIFICATE-----"),
        "{err}"
    );
    let err = ca
        .issue_from_csr(
            Profile::Person,
            &person(),
            &[0x30, 0x03, 0x02, 0x01, 0x01],
            now(),
            &mut OsRng,
        )
        .unwrap_err();
    assert!(matches!(err, PkiError::MalformedDer { .. }), "{err}");
    // Bad profile fields.
    let mut s = person();
    s.email = Some("không-phải-email".into());
    let err = ca
        .issue_with_new_key(Profile::Person, &s, now(), &mut OsRng)
        .unwrap_err();
    assert!(
        matches!(err, PkiError::InvalidField { field: "email", .. }),
        "{err}"
    );
    s = person();
    s.name = "  ".into();
    let err = ca
        .issue_with_new_key(Profile::Person, &s, now(), &mut OsRng)
        .unwrap_err();
    assert!(
        matches!(err, PkiError::InvalidField { field: "name", .. }),
        "{err}"
    );
}

/// A bare public key (no CSR, as read back from a token the CA operator controls) gets the
/// same profile; keys the CA does not accept are refused by name.
#[test]
fn bare_public_key_is_issued_and_odd_keys_refused() {
    let dir = TempDir::new("spki");
    let mut ca = new_ca(&dir);
    let key = |args: &[&str]| -> Vec<u8> {
        let mut a = vec!["genpkey"];
        a.extend_from_slice(args);
        a.extend_from_slice(&["-out", "k.pem"]);
        let o = openssl(dir.dir(), &a);
        assert!(o.status.success(), "{}", text(&o));
        let o = openssl(
            dir.dir(),
            &[
                "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        std::fs::read(dir.path("pub.der")).unwrap()
    };
    let spki = key(&["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
    let c = ca
        .issue_for_public_key(
            Profile::Organization,
            &organization(),
            &spki,
            now(),
            &mut OsRng,
        )
        .unwrap();
    assert!(ca.has_issued(&c.serial));
    dir.write("c.pem", c.pem());
    let a = openssl(dir.dir(), &["x509", "-in", "c.pem", "-noout", "-pubkey"]);
    let b = openssl(dir.dir(), &["pkey", "-in", "k.pem", "-pubout"]);
    assert_eq!(a.stdout, b.stdout);
    let o = openssl(
        dir.dir(),
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
            "c.pem",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&openssl(
        dir.dir(),
        &[
            "x509", "-in", "c.pem", "-noout", "-subject", "-nameopt", "utf8",
        ],
    ));
    assert!(t.contains("organizationIdentifier=000.00.00.H06"), "{t}");

    for (args, expect) in [
        (&["-algorithm", "ED25519"][..], "key algorithm"),
        (
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"][..],
            "P-256, P-384",
        ),
        (
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"][..],
            "1024 bits",
        ),
    ] {
        let spki = key(args);
        let err = ca
            .issue_for_public_key(Profile::Person, &person(), &spki, now(), &mut OsRng)
            .unwrap_err();
        assert!(matches!(err, PkiError::UnsupportedPublicKey(_)), "{err}");
        assert!(err.to_string().contains(expect), "{err}");
    }
    let err = ca
        .issue_for_public_key(Profile::Person, &person(), b"\x30\x00", now(), &mut OsRng)
        .unwrap_err();
    assert!(matches!(err, PkiError::UnsupportedPublicKey(_)), "{err}");
}

fn ocsp_check(dir: &TempDir, ca: &Ca, cert: &str) -> String {
    let o = openssl(
        dir.dir(),
        &[
            "ocsp",
            "-issuer",
            "issuing.pem",
            "-cert",
            cert,
            "-reqout",
            "req.der",
            "-req_text",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let nonce = nonce_of(&text(&o));
    let req = std::fs::read(dir.path("req.der")).unwrap();
    dir.write("resp.der", ca.respond(&req, ca.revocations(), now()));
    // openssl cannot read a request and check the nonce of a saved response in one call: the
    // nonce is compared by hand, the rest by openssl.
    let t = text(&openssl(
        dir.dir(),
        &[
            "ocsp",
            "-issuer",
            "issuing.pem",
            "-cert",
            cert,
            "-no_nonce",
            "-respin",
            "resp.der",
            "-CAfile",
            "root.pem",
            "-verify_other",
            "issuing.pem",
            "-resp_text",
        ],
    ));
    assert_eq!(nonce_of(&t), nonce, "nonce echoed: {t}");
    t
}

fn nonce_of(t: &str) -> String {
    let mut lines = t.lines();
    lines.find(|l| l.contains("OCSP Nonce"));
    lines.next().unwrap_or_default().trim().to_string()
}

#[test]
fn ocsp_answers_good_revoked_unknown() {
    let dir = TempDir::new("ocsp");
    let mut ca = new_ca(&dir);
    let (good, _) = ca
        .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
        .unwrap();
    let (bad, _) = ca
        .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
        .unwrap();
    dir.write("good.pem", good.pem());
    dir.write("bad.pem", bad.pem());
    ca.revoke(&bad.serial, Reason::KeyCompromise, now())
        .unwrap();

    let t = ocsp_check(&dir, &ca, "good.pem");
    assert!(
        t.contains("Response verify OK") && t.contains("good.pem: good"),
        "{t}"
    );
    let t = ocsp_check(&dir, &ca, "bad.pem");
    assert!(
        t.contains("Response verify OK") && t.contains("bad.pem: revoked"),
        "{t}"
    );
    assert!(t.contains("Reason: keyCompromise"), "{t}");

    // A certificate with our issuer's name and key but a serial we never issued.
    let mut other = ca_clone_issue(&dir);
    let (stranger, _) = other
        .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
        .unwrap();
    dir.write("stranger.pem", stranger.pem());
    // Asked about against the *other* CA's issuer: unauthorized for us.
    std::fs::copy(dir.path("other-issuing.pem"), dir.path("issuing2.pem")).unwrap();
    let o = openssl(
        dir.dir(),
        &[
            "ocsp",
            "-issuer",
            "issuing2.pem",
            "-cert",
            "stranger.pem",
            "-reqout",
            "req2.der",
        ],
    );
    assert!(o.status.success());
    let resp = ca.respond(
        &std::fs::read(dir.path("req2.der")).unwrap(),
        ca.revocations(),
        now(),
    );
    dir.write("resp2.der", &resp);
    let t = text(&openssl(
        dir.dir(),
        &["ocsp", "-respin", "resp2.der", "-resp_text", "-noverify"],
    ));
    assert!(t.contains("unauthorized"), "{t}");

    // Same issuer, unknown serial: build the request by hand with openssl -serial.
    let o = openssl(
        dir.dir(),
        &[
            "ocsp",
            "-issuer",
            "issuing.pem",
            "-serial",
            "0x0123456789abcdef",
            "-reqout",
            "req3.der",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    dir.write(
        "resp3.der",
        ca.respond(
            &std::fs::read(dir.path("req3.der")).unwrap(),
            ca.revocations(),
            now(),
        ),
    );
    let t = text(&openssl(
        dir.dir(),
        &[
            "ocsp",
            "-issuer",
            "issuing.pem",
            "-serial",
            "0x0123456789abcdef",
            "-no_nonce",
            "-respin",
            "resp3.der",
            "-CAfile",
            "root.pem",
            "-verify_other",
            "issuing.pem",
        ],
    ));
    assert!(
        t.contains("Response verify OK") && t.contains(": unknown"),
        "{t}"
    );

    // Garbage: malformedRequest, never a panic.
    for garbage in [
        &b""[..],
        b"\x30\x00",
        b"hello world",
        &[0x30, 0x82, 0xff, 0xff, 0x01],
    ] {
        let resp = ca.respond(garbage, ca.revocations(), now());
        dir.write("g.der", &resp);
        let t = text(&openssl(
            dir.dir(),
            &["ocsp", "-respin", "g.der", "-resp_text", "-noverify"],
        ));
        assert!(
            t.contains("malformedrequest") || t.contains("malformedRequest"),
            "{t}"
        );
    }
}

/// A second, unrelated CA (for "another issuer").
fn ca_clone_issue(dir: &TempDir) -> Ca {
    let (ca, _, _) = Ca::init(
        "Other CA",
        "http://other.invalid",
        KeyAlg::EcdsaP256,
        now(),
        &mut OsRng,
    )
    .unwrap();
    dir.write("other-issuing.pem", pem("CERTIFICATE", ca.issuing_der()));
    ca
}

#[test]
fn tsa_tokens_verify_with_openssl_ts() {
    let dir = TempDir::new("tsa");
    let mut ca = new_ca(&dir);
    dir.write("data.txt", "Quyết định số 12/QĐ-UBND\n");
    for (alg, cert) in [("-sha256", true), ("-sha384", false), ("-sha512", true)] {
        let mut args = vec!["ts", "-query", "-data", "data.txt", alg, "-out", "q.tsq"];
        if cert {
            args.push("-cert");
        }
        let o = openssl(dir.dir(), &args);
        assert!(o.status.success(), "{}", text(&o));
        let serial = ca.next_tsa_serial();
        let resp = ca.timestamp(&std::fs::read(dir.path("q.tsq")).unwrap(), serial, now());
        dir.write("r.tsr", &resp);
        dir.write(
            "chain.pem",
            format!(
                "{}{}",
                pem("CERTIFICATE", ca.issuing_der()),
                pem("CERTIFICATE", ca.tsa_der())
            ),
        );
        let mut args = vec![
            "ts",
            "-verify",
            "-data",
            "data.txt",
            "-in",
            "r.tsr",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
        ];
        if !cert {
            // the token carries no certificate: give openssl the TSA's
            args = vec![
                "ts",
                "-verify",
                "-data",
                "data.txt",
                "-in",
                "r.tsr",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "chain.pem",
            ];
            let chain = format!(
                "{}{}",
                pem("CERTIFICATE", ca.issuing_der()),
                pem("CERTIFICATE", ca.tsa_der())
            );
            dir.write("chain.pem", chain);
        }
        let o = openssl(dir.dir(), &args);
        assert!(text(&o).contains("Verification: OK"), "{alg}: {}", text(&o));
        // with the query: nonce and imprint match
        let o = openssl(
            dir.dir(),
            &[
                "ts",
                "-verify",
                "-queryfile",
                "q.tsq",
                "-in",
                "r.tsr",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "chain.pem",
            ],
        );
        assert!(text(&o).contains("Verification: OK"), "{alg}: {}", text(&o));
        let t = text(&openssl(
            dir.dir(),
            &["ts", "-reply", "-in", "r.tsr", "-text"],
        ));
        assert!(t.contains("Status: Granted"), "{t}");
        assert!(t.contains("Policy OID: 1.3.6.1.4.1.32473.1.3"), "{t}");
        assert!(t.contains("Accuracy: 0x01 seconds"), "{t}");
        assert!(t.contains(&format!("Serial number: 0x{serial:02X}")), "{t}");
    }

    // Garbage and a SHA-1 imprint: rejection with the precise failure info.
    let t = reply_text(&dir, &ca, b"not a request");
    assert!(
        t.contains("Status: Rejected") && t.contains("the data submitted has the wrong format"),
        "{t}"
    );
    let o = openssl(
        dir.dir(),
        &[
            "ts", "-query", "-data", "data.txt", "-sha1", "-out", "q1.tsq",
        ],
    );
    assert!(o.status.success());
    let t = reply_text(&dir, &ca, &std::fs::read(dir.path("q1.tsq")).unwrap());
    assert!(
        t.contains("Status: Rejected") && t.contains("unrecognized or unsupported algorithm"),
        "{t}"
    );
    let o = openssl(
        dir.dir(),
        &[
            "ts",
            "-query",
            "-data",
            "data.txt",
            "-sha256",
            "-tspolicy",
            "1.2.3.4",
            "-out",
            "q2.tsq",
        ],
    );
    assert!(o.status.success());
    let t = reply_text(&dir, &ca, &std::fs::read(dir.path("q2.tsq")).unwrap());
    assert!(
        t.contains("Status: Rejected") && t.contains("policy"),
        "{t}"
    );
}

fn reply_text(dir: &TempDir, ca: &Ca, req: &[u8]) -> String {
    dir.write("bad.tsr", ca.timestamp(req, 1, now()));
    text(&openssl(
        dir.dir(),
        &["ts", "-reply", "-in", "bad.tsr", "-text"],
    ))
}

/// A key "held elsewhere": a software key behind the `rcgen::SigningKey` trait that counts its
/// signatures, as a PKCS#11 adapter would implement it.
struct CountingKey(
    rcgen::KeyPair,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
);

impl rcgen::PublicKeyData for CountingKey {
    fn der_bytes(&self) -> &[u8] {
        self.0.der_bytes()
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.0.algorithm()
    }
}

impl rcgen::SigningKey for CountingKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0.sign(msg)
    }
}

#[test]
fn keys_held_elsewhere_sign_through_the_trait() {
    let dir = TempDir::new("extkeys");
    let ca = new_ca(&dir);
    let keys = ca.keys().unwrap().clone();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let key = |pem_text: &str| -> signet_pki::CaKey {
        Box::new(CountingKey(
            rcgen::KeyPair::try_from(
                der::pem::decode_vec(pem_text.as_bytes())
                    .unwrap()
                    .1
                    .as_slice(),
            )
            .unwrap(),
            count.clone(),
        ))
    };
    let signing = signet_pki::CaSigningKeys {
        root: key(&keys.root),
        issuing: key(&keys.issuing),
        ocsp: key(&keys.ocsp),
        tsa: key(&keys.tsa),
    };
    let mut ext = Ca::load_with_keys(signing, ca.record().clone()).unwrap();
    assert!(ext.keys().is_none());
    let (leaf, _) = ext
        .issue_with_new_key(Profile::Person, &person(), now(), &mut OsRng)
        .unwrap();
    dir.write("leaf.pem", leaf.pem());
    let t = ocsp_check(&dir, &ext, "leaf.pem");
    assert!(
        t.contains("Response verify OK") && t.contains("leaf.pem: good"),
        "{t}"
    );
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "certificate + OCSP"
    );

    // Keys swapped between roles are refused.
    let swapped = signet_pki::CaSigningKeys {
        root: key(&keys.root),
        issuing: key(&keys.tsa),
        ocsp: key(&keys.ocsp),
        tsa: key(&keys.issuing),
    };
    let err = Ca::load_with_keys(swapped, ca.record().clone()).unwrap_err();
    assert!(
        err.to_string().contains("issuing CA key does not match"),
        "{err}"
    );
}

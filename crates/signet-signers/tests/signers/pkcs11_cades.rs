//! CAdES signatures by keys generated inside SoftHSM2 (RSA-2048/3072 with PKCS#1 v1.5 and
//! PSS, ECDSA P-256/P-384), refereed by `openssl cms -verify`.

use crate::common::*;
use signet_pki::{Profile, RawSigner, SignatureAlgorithm};
use signet_signers::{Curve, SignerError, Token};
use signet_testkit::softhsm::SoftHsm;

fn median_sign<S: RawSigner>(key: &S, cert: &[u8], chain: &[Vec<u8>]) -> std::time::Duration {
    let digest = key.algorithm().digest().hash(DATA);
    let mut times: Vec<_> = (0..21)
        .map(|_| {
            let t = std::time::Instant::now();
            signet_pki::sign_pades(key, &digest, cert, chain).unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[10]
}

#[test]
fn token_keys_sign_cades_that_openssl_accepts() {
    if !require_tool("openssl") {
        return;
    }
    let Some(t) = SoftHsm::in_process_token("signer", "123456") else {
        return;
    };
    let dir = TempDir::new("p11");
    let token = Token::open(&t.module, &t.label, &t.pin).unwrap();
    let mut ca = new_ca(&dir);
    let chain = vec![ca.issuing_der().to_vec()];

    let mut issue = |key: &signet_signers::Pkcs11Key, name: &str| -> Vec<u8> {
        let spki = key.public_key_info_der();
        ca.issue_for_public_key(Profile::Person, &person(name), &spki, now(), &mut OsRng)
            .unwrap()
            .der
    };

    let rsa = token.generate_rsa("rsa-2048", 2048).unwrap();
    assert_eq!(rsa.algorithm(), SignatureAlgorithm::RsaPkcs1Sha256);
    assert_eq!(rsa.curve(), None);
    let p = rsa.protection().unwrap();
    assert!(
        p.private && p.sensitive && !p.extractable && p.never_extractable,
        "{p:?}"
    );
    let rsa_cert = issue(&rsa, "rsa-2048");
    sign_and_referee(&dir, &rsa, &rsa_cert, &chain);

    // The same key reopened by label, signing with PSS (CKM_RSA_PKCS_PSS on the digest).
    let pss = token.key("rsa-2048").unwrap().with_pss();
    assert_eq!(pss.algorithm(), SignatureAlgorithm::RsaPssSha256);
    let cms = sign_and_referee(&dir, &pss, &rsa_cert, &chain);
    assert!(openssl_print(&dir, &cms).contains("rsassaPss"));

    let rsa3072 = token.generate_rsa("rsa-3072", 3072).unwrap();
    let cert = issue(&rsa3072, "rsa-3072");
    let cms = sign_and_referee(&dir, &rsa3072, &cert, &chain);
    assert!(cms.len() > 384);

    for (label, curve, alg) in [
        ("p256", Curve::P256, SignatureAlgorithm::EcdsaP256Sha256),
        ("p384", Curve::P384, SignatureAlgorithm::EcdsaP384Sha384),
    ] {
        let key = token.generate(label, curve).unwrap();
        assert_eq!(key.algorithm(), alg);
        assert_eq!(key.curve(), Some(curve));
        let cert = issue(&key, label);
        sign_and_referee(&dir, &key, &cert, &chain);
        // PSS does not apply to ECDSA keys.
        assert_eq!(token.key(label).unwrap().with_pss().algorithm(), alg);
    }

    // How fast the token signs (SoftHSM2 in software; a USB token is far slower).
    for (name, key) in [("RSA-2048", &rsa), ("RSA-2048 PSS", &pss)] {
        println!(
            "SoftHSM2 {name}: median {:?} per CMS",
            median_sign(key, &rsa_cert, &chain)
        );
    }
    let p256 = token.key("p256").unwrap();
    let p256_cert = issue(&p256, "p256 again");
    println!(
        "SoftHSM2 P-256: median {:?} per CMS",
        median_sign(&p256, &p256_cert, &chain)
    );

    // Refusals: taken labels, odd sizes.
    assert!(matches!(
        token.generate_rsa("rsa-2048", 2048),
        Err(SignerError::LabelTaken(_))
    ));
    assert!(matches!(
        token.generate("rsa-2048", Curve::P256),
        Err(SignerError::LabelTaken(_))
    ));
    assert!(matches!(
        token.generate_rsa("small", 1024),
        Err(SignerError::BadKey(_))
    ));
    // An RSA key works as an rcgen key too (a CA key on the token), PKCS#1 v1.5 even when
    // set to PSS for CMS: the certificate it signs verifies with openssl.
    let params = rcgen::CertificateParams::new(vec!["token.invalid".into()]).unwrap();
    let self_signed = params.self_signed(&pss).unwrap();
    dir.write(
        "self.pem",
        signet_pki::pem("CERTIFICATE", self_signed.der()),
    );
    let o = run(
        dir.dir(),
        "openssl",
        &["verify", "-check_ss_sig", "-CAfile", "self.pem", "self.pem"],
    );
    assert!(o.status.success(), "{}", text(&o));
}

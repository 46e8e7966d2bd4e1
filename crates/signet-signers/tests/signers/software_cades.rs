//! CAdES detached signatures by software keys (RSA-2048 PKCS#1 v1.5 and PSS, ECDSA P-256 and
//! P-384), refereed by `openssl cms -verify`; PKCS#12 and PKCS#8 loading; a B-T signature
//! timestamp from our TSA.

use crate::common::*;
use signet_pki::{
    add_signature_timestamp, parse_signature, parse_timestamp_token, pem, signature_value,
    timestamp_request, timestamp_token, verify_integrity, verify_timestamp_token, Ca,
    DigestAlgorithm, Profile, RawSigner, SignatureAlgorithm,
};
use signet_signers::{SignerError, SoftwareKey};

/// An openssl-made key (PKCS#8 PEM) and its certificate from our CA.
fn openssl_key(dir: &TempDir, ca: &mut Ca, name: &str, genpkey: &[&str]) -> (String, Vec<u8>) {
    let key_file = format!("{name}.key");
    let mut args = vec!["genpkey", "-out", &key_file];
    args.extend_from_slice(genpkey);
    let o = run(dir.dir(), "openssl", &args);
    assert!(o.status.success(), "{}", text(&o));
    let pub_file = format!("{name}.spki");
    let o = run(
        dir.dir(),
        "openssl",
        &[
            "pkey", "-in", &key_file, "-pubout", "-outform", "DER", "-out", &pub_file,
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let issued = ca
        .issue_for_public_key(
            Profile::Person,
            &person(name),
            &dir.read(&pub_file),
            now(),
            &mut OsRng,
        )
        .unwrap();
    dir.write(&format!("{name}.pem"), pem("CERTIFICATE", &issued.der));
    let key = String::from_utf8(dir.read(&key_file)).unwrap();
    (key, issued.der)
}

#[test]
fn software_keys_sign_cades_that_openssl_accepts() {
    if !require_tool("openssl") {
        return;
    }
    let dir = TempDir::new("soft");
    let mut ca = new_ca(&dir);
    let chain = vec![ca.issuing_der().to_vec()];

    let (rsa_pem, rsa_cert) = openssl_key(
        &dir,
        &mut ca,
        "rsa",
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    );
    let rsa = SoftwareKey::from_pkcs8_pem(&rsa_pem).unwrap();
    assert_eq!(rsa.algorithm(), SignatureAlgorithm::RsaPkcs1Sha256);
    let cms = sign_and_referee(&dir, &rsa, &rsa_cert, &chain);
    assert!(openssl_print(&dir, &cms).contains("sha256WithRSAEncryption"));
    let capacity = signet_pki::contents_capacity(&rsa_cert, &chain, rsa.algorithm(), 0).unwrap();
    assert!(
        cms.len() <= capacity && capacity <= cms.len() + 600,
        "{capacity}"
    );

    let pss = SoftwareKey::from_pkcs8_pem(&rsa_pem).unwrap().with_pss();
    assert_eq!(pss.algorithm(), SignatureAlgorithm::RsaPssSha256);
    let cms = sign_and_referee(&dir, &pss, &rsa_cert, &chain);
    let printed = openssl_print(&dir, &cms);
    assert!(
        printed.contains("rsassaPss") && printed.contains("mgf1"),
        "{printed}"
    );

    let (p384_pem, p384_cert) = openssl_key(
        &dir,
        &mut ca,
        "p384",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    );
    let p384 = SoftwareKey::from_pkcs8_pem(&p384_pem).unwrap();
    assert_eq!(p384.algorithm(), SignatureAlgorithm::EcdsaP384Sha384);
    sign_and_referee(&dir, &p384, &p384_cert, &chain);

    // P-256 from our CA's own key generation (PKCS#8 DER).
    let (issued, key) = ca
        .issue_with_new_key(Profile::Person, &person("p256"), now(), &mut OsRng)
        .unwrap();
    let p256 = SoftwareKey::from_pkcs8_der(&key.pkcs8_der).unwrap();
    assert_eq!(p256.algorithm(), SignatureAlgorithm::EcdsaP256Sha256);
    let cms = sign_and_referee(&dir, &p256, &issued.der, &chain);

    // B-T: a signature timestamp from our TSA; openssl still accepts the signature, and the
    // token checks out here.
    let value = signature_value(&cms).unwrap();
    let req = timestamp_request(
        &DigestAlgorithm::Sha256.hash(&value),
        DigestAlgorithm::Sha256,
        &[5; 8],
    );
    let serial = ca.next_tsa_serial();
    let token = timestamp_token(&ca.timestamp(&req, serial, now()), &req).unwrap();
    let bt = add_signature_timestamp(&cms, &token).unwrap();
    let o = openssl_cms_verify(&dir, &bt, DATA);
    assert!(o.status.success(), "{}", text(&o));
    assert!(openssl_print(&dir, &bt).contains("id-smime-aa-timeStampToken"));
    let sig = parse_signature(&bt).unwrap();
    assert!(verify_integrity(&sig, &[DATA]).ok());
    let t = parse_timestamp_token(&sig.signature_timestamps[0]).unwrap();
    assert!(verify_timestamp_token(&t, &sig.signature).unwrap().ok());

    // A key with someone else's certificate is refused before any CMS is made.
    let err = signet_pki::sign_pades(&p256, &[0; 32], &rsa_cert, &chain).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
}

#[test]
fn pkcs12_gives_the_key_and_the_chain_holder_first() {
    if !require_tool("openssl") {
        return;
    }
    let dir = TempDir::new("p12");
    let mut ca = new_ca(&dir);
    let (_, cert) = openssl_key(
        &dir,
        &mut ca,
        "holder",
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    );
    // The CA certificate first in the file, to check that the holder's is found by its key.
    dir.write(
        "chain.pem",
        format!(
            "{}{}",
            pem("CERTIFICATE", ca.issuing_der()),
            pem("CERTIFICATE", ca.root_der())
        ),
    );
    let o = run(
        dir.dir(),
        "openssl",
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "holder.key",
            "-in",
            "holder.pem",
            "-certfile",
            "chain.pem",
            "-passout",
            "pass:mật khẩu 123",
            "-out",
            "holder.p12",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let p12 = dir.read("holder.p12");
    let (key, chain) = SoftwareKey::from_pkcs12(&p12, "mật khẩu 123").unwrap();
    assert_eq!(chain.len(), 3);
    assert_eq!(chain[0], cert);
    assert!(chain.contains(&ca.issuing_der().to_vec()) && chain.contains(&ca.root_der().to_vec()));
    sign_and_referee(&dir, &key, &chain[0], &chain[1..]);

    // Legacy encryption (3DES and SHA-1 MAC, as Windows and many CAs export) reads too.
    let o = run(
        dir.dir(),
        "openssl",
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "holder.key",
            "-in",
            "holder.pem",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-certpbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
            "-passout",
            "pass:x",
            "-out",
            "legacy.p12",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let (legacy, legacy_chain) = SoftwareKey::from_pkcs12(&dir.read("legacy.p12"), "x").unwrap();
    assert_eq!(legacy_chain, vec![cert.clone()]);
    sign_and_referee(&dir, &legacy, &legacy_chain[0], &chain[1..]);
    assert!(matches!(
        SoftwareKey::from_pkcs12(&p12, "wrong"),
        Err(SignerError::Pkcs12(_))
    ));
    assert!(matches!(
        SoftwareKey::from_pkcs12(b"not a pkcs12", "x"),
        Err(SignerError::Pkcs12(_))
    ));
}

#[test]
fn unusable_keys_are_refused_clearly() {
    if !require_tool("openssl") {
        return;
    }
    let dir = TempDir::new("bad");
    // RSA-1024 is below ring's (and our) floor; Ed25519 is not a signing algorithm we offer.
    for (name, args) in [
        (
            "rsa1024",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"][..],
        ),
        ("ed25519", &["-algorithm", "ED25519"][..]),
    ] {
        let file = format!("{name}.key");
        let mut a = vec!["genpkey", "-out", &file];
        a.extend_from_slice(args);
        assert!(run(dir.dir(), "openssl", &a).status.success());
        let pem = String::from_utf8(dir.read(&file)).unwrap();
        assert!(
            matches!(
                SoftwareKey::from_pkcs8_pem(&pem),
                Err(SignerError::KeyFormat(_))
            ),
            "{name}"
        );
    }
    assert!(SoftwareKey::from_pkcs8_pem(
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    )
    .is_err());
    assert!(SoftwareKey::from_pkcs8_pem("garbage").is_err());
}

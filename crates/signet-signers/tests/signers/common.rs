//! Helpers shared by the signer tests: a CA, openssl as referee of CMS.

use std::process::Output;

use signet_pki::{
    parse_signature, pem, sign_pades, verify_integrity, Ca, DigestAlgorithm, KeyAlg, RawSigner,
    Subject,
};
use time::OffsetDateTime;

pub use signet_testkit::{require_tool, run, text, OsRng, TempDir};

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub fn person(name: &str) -> Subject {
    Subject {
        name: name.into(),
        agency_name: "Ủy ban nhân dân tỉnh Bắc Ninh".into(),
        agency_code: "000.00.00.H06".into(),
        title: Some("Chủ tịch".into()),
        ..Subject::default()
    }
}

/// A CA whose root and issuing certificates are written as `root.pem` and `issuing.pem`.
pub fn new_ca(dir: &TempDir) -> Ca {
    let (ca, _, _) = Ca::init(
        "Signet Signers Test CA",
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

pub const DATA: &[u8] = b"%PDF-1.7\n... Quyet dinh so 12/QD-UBND ngay 23/11/2026 ...\n%%EOF\n";

/// `openssl cms -verify` of a detached CMS over `data`, trusting `root.pem` only.
pub fn openssl_cms_verify(dir: &TempDir, cms: &[u8], data: &[u8]) -> Output {
    dir.write("sig.der", cms);
    dir.write("data.bin", data);
    run(
        dir.dir(),
        "openssl",
        &[
            "cms",
            "-verify",
            "-binary",
            "-content",
            "data.bin",
            "-inform",
            "DER",
            "-in",
            "sig.der",
            "-CAfile",
            "root.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    )
}

/// `openssl cms -cmsout -print` of a CMS.
pub fn openssl_print(dir: &TempDir, cms: &[u8]) -> String {
    dir.write("print.der", cms);
    let o = run(
        dir.dir(),
        "openssl",
        &[
            "cms",
            "-cmsout",
            "-print",
            "-inform",
            "DER",
            "-in",
            "print.der",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}

/// Signs [`DATA`] with `key`, then checks the result three ways: openssl accepts it, openssl
/// refuses it for changed data, our verifier agrees with both. Returns the CMS.
pub fn sign_and_referee<S: RawSigner>(
    dir: &TempDir,
    key: &S,
    cert: &[u8],
    chain: &[Vec<u8>],
) -> Vec<u8> {
    let alg = key.algorithm();
    let cms = sign_pades(key, &alg.digest().hash(DATA), cert, chain).unwrap();
    let o = openssl_cms_verify(dir, &cms, DATA);
    assert!(
        o.status.success() && text(&o).contains("Verification successful"),
        "{alg:?}: {}",
        text(&o)
    );
    let mut changed = DATA.to_vec();
    changed[12] ^= 0x20;
    let o = openssl_cms_verify(dir, &cms, &changed);
    assert!(
        !o.status.success(),
        "{alg:?}: openssl accepted changed data"
    );

    let sig = parse_signature(&cms).unwrap();
    assert_eq!(sig.signer_certificate.as_deref(), Some(cert));
    let ok = verify_integrity(&sig, &[DATA]);
    assert!(ok.ok() && ok.attributes_der, "{alg:?}: {ok:?}");
    let bad = verify_integrity(&sig, &[&changed]);
    assert!(!bad.digest_ok && bad.signature_ok, "{alg:?}: {bad:?}");

    // PAdES attributes: signingCertificateV2, and no signing-time.
    let printed = openssl_print(dir, &cms);
    assert!(
        printed.contains("id-smime-aa-signingCertificateV2"),
        "{printed}"
    );
    assert!(!printed.contains("signingTime"), "{printed}");
    assert_eq!(
        alg.digest(),
        sig.digest_algorithm.unwrap_or(DigestAlgorithm::Sha1)
    );
    cms
}

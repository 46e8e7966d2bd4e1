//! Helpers shared by the signer tests: a CA, a temporary directory, openssl as referee.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use signet_pki::{
    parse_signature, pem, sign_pades, verify_integrity, Ca, DigestAlgorithm, KeyAlg, RawSigner,
    Subject,
};
use time::OffsetDateTime;

pub struct OsRng;

impl rand_core::RngCore for OsRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        getrandom::getrandom(dest).expect("OS random source");
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let mut b = [0u8; 8];
        getrandom::getrandom(&mut b).unwrap();
        let p = std::env::temp_dir().join(format!("signet-signers-{tag}-{}", hex::encode(b)));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    pub fn write(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, data).unwrap();
        p
    }
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// True if `program` runs; on CI a missing referee fails the test instead of skipping it.
pub fn have(program: &str) -> bool {
    let ok = Command::new(program).arg("version").output().is_ok();
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "{program} missing on CI");
        eprintln!("skipped: {program} is not installed");
    }
    ok
}

pub fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

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
        &dir.0,
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
        &dir.0,
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

//! The built-in CA with its four keys generated inside SoftHSM2 (a PKCS#11 token), checked by
//! openssl: chain and CRL, an OCSP response, a time-stamp token.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use signet_pki::{pem, Ca, CaSigningKeys, KeyAlg, Profile, Reason, Subject};
use signet_signers::{Curve, SignerError, Token};
use time::OffsetDateTime;

const DEFAULT_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

struct OsRng;

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

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn ca_keys_on_softhsm() {
    let module = std::env::var("SIGNET_PKCS11_MODULE").unwrap_or_else(|_| DEFAULT_MODULE.into());
    if !Path::new(&module).exists() {
        // scripts/test installs softhsm2; outside it, say why nothing ran.
        assert!(
            std::env::var_os("CI").is_none(),
            "{module} missing on CI (apt-get install softhsm2)"
        );
        eprintln!("skipped: no PKCS#11 module at {module}");
        return;
    }
    let mut b = [0u8; 8];
    getrandom::getrandom(&mut b).unwrap();
    let dir = TempDir(std::env::temp_dir().join(format!("signet-hsm-{}", hex::encode(b))));
    let d = dir.0.as_path();
    std::fs::create_dir_all(d.join("tokens")).unwrap();
    std::fs::write(
        d.join("softhsm2.conf"),
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            d.join("tokens").display()
        ),
    )
    .unwrap();
    // The only test in this binary: no other thread reads the environment.
    std::env::set_var("SOFTHSM2_CONF", d.join("softhsm2.conf"));
    let o = run(
        d,
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            "signet-ca",
            "--so-pin",
            "12345678",
            "--pin",
            "123456",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));

    // A wrong PIN is refused (before any good login: the login state is per process).
    let err = Token::open(Path::new(&module), "signet-ca", "000000").unwrap_err();
    assert!(matches!(err, SignerError::Login(_)), "{err}");
    let err = Token::open(Path::new(&module), "no-such-token", "123456").unwrap_err();
    assert!(matches!(err, SignerError::NoToken(_)), "{err}");

    let token = Token::open(Path::new(&module), "signet-ca", "123456").unwrap();
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

//! Path validation on chains, CRLs and OCSP responses made by openssl (`openssl req/x509`,
//! `openssl ca`, `openssl ocsp -index`), each verdict compared with openssl's.

use std::process::Command;

use crate::validation_support::{der_of, have_openssl, now, openssl, text};
use signet_pki::validation::{
    ocsp_request, validate, CertStatus, PathReport, Purpose, RevocationPolicy, RevocationReason,
    RevocationSource, TrustAnchors, ValidationContext,
};
use signet_testkit::TempDir;

/// An openssl-made PKI: root, issuing CA and a leaf, with the given key algorithm options.
fn openssl_chain(
    dir: &TempDir,
    root_key: &[&str],
    sub_key: &[&str],
    leaf_key: &[&str],
    leaf_sig: &[&str],
) {
    std::fs::write(
        dir.path("ext.cnf"),
        "[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n\
         [sub]\nbasicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n\
         [leaf]\nbasicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection,1.3.6.1.4.1.311.10.3.12\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    let run = |args: Vec<&str>| {
        let o = openssl(dir.dir(), &args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    };
    let genkey = |name: &str, opts: &[&str]| {
        let mut a = vec!["genpkey"];
        a.extend_from_slice(opts);
        a.extend_from_slice(&["-out", name]);
        run(a);
    };
    genkey("root.key", root_key);
    genkey("sub.key", sub_key);
    genkey("leaf.key", leaf_key);
    run(vec![
        "req",
        "-x509",
        "-new",
        "-key",
        "root.key",
        "-subj",
        "/C=VN/O=Test Gov/CN=Test Root",
        "-days",
        "3650",
        "-sha384",
        "-config",
        "ext.cnf",
        "-extensions",
        "ca",
        "-out",
        "root.pem",
    ]);
    for (name, subj, ca_name, ext, sig) in [
        (
            "sub",
            "/C=VN/O=Test Gov/CN=Test Issuing CA",
            "root",
            "sub",
            &["-sha256"][..],
        ),
        (
            "leaf",
            "/C=VN/O=Bo Test/CN=Tran Thi Binh",
            "sub",
            "leaf",
            leaf_sig,
        ),
    ] {
        let csr = format!("{name}.csr");
        let key = format!("{name}.key");
        let out = format!("{name}.pem");
        let ca_cert = format!("{ca_name}.pem");
        let ca_key = format!("{ca_name}.key");
        run(vec![
            "req", "-new", "-key", &key, "-subj", subj, "-out", &csr,
        ]);
        let mut a = vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_cert,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "825",
            "-extfile",
            "ext.cnf",
            "-extensions",
            ext,
            "-out",
            &out,
        ];
        a.extend_from_slice(sig);
        run(a);
    }
}

fn validate_openssl_chain(dir: &TempDir) -> PathReport {
    let mut ctx = ValidationContext::new(
        TrustAnchors::from_pem_or_der(&dir.read("root.pem")).unwrap(),
        now(),
    );
    ctx.intermediates.push(der_of(dir, "sub.pem"));
    ctx.revocation = RevocationPolicy::Skip;
    validate(&ctx, &der_of(dir, "leaf.pem"), Purpose::DocumentSigning).unwrap()
}

fn openssl_says(dir: &TempDir) -> String {
    text(&openssl(
        dir.dir(),
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "sub.pem",
            "leaf.pem",
        ],
    ))
}

/// Tag, then key options of the root, issuing CA and leaf, then the leaf's signature options.
type Case<'a> = (
    &'a str,
    &'a [&'a str],
    &'a [&'a str],
    &'a [&'a str],
    &'a [&'a str],
);

#[test]
fn openssl_made_rsa_ecdsa_and_pss_chains_validate() {
    if !have_openssl() {
        return;
    }
    let rsa3072 = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"];
    let rsa2048 = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    let p384 = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"];
    let p256 = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    let cases: [Case; 4] = [
        ("rsa", &rsa3072, &rsa2048, &rsa2048, &["-sha256"]),
        ("rsa-sha512", &rsa3072, &rsa2048, &p256, &["-sha512"]),
        (
            "pss",
            &rsa3072,
            &rsa2048,
            &rsa2048,
            &[
                "-sha256",
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:digest",
            ],
        ),
        ("ecdsa", &p384, &p256, &p256, &["-sha384"]),
    ];
    for (tag, root, sub, leaf, sig) in cases {
        let dir = TempDir::new(tag);
        openssl_chain(&dir, root, sub, leaf, sig);
        let r = validate_openssl_chain(&dir);
        assert_eq!(r.status, CertStatus::Valid, "{tag}: {r:#?}");
        assert_eq!(r.chain.len(), 3);
        assert_eq!(r.chain[0].subject_cn, "Tran Thi Binh");
        let o = openssl_says(&dir);
        assert!(o.contains("leaf.pem: OK"), "{tag}: {o}");
    }
}

#[test]
fn sha1_signed_leaf_is_refused() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("sha1");
    let rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    openssl_chain(&dir, &rsa, &rsa, &rsa, &["-sha1"]);
    let r = validate_openssl_chain(&dir);
    assert!(
        matches!(r.status, CertStatus::Invalid(ref m) if m.contains("SHA-1")),
        "{r:#?}"
    );
    // openssl 3 accepts SHA-1 at its default security level 1 (a documented difference: we
    // follow the stricter current practice), and refuses it from level 2 on.
    let o = openssl_says(&dir);
    assert!(o.contains("leaf.pem: OK"), "{o}");
    let o = text(&openssl(
        dir.dir(),
        &[
            "verify",
            "-auth_level",
            "2",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "sub.pem",
            "leaf.pem",
        ],
    ));
    assert!(o.contains("digest algorithm too weak"), "{o}");
}

/// The `openssl ca` configuration of shared/reference/validators.sh (RSA root and issuing CA,
/// signer, OCSP responder with noCheck).
const OPENSSL_CA_CNF: &str = "[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = $dir/index-$ENV::CANAME.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial-$ENV::CANAME
crlnumber = $dir/crlnum-$ENV::CANAME
default_md = sha256
default_days = 825
default_crl_days = 30
policy = pol_any
unique_subject = no
copy_extensions = none
[ pol_any ]
countryName = optional
organizationName = optional
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v3_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_sub ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:9/root.crl
[ v3_signer ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, 1.3.6.1.4.1.311.10.3.12
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:9/sub.crl
authorityInfoAccess = OCSP;URI:http://127.0.0.1:9/ocsp, caIssuers;URI:http://127.0.0.1:9/sub.cer
[ v3_ocsp ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Runs `openssl` with CANAME set, asserting success.
fn ossl(dir: &TempDir, caname: &str, args: &[&str]) {
    let o = Command::new("openssl")
        .args(args)
        .env("CANAME", caname)
        .current_dir(dir.dir())
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {}", text(&o));
}

/// Builds the validators.sh PKI: root → sub → {person, revoked (keyCompromise), ocsp}; CRLs of
/// both CAs (DER); OCSP responses from `openssl ocsp -index` for requests made by us.
fn openssl_ca_pki(dir: &TempDir) {
    dir.write("ca.cnf", OPENSSL_CA_CNF);
    std::fs::create_dir_all(dir.path("newcerts")).unwrap();
    for c in ["root", "sub"] {
        dir.write(&format!("index-{c}.txt"), "");
        dir.write(&format!("serial-{c}"), "1000\n");
        dir.write(&format!("crlnum-{c}"), "01\n");
    }
    let key = |name: &str, bits: &str| {
        let opt = format!("rsa_keygen_bits:{bits}");
        let out = format!("{name}.key");
        ossl(
            dir,
            "root",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                &opt,
                "-out",
                &out,
            ],
        );
    };
    let cert = |name: &str, subj: &str, ca: &str, ext: &str| {
        let (k, csr, out) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
        );
        ossl(
            dir,
            ca,
            &[
                "req", "-config", "ca.cnf", "-new", "-key", &k, "-subj", subj, "-out", &csr,
            ],
        );
        let (cacrt, cakey) = (format!("{ca}.crt"), format!("{ca}.key"));
        let mut a = vec![
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-extensions",
            ext,
            "-in",
            &csr,
            "-out",
            &out,
            "-notext",
        ];
        if name == "root" {
            a.extend_from_slice(&["-selfsign", "-keyfile", "root.key", "-days", "3650"]);
        } else {
            a.extend_from_slice(&["-cert", &cacrt, "-keyfile", &cakey]);
        }
        ossl(dir, ca, &a);
    };
    key("root", "3072");
    cert(
        "root",
        "/C=VN/O=Test Gov PKI/CN=Test Gov Root CA",
        "root",
        "v3_root",
    );
    key("sub", "2048");
    cert(
        "sub",
        "/C=VN/O=Test Gov PKI/CN=Test Gov Issuing CA",
        "root",
        "v3_sub",
    );
    for (name, cn, ext) in [
        ("person", "Jane Official", "v3_signer"),
        ("revoked", "Revoked Official", "v3_signer"),
        ("ocsp", "Test Gov OCSP Responder", "v3_ocsp"),
    ] {
        key(name, "2048");
        cert(
            name,
            &format!("/C=VN/O=Ministry of Tests/CN={cn}"),
            "sub",
            ext,
        );
    }
    ossl(
        dir,
        "sub",
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            "sub.crt",
            "-keyfile",
            "sub.key",
            "-revoke",
            "revoked.crt",
            "-crl_reason",
            "keyCompromise",
        ],
    );
    for ca in ["root", "sub"] {
        let (c, k, pem_out, der_out) = (
            format!("{ca}.crt"),
            format!("{ca}.key"),
            format!("{ca}.crl.pem"),
            format!("{ca}.crl"),
        );
        ossl(
            dir,
            ca,
            &[
                "ca", "-batch", "-config", "ca.cnf", "-cert", &c, "-keyfile", &k, "-gencrl",
                "-out", &pem_out,
            ],
        );
        ossl(
            dir,
            ca,
            &["crl", "-in", &pem_out, "-outform", "DER", "-out", &der_out],
        );
    }
    for name in ["person", "revoked"] {
        let req = ocsp_request(
            &der_of(dir, &format!("{name}.crt")),
            &der_of(dir, "sub.crt"),
        )
        .unwrap();
        dir.write(&format!("{name}.req"), req);
        let (reqin, respout) = (format!("{name}.req"), format!("{name}.resp"));
        ossl(
            dir,
            "sub",
            &[
                "ocsp",
                "-index",
                "index-sub.txt",
                "-CA",
                "sub.crt",
                "-rsigner",
                "ocsp.crt",
                "-rkey",
                "ocsp.key",
                "-ndays",
                "1",
                "-reqin",
                &reqin,
                "-respout",
                &respout,
            ],
        );
    }
}

#[test]
fn openssl_ca_crls_and_ocsp_responses_are_read_like_openssl() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("osslca");
    openssl_ca_pki(&dir);
    let anchors = TrustAnchors::from_pem_or_der(&dir.read("root.crt")).unwrap();
    let mut ctx = ValidationContext::new(anchors, now());
    ctx.intermediates.push(der_of(&dir, "sub.crt"));
    ctx.crls = vec![dir.read("sub.crl"), dir.read("root.crl")];
    let person = der_of(&dir, "person.crt");
    let revoked = der_of(&dir, "revoked.crt");
    let r = validate(&ctx, &person, Purpose::DocumentSigning).unwrap();
    assert_eq!(r.status, CertStatus::Valid, "{r:#?}");
    let r = validate(&ctx, &revoked, Purpose::DocumentSigning).unwrap();
    assert!(
        matches!(r.status, CertStatus::Revoked { reason: RevocationReason::KeyCompromise, at } if at <= now()),
        "{r:#?}"
    );
    let verify = |leaf: &str| {
        text(&openssl(
            dir.dir(),
            &[
                "verify",
                "-crl_check_all",
                "-CAfile",
                "root.crt",
                "-untrusted",
                "sub.crt",
                "-CRLfile",
                "sub.crl.pem",
                "-CRLfile",
                "root.crl.pem",
                leaf,
            ],
        ))
    };
    assert!(verify("person.crt").contains("person.crt: OK"));
    assert!(verify("revoked.crt").contains("certificate revoked"));

    // OCSP from openssl's responder (a delegated RSA responder with noCheck), for our requests.
    ctx.crls = vec![dir.read("root.crl")];
    ctx.ocsp_responses = vec![dir.read("person.resp"), dir.read("revoked.resp")];
    let r = validate(&ctx, &person, Purpose::DocumentSigning).unwrap();
    assert_eq!(
        (&r.status, r.per_cert[0].2),
        (&CertStatus::Valid, RevocationSource::Ocsp(0)),
        "{r:#?}"
    );
    let r = validate(&ctx, &revoked, Purpose::DocumentSigning).unwrap();
    assert!(
        matches!(
            r.status,
            CertStatus::Revoked {
                reason: RevocationReason::KeyCompromise,
                ..
            }
        ),
        "{r:#?}"
    );
    assert_eq!(r.per_cert[0].2, RevocationSource::Ocsp(1));
    let r = validate(&ctx, &der_of(&dir, "ocsp.crt"), Purpose::OcspSigning).unwrap();
    assert_eq!(
        (&r.status, r.per_cert[0].2),
        (&CertStatus::Valid, RevocationSource::NoCheck),
        "{r:#?}"
    );
    let status = |name: &str| {
        let (cert, resp) = (format!("{name}.crt"), format!("{name}.resp"));
        text(&openssl(
            dir.dir(),
            &[
                "ocsp",
                "-respin",
                &resp,
                "-issuer",
                "sub.crt",
                "-cert",
                &cert,
                "-CAfile",
                "root.crt",
                "-verify_other",
                "sub.crt",
            ],
        ))
    };
    let o = status("person");
    assert!(
        o.contains("Response verify OK") && o.contains("person.crt: good"),
        "{o}"
    );
    let o = status("revoked");
    assert!(
        o.contains("Response verify OK") && o.contains("revoked.crt: revoked"),
        "{o}"
    );
}

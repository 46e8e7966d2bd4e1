//! The fix-ups of the PAdES measurement, tried as a new user would (issue 9 §6) and batches
//! (§4): signing without saying where, B-LT without `--trust`, many files with one unlock.

use super::*;

const RSA_KEY: [&str; 4] = ["--p12", "leader-rsa.p12", "--password", "secret123"];
const SEAL_KEY: [&str; 4] = ["--p12", "seal.p12", "--password", "secret123"];

/// `signet sign` with `args`, expected to fail: its output.
fn sign_fails(pki: &Pki, args: &[&str]) -> String {
    let mut a = vec!["sign"];
    a.extend_from_slice(args);
    let o = signet(pki.dir(), &a);
    let text = out_text(&o);
    assert!(!o.status.success(), "{text}");
    text
}

/// The page (from 0) and rectangle of every signature field of `file`, by name.
fn placed_fields(pki: &Pki, file: &str) -> Vec<(String, usize, [f64; 4])> {
    let doc = signet_pdf::Document::parse(&std::fs::read(pki.tmp.path(file)).unwrap()).unwrap();
    let pages = doc.pages().unwrap();
    doc.acro_form_fields()
        .unwrap()
        .into_iter()
        .map(|f| {
            let w = &f.widgets[0];
            let page = pages.iter().position(|p| Some(*p) == w.page).unwrap();
            (f.name, page, w.rect.unwrap())
        })
        .collect()
}

#[test]
fn without_field_page_or_rect_the_signature_goes_bottom_right_of_the_last_page() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    run_ok(
        Command::new("qpdf")
            .args(["--empty", "--pages", "doc.pdf", "doc.pdf", "--", "two.pdf"])
            .current_dir(pki.dir()),
    );
    // The leader signs with no mark, asking for the seal's field of another name beside it.
    let mut args = RSA_KEY.to_vec();
    args.extend(["--role", "personal", "--seal-field", "DauCoQuan"]);
    pki.sign("two.pdf", "leader.pdf", &args);
    assert_pdfsig_accepts(&pki.pdfsig("leader.pdf"), 1, true);
    assert_pyhanko_valid(pki.pyhanko("leader.pdf", &[]), 1);
    let fields = placed_fields(&pki, "leader.pdf");
    let (name, page, leader) = &fields[0];
    assert_eq!((name.as_str(), *page), ("ChuKyLanhDao", 1), "{fields:?}");
    assert!(
        leader[0] > 595.0 / 2.0 && leader[3] < 842.0 / 4.0,
        "bottom right: {leader:?}"
    );
    let (seal_name, seal_page, seal) = &fields[1];
    assert_eq!((seal_name.as_str(), *seal_page), ("DauCoQuan", 1));

    // The agency seals with no field named: the empty seal field is the one signed.
    let mut args = SEAL_KEY.to_vec();
    args.extend(["--role", "organization"]);
    pki.sign("leader.pdf", "sealed.pdf", &args);
    assert_pdfsig_accepts(&pki.pdfsig("sealed.pdf"), 2, true);
    assert_pyhanko_valid(pki.pyhanko("sealed.pdf", &[]), 2);
    let (code, r) = pki.verify("sealed.pdf", false);
    assert_eq!(code, 0, "{r}");
    assert_eq!(sig(&r, "DauCoQuan")["indication"], "TOTAL-PASSED", "{r}");
    assert_eq!(placed_fields(&pki, "sealed.pdf").len(), 2, "no new field");
    assert_eq!(placed_fields(&pki, "sealed.pdf")[1].2, *seal);
}

#[test]
fn b_lt_without_trust_completes_the_chain_or_says_what_is_missing() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    let tsa = pki.tsa();
    // The CA's keystore holds the issuing CA and the root: enough to validate offline.
    let mut args = SEAL_KEY.to_vec();
    args.extend(["--role", "organization", "--level", "B-LT", "--tsa", &tsa]);
    pki.sign("doc.pdf", "lt.pdf", &args);
    let (code, r) = pki.verify("lt.pdf", true);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["verdict"], "TOTAL-PASSED", "{r}");
    assert_eq!(sig(&r, "ChuKyCoQuan")["level"], "B-LT", "{r}");
    assert_pyhanko_valid(pki.pyhanko("lt.pdf", &["--no-revocation-check"]), 1);

    // A keystore with the signer and its issuing CA only: the root is named, nothing written.
    ok(openssl(
        pki.dir(),
        &["x509", "-in", "leader-rsa.pem", "-out", "alone.pem"],
    ));
    ok(openssl(
        pki.dir(),
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "rsa.key",
            "-in",
            "alone.pem",
            "-certfile",
            "ca/issuing.pem",
            "-passout",
            "pass:secret123",
            "-out",
            "partial.p12",
        ],
    ));
    let base = [
        "doc.pdf",
        "--out",
        "partial.pdf",
        "--p12",
        "partial.p12",
        "--password",
        "secret123",
        "--level",
        "B-LT",
        "--tsa",
        &tsa,
    ];
    let text = sign_fails(&pki, &base);
    assert!(
        text.contains("issuer of") && text.contains("Lạc Hồng Test CA") && text.contains("--cert"),
        "{text}"
    );
    assert!(!pki.tmp.path("partial.pdf").exists());
    // The whole chain given with --cert completes it.
    let chain: Vec<u8> = ["alone.pem", "ca/issuing.pem", "ca/root.pem"]
        .iter()
        .flat_map(|f| std::fs::read(pki.tmp.path(f)).unwrap())
        .collect();
    std::fs::write(pki.tmp.path("chain.pem"), chain).unwrap();
    let mut args = base.to_vec();
    args.extend(["--cert", "chain.pem"]);
    ok(signet(pki.dir(), &[&["sign"], args.as_slice()].concat()));
    let (code, r) = pki.verify("partial.pdf", true);
    assert_eq!(code, 0, "{r}");
}

#[test]
fn out_dir_signs_many_files_with_one_unlock_and_names_the_failures() {
    if !tools_present() {
        return;
    }
    let pki = Pki::new();
    for name in ["a.pdf", "b.pdf", "c.pdf"] {
        std::fs::copy(pki.tmp.path("doc.pdf"), pki.tmp.path(name)).unwrap();
    }
    std::fs::write(pki.tmp.path("bad.pdf"), b"GIF89a not a PDF").unwrap();
    std::fs::create_dir(pki.tmp.path("out")).unwrap();
    let key = ["--p12", "leader-ec.p12", "--password", "secret123"];
    let mut args = vec!["sign", "--out-dir", "out", "a.pdf", "b.pdf", "c.pdf"];
    args.extend(key);
    let text = ok(signet(pki.dir(), &args));
    assert_eq!(text.matches("signed ").count(), 3, "{text}");
    for name in ["a.pdf", "b.pdf", "c.pdf"] {
        let out = format!("out/{name}");
        assert_pdfsig_accepts(&pki.pdfsig(&out), 1, true);
        let (code, r) = pki.verify(&out, false);
        assert_eq!(code, 0, "{out}: {r}");
    }

    // A bad file among good ones: the others are signed, the bad one is named.
    std::fs::create_dir(pki.tmp.path("out2")).unwrap();
    let mut args = vec!["sign", "--out-dir", "out2", "a.pdf", "bad.pdf", "c.pdf"];
    args.extend(key);
    let o = signet(pki.dir(), &args);
    let text = out_text(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("1 of 3 files not signed: bad.pdf"), "{text}");
    assert!(pki.tmp.path("out2/a.pdf").exists() && pki.tmp.path("out2/c.pdf").exists());
    assert!(!pki.tmp.path("out2/bad.pdf").exists());

    // Never over an input, and --out stays for one file.
    let mut args = vec!["--out-dir", ".", "a.pdf"];
    args.extend(key);
    assert!(sign_fails(&pki, &args).contains("overwrite the input"));
    let mut args = vec!["a.pdf", "b.pdf", "--out", "x.pdf"];
    args.extend(key);
    assert!(sign_fails(&pki, &args).contains("--out-dir"));
}

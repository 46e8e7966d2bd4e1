//! `/verify` and `POST /api/v1/verify`: anyone, no sign-in; a green, red or amber verdict per
//! signature; bad files get a clear 4xx; one address may not flood it.

use axum::http::StatusCode;
use signet_app::verification::{Verifier, PER_CLIENT};
use signet_pades::sign::{self, NewField, Request};
use signet_pades::testing::LocalPki;
use signet_pades::Level;

use crate::support::{each_env, Call, Env, Multipart};

/// A decision signed by the leader and sealed by the agency at B-LT by an in-process CA.
fn sealed(pki: &LocalPki) -> Vec<u8> {
    let pdf = signet_pdf::one_page_pdf(
        [0.0, 0.0, 595.0, 842.0],
        b"BT /F1 20 Tf 72 760 Td (Quyet dinh) Tj ET",
    );
    let leader = pki.issue("Nguyễn Văn An", false).unwrap();
    let seal = pki.issue("Ủy ban nhân dân tỉnh Lạc Hồng", true).unwrap();
    let fields = [
        NewField {
            name: "LanhDao".into(),
            page: 0,
            rect: [330.0, 80.0, 530.0, 160.0],
        },
        NewField {
            name: "CoQuan".into(),
            page: 0,
            rect: [250.0, 60.0, 400.0, 180.0],
        },
    ];
    let pdf = sign::add_fields(&pdf, &fields).unwrap();
    let req = |field: &str, level| Request {
        field: field.into(),
        create: None,
        appearance: None,
        m: signet_pades::pdfdate::pdf_date(pki.now),
        reason: None,
        location: None,
        level,
        validation_data: None,
        fill: Vec::new(),
    };
    let a = pki.anchors();
    let signed = sign::sign(
        &pdf,
        &req("LanhDao", Level::BT),
        &leader,
        &leader.chain[0],
        &leader.chain[1..],
        pki,
        &a,
        pki.now,
    )
    .unwrap();
    sign::sign(
        &signed,
        &req("CoQuan", Level::BLT),
        &seal,
        &seal.chain[0],
        &seal.chain[1..],
        pki,
        &a,
        pki.now,
    )
    .unwrap()
}

/// The same environment, its verifier trusting `pki` (offline: only what the file carries).
fn trusting(env: Env, pki: &LocalPki) -> Env {
    let app = env
        .app
        .clone()
        .with_verifier(Verifier::new(pki.anchors(), false));
    let router = signet_web::router(app.clone(), signet_web::WebConfig::default());
    Env { app, router, ..env }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_verifies_a_signed_document() {
    each_env(|env| async move {
        let pki = LocalPki::new(time::OffsetDateTime::now_utc()).unwrap();
        let env = trusting(env, &pki);
        let good = sealed(&pki);

        // The page, in Vietnamese, without signing in.
        let r = env.send(Call::get("/verify")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("Kiểm tra chữ ký số"), "{}", r.text());

        // The API: the PDF as the body.
        let r = env
            .send(Call::post("/api/v1/verify").raw("application/pdf", good.clone()))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let report = r.json();
        assert_eq!(report["verdict"], "TOTAL-PASSED", "{report}");
        assert_eq!(report["signatures"].as_array().unwrap().len(), 2);
        assert_eq!(report["signatures"][1]["coverage"], "entire-file");
        assert_eq!(report["signatures"][1]["level"], "B-LT");

        // The page: green, with who signed.
        let form = Multipart::new().file("file", "quyet-dinh.pdf", &good);
        let r = env.send(Call::post("/verify").multipart(&form)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(
            html.contains("verdict ok") && html.contains("Hợp lệ"),
            "{html}"
        );
        assert!(
            html.contains("Nguyễn Văn An") && html.contains("quyet-dinh.pdf"),
            "{html}"
        );
        // The signature timestamp proves when the document existed (shown); the certificates
        // are still valid now, so no "checked as at" row.
        assert!(html.contains("Được chứng minh đã tồn tại lúc"), "{html}");
        assert!(
            !html.contains("Chứng thư số được kiểm tra tại thời điểm"),
            "{html}"
        );

        // One byte changed in the signed content: red, hash failure.
        let mut bad = good.clone();
        let at = bad.windows(6).position(|w| w == b"Quyet ").unwrap();
        bad[at] = b'J';
        let r = env
            .send(Call::post("/verify").multipart(&Multipart::new().file("file", "x.pdf", &bad)))
            .await;
        assert!(
            r.text().contains("verdict bad") && r.text().contains("Không hợp lệ"),
            "{}",
            r.text()
        );
        // ... said in Vietnamese only: no "modifications: none" beside the broken signatures,
        // no English word outside the library's labelled technical detail.
        let report = report_part(&r.text());
        for row in report.lines().filter(|l| l.contains("Sửa đổi sau khi ký")) {
            assert!(!row.contains("Không có"), "{row}");
            assert!(row.contains("Nội dung đã bị thay đổi sau khi ký"), "{row}");
        }
        assert!(report.contains("Sửa đổi sau khi ký"), "{report}");
        assert!(report.contains("Chi tiết kỹ thuật"), "{report}");
        let words = without_english_detail(&report).to_lowercase();
        for english in [
            "signature",
            "valid",
            "modified",
            "signed by",
            "none",
            "total-failed",
            "hashfailure",
            "hash_failure",
            "digest",
            "does not",
        ] {
            assert!(!words.contains(english), "{english:?} in {words}");
        }
        // The signing time in Vietnam time, with the zone said.
        let vn = pki.now.to_offset(time::macros::offset!(+7));
        let when = format!(
            "{:02}:{:02} {:02}/{:02}/{} (giờ Việt Nam, UTC+7)",
            vn.hour(),
            vn.minute(),
            vn.day(),
            u8::from(vn.month()),
            vn.year()
        );
        assert!(report.contains(&when), "{when} in {report}");
        // The English page keeps ISO dates and the ETSI words.
        let r = env
            .send(
                Call::post("/verify")
                    .multipart(&Multipart::new().file("file", "x.pdf", &bad))
                    .header(axum::http::header::COOKIE, "signet_lang=en"),
            )
            .await;
        let en = report_part(&r.text());
        assert!(en.contains("Invalid (TOTAL-FAILED)"), "{en}");
        assert!(
            en.contains(&format!(
                "{} {:02}:{:02} (Vietnam time, UTC+7)",
                vn.date(),
                vn.hour(),
                vn.minute()
            )),
            "{en}"
        );
        let r = env
            .send(Call::post("/api/v1/verify").raw("application/pdf", bad))
            .await;
        assert_eq!(r.json()["verdict"], "TOTAL-FAILED");
        assert_eq!(r.json()["signatures"][0]["sub_indication"], "HASH_FAILURE");

        // Not a PDF: a clear 422; no file part: 422.
        let r = env
            .send(Call::post("/api/v1/verify").raw("application/pdf", b"GIF89a".to_vec()))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env
            .send(Call::post("/verify").multipart(&Multipart::new().text("x", "y")))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        env
    })
    .await;
}

/// The report's part of a `/verify` page (after the form), one table row per line.
fn report_part(html: &str) -> String {
    let from = html.find("id=\"verdict\"").expect("a report");
    html[from..]
        .replace("<tr>", "\n<tr>")
        .replace("<li>", "\n<li>")
}

/// The text of `html` without its tags and without the library's English technical details
/// (`<span lang="en">…</span>`).
fn without_english_detail(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find("<span lang=\"en\">") {
        out.push_str(&rest[..at]);
        let end = rest[at..]
            .find("</span>")
            .map_or(rest.len(), |e| at + e + 7);
        rest = &rest[end..];
    }
    out.push_str(rest);
    let mut text = String::new();
    let mut in_tag = false;
    for c in out.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Sends a POST whose body fails after its first chunk; returns the status.
async fn refused_unread(env: &Env, path: &str, peer: &str) -> StatusCode {
    use tower::ServiceExt;
    let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![
        Ok(b"%PDF-1.7\n".as_slice()),
        Err(std::io::Error::other("the client went away")),
    ];
    let body = axum::body::Body::from_stream(futures_util::stream::iter(chunks));
    let content_type = if path == "/verify" {
        "multipart/form-data; boundary=x"
    } else {
        "application/pdf"
    };
    let mut req = axum::http::Request::post(path)
        .header("content-type", content_type)
        .body(body)
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        peer.parse::<std::net::SocketAddr>().unwrap(),
    ));
    env.router.clone().oneshot(req).await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_floods_is_told_to_wait() {
    each_env(|env| async move {
        let junk = b"%PDF-1.7\n%%EOF\n".to_vec();
        for _ in 0..PER_CLIENT {
            let r = env
                .send(
                    Call::post("/api/v1/verify")
                        .peer("203.0.113.7:5000")
                        .raw("application/pdf", junk.clone()),
                )
                .await;
            assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS);
        }
        let r = env
            .send(
                Call::post("/api/v1/verify")
                    .peer("203.0.113.7:5001")
                    .raw("application/pdf", junk.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
        assert!(
            !r.header("retry-after").is_empty(),
            "says when to come back"
        );
        // Refused before its body is read: a body that breaks after its first bytes would
        // otherwise give a "malformed request" answer, and a 49 MB one would sit in memory.
        for path in ["/api/v1/verify", "/verify"] {
            let status = refused_unread(&env, path, "203.0.113.7:5002").await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        }
        // Another address is not affected.
        let r = env
            .send(
                Call::post("/api/v1/verify")
                    .peer("198.51.100.2:5000")
                    .raw("application/pdf", junk),
            )
            .await;
        assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS);
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_s_attached_pdf_is_verified_for_those_who_may_read_it() {
    each_env(|env| async move {
        let pki = LocalPki::new(time::OffsetDateTime::now_utc()).unwrap();
        let env = trusting(env, &pki);
        let officer = env.api("chuyenvien.vp").await;
        let form = Multipart::new()
            .text("doc_type", "cong-van")
            .text("subject", "Về việc kiểm tra chữ ký số của văn bản đính kèm")
            .file("file", "quyet-dinh-da-ky.pdf", &sealed(&pki));
        let r = env
            .send(
                Call::post("/api/v1/documents")
                    .bearer(&officer)
                    .multipart(&form),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_owned();
        let view = env.doc_view(&officer, &id).await;
        let file = view["files"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{view}"))
            .to_owned();
        let path = format!("/documents/{id}/files/{file}/verify");

        // The document page links to the check; the check shows the green verdict.
        let page = env.page("chuyenvien.vp").await;
        let r = env
            .send(Call::get(&format!("/documents/{id}")).page(&page))
            .await;
        assert!(r.text().contains(&path), "{}", r.text());
        let r = env.send(Call::get(&path).page(&page)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(
            r.text().contains("verdict ok") && r.text().contains("quyet-dinh-da-ky.pdf"),
            "{}",
            r.text()
        );

        // Another agency's clerk does not even learn that it exists.
        let other = env.page("vanthu.snv").await;
        let r = env.send(Call::get(&path).page(&other)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Nor does an anonymous visitor get it (sign-in first).
        let r = env.send(Call::get(&path)).await;
        assert_ne!(r.status, StatusCode::OK);
        env
    })
    .await;
}

/// The page's downloads: the same file posted again with `output=etsi` or `output=slip` gives
/// the ETSI XML report (schema-valid, xmllint) or the Vietnamese slip (pdftotext); the page
/// shows the trust list and keeps nothing between requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_offers_the_etsi_report_and_the_slip() {
    each_env(|env| async move {
        let pki = LocalPki::new(time::OffsetDateTime::now_utc()).unwrap();
        let env = trusting(env, &pki);
        let good = sealed(&pki);
        let page = env
            .send(Call::post("/verify").multipart(&Multipart::new().file("file", "qd.pdf", &good)))
            .await;
        let html = page.text();
        assert!(html.contains("Danh sách tin cậy"), "{html}");
        assert!(
            html.contains("value=\"etsi\"") && html.contains("value=\"slip\""),
            "{html}"
        );

        let form = Multipart::new()
            .file("file", "qd.pdf", &good)
            .text("output", "etsi");
        let r = env.send(Call::post("/verify").multipart(&form)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("content-type"), "application/xml");
        assert!(r.header("content-disposition").starts_with("attachment"));
        let xml = r.text();
        assert_eq!(
            xml.matches("urn:etsi:019102:mainindication:total-passed")
                .count(),
            2,
            "{xml}"
        );
        let dir = signet_store::testing::scratch_dir("web-etsi");
        std::fs::write(dir.join("r.xml"), &xml).unwrap();
        let xsd =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../signet-pades/tests/etsi-xsd");
        let check = std::process::Command::new("xmllint")
            .env("XML_CATALOG_FILES", xsd.join("catalog.xml"))
            .args(["--nonet", "--noout", "--schema"])
            .arg(xsd.join("1910202xmlSchema.xsd"))
            .arg(dir.join("r.xml"))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );

        let form = Multipart::new()
            .file("file", "qd.pdf", &good)
            .text("output", "slip");
        let r = env.send(Call::post("/verify").multipart(&form)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "application/pdf");
        std::fs::write(dir.join("s.pdf"), &r.body).unwrap();
        let text = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(dir.join("s.pdf"))
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(text.contains("PHIẾU KIỂM TRA CHỮ KÝ SỐ"), "{text}");
        assert!(text.contains("Kết luận chung: HỢP LỆ"), "{text}");
        assert!(text.contains("Nguyễn Văn An"), "{text}");
        assert!(text.contains("qd.pdf"), "{text}");
        env
    })
    .await;
}

/// The top agency's administrator turns the built-in list "Chữ ký số chuyên dùng Chính phủ"
/// on and off on the administration page; a real government PDF (no intermediate in it)
/// chains to Ban Cơ yếu's root only while it is on. A department's administrator may not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_turn_the_vietnamese_trust_lists_on_and_off() {
    each_env(|env| async move {
        let corpus = signet_testkit::shared_dir()
            .map(|s| s.join("corpus/vn/AVG-Team__VN-Law/06-bct.signed.pdf"))
            .filter(|p| p.is_file())
            .expect("the shared vn corpus");
        let pdf = std::fs::read(corpus).unwrap();
        let verify = || Call::post("/api/v1/verify").raw("application/pdf", pdf.clone());
        let admin = env.page("quantri.ubnd").await;
        let set = |s: &crate::support::PageSession, list: &str, on: &str| {
            Call::post("/admin/trust-lists").page(s).form(&[
                ("csrf", s.csrf.as_str()),
                ("list", list),
                ("enabled", on),
            ])
        };
        let page = env.send(Call::get("/admin").page(&admin)).await.text();
        assert!(page.contains("Chữ ký số chuyên dùng Chính phủ"), "{page}");

        let r = env.send(set(&admin, "vn-gov", "1")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let on = env.send(verify()).await.json();
        assert_eq!(on["signatures"][0]["trust_list"]["id"], "vn-gov", "{on}");
        let page = env.send(Call::get("/admin").page(&admin)).await.text();
        assert!(page.contains("Đang dùng"), "{page}");

        let department = env.page("quantri.snv").await;
        env.send(set(&department, "vn-gov", "0"))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        let still = env.send(verify()).await.json();
        assert_eq!(still["signatures"][0]["trust_list"]["id"], "vn-gov");

        let r = env.send(set(&admin, "vn-gov", "0")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let off = env.send(verify()).await.json();
        assert!(off["signatures"][0]["trust_list"].is_null(), "{off}");
        assert_eq!(
            off["signatures"][0]["sub_indication"],
            "NO_CERTIFICATE_CHAIN_FOUND"
        );
        // The choice is stored: a restart applies it over the configuration's default.
        env.app.apply_stored_trust_lists(&["vn-gov"]).await.unwrap();
        let restarted = env.send(verify()).await.json();
        assert!(restarted["signatures"][0]["trust_list"].is_null());
        env.send(set(&admin, "no-such-list", "1"))
            .await
            .expect_page_error(StatusCode::UNPROCESSABLE_ENTITY);
        env
    })
    .await;
}

/// An encrypted PDF with a user password (issue 11 §1): the page asks for the password and
/// says when it is wrong (422, in Vietnamese), and with it reports the file, saying it was
/// encrypted; the API takes the same `password` part. (qpdf made the file: AES-256, user
/// password "fuzz", owner password "o".)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_pdf_is_verified_with_its_password() {
    let locked = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../signet-pdf/tests/regressions/encrypted-r6-aes-256-user-fuzz.pdf"
    ))
    .unwrap();
    each_env(|env| {
        let locked = locked.clone();
        async move {
            let r = env.send(Call::get("/verify")).await;
            assert!(r.text().contains("name=\"password\""), "{}", r.text());

            let form = |pw: Option<&str>| {
                let f = Multipart::new().file("file", "mat.pdf", &locked);
                match pw {
                    Some(p) => f.text("password", p),
                    None => f,
                }
            };
            let r = env.send(Call::post("/verify").multipart(&form(None))).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
            assert!(r.text().contains("hãy nhập mật khẩu"), "{}", r.text());
            let r = env
                .send(Call::post("/verify").multipart(&form(Some("sai"))))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
            assert!(r.text().contains("không mở được"), "{}", r.text());
            let r = env
                .send(Call::post("/verify").multipart(&form(Some("fuzz"))))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            assert!(
                r.text().contains("Tệp được mã hoá (AES-256"),
                "{}",
                r.text()
            );

            let r = env
                .send(Call::post("/api/v1/verify").raw("application/pdf", locked.clone()))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
            assert!(r.text().contains("pdf_password_required"), "{}", r.text());
            let r = env
                .send(Call::post("/api/v1/verify").multipart(&form(Some("o"))))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            let messages = r.json()["messages"].to_string();
            assert!(messages.contains("owner password"), "{messages}");
            env
        }
    })
    .await;
}

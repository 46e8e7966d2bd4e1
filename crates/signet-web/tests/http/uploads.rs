//! Bad input is refused with a 4xx and leaves nothing behind: no document, no stored file,
//! no temporary file.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{each_env, encode, pdf, Call, Env, Multipart, MAX_FILE};

/// A draft form with the file last, as a browser sends it.
fn draft(subject: &str, doc_type: &str, file: Option<(&str, &[u8])>) -> Multipart {
    let m = Multipart::new()
        .text("doc_type", doc_type)
        .text("subject", subject);
    match file {
        Some((name, bytes)) => m.file("file", name, bytes),
        None => m,
    }
}

/// A PDF of `n` bytes.
fn big_pdf(n: u64) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.resize(usize::try_from(n).unwrap_or(0), b'%');
    v
}

/// What must be the same after a refused request.
#[derive(Debug, PartialEq)]
struct Snapshot {
    documents: usize,
    blobs: (usize, usize),
}

async fn snapshot(env: &Env, clerk: &str) -> Snapshot {
    Snapshot {
        documents: env.count_docs(clerk).await,
        blobs: env.blob_files(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_are_refused_and_leave_nothing() {
    each_env(|env| async move {
        let officer = env.api("chuyenvien.vp").await;
        let clerk = env.api("vanthu.ubnd").await;
        let admin = env.api("quantri.ubnd").await;
        let page = env.page("chuyenvien.vp").await;
        let before = snapshot(&env, &clerk).await;
        assert_eq!(before.blobs.1, 0, "no temporary files to begin with");

        let html_pdf = b"<!doctype html><script>alert(1)</script>".to_vec();
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
        let ok_pdf = pdf("hop le");
        let long = "ă".repeat(501);
        let limit_plus_one = big_pdf(MAX_FILE + 1);
        let way_over = big_pdf(3 * MAX_FILE);
        let with = |m: Multipart, k: &str, v: &str| m.text(k, v);
        let cases: Vec<(&str, Multipart, StatusCode)> = vec![
            (
                "empty file",
                draft("Tệp rỗng", "cong-van", Some(("rong.pdf", b""))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "one byte over the limit",
                draft(
                    "Tệp quá lớn",
                    "cong-van",
                    Some(("lon.pdf", &limit_plus_one)),
                ),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (
                "over the body limit",
                draft("Tệp rất lớn", "cong-van", Some(("rat-lon.pdf", &way_over))),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (
                "HTML named .pdf",
                draft("Tệp giả", "cong-van", Some(("x.pdf", &html_pdf))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "an executable",
                draft("Tệp chạy", "cong-van", Some(("x.exe", &exe))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "a PDF named .exe",
                draft("Tệp đổi tên", "cong-van", Some(("x.exe", &ok_pdf))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "a file with no name",
                draft("Tệp không tên", "cong-van", Some((".pdf", &ok_pdf))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "no file",
                draft("Không có tệp", "cong-van", None),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "missing subject",
                draft("", "cong-van", Some(("a.pdf", &ok_pdf))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "blank subject",
                draft("   ", "cong-van", Some(("a.pdf", &ok_pdf))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "subject over 500",
                draft(&long, "cong-van", Some(("a.pdf", &ok_pdf))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "unknown type",
                draft("Loại lạ", "sac-lenh", Some(("a.pdf", &ok_pdf))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "missing type",
                Multipart::new()
                    .text("subject", "Không loại")
                    .file("file", "a.pdf", &ok_pdf),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "bad pages",
                with(Multipart::new(), "pages", "mot")
                    .text("doc_type", "cong-van")
                    .text("subject", "Số trang")
                    .file("file", "a.pdf", &ok_pdf),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "bad date",
                with(Multipart::new(), "due_on", "31/12/2026")
                    .text("doc_type", "cong-van")
                    .text("subject", "Hạn")
                    .file("file", "a.pdf", &ok_pdf),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "due in year 9999",
                with(Multipart::new(), "due_on", "9999-12-31")
                    .text("doc_type", "cong-van")
                    .text("subject", "Hạn xa")
                    .file("file", "a.pdf", &ok_pdf),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "due in year 0",
                with(Multipart::new(), "due_on", "0000-01-01")
                    .text("doc_type", "cong-van")
                    .text("subject", "Hạn xưa")
                    .file("file", "a.pdf", &ok_pdf),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "bad urgency",
                with(Multipart::new(), "urgency", "gap")
                    .text("doc_type", "cong-van")
                    .text("subject", "Độ khẩn")
                    .file("file", "a.pdf", &ok_pdf),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "bad secrecy",
                with(Multipart::new(), "secrecy", "bi-mat")
                    .text("doc_type", "cong-van")
                    .text("subject", "Độ mật")
                    .file("file", "a.pdf", &ok_pdf),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "unknown drafting unit",
                with(Multipart::new(), "drafting_unit_id", "0000")
                    .text("doc_type", "cong-van")
                    .text("subject", "Đơn vị lạ")
                    .file("file", "a.pdf", &pdf("don vi la")),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "a good file, then a bad one",
                draft("Hai tệp", "cong-van", Some(("a.pdf", &pdf("tep dau tien"))))
                    .file("file", "b.pdf", &html_pdf),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ];
        for (what, form, status) in &cases {
            let r = env
                .send(
                    Call::post("/api/v1/documents")
                        .bearer(&officer)
                        .multipart(form),
                )
                .await;
            assert_eq!(r.status, *status, "API, {what}: {}", r.text());
            let code = if *status == StatusCode::PAYLOAD_TOO_LARGE {
                "too_large"
            } else {
                "invalid"
            };
            assert_eq!(r.error_code(), code, "API, {what}");
            assert_eq!(
                snapshot(&env, &clerk).await,
                before,
                "API, {what}: nothing left"
            );
        }
        // The same through the page form.
        for (what, form, status) in &cases {
            let form = Multipart::new().text("csrf", &page.csrf).append(form);
            let r = env
                .send(Call::post("/outgoing").page(&page).multipart(&form))
                .await;
            // The form comes back with what was typed and the problem (issue 13 §3).
            r.expect_form_error(*status);
            assert_eq!(
                snapshot(&env, &clerk).await,
                before,
                "page, {what}: nothing left"
            );
        }

        // Whoever may not draft is refused before the upload is stored.
        env.send(
            Call::post("/api/v1/documents")
                .bearer(&admin)
                .multipart(&draft(
                    "Quản trị soạn",
                    "cong-van",
                    Some(("a.pdf", &pdf("quan tri"))),
                )),
        )
        .await
        .expect_api_error(StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(
            snapshot(&env, &clerk).await,
            before,
            "a refused drafter leaves nothing"
        );

        // Bodies that are not multipart forms at all.
        for (ct, body) in [
            (
                "multipart/form-data; boundary=XYZ",
                b"garbage, not a form".to_vec(),
            ),
            (
                "multipart/form-data; boundary=XYZ",
                b"--XYZ\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\nunterminated"
                    .to_vec(),
            ),
            ("multipart/form-data", b"--XYZ\r\n\r\n".to_vec()),
            (
                "application/json",
                json!({ "doc_type": "cong-van", "subject": "JSON" })
                    .to_string()
                    .into_bytes(),
            ),
            ("text/plain", b"doc_type=cong-van".to_vec()),
        ] {
            let r = env
                .send(
                    Call::post("/api/v1/documents")
                        .bearer(&officer)
                        .raw(ct, body.clone()),
                )
                .await;
            assert!(
                r.status == StatusCode::BAD_REQUEST
                    || r.status == StatusCode::UNPROCESSABLE_ENTITY
                    || r.status == StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{ct}: {}",
                r.status
            );
            r.error_code();
            let p = env
                .send(Call::post("/outgoing").page(&page).raw(ct, body))
                .await;
            assert!(p.status.is_client_error(), "page, {ct}: {}", p.status);
            assert_eq!(snapshot(&env, &clerk).await, before, "{ct}: nothing left");
        }

        // Incoming registration: the sender's details are checked before the file is kept.
        let incoming = |code: &str, author: &str, notation: &str, arrived: &str| {
            Multipart::new()
                .text("doc_type", "cong-van")
                .text("subject", "Văn bản đến có lỗi")
                .text("author_name", author)
                .text("author_code", code)
                .text("notation", notation)
                .text("arrived_on", arrived)
                .file(
                    "file",
                    "den.pdf",
                    &pdf(&format!("den {code} {author} {notation} {arrived}")),
                )
        };
        for (what, form) in [
            (
                "unknown agency code",
                incoming("abc", "Bộ Nội vụ", "1/BNV", ""),
            ),
            (
                "agency code too long",
                incoming(&"1".repeat(36), "Bộ Nội vụ", "1/BNV", ""),
            ),
            ("no sender", incoming("000.00.00.G12", "", "1/BNV", "")),
            (
                "no notation",
                incoming("000.00.00.G12", "Bộ Nội vụ", "", ""),
            ),
            (
                "bad arrival date",
                incoming("000.00.00.G12", "Bộ Nội vụ", "1/BNV", "hôm qua"),
            ),
            // A date far from today would open a register for year 0 or 9999.
            (
                "arrival in year 0",
                incoming("000.00.00.G12", "Bộ Nội vụ", "1/BNV", "0000-01-01"),
            ),
            (
                "arrival in year 9999",
                incoming("000.00.00.G12", "Bộ Nội vụ", "1/BNV", "9999-12-31"),
            ),
        ] {
            let r = env
                .send(
                    Call::post("/api/v1/incoming")
                        .bearer(&clerk)
                        .multipart(&form),
                )
                .await;
            r.expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
            assert_eq!(
                snapshot(&env, &clerk).await,
                before,
                "incoming, {what}: nothing left"
            );
        }

        // Administration input.
        let agencies = env
            .send(Call::get("/api/v1/agencies").bearer(&admin))
            .await
            .json();
        let admin_page = env.page("quantri.ubnd").await;
        env.send(Call::post("/admin/agencies").page(&admin_page).form(&[
            ("csrf", &admin_page.csrf),
            ("code", "abc"),
            ("name", "Cơ quan lạ"),
            ("abbreviation", "CQL"),
        ]))
        .await
        .expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            env.send(Call::get("/api/v1/agencies").bearer(&admin))
                .await
                .json(),
            agencies
        );

        // And the limits themselves are not off by one.
        let at_limit = big_pdf(MAX_FILE);
        let exactly = "ă".repeat(500);
        let r = env
            .send(
                Call::post("/api/v1/documents")
                    .bearer(&officer)
                    .multipart(&draft(
                        &exactly,
                        "cong-van",
                        Some(("dung-gioi-han.pdf", &at_limit)),
                    )),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "a file of exactly the limit, a subject of 500: {}",
            r.text()
        );
        let after = snapshot(&env, &clerk).await;
        assert_eq!(after.documents, before.documents + 1);
        assert_eq!(after.blobs, (before.blobs.0 + 1, 0));
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_are_refused_not_crashed() {
    each_env(|env| async move {
        let officer = env.api("chuyenvien.vp").await;
        let clerk = env.api("vanthu.ubnd").await;
        let admin = env.api("quantri.ubnd").await;
        let page = env.page("chuyenvien.vp").await;
        let before = snapshot(&env, &clerk).await;

        // NUL in a path, a query, a form, JSON: a client error, never a server error.
        for path in ["/api/v1/documents/%00", "/api/v1/documents/a%00b/files/%00", "/api/v1/registers/di/%00"] {
            let r = env.send(Call::get(path).bearer(&officer)).await;
            assert!(r.status.is_client_error(), "{path}: {}", r.status);
            r.error_code();
        }
        for path in ["/documents/%00", "/documents/%00/files/x"] {
            let r = env.send(Call::get(path).page(&page)).await;
            assert!(r.status.is_client_error(), "{path}: {}", r.status);
        }
        let r = env.send(Call::post("/api/v1/documents/%00/submit").bearer(&officer)).await;
        assert!(r.status.is_client_error(), "{}", r.status);
        for q in ["q=%00", "q=a%00b", "after=1.%00", "state=%00", "direction=incoming&q=%00"] {
            let r = env.send(Call::get(&format!("/api/v1/documents?{q}")).bearer(&officer)).await;
            assert!(r.status == StatusCode::OK || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{q}: {}", r.status);
        }
        let r = env.send(Call::get("/outgoing?q=%00").page(&page)).await;
        assert!(r.status == StatusCode::OK || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", r.status);
        let r = env
            .send(Call::post("/login").form(&[("username", "van\0thu"), ("password", "x\0y")]).peer("10.9.0.1:1"))
            .await;
        assert!(r.status == StatusCode::UNAUTHORIZED || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", r.status);
        assert!(r.header("set-cookie").is_empty());
        let r = env
            .send(Call::post("/api/v1/session").json(&json!({ "username": "\u{0}", "password": "\u{0}" })).peer("10.9.0.2:1"))
            .await;
        assert!(["bad_credentials", "invalid"].contains(&r.error_code().as_str()), "{}", r.text());
        assert!(r.status == StatusCode::UNAUTHORIZED || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", r.status);
        let r = env
            .send(Call::post("/api/v1/documents").bearer(&officer).multipart(&draft("Trích\0yếu", "cong-van", Some(("a.pdf", &pdf("nul"))))))
            .await;
        r.expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        let r = env
            .send(Call::post("/api/v1/documents").bearer(&officer).multipart(&draft("Tên tệp", "cong-van", Some(("a\0b.pdf", &pdf("nul ten"))))))
            .await;
        assert!(r.status.is_client_error() || r.status == StatusCode::CREATED, "{}", r.status);
        if r.status == StatusCode::CREATED {
            let id = r.json()["id"].as_str().unwrap_or_default().to_owned();
            let v = env.doc_view(&officer, &id).await;
            assert!(!v["files"][0]["name"].as_str().unwrap_or("\0").contains('\0'), "no NUL kept");
        } else {
            assert_eq!(snapshot(&env, &clerk).await, before);
        }
        for body in [
            json!({ "name": "Phòng\u{0}X", "abbreviation": "X" }),
            json!({ "name": "Phòng X", "abbreviation": "X\u{0}" }),
        ] {
            env.send(Call::post("/api/v1/units").bearer(&admin).json(&body))
                .await
                .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        }
        let r = env
            .send(Call::post("/api/v1/people").bearer(&admin).json(&json!({
                "username": "moi.nguoi", "full_name": "Họ\u{0}Tên", "roles": ["officer"], "password": "mat-khau-du-dai-2026"
            })))
            .await;
        r.expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_of_a_kind_the_route_does_not_take_is_refused_by_name() {
    each_env(|env| async move {
        let admin = env.page("quantri.ubnd").await;
        let api_admin = env.api("quantri.ubnd").await;
        let people = |v: Value| v["people"].as_array().map(Vec::len).unwrap_or_default();
        let before = people(env.send(Call::get("/api/v1/people").bearer(&api_admin)).await.json());

        // A form sent as text/plain escaped the NUL check and reached the database.
        let csrf = encode(&admin.csrf);
        let body = format!(
            "csrf={csrf}&username=nul.name&full_name=Nul%00Name&roles=officer&password=mat-khau-du-dai-2026"
        );
        for ct in ["text/plain", "text/plain; charset=utf-8"] {
            let r = env.send(Call::post("/admin/people").page(&admin).raw(ct, body.clone())).await;
            r.expect_page_error(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
        let r = env.send(Call::post("/api/v1/units").bearer(&api_admin).raw("text/plain", "{}")).await;
        r.expect_api_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid");
        assert_eq!(r.json()["error"]["problem"], "content_type", "{}", r.text());
        assert_eq!(r.json()["error"]["params"]["got"], "text/plain", "{}", r.text());
        let after = people(env.send(Call::get("/api/v1/people").bearer(&api_admin)).await.json());
        assert_eq!(after, before, "nobody was added");

        // A PDF posted with curl's default type is told its content type, not "NUL" or "2 MB".
        for size in [100, 3 << 20] {
            let mut pdf = b"%PDF-1.7\n\0\0binary".to_vec();
            pdf.resize(size, 0);
            let r = env
                .send(Call::post("/api/v1/verify").raw("application/x-www-form-urlencoded", pdf))
                .await;
            r.expect_api_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid");
            let e = &r.json()["error"];
            assert_eq!(e["problem"], "content_type", "{e}");
            assert!(e["message"].as_str().unwrap_or("").contains("application/pdf"), "{e}");
        }
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_s_title_and_email_have_limits() {
    each_env(|env| async move {
        let admin = env.api("quantri.ubnd").await;
        let person = |n: usize, title: String, email: String| {
            json!({
                "username": format!("gioi.han{n}"), "full_name": "Giới Hạn", "title": title,
                "email": email, "roles": ["officer"], "password": "mat-khau-du-dai-2026"
            })
        };
        let long_title = "Chuyên viên ".repeat(200);
        let long_email = format!("{}@example.vn", "a".repeat(300));
        for (n, body) in [
            (1, person(1, long_title, String::new())),
            (2, person(2, String::new(), long_email)),
        ] {
            let r = env
                .send(Call::post("/api/v1/people").bearer(&admin).json(&body))
                .await;
            r.expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
            assert!(
                r.text().contains("too_long")
                    || r.text().contains("100")
                    || r.text().contains("254"),
                "{n}: {}",
                r.text()
            );
        }
        let ok = person(3, "Chuyên viên".into(), "gioi.han3@example.vn".into());
        let r = env
            .send(Call::post("/api/v1/people").bearer(&admin).json(&ok))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        env
    })
    .await;
}

/// A resumable (tus) upload request of the API client `token`.
fn tus(method: axum::http::Method, path: &str, token: &str) -> Call {
    Call::new(method, path).bearer(token).header(
        axum::http::HeaderName::from_static("tus-resumable"),
        "1.0.0",
    )
}

fn piece(path: &str, token: &str, offset: usize, bytes: &[u8]) -> Call {
    tus(axum::http::Method::PATCH, path, token)
        .header(
            axum::http::HeaderName::from_static("upload-offset"),
            &offset.to_string(),
        )
        .raw("application/offset+octet-stream", bytes.to_vec())
}

fn begin(token: &str, name: &str, length: usize) -> Call {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(name);
    tus(axum::http::Method::POST, "/api/v1/uploads", token)
        .header(
            axum::http::HeaderName::from_static("upload-length"),
            &length.to_string(),
        )
        .header(
            axum::http::HeaderName::from_static("upload-metadata"),
            &format!("filename {b64}"),
        )
}

/// A file sent in pieces, one of them repeated with a stale offset, then named in the
/// incoming form in place of the file: stored whole; another person cannot see or use the
/// upload; a used upload is gone; a file whose first piece is not what its name says is
/// refused at once and removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumable_upload_goes_in_pieces_and_is_named_in_the_form() {
    use axum::http::Method;
    each_env(|env| async move {
        let clerk = env.api("vanthu.ubnd").await;
        let other = env.api("chuyenvien.vp").await;
        let file = pdf("tus");
        let r = env
            .send(Call::new(Method::OPTIONS, "/api/v1/uploads"))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(r.header("tus-version"), "1.0.0");
        assert!(r.header("tus-extension").contains("creation"));

        let r = env
            .send(begin(
                &clerk,
                "ban-goc.pdf",
                usize::try_from(MAX_FILE).unwrap_or(0) + 1,
            ))
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
        let r = env.send(begin(&clerk, "ban-goc.pdf", 0)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = env.send(begin(&clerk, "ban-goc.pdf", file.len())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let at = r.header("location");
        assert!(at.starts_with("/api/v1/uploads/"), "{at}");
        let id = at.trim_start_matches("/api/v1/uploads/").to_owned();

        let half = file.len() / 2;
        let r = env.send(piece(&at, &clerk, 0, &file[..half])).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        assert_eq!(r.header("upload-offset"), half.to_string());
        // The same piece again (the client never saw the answer): refused, nothing doubled.
        let r = env.send(piece(&at, &clerk, 0, &file[..half])).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = env.send(tus(Method::HEAD, &at, &clerk)).await;
        assert_eq!(r.header("upload-offset"), half.to_string());
        assert_eq!(r.header("upload-length"), file.len().to_string());
        // Someone else's client: not found, not writable.
        let r = env.send(tus(Method::HEAD, &at, &other)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = env.send(piece(&at, &other, half, &file[half..])).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // More than announced: refused.
        let mut long = file[half..].to_vec();
        long.push(b'\n');
        let r = env.send(piece(&at, &clerk, half, &long)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env.send(piece(&at, &clerk, half, &file[half..])).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        assert_eq!(r.header("upload-offset"), file.len().to_string());

        let today = signet_app::clock::iso_date(env.app.clock.today());
        let form = Multipart::new()
            .text("doc_type", "cong-van")
            .text("subject", "Văn bản gửi từng phần")
            .text("author_name", "Bộ Nội vụ")
            .text("notation", "9/BNV-VP")
            .text("issued_on", &today)
            .text("upload", &id);
        let r = env
            .send(
                Call::post("/api/v1/incoming")
                    .bearer(&other)
                    .multipart(&form),
            )
            .await;
        assert!(
            r.status.is_client_error(),
            "another person cannot use it: {}",
            r.status
        );
        let r = env
            .send(
                Call::post("/api/v1/incoming")
                    .bearer(&clerk)
                    .multipart(&form),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let doc: Value = r.json();
        let d = env
            .doc_view(&clerk, doc["id"].as_str().unwrap_or_default())
            .await;
        assert_eq!(d["files"][0]["name"], "ban-goc.pdf");
        let path = format!(
            "/api/v1/documents/{}/files/{}",
            doc["id"].as_str().unwrap_or_default(),
            d["files"][0]["id"].as_str().unwrap_or_default()
        );
        let got = env.send(Call::get(&path).bearer(&clerk)).await;
        assert_eq!(got.body, file, "stored byte for byte");
        let r = env
            .send(
                Call::post("/api/v1/incoming")
                    .bearer(&clerk)
                    .multipart(&form),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "an upload is used once");

        // Named .pdf, but a program: refused at the first piece, and gone.
        let r = env.send(begin(&clerk, "khong-phai.pdf", 64)).await;
        let at = r.header("location");
        let r = env
            .send(piece(&at, &clerk, 0, &[b'M', b'Z', 0x90, 0, 3, 0, 0, 0]))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env.send(tus(Method::HEAD, &at, &clerk)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = env
            .send(piece(&at, &clerk, 0, b"xx").header(
                axum::http::HeaderName::from_static("tus-resumable"),
                "0.2.2",
            ))
            .await;
        assert!(r.status.is_client_error());
        env
    })
    .await;
}

//! The server-rendered pages: sign-in, language, every route for every role, CSRF, and a
//! draft's whole life through the forms.

use axum::http::header;
use axum::http::StatusCode;
use signet_app::demo::DEMO_PASSWORD;

use crate::support::{each_env, pdf, Call, Env, Multipart};

fn year(env: &Env) -> i32 {
    env.app.clock.today().year()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_security_headers_and_not_found() {
    each_env(|env| async move {
        let r = env.get("/healthz").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.text(), "ok");
        let icon = env.get("/favicon.ico").await;
        assert_eq!(icon.status, StatusCode::OK, "the icon browsers ask for");
        assert!(icon.header("content-type").starts_with("image/svg+xml"));

        let token = env.api("vanthu.ubnd").await;
        let page = env.get("/login").await;
        let api = env.send(Call::get("/api/v1/me").bearer(&token)).await;
        assert_eq!(api.status, StatusCode::OK);
        assert!(api.header("content-type").starts_with("application/json"));
        for r in [&page, &api] {
            let csp = r.header("content-security-policy");
            for directive in [
                "default-src 'none'",
                "frame-ancestors 'none'",
                "form-action 'self'",
            ] {
                assert!(csp.contains(directive), "{}: CSP {csp:?}", r.what);
            }
            assert!(!csp.contains("unsafe-inline"), "{}", r.what);
            assert_eq!(r.header("x-frame-options"), "DENY");
            assert_eq!(r.header("x-content-type-options"), "nosniff");
            assert_eq!(r.header("referrer-policy"), "same-origin");
        }
        assert_eq!(
            page.header("cache-control"),
            "no-store",
            "pages are not cached"
        );

        let css = env.get("/static/style.css").await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(css.header("content-type").starts_with("text/css"));
        // The signing agent's page-side client.
        let js = env.get("/static/agent.js").await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(js.header("content-type").starts_with("text/javascript"));
        assert!(js.text().contains("export async function listCertificates"));

        // An unknown route: a page for a browser, JSON for an API client.
        let html = env.get("/no/such/page").await;
        html.expect_page_error(StatusCode::NOT_FOUND);
        assert!(html.text().contains("Không tìm thấy"), "{}", html.text());
        for path in ["/no/such/page", "/api/v1/nothing-here"] {
            let json = env
                .send(Call::get(path).header(header::ACCEPT, "application/json"))
                .await;
            json.expect_api_error(StatusCode::NOT_FOUND, "not_found");
        }
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sign_out_and_language() {
    each_env(|env| async move {
        let login = env.get("/login").await;
        assert_eq!(login.status, StatusCode::OK);
        let html = login.text();
        assert!(html.contains("<html lang=\"vi\">"), "{html}");
        assert!(
            html.contains("Đăng nhập")
                && html.contains("Tên đăng nhập")
                && html.contains("Mật khẩu"),
            "{html}"
        );
        assert!(!html.contains("name=\"csrf\""), "no session, no form token");

        // Signed out: every page leads to the sign-in form.
        for path in [
            "/",
            "/outgoing",
            "/incoming",
            "/registers",
            "/admin",
            "/documents/abc",
        ] {
            let r = env.get(path).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(r.location(), "/login", "{path}");
        }
        let forged = env
            .send(Call::get("/outgoing").header(
                header::COOKIE,
                &format!("signet_session={}", "a".repeat(64)),
            ))
            .await;
        assert_eq!(forged.location(), "/login", "an unknown session token");

        // Good credentials: a session cookie the page scripts cannot read.
        let ok = env
            .send(
                Call::post("/login")
                    .form(&[("username", "chuyenvien.vp"), ("password", DEMO_PASSWORD)]),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), "/");
        let cookie = ok.header("set-cookie");
        assert!(cookie.starts_with("signet_session="), "{cookie}");
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attr), "{attr} in {cookie}");
        }
        assert!(
            !cookie.contains("Secure"),
            "not asked for in this configuration"
        );
        let session = cookie.split(';').next().unwrap_or_default().to_owned();
        let home = env
            .send(Call::get("/").header(header::COOKIE, &session))
            .await;
        assert_eq!(home.status, StatusCode::SEE_OTHER);
        assert_eq!(
            home.location(),
            "/my-work",
            "the first page is the person's work"
        );

        // Bad credentials: the same answer for a wrong password and an unknown account.
        for (user, pass) in [
            ("chuyenvien.vp", "wrong password"),
            ("khong.ton.tai", DEMO_PASSWORD),
        ] {
            let r = env
                .send(
                    Call::post("/login")
                        .form(&[("username", user), ("password", pass)])
                        .peer("10.1.0.1:4000"),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{user}");
            assert!(
                r.text().contains("Sai tên đăng nhập hoặc mật khẩu"),
                "{}",
                r.text()
            );
            assert!(r.header("set-cookie").is_empty(), "no session for {user}");
        }

        // Language: the switch sets a cookie and returns to the page (same site only).
        let s = env.page("chuyenvien.vp").await;
        let vi = env.send(Call::get("/outgoing").page(&s)).await;
        assert!(vi.text().contains("Văn bản đi"));
        assert!(!vi.text().contains(">Outgoing<"));
        let switch = env
            .send(
                Call::get("/lang/en").header(header::REFERER, "http://signet.local/outgoing?q=ky"),
            )
            .await;
        assert_eq!(switch.status, StatusCode::SEE_OTHER);
        assert_eq!(switch.location(), "/outgoing?q=ky");
        let lang = switch.header("set-cookie");
        assert!(lang.starts_with("signet_lang=en;"), "{lang}");
        for referer in [
            "https://evil.example",
            "https://evil.example//evil.example/x",
            "javascript:alert(1)",
        ] {
            let r = env
                .send(Call::get("/lang/en").header(header::REFERER, referer))
                .await;
            let to = r.location();
            assert!(
                to.starts_with('/') && !to.starts_with("//"),
                "{referer} → {to}"
            );
        }
        let en = env
            .send(
                Call::get("/outgoing")
                    .header(header::COOKIE, &format!("{}; signet_lang=en", s.cookie)),
            )
            .await;
        assert_eq!(en.status, StatusCode::OK);
        let text = en.text();
        assert!(text.contains("<html lang=\"en\">"));
        assert!(
            text.contains("Outgoing") && text.contains("Sign out"),
            "{text}"
        );
        assert!(!text.contains("Văn bản đi"));
        let en_login = env
            .send(Call::get("/login").header(header::COOKIE, "signet_lang=en"))
            .await;
        assert!(en_login.text().contains("Sign in"));
        let back = env.get("/lang/vi").await;
        assert!(back.header("set-cookie").starts_with("signet_lang=vi;"));

        // Sign out ends the session on the server, not only in the browser.
        let out = env
            .send(Call::post("/logout").page(&s).form(&[("csrf", &s.csrf)]))
            .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(out.location(), "/login");
        assert!(out.header("set-cookie").contains("Max-Age=0"));
        let after = env.send(Call::get("/outgoing").page(&s)).await;
        assert_eq!(after.location(), "/login", "the old cookie no longer works");

        // Too many failures on one account lock it, even for the right password and from
        // other addresses; other accounts are not locked.
        for i in 1..=5 {
            let r = env
                .send(
                    Call::post("/login")
                        .form(&[
                            ("username", "lanhdao.ubnd"),
                            ("password", "not the password"),
                        ])
                        .peer(&format!("10.2.0.{i}:5000")),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let sixth = env
            .send(
                Call::post("/login")
                    .form(&[
                        ("username", "lanhdao.ubnd"),
                        ("password", "not the password"),
                    ])
                    .peer("10.2.0.6:5000"),
            )
            .await;
        assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
        let right = env
            .send(
                Call::post("/login")
                    .form(&[("username", "lanhdao.ubnd"), ("password", DEMO_PASSWORD)])
                    .peer("10.2.0.7:5000"),
            )
            .await;
        assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(right.header("set-cookie").is_empty());
        assert!(
            right.text().contains("Đăng nhập sai quá nhiều lần"),
            "{}",
            right.text()
        );
        let api = env
            .send(Call::post("/api/v1/session").json(
                &serde_json::json!({ "username": "lanhdao.ubnd", "password": DEMO_PASSWORD }),
            ).peer("10.2.0.8:5000"))
            .await;
        api.expect_api_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        let other = env
            .send(
                Call::post("/login")
                    .form(&[("username", "vanthu.ubnd"), ("password", DEMO_PASSWORD)])
                    .peer("10.2.0.9:5000"),
            )
            .await;
        assert_eq!(
            other.status,
            StatusCode::SEE_OTHER,
            "another account still signs in"
        );

        // And too many failures from one address lock that address (a higher limit than an
        // account's: many people may share an address behind a proxy).
        for i in 1..=signet_app::auth::MAX_FAILURES_PER_CLIENT {
            let r = env
                .send(
                    Call::post("/login")
                        .form(&[("username", &format!("doan.mo.{i}")), ("password", "x")])
                        .peer("10.3.0.1:6000"),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = env
            .send(
                Call::post("/login")
                    .form(&[("username", "chuyenvien2.th"), ("password", DEMO_PASSWORD)])
                    .peer("10.3.0.1:6000"),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the address is locked"
        );
        env
    })
    .await;
}

/// A sign-in form posted from another site is refused (login CSRF): the attacker's session
/// would otherwise be set in the victim's browser.
#[tokio::test]
async fn sign_in_from_another_site_is_refused() {
    each_env(|env| async move {
        let form = [("username", "vanthu.ubnd"), ("password", DEMO_PASSWORD)];
        for (name, value) in [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let r = env
                .send(
                    Call::post("/login")
                        .header(header::HOST, "vanban.example")
                        .header(name.parse().unwrap(), value)
                        .form(&form),
                )
                .await;
            r.expect_page_error(StatusCode::FORBIDDEN);
            assert!(r.header("set-cookie").is_empty(), "{name}: no session");
        }
        let r = env
            .send(
                Call::post("/login")
                    .header(header::HOST, "vanban.example")
                    .header(header::ORIGIN, "http://vanban.example")
                    .form(&form),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "the same site signs in");
        env
    })
    .await;
}

/// Behind a trusted reverse proxy each client is counted under its own address: thirty
/// failures from other clients do not lock out a colleague; a client that is not the proxy
/// cannot pick its address with the header.
#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    each_env(|env| async move {
        let config = signet_web::WebConfig {
            trusted_proxies: signet_web::TrustedProxies(vec!["10.0.0.5".parse().unwrap()]),
            ..Default::default()
        };
        let env = Env {
            router: signet_web::router(env.app.clone(), config),
            ..env
        };
        let via_proxy = |client: &str, username: &str, password: &str| {
            Call::post("/login")
                .form(&[("username", username), ("password", password)])
                .header("x-forwarded-for".parse().unwrap(), client)
                .peer("10.0.0.5:40000")
        };
        for i in 1..=signet_app::auth::MAX_FAILURES_PER_CLIENT {
            let r = env
                .send(via_proxy(
                    &format!("203.0.113.{i}"),
                    &format!("doan.{i}"),
                    "x",
                ))
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = env
            .send(via_proxy("198.51.100.9", "vanthu.ubnd", DEMO_PASSWORD))
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "another client behind the proxy signs in"
        );

        // Not the proxy: the header is ignored, the peer is the client.
        for i in 1..=signet_app::auth::MAX_FAILURES_PER_CLIENT {
            let r = env
                .send(
                    Call::post("/login")
                        .form(&[("username", &format!("gia.{i}")), ("password", "x")])
                        .header("x-forwarded-for".parse().unwrap(), &format!("192.0.2.{i}"))
                        .peer("198.51.100.77:5000"),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = env
            .send(
                Call::post("/login")
                    .form(&[("username", "vanthu.ubnd"), ("password", DEMO_PASSWORD)])
                    .header("x-forwarded-for".parse().unwrap(), "192.0.2.200")
                    .peer("198.51.100.77:5000"),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the peer's own address is locked"
        );
        env
    })
    .await;
}

/// Parallel wrong passwords for one account get exactly the allowed number of guesses: each
/// attempt is counted before its password is checked. Refusals say when to come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_are_counted_one_by_one() {
    each_env(|env| async move {
        let guesses = (0..10).map(|i| {
            env.send(
                Call::post("/login")
                    .form(&[("username", "lanhdao.ubnd"), ("password", "sai mật khẩu")])
                    .peer(&format!("10.4.0.{i}:5000")),
            )
        });
        let answers = futures_util::future::join_all(guesses).await;
        let checked = answers
            .iter()
            .filter(|r| r.status == StatusCode::UNAUTHORIZED)
            .count();
        let refused: Vec<_> = answers
            .iter()
            .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
            .collect();
        assert_eq!(
            checked,
            signet_app::auth::MAX_FAILURES as usize,
            "guesses that reached the password check"
        );
        assert_eq!(refused.len(), 10 - checked);
        for r in refused {
            let seconds: u64 = r.header("retry-after").parse().unwrap_or(0);
            assert!(
                (1..=15 * 60).contains(&seconds),
                "Retry-After in seconds within the window: {:?}",
                r.header("retry-after")
            );
        }
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_for_the_right_roles() {
    each_env(|env| async move {
        let clerk = env.page("vanthu.ubnd").await;
        let leader = env.page("lanhdao.ubnd").await;
        let officer = env.page("chuyenvien.vp").await;
        let admin = env.page("quantri.ubnd").await;
        let token = env.api("vanthu.ubnd").await;
        let officer_token = env.api("chuyenvien.vp").await;

        // Lists.
        let incoming = env.send(Call::get("/incoming").page(&clerk)).await;
        assert_eq!(incoming.status, StatusCode::OK);
        assert!(incoming.text().contains("Về việc đẩy mạnh gửi, nhận văn bản điện tử"));
        assert!(incoming.text().contains("href=\"/incoming/new\""), "the clerk registers");
        let incoming = env.send(Call::get("/incoming").page(&officer)).await;
        assert_eq!(incoming.status, StatusCode::OK);
        assert!(!incoming.text().contains("href=\"/incoming/new\""), "an officer does not");
        let outgoing = env.send(Call::get("/outgoing").page(&officer)).await;
        assert_eq!(outgoing.status, StatusCode::OK);
        assert!(outgoing.text().contains("Về việc triển khai ký số văn bản điện tử"));
        assert!(outgoing.text().contains("href=\"/outgoing/new\""));
        let filtered = env
            .send(Call::get("/outgoing?q=ke%20hoach&type=ke-hoach").page(&officer))
            .await;
        assert_eq!(filtered.status, StatusCode::OK);
        assert!(filtered.text().contains("Kế hoạch chuyển đổi số"));
        assert!(!filtered.text().contains("triển khai ký số"));
        let bad = env.send(Call::get("/outgoing?type=khong-co").page(&officer)).await;
        bad.expect_page_error(StatusCode::UNPROCESSABLE_ENTITY);
        // A leader finds the phone page of remote signing requests in the menu; others don't.
        let leader_menu = env.send(Call::get("/outgoing").page(&leader)).await;
        assert!(leader_menu.text().contains("href=\"/sign-requests\""));
        assert!(!outgoing.text().contains("href=\"/sign-requests\""), "not an officer's");

        // Forms.
        let new_draft = env.send(Call::get("/outgoing/new").page(&officer)).await;
        assert_eq!(new_draft.status, StatusCode::OK);
        assert!(new_draft.text().contains("enctype=\"multipart/form-data\""));
        assert!(new_draft.text().contains("name=\"doc_type\""));
        assert_eq!(new_draft.csrf(), officer.csrf);
        env.send(Call::get("/outgoing/new").page(&admin))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        let new_incoming = env.send(Call::get("/incoming/new").page(&clerk)).await;
        assert_eq!(new_incoming.status, StatusCode::OK);
        assert!(new_incoming.text().contains("name=\"author_name\""));
        for s in [&officer, &leader] {
            env.send(Call::get("/incoming/new").page(s))
                .await
                .expect_page_error(StatusCode::FORBIDDEN);
        }

        // A document and its file, with a Vietnamese file name.
        let bytes = pdf("Tai lieu kiem tra tai ve");
        let created = env
            .send(
                Call::post("/api/v1/documents").bearer(&officer_token).multipart(
                    &Multipart::new()
                        .text("doc_type", "to-trinh")
                        .text("subject", "Tờ trình thử tải tệp về")
                        .file("file", "Tờ trình số 1.pdf", &bytes),
                ),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
        let view = env.doc_view(&officer_token, &id).await;
        let file_id = view["files"][0]["id"].as_str().unwrap_or_default().to_owned();
        let detail = env.send(Call::get(&format!("/documents/{id}")).page(&officer)).await;
        assert_eq!(detail.status, StatusCode::OK);
        let html = detail.text();
        assert!(html.contains("Tờ trình thử tải tệp về"));
        assert!(html.contains(&format!("href=\"/documents/{id}/files/{file_id}\"")));
        assert!(html.contains("Tạo dự thảo") && html.contains("Trần Văn Nam"), "history");
        assert!(html.contains(&format!("action=\"/documents/{id}/route\"")), "the author may submit");
        // The signature box on a page the file does not have: the page again, the box's
        // form as sent (issue 13 §3).
        let r = env
            .send(Call::post(&format!("/signature-boxes/{id}")).page(&officer).form(&[
                ("csrf", officer.csrf.as_str()),
                ("page", "99"),
                ("preset", "middle-right"),
            ]))
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        for kept in [r##"href="#mark-form""##, r#"value="99""#, r#"value="middle-right" selected"#] {
            assert!(r.text().contains(kept), "{kept} kept: {}", r.text());
        }
        let file = env
            .send(Call::get(&format!("/documents/{id}/files/{file_id}")).page(&officer))
            .await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body, bytes, "the bytes uploaded");
        assert_eq!(file.header("content-type"), "application/pdf");
        assert_eq!(file.header("content-length"), bytes.len().to_string());
        let cd = file.header("content-disposition");
        assert!(cd.starts_with("attachment;"), "{cd}");
        assert!(cd.contains("filename=\"To trinh so 1.pdf\""), "an ASCII fallback: {cd}");
        assert!(cd.contains("filename*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh%20s%E1%BB%91%201.pdf"), "{cd}");
        env.send(Call::get(&format!("/documents/{id}/files/{}", "0".repeat(32))).page(&officer))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);
        env.send(Call::get(&format!("/documents/{}", "0".repeat(32))).page(&officer))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);

        // A seeded file too.
        let seeded = env.doc(&token, "outgoing", "Về việc triển khai ký số").await;
        let sid = seeded["id"].as_str().unwrap_or_default();
        let sview = env.doc_view(&token, sid).await;
        let sfile = sview["files"][0]["id"].as_str().unwrap_or_default();
        let r = env
            .send(Call::get(&format!("/documents/{sid}/files/{sfile}")).page(&clerk))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, pdf(seeded["subject"].as_str().unwrap_or_default()));
        // Issued, so named after its số/ký hiệu rather than the uploaded "du-thao.pdf".
        let stem = seeded["notation"]
            .as_str()
            .unwrap_or_default()
            .replace('/', "-");
        assert!(
            r.header("content-disposition")
                .contains(&format!("filename=\"{stem}.pdf\"")),
            "{}",
            r.header("content-disposition")
        );

        // Registers: clerks and leaders.
        let notation = seeded["notation"].as_str().unwrap_or_default().to_owned();
        assert!(notation.ends_with("/UBND-VP"), "{notation}");
        for s in [&clerk, &leader] {
            let r = env.send(Call::get("/registers").page(s)).await;
            assert_eq!(r.status, StatusCode::OK);
            let html = r.text();
            assert!(html.contains("Sổ đăng ký văn bản đi"));
            assert!(html.contains("Số, ký hiệu văn bản") && html.contains("Nơi nhận văn bản"));
            assert!(html.contains(&notation), "{html}");
            assert!(html.contains("href=\"/registers\""), "the menu shows registers");
        }
        let den = env
            .send(Call::get(&format!("/registers?book=den&year={}", year(&env))).page(&clerk))
            .await;
        assert_eq!(den.status, StatusCode::OK);
        assert!(den.text().contains("Sổ đăng ký văn bản đến") && den.text().contains("7816/VPCP-KSTT"));
        for q in ["?book=sach", "?year=abc", "?year=99999"] {
            env.send(Call::get(&format!("/registers{q}")).page(&clerk))
                .await
                .expect_page_error(StatusCode::UNPROCESSABLE_ENTITY);
        }
        env.send(Call::get("/registers").page(&officer))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        assert!(!outgoing.text().contains("href=\"/registers\""), "no menu entry for an officer");

        let csv = env.send(Call::get("/registers/export.csv").page(&clerk)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header("content-type").starts_with("text/csv"));
        assert_eq!(
            csv.header("content-disposition"),
            format!("attachment; filename=\"so-van-ban-di-{}.csv\"", year(&env))
        );
        let text = csv.text();
        assert!(text.starts_with('\u{feff}'), "a BOM for spreadsheet programs");
        let mut lines = text.trim_start_matches('\u{feff}').split("\r\n");
        assert_eq!(
            lines.next(),
            Some(
                "\"Số, ký hiệu văn bản\",Ngày tháng văn bản,Tên loại và trích yếu nội dung,Người ký,\
                 Nơi nhận văn bản,\"Đơn vị, người nhận bản lưu\",Số lượng bản,Ngày chuyển,Ký nhận,Ghi chú"
            ),
            "the columns of Phụ lục IV"
        );
        let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
        assert_eq!(rows.len(), 3, "three issued documents: {rows:?}");
        assert!(rows[0].starts_with(&notation), "by number: {rows:?}");
        let den_csv = env
            .send(Call::get("/registers/export.csv?book=den").page(&leader))
            .await;
        assert_eq!(den_csv.status, StatusCode::OK);
        assert!(den_csv
            .text()
            .starts_with("\u{feff}Ngày đến,Số đến,Tác giả,\"Số, ký hiệu\",Ngày tháng,"));
        assert!(den_csv.text().contains("Văn phòng Chính phủ"));
        env.send(Call::get("/registers/export.csv").page(&officer))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);

        // Administration: administrators only.
        let a = env.send(Call::get("/admin").page(&admin)).await;
        assert_eq!(a.status, StatusCode::OK);
        let html = a.text();
        for s in ["chuyenvien.vp", "vanthu.ubnd", "Phòng Kinh tế", "Sở Nội vụ tỉnh Lạc Hồng", "000.00.02.H99"] {
            assert!(html.contains(s), "{s} on the admin page");
        }
        assert!(!html.contains("vanthu.snv"), "only the agency's own people");
        assert!(!html.contains("argon2"), "no password hashes");
        for s in [&clerk, &leader, &officer] {
            env.send(Call::get("/admin").page(s))
                .await
                .expect_page_error(StatusCode::FORBIDDEN);
        }
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_need_the_session_csrf_token() {
    each_env(|env| async move {
        let officer = env.page("chuyenvien.vp").await;
        let clerk = env.page("vanthu.ubnd").await;
        let admin = env.page("quantri.ubnd").await;
        let clerk_token = env.api("vanthu.ubnd").await;
        let admin_token = env.api("quantri.ubnd").await;
        assert_ne!(officer.csrf, clerk.csrf, "a token per session");
        let wrong = [
            None,
            Some(String::new()),
            Some(clerk.csrf.clone()),
            Some("x".repeat(64)),
        ];

        // A lifecycle step.
        let draft = env
            .doc(&clerk_token, "outgoing", "Tờ trình về việc bố trí kinh phí")
            .await;
        let id = draft["id"].as_str().unwrap_or_default().to_owned();
        let before = env.doc_view(&clerk_token, &id).await;
        assert_eq!(before["state"], "draft");
        for csrf in &wrong {
            let call = Call::post(&format!("/documents/{id}/submit")).page(&officer);
            let call = match csrf {
                Some(c) => call.form(&[("csrf", c)]),
                None => call.form(&[]),
            };
            env.send(call)
                .await
                .expect_page_error(StatusCode::FORBIDDEN);
        }
        assert_eq!(
            env.doc_view(&clerk_token, &id).await,
            before,
            "nothing changed"
        );
        // The API takes no cookie: a forged cross-site request cannot use it either.
        let r = env
            .send(Call::post(&format!("/api/v1/documents/{id}/submit")).page(&officer))
            .await;
        r.expect_api_error(StatusCode::UNAUTHORIZED, "unauthenticated");
        assert_eq!(env.doc_view(&clerk_token, &id).await, before);
        let ok = env
            .send(
                Call::post(&format!("/documents/{id}/submit"))
                    .page(&officer)
                    .form(&[("csrf", &officer.csrf)]),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), format!("/documents/{id}"));
        assert_eq!(env.doc_view(&clerk_token, &id).await["state"], "submitted");

        // Sign out.
        for csrf in &wrong {
            let call = Call::post("/logout").page(&officer);
            let call = match csrf {
                Some(c) => call.form(&[("csrf", c)]),
                None => call.form(&[]),
            };
            env.send(call)
                .await
                .expect_page_error(StatusCode::FORBIDDEN);
        }
        let still = env.send(Call::get("/outgoing").page(&officer)).await;
        assert_eq!(still.status, StatusCode::OK, "still signed in");

        // Administration forms.
        let units = |v: serde_json::Value| v["units"].as_array().map(Vec::len).unwrap_or(0);
        let units_before = units(
            env.send(Call::get("/api/v1/units").bearer(&admin_token))
                .await
                .json(),
        );
        let agencies_before = env
            .send(Call::get("/api/v1/agencies").bearer(&admin_token))
            .await
            .json();
        let people_before = env
            .send(Call::get("/api/v1/people").bearer(&admin_token))
            .await
            .json();
        let victim = people_before["people"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["username"] == "chuyenvien2.th"))
            .map(|p| p["id"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        for csrf in &wrong {
            let with = |mut pairs: Vec<(&'static str, String)>| {
                if let Some(c) = csrf {
                    pairs.push(("csrf", c.clone()));
                }
                pairs
            };
            let posts: Vec<(String, Vec<(&'static str, String)>)> = vec![
                (
                    "/admin/units".into(),
                    with(vec![
                        ("name", "Phòng Thử nghiệm".into()),
                        ("abbreviation", "TN".into()),
                    ]),
                ),
                (
                    "/admin/agencies".into(),
                    with(vec![
                        ("code", "000.00.15.H99".into()),
                        ("name", "Sở Thử nghiệm".into()),
                        ("abbreviation", "STN".into()),
                    ]),
                ),
                (
                    "/admin/people".into(),
                    with(vec![
                        ("username", "gia.mao".into()),
                        ("full_name", "Giả Mạo".into()),
                        ("roles", "admin".into()),
                        ("password", "mat-khau-gia-mao-2026".into()),
                    ]),
                ),
                (format!("/admin/people/{victim}/disable"), with(vec![])),
            ];
            for (path, pairs) in posts {
                let pairs: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                env.send(Call::post(&path).page(&admin).form(&pairs))
                    .await
                    .expect_page_error(StatusCode::FORBIDDEN);
            }
        }
        assert_eq!(
            units(
                env.send(Call::get("/api/v1/units").bearer(&admin_token))
                    .await
                    .json()
            ),
            units_before
        );
        assert_eq!(
            env.send(Call::get("/api/v1/agencies").bearer(&admin_token))
                .await
                .json(),
            agencies_before
        );
        assert_eq!(
            env.send(Call::get("/api/v1/people").bearer(&admin_token))
                .await
                .json(),
            people_before
        );
        let ok = env
            .send(Call::post("/admin/units").page(&admin).form(&[
                ("csrf", &admin.csrf),
                ("name", "Phòng Thử nghiệm"),
                ("abbreviation", "TN"),
            ]))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), "/admin");
        assert_eq!(
            units(
                env.send(Call::get("/api/v1/units").bearer(&admin_token))
                    .await
                    .json()
            ),
            units_before + 1
        );

        // Uploads: the token is checked before the file is stored.
        let count = env.count_docs(&clerk_token).await;
        let blobs = env.blob_files();
        let form = |csrf: Option<&str>, csrf_after_file: bool| {
            let mut m = Multipart::new();
            if let (Some(c), false) = (csrf, csrf_after_file) {
                m = m.text("csrf", c);
            }
            m = m
                .text("doc_type", "cong-van")
                .text("subject", "Dự thảo giả mạo")
                .text("author_name", "Bộ Nội vụ")
                .text("notation", "1/BNV")
                .file("file", "gia-mao.pdf", &pdf("gia mao"));
            if let (Some(c), true) = (csrf, csrf_after_file) {
                m = m.text("csrf", c);
            }
            m
        };
        for (path, s) in [("/outgoing", &officer), ("/incoming", &clerk)] {
            for m in [
                form(None, false),
                form(Some(""), false),
                form(Some(&admin.csrf), false),
                form(Some(&s.csrf), true),
            ] {
                env.send(Call::post(path).page(s).multipart(&m))
                    .await
                    .expect_page_error(StatusCode::FORBIDDEN);
            }
        }
        assert_eq!(env.count_docs(&clerk_token).await, count, "no document");
        assert_eq!(env.blob_files(), blobs, "no file stored");
        let ok = env
            .send(
                Call::post("/outgoing")
                    .page(&officer)
                    .multipart(&form(Some(&officer.csrf), false)),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        assert_eq!(env.count_docs(&clerk_token).await, count + 1);

        let out = env
            .send(
                Call::post("/logout")
                    .page(&officer)
                    .form(&[("csrf", &officer.csrf)]),
            )
            .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        env
    })
    .await;
}

/// The detail page's step buttons, in order.
fn steps_shown(html: &str, id: &str) -> Vec<String> {
    let prefix = format!("action=\"/documents/{id}/");
    html.match_indices(&prefix)
        .map(|(i, _)| {
            let rest = &html[i + prefix.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_goes_from_upload_to_issue_through_the_pages() {
    each_env(|env| async move {
        let officer = env.page("chuyenvien.vp").await;
        let leader = env.page("lanhdao.ubnd").await;
        let clerk = env.page("vanthu.ubnd").await;
        let officer_token = env.api("chuyenvien.vp").await;
        let clerk_token = env.api("vanthu.ubnd").await;
        let me = env
            .send(Call::get("/api/v1/me").bearer(&officer_token))
            .await
            .json();
        let unit = me["person"]["unit_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!unit.is_empty());

        let subject = "Về việc thử nghiệm quy trình ký số qua giao diện";
        let bytes = pdf("thu nghiem quy trinh");
        let form = Multipart::new()
            .text("csrf", &officer.csrf)
            .text("doc_type", "cong-van")
            .text("subject", subject)
            .text("urgency", "khan")
            .text("secrecy", "khong")
            .text("drafting_unit_id", &unit)
            .text("signer_name", "Nguyễn Văn Hùng")
            .text("signer_position", "Chủ tịch")
            .text("pages", "2")
            .text("recipients", "Các sở, ban, ngành")
            .text("due_on", "2026-12-31")
            .file("file", "Dự thảo công văn.pdf", &bytes);
        let r = env
            .send(Call::post("/outgoing").page(&officer).multipart(&form))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let location = r.location();
        let id = location
            .strip_prefix("/documents/")
            .unwrap_or_default()
            .to_owned();
        assert_eq!(id.len(), 32, "{location}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));

        let list = env.send(Call::get("/outgoing").page(&officer)).await;
        assert!(list.text().contains(subject) && list.text().contains(&format!("/documents/{id}")));
        let view = env.doc_view(&officer_token, &id).await;
        assert_eq!(view["state"], "draft");
        assert_eq!(view["urgency"], "khan");
        assert_eq!(view["pages"], 2);
        assert_eq!(view["due_on"], "2026-12-31");
        assert_eq!(view["files"][0]["name"], "Dự thảo công văn.pdf");
        assert_eq!(view["files"][0]["size"], bytes.len());
        let detail = env.send(Call::get(&location).page(&officer)).await.text();
        assert!(detail.contains(subject) && detail.contains("Dự thảo công văn.pdf"));
        // The route form (reviewers, signer) submits the draft.
        assert_eq!(steps_shown(&detail, &id), ["route"]);

        let step = |s: &crate::support::PageSession, step: &str| {
            Call::post(&format!("/documents/{id}/{step}"))
                .page(s)
                .form(&[("csrf", &s.csrf)])
        };
        let state = || async {
            env.doc_view(&clerk_token, &id).await["state"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };

        // Out of order or by the wrong person: refused, nothing changes.
        env.send(step(&clerk, "issue"))
            .await
            .expect_page_error(StatusCode::CONFLICT);
        env.send(step(&leader, "sign"))
            .await
            .expect_page_error(StatusCode::CONFLICT);
        assert_eq!(state().await, "draft");
        let r = env.send(step(&officer, "submit")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), location);
        assert_eq!(state().await, "submitted");
        env.send(step(&officer, "submit"))
            .await
            .expect_page_error(StatusCode::CONFLICT);
        env.send(step(&officer, "sign"))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        env.send(step(&clerk, "sign"))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        env.send(step(&clerk, "issue"))
            .await
            .expect_page_error(StatusCode::CONFLICT);
        env.send(step(&leader, "publish"))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);
        assert_eq!(state().await, "submitted");
        let leader_view = env.send(Call::get(&location).page(&leader)).await.text();
        // The leader signs with a device from the signing panel, not with a bare button.
        assert_eq!(steps_shown(&leader_view, &id), ["return-draft"]);
        assert!(leader_view.contains("id=\"sign-button\""), "{leader_view}");
        assert!(steps_shown(
            &env.send(Call::get(&location).page(&officer)).await.text(),
            &id
        )
        .is_empty());

        let r = env.send(step(&leader, "sign")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(state().await, "signed");
        env.send(step(&officer, "issue"))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        let clerk_view = env.send(Call::get(&location).page(&clerk)).await.text();
        assert_eq!(steps_shown(&clerk_view, &id), ["issue"]);

        // Issue: the next number of the agency's administrative register.
        let year = year(&env);
        let register = env
            .send(Call::get(&format!("/api/v1/registers/di/{year}")).bearer(&clerk_token))
            .await
            .json();
        let last = register["rows"]
            .as_array()
            .and_then(|r| {
                r.iter()
                    .filter_map(|r| r["document"]["number"].as_i64())
                    .max()
            })
            .unwrap_or(0);
        let r = env.send(step(&clerk, "issue")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let issued = env.doc_view(&clerk_token, &id).await;
        assert_eq!(issued["state"], "issued");
        assert_eq!(issued["number"], last + 1);
        assert_eq!(issued["notation"], format!("{}/UBND-VP", last + 1));
        assert_eq!(issued["year"], year);
        assert_eq!(
            issued["issued_on"],
            signet_app::clock::iso_date(env.app.clock.today())
        );
        let actions: Vec<&str> = issued["history"]
            .as_array()
            .map(|h| h.iter().filter_map(|e| e["action"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            actions,
            [
                "document.drafted",
                "document.submitted",
                "document.signed",
                "document.issued"
            ]
        );
        let detail = env.send(Call::get(&location).page(&officer)).await.text();
        assert!(
            detail.contains(&format!("{}/UBND-VP", last + 1)) && detail.contains("Đã ban hành")
        );
        assert!(steps_shown(&detail, &id).is_empty());

        // Issuing again would burn a number: refused.
        env.send(step(&clerk, "issue"))
            .await
            .expect_page_error(StatusCode::CONFLICT);
        let again = env.doc_view(&clerk_token, &id).await;
        assert_eq!(again, issued, "still one number");
        let reg = env.send(Call::get("/registers").page(&clerk)).await.text();
        assert!(reg.contains(&format!("{}/UBND-VP", last + 1)) && reg.contains(subject));
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_registers_incoming_documents_through_the_page() {
    each_env(|env| async move {
        let clerk = env.page("vanthu.ubnd").await;
        let token = env.api("vanthu.ubnd").await;
        let before = env.all_docs(&token, "incoming").await;
        let next = before
            .iter()
            .filter_map(|d| d["number"].as_i64())
            .max()
            .unwrap_or(0)
            + 1;
        let today = signet_app::clock::iso_date(env.app.clock.today());
        let form = Multipart::new()
            .text("csrf", &clerk.csrf)
            .text("author_name", "Bộ Tài chính")
            .text("author_code", "000.00.00.G09")
            .text("notation", "55/BTC-NSNN")
            .text("issued_on", &today)
            .text("arrived_on", &today)
            .text("doc_type", "cong-van")
            .text("subject", "Về việc hướng dẫn lập dự toán ngân sách năm sau")
            .file("file", "", b"");
        let r = env
            .send(Call::post("/incoming").page(&clerk).multipart(&form))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id = r.location().trim_start_matches("/documents/").to_owned();
        let d = env.doc_view(&token, &id).await;
        assert_eq!(d["direction"], "incoming");
        assert_eq!(d["state"], "registered");
        assert_eq!(d["number"], next);
        assert_eq!(d["notation"], "55/BTC-NSNN");
        assert_eq!(d["author"]["code"], "000.00.00.G09");
        assert_eq!(
            d["files"].as_array().map(Vec::len),
            Some(0),
            "the empty file input is no file"
        );
        let list = env.send(Call::get("/incoming").page(&clerk)).await.text();
        assert!(list.contains("Về việc hướng dẫn lập dự toán ngân sách năm sau"));
        assert!(
            list.contains(&format!("Số đến {next} · 55/BTC-NSNN")),
            "{list}"
        );

        // Dates as each language writes them: dd/mm/yyyy in Vietnamese, ISO in English.
        let day = env.app.clock.today();
        let vi_day = format!(
            "{:02}/{:02}/{}",
            day.day(),
            u8::from(day.month()),
            day.year()
        );
        let shown = |html: &str, label: &str| -> String {
            let at = html
                .find(label)
                .unwrap_or_else(|| panic!("{label} in {html}"));
            html[at..].split("</tr>").next().unwrap_or("").to_owned()
        };
        assert!(list.contains(&vi_day), "{list}");
        let page = env
            .send(Call::get(&format!("/documents/{id}")).page(&clerk))
            .await
            .text();
        for label in ["Ngày ban hành", "Ngày đến"] {
            let row = shown(&page, label);
            assert!(row.contains(&vi_day) && !row.contains(&today), "{row}");
        }
        let en = |path: &str| {
            Call::get(path).header(header::COOKIE, &format!("{}; signet_lang=en", clerk.cookie))
        };
        let page = env.send(en(&format!("/documents/{id}"))).await.text();
        for label in ["Issue date", "Arrival date"] {
            let row = shown(&page, label);
            assert!(row.contains(&today) && !row.contains(&vi_day), "{row}");
        }
        let list = env.send(en("/incoming")).await.text();
        assert!(list.contains(&today) && !list.contains(&vi_day), "{list}");
        env
    })
    .await;
}

async fn holidays(env: &Env, token: &str) -> String {
    env.send(Call::get("/api/v1/holidays").bearer(token))
        .await
        .json()["holidays"]
        .to_string()
}

/// The administrator of the top agency keeps the holiday calendar on the administration page;
/// a department's administrator cannot change the calendar every agency counts deadlines by.
#[tokio::test]
async fn the_top_administrator_edits_the_holidays() {
    each_env(|env| async move {
        let token = env.api("quantri.ubnd").await;
        let admin = env.page("quantri.ubnd").await;
        let page = env.send(Call::get("/admin").page(&admin)).await;
        let html = page.text();
        assert!(
            html.contains("02/09/2026"),
            "the seeded calendar, Vietnamese dates"
        );
        // In the page's body, not in its <title> (where a browser shows no form).
        let title = html
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map(|(t, _)| t.to_owned())
            .unwrap_or_default();
        assert!(!title.contains('<'), "the title is text only: {title}");
        let body = html.split_once("<body").map(|(_, b)| b).unwrap_or_default();
        assert!(body.contains("id=\"holidays\"") && body.contains("02/09/2026"));
        let set = |s: &crate::support::PageSession, day: &str, name: &str| {
            Call::post("/admin/holidays").page(s).form(&[
                ("csrf", s.csrf.as_str()),
                ("day", day),
                ("name", name),
            ])
        };
        let r = env
            .send(set(&admin, "2026-12-28", "Nghỉ bù thử nghiệm"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(holidays(&env, &token).await.contains("Nghỉ bù thử nghiệm"));
        // A day that is no date: the form again with the name kept, the problem beside the day.
        let r = env.send(set(&admin, "28/12/2026", "Nghỉ bù lần hai")).await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        for kept in [
            r#"id="day-problem""#,
            r#"value="Nghỉ bù lần hai""#,
            r##"href="#new-holiday""##,
        ] {
            assert!(r.text().contains(kept), "{kept} kept: {}", r.text());
        }
        let before = holidays(&env, &token).await;
        let department = env.page("quantri.snv").await;
        env.send(set(&department, "2026-12-29", "Không được"))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        assert_eq!(holidays(&env, &token).await, before, "nothing changed");
        let r = env.send(set(&admin, "2026-12-28", "")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            !holidays(&env, &token).await.contains("Nghỉ bù thử nghiệm"),
            "removed"
        );
        env
    })
    .await;
}

/// The PDF viewer page: only for a PDF of a document the person may see, with the download
/// link for reading without scripts; pdf.js served by Signet itself, cached by version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_viewer_shows_a_pdf_of_a_visible_document_only() {
    each_env(|env| async move {
        let clerk = env.page("vanthu.ubnd").await;
        let token = env.api("vanthu.ubnd").await;
        let today = signet_app::clock::iso_date(env.app.clock.today());
        let form = Multipart::new()
            .text("csrf", &clerk.csrf)
            .text("author_name", "Bộ Tài chính")
            .text("notation", "56/BTC-NSNN")
            .text("issued_on", &today)
            .text("doc_type", "cong-van")
            .text("subject", "Văn bản để đọc trên trang")
            .file("file", "doc-tren-trang.pdf", &pdf("viewer"));
        let r = env
            .send(Call::post("/incoming").page(&clerk).multipart(&form))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id = r.location().trim_start_matches("/documents/").to_owned();
        let d = env.doc_view(&token, &id).await;
        let file = d["files"][0]["id"].as_str().unwrap_or_default().to_owned();
        let view = format!("/documents/{id}/files/{file}/view");

        let detail = env
            .send(Call::get(&format!("/documents/{id}")).page(&clerk))
            .await;
        assert!(
            detail.text().contains(&view),
            "the document page links the viewer"
        );
        let page = env.send(Call::get(&view).page(&clerk)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(html.contains(&format!("data-file=\"/documents/{id}/files/{file}\"")));
        assert!(html.contains("doc-tren-trang.pdf"));
        assert!(
            html.contains("Cần bật JavaScript"),
            "says what happens without scripts"
        );
        assert!(html.contains("/static/viewer.js"));

        // Someone of another agency, a file that is not the document's, nobody signed in.
        let other = env.page("vanthu.snv").await;
        env.send(Call::get(&view).page(&other))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);
        env.send(Call::get(&format!("/documents/{id}/files/{id}/view")).page(&clerk))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);
        let anonymous = env.get(&view).await;
        assert_eq!(
            anonymous.status,
            StatusCode::SEE_OTHER,
            "to the sign-in page"
        );

        let version = signet_web::PDFJS_VERSION;
        for name in ["pdf.min.mjs", "pdf.worker.min.mjs"] {
            let r = env.get(&format!("/static/pdfjs-{version}/{name}")).await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.header("content-type").starts_with("text/javascript"));
            assert!(r.header("cache-control").contains("immutable"));
            assert!(r.text().len() > 100_000, "the real pdf.js");
        }
        let stale = env.get("/static/pdfjs-1.0.0/pdf.min.mjs").await;
        assert_eq!(stale.status, StatusCode::NOT_FOUND);
        let other_file = env
            .get(&format!("/static/pdfjs-{version}/pdf.sandbox.min.mjs"))
            .await;
        assert_eq!(other_file.status, StatusCode::NOT_FOUND);
        env
    })
    .await;
}

async fn my_work_page(env: &Env, s: &crate::support::PageSession) -> String {
    env.send(Call::get("/my-work").page(s)).await.text()
}

/// "Việc của tôi": each person finds what waits for them — the officer their drafts, the
/// leader what was submitted for their signature (once it is), the clerk what waits to be
/// issued; a part a role can never have is not shown; another agency's work never appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_work_shows_each_person_what_waits_for_them() {
    each_env(|env| async move {
        let officer = env.page("chuyenvien.vp").await;
        let leader = env.page("lanhdao.ubnd").await;
        let clerk = env.page("vanthu.ubnd").await;
        let other = env.page("vanthu.snv").await;
        let token = env.api("chuyenvien.vp").await;
        let form = Multipart::new()
            .text("csrf", &officer.csrf)
            .text("doc_type", "cong-van")
            .text("subject", "Công văn chờ lãnh đạo ký trong việc của tôi")
            .file("file", "cv.pdf", &pdf("my-work"));
        let r = env
            .send(Call::post("/outgoing").page(&officer).multipart(&form))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id = r.location().trim_start_matches("/documents/").to_owned();
        let part = |html: &str, part: &str| -> String {
            html.split_once(&format!("id=\"{part}\""))
                .and_then(|(_, rest)| rest.split_once("</section>"))
                .map(|(p, _)| p.to_owned())
                .unwrap_or_default()
        };
        let subject = "Công văn chờ lãnh đạo ký trong việc của tôi";

        let mine = my_work_page(&env, &officer).await;
        assert!(
            part(&mine, "my-drafts").contains(subject),
            "the officer's draft"
        );
        assert!(!mine.contains("id=\"to-sign\""), "an officer signs nothing");
        assert!(
            !mine.contains("id=\"to-issue\""),
            "an officer issues nothing"
        );
        assert!(
            !part(&my_work_page(&env, &leader).await, "to-sign").contains(subject),
            "not yet submitted"
        );

        let r = env
            .send(Call::post(&format!("/api/v1/documents/{id}/submit")).bearer(&token))
            .await;
        assert!(r.status.is_success(), "{}", r.text());
        let leader_page = my_work_page(&env, &leader).await;
        assert!(
            part(&leader_page, "to-sign").contains(subject),
            "now it waits for the leader"
        );
        assert!(
            !part(&my_work_page(&env, &officer).await, "my-drafts").contains(subject),
            "no longer a draft"
        );
        assert!(
            my_work_page(&env, &clerk).await.contains("id=\"to-issue\""),
            "the clerk's part is there"
        );
        assert!(
            !my_work_page(&env, &other).await.contains(subject),
            "another agency sees none of it"
        );
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_serve_one_byte_range() {
    each_env(|env| async move {
        let officer = env.page("chuyenvien.vp").await;
        let token = env.api("chuyenvien.vp").await;
        let bytes = pdf("Tải từng phần");
        let created = env
            .send(
                Call::post("/api/v1/documents").bearer(&token).multipart(
                    &Multipart::new()
                        .text("doc_type", "cong-van")
                        .text("subject", "Tệp tải từng phần")
                        .file("file", "cv.pdf", &bytes),
                ),
            )
            .await;
        let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
        let view = env.doc_view(&token, &id).await;
        let file_id = view["files"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let size = bytes.len();
        for path in [
            format!("/documents/{id}/files/{file_id}"),
            format!("/api/v1/documents/{id}/files/{file_id}"),
        ] {
            let call = |range: &str| {
                let c = Call::get(&path).header(axum::http::header::RANGE, range);
                if path.starts_with("/api") {
                    c.bearer(&token)
                } else {
                    c.page(&officer)
                }
            };
            let r = env.send(call("bytes=0-9")).await;
            assert_eq!(r.status, StatusCode::PARTIAL_CONTENT, "{path}");
            assert_eq!(r.body, bytes[..10]);
            assert_eq!(r.header("content-range"), format!("bytes 0-9/{size}"));
            assert_eq!(r.header("accept-ranges"), "bytes");
            let r = env.send(call("bytes=-5")).await;
            assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
            assert_eq!(r.body, bytes[size - 5..]);
            let r = env.send(call(&format!("bytes={size}-"))).await;
            assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
            assert_eq!(r.header("content-range"), format!("bytes */{size}"));
            // Several ranges: the whole file, as a server may answer.
            let r = env.send(call("bytes=0-1,4-5")).await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(r.body, bytes);
        }
        env
    })
    .await;
}

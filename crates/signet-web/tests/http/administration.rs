//! Administration that can administer (issue 13 §6), forms that keep what was typed (§3) and
//! the small things (§8): editing a person, a password reset that locks the old password
//! and every session out, units moved without cycles, the agency boundary, error pages with
//! the menu.

use axum::http::StatusCode;
use serde_json::Value;
use signet_app::demo::DEMO_PASSWORD;
use signet_core::AgencyId;

use crate::support::{each_env, pdf, Call, Env, Multipart, PageSession};

/// The id of `username` as the administrator's API lists them.
async fn person_id(env: &Env, admin_token: &str, username: &str) -> String {
    let people = env
        .send(Call::get("/api/v1/people").bearer(admin_token))
        .await
        .json();
    people["people"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["username"] == username))
        .and_then(|p| p["id"].as_str())
        .unwrap_or_else(|| panic!("{username} in the list"))
        .to_owned()
}

async fn person(env: &Env, admin_token: &str, id: &str) -> Value {
    let people = env
        .send(Call::get("/api/v1/people").bearer(admin_token))
        .await
        .json();
    people["people"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["id"] == id))
        .cloned()
        .expect("the person")
}

async fn units(env: &Env, admin_token: &str) -> Vec<(String, String)> {
    let v = env
        .send(Call::get("/api/v1/units").bearer(admin_token))
        .await
        .json();
    v["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap_or_default().to_owned(),
                u["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The journal actions of the agency of `person`, newest last.
async fn journal_actions(env: &Env, agency: &str, subject: &str) -> Vec<String> {
    env.app
        .store
        .journal(&AgencyId::from(agency))
        .await
        .expect("journal")
        .into_iter()
        .filter(|e| e.subject == subject)
        .map(|e| e.action)
        .collect()
}

fn sign_in_form(username: &str, password: &str) -> Call {
    Call::post("/login").form(&[("username", username), ("password", password)])
}

fn cookie_of(r: &crate::support::Resp) -> String {
    let set = r.header("set-cookie");
    set.split(';').next().unwrap_or_default().to_owned()
}

/// The text between `<code id="temporary-password-value">` and `</code>`.
fn temporary_password(html: &str) -> String {
    let marker = "id=\"temporary-password-value\">";
    let start = html.find(marker).expect("a temporary password shown") + marker.len();
    let end = html[start..].find('<').expect("its end") + start;
    html[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_edits_a_person_and_resets_their_password() {
    each_env(|env| async move {
        let admin = env.page("quantri.ubnd").await;
        let admin_token = env.api("quantri.ubnd").await;
        let officer = env.page("chuyenvien.vp").await;
        let officer_token = env.api("chuyenvien.vp").await;
        let id = person_id(&env, &admin_token, "chuyenvien.vp").await;
        let agency = person(&env, &admin_token, &id).await["agency_id"]
            .as_str()
            .unwrap()
            .to_owned();

        // The people list: unit, roles and state columns; search without marks; the page.
        let list = env
            .send(Call::get("/admin?q=chuyen%20vien").page(&admin))
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let html = list.text();
        assert!(
            html.contains("chuyenvien.vp") && !html.contains(">vanthu.ubnd<"),
            "searched"
        );
        assert!(html.contains(&format!("href=\"/admin/people/{id}\"")));
        assert!(html.contains("id=\"unit-tree\"") && html.contains("id=\"agency-tree\""));

        // The person's page: two live sessions (page and API).
        let page = env
            .send(Call::get(&format!("/admin/people/{id}")).page(&admin))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text().matches("name=\"session\" value=").count(), 2);

        // Edit: name, title, e-mail, phone, another unit, roles officer + clerk.
        let before = person(&env, &admin_token, &id).await;
        let (new_unit, unit_name) = units(&env, &admin_token)
            .await
            .into_iter()
            .find(|(u, _)| before["unit_id"].as_str() != Some(u.as_str()))
            .expect("another unit");
        let form = |phone: &str| {
            Call::post(&format!("/admin/people/{id}"))
                .page(&admin)
                .form(&[
                    ("csrf", &admin.csrf),
                    ("full_name", "Nguyễn Văn Mới"),
                    ("title", "Phó Chánh Văn phòng"),
                    ("email", "moi@lachong.gov.vn"),
                    ("phone", phone),
                    ("unit_id", &new_unit),
                    ("roles", "officer"),
                    ("roles", "clerk"),
                ])
        };
        // A bad phone: the form again, everything typed kept, the problem beside the field.
        let bad = env.send(form("gọi cho tôi")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text();
        assert!(html.contains("id=\"phone-problem\""), "{html}");
        assert!(
            html.contains("value=\"Nguyễn Văn Mới\"") && html.contains("value=\"gọi cho tôi\"")
        );
        assert!(html.contains("Số điện thoại"), "worded in Vietnamese");
        assert_eq!(
            person(&env, &admin_token, &id).await,
            before,
            "nothing changed"
        );
        let ok = env.send(form("0912 345 678")).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        assert_eq!(ok.location(), format!("/admin/people/{id}?saved=1"));
        let after = person(&env, &admin_token, &id).await;
        assert_eq!(after["full_name"], "Nguyễn Văn Mới");
        assert_eq!(after["title"], "Phó Chánh Văn phòng");
        assert_eq!(after["email"], "moi@lachong.gov.vn");
        assert_eq!(after["unit_id"], new_unit.as_str());
        let roles: Vec<&str> = after["roles"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            roles.contains(&"clerk") && roles.contains(&"officer"),
            "{roles:?}"
        );
        let shown = env
            .send(Call::get(&format!("/admin/people/{id}")).page(&admin))
            .await
            .text();
        assert!(shown.contains("value=\"0912 345 678\""), "the phone kept");
        let list = env
            .send(Call::get("/admin?q=nguyen%20van%20moi").page(&admin))
            .await
            .text();
        assert!(list.contains(&unit_name), "the unit column");
        // The new role works at once in the person's own session: clerks see the registers.
        let registers = env.send(Call::get("/registers").page(&officer)).await;
        assert_eq!(registers.status, StatusCode::OK);
        assert!(journal_actions(&env, &agency, &id)
            .await
            .contains(&"person.updated".to_owned()));

        // Reset: a temporary password, the old one refused, every session ended.
        let r = env
            .send(
                Call::post(&format!("/admin/people/{id}/password"))
                    .page(&admin)
                    .form(&[("csrf", &admin.csrf)]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let temporary = temporary_password(&r.text());
        assert!(temporary.len() >= 10, "{temporary}");
        assert!(r.text().contains("id=\"no-sessions\""), "no session left");
        let old = env.send(sign_in_form("chuyenvien.vp", DEMO_PASSWORD)).await;
        assert_eq!(
            old.status,
            StatusCode::UNAUTHORIZED,
            "the old password stops working"
        );
        let stale = env.send(Call::get("/outgoing").page(&officer)).await;
        assert_eq!(
            stale.status,
            StatusCode::SEE_OTHER,
            "the page session ended"
        );
        assert_eq!(stale.location(), "/login");
        env.send(Call::get("/api/v1/me").bearer(&officer_token))
            .await
            .expect_api_error(StatusCode::UNAUTHORIZED, "unauthenticated");

        // The temporary password opens the password page only, until changed.
        let signed = env.send(sign_in_form("chuyenvien.vp", &temporary)).await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
        let mut s = PageSession {
            cookie: cookie_of(&signed),
            csrf: String::new(),
        };
        let elsewhere = env.send(Call::get("/outgoing").page(&s)).await;
        assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
        assert_eq!(elsewhere.location(), "/password");
        let pw = env.send(Call::get("/password").page(&s)).await;
        assert_eq!(pw.status, StatusCode::OK);
        assert!(pw.text().contains("id=\"must-change\""));
        s.csrf = pw.csrf();
        let api = env
            .send(Call::post("/api/v1/session").json(&serde_json::json!({
                "username": "chuyenvien.vp", "password": temporary })))
            .await;
        let api_token = api.json()["token"].as_str().unwrap_or_default().to_owned();
        env.send(Call::get("/api/v1/me").bearer(&api_token))
            .await
            .expect_api_error(StatusCode::FORBIDDEN, "forbidden");
        let change = |new: &str, repeat: &str| {
            Call::post("/password").page(&s).form(&[
                ("csrf", &s.csrf),
                ("current", &temporary),
                ("new", new),
                ("repeat", repeat),
            ])
        };
        let mismatch = env
            .send(change("Mật khẩu riêng 2026", "Mật khẩu khác 2026"))
            .await;
        assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(mismatch.text().contains("id=\"repeat-problem\""));
        assert!(mismatch.text().contains("không khớp"));
        let done = env
            .send(change("Mật khẩu riêng 2026", "Mật khẩu riêng 2026"))
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        assert_eq!(
            env.send(Call::get("/outgoing").page(&s)).await.status,
            StatusCode::OK
        );
        env.send(Call::get("/api/v1/me").bearer(&api_token))
            .await
            .expect_api_error(StatusCode::UNAUTHORIZED, "unauthenticated");
        let fresh = env.send(sign_in_form("chuyenvien.vp", &temporary)).await;
        assert_eq!(
            fresh.status,
            StatusCode::UNAUTHORIZED,
            "the temporary one is spent"
        );
        let actions = journal_actions(&env, &agency, &id).await;
        for a in [
            "person.updated",
            "person.password_reset",
            "person.password_changed",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} journaled: {actions:?}");
        }

        // Ending a session from the list.
        let again = env.page("vanthu.ubnd").await;
        let clerk = person_id(&env, &admin_token, "vanthu.ubnd").await;
        let page = env
            .send(Call::get(&format!("/admin/people/{clerk}")).page(&admin))
            .await
            .text();
        let marker = "name=\"session\" value=\"";
        let start = page.find(marker).expect("a session") + marker.len();
        let session = &page[start..start + 64];
        let r = env
            .send(
                Call::post(&format!("/admin/people/{clerk}/sessions"))
                    .page(&admin)
                    .form(&[("csrf", &admin.csrf), ("session", session)]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let ended = env.send(Call::get("/outgoing").page(&again)).await;
        assert_eq!(ended.location(), "/login", "that session ended");
        assert!(journal_actions(&env, &agency, &clerk)
            .await
            .contains(&"person.sessions_ended".to_owned()));

        // An administrator keeps their own administrator role.
        let me = person_id(&env, &admin_token, "quantri.ubnd").await;
        let r = env
            .send(
                Call::post(&format!("/admin/people/{me}"))
                    .page(&admin)
                    .form(&[
                        ("csrf", &admin.csrf),
                        ("full_name", "Quản trị"),
                        ("roles", "officer"),
                    ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("id=\"roles-problem\""));
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_agency_cannot_administer_our_people_or_units() {
    each_env(|env| async move {
        let home_token = env.api("quantri.ubnd").await;
        let officer_id = person_id(&env, &home_token, "chuyenvien.vp").await;
        let before = person(&env, &home_token, &officer_id).await;
        let (unit_id, _) = units(&env, &home_token).await.remove(0);
        let other = env.page("quantri.snv").await;
        let officer = env.page("chuyenvien.vp").await;
        let csrf = other.csrf.clone();
        let attempts: Vec<(Call, &str)> = vec![
            (
                Call::get(&format!("/admin/people/{officer_id}")),
                "person page",
            ),
            (
                Call::post(&format!("/admin/people/{officer_id}")).form(&[
                    ("csrf", &csrf),
                    ("full_name", "Kẻ lạ"),
                    ("roles", "admin"),
                ]),
                "edit",
            ),
            (
                Call::post(&format!("/admin/people/{officer_id}/password"))
                    .form(&[("csrf", &csrf)]),
                "reset",
            ),
            (
                Call::post(&format!("/admin/people/{officer_id}/sessions"))
                    .form(&[("csrf", &csrf)]),
                "sessions",
            ),
            (Call::get(&format!("/admin/units/{unit_id}")), "unit page"),
            (
                Call::post(&format!("/admin/units/{unit_id}")).form(&[
                    ("csrf", &csrf),
                    ("name", "Phòng lạ"),
                    ("abbreviation", "PL"),
                ]),
                "unit edit",
            ),
        ];
        for (call, what) in attempts {
            let r = env.send(call.page(&other)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}: {}", r.text());
        }
        assert_eq!(person(&env, &home_token, &officer_id).await, before);
        assert_eq!(
            env.send(Call::get("/outgoing").page(&officer)).await.status,
            StatusCode::OK,
            "their session goes on"
        );
        let ok = env.send(sign_in_form("chuyenvien.vp", DEMO_PASSWORD)).await;
        assert_eq!(
            ok.status,
            StatusCode::SEE_OTHER,
            "their password still works"
        );
        // Someone of the same agency who is not an administrator: forbidden.
        env.send(Call::get(&format!("/admin/people/{officer_id}")).page(&officer))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        let r = env
            .send(
                Call::post(&format!("/admin/people/{officer_id}/password"))
                    .page(&officer)
                    .form(&[("csrf", &officer.csrf)]),
            )
            .await;
        r.expect_page_error(StatusCode::FORBIDDEN);
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_are_renamed_and_moved_but_never_under_themselves() {
    each_env(|env| async move {
        let admin = env.page("quantri.ubnd").await;
        let token = env.api("quantri.ubnd").await;
        let all = units(&env, &token).await;
        let (a, _) = all[0].clone();
        let (b, _) = all[1].clone();
        let save = |id: &str, name: &str, abbr: &str, parent: &str| {
            Call::post(&format!("/admin/units/{id}"))
                .page(&admin)
                .form(&[
                    ("csrf", &admin.csrf),
                    ("name", name),
                    ("abbreviation", abbr),
                    ("parent_id", parent),
                ])
        };
        let r = env.send(save(&b, "Tổ Tổng hợp", "TTH", &a)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = env.send(save(&a, "Văn phòng mới", "VPM", "")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let names: Vec<String> = units(&env, &token).await.into_iter().map(|u| u.1).collect();
        assert!(
            names.contains(&"Văn phòng mới".to_owned())
                && names.contains(&"Tổ Tổng hợp".to_owned())
        );
        let tree = env.send(Call::get("/admin").page(&admin)).await.text();
        assert!(
            tree.contains("<td class=\"depth-1\">Tổ Tổng hợp</td>"),
            "B under A in the tree"
        );
        let journal_before = env
            .app
            .store
            .journal(&agency_of(&env, &token).await)
            .await
            .unwrap()
            .len();

        // A under B, which is under A: refused on the form, the problem beside the parent.
        let cycle = env.send(save(&a, "Văn phòng vòng", "VPV", &b)).await;
        assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = cycle.text();
        assert!(html.contains("id=\"parent_id-problem\""), "{html}");
        assert!(
            html.contains("value=\"Văn phòng vòng\""),
            "what was typed is kept"
        );
        let names: Vec<String> = units(&env, &token).await.into_iter().map(|u| u.1).collect();
        assert!(
            !names.contains(&"Văn phòng vòng".to_owned()),
            "nothing saved"
        );
        // Under itself: refused too.
        let own = env.send(save(&a, "Văn phòng mới", "VPM", &a)).await;
        assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            env.app
                .store
                .journal(&agency_of(&env, &token).await)
                .await
                .unwrap()
                .len(),
            journal_before,
            "nothing journaled"
        );
        env
    })
    .await;
}

async fn agency_of(env: &Env, token: &str) -> AgencyId {
    let me = env.send(Call::get("/api/v1/me").bearer(token)).await.json();
    AgencyId::from(me["person"]["agency_id"].as_str().expect("agency"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_document_form_comes_back_with_what_was_typed() {
    each_env(|env| async move {
        let officer = env.page("chuyenvien.vp").await;
        let clerk = env.page("vanthu.ubnd").await;
        let clerk_token = env.api("vanthu.ubnd").await;
        let count = env.count_docs(&clerk_token).await;
        // A draft without its subject.
        let form = Multipart::new()
            .text("csrf", &officer.csrf)
            .text("doc_type", "to-trinh")
            .text("subject", "  ")
            .text("urgency", "khan")
            .text("signer_name", "Nguyễn Văn Hùng")
            .text("signer_position", "Chủ tịch")
            .text("pages", "3")
            .text("recipients", "Các sở <ban> & ngành")
            .text("due_on", "")
            .file("file", "du-thao.pdf", &pdf("du thao"));
        let r = env
            .send(Call::post("/outgoing").page(&officer).multipart(&form))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(
            html.contains("id=\"subject-problem\""),
            "beside the field: {html}"
        );
        let problem = html
            .split("id=\"subject-problem\" role=\"alert\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_default();
        assert!(problem.contains("Trích yếu"), "{problem}");
        assert!(
            !problem.contains("subject"),
            "no English field name: {problem}"
        );
        // (The signer is no longer typed on a draft: the register takes who signed.)
        for kept in [
            "value=\"3\"",
            "Các sở &lt;ban&gt; &amp; ngành</textarea>",
            "value=\"to-trinh\" selected",
            "value=\"khan\" selected",
        ] {
            assert!(html.contains(kept), "{kept} kept");
        }
        assert!(html.contains("action=\"/logout\""), "the menu is there");
        assert_eq!(env.count_docs(&clerk_token).await, count, "nothing saved");

        // An incoming document with a bad date: the problem beside it, in Vietnamese.
        let form = Multipart::new()
            .text("csrf", &clerk.csrf)
            .text("author_name", "Bộ Nội vụ")
            .text("notation", "12/BNV-VP")
            .text("arrived_on", "31/02/2026")
            .text("doc_type", "cong-van")
            .text("subject", "Về việc tuyển dụng công chức")
            .file("file", "den.pdf", &pdf("den"));
        let r = env
            .send(Call::post("/incoming").page(&clerk).multipart(&form))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("id=\"arrived_on-problem\""), "{html}");
        assert!(
            html.contains("Ngày đến") || html.contains("ngày đến"),
            "named as the form names it"
        );
        for kept in [
            "value=\"Bộ Nội vụ\"",
            "value=\"12/BNV-VP\"",
            "value=\"Về việc tuyển dụng công chức\"",
        ] {
            assert!(html.contains(kept), "{kept} kept");
        }
        assert_eq!(env.count_docs(&clerk_token).await, count, "nothing saved");
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_pages_keep_the_menu_and_the_icon_is_served() {
    each_env(|env| async move {
        let officer = env.page("chuyenvien.vp").await;
        let missing = env.send(Call::get("/no/such/page").page(&officer)).await;
        missing.expect_page_error(StatusCode::NOT_FOUND);
        let html = missing.text();
        assert!(
            html.contains("href=\"/my-work\"") && html.contains("action=\"/logout\""),
            "{html}"
        );
        let forbidden = env.send(Call::get("/admin").page(&officer)).await;
        forbidden.expect_page_error(StatusCode::FORBIDDEN);
        assert!(forbidden.text().contains("href=\"/my-work\""));
        let unknown_doc = env
            .send(Call::get("/documents/00000000000000000000000000000000").page(&officer))
            .await;
        unknown_doc.expect_page_error(StatusCode::NOT_FOUND);
        assert!(unknown_doc.text().contains("action=\"/logout\""));
        // Nobody signed in: the page, no menu.
        let anonymous = env.get("/no/such/page").await;
        anonymous.expect_page_error(StatusCode::NOT_FOUND);
        assert!(!anonymous.text().contains("action=\"/logout\""));

        let page = env.get("/login").await.text();
        assert!(page.contains("rel=\"icon\" href=\"/static/signet-icon.svg\""));
        let icon = env.get("/static/signet-icon.svg").await;
        assert_eq!(icon.status, StatusCode::OK);
        assert!(icon.header("content-type").starts_with("image/svg+xml"));
        assert!(icon.text().contains("<svg"));
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_page_shows_a_new_certificate_at_once() {
    crate::support::each_env_with_ca(crate::support::TestClock::new(), |env| async move {
        let admin = env.page("quantri.ubnd").await;
        let r = env
            .send(
                Call::post("/admin/certificates")
                    .page(&admin)
                    .header(
                        axum::http::header::ACCEPT,
                        "text/html,application/xhtml+xml",
                    )
                    .form(&[
                        ("csrf", &admin.csrf),
                        ("kind", "organization"),
                        ("password", "mat-khau-p12-2026"),
                    ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.header("content-type").starts_with("text/html"));
        let html = r.text();
        let marker = "id=\"cert-issued\"";
        assert!(html.contains(marker), "{html}");
        let serial = html
            .split(marker)
            .nth(1)
            .and_then(|s| s.split("<code>").nth(1))
            .and_then(|s| s.split('<').next())
            .expect("the serial")
            .to_owned();
        assert!(
            html.matches(&format!("<code>{serial}</code>")).count() >= 2,
            "named above and in the list at once"
        );
        assert!(html.contains("download=\"Uy-ban-nhan-dan-tinh-Lac-Hong.p12\""));
        assert!(
            html.contains("data:application&#x2f;x-pkcs12;base64,")
                || html.contains("data:application/x-pkcs12;base64,")
        );
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administration_forms_come_back_with_what_was_typed() {
    each_env(|env| async move {
        let admin = env.page("quantri.ubnd").await;
        let r = env
            .send(Call::post("/admin/people").page(&admin).form(&[
                ("csrf", &admin.csrf),
                ("full_name", "Lê Thị Lan"),
                ("username", "Le Thi Lan"),
                ("title", "Chuyên viên"),
                ("roles", "clerk"),
                ("password", "mat-khau-dai-du-10"),
            ]))
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("id=\"username-problem\""), "{html}");
        assert!(html.contains("Tên đăng nhập"), "worded in Vietnamese");
        for kept in [
            "value=\"Lê Thị Lan\"",
            "value=\"Le Thi Lan\"",
            "value=\"Chuyên viên\"",
            "value=\"clerk\" checked",
        ] {
            assert!(html.contains(kept), "{kept} kept");
        }
        assert!(
            !html.contains("mat-khau-dai-du-10"),
            "a password is never shown back"
        );
        let r = env
            .send(Call::post("/admin/units").page(&admin).form(&[
                ("csrf", &admin.csrf),
                ("name", " "),
                ("abbreviation", "TCB"),
            ]))
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("id=\"name-problem\""));
        assert!(r.text().contains("value=\"TCB\""));
        env
    })
    .await;
}

/// The archive renewal's report (issue 11 §4): an administrator sees the agency's documents
/// whose renewal failed, with the reason, and the runs; nobody else sees the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_archive_report_shows_what_could_not_be_renewed() {
    each_env(|env| async move {
        let admin = env.page("quantri.ubnd").await;
        let officer = env.page("chuyenvien.vp").await;
        let page = env.send(Call::get("/admin/archive").page(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text().contains("id=\"no-failures\""),
            "{}",
            page.text()
        );
        let token = env.api("vanthu.ubnd").await;
        let seeded = env
            .doc(&token, "outgoing", "Về việc triển khai ký số")
            .await;
        let id = seeded["id"].as_str().unwrap_or_default().to_owned();
        let candidate = env
            .app
            .store
            .archive_candidates(None, 1000)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.document_id.as_str() == id)
            .expect("an issued demo document is a candidate");
        env.app
            .store
            .record_archive_failure(&candidate, "TSA không trả lời (connection refused)", 1)
            .await
            .unwrap();
        let text = env
            .send(Call::get("/admin/archive").page(&admin))
            .await
            .text();
        assert!(text.contains("id=\"failure-list\""), "{text}");
        assert!(text.contains("TSA không trả lời"));
        assert!(text.contains(&format!("/documents/{id}")));
        env.send(Call::get("/admin/archive").page(&officer))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        env
    })
    .await;
}

/// The unit's default route refused (issue 13 §3): the unit's page again with the levels as
/// chosen and the problem beside the signer — nothing saved.
#[tokio::test]
async fn a_refused_unit_route_comes_back_as_chosen() {
    each_env(|env| async move {
        let admin = env.page("quantri.ubnd").await;
        let token = env.api("quantri.ubnd").await;
        let officer = person_id(&env, &token, "chuyenvien.vp").await;
        let unit = person(&env, &token, &officer).await["unit_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let level1_of = |html: &str| {
            html.split("name=\"level1\"")
                .nth(1)
                .and_then(|s| s.split("</select>").next())
                .unwrap_or_default()
                .to_owned()
        };
        let unit_page = || Call::get(&format!("/admin/units/{unit}")).page(&admin);
        let before = level1_of(&env.send(unit_page()).await.text());
        let r = env
            .send(
                Call::post(&format!("/admin/units/{unit}/route"))
                    .page(&admin)
                    .form(&[
                        ("csrf", admin.csrf.as_str()),
                        ("level1", &officer),
                        ("signer_id", &officer),
                    ]),
            )
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains(r#"id="signer_id-problem""#), "{html}");
        assert!(
            level1_of(&html).contains(&format!("value=\"{officer}\" selected")),
            "the level kept: {html}"
        );
        let after = level1_of(&env.send(unit_page()).await.text());
        assert_eq!(after, before, "nothing saved");
        env
    })
    .await;
}

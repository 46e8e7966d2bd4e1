//! Certificate management: agency isolation, roles, issuance with a generated key (the
//! PKCS#12 opened and the certificate verified by `openssl`), issuance from a CSR, revocation
//! (the CA's CRL read by `openssl crl`), totals and "expiring" under a moving clock, the
//! holder's reminder, CSRF, and a deployment without a CA.

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Value};
use time::Duration;

use crate::support::{each_env, each_env_with_ca, Call, Env, TestClock};

const P12_PASSWORD: &str = "Signet-p12-2026";

/// `openssl`, or `None` (the test is skipped with a reason) outside CI when it is missing;
/// on CI a missing `openssl` fails.
fn openssl() -> Option<&'static str> {
    signet_testkit::require_tool("openssl").then_some("openssl")
}

fn run(args: &[&str]) -> (bool, String) {
    let o = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    (o.status.success(), signet_testkit::text(&o))
}

fn ca_dir(env: &Env) -> PathBuf {
    env.db.dir.join("ca")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

async fn list(env: &Env, token: &str, query: &str) -> Value {
    let r = env
        .send(Call::get(&format!("/api/v1/certificates{query}")).bearer(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn serials(v: &Value) -> Vec<String> {
    v["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["serial"].as_str().unwrap().to_owned())
        .collect()
}

async fn person_id(env: &Env, admin_token: &str, username: &str) -> String {
    let r = env
        .send(Call::get("/api/v1/people").bearer(admin_token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    v.as_array()
        .or_else(|| v["people"].as_array())
        .unwrap()
        .iter()
        .find(|p| p["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {v}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_see_only_their_agency_and_others_are_refused() {
    each_env_with_ca(TestClock::new(), |env| async move {
        let ubnd = env.api("quantri.ubnd").await;
        let snv = env.api("quantri.snv").await;
        // The demo seeds: the province's organization certificate and its two leaders'.
        let v = list(&env, &ubnd, "").await;
        assert_eq!(v["totals"]["total"], 3, "{v}");
        assert_eq!(v["totals"]["personal"], 2);
        assert_eq!(v["totals"]["organization"], 1);
        assert_eq!(v["totals"]["expiring"], 1, "the Chairman's");
        assert_eq!(v["can_issue"], true);
        let holders: Vec<&str> = v["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["holder_name"].as_str().unwrap())
            .collect();
        assert!(
            holders.contains(&"Nguyễn Văn Hùng")
                && holders.contains(&"Ủy ban nhân dân tỉnh Lạc Hồng"),
            "{holders:?}"
        );
        let theirs = list(&env, &snv, "").await;
        assert_eq!(serials(&theirs).len(), 1);
        assert_eq!(
            theirs["certificates"][0]["holder_name"],
            "Sở Nội vụ tỉnh Lạc Hồng"
        );
        let ours = serials(&v);
        assert!(ours.iter().all(|s| !serials(&theirs).contains(s)));

        // Another agency's certificate is "not found", read or revoked, API or page.
        let serial = &ours[0];
        env.send(Call::get(&format!("/api/v1/certificates/{serial}")).bearer(&snv))
            .await
            .expect_api_error(StatusCode::NOT_FOUND, "not_found");
        env.send(
            Call::post(&format!("/api/v1/certificates/{serial}/revoke"))
                .bearer(&snv)
                .json(&json!({ "reason": "keyCompromise" })),
        )
        .await
        .expect_api_error(StatusCode::NOT_FOUND, "not_found");
        let page = env.page("quantri.snv").await;
        env.send(Call::get(&format!("/admin/certificates/{serial}/pem")).page(&page))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);
        let r = env
            .send(
                Call::post(&format!("/admin/certificates/{serial}/revoke"))
                    .page(&page)
                    .form(&[("csrf", &page.csrf), ("reason", "keyCompromise")]),
            )
            .await;
        r.expect_page_error(StatusCode::NOT_FOUND);
        assert_eq!(
            list(&env, &ubnd, "?status=revoked").await["totals"]["revoked"],
            0
        );

        // Not an administrator: refused like the rest of the administration.
        let clerk = env.api("vanthu.ubnd").await;
        env.send(Call::get("/api/v1/certificates").bearer(&clerk))
            .await
            .expect_api_error(StatusCode::FORBIDDEN, "forbidden");
        env.send(Call::get(&format!("/api/v1/certificates/{serial}")).bearer(&clerk))
            .await
            .expect_api_error(StatusCode::FORBIDDEN, "forbidden");
        let clerk_page = env.page("vanthu.ubnd").await;
        env.send(Call::get("/admin/certificates").page(&clerk_page))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);

        // The page: totals in Vietnamese, rows, and the link from the administration page.
        let admin = env.page("quantri.ubnd").await;
        let html = env
            .send(Call::get("/admin/certificates").page(&admin))
            .await;
        assert_eq!(html.status, StatusCode::OK);
        let text = html.text();
        assert!(text.contains("Đã cấp 3: 2 cá nhân, 1 tổ chức"), "{text}");
        assert!(text.contains("Nguyễn Văn Hùng") && !text.contains("Sở Nội vụ tỉnh Lạc Hồng</td>"));
        assert_eq!(text.matches("class=\"cert-row\"").count(), 3);
        assert!(text.contains("Sắp hết hạn (30 ngày)"));
        let en = env
            .send(Call::get("/admin/certificates").header(
                axum::http::header::COOKIE,
                &format!("{}; signet_lang=en", admin.cookie),
            ))
            .await
            .text();
        assert!(
            en.contains("Issued 3: 2 personal, 1 organizational"),
            "{en}"
        );
        assert!(en.contains("Expiring within 30 days: 1"));
        let admin_page = env.send(Call::get("/admin").page(&admin)).await.text();
        assert!(admin_page.contains("href=\"/admin/certificates\""));
        assert!(admin_page.contains("Đã cấp 3: 2 cá nhân, 1 tổ chức"));
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_holder_is_reminded_before_expiry() {
    each_env_with_ca(TestClock::new(), |env| async move {
        // The demo dates the Chairman's certificate back: it ends in 20 days.
        let chairman = env.page("lanhdao.ubnd").await;
        let page = env
            .send(Call::get("/incoming").page(&chairman))
            .await
            .text();
        assert!(page.contains("id=\"cert-reminder\""), "{page}");
        assert!(page.contains("Chứng thư số của bạn"));
        let en = env
            .send(Call::get("/incoming").header(
                axum::http::header::COOKIE,
                &format!("{}; signet_lang=en", chairman.cookie),
            ))
            .await
            .text();
        assert!(en.contains("Your certificate (serial "), "{en}");
        // The deputy's certificate has two years left: no banner.
        let deputy = env.page("pholanhdao.ubnd").await;
        let page = env.send(Call::get("/incoming").page(&deputy)).await.text();
        assert!(!page.contains("id=\"cert-reminder\""));
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_follow_the_clock() {
    let clock = TestClock::new();
    let start = time::OffsetDateTime::now_utc();
    each_env_with_ca(clock.clone(), |env| {
        let clock = clock.clone();
        async move {
            clock.set(start);
            let at = |when: time::OffsetDateTime| {
                clock.set(when);
                async { env.api("quantri.ubnd").await }
            };
            // 720 days on: the Chairman's (ended at day 20) expired, the deputy's (730 days)
            // expiring, the seal's (3 years) valid.
            let token = at(start + Duration::days(720)).await;
            let v = list(&env, &token, "").await;
            let t = &v["totals"];
            assert_eq!(
                (
                    t["valid"].as_i64(),
                    t["expiring"].as_i64(),
                    t["expired"].as_i64()
                ),
                (Some(1), Some(1), Some(1)),
                "{v}"
            );
            let expired = list(&env, &token, "?status=expired").await;
            assert_eq!(expired["certificates"][0]["holder_name"], "Nguyễn Văn Hùng");
            let expiring = list(&env, &token, "?status=expiring&kind=personal").await;
            assert_eq!(
                expiring["certificates"][0]["holder_name"],
                "Trần Thị Thu Hà"
            );
            assert_eq!(
                list(&env, &token, "?kind=organization").await["certificates"][0]["status"],
                "valid"
            );
            // Exactly at the deputy's last day plus 30 days before it: still expiring; a day
            // earlier it is valid (the window is 30 days).
            let deputy_end = expiring["certificates"][0]["not_after_ms"]
                .as_i64()
                .unwrap();
            let end =
                time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(deputy_end) * 1_000_000)
                    .unwrap();
            let token = at(end - Duration::days(30)).await;
            assert_eq!(
                list(&env, &token, "?status=expiring&kind=personal").await["certificates"]
                    .as_array()
                    .unwrap()
                    .len(),
                1
            );
            let token = at(end - Duration::days(31)).await;
            assert!(
                list(&env, &token, "?status=expiring&kind=personal").await["certificates"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            );
            // Four years on: everything expired.
            let token = at(start + Duration::days(4 * 365)).await;
            let v = list(&env, &token, "").await;
            assert_eq!(v["totals"]["expired"], 3, "{v}");
            assert_eq!(v["totals"]["valid"], 0);
            // Filters are checked, not ignored.
            env.send(Call::get("/api/v1/certificates?status=soon").bearer(&token))
                .await
                .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
            clock.set(start);
            env
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuance_with_a_generated_key_gives_a_pkcs12_openssl_opens() {
    each_env_with_ca(TestClock::new(), |env| async move {
        let token = env.api("quantri.ubnd").await;
        let holder = person_id(&env, &token, "chuyenvien.vp").await;
        // Too short a password, an unknown person, another agency's person: refused.
        let short = json!({ "kind": "personal", "holder_id": holder, "password": "1234567" });
        env.send(
            Call::post("/api/v1/certificates")
                .bearer(&token)
                .json(&short),
        )
        .await
        .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        let snv_token = env.api("quantri.snv").await;
        let outsider = person_id(&env, &snv_token, "vanthu.snv").await;
        let foreign =
            json!({ "kind": "personal", "holder_id": outsider, "password": P12_PASSWORD });
        env.send(
            Call::post("/api/v1/certificates")
                .bearer(&token)
                .json(&foreign),
        )
        .await
        .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");

        let body = json!({ "kind": "personal", "holder_id": holder, "password": P12_PASSWORD });
        let r = env
            .send(
                Call::post("/api/v1/certificates")
                    .bearer(&token)
                    .json(&body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = r.json();
        let c = &v["certificate"];
        assert_eq!(c["holder_name"], "Trần Văn Nam");
        assert_eq!(c["device"]["kind"], "software");
        assert_eq!(c["status"], "valid");
        let serial = c["serial"].as_str().unwrap().to_owned();
        let p12 = base64::engine::general_purpose::STANDARD
            .decode(v["pkcs12"].as_str().expect("pkcs12 returned once"))
            .unwrap();
        let listed = list(&env, &token, "?kind=personal").await;
        assert!(serials(&listed).contains(&serial));
        assert!(
            listed.to_string().find("pkcs12").is_none(),
            "the key is not kept"
        );

        // The PEM download: the certificate, then the issuing CA and the root.
        let pem = env
            .send(Call::get(&format!("/api/v1/certificates/{serial}")).bearer(&token))
            .await;
        assert_eq!(pem.status, StatusCode::OK);
        assert_eq!(pem.header("content-type"), "application/x-pem-file");
        assert_eq!(pem.text().matches("BEGIN CERTIFICATE").count(), 3);

        if openssl().is_some() {
            let dir = env.db.dir.clone();
            let p12_path = write(&dir, "holder.p12", &p12);
            let pass = format!("pass:{P12_PASSWORD}");
            let (ok, info) = run(&[
                "pkcs12", "-info", "-nokeys", "-in", &p12_path, "-passin", &pass,
            ]);
            assert!(ok, "{info}");
            // openssl escapes UTF-8 in its subject line: CN = Trần Văn Nam.
            assert!(
                info.contains("CN = Tr\\E1\\BA\\A7n V\\C4\\83n Nam"),
                "{info}"
            );
            assert_eq!(
                info.matches("BEGIN CERTIFICATE").count(),
                3,
                "leaf, issuing CA, root"
            );
            let (bad, _) = run(&[
                "pkcs12",
                "-info",
                "-nokeys",
                "-in",
                &p12_path,
                "-passin",
                "pass:wrong-password",
            ]);
            assert!(!bad, "a wrong password does not open it");
            let leaf = dir.join("leaf.pem").to_string_lossy().into_owned();
            let (ok, out) = run(&[
                "pkcs12", "-in", &p12_path, "-passin", &pass, "-nokeys", "-clcerts", "-out", &leaf,
            ]);
            assert!(ok, "{out}");
            let root = ca_dir(&env).join("root.pem").to_string_lossy().into_owned();
            let issuing = ca_dir(&env)
                .join("issuing.pem")
                .to_string_lossy()
                .into_owned();
            let (ok, out) = run(&["verify", "-CAfile", &root, "-untrusted", &issuing, &leaf]);
            assert!(ok && out.contains(": OK"), "{out}");
            let chain = write(&dir, "chain.pem", &pem.body);
            let (ok, out) = run(&["verify", "-CAfile", &root, "-untrusted", &chain, &chain]);
            assert!(ok, "{out}");
        }

        // The page form: CSRF required; with it the answer is the .p12 file itself.
        let page = env.page("quantri.ubnd").await;
        let form = |csrf: &str| {
            Call::post("/admin/certificates").page(&page).form(&[
                ("csrf", csrf),
                ("kind", "organization"),
                ("password", P12_PASSWORD),
            ])
        };
        env.send(form("forged"))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        // A personal certificate for nobody: the form again, the kind kept, the problem beside
        // the holder, and the password typed never sent back.
        let r = env
            .send(Call::post("/admin/certificates").page(&page).form(&[
                ("csrf", page.csrf.as_str()),
                ("kind", "personal"),
                ("holder_id", "nobody"),
                ("password", "mat-khau-bi-mat-1"),
                ("device_label", "Token <thử>"),
            ]))
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        for kept in [
            r#"id="holder_id-problem""#,
            r#"value="personal" selected"#,
            r#"value="Token &lt;thử&gt;""#,
            r##"href="#issue-form""##,
        ] {
            assert!(html.contains(kept), "{kept} kept: {html}");
        }
        assert!(
            !html.contains("mat-khau-bi-mat-1"),
            "the password is never echoed"
        );
        let before = list(&env, &token, "").await["totals"]["total"]
            .as_i64()
            .unwrap();
        let r = env.send(form(&page.csrf)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("content-type"), "application/x-pkcs12");
        // The file is named after its holder (here the agency), not a bare serial.
        assert_eq!(
            r.header("content-disposition"),
            "attachment; filename=\"Uy-ban-nhan-dan-tinh-Lac-Hong.p12\""
        );
        assert!(r.body.len() > 500);
        assert_eq!(
            list(&env, &token, "").await["totals"]["total"]
                .as_i64()
                .unwrap(),
            before + 1
        );
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuance_from_a_csr_keeps_the_key_with_the_holder() {
    let Some(_) = openssl() else { return };
    each_env_with_ca(TestClock::new(), |env| async move {
        let token = env.api("quantri.ubnd").await;
        let holder = person_id(&env, &token, "pholanhdao.ubnd").await;
        let dir = env.db.dir.clone();
        let key = dir.join("k.pem").to_string_lossy().into_owned();
        let csr = dir.join("r.csr").to_string_lossy().into_owned();
        let (ok, out) = run(&[
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", &key, "-subj", "/CN=ignored", "-out", &csr,
        ]);
        assert!(ok, "{out}");
        let csr_pem = std::fs::read_to_string(&csr).unwrap();
        let body = json!({ "kind": "personal", "holder_id": holder, "csr": csr_pem,
                           "device_kind": "pkcs11", "device_label": "ePass2003 · 0A1B2C3D" });
        let r = env
            .send(Call::post("/api/v1/certificates").bearer(&token).json(&body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = r.json();
        assert!(v.get("pkcs12").is_none(), "no key leaves the holder");
        assert_eq!(v["certificate"]["device"]["label"], "ePass2003 · 0A1B2C3D");
        let serial = v["certificate"]["serial"].as_str().unwrap();
        // The certificate is for the request's key.
        let pem = env
            .send(Call::get(&format!("/api/v1/certificates/{serial}")).bearer(&token))
            .await;
        let cert = write(&dir, "c.pem", &pem.body);
        let (_, from_cert) = run(&["x509", "-in", &cert, "-noout", "-pubkey"]);
        let (_, from_key) = run(&["pkey", "-in", &key, "-pubout"]);
        assert_eq!(from_cert, from_key);
        let (_, subject) = run(&["x509", "-in", &cert, "-noout", "-subject", "-nameopt", "utf8"]);
        assert!(subject.contains("CN=Trần Thị Thu Hà") && !subject.contains("ignored"), "{subject}");

        // The page form takes a pasted request too, and answers with the list.
        let (ok, out) = run(&[
            "req", "-new", "-key", &key, "-subj", "/CN=again", "-out", &csr,
        ]);
        assert!(ok, "{out}");
        let page = env.page("quantri.ubnd").await;
        let r = env
            .send(Call::post("/admin/certificates").page(&page).form(&[
                ("csrf", &page.csrf),
                ("kind", "personal"),
                ("holder_id", &holder),
                ("csr", &std::fs::read_to_string(&csr).unwrap()),
                ("device_kind", "remote"),
                ("device_label", "Ký số từ xa"),
            ]))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), "/admin/certificates");
        let remote = list(&env, &token, "?kind=personal").await;
        assert!(remote["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["device"]["kind"] == "remote" && c["holder_name"] == "Trần Thị Thu Hà"));
        // A broken request: a clear refusal.
        let bad = json!({ "kind": "personal", "holder_id": holder, "csr": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n" });
        env.send(Call::post("/api/v1/certificates").bearer(&token).json(&bad))
            .await
            .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_reaches_the_list_and_the_crl() {
    each_env_with_ca(TestClock::new(), |env| async move {
        let token = env.api("quantri.ubnd").await;
        let v = list(&env, &token, "?kind=organization").await;
        let seal = v["certificates"][0]["serial"].as_str().unwrap().to_owned();
        let personal = list(&env, &token, "?kind=personal").await;
        let person = personal["certificates"][0]["serial"]
            .as_str()
            .unwrap()
            .to_owned();

        env.send(
            Call::post(&format!("/api/v1/certificates/{seal}/revoke"))
                .bearer(&token)
                .json(&json!({ "reason": "sometimes" })),
        )
        .await
        .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        let r = env
            .send(
                Call::post(&format!("/api/v1/certificates/{seal}/revoke"))
                    .bearer(&token)
                    .json(&json!({ "reason": "keyCompromise" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["status"], "revoked");
        assert_eq!(r.json()["revocation_reason"], "keyCompromise");
        env.send(
            Call::post(&format!("/api/v1/certificates/{seal}/revoke"))
                .bearer(&token)
                .json(&json!({ "reason": "superseded" })),
        )
        .await
        .expect_api_error(StatusCode::CONFLICT, "conflict");

        // The page's revoke button: CSRF required.
        let page = env.page("quantri.ubnd").await;
        let revoke = |csrf: &str| {
            Call::post(&format!("/admin/certificates/{person}/revoke"))
                .page(&page)
                .form(&[("csrf", csrf), ("reason", "superseded")])
        };
        env.send(revoke(""))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        let r = env.send(revoke(&page.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let v = list(&env, &token, "?status=revoked").await;
        let mut got = serials(&v);
        got.sort();
        let mut want = vec![seal.clone(), person.clone()];
        want.sort();
        assert_eq!(got, want);
        assert_eq!(v["totals"]["revoked"], 2);
        let html = env
            .send(Call::get("/admin/certificates?status=revoked").page(&page))
            .await
            .text();
        assert!(html.contains("Đã thu hồi · Lộ khóa bí mật"), "{html}");
        assert!(html.contains("Đã thu hồi · Đã cấp chứng thư thay thế"));
        assert!(
            !html.contains(&format!("/admin/certificates/{seal}/revoke")),
            "no revoke button once revoked"
        );

        // The CA recorded both and its new CRL lists them.
        let record: Value =
            serde_json::from_slice(&std::fs::read(ca_dir(&env).join("state.json")).unwrap())
                .unwrap();
        let revoked: Vec<&str> = record["revoked"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["serial"].as_str().unwrap())
            .collect();
        assert!(
            revoked.contains(&seal.as_str()) && revoked.contains(&person.as_str()),
            "{revoked:?}"
        );
        if openssl().is_some() {
            let crl = ca_dir(&env)
                .join("issuing.crl")
                .to_string_lossy()
                .into_owned();
            let issuing = ca_dir(&env)
                .join("issuing.pem")
                .to_string_lossy()
                .into_owned();
            let (ok, text) = run(&[
                "crl", "-inform", "DER", "-in", &crl, "-text", "-noout", "-CAfile", &issuing,
            ]);
            assert!(ok, "{text}");
            assert!(text.contains("verify OK"), "{text}");
            assert!(
                text.contains(&seal.to_uppercase()) && text.contains(&person.to_uppercase()),
                "{text}"
            );
            assert!(
                text.contains("Key Compromise") && text.contains("Superseded"),
                "{text}"
            );
        }
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_ca_the_list_works_and_issuance_says_why() {
    each_env(|env| async move {
        let token = env.api("quantri.ubnd").await;
        let v = list(&env, &token, "").await;
        assert_eq!(v["totals"]["total"], 0);
        assert_eq!(v["can_issue"], false);
        let body = json!({ "kind": "organization", "password": P12_PASSWORD });
        env.send(
            Call::post("/api/v1/certificates")
                .bearer(&token)
                .json(&body),
        )
        .await
        .expect_api_error(StatusCode::SERVICE_UNAVAILABLE, "no_ca");
        let page = env.page("quantri.ubnd").await;
        let html = env.send(Call::get("/admin/certificates").page(&page)).await;
        assert_eq!(html.status, StatusCode::OK);
        assert!(html.text().contains("chưa cấu hình CA nội bộ"));
        assert!(html.text().contains("Đã cấp 0: 0 cá nhân, 0 tổ chức"));
        env
    })
    .await;
}

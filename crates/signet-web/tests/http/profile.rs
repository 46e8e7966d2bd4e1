//! The person's page and its signature-image form (issue 9 §1): a JPEG (and a PNG) uploaded
//! from the plain form shows in the preview and is served back; a damaged JPEG, a file of
//! another kind, a missing file or a forged form is refused with a clear 4xx and changes
//! nothing; removal works; an administrator sets a person's image from their page; a person
//! of another agency is not found, a colleague is forbidden. The API takes `image` (JPEG).

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::json;

use crate::support::{each_env, Call, Env, Multipart, PageSession};

fn upload(s: &PageSession, person: &str, csrf: &str, file: &str, bytes: &[u8]) -> Call {
    Call::post(&format!("/people/{person}/signature-image"))
        .multipart(
            &Multipart::new()
                .text("csrf", csrf)
                .file("image", file, bytes),
        )
        .page(s)
}

async fn person_id(env: &Env, username: &str) -> String {
    env.app
        .store
        .person_by_username(username)
        .await
        .unwrap()
        .id
        .to_string()
}

/// The preview's address on the page, if it shows one.
fn preview_url(html: &str) -> Option<String> {
    let start = html.find("id=\"signature-preview\" src=\"")? + 28;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&amp;", "&"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_sets_a_jpeg_signature_image_from_their_page() {
    each_env(|env| async move {
        let leader = env.page("lanhdao.ubnd").await;
        let me = person_id(&env, "lanhdao.ubnd").await;
        let jpeg = signet_testkit::SIGNATURE_JPEG;

        // The page, reachable from the name in the header, offers the form; no image yet.
        let r = env.send(Call::get("/outgoing").page(&leader)).await;
        assert!(
            r.text().contains("href=\"/profile\""),
            "the header links the profile"
        );
        let r = env.send(Call::get("/profile").page(&leader)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("Ảnh chữ ký") && html.contains("id=\"signature-image-form\""));
        assert!(html.contains("accept=\"image/png,image/jpeg\""));
        assert!(html.contains("id=\"signature-none\""));
        assert_eq!(preview_url(&html), None);

        // Refused, each with a clear 4xx naming the problem, nothing stored: a damaged JPEG,
        // a GIF, a CMYK JPEG, no file, a forged form.
        // An upload cut short.
        let damaged = jpeg[..jpeg.len() / 2].to_vec();
        let csrf = leader.csrf.clone();
        for (file, bytes, says) in [
            (
                "chu-ky.jpg",
                damaged.as_slice(),
                "bị hỏng hoặc không đầy đủ",
            ),
            (
                "chu-ky.gif",
                b"GIF89a\x01\x00\x01\x00".as_slice(),
                "phải là tệp PNG hoặc JPEG",
            ),
            ("chu-ky.jpg", signet_testkit::SIGNATURE_JPEG_CMYK, "CMYK"),
            ("chu-ky.jpg", b"".as_slice(), "phải là tệp PNG hoặc JPEG"),
        ] {
            let r = env.send(upload(&leader, &me, &csrf, file, bytes)).await;
            // The person's page again (issue 13 §3), the problem beside the file input.
            r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.text().contains(says), "{file}: {}", r.text());
            assert!(
                r.text().contains(r#"id="image-problem""#),
                "{file}: {}",
                r.text()
            );
            assert!(r.text().contains("action=\"/logout\""), "the menu is there");
        }
        let r = env
            .send(upload(&leader, &me, "forged", "a.jpg", jpeg))
            .await;
        r.expect_page_error(StatusCode::FORBIDDEN);
        assert!(env
            .app
            .store
            .signature_image(&me.clone().into())
            .await
            .unwrap()
            .is_none());

        // A good JPEG: stored, previewed, served back as it was uploaded.
        let r = env
            .send(upload(&leader, &me, &csrf, "chu-ky.jpg", jpeg))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), "/profile?done=saved");
        let r = env
            .send(Call::get("/profile?done=saved").page(&leader))
            .await;
        let html = r.text();
        assert!(html.contains("id=\"image-done\""), "{html}");
        assert!(html.contains("JPEG · 300 × 120"), "{html}");
        let url = preview_url(&html).expect("a preview");
        let img = env.send(Call::get(&url).page(&leader)).await;
        assert_eq!(img.status, StatusCode::OK);
        assert_eq!(img.header("content-type"), "image/jpeg");
        assert_eq!(img.body, jpeg);
        let stored = env
            .app
            .store
            .signature_image(&me.clone().into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.content_type, "image/jpeg");

        // A colleague may not see it; without a session, the sign-in page.
        let officer = env.page("chuyenvien.vp").await;
        let r = env.send(Call::get(&url).page(&officer)).await;
        r.expect_page_error(StatusCode::FORBIDDEN);
        let r = env
            .send(upload(&officer, &me, &officer.csrf, "a.jpg", jpeg))
            .await;
        r.expect_page_error(StatusCode::FORBIDDEN);
        let r = env.get(&url).await;
        assert!(
            r.status.is_redirection() || r.status == StatusCode::UNAUTHORIZED,
            "{}",
            r.status
        );

        // Removed from the page: the preview goes, the file is no longer served.
        let r = env
            .send(
                Call::post(&format!("/people/{me}/signature-image/delete"))
                    .form(&[("csrf", &csrf)])
                    .page(&leader),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), "/profile?done=removed");
        let html = env.send(Call::get("/profile").page(&leader)).await.text();
        assert!(html.contains("id=\"signature-none\""));
        let r = env.send(Call::get(&url).page(&leader)).await;
        r.expect_page_error(StatusCode::NOT_FOUND);
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_sets_a_persons_image_and_the_api_takes_jpeg() {
    each_env(|env| async move {
        let admin = env.page("quantri.ubnd").await;
        let leader = person_id(&env, "lanhdao.ubnd").await;
        let png = signet_appearance::demo::signature_png("Nguyễn Văn Hùng");

        // The administration page links each person's page, which offers the same form.
        let r = env.send(Call::get("/admin").page(&admin)).await;
        assert!(r
            .text()
            .contains(&format!("href=\"/admin/people/{leader}\"")));
        let r = env
            .send(Call::get(&format!("/admin/people/{leader}")).page(&admin))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("id=\"signature-image-form\""));
        let r = env
            .send(upload(&admin, &leader, &admin.csrf, "chu-ky.png", &png))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), format!("/admin/people/{leader}?done=saved"));
        let html = env
            .send(Call::get(&format!("/admin/people/{leader}?done=saved")).page(&admin))
            .await
            .text();
        assert!(html.contains("PNG · "), "{html}");

        // Another agency's administrator: not found; a person who is not an administrator
        // cannot open a colleague's page.
        let other = env.page("quantri.snv").await;
        let r = env
            .send(Call::get(&format!("/admin/people/{leader}")).page(&other))
            .await;
        r.expect_page_error(StatusCode::NOT_FOUND);
        let officer = env.page("chuyenvien.vp").await;
        let r = env
            .send(Call::get(&format!("/admin/people/{leader}")).page(&officer))
            .await;
        r.expect_page_error(StatusCode::FORBIDDEN);

        // The API: `image` carries a JPEG; a damaged one is a JSON 422 naming JPEG.
        let token = env.api("lanhdao.ubnd").await;
        let put = |body: serde_json::Value| {
            Call::post(&format!("/api/v1/people/{leader}/signature-image"))
                .bearer(&token)
                .json(&body)
        };
        let jpeg = signet_testkit::SIGNATURE_JPEG;
        let r = env
            .send(put(json!({ "image": B64.encode(&jpeg[..jpeg.len() / 2]) })))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(
            r.text().contains("JPEG image: the file ends too early"),
            "{}",
            r.text()
        );
        assert!(r.text().contains("bị hỏng"), "{}", r.text());
        let r = env.send(put(json!({}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env.send(put(json!({ "image": B64.encode(jpeg) }))).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        let stored = env
            .app
            .store
            .signature_image(&leader.clone().into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.content_type, "image/jpeg");
        env
    })
    .await;
}

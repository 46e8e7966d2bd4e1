//! The pages of the rest of issue 10 §1 (asking a leader's opinion, files on notes, the
//! reply drafted and linked both ways, the processing slip as a PDF) and of §4 (meeting
//! invitations, attendance, materials for participants only, the printable week calendar).

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{each_env, pdf, Call, Env, Multipart, PageSession};

async fn person_id(env: &Env, username: &str) -> String {
    let token = env.api(username).await;
    let me: Value = env
        .send(Call::get("/api/v1/me").bearer(&token))
        .await
        .json();
    me["person"]["id"].as_str().unwrap().to_owned()
}

/// The value after `marker` up to the next quote or slash, in `html`.
fn after(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in the page"))
        + marker.len();
    html[start..]
        .split(['"', '/', '#'])
        .next()
        .unwrap()
        .to_owned()
}

/// An incoming document of the demo, presented and directed to the officer.
async fn directed(env: &Env, officer: &str) -> String {
    let clerk = env.api("vanthu.ubnd").await;
    let leader = env.api("lanhdao.ubnd").await;
    let doc = env.all_docs(&clerk, "incoming").await[0].clone();
    let id = doc["id"].as_str().unwrap().to_owned();
    let r = env
        .send(Call::post(&format!("/api/v1/documents/{id}/present")).bearer(&clerk))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = env
        .send(
            Call::post(&format!("/api/v1/documents/{id}/assign"))
                .bearer(&leader)
                .json(&json!({"instruction": "Giao chuyên viên tham mưu trả lời.",
                    "lead": format!("person:{officer}"), "working_days": 5})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    id
}

fn form(s: &PageSession, pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v = vec![("csrf".to_owned(), s.csrf.clone())];
    v.extend(
        pairs
            .iter()
            .map(|(k, x)| ((*k).to_owned(), (*x).to_owned())),
    );
    v
}

fn post_form(path: &str, s: &PageSession, pairs: &[(&str, &str)]) -> Call {
    let owned = form(s, pairs);
    let refs: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Call::post(path).page(s).form(&refs)
}

fn pdftotext(bytes: &[u8]) -> String {
    let dir = signet_store::testing::scratch_dir("slip-http");
    let path = dir.join("s.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn handlers_ask_the_leader_attach_files_draft_the_reply_and_print_the_slip() {
    each_env(|env| async move {
        let officer_id = person_id(&env, "chuyenvien.vp").await;
        let id = directed(&env, &officer_id).await;
        let officer = env.page("chuyenvien.vp").await;
        let leader = env.page("lanhdao.ubnd").await;
        let outsider = env.page("vanthu.snv").await;
        let doc = format!("/documents/{id}");

        let page = env.send(Call::get(&doc).page(&officer)).await.text();
        for part in [
            "id=\"note-form\"",
            "multipart/form-data",
            "id=\"ask-form\"",
            "id=\"reply-form\"",
            "id=\"slip-link\"",
        ] {
            assert!(page.contains(part), "{part}");
        }

        // A note with a file; the file is the document's readers', not another agency's.
        let note = Multipart::new()
            .text("csrf", &officer.csrf)
            .text("note", "Đã tổng hợp số liệu, gửi kèm bảng.")
            .file("files", "Bảng số liệu.pdf", &pdf("note-file"));
        let r = env
            .send(
                Call::post(&format!("{doc}/note-files"))
                    .page(&officer)
                    .multipart(&note),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = env.send(Call::get(&doc).page(&leader)).await.text();
        assert!(page.contains("Bảng số liệu.pdf"), "{page}");
        let file = after(&page, &format!("{doc}/notes/files/"));
        let r = env
            .send(Call::get(&format!("{doc}/notes/files/{file}")).page(&leader))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, pdf("note-file"));
        env.send(Call::get(&format!("{doc}/notes/files/{file}")).page(&outsider))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);

        // Asking: an empty question is refused on a page that says why; then asked.
        let r = env
            .send(post_form(
                &format!("{doc}/opinions"),
                &officer,
                &[("leader", ""), ("question", " ")],
            ))
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Nội dung xin ý kiến"), "{}", r.text());
        assert!(r.text().contains("id=\"question-problem\""), "{}", r.text());
        let r = env
            .send(post_form(
                &format!("{doc}/opinions"),
                &officer,
                &[
                    ("leader", ""),
                    ("question", "Có cần lấy ý kiến Sở Tài chính?"),
                ],
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let mine = env.send(Call::get("/my-work").page(&leader)).await.text();
        assert!(mine.contains("id=\"opinions\""), "{mine}");
        assert!(mine.contains(&doc), "the request waits for the leader");
        let queue = env.send(Call::get("/queue").page(&leader)).await.text();
        assert!(queue.contains("id=\"opinions-waiting\""), "{queue}");
        let page = env.send(Call::get(&doc).page(&leader)).await.text();
        let request = after(&page, &format!("{doc}/opinions/"));
        // An answer too long comes back in its form, as typed, the problem beside it.
        let long = "ý".repeat(2001);
        let r = env
            .send(post_form(
                &format!("{doc}/opinions/{request}"),
                &leader,
                &[("answer", &long)],
            ))
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        for kept in [
            r#"id="answer-problem""#,
            r##"href="#answer-form""##,
            &format!(">{long}</textarea>"),
        ] {
            assert!(html.contains(kept), "{kept} kept: {html}");
        }
        let r = env
            .send(post_form(
                &format!("{doc}/opinions/{request}"),
                &leader,
                &[("answer", "Cần, lấy ý kiến bằng văn bản.")],
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = env.send(Call::get(&doc).page(&officer)).await.text();
        assert!(page.contains("Cần, lấy ý kiến bằng văn bản."), "{page}");
        // Answering twice is a conflict, not a second answer.
        env.send(post_form(
            &format!("{doc}/opinions/{request}"),
            &leader,
            &[("answer", "Lại")],
        ))
        .await
        .expect_page_error(StatusCode::CONFLICT);

        // The reply: a file of a refused kind is said beside the file input, nothing drafted.
        let refused_reply = Multipart::new().text("csrf", &officer.csrf).file(
            "file",
            "virus.exe",
            b"MZ\x90\x00 not a document",
        );
        let r = env
            .send(
                Call::post(&format!("{doc}/reply"))
                    .page(&officer)
                    .multipart(&refused_reply),
            )
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains(r#"id="file-problem""#), "{}", r.text());
        assert!(r.text().contains(r##"href="#reply-form""##), "{}", r.text());
        // The reply: drafted from the document, linked both ways.
        let reply_form =
            Multipart::new()
                .text("csrf", &officer.csrf)
                .file("file", "Trả lời.pdf", &pdf("reply"));
        let r = env
            .send(
                Call::post(&format!("{doc}/reply"))
                    .page(&officer)
                    .multipart(&reply_form),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let reply = r.location();
        assert!(reply.starts_with("/documents/") && reply != doc, "{reply}");
        let page = env.send(Call::get(&reply).page(&officer)).await.text();
        assert!(page.contains("id=\"answers\""), "{page}");
        assert!(
            page.contains("Trả lời.pdf"),
            "the reply carries its file: {page}"
        );
        assert!(page.contains(&format!("href=\"{doc}\"")), "{page}");
        let page = env.send(Call::get(&doc).page(&officer)).await.text();
        assert!(page.contains(&format!("href=\"{reply}\"")), "{page}");

        // The slip: a PDF in Vietnamese with the direction and the notes.
        let r = env
            .send(Call::get(&format!("{doc}/processing-slip.pdf")).page(&leader))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "application/pdf");
        let text = pdftotext(&r.body);
        assert!(text.contains("PHIẾU XỬ LÝ VĂN BẢN ĐẾN"), "{text}");
        assert!(
            text.contains("Giao chuyên viên tham mưu trả lời."),
            "{text}"
        );
        assert!(text.contains("Đã tổng hợp số liệu"), "{text}");
        assert!(text.contains("Bảng số liệu.pdf"), "{text}");
        assert!(text.contains("Cần, lấy ý kiến bằng văn bản."), "{text}");
        env.send(Call::get(&format!("{doc}/processing-slip.pdf")).page(&outsider))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);
        env
    })
    .await;
}

/// `YYYY-MM-DDTHH:MM` in Vietnam, `days` from now.
fn local(days: i64) -> String {
    let t = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7))
        + time::Duration::days(days);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[tokio::test]
async fn a_meeting_invitation_is_answered_its_materials_are_the_participants_and_the_week_prints() {
    each_env(|env| async move {
        let clerk = env.page("vanthu.ubnd").await;
        let officer = env.page("chuyenvien.vp").await;
        let admin = env.page("quantri.ubnd").await;
        let outsider = env.page("vanthu.snv").await;
        let officer_id = person_id(&env, "chuyenvien.vp").await;
        let leader_id = person_id(&env, "lanhdao.ubnd").await;
        let foreign_id = person_id(&env, "vanthu.snv").await;

        let page = env.send(Call::get("/meetings/new").page(&clerk)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains(&format!("person:{officer_id}")));
        // A day long: the test reads the real clock, so the end is a day after the start.
        let (starts, ends) = (local(3), local(4));
        let invitation = |starts: &str, who: &str| {
            Multipart::new()
                .text("csrf", &clerk.csrf)
                .text("subject", "Họp giao ban chuyển đổi số")
                .text("starts_at", starts)
                .text("ends_at", &ends)
                .text("place", "Phòng họp tầng 2")
                .text("chair", &leader_id)
                .text("participants", who)
                .file("materials", "Báo cáo tuần.pdf", &pdf("material"))
        };

        // Refused clearly: a meeting in the past, a participant of another agency.
        let r = env
            .send(
                Call::post("/meetings")
                    .page(&clerk)
                    .multipart(&invitation(&local(-1), &format!("person:{officer_id}"))),
            )
            .await;
        // The form comes back as it was sent (issue 13 §3), the problem beside the start.
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        for kept in [
            r#"id="starts_at-problem""#,
            "đã qua",
            r#"value="Họp giao ban chuyển đổi số""#,
            r#"value="Phòng họp tầng 2""#,
            &format!(r#"value="{leader_id}" selected"#),
            &format!(r#"value="person:{officer_id}" selected"#),
        ] {
            assert!(html.contains(kept), "{kept} kept: {html}");
        }
        let r = env
            .send(
                Call::post("/meetings")
                    .page(&clerk)
                    .multipart(&invitation(&starts, &format!("person:{foreign_id}"))),
            )
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("không thể mời họp"), "{}", r.text());
        assert!(
            r.text().contains(r#"id="participants-problem""#),
            "{}",
            r.text()
        );

        let r = env
            .send(
                Call::post("/meetings")
                    .page(&clerk)
                    .multipart(&invitation(&starts, &format!("person:{officer_id}"))),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let doc = r.location();

        // The participant sees the materials and answers; a reader who is not invited sees
        // the invitation without them; another agency sees nothing.
        let page = env.send(Call::get(&doc).page(&officer)).await.text();
        assert!(page.contains("Phòng họp tầng 2"), "{page}");
        assert!(page.contains("Báo cáo tuần.pdf"), "{page}");
        let material = after(&page, &format!("{doc}/materials/"));
        let r = env
            .send(Call::get(&format!("{doc}/materials/{material}")).page(&officer))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, pdf("material"));
        let page = env.send(Call::get(&doc).page(&admin)).await.text();
        assert!(page.contains("id=\"materials-hidden\""), "{page}");
        assert!(!page.contains("Báo cáo tuần.pdf"), "{page}");
        env.send(Call::get(&format!("{doc}/materials/{material}")).page(&admin))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);
        env.send(Call::get(&doc).page(&outsider))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);

        let page = env.send(Call::get(&doc).page(&officer)).await.text();
        let row = after(&page, "name=\"participant\" value=\"");
        let r = env
            .send(post_form(
                &format!("{doc}/attendance"),
                &officer,
                &[("participant", &row), ("attends", "no"), ("reason", "")],
            ))
            .await;
        // Declining needs a reason: the page again, "decline" still chosen in that row.
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        for kept in [
            r#"id="reason-problem""#,
            r#"value="no" checked"#,
            r##"href="#attendance-form""##,
        ] {
            assert!(html.contains(kept), "{kept} kept: {html}");
        }
        assert!(!html.contains(r#"value="yes" checked"#), "{html}");
        let r = env
            .send(post_form(
                &format!("{doc}/attendance"),
                &officer,
                &[
                    ("participant", &row),
                    ("attends", "no"),
                    ("reason", "Đi công tác huyện"),
                ],
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = env.send(Call::get(&doc).page(&clerk)).await.text();
        assert!(page.contains("Không tham dự"), "{page}");
        assert!(page.contains("Đi công tác huyện"), "{page}");

        // The chair's week shows it; the stylesheet prints the calendar without the chrome.
        let week = &starts[..10];
        let r = env
            .send(Call::get(&format!("/calendar?person={leader_id}&week={week}")).page(&clerk))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let cal = r.text();
        assert!(cal.contains("id=\"calendar\""), "{cal}");
        assert!(cal.contains("Họp giao ban chuyển đổi số"), "{cal}");
        assert!(cal.contains(&format!("href=\"{doc}\"")), "{cal}");
        let css = env.get("/static/style.css").await.text();
        assert!(css.contains("@media print"));
        env.send(Call::get("/calendar?week=tuan-sau").page(&clerk))
            .await
            .expect_page_error(StatusCode::UNPROCESSABLE_ENTITY);
        env.send(Call::get(&format!("/calendar?person={leader_id}")).page(&outsider))
            .await
            .expect_page_error(StatusCode::NOT_FOUND);
        env
    })
    .await;
}

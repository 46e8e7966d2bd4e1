//! The drafting cycle from the pages (issue 13 §2): the officer drafts with an appendix and
//! submits along a two-level route with a chosen signer; the level-1 reviewer sees it in
//! "Việc của tôi" and returns it with a reason (a return without one is refused on a page, in
//! Vietnamese); the officer sees the reason, opens "Sửa dự thảo" (prefilled), sends version
//! 2 with a new main file; nobody else may open that form; both levels approve; the signer
//! returns it with a reason from the page too.

use axum::http::StatusCode;

use crate::support::{each_env, pdf, Call, Multipart};

async fn person_id(env: &crate::support::Env, username: &str) -> String {
    env.app
        .store
        .person_by_username(username)
        .await
        .unwrap()
        .id
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_routed_returned_revised_and_approved_from_the_pages() {
    each_env(|env| async move {
        let officer = env.page("chuyenvien.vp").await;
        let reviewer = env.page("chuyenvien2.th").await;
        let deputy = env.page("pholanhdao.ubnd").await;
        let chairman = env.page("lanhdao.ubnd").await;
        let (l1, l2, signer) = (
            person_id(&env, "chuyenvien2.th").await,
            person_id(&env, "pholanhdao.ubnd").await,
            person_id(&env, "lanhdao.ubnd").await,
        );

        // Drafted with a main file and an appendix.
        let form = Multipart::new()
            .text("csrf", &officer.csrf)
            .text("doc_type", "to-trinh")
            .text("subject", "Tờ trình quy trình duyệt")
            .file("file", "to-trinh.pdf", &pdf("v1"))
            .file("appendices", "phu-luc.pdf", &pdf("phu luc"));
        let r = env
            .send(Call::post("/outgoing").page(&officer).multipart(&form))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let path = r.location();
        let id = path.trim_start_matches("/documents/").to_owned();
        let page = env.send(Call::get(&path).page(&officer)).await.text();
        assert!(page.contains("id=\"route-form\""), "the route form");
        assert!(page.contains("phu-luc.pdf"), "the appendix is listed");

        // Submitted along level 1 → level 2 → the chosen signer.
        let r = env
            .send(Call::post(&format!("{path}/route")).page(&officer).form(&[
                ("csrf", &officer.csrf),
                ("level1", &l1),
                ("level2", &l2),
                ("signer_id", &signer),
            ]))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let work = env.send(Call::get("/my-work").page(&reviewer)).await.text();
        let part = work.split("id=\"to-review\"").nth(1).unwrap_or_default();
        assert!(part.contains(&id), "waiting for the level-1 review: {work}");
        let work = env.send(Call::get("/my-work").page(&deputy)).await.text();
        let part = work.split("id=\"to-review\"").nth(1).unwrap_or_default();
        let part = part.split("</section>").next().unwrap_or_default();
        assert!(!part.contains(&id), "level 2 waits for level 1");

        // A return without a reason is refused on the draft's page, beside the reason, in
        // Vietnamese; with one, it goes back.
        let review = format!("{path}/review");
        let r = env
            .send(Call::post(&review).page(&reviewer).form(&[
                ("csrf", &reviewer.csrf),
                ("decision", "return"),
                ("reason", ""),
            ]))
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("id=\"reason-problem\""), "{}", r.text());
        assert!(
            r.text().contains("href=\"#review-return-form\""),
            "{}",
            r.text()
        );
        let r = env
            .send(Call::post(&review).page(&reviewer).form(&[
                ("csrf", &reviewer.csrf),
                ("decision", "return"),
                ("reason", "Thiếu căn cứ pháp lý"),
            ]))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = env.send(Call::get(&path).page(&officer)).await.text();
        assert!(page.contains("id=\"returned-reason\""), "{page}");
        assert!(page.contains("Thiếu căn cứ pháp lý"));
        let work = env.send(Call::get("/my-work").page(&officer)).await.text();
        assert!(
            work.contains("Thiếu căn cứ pháp lý"),
            "the reason in my work"
        );

        // The revision form: the author's, prefilled; nobody else's.
        let edit = format!("{path}/edit");
        let form_page = env.send(Call::get(&edit).page(&officer)).await;
        assert_eq!(form_page.status, StatusCode::OK);
        assert!(form_page
            .text()
            .contains("value=\"Tờ trình quy trình duyệt\""));
        env.send(Call::get(&edit).page(&reviewer))
            .await
            .expect_page_error(StatusCode::FORBIDDEN);
        let v2 = Multipart::new()
            .text("csrf", &officer.csrf)
            .text("doc_type", "to-trinh")
            .text("subject", "Tờ trình quy trình duyệt (bổ sung căn cứ)")
            .file("file", "to-trinh-v2.pdf", &pdf("v2"));
        let r = env
            .send(Call::post(&edit).page(&officer).multipart(&v2))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = env.send(Call::get(&path).page(&officer)).await.text();
        assert!(page.contains("id=\"versions\""), "{page}");
        assert!(page.contains("to-trinh-v2.pdf") && page.contains("to-trinh.pdf"));
        assert!(page.contains("Phiên bản 2"));

        // Round two: level 1, then level 2 approve; then the signer returns with a reason.
        env.send(Call::post(&format!("{path}/route")).page(&officer).form(&[
            ("csrf", &officer.csrf),
            ("level1", &l1),
            ("level2", &l2),
            ("signer_id", &signer),
        ]))
        .await;
        for who in [&reviewer, &deputy] {
            let r = env
                .send(
                    Call::post(&review)
                        .page(who)
                        .form(&[("csrf", &who.csrf), ("decision", "approve")]),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        let page = env.send(Call::get(&path).page(&chairman)).await.text();
        assert!(
            page.contains("id=\"return-form\""),
            "the signer's turn: {page}"
        );
        let r = env
            .send(
                Call::post(&format!("{path}/return-draft"))
                    .page(&chairman)
                    .form(&[("csrf", &chairman.csrf), ("reason", "Sửa lại trích yếu")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = env.send(Call::get(&path).page(&officer)).await.text();
        assert!(page.contains("Sửa lại trích yếu"));
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drafting_cycle_through_the_api() {
    each_env(|env| async move {
        let officer = env.api("chuyenvien.vp").await;
        let reviewer = env.api("chuyenvien2.th").await;
        let chairman = env.api("lanhdao.ubnd").await;
        let (l1, signer) = (
            person_id(&env, "chuyenvien2.th").await,
            person_id(&env, "lanhdao.ubnd").await,
        );
        let created = env
            .send(
                Call::post("/api/v1/documents").bearer(&officer).multipart(
                    &Multipart::new()
                        .text("doc_type", "cong-van")
                        .text("subject", "Công văn qua API")
                        .file("file", "cv.pdf", &pdf("api")),
                ),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
        let base = format!("/api/v1/documents/{id}");

        // A signer who is not a leader is refused with a stable code.
        let r = env
            .send(
                Call::post(&format!("{base}/route"))
                    .bearer(&officer)
                    .json(&serde_json::json!({"levels": [[l1.clone()]], "signer_id": l1.clone()})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env
            .send(
                Call::post(&format!("{base}/route")).bearer(&officer).json(
                    &serde_json::json!({"levels": [[l1.clone()]], "signer_id": signer.clone()}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "submitted");

        // The chosen signer cannot sign before the review; the reviewer approves.
        let r = env
            .send(Call::post(&format!("{base}/sign")).bearer(&chairman))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let d = env
            .send(Call::get(&format!("{base}/drafting")).bearer(&reviewer))
            .await
            .json();
        assert_eq!(d["review_level"], 1);
        assert_eq!(d["my_turn"], true);
        assert_eq!(d["route"][0]["person_id"], l1.as_str());
        let r = env
            .send(
                Call::post(&format!("{base}/review"))
                    .bearer(&reviewer)
                    .json(&serde_json::json!({"decision": "approve"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        // The signer returns it: a reason is required.
        let r = env
            .send(
                Call::post(&format!("{base}/return-draft"))
                    .bearer(&chairman)
                    .json(&serde_json::json!({"reason": " "})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env
            .send(
                Call::post(&format!("{base}/return-draft"))
                    .bearer(&chairman)
                    .json(&serde_json::json!({"reason": "Bổ sung số liệu"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let d = env
            .send(Call::get(&format!("{base}/drafting")).bearer(&officer))
            .await
            .json();
        let reviews = d["reviews"].as_array().cloned().unwrap_or_default();
        let decisions: Vec<&str> = reviews
            .iter()
            .map(|r| r["decision"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(decisions, ["approved", "returned"]);
        assert_eq!(reviews[1]["reason"], "Bổ sung số liệu");
        assert_eq!(reviews[1]["level"], 0);

        // The author revises it through the API: only what is sent changes.
        let revise = |who: &str, subject: &str| {
            Call::post(&format!("{base}/revise")).bearer(who).multipart(
                &Multipart::new()
                    .text("subject", subject)
                    .file("appendices", "phu-luc.pdf", &pdf("appendix")),
            )
        };
        let r = env.send(revise(&reviewer, "Không phải của tôi")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = env.send(revise(&officer, " ")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env
            .send(revise(&officer, "Công văn qua API (bổ sung số liệu)"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["subject"], "Công văn qua API (bổ sung số liệu)");
        assert_eq!(r.json()["type"], "cong-van", "a field not sent is kept");
        let d = env
            .send(Call::get(&format!("{base}/drafting")).bearer(&officer))
            .await
            .json();
        assert_eq!(d["version"], 2);
        let v2 = d["versions"]
            .as_array()
            .and_then(|v| v.iter().find(|x| x["version"] == 2).cloned())
            .unwrap_or_default();
        assert!(
            v2["changed"].to_string().contains("subject"),
            "the version names what changed: {v2}"
        );
        assert!(v2["files"].to_string().contains("phu-luc.pdf"), "{v2}");
        // Submitted again, it cannot be revised until it comes back.
        let r = env
            .send(Call::post(&format!("{base}/route")).bearer(&officer).json(
                &serde_json::json!({"levels": [[l1.clone()]], "signer_id": signer.clone()}),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = env.send(revise(&officer, "Lần nữa")).await;
        assert!(r.status.is_client_error(), "{}", r.text());

        // Initialling from the phone takes one draft at a time.
        let r = env
            .send(
                Call::post("/api/v1/signatures/remote")
                    .bearer(&reviewer)
                    .json(&serde_json::json!({"document_ids": [id.clone(), id.clone()], "role": "initial"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env
            .send(
                Call::post("/api/v1/signatures/remote")
                    .bearer(&reviewer)
                    .json(&serde_json::json!({"document_ids": [id.clone()], "role": "stamp"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        env
    })
    .await;
}

//! Who sees what: another agency never sees a document (it gets 404, as if the document did
//! not exist), and secret documents stay with their readers inside the agency.

use axum::http::StatusCode;
use serde_json::Value;

use crate::support::{each_env, pdf, Call, Env, Multipart, PageSession};

/// Everything an outsider must not learn of.
struct Target {
    id: String,
    file_id: Option<String>,
    subject: String,
    notation: Option<String>,
}

async fn target(env: &Env, token: &str, direction: &str, prefix: &str) -> Target {
    let d = env.doc(token, direction, prefix).await;
    let id = d["id"].as_str().unwrap_or_default().to_owned();
    let view = env.doc_view(token, &id).await;
    Target {
        file_id: view["files"][0]["id"].as_str().map(str::to_owned),
        subject: d["subject"].as_str().unwrap_or_default().to_owned(),
        notation: d["notation"].as_str().map(str::to_owned),
        id,
    }
}

/// Asserts the outsider's view (page HTML, JSON, CSV) shows none of the targets.
fn shows_none(what: &str, body: &str, targets: &[Target]) {
    for t in targets {
        assert!(
            !body.contains(&t.id),
            "{what} shows the id of {:?}",
            t.subject
        );
        assert!(!body.contains(&t.subject), "{what} shows {:?}", t.subject);
        if let Some(n) = &t.notation {
            assert!(!body.contains(n.as_str()), "{what} shows {n}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_agency_never_sees_a_document() {
    each_env(|env| async move {
        let home = env.api("vanthu.ubnd").await;
        let targets = vec![
            target(&env, &home, "outgoing", "Tờ trình về việc bố trí kinh phí").await,
            target(&env, &home, "outgoing", "Giấy mời dự hội nghị").await,
            target(&env, &home, "outgoing", "Báo cáo tình hình gửi, nhận").await,
            target(&env, &home, "outgoing", "Về việc triển khai ký số").await,
            target(&env, &home, "incoming", "Về việc đẩy mạnh gửi, nhận").await,
        ];
        let states: Vec<Value> = {
            let mut v = Vec::new();
            for t in &targets {
                v.push(env.doc_view(&home, &t.id).await["state"].clone());
            }
            v
        };
        assert_eq!(
            states,
            ["draft", "submitted", "signed", "issued", "registered"]
        );
        let mut before = Vec::new();
        for t in &targets {
            before.push(env.doc_view(&home, &t.id).await);
        }
        let year = env.app.clock.today().year();

        for username in ["vanthu.snv", "lanhdao.snv", "chuyenvien.snv"] {
            let page = env.page(username).await;
            let token = env.api(username).await;
            for t in &targets {
                // Read.
                env.send(Call::get(&format!("/documents/{}", t.id)).page(&page))
                    .await
                    .expect_page_error(StatusCode::NOT_FOUND);
                env.send(Call::get(&format!("/api/v1/documents/{}", t.id)).bearer(&token))
                    .await
                    .expect_api_error(StatusCode::NOT_FOUND, "not_found");
                // Download.
                if let Some(f) = &t.file_id {
                    env.send(Call::get(&format!("/documents/{}/files/{f}", t.id)).page(&page))
                        .await
                        .expect_page_error(StatusCode::NOT_FOUND);
                    env.send(
                        Call::get(&format!("/api/v1/documents/{}/files/{f}", t.id)).bearer(&token),
                    )
                    .await
                    .expect_api_error(StatusCode::NOT_FOUND, "not_found");
                }
                // Step: whatever the person's roles, the answer is "no such document".
                for step in ["submit", "sign", "return", "issue"] {
                    let forbidden_first = (step == "sign" || step == "return")
                        && username != "lanhdao.snv"
                        || step == "issue" && username != "vanthu.snv";
                    let (page_status, api_status, code) = if forbidden_first {
                        // Refused for the role before any document is looked at: it says
                        // nothing about the document either.
                        (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN, "forbidden")
                    } else {
                        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND, "not_found")
                    };
                    env.send(
                        Call::post(&format!("/documents/{}/{step}", t.id))
                            .page(&page)
                            .form(&[("csrf", &page.csrf)]),
                    )
                    .await
                    .expect_page_error(page_status);
                    env.send(
                        Call::post(&format!("/api/v1/documents/{}/{step}", t.id)).bearer(&token),
                    )
                    .await
                    .expect_api_error(api_status, code);
                }
            }
            // List and search.
            for path in [
                "/outgoing",
                "/incoming",
                "/outgoing?q=ky%20so",
                "/incoming?q=van%20ban",
            ] {
                let r = env.send(Call::get(path).page(&page)).await;
                assert_eq!(r.status, StatusCode::OK);
                shows_none(&format!("{username} {path}"), &r.text(), &targets);
            }
            for q in [
                "direction=outgoing",
                "direction=incoming",
                "q=ky%20so",
                "direction=incoming&q=VPCP",
            ] {
                let r = env
                    .send(Call::get(&format!("/api/v1/documents?{q}&limit=200")).bearer(&token))
                    .await;
                assert_eq!(r.status, StatusCode::OK);
                shows_none(&format!("{username} API {q}"), &r.text(), &targets);
            }
            // Registers (the clerk's and the leader's books).
            let can_see_registers = username != "chuyenvien.snv";
            for path in [
                "/registers".to_owned(),
                "/registers?book=den".to_owned(),
                "/registers/export.csv".to_owned(),
                "/registers/export.csv?book=den".to_owned(),
            ] {
                let r = env.send(Call::get(&path).page(&page)).await;
                if can_see_registers {
                    assert_eq!(r.status, StatusCode::OK, "{path}");
                    shows_none(&format!("{username} {path}"), &r.text(), &targets);
                } else {
                    r.expect_page_error(StatusCode::FORBIDDEN);
                }
            }
            for book in ["di", "den"] {
                for fmt in ["", "?format=csv"] {
                    let r = env
                        .send(
                            Call::get(&format!("/api/v1/registers/{book}/{year}{fmt}"))
                                .bearer(&token),
                        )
                        .await;
                    if can_see_registers {
                        assert_eq!(r.status, StatusCode::OK);
                        shows_none(
                            &format!("{username} register {book}{fmt}"),
                            &r.text(),
                            &targets,
                        );
                    } else {
                        r.expect_api_error(StatusCode::FORBIDDEN, "forbidden");
                    }
                }
            }
        }

        // Nothing changed, not even a journal entry.
        for (t, b) in targets.iter().zip(&before) {
            assert_eq!(&env.doc_view(&home, &t.id).await, b, "{}", t.subject);
        }

        // The other agency's administrator cannot reach our people or units either.
        let home_admin = env.api("quantri.ubnd").await;
        let people = env
            .send(Call::get("/api/v1/people").bearer(&home_admin))
            .await
            .json();
        let officer_id = people["people"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["username"] == "chuyenvien.vp"))
            .and_then(|p| p["id"].as_str())
            .unwrap_or_default()
            .to_owned();
        let home_units = env
            .send(Call::get("/api/v1/units").bearer(&home_admin))
            .await
            .text();
        let other_admin = env.page("quantri.snv").await;
        let other_token = env.api("quantri.snv").await;
        env.send(
            Call::post(&format!("/admin/people/{officer_id}/disable"))
                .page(&other_admin)
                .form(&[("csrf", &other_admin.csrf)]),
        )
        .await
        .expect_page_error(StatusCode::NOT_FOUND);
        env.api("chuyenvien.vp").await;
        let theirs = env
            .send(Call::get("/api/v1/people").bearer(&other_token))
            .await
            .text();
        assert!(!theirs.contains("chuyenvien.vp") && !theirs.contains(&officer_id));
        let admin_page = env
            .send(Call::get("/admin").page(&other_admin))
            .await
            .text();
        assert!(!admin_page.contains("chuyenvien.vp") && !admin_page.contains("Phòng Kinh tế"));
        let their_units = env
            .send(Call::get("/api/v1/units").bearer(&other_token))
            .await
            .json();
        for u in their_units["units"].as_array().cloned().unwrap_or_default() {
            assert!(
                !home_units.contains(u["id"].as_str().unwrap_or("-")),
                "a unit of their own"
            );
        }
        // Nor draft in our units.
        let home_unit = env
            .send(Call::get("/api/v1/units").bearer(&home_admin))
            .await
            .json()["units"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let snv_officer = env.api("chuyenvien.snv").await;
        env.send(
            Call::post("/api/v1/documents")
                .bearer(&snv_officer)
                .multipart(
                    &Multipart::new()
                        .text("doc_type", "cong-van")
                        .text("subject", "Dự thảo gắn đơn vị của cơ quan khác")
                        .text("drafting_unit_id", &home_unit)
                        .file("file", "x.pdf", &pdf("don vi khac")),
                ),
        )
        .await
        .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        env
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_documents_stay_with_their_readers() {
    each_env(|env| async move {
        let leader = env.api("lanhdao.ubnd").await;
        let subject = "Báo cáo mật về tình hình an ninh mạng quý IV";
        let r = env
            .send(
                Call::post("/api/v1/documents").bearer(&leader).multipart(
                    &Multipart::new()
                        .text("doc_type", "bao-cao")
                        .text("subject", subject)
                        .text("secrecy", "mat")
                        .file("file", "bao-cao-mat.pdf", &pdf("bao cao mat")),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let d = r.json();
        assert_eq!(d["secrecy"], "mat");
        let id = d["id"].as_str().unwrap_or_default().to_owned();
        let view = env.doc_view(&leader, &id).await;
        let file = view["files"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let secret = vec![Target {
            id: id.clone(),
            file_id: Some(file.clone()),
            subject: subject.to_owned(),
            notation: None,
        }];

        // Officers of the same agency: not listed, not found.
        for username in ["chuyenvien.vp", "chuyenvien2.th"] {
            let token = env.api(username).await;
            let page: PageSession = env.page(username).await;
            for q in [
                "direction=outgoing&limit=200",
                "q=an%20ninh%20mang",
                "type=bao-cao",
            ] {
                let r = env
                    .send(Call::get(&format!("/api/v1/documents?{q}")).bearer(&token))
                    .await;
                assert_eq!(r.status, StatusCode::OK);
                shows_none(&format!("{username} API {q}"), &r.text(), &secret);
            }
            for path in ["/outgoing", "/outgoing?q=an%20ninh"] {
                shows_none(
                    path,
                    &env.send(Call::get(path).page(&page)).await.text(),
                    &secret,
                );
            }
            env.send(Call::get(&format!("/api/v1/documents/{id}")).bearer(&token))
                .await
                .expect_api_error(StatusCode::NOT_FOUND, "not_found");
            env.send(Call::get(&format!("/api/v1/documents/{id}/files/{file}")).bearer(&token))
                .await
                .expect_api_error(StatusCode::NOT_FOUND, "not_found");
            env.send(Call::get(&format!("/documents/{id}")).page(&page))
                .await
                .expect_page_error(StatusCode::NOT_FOUND);
            env.send(Call::get(&format!("/documents/{id}/files/{file}")).page(&page))
                .await
                .expect_page_error(StatusCode::NOT_FOUND);
            env.send(Call::post(&format!("/api/v1/documents/{id}/submit")).bearer(&token))
                .await
                .expect_api_error(StatusCode::NOT_FOUND, "not_found");
        }
        assert_eq!(env.doc_view(&leader, &id).await, view, "unchanged");

        // Its readers: the leaders and the clerk.
        for username in ["vanthu.ubnd", "pholanhdao.ubnd"] {
            let token = env.api(username).await;
            let listed = env.all_docs(&token, "outgoing").await;
            assert!(
                listed.iter().any(|d| d["id"] == id.as_str()),
                "{username} lists it"
            );
            let r = env
                .send(Call::get(&format!("/api/v1/documents/{id}/files/{file}")).bearer(&token))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{username} reads it");
        }

        // An officer's own secret draft is theirs, and not their colleague's.
        let officer = env.api("chuyenvien.vp").await;
        let r = env
            .send(
                Call::post("/api/v1/documents").bearer(&officer).multipart(
                    &Multipart::new()
                        .text("doc_type", "to-trinh")
                        .text("subject", "Tờ trình mật của chuyên viên")
                        .text("secrecy", "toi-mat")
                        .file("file", "to-trinh.pdf", &pdf("to trinh mat")),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let own = r.json()["id"].as_str().unwrap_or_default().to_owned();
        env.doc_view(&officer, &own).await;
        let colleague = env.api("chuyenvien2.th").await;
        env.send(Call::get(&format!("/api/v1/documents/{own}")).bearer(&colleague))
            .await
            .expect_api_error(StatusCode::NOT_FOUND, "not_found");
        assert!(!env
            .all_docs(&colleague, "outgoing")
            .await
            .iter()
            .any(|d| d["id"] == own.as_str()));
        env
    })
    .await;
}

//! Electronic copies from the document page (issue 13 §7): the clerk's "Sao văn bản" form on
//! a registered incoming document, a bad page range refused on a page in Vietnamese, a sao y
//! made and sealed, its page linking the original, its PDF, the original's page and the
//! copies register listing it; a scan that is not a PDF refused. The same through the API,
//! and a copy whose seal failed sealed again from its page and through the API.

use axum::http::StatusCode;

use crate::support::{each_env_with_ca, pdf, Call, Multipart, TestClock};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_copies_a_document_from_its_page() {
    each_env_with_ca(TestClock::new(), |env| async move {
        let p = env
            .app
            .store
            .person_by_username("vanthu.ubnd")
            .await
            .unwrap();
        let clerk_viewer = signet_core::person::Viewer {
            person_id: p.id,
            agency_id: p.agency_id,
            roles: p.roles,
        };
        let mut w = env.app.blobs.writer().await.unwrap();
        w.write(&pdf("ban-goc")).await.unwrap();
        let file = signet_store::documents::NewFile {
            blob: w.finish().await.unwrap(),
            file_name: "cv-den.pdf".into(),
            content_type: "application/pdf".into(),
            kind: "main".into(),
        };
        let form = signet_app::documents::DocumentForm {
            doc_type: "cong-van".into(),
            subject: "Công văn đến cần sao".into(),
            ..Default::default()
        };
        let arrival = signet_app::documents::ArrivalForm {
            author_name: "Sở Tài chính".into(),
            notation: "45/STC-NS".into(),
            ..Default::default()
        };
        let doc = env
            .app
            .register_incoming(&clerk_viewer, &form, &arrival, vec![file])
            .await
            .unwrap();
        let path = format!("/documents/{}", doc.id);
        let clerk = env.page("vanthu.ubnd").await;
        let page = env.send(Call::get(&path).page(&clerk)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("id=\"copy-form\""), "{}", page.text());

        // A page range outside the document: refused on a page, in Vietnamese.
        let bad = Multipart::new()
            .text("csrf", &clerk.csrf)
            .text("kind", "trich_sao")
            .text("pages", "9")
            .text("recipients", "Sở Nội vụ");
        let r = env
            .send(
                Call::post(&format!("{path}/copies"))
                    .page(&clerk)
                    .multipart(&bad),
            )
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        // The document page again: the problem beside the pages, what was typed kept.
        assert!(html.contains("id=\"pages-problem\""), "{html}");
        assert!(html.contains("không phải số trang"), "{html}");
        assert!(html.contains("value=\"trich_sao\" selected"), "{html}");
        assert!(html.contains("value=\"9\""), "{html}");
        assert!(html.contains(">Sở Nội vụ</textarea>"), "{html}");

        // A scan that is not a PDF.
        let png = Multipart::new()
            .text("csrf", &clerk.csrf)
            .text("kind", "sao_y")
            .text("recipients", "Sở Nội vụ")
            .file("scan", "scan.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        let r = env
            .send(
                Call::post(&format!("{path}/copies"))
                    .page(&clerk)
                    .multipart(&png),
            )
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("PDF"), "{}", r.text());

        // The sao y: made, sealed, its page and file.
        let ok = Multipart::new()
            .text("csrf", &clerk.csrf)
            .text("kind", "sao_y")
            .text("pages", "")
            .text("recipients", "Sở Nội vụ\nLưu: VT");
        let r = env
            .send(
                Call::post(&format!("{path}/copies"))
                    .page(&clerk)
                    .multipart(&ok),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let copy_path = r.location();
        assert!(copy_path.starts_with("/copies/"), "{copy_path}");
        let agency = env.app.store.agency(&clerk_viewer.agency_id).await.unwrap();
        let notation = format!("1/SY-{}", agency.abbreviation);
        let page = env.send(Call::get(&copy_path).page(&clerk)).await.text();
        assert!(page.contains(&notation), "{page}");
        assert!(
            page.contains(&format!("href=\"{path}\"")),
            "links the original: {page}"
        );
        assert!(page.contains("Lưu: VT"), "{page}");
        let f = env
            .send(Call::get(&format!("{copy_path}/file")).page(&clerk))
            .await;
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(f.header("content-type"), "application/pdf");
        assert!(f
            .header("content-disposition")
            .contains(&format!("1-SY-{}.pdf", agency.abbreviation)));
        let report = env
            .app
            .verifier
            .verify(&f.body, time::OffsetDateTime::now_utc())
            .unwrap();
        assert_eq!(report.signatures.len(), 1, "{report:?}");
        assert_eq!(format!("{:?}", report.signatures[0].integrity), "Intact");
        // The original lists it; so does the copies register.
        let original = env.send(Call::get(&path).page(&clerk)).await.text();
        assert!(
            original.contains(&format!("href=\"{copy_path}\"")),
            "{original}"
        );
        let register = env.send(Call::get("/copies").page(&clerk)).await.text();
        assert!(register.contains(&notation), "{register}");
        assert!(register.contains(&format!("href=\"{path}\"")), "{register}");

        // Through the API: only a clerk copies; a sao lục takes number 2.
        let api_path = format!("/api/v1/documents/{}/copies", doc.id);
        let order = Multipart::new()
            .text("kind", "sao_luc")
            .text("recipients", "Sở Tư pháp");
        let officer = env.api("chuyenvien.vp").await;
        let r = env
            .send(Call::post(&api_path).bearer(&officer).multipart(&order))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let clerk_api = env.api("vanthu.ubnd").await;
        let r = env
            .send(Call::post(&api_path).bearer(&clerk_api).multipart(&order))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let made = r.json();
        assert_eq!(made["notation"], format!("2/SL-{}", agency.abbreviation));
        assert_eq!(made["state"], "done");
        assert_eq!(made["recipients"], serde_json::json!(["Sở Tư pháp"]));
        let file_url = made["file_url"].as_str().unwrap_or_default().to_owned();
        let f = env.send(Call::get(&file_url).bearer(&clerk_api)).await;
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(f.header("content-type"), "application/pdf");
        let listed = env
            .send(Call::get(&api_path).bearer(&clerk_api))
            .await
            .json();
        assert_eq!(listed["copies"].as_array().map(Vec::len), Some(2));
        let year = made["year"].as_i64().unwrap_or_default();
        let register = env
            .send(Call::get(&format!("/api/v1/copies?year={year}")).bearer(&clerk_api))
            .await
            .json();
        let numbers: Vec<i64> = register["copies"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["number"].as_i64()).collect())
            .unwrap_or_default();
        assert_eq!(numbers, [1, 2]);
        let id = made["id"].as_str().unwrap_or_default().to_owned();
        let r = env
            .send(Call::post(&format!("/api/v1/copies/{id}/retry")).bearer(&clerk_api))
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "a sealed copy is not sealed again"
        );

        // A copy whose seal failed (number 3 taken, with the reason): its page offers to seal
        // it again, which keeps the number.
        let sha = env
            .app
            .store
            .current_file(&clerk_viewer.agency_id, &doc.id)
            .await
            .unwrap()
            .map(|f| f.sha256)
            .unwrap_or_default();
        let new = signet_store::copies::NewCopy {
            agency_id: &clerk_viewer.agency_id,
            original_id: &doc.id,
            kind: signet_core::register::CopyKind::SaoY,
            year: i32::try_from(year).unwrap_or(2026),
            copied_on: made["copied_on"].as_str().unwrap_or_default(),
            source: "electronic",
            page_range: "",
            recipients: "Sở Xây dựng",
            source_sha256: &sha,
            actor: &clerk_viewer.person_id,
            at_ms: 0,
            lease_until_ms: 0,
        };
        let reserved = env
            .app
            .store
            .reserve_copy(&new, |n| Ok(format!("{n}/SY-{}", agency.abbreviation)))
            .await
            .unwrap();
        env.app
            .store
            .fail_copy(
                &reserved,
                "TSA unreachable",
                &clerk_viewer.person_id,
                (0, None),
            )
            .await
            .unwrap();
        let failed_path = format!("/copies/{}", reserved.id);
        let page = env.send(Call::get(&failed_path).page(&clerk)).await.text();
        assert!(page.contains("TSA unreachable"), "{page}");
        assert!(page.contains("id=\"copy-retry\""), "{page}");
        let r = env
            .send(
                Call::post(&format!("{failed_path}/retry"))
                    .page(&clerk)
                    .form(&[("csrf", clerk.csrf.as_str())]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let sealed = env
            .send(Call::get(&format!("/api/v1/copies/{}", reserved.id)).bearer(&clerk_api))
            .await
            .json();
        assert_eq!(sealed["state"], "done", "{sealed}");
        assert_eq!(sealed["number"], 3);
        let page = env.send(Call::get(&failed_path).page(&clerk)).await.text();
        assert!(!page.contains("id=\"copy-retry\""), "{page}");
        env
    })
    .await;
}

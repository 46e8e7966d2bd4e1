//! Electronic copies from the document page (issue 13 §7): the clerk's "Sao văn bản" form on
//! a registered incoming document, a bad page range refused on a page in Vietnamese, a sao y
//! made and sealed, its page linking the original, its PDF, the original's page and the
//! copies register listing it; a scan that is not a PDF refused.

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
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("không phải số trang"), "{}", r.text());

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
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
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
        env
    })
    .await;
}

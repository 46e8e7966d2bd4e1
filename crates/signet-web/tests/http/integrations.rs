//! The province's other systems over HTTP (issue 14 §5): webhook subscribers through the API
//! (the secret in the creation's answer only, administrators only, 4xx on bad input), the
//! sealing API end to end (multipart upload, clear 4xx on bad input, the file 409 until a
//! clerk approves, then the sealed PDF), and the pages of both.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{each_env_with_ca, pdf, Call, Multipart, TestClock};

fn seal_form(doc_type: &str, reference: &str, file: Option<(&str, &[u8])>) -> Multipart {
    let m = Multipart::new()
        .text("document_type", doc_type)
        .text("reference", reference);
    match file {
        Some((name, bytes)) => m.file("file", name, bytes),
        None => m,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integrations_webhooks_and_seal_requests_over_http() {
    each_env_with_ca(TestClock::new(), |env| async move {
        let admin = env.api("quantri.ubnd").await;
        let clerk = env.api("vanthu.ubnd").await;
        let system = env.api("chuyenvien.vp").await;

        // Webhooks: administrators only; the secret is in the 201 and never again.
        let new = json!({"url": "http://127.0.0.1:9/hook", "events": ["document.issued", "seal.completed"]});
        let r = env
            .send(Call::post("/api/v1/webhooks").bearer(&clerk).json(&new))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = env
            .send(Call::post("/api/v1/webhooks").bearer(&admin).json(&json!({"url": "https://x/y", "events": ["document.issued"]})))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.json()["error"]["problem"], "webhook_url", "{}", r.text());
        let r = env
            .send(Call::post("/api/v1/webhooks").bearer(&admin).json(&json!({"url": "http://a/b", "events": []})))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env
            .send(Call::post("/api/v1/webhooks").bearer(&admin).json(&new))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let secret = r.json()["secret"].as_str().unwrap().to_owned();
        let id = r.json()["subscriber"]["id"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"));
        let r = env.send(Call::get("/api/v1/webhooks").bearer(&admin)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.text().contains(&secret), "the secret is never listed");
        assert_eq!(r.json()["subscribers"][0]["id"], id.as_str());
        let admin_page = env.page("quantri.ubnd").await;
        let page = env
            .send(Call::get("/admin/integrations").page(&admin_page))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("http://127.0.0.1:9/hook"));
        assert!(!page.text().contains(&secret), "nor shown on the page");
        // The page's form refused (issue 13 §3): the address kept with its problem beside
        // it, only the event chosen still ticked, nothing subscribed.
        let r = env
            .send(Call::post("/admin/webhooks").page(&admin_page).form(&[
                ("csrf", admin_page.csrf.as_str()),
                ("url", "ftp://motcua.example/hook"),
                ("events", "document.sent"),
            ]))
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        for kept in [
            r#"id="url-problem""#,
            r#"value="ftp://motcua.example/hook""#,
            r#"value="document.sent" checked"#,
            r##"href="#webhook-form""##,
        ] {
            assert!(html.contains(kept), "{kept} kept: {html}");
        }
        assert!(!html.contains(r#"value="document.issued" checked"#), "{html}");
        let listed = env.send(Call::get("/api/v1/webhooks").bearer(&admin)).await.json();
        assert_eq!(listed["subscribers"].as_array().map(Vec::len), Some(1), "{listed}");

        // Sealing API: clear 4xx on bad input.
        let post = |m: Multipart, token: &str| {
            Call::post("/api/v1/seal-requests").bearer(token).multipart(&m)
        };
        let bad = [
            (seal_form("giay-an-com", "HS-1", Some(("a.pdf", &pdf("a")))), StatusCode::UNPROCESSABLE_ENTITY),
            (seal_form("giay-moi", "", Some(("a.pdf", &pdf("a")))), StatusCode::UNPROCESSABLE_ENTITY),
            (seal_form("giay-moi", "HS-1", None), StatusCode::UNPROCESSABLE_ENTITY),
            (seal_form("giay-moi", "HS-1", Some(("a.txt", b"hello"))), StatusCode::UNPROCESSABLE_ENTITY),
            (seal_form("giay-moi", "HS-1", Some(("a.pdf", b"%PDF-1.7 broken"))), StatusCode::UNPROCESSABLE_ENTITY),
        ];
        for (m, status) in bad {
            let r = env.send(post(m, &system)).await;
            assert_eq!(r.status, status, "{}", r.text());
            assert!(r.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        let r = env
            .send(Call::post("/api/v1/seal-requests").bearer(&system).json(&json!({})))
            .await;
        assert!(r.status.is_client_error(), "{}", r.status);

        // A request waits for a clerk; the file is 409 until then.
        let original = pdf("Kết quả giải quyết thủ tục");
        let r = env
            .send(post(seal_form("giay-moi", "HS-2026-1", Some(("ket-qua.pdf", &original))), &system))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let req = r.json();
        assert_eq!(req["state"], "pending");
        let id = req["id"].as_str().unwrap().to_owned();
        let r = env
            .send(Call::get(&format!("/api/v1/seal-requests/{id}/file")).bearer(&system))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
        let r = env
            .send(Call::post(&format!("/api/v1/seal-requests/{id}/approve")).bearer(&system))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "the system does not approve itself");
        // The clerk's page lists it; the clerk approves through the API.
        let clerk_page = env.page("vanthu.ubnd").await;
        let page = env.send(Call::get("/seal-requests").page(&clerk_page)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("HS-2026-1"));
        // A rejection whose reason is too long comes back in that request's row, as typed.
        let long = "x".repeat(2001);
        let r = env
            .send(Call::post(&format!("/seal-requests/{id}/reject")).page(&clerk_page).form(&[
                ("csrf", clerk_page.csrf.as_str()),
                ("reason", &long),
            ]))
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        for kept in [r#"id="reason-problem""#, r##"href="#reject-form""##, &format!(r#"value="{long}""#)] {
            assert!(r.text().contains(kept), "{kept} kept: {}", r.text());
        }
        let r = env
            .send(Call::post(&format!("/api/v1/seal-requests/{id}/approve")).bearer(&clerk))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "sealed", "{}", r.text());
        let r = env
            .send(Call::get(&format!("/api/v1/seal-requests/{id}")).bearer(&system))
            .await;
        assert_eq!(r.json()["file"], format!("/api/v1/seal-requests/{id}/file"));
        let r = env
            .send(Call::get(&format!("/api/v1/seal-requests/{id}/file")).bearer(&system))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "application/pdf");
        assert!(r.body.starts_with(b"%PDF-") && r.body.len() > original.len());
        let report = env
            .app
            .verifier
            .verify(&r.body, time::OffsetDateTime::now_utc())
            .unwrap();
        assert_eq!(report.signatures.len(), 1);

        // The administrator allows the type: sealed at once. The log shows seal.completed.
        let r = env
            .send(
                Call::post("/api/v1/seal-settings")
                    .bearer(&admin)
                    .json(&json!({"auto_seal_types": ["giay-moi"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = env
            .send(post(seal_form("giay-moi", "HS-2026-2", Some(("b.pdf", &original))), &system))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["state"], "sealed", "{}", r.text());
        let r = env
            .send(Call::get("/api/v1/webhooks/deliveries").bearer(&admin))
            .await;
        let events: Vec<String> = r.json()["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["event"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(events, vec!["seal.completed", "seal.completed"]);
        let delivery = r.json()["deliveries"][0]["id"].as_str().unwrap().to_owned();
        let r = env
            .send(Call::post(&format!("/api/v1/webhooks/deliveries/{delivery}/replay")).bearer(&admin))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = env
            .send(Call::new(Method::DELETE, &format!("/api/v1/webhooks/{id}")).bearer(&admin))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "a seal request's id is no subscriber");
        env
    })
    .await;
}

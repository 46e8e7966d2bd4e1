//! Signing from the document page through `/api/v1` (issue 9): the officer's mark (outside
//! the page refused), the leader's signature prepared and completed with a device's answer
//! (a duplicate and bad input refused, nothing changed), the clerk's sealed issuance, and the
//! page's own script calling the API with the session cookie and the CSRF header only.

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use signet_pki::RawSigner;

use crate::support::{each_env_with_ca, Call, TestClock};

fn b64_all(items: &[Vec<u8>]) -> Value {
    json!(items.iter().map(|c| B64.encode(c)).collect::<Vec<_>>())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leader_signs_and_the_clerk_seals_through_the_api() {
    each_env_with_ca(TestClock::new(), |env| async move {
        let officer = env.api("chuyenvien.vp").await;
        let leader = env.api("lanhdao.ubnd").await;
        let clerk = env.api("vanthu.ubnd").await;
        let draft = env.doc(&officer, "outgoing", "Tờ trình").await;
        let draft_id = draft["id"].as_str().unwrap().to_owned();

        // The mark: outside the page, or a page that does not exist, is a clear 422.
        let mark = |body: Value| {
            Call::post(&format!("/api/v1/documents/{draft_id}/signature-box"))
                .bearer(&officer)
                .json(&body)
        };
        let r = env
            .send(mark(json!({"page": 1, "rect": [400, 50, 700, 150]})))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("outside the page"), "{}", r.text());
        let r = env
            .send(mark(json!({"page": 9, "rect": [300, 50, 500, 150]})))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env
            .send(mark(json!({"page": 1, "rect": [300, 60, 500, 140]})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["rect"], json!([300.0, 60.0, 500.0, 140.0]));

        // The officer submits the marked draft; the leader signs it and the submitted
        // "Giấy mời" in one batch: two digests, one device confirmation.
        let r = env
            .send(Call::post(&format!("/api/v1/documents/{draft_id}/submit")).bearer(&officer))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let doc = env.doc(&leader, "outgoing", "Giấy mời").await;
        let id = doc["id"].as_str().unwrap().to_owned();
        let (key, chain) = signet_app::testing::chairman_key(&env.app, None)
            .await
            .unwrap();
        let r = env
            .send(
                Call::post(&format!("/api/v1/documents/{id}/signatures/prepare"))
                    .bearer(&leader)
                    .json(&json!({"device": "agent", "certificate_chain": ["not base64!"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = env
            .send(
                Call::post("/api/v1/signatures/prepare-batch")
                    .bearer(&leader)
                    .json(&json!({"document_ids": [id, draft_id], "device": "agent",
                        "certificate_chain": b64_all(&chain)})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let batch = r.json();
        assert_eq!(batch["digests"].as_array().unwrap().len(), 2, "{batch}");
        assert_ne!(batch["digests"][0], batch["digests"][1]);
        let agency = env
            .app
            .store
            .person_by_username("lanhdao.ubnd")
            .await
            .unwrap()
            .agency_id;
        let mut items = Vec::new();
        let mut first = (String::new(), Vec::new());
        for p in batch["signatures"].as_array().unwrap() {
            let pending_id = p["pending_id"].as_str().unwrap().to_owned();
            assert_eq!(
                B64.decode(p["digests"][0].as_str().unwrap()).unwrap().len(),
                32
            );
            let row = env
                .app
                .store
                .pending_signature(&agency, &pending_id)
                .await
                .unwrap();
            let pending: signet_pades::sign::Pending =
                serde_json::from_str(&row.state_json).unwrap();
            let signature = key.sign(&pending.to_be_signed).unwrap();
            if first.0.is_empty() {
                first = (pending_id.clone(), signature.clone());
            }
            items.push(json!({"pending_id": pending_id, "signature": B64.encode(&signature)}));
        }
        let r = env
            .send(
                Call::post("/api/v1/signatures/complete-batch")
                    .bearer(&leader)
                    .json(&json!({"items": items, "certificate_chain": b64_all(&chain)})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let out = r.json();
        assert_eq!(out["documents"][0]["state"], "signed", "{out}");
        assert_eq!(out["documents"][1]["state"], "signed", "{out}");
        let again = Call::post(&format!("/api/v1/signatures/{}/complete", first.0))
            .bearer(&leader)
            .json(&json!({"signatures": [B64.encode(&first.1)]}));
        let r = env.send(again).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("duplicate"), "{}", r.text());

        // The clerk issues both: numbered and sealed in one go.
        let r = env
            .send(
                Call::post("/api/v1/documents/issue-batch")
                    .bearer(&clerk)
                    .json(&json!({"document_ids": [id, draft_id]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let out = r.json();
        assert_eq!(out["documents"][0]["state"], "issued", "{out}");
        assert_eq!(out["documents"][1]["state"], "issued", "{out}");
        let r = env
            .send(Call::get(&format!("/api/v1/documents/{draft_id}/signatures")).bearer(&clerk))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let panel = r.json();
        assert_eq!(panel["signatures"].as_array().unwrap().len(), 2, "{panel}");
        assert_eq!(panel["signatures"][0]["field"], "ChuKyLanhDao");
        assert_eq!(panel["signatures"][1]["field"], "ChuKyCoQuan");
        assert_eq!(panel["signatures"][0]["modifications"], "FormFilling");
        assert_eq!(panel["seal_state"], "done");

        // The page's script: cookie plus CSRF header, never the cookie alone.
        let page = env.page("vanthu.ubnd").await;
        let path = format!("/api/v1/documents/{id}/signatures");
        let r = env.send(Call::get(&path).page(&page)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
        let r = env
            .send(Call::get(&path).page(&page).header(
                axum::http::HeaderName::from_static("x-csrf-token"),
                &page.csrf,
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = env
            .send(Call::get(&format!("/documents/{id}")).page(&page))
            .await;
        assert!(html
            .header("content-security-policy")
            .contains("connect-src 'self' http://127.0.0.1:8765"));
        assert!(html.text().contains("id=\"download-current\""));
        env
    })
    .await;
}

/// The batch page offers the leader's devices to its script only: the controls are in the
/// page, hidden until `/static/signing.js` (allowed by the page's CSP, as is the agent's
/// loopback origin) shows them; without script the form with the PIN stays the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_batch_page_offers_the_devices_to_its_script() {
    crate::support::each_env(|env| async move {
        let leader = env.page("lanhdao.ubnd").await;
        let r = env.send(Call::get("/signing-batch").page(&leader)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(
            html.contains("id=\"batch-sign-form\""),
            "a document waits: {html}"
        );
        assert!(html.contains("<div id=\"batch-devices\""), "{html}");
        let devices = &html[html.find("<div id=\"batch-devices\"").unwrap()..];
        let tag = &devices[..devices.find('>').unwrap()];
        assert!(tag.contains(" hidden"), "hidden without script: {tag}");
        assert!(
            devices.contains("<option value=\"agent\">")
                && devices.contains("<option value=\"phone\">")
        );
        assert!(html.contains("<script type=\"module\" src=\"/static/signing.js\">"));
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("http://127.0.0.1:8765"),
            "{csp}"
        );
        let js = env.get("/static/signing.js").await;
        assert!(js.text().contains("/api/v1/signatures/prepare-batch"));
        env
    })
    .await;
}

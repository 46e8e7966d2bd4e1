//! Processing incoming documents and the statistics through `/api/v1`: the flow, bad input
//! refused, and the statistics contract — its exact fields, and nothing of an agency
//! outside the viewer's subtree.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{each_env, Call, Env};

async fn me(env: &Env, token: &str) -> Value {
    env.send(Call::get("/api/v1/me").bearer(token)).await.json()
}

fn this_year() -> i32 {
    time::OffsetDateTime::now_utc().year()
}

fn statistics(token: &str, query: &str) -> Call {
    Call::get(&format!("/api/v1/statistics?{query}")).bearer(token)
}

/// The demo's first incoming document, presented to the leader by the clerk.
struct Presented {
    /// The clerk's and the officer's API tokens.
    clerk: String,
    officer: String,
    id: String,
    /// The officer as a handler (`person:<id>`).
    lead: String,
}

async fn presented(env: &Env) -> Presented {
    let clerk = env.api("vanthu.ubnd").await;
    let officer = env.api("chuyenvien.vp").await;
    let officer_id = me(env, &officer).await["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = env.all_docs(&clerk, "incoming").await[0].clone();
    let id = doc["id"].as_str().unwrap().to_owned();
    assert_eq!(doc["allowed_steps"], json!(["present"]));
    let r = env
        .send(Call::post(&format!("/api/v1/documents/{id}/present")).bearer(&clerk))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    Presented {
        clerk,
        officer,
        id,
        lead: format!("person:{officer_id}"),
    }
}

#[tokio::test]
async fn an_incoming_document_goes_from_register_to_done_over_the_api() {
    each_env(|env| async move {
        let Presented {
            officer, id, lead, ..
        } = presented(&env).await;
        let leader = env.api("lanhdao.ubnd").await;

        let assign = |body: Value| {
            Call::post(&format!("/api/v1/documents/{id}/assign"))
                .bearer(&leader)
                .json(&body)
        };
        env.send(assign(
            json!({"instruction": " ", "lead": lead, "working_days": 3}),
        ))
        .await
        .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        let r = env
            .send(assign(
                json!({"instruction": "Xử lý", "lead": lead, "deadline": "2020-01-01"}),
            ))
            .await;
        r.expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(r.json()["error"]["problem"], "deadline_in_past");
        let snv_clerk = env.api("vanthu.snv").await;
        let foreign = me(&env, &snv_clerk).await["person"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = env
            .send(assign(json!({"instruction": "Xử lý", "lead": lead,
                "co": [format!("person:{foreign}")], "working_days": 3})))
            .await;
        r.expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(r.json()["error"]["problem"], "foreign_handler");
        let r = env
            .send(assign(
                json!({"instruction": "Giao chuyên viên tham mưu.", "lead": lead,
                "working_days": 3}),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "assigned");

        let queue = env
            .send(Call::get("/api/v1/queue").bearer(&officer))
            .await
            .json();
        assert_eq!(queue["items"][0]["document"]["id"], json!(id));
        assert_eq!(queue["items"][0]["role"], "lead");
        assert_eq!(queue["items"][0]["overdue"], false);
        let r = env
            .send(
                Call::post(&format!("/api/v1/documents/{id}/notes"))
                    .bearer(&officer)
                    .json(&json!({"note": "Đã nghiên cứu."})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        let r = env
            .send(
                Call::post(&format!("/api/v1/documents/{id}/complete"))
                    .bearer(&officer)
                    .json(&json!({"outcome": "filed"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "done");
        let p = env
            .send(Call::get(&format!("/api/v1/documents/{id}/processing")).bearer(&leader))
            .await
            .json();
        assert_eq!(p["outcome"], "filed");
        assert_eq!(p["notes"][0]["note"], "Đã nghiên cứu.");
        // Another agency does not see the document's processing.
        env.send(Call::get(&format!("/api/v1/documents/{id}/processing")).bearer(&snv_clerk))
            .await
            .expect_api_error(StatusCode::NOT_FOUND, "not_found");
        env
    })
    .await;
}

#[tokio::test]
async fn statistics_answer_with_the_contract_and_only_the_viewers_subtree() {
    each_env(|env| async move {
        let y = this_year();
        let period = format!("from={y}-01-01&to={y}-12-31");
        let leader = env.api("lanhdao.ubnd").await;
        let r = env.send(statistics(&leader, &period)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let body = r.json();
        assert_eq!(body["from"], format!("{y}-01-01"));
        assert_eq!(body["to"], format!("{y}-12-31"));
        let units = body["units"].as_array().unwrap().clone();
        assert_eq!(units.len(), 10, "the whole demo province");
        let mut keys: Vec<&str> = units[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "done_on_time",
                "in_progress",
                "incoming",
                "issued",
                "leader_signature_rate",
                "leader_signed_valid",
                "overdue",
                "parent_id",
                "rank",
                "sealed_valid",
                "sent_electronically",
                "unit_id",
                "unit_name"
            ]
        );
        let province_id = me(&env, &leader).await["agency"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let province = units
            .iter()
            .find(|u| u["unit_id"] == json!(province_id))
            .unwrap();
        assert_eq!(province["parent_id"], Value::Null);
        assert_eq!(province["issued"], 3, "the demo issues three");
        assert_eq!(province["incoming"], 3);
        assert_eq!(province["in_progress"], 3);
        assert_eq!(province["rank"], 1);

        // A department's leader sees the department only; asking for the province is
        // answered as if it did not exist.
        let snv = env.api("lanhdao.snv").await;
        let theirs = env.send(statistics(&snv, &period)).await.json();
        let ids: Vec<&Value> = theirs["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| &u["unit_id"])
            .collect();
        assert_eq!(ids.len(), 1);
        assert_ne!(ids[0], &json!(province_id));
        env.send(statistics(&snv, &format!("{period}&unit={province_id}")))
            .await
            .expect_api_error(StatusCode::NOT_FOUND, "not_found");
        let officer = env.api("chuyenvien.vp").await;
        env.send(statistics(&officer, &period))
            .await
            .expect_api_error(StatusCode::FORBIDDEN, "forbidden");
        env.send(statistics(&leader, "from=2026-12-31&to=2026-01-01"))
            .await
            .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        env.send(statistics(&leader, "from=hôm-qua&to=2026-01-01"))
            .await
            .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        env
    })
    .await;
}

/// A form of the document page refused (issue 13 §3): the page again, with the direction
/// typed, the handlers chosen and the problem beside the deadline, dated as the pages date
/// — and nothing assigned.
#[tokio::test]
async fn a_refused_assignment_comes_back_on_the_document_page_as_typed() {
    each_env(|env| async move {
        let Presented {
            clerk, id, lead, ..
        } = presented(&env).await;
        let leader = env.page("lanhdao.ubnd").await;
        let r = env
            .send(
                Call::post(&format!("/documents/{id}/assign"))
                    .page(&leader)
                    .form(&[
                        ("csrf", &leader.csrf),
                        ("instruction", "Giao <Văn phòng> & chuyên viên tham mưu."),
                        ("lead", &lead),
                        ("deadline", "2020-01-01"),
                    ]),
            )
            .await;
        r.expect_form_error(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        let beside = html
            .split("id=\"deadline-problem\" role=\"alert\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_else(|| panic!("the problem beside the deadline: {html}"));
        assert!(
            beside.contains("01/01/2020"),
            "dated as the pages date: {beside}"
        );
        assert!(!beside.contains("2020-01-01"), "{beside}");
        for kept in [
            "Giao &lt;Văn phòng&gt; &amp; chuyên viên tham mưu.</textarea>",
            &format!("value=\"{lead}\" selected"),
            "value=\"2020-01-01\"",
            "href=\"#assign-form\"",
        ] {
            assert!(html.contains(kept), "{kept} kept: {html}");
        }
        assert!(html.contains("action=\"/logout\""), "the menu is there");
        let view = env.doc_view(&clerk, &id).await;
        assert_eq!(view["state"], "presented", "nothing assigned: {view}");

        // A refusal that is not about what was typed stays an error page: another
        // agency's clerk may not assign (nor see the document).
        let foreign = env.page("vanthu.snv").await;
        let r = env
            .send(
                Call::post(&format!("/documents/{id}/assign"))
                    .page(&foreign)
                    .form(&[("csrf", &foreign.csrf), ("instruction", "x")]),
            )
            .await;
        r.expect_page_error(StatusCode::FORBIDDEN);
        assert!(
            !r.text().contains("Giao &lt;Văn phòng&gt;"),
            "nothing of it shown"
        );
        env
    })
    .await;
}

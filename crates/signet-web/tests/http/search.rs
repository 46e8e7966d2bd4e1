//! Search across incoming and outgoing documents (issue 10 §6) through `/api/v1/search` and
//! the `/search` page: folded, prefix matching, filters, paging, bad input refused, and
//! nothing of another agency.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{each_env, encode, Call, Env};

async fn search(env: &Env, token: &str, query: &str) -> Value {
    let r = env
        .send(Call::get(&format!("/api/v1/search?{query}")).bearer(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
    r.json()
}

fn subjects(v: &Value) -> Vec<String> {
    v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["subject"].as_str().unwrap().to_owned())
        .collect()
}

fn q(s: &str) -> String {
    format!("q={}", encode(s))
}

#[tokio::test]
async fn search_finds_both_directions_and_only_the_agency_s() {
    each_env(|env| async move {
        let clerk = env.api("vanthu.ubnd").await;
        // "ky so" without accents finds the outgoing plan and the incoming letter.
        let found = search(&env, &clerk, &q("ky so")).await;
        let directions: Vec<&str> = found["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["direction"].as_str().unwrap())
            .collect();
        assert!(directions.contains(&"incoming") && directions.contains(&"outgoing"));
        assert!(subjects(&found)
            .iter()
            .any(|s| s.starts_with("Về việc triển khai ký số")));
        // The last word is a prefix; notation and issuing organ are searched.
        assert_eq!(
            subjects(&search(&env, &clerk, &q("thong tu 15/20")).await),
            ["Về việc áp dụng tiêu chuẩn chữ ký số theo Thông tư 15/2025/TT-BKHCN"]
        );
        assert_eq!(
            subjects(&search(&env, &clerk, &q("VPCP-KSTT")).await).len(),
            1
        );
        assert_eq!(
            subjects(&search(&env, &clerk, &q("văn phòng chính ph")).await).len(),
            1
        );
        let incoming_only =
            search(&env, &clerk, &format!("{}&direction=incoming", q("ky so"))).await;
        assert!(incoming_only["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["direction"] == "incoming"));
        // Paging: one at a time, each once.
        let all = subjects(&found);
        let mut paged = Vec::new();
        let mut after = String::new();
        loop {
            let page = search(
                &env,
                &clerk,
                &format!("{}&limit=1&after={after}", q("ky so")),
            )
            .await;
            paged.extend(subjects(&page));
            match page["next"].as_str() {
                Some(n) => after = n.to_owned(),
                None => break,
            }
        }
        assert_eq!(paged, all);
        // Another agency finds none of these.
        let other = env.api("vanthu.snv").await;
        let theirs = search(&env, &other, &q("ky so")).await;
        let ours: Vec<&Value> = found["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| &d["id"])
            .collect();
        assert!(theirs["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| !ours.contains(&&d["id"])));
        // Bad input is refused with its reason.
        for bad in [
            format!("{}&direction=sideways", q("ky")),
            format!("{}&from=2026-13-01", q("ky")),
            format!("{}&from=2026-05-02&to=2026-05-01", q("ky")),
            format!("{}&state=flying", q("ky")),
            format!("{}&unit=../x", q("ky")),
            format!("{}&after=nonsense", q("ky")),
            q(&"a".repeat(201)),
        ] {
            env.send(Call::get(&format!("/api/v1/search?{bad}")).bearer(&clerk))
                .await
                .expect_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        }
        env.send(Call::get("/api/v1/search?q=ky"))
            .await
            .expect_api_error(StatusCode::UNAUTHORIZED, "unauthenticated");
        env
    })
    .await;
}

#[tokio::test]
async fn search_by_handler_and_on_the_page() {
    each_env(|env| async move {
        let clerk = env.api("vanthu.ubnd").await;
        let leader = env.api("lanhdao.ubnd").await;
        let officer = env.api("chuyenvien.vp").await;
        let officer_id = env
            .send(Call::get("/api/v1/me").bearer(&officer))
            .await
            .json()["person"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let doc = env.all_docs(&clerk, "incoming").await[0].clone();
        let id = doc["id"].as_str().unwrap().to_owned();
        let handled = format!("{}&handler={officer_id}", q("ve"));
        assert!(subjects(&search(&env, &clerk, &handled).await).is_empty());
        let r = env
            .send(Call::post(&format!("/api/v1/documents/{id}/present")).bearer(&clerk))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = env
            .send(
                Call::post(&format!("/api/v1/documents/{id}/assign"))
                    .bearer(&leader)
                    .json(
                        &json!({"instruction": "Giao xử lý", "lead": format!("person:{officer_id}"),
                        "working_days": 3}),
                    ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let words: Vec<&str> = doc["subject"]
            .as_str()
            .unwrap()
            .split(' ')
            .take(3)
            .collect();
        let words = format!("{} ", words.join(" "));
        let by_handler = search(&env, &clerk, &format!("{}&handler={officer_id}", q(&words))).await;
        let ids: Vec<&Value> = by_handler["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| &d["id"])
            .collect();
        assert_eq!(ids, [&json!(id)]);

        // The page: the box in the menu leads to it; results link to the documents.
        let s = env.page("vanthu.ubnd").await;
        let home = env.send(Call::get("/outgoing").page(&s)).await.text();
        assert!(home.contains(r#"action="/search""#));
        let page = env
            .send(Call::get(&format!("/search?{}", q("ky so"))).page(&s))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("Về việc triển khai ký số"), "{html}");
        assert!(html.contains("/documents/"));
        let page = env
            .send(Call::get(&format!("/search?{}&to=05/01/2026", q("ky so"))).page(&s))
            .await;
        page.expect_page_error(StatusCode::UNPROCESSABLE_ENTITY);
        env
    })
    .await;
}

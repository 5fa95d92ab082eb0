//! Citizens rate how their question was answered (issue 18): once per settlement, only when it
//! is settled, from the chat page without JavaScript or through the API; the officers see it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, on_both};
use crate::pages::{Visitor, hidden};

const ACCOUNT: &str = "ca-vi-xuyen";
const OFFICER: &str = "cavixuyen.canbo";

fn browser<'a>(app: &'a TestApp, token: &str) -> Visitor<'a> {
    let mut v = Visitor::new(app);
    v.cookies.insert(ketnoi_server::kernel::auth::SESSION_COOKIE.to_owned(), token.to_owned());
    v
}

async fn rate(app: &TestApp, token: Option<&str>, id: i64, body: Value) -> (u16, Value) {
    app.send(Method::POST, &format!("/api/v1/conversations/{id}/rating"), token, Some(body)).await
}

async fn ratings(app: &TestApp, id: i64) -> usize {
    let found = app.store.ratings(ketnoi_core::ConversationId(id)).await;
    found.unwrap_or_else(|e| panic!("{e}")).len()
}

async fn citizens_rate_a_settled_conversation_once_body(app: &TestApp) {
    let citizen = app.citizen_token("0912000400").await;
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&citizen),
            Some(json!({ "client_msg_id": "q-1", "text": "Cho hỏi làm CCCD cho con" })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    let id = sent["conversation"]["id"].as_i64().unwrap_or_default();
    let officer = app.staff_token(OFFICER).await;

    // Open: nothing to rate, and the page offers no form.
    assert_problem(
        &rate(app, Some(&citizen), id, json!({ "stars": 5 })).await,
        422,
        "rating-not-closed",
    );
    let mut page = browser(app, &citizen);
    let (_, html, _) = page.get("/a/ca-vi-xuyen/chat").await;
    assert!(!html.contains("data-rating-form"), "{html}");

    // The officer settles it; the citizen's page now asks.
    let close = app
        .send(Method::POST, &format!("/api/v1/conversations/{id}/close"), Some(&officer), None)
        .await;
    assert_eq!(close.0, 200, "{}", close.1);
    let (_, html, _) = page.get("/a/ca-vi-xuyen/chat").await;
    assert!(html.contains("data-rating-form") && html.contains("Bạn hài lòng"), "{html}");

    // Bad ratings change nothing: stars out of range, a comment too long; officers and other
    // citizens may not rate it.
    for body in [
        json!({ "stars": 0 }),
        json!({ "stars": 6 }),
        json!({ "stars": 4, "comment": "x".repeat(501) }),
    ] {
        let got = rate(app, Some(&citizen), id, body.clone()).await;
        assert_eq!(got.0, 422, "{body}: {}", got.1);
    }
    assert_problem(&rate(app, Some(&officer), id, json!({ "stars": 5 })).await, 403, "forbidden");
    let stranger = app.citizen_token("0912000401").await;
    assert_problem(&rate(app, Some(&stranger), id, json!({ "stars": 1 })).await, 404, "not-found");
    assert_eq!(rate(app, None, id, json!({ "stars": 5 })).await.0, 401);
    assert_eq!(ratings(app, id).await, 0);

    // Rated from the page, without JavaScript.
    let (status, _, location) = page
        .post(
            "/a/ca-vi-xuyen/chat/rating",
            &[
                ("csrf", &hidden(&html, "csrf")),
                ("stars", "4"),
                ("comment", "Cán bộ trả lời nhanh, dễ hiểu"),
            ],
        )
        .await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some("/a/ca-vi-xuyen/chat?done=rated#rating"))
    );
    let (_, html, _) = page.get("/a/ca-vi-xuyen/chat").await;
    assert!(html.contains("★★★★☆") && !html.contains("data-rating-form"), "{html}");
    // Once: a second rating of the same settlement is refused.
    assert_problem(&rate(app, Some(&citizen), id, json!({ "stars": 1 })).await, 409, "conflict");
    assert_eq!(ratings(app, id).await, 1);
    // The officers see it.
    let (_, staff_page, _) = browser(app, &officer).get(&format!("/console/c/{id}")).await;
    assert!(
        staff_page.contains("Đánh giá của người dân") && staff_page.contains("dễ hiểu"),
        "{staff_page}"
    );

    // Reopened by a new question and settled again: that settlement may be rated too.
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&citizen),
            Some(json!({ "client_msg_id": "q-2", "text": "Cho hỏi thêm" })),
        )
        .await;
    assert_eq!(status, 201);
    let close = app
        .send(Method::POST, &format!("/api/v1/conversations/{id}/close"), Some(&officer), None)
        .await;
    assert_eq!(close.0, 200);
    let (status, given) = rate(app, Some(&citizen), id, json!({ "stars": 5 })).await;
    assert_eq!(status, 201, "{given}");
    assert_eq!(given["stars"], json!(5));
    assert_eq!(ratings(app, id).await, 2);
}

on_both!(citizens_rate_a_settled_conversation_once => citizens_rate_a_settled_conversation_once_body);

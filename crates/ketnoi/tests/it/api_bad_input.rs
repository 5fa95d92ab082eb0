//! Malformed, oversized and unauthorised input: a clear problem, the right status, no change.

use serde_json::json;

use crate::helpers::{answer, assert_problem, spawn_app};

#[tokio::test]
async fn malformed_bodies_get_problems_not_panics() {
    let app = spawn_app(true).await;
    let raw = |path: &'static str, body: &'static str, content_type: &'static str| {
        app.client.post(app.url(path)).header("content-type", content_type).body(body).send()
    };
    for path in
        ["/api/v1/auth/otp/request", "/api/v1/auth/otp/verify", "/api/v1/auth/staff/sign-in"]
    {
        assert_problem(
            &answer(raw(path, "{not json", "application/json").await).await,
            400,
            "malformed-request",
        );
        assert_problem(
            &answer(raw(path, "{}", "application/json").await).await,
            400,
            "malformed-request",
        );
        assert_problem(
            &answer(raw(path, "phone=1", "text/plain").await).await,
            415,
            "unsupported-media-type",
        );
        let huge =
            Box::leak(format!("{{\"phone\":\"{}\"}}", "9".repeat(70 * 1024)).into_boxed_str());
        assert_problem(
            &answer(raw(path, huge, "application/json").await).await,
            413,
            "payload-too-large",
        );
    }
    let verified = app
        .client
        .put(app.url("/api/v1/accounts/ca-vi-xuyen/verified"))
        .header("content-type", "application/json")
        .body("[1,2")
        .send()
        .await;
    assert_problem(&answer(verified).await, 400, "malformed-request");
    assert_eq!(app.store.citizen_count().await.ok(), Some(3), "nothing was created");
}

#[tokio::test]
async fn malformed_fields_are_named_in_the_callers_language() {
    let app = spawn_app(true).await;
    let vi = app.post("/api/v1/auth/otp/request", json!({"phone": "0241234567"})).await;
    assert_problem(&vi, 422, "invalid-phone");
    assert!(vi.1["title"].as_str().is_some_and(|t| t.starts_with("Số điện thoại")), "{}", vi.1);
    let en = app
        .client
        .post(app.url("/api/v1/auth/otp/verify"))
        .header("accept-language", "en-GB,en;q=0.9,vi;q=0.5")
        .json(&json!({"phone": "0912000001", "code": "12ab56"}))
        .send()
        .await;
    let en = answer(en).await;
    assert_problem(&en, 422, "invalid-code");
    assert_eq!(en.1["title"], "The code is exactly 6 digits.");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_404_and_405_as_problems() {
    let app = spawn_app(false).await;
    assert_problem(&app.get("/api/v1/khong-co", None).await, 404, "not-found");
    let wrong_method = app.send(reqwest::Method::DELETE, "/api/v1/accounts", None, None).await;
    assert_problem(&wrong_method, 405, "method-not-allowed");
    let content_type = |path: &'static str| {
        let request = app.client.get(app.url(path)).send();
        async move {
            let response = request.await.unwrap_or_else(|e| panic!("{e}"));
            let status = response.status().as_u16();
            let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok());
            (status, kind.map(str::to_owned).unwrap_or_default())
        }
    };
    // API clients get a problem; people get a page.
    assert_eq!(content_type("/api/nope").await, (404, "application/problem+json".to_owned()));
    assert_eq!(content_type("/nope").await, (404, "text/html; charset=utf-8".to_owned()));
}

#[tokio::test]
async fn health_and_readiness_follow_the_database() {
    let app = spawn_app(false).await;
    assert_eq!(app.get("/healthz", None).await.0, 200);
    let (status, ready) = app.get("/readyz", None).await;
    assert_eq!((status, ready["database"].as_str()), (200, Some("sqlite")));
    if let Some(sqlite) = &app.sqlite {
        sqlite.close().await;
    }
    assert_problem(&app.get("/readyz", None).await, 503, "not-ready");
    assert_eq!(app.get("/healthz", None).await.0, 200, "the process still runs");
}

#[tokio::test]
async fn the_openapi_document_and_its_offline_viewer_are_served() {
    let app = spawn_app(false).await;
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/v1/accounts",
        "/api/v1/auth/otp/request",
        "/api/v1/auth/otp/verify",
        "/api/v1/me",
        "/readyz",
        "/api/v1/accounts/{slug}/tips",
        "/api/v1/tips/receipt",
        "/api/v1/units/{code}/tips/{id}",
        "/api/v1/units/{code}/tip-keys/grants/{staff}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
    // A unit route's refusals are documented as problems.
    let detail = &doc["paths"]["/api/v1/units/{code}/tips/{id}"]["get"]["responses"];
    for status in ["401", "403", "404"] {
        assert!(
            detail[status]["content"].get("application/problem+json").is_some(),
            "{status}: {detail}"
        );
    }
    let viewer =
        app.client.get(app.url("/api/docs/")).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(viewer.status().as_u16(), 200);
    let html = viewer.text().await.unwrap_or_default();
    assert!(html.contains("swagger"), "{html}");
    assert!(!html.contains("https://"), "the viewer loads nothing from the internet");
}

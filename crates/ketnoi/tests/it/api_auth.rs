//! Signing in by one-time code and by password; sessions; rate limits.

use ketnoi_core::{Phone, Timestamp};
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_citizen_signs_in_with_the_demo_code_and_sees_a_masked_phone() {
    let app = spawn_app(true).await;
    let (status, sent) =
        app.post("/api/v1/auth/otp/request", json!({"phone": "+84 912 000 001"})).await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["sent_to"], "091****001");
    assert_eq!(sent["demo"], true);
    let code = sent["demo_code"].as_str().unwrap_or_default().to_owned();
    assert_eq!(code.len(), 6);
    let (status, signed) =
        app.post("/api/v1/auth/otp/verify", json!({"phone": "0912000001", "code": code})).await;
    assert_eq!(status, 200, "{signed}");
    let token = signed["token"].as_str().unwrap_or_default();
    assert!(token.starts_with("ketnoi_s_"), "{token}");
    let (status, me) = app.get("/api/v1/me", Some(token)).await;
    assert_eq!((status, me["kind"].as_str()), (200, Some("citizen")), "{me}");
    assert_eq!(me["citizen"]["phone_masked"], "091****001");
    assert!(!me.to_string().contains("912000001"), "the full number never comes back");

    // The code is single-use.
    let reuse =
        app.post("/api/v1/auth/otp/verify", json!({"phone": "0912000001", "code": code})).await;
    assert_problem(&reuse, 401, "otp-expired");

    // Signing out ends the session.
    let out = app.send(reqwest::Method::POST, "/api/v1/auth/sign-out", Some(token), None).await;
    assert_eq!(out.0, 204);
    assert_problem(&app.get("/api/v1/me", Some(token)).await, 401, "unauthenticated");
}

#[tokio::test]
async fn outside_demo_mode_the_code_is_not_in_the_answer() {
    let app = spawn_app(false).await;
    let (status, sent) = app.post("/api/v1/auth/otp/request", json!({"phone": "0987654321"})).await;
    assert_eq!(status, 202);
    assert_eq!(sent["demo"], false);
    assert!(sent.get("demo_code").is_none(), "{sent}");
}

#[tokio::test]
async fn a_code_dies_after_five_wrong_tries_even_for_the_right_code() {
    let app = spawn_app(true).await;
    let (_, sent) = app.post("/api/v1/auth/otp/request", json!({"phone": "0987000002"})).await;
    let right = sent["demo_code"].as_str().unwrap_or_default().to_owned();
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for remaining in (1..=4).rev() {
        let got = app
            .post("/api/v1/auth/otp/verify", json!({"phone": "0987000002", "code": wrong}))
            .await;
        assert_problem(&got, 401, "otp-wrong");
        assert_eq!(got.1["attempts_remaining"], remaining);
    }
    let fifth =
        app.post("/api/v1/auth/otp/verify", json!({"phone": "0987000002", "code": wrong})).await;
    assert_problem(&fifth, 401, "otp-locked");
    let late =
        app.post("/api/v1/auth/otp/verify", json!({"phone": "0987000002", "code": right})).await;
    assert_problem(&late, 401, "otp-locked");
    assert_eq!(app.store.citizen_count().await.ok(), Some(3), "no citizen was created");
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let app = spawn_app(false).await;
    let phone = Phone::parse("0356111222").unwrap_or_else(|e| panic!("{e}"));
    // Plant a code that expired a second ago, hashed exactly as the server hashes codes.
    let hash = ketnoi_server::features::sign_in::otp::code_hash(&app.secret, &phone, "424242");
    let now = Timestamp::now();
    app.store
        .put_otp(&phone, &hash, now.plus_millis(-301_000), now.plus_millis(-1000))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got =
        app.post("/api/v1/auth/otp/verify", json!({"phone": "0356111222", "code": "424242"})).await;
    assert_problem(&got, 401, "otp-expired");
    // The same code, still fresh, would have worked: the refusal is about time.
    app.store
        .put_otp(&phone, &hash, now, now.plus_millis(60_000))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ok =
        app.post("/api/v1/auth/otp/verify", json!({"phone": "0356111222", "code": "424242"})).await;
    assert_eq!(ok.0, 200, "{}", ok.1);
}

#[tokio::test]
async fn code_requests_are_rate_limited_per_phone_with_retry_after() {
    let app = spawn_app(true).await;
    for _ in 0..3 {
        let (status, _) =
            app.post("/api/v1/auth/otp/request", json!({"phone": "0912345678"})).await;
        assert_eq!(status, 202);
    }
    let response = app
        .client
        .post(app.url("/api/v1/auth/otp/request"))
        .json(&json!({"phone": "091 234 5678"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another phone is not affected.
    let (status, _) = app.post("/api/v1/auth/otp/request", json!({"phone": "0912345679"})).await;
    assert_eq!(status, 202);
}

#[tokio::test]
async fn staff_sign_in_refuses_wrong_passwords_and_unknown_names_alike() {
    let app = spawn_app(true).await;
    let wrong = app
        .post(
            "/api/v1/auth/staff/sign-in",
            json!({"username": "quantri", "password": "not the password"}),
        )
        .await;
    assert_problem(&wrong, 401, "wrong-credentials");
    let unknown = app
        .post(
            "/api/v1/auth/staff/sign-in",
            json!({"username": "khong.ton.tai", "password": "whatever123"}),
        )
        .await;
    assert_eq!(unknown.1, wrong.1, "an unknown name answers exactly like a wrong password");
    let token = app.staff_token("quantri").await;
    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!((status, me["staff"]["platform_admin"].as_bool()), (200, Some(true)));
}

#[tokio::test]
async fn a_cookie_session_refuses_cross_site_changes_but_a_bearer_token_is_fine() {
    let app = spawn_app(true).await;
    let token = app.citizen_token("0912000001").await;
    let cookie = format!("ketnoi_session={token}");
    let forged = app
        .client
        .put(app.url("/api/v1/accounts/ca-tuyen-quang/follow"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await;
    let forged = crate::helpers::answer(forged).await;
    assert_problem(&forged, 403, "csrf-rejected");
    let same_site = app
        .client
        .put(app.url("/api/v1/accounts/ca-tuyen-quang/follow"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await;
    assert_eq!(crate::helpers::answer(same_site).await.0, 200);
    let (status, _) = app
        .send(reqwest::Method::DELETE, "/api/v1/accounts/ca-tuyen-quang/follow", Some(&token), None)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_sign_in_answer_sets_an_http_only_same_site_cookie() {
    let app = spawn_app(true).await;
    let (_, sent) = app.post("/api/v1/auth/otp/request", json!({"phone": "0912000001"})).await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/otp/verify"))
        .json(&json!({"phone": "0912000001", "code": sent["demo_code"]}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("ketnoi_session=ketnoi_s_"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

/// A stand-in SMS gateway on loopback: records what it is sent, answers with a chosen status.
async fn gateway(
    status: u16,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<(Option<String>, serde_json::Value)>>>) {
    use axum::{extract::State, http::HeaderMap, routing::post};
    type Seen = std::sync::Arc<std::sync::Mutex<Vec<(Option<String>, serde_json::Value)>>>;
    let seen: Seen = Default::default();
    let app = axum::Router::new()
        .route(
            "/send",
            post(
                move |State(seen): State<Seen>,
                      headers: HeaderMap,
                      body: axum::Json<serde_json::Value>| async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    seen.lock().unwrap_or_else(|p| p.into_inner()).push((auth, body.0));
                    axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK)
                },
            ),
        )
        .with_state(seen.clone());
    let listener =
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://{}/send", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::test]
async fn the_webhook_sender_posts_the_code_to_the_sms_gateway() {
    let (url, seen) = gateway(200).await;
    let app = spawn_app_with(false, |c| {
        c.otp = ketnoi_server::OtpDelivery::Webhook {
            url,
            bearer: Some(ketnoi_server::Secret::new("gateway-secret")),
        };
    })
    .await;
    let (status, _) = app.post("/api/v1/auth/otp/request", json!({"phone": "0912 345 678"})).await;
    assert_eq!(status, 202);
    let (auth, body) =
        seen.lock().unwrap_or_else(|p| p.into_inner()).first().cloned().unwrap_or_default();
    assert_eq!(auth.as_deref(), Some("Bearer gateway-secret"));
    assert_eq!(body["to"], "+84912345678");
    let code = body["code"].as_str().unwrap_or_default().to_owned();
    assert!(body["message"].as_str().is_some_and(|m| m.contains(&code)));
    // The code the gateway delivered signs the citizen in.
    let (status, _) =
        app.post("/api/v1/auth/otp/verify", json!({"phone": "0912345678", "code": code})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_failing_sms_gateway_is_a_503_not_a_500() {
    let (url, seen) = gateway(502).await;
    let app = spawn_app_with(false, |c| {
        c.otp = ketnoi_server::OtpDelivery::Webhook { url, bearer: None }
    })
    .await;
    let got = app.post("/api/v1/auth/otp/request", json!({"phone": "0912345678"})).await;
    assert_problem(&got, 503, "otp-send-failed");
    assert_eq!(seen.lock().map(|s| s.len()).unwrap_or_default(), 1);
}

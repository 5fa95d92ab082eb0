//! Two-factor sign-in for staff (issue 20): enrolment, sign-in with a code, replay and old codes
//! refused, recovery codes used once, throttling, the tip routes closed to officers without it,
//! an agency's "required for all staff", and an administrator's reset.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, on_both, totp_code, totp_step};

const OFFICER: &str = "cavixuyen.canbo";
const VIEWER: &str = "ubndvixuyen.xem";

async fn sign_in(app: &TestApp, username: &str, code: Option<&str>) -> (u16, Value) {
    let mut body = json!({"username": username, "password": app.staff_password(username)});
    if let Some(c) = code {
        body["code"] = json!(c);
    }
    app.post("/api/v1/auth/staff/sign-in", body).await
}

/// Enrols through the API and answers (token, secret, recovery codes, step used).
async fn enrol(app: &TestApp, username: &str) -> (String, String, Vec<String>, u64) {
    let (_, signed) = sign_in(app, username, None).await;
    let token = signed["token"].as_str().unwrap_or_default().to_owned();
    let started = app.send(Method::POST, "/api/v1/me/second-factor", Some(&token), None).await;
    assert_eq!(started.0, 201, "{}", started.1);
    let secret = started.1["secret"].as_str().unwrap_or_default().to_owned();
    let uri = started.1["otpauth_uri"].as_str().unwrap_or_default();
    assert_eq!(uri, format!("otpauth://totp/ketnoi:{username}?secret={secret}&issuer=ketnoi"));
    assert!(started.1["qr_svg"].as_str().is_some_and(|s| s.starts_with("<svg")));
    // A wrong first code confirms nothing.
    let wrong = app
        .send(
            Method::POST,
            "/api/v1/me/second-factor/confirm",
            Some(&token),
            Some(json!({"code": "000000"})),
        )
        .await;
    if totp_code(&secret, totp_step()) != "000000" {
        assert_problem(&wrong, 401, "second-factor-wrong");
    }
    let step = totp_step();
    let confirmed = app
        .send(
            Method::POST,
            "/api/v1/me/second-factor/confirm",
            Some(&token),
            Some(json!({"code": totp_code(&secret, step)})),
        )
        .await;
    assert_eq!(confirmed.0, 200, "{}", confirmed.1);
    let codes: Vec<String> = confirmed.1["recovery_codes"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert_eq!(codes.len(), 10);
    (token, secret, codes, step)
}

async fn an_officer_without_a_second_factor_is_refused_tips_until_enrolled_body(app: &TestApp) {
    let (_, signed) = sign_in(app, OFFICER, None).await;
    let token = signed["token"].as_str().unwrap_or_default().to_owned();
    for path in ["/api/v1/units/ca-vi-xuyen/tips", "/api/v1/units/ca-vi-xuyen/tip-keys"] {
        let refused = app.get(path, Some(&token)).await;
        assert_problem(&refused, 403, "second-factor-required");
        let detail = refused.1["detail"].as_str().or(refused.1["title"].as_str());
        assert!(detail.is_some_and(|d| d.contains("/console/bao-mat")), "{}", refused.1);
    }
    // The page says it in words, with the way to the security page.
    let page = app
        .client
        .get(app.url("/console/don-vi/ca-vi-xuyen/tin-bao"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status().as_u16(), 403);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("href=\"/console/bao-mat\"") && html.contains("xác thực hai lớp"));

    let (kept, _, _, _) = enrol(app, OFFICER).await;
    let (status, _) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, 401, "enrolling ended the member's other sessions");
    let token = kept;
    let (status, list) = app.get("/api/v1/units/ca-vi-xuyen/tips", Some(&token)).await;
    assert_eq!(status, 200, "{list}");
    let (status, keys) = app.get("/api/v1/units/ca-vi-xuyen/tip-keys", Some(&token)).await;
    assert_eq!(status, 200, "{keys}");
    let (_, me) = app.get("/api/v1/me/second-factor", Some(&token)).await;
    assert_eq!((me["enrolled"].as_bool(), me["required"].as_bool()), (Some(true), Some(true)));
    // Someone who must have it cannot turn it off.
    let off = app
        .send(
            Method::POST,
            "/api/v1/me/second-factor/disable",
            Some(&token),
            Some(json!({"code": "123456"})),
        )
        .await;
    assert_problem(&off, 403, "second-factor-still-required");
}

async fn a_code_signs_in_once_and_old_or_replayed_codes_are_refused_body(app: &TestApp) {
    let (_, secret, _, enrolled_step) = enrol(app, OFFICER).await;
    let needed = sign_in(app, OFFICER, None).await;
    assert_problem(&needed, 401, "second-factor-needed");
    assert!(needed.1.get("token").is_none());
    let now = totp_step();
    let old = totp_code(&secret, now - 2);
    if old != totp_code(&secret, now) && old != totp_code(&secret, now + 1) {
        assert_problem(&sign_in(app, OFFICER, Some(&old)).await, 401, "second-factor-wrong");
    }
    // The step after the one enrolment used (the server allows one step of skew).
    let step = (enrolled_step + 1).max(now);
    let code = totp_code(&secret, step);
    let (status, signed) = sign_in(app, OFFICER, Some(&code)).await;
    assert_eq!(status, 200, "{signed}");
    let replayed = sign_in(app, OFFICER, Some(&code)).await;
    assert_problem(&replayed, 401, "second-factor-wrong");
    assert_eq!(replayed.1["replayed"], json!(true));
    let detail = replayed.1["detail"].as_str().or(replayed.1["title"].as_str()).unwrap_or("");
    assert!(detail.contains("đã được dùng"), "{detail}");
}

async fn a_recovery_code_works_once_and_a_wrong_one_changes_nothing_body(app: &TestApp) {
    let (token, _, codes, _) = enrol(app, OFFICER).await;
    let wrong = sign_in(app, OFFICER, Some("aaaa-bbbb-cccc-dddd")).await;
    assert_problem(&wrong, 401, "second-factor-wrong");
    let (_, me) = app.get("/api/v1/me/second-factor", Some(&token)).await;
    assert_eq!(me["recovery_codes_left"], json!(10), "nothing changed");
    let (status, signed) = sign_in(app, OFFICER, Some(&codes[3].to_uppercase())).await;
    assert_eq!(status, 200, "{signed}");
    let again = sign_in(app, OFFICER, Some(&codes[3])).await;
    assert_problem(&again, 401, "second-factor-wrong");
    let (_, me) = app.get("/api/v1/me/second-factor", Some(&token)).await;
    assert_eq!(me["recovery_codes_left"], json!(9));
}

on_both!(
    an_officer_without_a_second_factor_is_refused_tips_until_enrolled =>
        an_officer_without_a_second_factor_is_refused_tips_until_enrolled_body,
    a_code_signs_in_once_and_old_or_replayed_codes_are_refused =>
        a_code_signs_in_once_and_old_or_replayed_codes_are_refused_body,
    a_recovery_code_works_once_and_a_wrong_one_changes_nothing =>
        a_recovery_code_works_once_and_a_wrong_one_changes_nothing_body,
);

#[tokio::test]
async fn wrong_codes_are_throttled_per_member() {
    let app = crate::helpers::spawn_app(true).await;
    let (token, secret, _, _) = enrol(&app, OFFICER).await;
    let body = json!({"code": "999999"});
    let right_now = totp_code(&secret, totp_step());
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let (status, _) = app
            .send(
                Method::POST,
                "/api/v1/me/second-factor/recovery-codes",
                Some(&token),
                Some(body.clone()),
            )
            .await;
        statuses.push(status);
    }
    if right_now != "999999" {
        assert!(statuses[..10].iter().all(|s| *s == 401), "{statuses:?}");
    }
    let limited = app
        .client
        .post(app.url("/api/v1/me/second-factor/recovery-codes"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(limited.status().as_u16(), 429);
    assert!(limited.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn an_agency_requiring_it_of_all_staff_blocks_a_viewer_until_they_enrol() {
    let app = crate::helpers::spawn_app(true).await;
    let viewer = app.staff_token(VIEWER).await;
    let (status, _) = app.get("/api/v1/me/console", Some(&viewer)).await;
    assert_eq!(status, 200, "not required by default");
    // A viewer may not change the setting.
    let put = app
        .send(
            Method::PUT,
            "/api/v1/agencies/ubnd-vi-xuyen/security",
            Some(&viewer),
            Some(json!({"second_factor_required": true})),
        )
        .await;
    assert_problem(&put, 403, "forbidden");
    let admin = app.staff_token("quantri").await;
    let put = app
        .send(
            Method::PUT,
            "/api/v1/agencies/ubnd-vi-xuyen/security",
            Some(&admin),
            Some(json!({"second_factor_required": true})),
        )
        .await;
    assert_eq!(put.0, 200, "{}", put.1);
    let (_, got) = app.get("/api/v1/agencies/ubnd-vi-xuyen/security", Some(&admin)).await;
    assert_eq!(got["second_factor_required"], json!(true));

    assert_problem(
        &app.get("/api/v1/me/console", Some(&viewer)).await,
        403,
        "second-factor-required",
    );
    let console = app
        .client
        .get(app.url("/console"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(console.status().as_u16(), 303);
    let to = console.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(to.starts_with("/console/bao-mat"), "{to}");
    let security = app
        .client
        .get(app.url(to))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(security.status().as_u16(), 200);
    assert_eq!(
        security.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let html = security.text().await.unwrap_or_default();
    assert!(html.contains("second-factor-required"), "the page says why");

    app.enrol_2fa(VIEWER, &viewer).await;
    let (status, _) = app.get("/api/v1/me/console", Some(&viewer)).await;
    assert_eq!(status, 200, "passes at once after enrolling");
}

#[tokio::test]
async fn an_administrator_resets_a_members_second_factor_and_ends_their_sessions() {
    let app = crate::helpers::spawn_app(true).await;
    let officer = app.staff_token_2fa(OFFICER).await;
    let viewer = app.staff_token(VIEWER).await;
    let refused = app
        .send(Method::DELETE, "/api/v1/staff/cavixuyen.canbo/second-factor", Some(&viewer), None)
        .await;
    assert_problem(&refused, 403, "forbidden");
    let (status, _) = app.get("/api/v1/me", Some(&officer)).await;
    assert_eq!(status, 200, "the refusal changed nothing");
    // The provincial police administrator manages the commune police's staff.
    let admin = app.staff_token_2fa("catinh.admin").await;
    let (status, body) = app
        .send(Method::DELETE, "/api/v1/staff/cavixuyen.canbo/second-factor", Some(&admin), None)
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = app.get("/api/v1/me", Some(&officer)).await;
    assert_eq!(status, 401, "the member's sessions ended");
    let (status, signed) = sign_in(&app, OFFICER, None).await;
    assert_eq!(status, 200, "a password alone signs in again: {signed}");
    let unknown = app
        .send(Method::DELETE, "/api/v1/staff/nobody.here/second-factor", Some(&admin), None)
        .await;
    assert_problem(&unknown, 404, "not-found");
}

//! The audit log through the server (issue 20): who may read a unit's log, what a sign-in,
//! a failed sign-in and an export leave in it, request ids that match the response header, and
//! nothing typed at a failed sign-in kept.

use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, on_both};

const PROVINCE: &str = "ca-tuyen-quang";
const COMMUNE: &str = "ca-vi-xuyen";
const PASSWORD: &str = "mat-khau-kiem-toan-1";

async fn sign_in(
    app: &TestApp,
    username: &str,
    password: &str,
    id: &str,
) -> (u16, Value, HeaderMap) {
    let response = app
        .client
        .post(app.url("/api/v1/auth/staff/sign-in"))
        .header("x-request-id", id)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, headers)
}

/// A staff member holding `role` on `agency`, signed in; their token.
async fn member(app: &TestApp, username: &str, agency: &str, role: ketnoi_core::Role) -> String {
    ketnoi::admin::create_staff(
        app.store.as_ref(),
        username,
        "Kiểm toán viên",
        PASSWORD,
        false,
        &[(agency.to_owned(), role)],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (status, body, _) = sign_in(app, username, PASSWORD, &format!("req-{username}")).await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap_or_default().to_owned()
}

fn entries(log: &Value) -> Vec<Value> {
    log["entries"].as_array().cloned().unwrap_or_default()
}

on_both!(
    a_units_log_is_for_its_administrators_and_auditors_and_names_no_typed_username => readers_and_entries,
);

async fn readers_and_entries(app: &TestApp) {
    // A sign-in with a request id of the client's own, which comes back in the header.
    let password = app.staff_password("catinh.admin");
    let (status, body, headers) =
        sign_in(app, "catinh.admin", &password, "client-chosen-id-0001").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("client-chosen-id-0001")
    );
    let admin = body["token"].as_str().unwrap_or_default().to_owned();
    // Two failed sign-ins: a known name with a wrong password, and a name that is nobody's.
    let (status, _, _) =
        sign_in(app, "catinh.admin", "sai-mat-khau-day", "failed-known-0001").await;
    assert_eq!(status, 401);
    let (status, _, headers) =
        sign_in(app, "nguoi.la.go.nham", "sai-mat-khau-day", "bad id with spaces").await;
    assert_eq!(status, 401);
    let minted = headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(minted.len(), 32, "an unsound incoming id is replaced by a fresh one");

    let (status, log) = app.get(&format!("/api/v1/agencies/{PROVINCE}/audit"), Some(&admin)).await;
    assert_eq!(status, 200, "{log}");
    let all = entries(&log);
    let signed =
        all.iter().find(|e| e["action"] == "sign-in" && e["request_id"] == "client-chosen-id-0001");
    let signed = signed.unwrap_or_else(|| panic!("no sign-in entry: {log}"));
    assert!(signed["actor"].as_str().is_some_and(|a| a.starts_with("staff:")), "{signed}");
    assert_eq!(signed["object"], signed["actor"]);
    let failed = all
        .iter()
        .find(|e| e["action"] == "sign-in-failed" && e["request_id"] == "failed-known-0001")
        .unwrap_or_else(|| panic!("no failed sign-in entry: {log}"));
    assert_eq!(failed["actor"], "unknown");
    assert_eq!(failed["object"], signed["object"]);
    // The unknown name is recorded without it, and with no agency (so not in this unit's log).
    let head = app.store.audit_after(0, 10_000).await.unwrap_or_default();
    assert!(head.iter().any(|e| e.action == "sign-in-failed" && e.object == "staff:unknown"));
    let everything = serde_json::to_string(&head).unwrap_or_default();
    for secret in ["nguoi.la.go.nham", "catinh.admin", "sai-mat-khau-day", &password] {
        assert!(!everything.contains(secret), "{secret} reached the audit log");
    }

    // An auditor of the province reads the province and the commune below it; an auditor of
    // another agency, an officer and a viewer are refused.
    let auditor = member(app, "kiemtoan.tinh", PROVINCE, ketnoi_core::Role::Auditor).await;
    let (status, log) =
        app.get(&format!("/api/v1/agencies/{PROVINCE}/audit"), Some(&auditor)).await;
    assert_eq!(status, 200, "{log}");
    let (status, _) = app.get(&format!("/api/v1/agencies/{COMMUNE}/audit"), Some(&auditor)).await;
    assert_eq!(status, 200);
    // An auditor reads nothing else: not the tips, not the conversations.
    let (status, _) = app.get(&format!("/api/v1/units/{COMMUNE}/tips"), Some(&auditor)).await;
    assert_eq!(status, 403);
    let stranger = member(app, "kiemtoan.ubnd", "ubnd-vi-xuyen", ketnoi_core::Role::Auditor).await;
    let got = app.get(&format!("/api/v1/agencies/{PROVINCE}/audit"), Some(&stranger)).await;
    assert_problem(&got, 403, "forbidden");
    let officer = app.staff_token("cavixuyen.canbo").await;
    let got = app.get(&format!("/api/v1/agencies/{COMMUNE}/audit"), Some(&officer)).await;
    assert_problem(&got, 403, "forbidden");
    let viewer = app.staff_token("ubndvixuyen.xem").await;
    let got = app.get("/api/v1/agencies/ubnd-vi-xuyen/audit", Some(&viewer)).await;
    assert_problem(&got, 403, "forbidden");
    let got = app.get(&format!("/api/v1/agencies/{PROVINCE}/audit"), None).await;
    assert_eq!(got.0, 401);
    let got = app.get("/api/v1/agencies/khong-co-dau/audit", Some(&admin)).await;
    assert_eq!(got.0, 404);
    let got =
        app.get(&format!("/api/v1/agencies/{PROVINCE}/audit?action=tip-read"), Some(&admin)).await;
    assert_problem(&got, 422, "audit-bad-action");
    let got = app.get(&format!("/api/v1/agencies/{PROVINCE}/audit?limit=0"), Some(&admin)).await;
    assert_problem(&got, 422, "audit-bad-limit");

    // Filters and paging.
    let (_, one) = app
        .get(&format!("/api/v1/agencies/{PROVINCE}/audit?action=sign-in&limit=1"), Some(&admin))
        .await;
    let page = entries(&one);
    assert_eq!(page.len(), 1, "{one}");
    assert_eq!(page[0]["action"], "sign-in");
    let next = one["next"].as_i64().unwrap_or_else(|| panic!("no next page: {one}"));
    let (_, two) = app
        .get(
            &format!("/api/v1/agencies/{PROVINCE}/audit?action=sign-in&limit=1&before={next}"),
            Some(&admin),
        )
        .await;
    assert!(entries(&two).iter().all(|e| e["seq"].as_i64() < Some(next)), "{two}");

    // The page, for the auditor, and its export, which is recorded itself.
    let page = app
        .client
        .get(app.url(&format!("/console/don-vi/{PROVINCE}/nhat-ky")))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("Nhật ký kiểm toán") && html.contains("client-chosen-id-0001"), "{html}");
    let export = app
        .client
        .get(app.url(&format!("/console/don-vi/{PROVINCE}/nhat-ky/xuat?format=csv")))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(export.status().as_u16(), 200);
    let disposition = export.headers().get("content-disposition").and_then(|v| v.to_str().ok());
    assert!(disposition.is_some_and(|d| d.starts_with("attachment")), "{disposition:?}");
    let csv = export.text().await.unwrap_or_default();
    assert!(csv.starts_with("seq,at,time,actor,action"), "{csv}");
    assert!(csv.contains("client-chosen-id-0001"), "{csv}");
    let (_, exported) = app
        .get(&format!("/api/v1/agencies/{PROVINCE}/audit?action=audit-exported"), Some(&admin))
        .await;
    assert_eq!(entries(&exported).len(), 1, "{exported}");
    let refused = app
        .client
        .get(app.url(&format!("/console/don-vi/{PROVINCE}/nhat-ky")))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status().as_u16(), 403);

    // And the whole chain verifies.
    let verified = ketnoi_store::verify_log(app.store.as_ref(), &[]).await;
    assert!(verified.is_ok(), "{verified:?}");
}

#[tokio::test]
async fn the_server_anchors_the_log_at_start_and_the_anchor_verifies() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("anchors").join("audit-anchors.txt");
    let file = path.clone();
    let app = crate::helpers::spawn_app_with(true, move |c| c.audit_anchors = Some(file)).await;
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&path).unwrap_or_default();
        if !text.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let anchors = ketnoi_store::Anchor::parse_file(&text)
        .unwrap_or_else(|line| panic!("line {line}: {text}"));
    assert_eq!(anchors.len(), 1, "{text}");
    let verified = ketnoi_store::verify_log(app.store.as_ref(), &anchors).await;
    assert_eq!(verified.map(|s| s.anchors).ok(), Some(1));
}

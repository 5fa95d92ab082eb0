//! A tip's case in a real headless Chromium (issue 20): a reporter sends a tip and sees it
//! received with its deadline; the commune's officer assigns it, moves it along, writes a note
//! and transfers it to the province's unit, the report key re-wrapped in the officer's browser;
//! the province opens it and the note with its own key, the commune no longer can; the reporter
//! sees the move by receipt code.

use ketnoi::demo::{DEMO_TIP_PASSPHRASE, seed_tips};
use ketnoi_seal::{Envelope, KeyPair};
use serde_json::Value;

use crate::{
    browser::{Browser, Options, WAIT, launch_two, sign_in_staff},
    helpers::{TestApp, spawn_app},
};

const FORM: &str = "/a/ca-vi-xuyen/tin-bao";

/// A unit's keys, opened in Rust as `username`'s browser opens them.
async fn keys_of(app: &TestApp, username: &str, unit: &str) -> Vec<KeyPair> {
    let token = app.staff_token(username).await;
    crate::tips::unit_keys_at(app, &token, &format!("/api/v1/units/{unit}")).await
}

/// Chooses `value` in a select and submits its form, then waits for the tip page to show
/// `shown` in `css`.
async fn choose_and_submit(
    b: &Browser,
    select: &str,
    value: &str,
    form: &str,
    shown: (&str, &str),
) {
    let script =
        "var s = document.querySelector(arguments[0]); s.value = arguments[1]; return s.value;";
    let set = b.run_js(script, vec![select.into(), value.into()]).await;
    assert_eq!(set, Value::from(value), "{select} offers {value}");
    b.submit(form).await;
    b.wait_for_text(shown.0, shown.1, WAIT).await;
}

async fn unlock(b: &Browser) {
    b.wait_for("form[data-tip-unlock]", WAIT).await;
    b.fill("#passphrase", DEMO_TIP_PASSPHRASE).await;
    b.click("form[data-tip-unlock] button[type=submit]").await;
    b.wait_for("[data-tip-opened]:not([hidden])", WAIT * 3).await;
}

#[tokio::test]
async fn a_reporter_follows_a_case_an_officer_moves_and_transfers_in_the_browser() {
    let app = spawn_app(true).await;
    seed_tips(app.store.as_ref()).await.unwrap_or_else(|e| panic!("{e:#}"));
    // The officer enrols in two-factor sign-in first: reading tips needs it.
    app.staff_token_2fa("cavixuyen.canbo").await;
    let Some((reporter, officer)) =
        launch_two(&app.base, Options::default(), Options::default()).await
    else {
        return;
    };
    reporter.goto(&format!("/lang/vi?next={FORM}")).await;
    reporter.wait_for("[data-tip-sealing=browser]:not([hidden])", WAIT).await;
    reporter.fill("#description", "Có người tàng trữ pháo nổ trong nhà kho cạnh trường học.").await;
    reporter.click("form[data-tip-form] button[type=submit]").await;
    let code = reporter.wait_for_text("[data-tip-done] [data-tip-code]", "-", WAIT * 3).await;

    // Received, with the deadline 20 days on.
    reporter.goto("/tin-bao/theo-doi").await;
    reporter.wait_for("form[data-tip-receipt]", WAIT).await;
    reporter.fill("#code", &code).await;
    reporter.click("form[data-tip-receipt] button[type=submit]").await;
    let status = reporter.wait_for_text("[data-tip-status-text]", "Đã tiếp nhận", WAIT * 3).await;
    assert!(status.contains("Đã tiếp nhận"), "{status}");
    let deadline = reporter.text_of("[data-tip-deadline]").await;
    let due = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7))
        + time::Duration::days(20);
    let date = format!("{:02}/{:02}/{}", due.day(), u8::from(due.month()), due.year());
    assert!(
        deadline.contains("Thời hạn giải quyết") && deadline.contains(&date),
        "{deadline} ({date})"
    );
    reporter.assert_accessible("a followed tip").await;

    // The commune's officer takes it on.
    sign_in_staff(&officer, &app, "cavixuyen.canbo").await;
    let token = app.staff_token("cavixuyen.canbo").await;
    let (_, list) = app.get("/api/v1/units/ca-vi-xuyen/tips", Some(&token)).await;
    let id = list["tips"][0]["id"].as_i64().unwrap_or_else(|| panic!("{list}"));
    let tip_path = format!("/console/don-vi/ca-vi-xuyen/tin-bao/{id}");
    officer.goto(&tip_path).await;
    officer.wait_for("[data-tip-case]", WAIT).await;
    officer.assert_accessible("a tip's case").await;
    let (me, _) = app
        .store
        .staff_by_username(&"cavixuyen.canbo".parse().unwrap_or_else(|e| panic!("{e}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the demo officer"));
    let assign = me.id.0.to_string();
    let assigned = ("[data-tip-assignee]", "Nguyễn Thị Lan");
    choose_and_submit(&officer, "#case-assignee", &assign, "form[data-tip-assign-form]", assigned)
        .await;
    let verifying = ("[data-tip-status-text]", "Đang kiểm tra");
    choose_and_submit(
        &officer,
        "#case-status",
        "verifying",
        "form[data-tip-status-form]",
        verifying,
    )
    .await;
    let handling = ("[data-tip-status-text]", "Đang xử lý");
    choose_and_submit(&officer, "#case-status", "handling", "form[data-tip-status-form]", handling)
        .await;
    let history = officer.text_of("[data-tip-case] [data-tip-history]").await;
    assert!(
        history.contains("Giao cho Nguyễn Thị Lan") && history.contains("Đang xử lý"),
        "{history}"
    );

    // Opened with the key passphrase: a note, sealed here, then the transfer.
    unlock(&officer).await;
    officer.fill("#note", "Kho nằm sau trường, cần phối hợp với công an tỉnh.").await;
    officer.click("form[data-tip-note] button[type=submit]").await;
    officer.wait_for_text("[data-tip-notes]", "phối hợp", WAIT * 3).await;
    officer.fill("#transfer-to", "ca-tuyen-quang").await;
    officer.click("form[data-tip-transfer] button[type=submit]").await;
    officer.wait_for_path("/console/don-vi/ca-vi-xuyen/tin-bao", WAIT * 3).await;

    // The province opens the tip and the note with its own key; the commune no longer can.
    let province = app.staff_token_2fa("catinh.admin").await;
    let (status, detail) =
        app.get(&format!("/api/v1/units/ca-tuyen-quang/tips/{id}"), Some(&province)).await;
    assert_eq!(status, 200, "{detail}");
    let envelope: Envelope =
        serde_json::from_value(detail["envelope"].clone()).unwrap_or_else(|e| panic!("{e}"));
    let keys = keys_of(&app, "catinh.admin", "ca-tuyen-quang").await;
    let (body, report_key) = keys
        .iter()
        .find_map(|k| ketnoi_seal::open_report(&envelope, k).ok())
        .unwrap_or_else(|| panic!("the province's key opens the transferred tip"));
    assert!(body.description.contains("pháo nổ"), "{}", body.description);
    let (_, case) =
        app.get(&format!("/api/v1/units/ca-tuyen-quang/tips/{id}/case"), Some(&province)).await;
    let note: ketnoi_seal::Sealed = serde_json::from_value(case["notes"][0]["sealed"].clone())
        .unwrap_or_else(|e| panic!("{e}: {case}"));
    let text = ketnoi_seal::open_note(&report_key, &note).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains("phối hợp"), "{text}");
    let (status, _) = app.get(&format!("/api/v1/units/ca-vi-xuyen/tips/{id}"), Some(&token)).await;
    assert_eq!(status, 404, "the commune let go of it");
    let commune: Vec<String> =
        keys_of(&app, "cavixuyen.canbo", "ca-vi-xuyen").await.iter().map(KeyPair::kid).collect();
    assert!(
        envelope.recipients.iter().all(|w| !commune.contains(&w.kid)),
        "no wrap for the commune is left"
    );

    // The reporter sees where it went, not who moved it.
    reporter.goto("/tin-bao/theo-doi").await;
    reporter.wait_for("form[data-tip-receipt]", WAIT).await;
    reporter.fill("#code", &code).await;
    reporter.click("form[data-tip-receipt] button[type=submit]").await;
    reporter.wait_for_text("[data-tip-history]", "Công an tỉnh Tuyên Quang", WAIT * 3).await;
    let status = reporter.text_of("[data-tip-status-text]").await;
    assert!(status.contains("Đang xử lý"), "{status}");
    let seen = reporter.text_of("[data-tip-status]").await;
    assert!(!seen.contains("Nguyễn Thị Lan") && !seen.contains("phối hợp"), "{seen}");

    // The unit's audit log shows each step, and the whole chain verifies.
    let auditor = app.staff_token("catinh.admin").await;
    // The platform's own check, as `ketnoi audit verify` runs it.
    let (status, log) =
        app.get("/api/v1/agencies/ca-vi-xuyen/audit?limit=200", Some(&auditor)).await;
    assert_eq!(status, 200, "{log}");
    let object = format!("tip:{id}");
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{log}"))
        .iter()
        .filter(|e| e["object"] == object.as_str())
        .filter_map(|e| e["action"].as_str())
        .collect();
    for wanted in
        ["tip-opened", "tip-assigned", "tip-status-changed", "tip-note-written", "tip-transferred"]
    {
        assert!(actions.contains(&wanted), "{wanted} missing from {actions:?}");
    }
    let signed_in =
        log["entries"].as_array().into_iter().flatten().any(|e| e["action"] == "sign-in");
    assert!(signed_in, "the officer's sign-in is in the unit's log");
    assert!(!log.to_string().contains("pháo nổ") && !log.to_string().contains("phối hợp"));
    let summary = ketnoi_store::verify_log(app.store.as_ref(), &[])
        .await
        .unwrap_or_else(|e| panic!("the audit chain verifies: {e}"));
    assert!(summary.entries > 5, "{summary:?}");
}

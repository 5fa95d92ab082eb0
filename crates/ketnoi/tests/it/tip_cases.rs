//! Tips as cases (issue 20), through the API as officers' browsers and reporters use it: the
//! workflow and its refusals, the officer in charge, deadlines with extensions a second officer
//! approves, sealed notes, transfers re-wrapped by the sending unit's key holder, and what the
//! reporter sees by receipt code.

use ketnoi_seal::{Envelope, KeyPair};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app_with};
use crate::tips::{
    AREA, OFFICER, OrPanic, Tip, other_unit_officer, recipients, submit, unit_keys_at,
};

const UNIT: &str = "/api/v1/units/ca-vi-xuyen";
const PROVINCE: &str = "/api/v1/units/ca-tuyen-quang";
const DAY_MS: i64 = 24 * 3600 * 1000;

/// A demo server whose two units (the commune's and the province's) hold keys, with the
/// periods given.
async fn app_with(deadlines: ketnoi_core::TipDeadlines) -> TestApp {
    let app = spawn_app_with(true, |config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().or_panic("proxy network")];
        config.tip_deadlines = deadlines;
    })
    .await;
    ketnoi::demo::seed_tips(app.store.as_ref()).await.or_panic("seed tips");
    app
}

/// A second officer of the commune's unit, signed in.
async fn second_officer(app: &TestApp) -> (i64, String) {
    let (username, password) = ("cavixuyen.phoban", "mat-khau-thu-nghiem-2026");
    let member = ketnoi::admin::create_staff(
        app.store.as_ref(),
        username,
        "Hoàng Thị Phó",
        password,
        false,
        &[("ca-vi-xuyen".to_owned(), ketnoi_core::Role::Officer)],
    )
    .await
    .or_panic("create staff");
    let (status, signed) = app
        .post("/api/v1/auth/staff/sign-in", json!({"username": username, "password": password}))
        .await;
    assert_eq!(status, 200, "{signed}");
    let token = signed["token"].as_str().or_panic("token").to_owned();
    // Reading the unit's tips needs two-factor sign-in.
    app.enrol_2fa(username, &token).await;
    (member.id.0, token)
}

/// Sends a tip to the commune's unit; its id, as the unit's list shows it.
async fn send_tip(app: &TestApp, officer: &str, tip: &Tip) -> i64 {
    let keys = recipients(app, AREA).await;
    let (status, sent) = submit(app, tip, &keys).await;
    assert_eq!(status, 201, "{sent}");
    let (_, list) = app.get(&format!("{UNIT}/tips"), Some(officer)).await;
    list["tips"][0]["id"].as_i64().or_panic("tip id")
}

/// The report key of tip `id`, opened with the unit's keys.
async fn report_key(
    app: &TestApp,
    token: &str,
    unit: &str,
    id: i64,
) -> Result<ketnoi_seal::ReportKey, String> {
    let (status, detail) = app.get(&format!("{unit}/tips/{id}"), Some(token)).await;
    if status != 200 {
        return Err(format!("{status} {detail}"));
    }
    let envelope: Envelope =
        serde_json::from_value(detail["envelope"].clone()).or_panic("envelope");
    for key in unit_keys_at(app, token, unit).await {
        if let Ok((_, report)) = ketnoi_seal::open_report(&envelope, &key) {
            return Ok(report);
        }
    }
    Err("no key of the unit opens it".into())
}

async fn case(app: &TestApp, token: &str, unit: &str, id: i64) -> Value {
    let (status, case) = app.get(&format!("{unit}/tips/{id}/case"), Some(token)).await;
    assert_eq!(status, 200, "{case}");
    case
}

async fn receipt(app: &TestApp, tip: &Tip) -> Value {
    let (status, seen) = app.post("/api/v1/tips/receipt", tip.proof()).await;
    assert_eq!(status, 200, "{seen}");
    seen
}

fn millis(rfc3339: &Value) -> i64 {
    ketnoi_core::Timestamp::parse_moment(rfc3339.as_str().or_panic("a time"))
        .or_panic("an RFC 3339 time")
        .millis()
}

#[tokio::test]
async fn a_case_moves_one_step_at_a_time_and_the_reporter_sees_each_step_but_no_officer() {
    let app = app_with(ketnoi_core::TipDeadlines::default()).await;
    let officer = app.staff_token_2fa(OFFICER).await;
    let tip = Tip::new("Có người lạ hay đột nhập kho hợp tác xã vào ban đêm.");
    let id = send_tip(&app, &officer, &tip).await;
    let status_of = format!("{UNIT}/tips/{id}/status");

    // Received, with the statutory period from receipt.
    let seen = receipt(&app, &tip).await;
    assert_eq!(seen["status"], "received", "{seen}");
    let received = millis(&seen["sent_at"]);
    assert_eq!(millis(&seen["deadline_at"]) - received, 20 * DAY_MS, "{seen}");
    let c = case(&app, &officer, UNIT, id).await;
    assert_eq!(c["next"], json!(["verifying"]), "{c}");

    // Skipping the workflow, a closing reason out of place, a word that is no status: refused,
    // nothing changed.
    let skip = app
        .send(Method::POST, &status_of, Some(&officer), Some(json!({"status": "handling"})))
        .await;
    assert_problem(&skip, 409, "tip-status-skips");
    let close = app
        .send(
            Method::POST,
            &status_of,
            Some(&officer),
            Some(json!({"status": "closed", "closing": "duplicate"})),
        )
        .await;
    assert_problem(&close, 409, "tip-status-skips");
    let odd = app
        .send(Method::POST, &status_of, Some(&officer), Some(json!({"status": "handled"})))
        .await;
    assert_eq!(odd.0, 422, "{}", odd.1);
    let early = app
        .send(
            Method::POST,
            &status_of,
            Some(&officer),
            Some(json!({"status": "verifying", "closing": "duplicate"})),
        )
        .await;
    assert_problem(&early, 422, "tip-closing-only-to-close");
    assert_eq!(receipt(&app, &tip).await["status"], "received");

    // One step, then a page that still shows "received" is told someone moved it.
    let step = app
        .send(
            Method::POST,
            &status_of,
            Some(&officer),
            Some(json!({"status": "verifying", "from": "received"})),
        )
        .await;
    assert_eq!(step.0, 204, "{}", step.1);
    let stale = app
        .send(
            Method::POST,
            &status_of,
            Some(&officer),
            Some(json!({"status": "handling", "from": "received"})),
        )
        .await;
    assert_problem(&stale, 409, "tip-status-stale");
    let no_reason =
        app.send(Method::POST, &status_of, Some(&officer), Some(json!({"status": "closed"}))).await;
    assert_problem(&no_reason, 422, "tip-closing-needed");
    let handle = app
        .send(Method::POST, &status_of, Some(&officer), Some(json!({"status": "handling"})))
        .await;
    assert_eq!(handle.0, 204, "{}", handle.1);
    let done = app
        .send(
            Method::POST,
            &status_of,
            Some(&officer),
            Some(json!({"status": "closed", "closing": "acted-on"})),
        )
        .await;
    assert_eq!(done.0, 204, "{}", done.1);
    let after = app
        .send(Method::POST, &status_of, Some(&officer), Some(json!({"status": "handling"})))
        .await;
    assert_problem(&after, 409, "tip-status-skips");

    // The reporter sees every step and the reason, never who did it.
    let seen = receipt(&app, &tip).await;
    assert_eq!(
        (&seen["status"], &seen["closing"]),
        (&json!("closed"), &json!("acted-on")),
        "{seen}"
    );
    let steps: Vec<&str> = seen["history"]
        .as_array()
        .or_panic("history")
        .iter()
        .map(|e| e["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(steps, vec!["verifying", "handling", "closed"], "{seen}");
    let text = seen.to_string();
    let name = "Nguyễn Thị Lan";
    assert!(!text.contains(name) && !text.contains("officer") && !text.contains("staff"), "{text}");

    // The officers' history names who did each step.
    let c = case(&app, &officer, UNIT, id).await;
    let events = c["events"].as_array().or_panic("events");
    assert_eq!(events.len(), 3, "{c}");
    assert!(events.iter().all(|e| e["officer"] == name), "{c}");
    assert_eq!(c["next"], json!([]), "{c}");
}

#[tokio::test]
async fn an_extension_needs_a_second_officer_and_stays_within_the_configured_periods() {
    let periods = ketnoi_core::TipDeadlines { answer_days: 20, extension_days: vec![60, 30] };
    let app = app_with(periods).await;
    let officer = app.staff_token_2fa(OFFICER).await;
    let (second_id, second) = second_officer(&app).await;
    let tip = Tip::new("Một nhóm thanh niên tụ tập đánh bạc ở bãi đất trống.");
    let id = send_tip(&app, &officer, &tip).await;
    let base = format!("{UNIT}/tips/{id}");
    let first = millis(&receipt(&app, &tip).await["deadline_at"]);

    // Put in charge: an officer of the unit, never a viewer or someone of another unit.
    let assign = |who: Value| json!({ "staff": who });
    let got = app
        .send(
            Method::PUT,
            &format!("{base}/assignee"),
            Some(&officer),
            Some(assign(json!(second_id))),
        )
        .await;
    assert_eq!(got.0, 204, "{}", got.1);
    let (viewer, _) = app
        .store
        .staff_by_username(&"ubndvixuyen.xem".parse().or_panic("name"))
        .await
        .or_panic("viewer")
        .or_panic("viewer exists");
    let got = app
        .send(
            Method::PUT,
            &format!("{base}/assignee"),
            Some(&officer),
            Some(assign(json!(viewer.id.0))),
        )
        .await;
    assert_problem(&got, 422, "tip-assignee-not-handler");
    assert_eq!(case(&app, &officer, UNIT, id).await["assignee"], second_id);
    let (_, mine) = app.get(&format!("{UNIT}/tips?status=mine"), Some(&second)).await;
    assert_eq!(mine["tips"][0]["id"], id, "{mine}");

    // Too long, then asked; the one who asked cannot approve it.
    let ask = |days: i64| json!({"reason": "complex", "days": days});
    let long =
        app.send(Method::POST, &format!("{base}/extensions"), Some(&officer), Some(ask(61))).await;
    assert_problem(&long, 422, "tip-extension-too-long");
    let bad = app
        .send(
            Method::POST,
            &format!("{base}/extensions"),
            Some(&officer),
            Some(json!({"reason": "tired", "days": 5})),
        )
        .await;
    assert_eq!(bad.0, 422, "{}", bad.1);
    let (status, asked) =
        app.send(Method::POST, &format!("{base}/extensions"), Some(&officer), Some(ask(45))).await;
    assert_eq!(status, 201, "{asked}");
    let ext = asked["id"].as_i64().or_panic("extension id");
    let twice =
        app.send(Method::POST, &format!("{base}/extensions"), Some(&second), Some(ask(10))).await;
    assert_problem(&twice, 409, "tip-extension-pending");
    let decide = format!("{base}/extensions/{ext}/decision");
    let own = app.send(Method::POST, &decide, Some(&officer), Some(json!({"approve": true}))).await;
    assert_problem(&own, 403, "tip-extension-own");
    assert_eq!(millis(&receipt(&app, &tip).await["deadline_at"]), first, "nothing moved");

    let (status, decided) =
        app.send(Method::POST, &decide, Some(&second), Some(json!({"approve": true}))).await;
    assert_eq!(status, 200, "{decided}");
    let seen = receipt(&app, &tip).await;
    assert_eq!(millis(&seen["deadline_at"]), first + 45 * DAY_MS, "{seen}");
    assert!(
        seen["history"]
            .as_array()
            .or_panic("history")
            .iter()
            .any(|e| e["kind"] == "extension-approved"),
        "{seen}"
    );
    let again =
        app.send(Method::POST, &decide, Some(&second), Some(json!({"approve": false}))).await;
    assert_problem(&again, 404, "not-found");

    // The second extension is at most 30 days; then none is left.
    let long =
        app.send(Method::POST, &format!("{base}/extensions"), Some(&second), Some(ask(31))).await;
    assert_problem(&long, 422, "tip-extension-too-long");
    let (_, asked) =
        app.send(Method::POST, &format!("{base}/extensions"), Some(&second), Some(ask(30))).await;
    let ext = asked["id"].as_i64().or_panic("extension id");
    let decided = app
        .send(
            Method::POST,
            &format!("{base}/extensions/{ext}/decision"),
            Some(&officer),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(decided.0, 200, "{}", decided.1);
    let none =
        app.send(Method::POST, &format!("{base}/extensions"), Some(&officer), Some(ask(1))).await;
    assert_problem(&none, 409, "tip-extension-none-left");
    assert_eq!(millis(&receipt(&app, &tip).await["deadline_at"]), first + 75 * DAY_MS);
    assert_eq!(case(&app, &officer, UNIT, id).await["extension_allowed_days"], Value::Null);
}

#[tokio::test]
async fn notes_are_sealed_to_the_report_and_never_reach_the_reporter() {
    let app = app_with(ketnoi_core::TipDeadlines::default()).await;
    let officer = app.staff_token_2fa(OFFICER).await;
    let tip = Tip::new("Xe tải chở gỗ không rõ nguồn gốc đi qua cầu lúc nửa đêm.");
    let id = send_tip(&app, &officer, &tip).await;
    let key = report_key(&app, &officer, UNIT, id).await.or_panic("report key");
    let text = "Đã hẹn gặp trưởng thôn để xác minh biển số xe.";
    let sealed = ketnoi_seal::seal_note(&key, text).or_panic("seal note");
    let got = app
        .send(
            Method::POST,
            &format!("{UNIT}/tips/{id}/notes"),
            Some(&officer),
            Some(json!({"sealed": sealed})),
        )
        .await;
    assert_eq!(got.0, 201, "{}", got.1);
    let bad = app
        .send(
            Method::POST,
            &format!("{UNIT}/tips/{id}/notes"),
            Some(&officer),
            Some(json!({"sealed": {"nonce": "x", "ct": text}})),
        )
        .await;
    assert_eq!(bad.0, 422, "{}", bad.1);

    let c = case(&app, &officer, UNIT, id).await;
    let notes = c["notes"].as_array().or_panic("notes");
    assert_eq!(notes.len(), 1, "{c}");
    let stored: ketnoi_seal::Sealed =
        serde_json::from_value(notes[0]["sealed"].clone()).or_panic("sealed");
    assert_eq!(ketnoi_seal::open_note(&key, &stored).or_panic("open note"), text);
    assert!(!c.to_string().contains("trưởng thôn"), "only ciphertext is kept");
    let seen = receipt(&app, &tip).await.to_string();
    assert!(
        !seen.contains(&notes[0]["sealed"]["ct"].as_str().or_panic("ct")[..20])
            && !seen.contains("note"),
        "{seen}"
    );
}

#[tokio::test]
async fn a_transfer_rewraps_the_report_key_for_the_receiving_unit_and_the_sender_lets_go() {
    let app = app_with(ketnoi_core::TipDeadlines::default()).await;
    let officer = app.staff_token_2fa(OFFICER).await;
    let province = app.staff_token_2fa("catinh.admin").await;
    let tip = Tip::new("Đường dây cho vay nặng lãi hoạt động ở nhiều xã trong huyện.");
    let id = send_tip(&app, &officer, &tip).await;
    let transfer = format!("{UNIT}/tips/{id}/transfer");
    assert!(report_key(&app, &province, PROVINCE, id).await.is_err(), "not the province's yet");

    // The province's current key, as the officer's browser fetches it; a viewer is not told.
    let (status, target) = app.get("/api/v1/tip-units/ca-tuyen-quang/key", Some(&officer)).await;
    assert_eq!(status, 200, "{target}");
    let viewer = app.staff_token("ubndvixuyen.xem").await;
    assert_problem(
        &app.get("/api/v1/tip-units/ca-tuyen-quang/key", Some(&viewer)).await,
        403,
        "forbidden",
    );
    let public = ketnoi_seal::unb64u(target["public"].as_str().or_panic("public")).or_panic("b64u");
    let key = report_key(&app, &officer, UNIT, id).await.or_panic("report key");
    let wrapped = ketnoi_seal::rewrap_report(&key, &public).or_panic("wrap");

    // A unit without a key, a key that is not the unit's, the unit itself: refused, nothing moved.
    let (_, _, other) = other_unit_officer(&app).await;
    drop(other);
    let got = app
        .send(
            Method::POST,
            &transfer,
            Some(&officer),
            Some(json!({"to": "ca-thanh-thuy", "wrapped": wrapped})),
        )
        .await;
    assert_problem(&got, 409, "tip-transfer-no-key");
    let stranger = ketnoi_seal::rewrap_report(&key, &KeyPair::generate().public()).or_panic("wrap");
    let got = app
        .send(
            Method::POST,
            &transfer,
            Some(&officer),
            Some(json!({"to": "ca-tuyen-quang", "wrapped": stranger})),
        )
        .await;
    assert_problem(&got, 422, "tip-transfer-stale-key");
    let got = app
        .send(
            Method::POST,
            &transfer,
            Some(&officer),
            Some(json!({"to": "nowhere-at-all", "wrapped": wrapped})),
        )
        .await;
    assert_problem(&got, 422, "tip-transfer-no-unit");
    let got = app
        .send(
            Method::POST,
            &transfer,
            Some(&viewer),
            Some(json!({"to": "ca-tuyen-quang", "wrapped": wrapped})),
        )
        .await;
    assert_problem(&got, 403, "forbidden");
    assert_eq!(receipt(&app, &tip).await["history"], json!([]));

    let got = app
        .send(
            Method::POST,
            &transfer,
            Some(&officer),
            Some(json!({"to": "ca-tuyen-quang", "keep": false, "wrapped": wrapped})),
        )
        .await;
    assert_eq!(got.0, 204, "{}", got.1);

    // The province opens it with its own key and sees the history; the commune no longer can.
    let opened = report_key(&app, &province, PROVINCE, id).await.or_panic("the province opens it");
    let probe = ketnoi_seal::seal_note(&key, "cùng một khóa").or_panic("seal");
    assert_eq!(ketnoi_seal::open_note(&opened, &probe).ok().as_deref(), Some("cùng một khóa"));
    let c = case(&app, &province, PROVINCE, id).await;
    assert!(
        c["events"].as_array().or_panic("events").iter().any(|e| e["kind"] == "transferred"),
        "{c}"
    );
    let (status, _) = app.get(&format!("{UNIT}/tips/{id}"), Some(&officer)).await;
    assert_eq!(status, 404, "the commune let go");
    let (_, detail) = app.get(&format!("{PROVINCE}/tips/{id}"), Some(&province)).await;
    let kids: Vec<&str> = detail["envelope"]["recipients"]
        .as_array()
        .or_panic("recipients")
        .iter()
        .filter_map(|r| r["kid"].as_str())
        .collect();
    let commune_kids: Vec<String> =
        unit_keys_at(&app, &officer, UNIT).await.iter().map(KeyPair::kid).collect();
    assert!(
        kids.iter().all(|k| !commune_kids.iter().any(|c| c == k)),
        "the commune's wraps are gone: {kids:?}"
    );

    // The reporter sees where it went, not who sent it.
    let seen = receipt(&app, &tip).await;
    let moved = &seen["history"][0];
    assert_eq!(
        (&moved["kind"], &moved["to_unit"]),
        (&json!("transferred"), &json!("Công an tỉnh Tuyên Quang")),
        "{seen}"
    );
}

#[tokio::test]
async fn the_units_key_holders_are_told_of_a_new_tip_live_and_of_nothing_in_it() {
    let app = app_with(ketnoi_core::TipDeadlines::default()).await;
    let officer = app.staff_token_2fa(OFFICER).await;
    let viewer = app.staff_token("ubndvixuyen.xem").await;
    let (mut holder, _) =
        ketnoi::live::LiveClient::connect(&app.base, &officer).await.or_panic("officer socket");
    let (mut other, _) =
        ketnoi::live::LiveClient::connect(&app.base, &viewer).await.or_panic("viewer socket");
    let description = "Kẻ gian cạy cửa nhà ông Tư ở thôn Làng Mới lúc hai giờ sáng.";
    let tip = Tip::new(description);
    send_tip(&app, &officer, &tip).await;

    // The key holder hears of it: the unit, its name, the way to its inbox; nothing of the tip.
    let wait = std::time::Duration::from_secs(5);
    let frame = loop {
        let frame = holder.frame(wait).await.or_panic("a frame for the key holder");
        if frame["type"] == "tip-new" {
            break frame;
        }
    };
    assert_eq!(
        (&frame["unit"], &frame["unit_name"], &frame["href"]),
        (
            &json!("ca-vi-xuyen"),
            &json!("Công an xã Vị Xuyên"),
            &json!("/console/don-vi/ca-vi-xuyen/tin-bao")
        ),
        "{frame}"
    );
    let text = frame.to_string();
    assert!(
        !text.contains("Làng Mới") && !text.contains("theft") && !text.contains(AREA),
        "{text}"
    );
    // A viewer of the same agency's accounts, who holds no key, hears nothing of it.
    while let Ok(ketnoi::live::Next::Frame(f)) =
        other.next(std::time::Duration::from_millis(500)).await
    {
        assert_ne!(f["type"], "tip-new", "{f}");
    }
    holder.close().await;
    other.close().await;
}

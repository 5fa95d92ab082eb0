//! News and broadcasts (issue 15) through the real server: targeting by ward and tag, live
//! delivery and feeds, scheduled sends across a restart, quotas, the emergency role, CAP 1.2
//! documents validated against the OASIS schema, articles with link previews and Atom.
//!
//! The targeting and scheduling tests run on SQLite and on PostgreSQL.

use std::{sync::Arc, time::Duration};

use ketnoi::live::LiveClient;
use ketnoi_store::Store;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app, start};

const ACCOUNT: &str = "/api/v1/accounts/ca-vi-xuyen";
/// Wards of the demo province: Vị Xuyên and Hà Giang 1.
const VI_XUYEN: &str = "00913";
const HA_GIANG: &str = "00694";

/// A citizen who follows the demo commune police and lives in `ward` (if any).
async fn follower(app: &TestApp, phone: &str, ward: Option<&str>, follows: bool) -> String {
    let token = app.citizen_token(phone).await;
    if follows {
        let (status, _) =
            app.send(Method::PUT, &format!("{ACCOUNT}/follow"), Some(&token), None).await;
        assert_eq!(status, 200);
    }
    if let Some(ward) = ward {
        let (status, set) = app
            .send(Method::PUT, "/api/v1/me/area", Some(&token), Some(json!({ "area": ward })))
            .await;
        assert_eq!((status, set["area"].as_str()), (200, Some(ward)), "{set}");
    }
    token
}

async fn citizen_id(app: &TestApp, token: &str) -> i64 {
    let (_, me) = app.get("/api/v1/me", Some(token)).await;
    me["citizen"]["id"].as_i64().unwrap_or_else(|| panic!("no citizen id in {me}"))
}

async fn broadcast(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.send(Method::POST, &format!("{ACCOUNT}/broadcasts"), Some(token), Some(body)).await
}

/// The texts of the broadcasts in a citizen's feed, newest first.
async fn feed_texts(app: &TestApp, token: &str) -> Vec<String> {
    let (status, feed) = app.get("/api/v1/me/feed", Some(token)).await;
    assert_eq!(status, 200, "{feed}");
    feed["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| i["type"] == "broadcast")
                .filter_map(|i| i["text"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn live(app: &TestApp, token: &str) -> LiveClient {
    let (client, hello) =
        LiveClient::connect(&app.base, token).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(hello["type"], "hello");
    client
}

/// The next broadcast frame, skipping anything else.
async fn next_broadcast(client: &mut LiveClient) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < deadline {
        match client.frame(Duration::from_millis(500)).await {
            Ok(frame) if frame["type"] == "broadcast" => return Some(frame),
            _ => {}
        }
    }
    None
}

async fn no_broadcast(client: &mut LiveClient) {
    if let Ok(frame) = client.frame(Duration::from_millis(700)).await {
        assert_ne!(
            frame["type"], "broadcast",
            "a broadcast reached someone outside its audience: {frame}"
        );
    }
}

async fn targeting(app: &TestApp) {
    let officer = app.staff_token("cavixuyen.canbo").await;
    // The demo already has a follower in Vị Xuyên: counts are taken above it.
    let (_, before) = app
        .send(
            Method::POST,
            &format!("{ACCOUNT}/audience"),
            Some(&officer),
            Some(json!({ "areas": [VI_XUYEN] })),
        )
        .await;
    let demo = before["followers"].as_i64().unwrap_or_else(|| panic!("{before}"));
    let near = follower(app, "0911000001", Some(VI_XUYEN), true).await;
    let far = follower(app, "0911000002", Some(HA_GIANG), true).await;
    let nowhere = follower(app, "0911000003", None, true).await;
    let trader = follower(app, "0911000004", Some(VI_XUYEN), true).await;
    let stranger = follower(app, "0911000005", Some(VI_XUYEN), false).await;
    let trader_id = citizen_id(app, &trader).await;
    let (status, tags) = app
        .send(
            Method::PUT,
            &format!("{ACCOUNT}/followers/{trader_id}/tags"),
            Some(&officer),
            Some(json!({ "tags": ["Hộ kinh doanh"] })),
        )
        .await;
    assert_eq!((status, tags["tags"][0].as_str()), (200, Some("hộ kinh doanh")), "{tags}");
    // The stranger does not follow: tagging them is refused.
    let stranger_id = citizen_id(app, &stranger).await;
    let refused = app
        .send(
            Method::PUT,
            &format!("{ACCOUNT}/followers/{stranger_id}/tags"),
            Some(&officer),
            Some(json!({ "tags": ["x"] })),
        )
        .await;
    assert_problem(&refused, 404, "not-found");

    let (status, counted) = app
        .send(
            Method::POST,
            &format!("{ACCOUNT}/audience"),
            Some(&officer),
            Some(json!({ "areas": [VI_XUYEN] })),
        )
        .await;
    assert_eq!((status, counted["followers"].as_i64()), (200, Some(demo + 2)), "{counted}");

    let mut near_live = live(app, &near).await;
    let mut far_live = live(app, &far).await;
    let mut stranger_live = live(app, &stranger).await;
    let (status, sent) = broadcast(
        app,
        &officer,
        json!({
            "text": "Lịch cấp căn cước lưu động tại xã Vị Xuyên",
            "areas": [VI_XUYEN],
            "buttons": [{ "type": "link", "label": "Đăng ký", "url": "https://dichvucong.gov.vn" }],
        }),
    )
    .await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(
        (sent["state"].as_str(), sent["stats"]["audience"].as_i64()),
        (Some("sent"), Some(demo + 2))
    );
    let frame = next_broadcast(&mut near_live)
        .await
        .unwrap_or_else(|| panic!("the ward's follower got nothing live"));
    assert_eq!(frame["text"], "Lịch cấp căn cước lưu động tại xã Vị Xuyên");
    assert_eq!(frame["buttons"][0]["url"], "https://dichvucong.gov.vn");
    no_broadcast(&mut far_live).await;
    no_broadcast(&mut stranger_live).await;

    let (status, _) = broadcast(
        app,
        &officer,
        json!({ "text": "Hộ kinh doanh nộp thuế", "tags": ["hộ kinh doanh"] }),
    )
    .await;
    assert_eq!(status, 201);
    let ward_text = "Lịch cấp căn cước lưu động tại xã Vị Xuyên".to_owned();
    assert_eq!(feed_texts(app, &near).await, vec![ward_text.clone()]);
    assert_eq!(
        feed_texts(app, &trader).await,
        vec!["Hộ kinh doanh nộp thuế".to_owned(), ward_text.clone()]
    );
    assert!(feed_texts(app, &far).await.is_empty());
    assert!(feed_texts(app, &nowhere).await.is_empty());
    assert!(feed_texts(app, &stranger).await.is_empty());

    // Read-time semantics: a follower who chooses the ward afterwards reads what was sent to it;
    // one who leaves it no longer does. The audience counted at sending stays as it was.
    app.send(Method::PUT, "/api/v1/me/area", Some(&nowhere), Some(json!({ "area": VI_XUYEN })))
        .await;
    app.send(Method::PUT, "/api/v1/me/area", Some(&near), Some(json!({ "area": HA_GIANG }))).await;
    assert_eq!(feed_texts(app, &nowhere).await, vec![ward_text.clone()]);
    assert!(feed_texts(app, &near).await.is_empty());

    // Opening counts once per reader in the audience; others are told it does not exist.
    let id = sent["id"].as_i64().unwrap_or_default();
    let open = |token: String| async move {
        app.send(Method::POST, &format!("/api/v1/broadcasts/{id}/open"), Some(&token), None).await.0
    };
    assert_eq!(open(nowhere.clone()).await, 204);
    assert_eq!(open(nowhere.clone()).await, 204);
    assert_eq!(open(far.clone()).await, 404);
    let (_, stats) = app.get(&format!("{ACCOUNT}/broadcasts/{id}"), Some(&officer)).await;
    assert_eq!(
        (
            stats["stats"]["audience"].as_i64(),
            stats["stats"]["delivered_live"].as_i64(),
            stats["stats"]["opened"].as_i64()
        ),
        (Some(demo + 2), Some(1), Some(1)),
        "{stats}"
    );
    // A citizen never sees the statistics.
    let (status, _) = app.get(&format!("{ACCOUNT}/broadcasts/{id}"), Some(&nowhere)).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn broadcasts_reach_exactly_their_ward_and_tags_on_sqlite() {
    let app = spawn_app(true).await;
    targeting(&app).await;
}

#[tokio::test]
async fn broadcasts_reach_exactly_their_ward_and_tags_on_postgresql() {
    let Some((store, schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
    let store: Arc<dyn Store> = Arc::new(store);
    let app = start(store, None, Box::new(schema), true).await;
    targeting(&app).await;
}

/// Schedules two broadcasts, cancels one, stops the node before either is due, and starts two
/// nodes on the same database: the other is sent exactly once.
async fn scheduled(store: Arc<dyn Store>, first: TestApp) {
    let officer = first.staff_token("cavixuyen.canbo").await;
    let reader = follower(&first, "0912000009", Some(VI_XUYEN), true).await;
    let at = ketnoi_core::Timestamp::now().plus_millis(2_500).rfc3339();
    let (status, kept) =
        broadcast(&first, &officer, json!({ "text": "Hẹn giờ", "send_at": at })).await;
    assert_eq!((status, kept["state"].as_str()), (201, Some("scheduled")), "{kept}");
    let (_, dropped) =
        broadcast(&first, &officer, json!({ "text": "Sẽ huỷ", "send_at": at })).await;
    let (kept_id, dropped_id) =
        (kept["id"].as_i64().unwrap_or_default(), dropped["id"].as_i64().unwrap_or_default());
    let (status, cancelled) = first
        .send(
            Method::POST,
            &format!("{ACCOUNT}/broadcasts/{dropped_id}/cancel"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!((status, cancelled["state"].as_str()), (200, Some("cancelled")), "{cancelled}");
    assert!(feed_texts(&first, &reader).await.is_empty(), "nothing is shown before its time");
    drop(first);

    let nodes = [
        start(store.clone(), None, Box::new(()), false).await,
        start(store.clone(), None, Box::new(()), false).await,
    ];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let state = store
            .broadcast(ketnoi_core::BroadcastId(kept_id))
            .await
            .ok()
            .flatten()
            .map(|b| b.state);
        if state == Some(ketnoi_core::BroadcastState::Sent) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the scheduled broadcast was never sent");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Give a second firing every chance to happen, then count.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(feed_texts(&nodes[0], &reader).await, vec!["Hẹn giờ".to_owned()]);
    assert_eq!(feed_texts(&nodes[1], &reader).await, vec!["Hẹn giờ".to_owned()]);
    // Sessions live in the database: the officer's token works on every node.
    let too_late = nodes[1]
        .send(Method::POST, &format!("{ACCOUNT}/broadcasts/{kept_id}/cancel"), Some(&officer), None)
        .await;
    assert_problem(&too_late, 422, "broadcast-not-scheduled");
    let state =
        store.broadcast(ketnoi_core::BroadcastId(dropped_id)).await.ok().flatten().map(|b| b.state);
    assert_eq!(
        state,
        Some(ketnoi_core::BroadcastState::Cancelled),
        "a cancelled broadcast never fires"
    );
    assert!(store.dead_jobs("news.fire", 10).await.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn a_scheduled_broadcast_fires_once_across_a_restart_on_sqlite() {
    let (sqlite, dir) = ketnoi_store::testing::fresh_sqlite().await;
    let store: Arc<dyn Store> = Arc::new(sqlite);
    let first = start(store.clone(), None, Box::new(()), true).await;
    scheduled(store, first).await;
    drop(dir);
}

#[tokio::test]
async fn a_scheduled_broadcast_fires_once_across_a_restart_on_postgresql() {
    let Some((pg, schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
    let store: Arc<dyn Store> = Arc::new(pg);
    let first = start(store.clone(), None, Box::new(()), true).await;
    scheduled(store, first).await;
    drop(schema);
}

#[tokio::test]
async fn quotas_roles_and_bad_input_are_refused_and_store_nothing() {
    let app = spawn_app(true).await;
    let officer = app.staff_token("cavixuyen.canbo").await;
    let admin = app.staff_token("catinh.admin").await;
    let operator = app.staff_token("quantri").await;
    let citizen = follower(&app, "0913000001", Some(VI_XUYEN), true).await;
    let count = || async {
        let (_, list) = app.get(&format!("{ACCOUNT}/broadcasts"), Some(&officer)).await;
        list.as_array().map_or(0, Vec::len)
    };

    // Only the platform operator sets an allowance.
    let quota = app
        .send(
            Method::PUT,
            &format!("{ACCOUNT}/broadcast-quota"),
            Some(&officer),
            Some(json!({ "per_week": 1 })),
        )
        .await;
    assert_problem(&quota, 403, "forbidden");
    let (status, _) = app
        .send(
            Method::PUT,
            &format!("{ACCOUNT}/broadcast-quota"),
            Some(&operator),
            Some(json!({ "per_week": 1 })),
        )
        .await;
    assert_eq!(status, 204);
    let bad_quota = app
        .send(
            Method::PUT,
            &format!("{ACCOUNT}/broadcast-quota"),
            Some(&operator),
            Some(json!({ "per_week": -3 })),
        )
        .await;
    assert_problem(&bad_quota, 422, "invalid-quota");

    let (status, _) = broadcast(&app, &officer, json!({ "text": "Lần một" })).await;
    assert_eq!(status, 201);
    let over = app
        .client
        .post(app.url(&format!("{ACCOUNT}/broadcasts")))
        .bearer_auth(&officer)
        .json(&json!({ "text": "Lần hai" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let retry_after: u64 = over
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    let over = crate::helpers::answer(Ok(over)).await;
    assert_problem(&over, 429, "broadcast-quota");
    assert!(retry_after > 0 && retry_after <= 7 * 86_400, "Retry-After {retry_after}");
    assert!(over.1["resets_at"].as_i64().is_some() && over.1["limit"] == 1, "{}", over.1);
    assert_eq!(count().await, 1);

    // Emergencies: an officer may not send one; an administrator may, and the allowance does
    // not hold it back.
    let alert = json!({ "text": "Lũ quét", "emergency": { "event": "Lũ quét" } });
    let refused = broadcast(&app, &officer, alert.clone()).await;
    assert_problem(&refused, 403, "emergency-forbidden");
    assert_eq!(count().await, 1);
    let (status, sent) = broadcast(&app, &admin, alert).await;
    assert_eq!((status, sent["emergency"]["severity"].as_str()), (201, Some("Severe")), "{sent}");
    assert_eq!(count().await, 2);

    // Raise the allowance again and try every kind of bad input: each refused, nothing stored.
    app.send(
        Method::PUT,
        &format!("{ACCOUNT}/broadcast-quota"),
        Some(&operator),
        Some(json!({ "per_week": null })),
    )
    .await;
    let long = "x".repeat(2001);
    let past = ketnoi_core::Timestamp::now().plus_millis(-3_600_000).rfc3339();
    let cases = [
        (json!({ "text": "" }), 422, "invalid-length"),
        (json!({ "text": long }), 422, "invalid-length"),
        (json!({ "text": "x", "areas": ["99999"] }), 422, "missing-reference"),
        (json!({ "text": "x", "areas": ["không có"] }), 422, "invalid-area-code"),
        (json!({ "text": "x", "send_at": past }), 422, "schedule-in-past"),
        (json!({ "text": "x", "send_at": "ngày mai" }), 422, "invalid-moment"),
        (
            json!({ "text": "x", "buttons": [{ "type": "link", "label": "Xem", "url": "javascript:alert(1)" }] }),
            422,
            "invalid-button-url",
        ),
        (json!({ "text": "x", "article": 999_999 }), 422, "article-not-published"),
        (json!({ "text": "x", "tags": ["a,b"] }), 422, "invalid-tag"),
        (
            json!({ "text": "x", "emergency": { "event": "Lũ", "severity": "Apocalyptic" } }),
            403,
            "emergency-forbidden",
        ),
    ];
    for (body, status, code) in cases {
        let got = broadcast(&app, &officer, body.clone()).await;
        assert_problem(&got, status, code);
    }
    let got = broadcast(
        &app,
        &admin,
        json!({ "text": "x", "emergency": { "event": "Lũ", "severity": "Apocalyptic" } }),
    )
    .await;
    assert_problem(&got, 422, "invalid-choice");
    assert_problem(&broadcast(&app, &citizen, json!({ "text": "x" })).await, 403, "forbidden");
    let anonymous = app
        .send(Method::POST, &format!("{ACCOUNT}/broadcasts"), None, Some(json!({ "text": "x" })))
        .await;
    assert_problem(&anonymous, 401, "unauthenticated");
    assert_eq!(count().await, 2, "no refused broadcast was stored");
    assert_eq!(feed_texts(&app, &citizen).await.len(), 2);

    // A citizen's own settings refuse bad input too.
    let bad_area = app
        .send(Method::PUT, "/api/v1/me/area", Some(&citizen), Some(json!({ "area": "99999" })))
        .await;
    assert_problem(&bad_area, 422, "missing-reference");
    let bad_sub = app
        .send(
            Method::POST,
            "/api/v1/me/push-subscriptions",
            Some(&citizen),
            Some(
                json!({ "endpoint": "http://10.0.0.1/x", "keys": { "p256dh": "x", "auth": "y" } }),
            ),
        )
        .await;
    assert_problem(&bad_sub, 422, "push-endpoint");
    let bad_keys = app
        .send(Method::POST, "/api/v1/me/push-subscriptions", Some(&citizen), Some(json!({ "endpoint": "https://push.example/x", "keys": { "p256dh": "x", "auth": "y" } })))
        .await;
    assert_problem(&bad_keys, 422, "push-keys");
    let bad_cursor = app.get("/api/v1/me/feed?before=abc", Some(&citizen)).await;
    assert_problem(&bad_cursor, 422, "invalid-cursor");
}

/// Whether xmllint is there; under `CI=true` its absence fails the test.
fn xmllint() -> bool {
    let found = std::process::Command::new("xmllint").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and xmllint is missing (libxml2-utils)"
        );
        eprintln!("skipping CAP schema validation: xmllint is not installed");
    }
    found
}

/// Validates an XML document against the CAP 1.2 schema; the error output when it fails.
fn validate_cap(xml: &str) -> Result<(), String> {
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ketnoi-server/tests/data/CAP-v1.2.xsd");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("alert.xml");
    std::fs::write(&file, xml).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("xmllint: {e}"));
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test]
async fn an_emergency_alert_is_published_in_cap_1_2_and_validates_against_its_schema() {
    let app = spawn_app(true).await;
    let admin = app.staff_token("catinh.admin").await;
    let expires = ketnoi_core::Timestamp::now().plus_millis(6 * 3_600_000).rfc3339();
    let (status, sent) = broadcast(
        &app,
        &admin,
        json!({
            "text": "Mưa lớn gây lũ quét & sạt lở <đất> tại xã Vị Xuyên.\nNgười dân tránh xa bờ suối.",
            "areas": [VI_XUYEN],
            "emergency": { "event": "Lũ quét", "category": "Met", "severity": "Extreme", "urgency": "Immediate", "certainty": "Likely", "expires_at": expires },
        }),
    )
    .await;
    assert_eq!(status, 201, "{sent}");
    let id = sent["id"].as_i64().unwrap_or_default();
    let response = app
        .client
        .get(app.url(&format!("/alerts/{id}.xml")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 200);
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("application/cap+xml"), "{kind}");
    let xml = response.text().await.unwrap_or_default();
    for part in [
        "<event>Lũ quét</event>",
        "<severity>Extreme</severity>",
        "<value>00913</value>",
        "&amp; sạt lở &lt;đất&gt;",
        "+07:00</sent>",
    ] {
        assert!(xml.contains(part), "{part} missing from\n{xml}");
    }
    // The index lists it, with the CAP document as an alternate.
    let atom =
        app.client.get(app.url("/alerts.atom")).send().await.unwrap_or_else(|e| panic!("{e}"));
    let atom = atom.text().await.unwrap_or_default();
    assert!(
        atom.contains(&format!("/alerts/{id}.xml")) && atom.contains("application/cap+xml"),
        "{atom}"
    );
    // Ordinary broadcasts are not alerts.
    let officer = app.staff_token("cavixuyen.canbo").await;
    let (_, plain) = broadcast(&app, &officer, json!({ "text": "Thông báo thường" })).await;
    let (status, _) = app.get(&format!("/alerts/{}.xml", plain["id"]), None).await;
    assert_eq!(status, 404);

    if !xmllint() {
        return;
    }
    validate_cap(&xml).unwrap_or_else(|e| panic!("the alert does not validate: {e}\n{xml}"));
    // The check can fail: the same document with a status CAP does not know is refused.
    let broken = xml.replace("<status>Actual</status>", "<status>Testing</status>");
    assert!(validate_cap(&broken).is_err(), "the schema check accepted an invalid alert");
    let no_info = xml.replace("<scope>Public</scope>", "");
    assert!(validate_cap(&no_info).is_err());
}

#[tokio::test]
async fn articles_are_published_rendered_safely_previewed_by_other_apps_and_syndicated() {
    let app = spawn_app(true).await;
    let officer = app.staff_token("cavixuyen.canbo").await;
    let viewer = app.staff_token("ubndvixuyen.xem").await;
    let body = "## Cảnh báo lừa đảo\n\nKhông cung cấp **mã OTP** cho ai.\n\n<script>alert(1)</script>\n\n[Gọi](javascript:alert(1)) <img src=x onerror=alert(1)>";
    let (status, draft) = app
        .send(
            Method::POST,
            &format!("{ACCOUNT}/articles"),
            Some(&officer),
            Some(json!({ "title": "Cảnh báo lừa đảo qua điện thoại", "body": body })),
        )
        .await;
    assert_eq!(
        (status, draft["state"].as_str(), draft["slug"].as_str()),
        (201, Some("draft"), Some("canh-bao-lua-dao-qua-dien-thoai")),
        "{draft}"
    );
    let html = draft["body_html"].as_str().unwrap_or_default();
    assert!(
        html.contains("<strong>mã OTP</strong>")
            && !html.contains("<script")
            && !html.contains("javascript:")
            && !html.contains("onerror"),
        "{html}"
    );
    let page = "/a/ca-vi-xuyen/tin/canh-bao-lua-dao-qua-dien-thoai";
    let anonymous = app.client.get(app.url(page)).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(anonymous.status(), 404, "a draft is not public");
    // A viewer may not write.
    let refused = app
        .send(
            Method::POST,
            &format!("{ACCOUNT}/articles"),
            Some(&viewer),
            Some(json!({ "title": "x", "body": "y" })),
        )
        .await;
    assert_problem(&refused, 403, "forbidden");

    let id = draft["id"].as_i64().unwrap_or_default();
    let (status, published) = app
        .send(Method::PUT, &format!("{ACCOUNT}/articles/{id}"), Some(&officer), Some(json!({ "title": "Cảnh báo lừa đảo qua điện thoại", "summary": "Không đưa mã OTP cho ai.", "body": body, "state": "published" })))
        .await;
    assert_eq!((status, published["state"].as_str()), (200, Some("published")), "{published}");
    let shown = app.client.get(app.url(page)).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shown.status(), 200);
    let html = shown.text().await.unwrap_or_default();
    for tag in [
        r#"<meta property="og:title" content="Cảnh báo lừa đảo qua điện thoại">"#,
        r#"<meta property="og:description" content="Không đưa mã OTP cho ai.">"#,
        &format!(r#"<meta property="og:url" content="{}{page}">"#, app.base),
        r#"<meta property="og:type" content="article">"#,
    ] {
        assert!(html.contains(tag), "{tag} missing");
    }
    assert!(
        !html.contains("<script>alert") && !html.contains("onerror="),
        "unsafe markup on the page"
    );
    let atom = app
        .client
        .get(app.url("/a/ca-vi-xuyen/tin.atom"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        atom.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/atom+xml"))
    );
    let atom = atom.text().await.unwrap_or_default();
    assert!(
        atom.contains(&format!("{}{page}", app.base))
            && atom.contains("<title>Cảnh báo lừa đảo qua điện thoại</title>"),
        "{atom}"
    );
    let (_, listed) = app.get("/api/v1/accounts/ca-vi-xuyen/articles", None).await;
    assert_eq!(listed["items"][0]["slug"], "canh-bao-lua-dao-qua-dien-thoai", "{listed}");
    assert!(listed["items"][0].get("body").is_none(), "the Markdown source is for staff");

    // The same title again gets its own address; a scheduled one waits for its time.
    let later = ketnoi_core::Timestamp::now().plus_millis(3_600_000).rfc3339();
    let (_, second) = app
        .send(Method::POST, &format!("{ACCOUNT}/articles"), Some(&officer), Some(json!({ "title": "Cảnh báo lừa đảo qua điện thoại", "body": "Lần hai", "state": "scheduled", "publish_at": later })))
        .await;
    assert_eq!(second["slug"], "canh-bao-lua-dao-qua-dien-thoai-2", "{second}");
    let (status, _) = app.get(&format!("{ACCOUNT}/articles/{}", second["id"]), None).await;
    assert_eq!(status, 404, "not before its time");

    // Withdrawn: the address answers 410 Gone.
    app.send(Method::PUT, &format!("{ACCOUNT}/articles/{id}"), Some(&officer), Some(json!({ "title": "Cảnh báo lừa đảo qua điện thoại", "body": body, "state": "withdrawn" })))
        .await;
    let gone = app.client.get(app.url(page)).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gone.status(), 410);

    // Bad input: each refused, nothing stored.
    let long_body = "x".repeat(100_001);
    let cases = [
        (json!({ "title": "", "body": "x" }), "invalid-length"),
        (json!({ "title": "x".repeat(201), "body": "x" }), "invalid-length"),
        (json!({ "title": "x", "body": long_body }), "invalid-length"),
        (json!({ "title": "x", "body": "y", "state": "scheduled" }), "schedule-missing"),
        (json!({ "title": "x", "body": "y", "state": "hidden" }), "invalid-choice"),
    ];
    for (body, code) in cases {
        let got = app
            .send(Method::POST, &format!("{ACCOUNT}/articles"), Some(&officer), Some(body))
            .await;
        assert_problem(&got, 422, code);
    }
    let stored = app
        .store
        .account_articles(ketnoi_core::AccountId(account_id(&app).await), 100)
        .await
        .unwrap_or_default();
    assert_eq!(stored.len(), 2, "no refused article was stored");
}

async fn account_id(app: &TestApp) -> i64 {
    let slug = ketnoi_core::Slug::parse("ca-vi-xuyen").unwrap_or_else(|e| panic!("{e}"));
    let account = app.store.account_by_slug(&slug).await.ok().flatten();
    account.map(|a| a.id.0).unwrap_or_else(|| panic!("no demo account"))
}

#[tokio::test]
async fn an_officer_tags_a_follower_from_the_conversation_page_and_bad_tags_change_nothing() {
    let app = spawn_app(true).await;
    let citizen = follower(&app, "0915000001", Some(VI_XUYEN), true).await;
    let citizen_id = citizen_id(&app, &citizen).await;
    let (status, asked) = app
        .send(
            Method::POST,
            &format!("{ACCOUNT}/messages"),
            Some(&citizen),
            Some(json!({ "client_msg_id": "tag-1", "text": "Tôi mở cửa hàng tạp hoá, cần đăng ký gì?" })),
        )
        .await;
    assert_eq!(status, 201, "{asked}");
    let conversation = asked["conversation"]["id"].as_i64().unwrap_or_default();
    let officer = app.staff_token("cavixuyen.canbo").await;
    let mut page = crate::pages::Visitor::new(&app);
    page.cookies.insert(ketnoi_server::kernel::auth::SESSION_COOKIE.to_owned(), officer.clone());
    let (status, html, _) = page.get(&format!("/console/c/{conversation}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-follower-tags"), "the tags form is missing");
    let csrf = crate::pages::hidden(&html, "csrf");
    let action = format!("/console/a/ca-vi-xuyen/followers/{citizen_id}/tags");
    let (status, _, location) =
        page.post(&action, &[("csrf", &csrf), ("tags", "Hộ kinh doanh, CCCD")]).await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some(format!("/console/c/{conversation}").as_str()))
    );
    let count = |tags: Value| {
        let officer = officer.clone();
        let app = &app;
        async move {
            let (_, n) = app
                .send(
                    Method::POST,
                    &format!("{ACCOUNT}/audience"),
                    Some(&officer),
                    Some(json!({ "tags": tags })),
                )
                .await;
            n["followers"].as_i64()
        }
    };
    assert_eq!(count(json!(["hộ kinh doanh"])).await, Some(1));
    assert_eq!(count(json!(["cccd"])).await, Some(1));
    // A tag with a line break is refused with a readable page, and the tags stay.
    let (status, html, _) = page.post(&action, &[("csrf", &csrf), ("tags", "xấu\nxa")]).await;
    assert_eq!(status.as_u16(), 422);
    assert!(html.contains("Nhãn không được chứa"), "{html}");
    assert_eq!(count(json!(["hộ kinh doanh"])).await, Some(1));
    // Without the form token, nothing changes either.
    let (status, _, _) = page.post(&action, &[("tags", "khác")]).await;
    assert_eq!(status.as_u16(), 403);
    assert_eq!(count(json!(["khác"])).await, Some(0));
}

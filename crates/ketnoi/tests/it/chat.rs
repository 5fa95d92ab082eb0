//! Messaging against the real server: idempotent sends under concurrent retries, live delivery
//! to every device and officer, exact resume after a reconnect, attachments, bad input.

use std::time::Duration;

use ketnoi::live::{LiveClient, Next};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with};

const WAIT: Duration = Duration::from_secs(10);
const ACCOUNT: &str = "ca-vi-xuyen";
const CITIZEN: &str = "0912000001";
const NEIGHBOUR: &str = "0987000002";
const OFFICER: &str = "cavixuyen.canbo";
/// Administrator of the provincial police: reaches Vị Xuyên's account through the agency tree.
const SUPERVISOR: &str = "catinh.admin";
/// A viewer of another agency entirely.
const OUTSIDER: &str = "ubndvixuyen.xem";
const PHOTO: &[u8] = include_bytes!("../../../ketnoi-media/tests/fixtures/photo-gps.jpg");

async fn citizen_says(app: &TestApp, token: &str, client_id: &str, text: &str) -> (u16, Value) {
    app.send(
        reqwest::Method::POST,
        &format!("/api/v1/accounts/{ACCOUNT}/messages"),
        Some(token),
        Some(json!({ "client_msg_id": client_id, "text": text })),
    )
    .await
}

async fn reply(
    app: &TestApp,
    token: &str,
    conversation: i64,
    client_id: &str,
    text: &str,
) -> (u16, Value) {
    app.send(
        reqwest::Method::POST,
        &format!("/api/v1/conversations/{conversation}/messages"),
        Some(token),
        Some(json!({ "client_msg_id": client_id, "text": text })),
    )
    .await
}

async fn live(app: &TestApp, token: &str) -> LiveClient {
    LiveClient::connect(&app.base, token).await.unwrap_or_else(|e| panic!("{e:#}")).0
}

async fn frame(client: &mut LiveClient) -> Value {
    client.frame(WAIT).await.unwrap_or_else(|e| panic!("{e:#}"))
}

/// Asserts that nothing more arrives for a moment.
async fn quiet(client: &mut LiveClient) {
    match client.next(Duration::from_millis(300)).await {
        Ok(Next::Timeout) => {}
        other => panic!("expected silence, got {other:?}"),
    }
}

#[tokio::test]
async fn fifty_concurrent_retries_of_one_message_store_exactly_one() {
    let app = spawn_app(true).await;
    let token = app.citizen_token(CITIZEN).await;
    let attempts =
        (0..50).map(|_| citizen_says(&app, &token, "retry-0001", "Có cháy ở chợ Vị Xuyên"));
    let answers = futures_util::future::join_all(attempts).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let replayed = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!((created, replayed), (1, 49), "{answers:?}");
    assert!(answers.iter().all(|(_, b)| b["message"]["seq"] == 1));
    let conversation = answers[0].1["conversation"]["id"].as_i64().unwrap_or_default();
    let (status, history) =
        app.get(&format!("/api/v1/conversations/{conversation}/messages"), Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(history["messages"].as_array().map(Vec::len), Some(1), "{history}");
    // The same id with other words is refused and stores nothing.
    let changed = citizen_says(&app, &token, "retry-0001", "Nội dung khác").await;
    assert_problem(&changed, 409, "client-msg-id-reused");
    let (_, history) =
        app.get(&format!("/api/v1/conversations/{conversation}/messages"), Some(&token)).await;
    assert_eq!(history["messages"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn live_delivery_reaches_two_officers_and_two_citizen_devices() {
    let app = spawn_app(true).await;
    let phone = app.citizen_token(CITIZEN).await;
    let laptop = app.citizen_token(CITIZEN).await;
    let officer = app.staff_token(OFFICER).await;
    let supervisor = app.staff_token(SUPERVISOR).await;
    let mut devices = [live(&app, &phone).await, live(&app, &laptop).await];
    let mut officers = [live(&app, &officer).await, live(&app, &supervisor).await];

    let (status, sent) = citizen_says(&app, &phone, "c-1", "Cho hỏi thủ tục đăng ký tạm trú").await;
    assert_eq!(status, 201, "{sent}");
    let conversation = sent["conversation"]["id"].as_i64().unwrap_or_default();
    for screen in &mut officers {
        let f = frame(screen).await;
        assert_eq!(
            (f["type"].as_str(), f["event"].as_str()),
            (Some("event"), Some("message")),
            "{f}"
        );
        assert_eq!(f["message"]["text"], "Cho hỏi thủ tục đăng ký tạm trú");
        assert_eq!(f["conversation"]["citizen_label"], "091****001");
        assert_eq!(f["seq"], 1);
    }
    for device in &mut devices {
        let f = frame(device).await;
        assert_eq!((f["type"].as_str(), f["message"]["seq"].as_i64()), (Some("message"), Some(1)));
    }

    // One officer answers: the other sees it with the name; the citizen's devices without.
    let (status, answered) =
        reply(&app, &officer, conversation, "o-1", "Mời anh mang căn cước đến trụ sở").await;
    assert_eq!(status, 201, "{answered}");
    for screen in &mut officers {
        let f = frame(screen).await;
        assert_eq!(f["message"]["author_name"], "Nguyễn Thị Lan", "{f}");
        assert_eq!(f["seq"], 2);
    }
    for device in &mut devices {
        let f = frame(device).await;
        assert_eq!(f["message"]["text"], "Mời anh mang căn cước đến trụ sở");
        assert!(f["message"].get("author_name").is_none(), "{f}");
        assert_eq!(f["conversation"]["unread"], 1);
    }

    // The citizen reads on the phone: the officers and the laptop learn it.
    devices[0]
        .send(&json!({ "type": "read", "conversation": conversation, "seq": 2 }))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for screen in &mut officers {
        let f = frame(screen).await;
        assert_eq!(
            (f["event"].as_str(), f["conversation"]["peer_read_seq"].as_i64()),
            (Some("citizen-read"), Some(2)),
            "{f}"
        );
    }
    for device in &mut devices {
        let f = frame(device).await;
        assert_eq!(
            (f["type"].as_str(), f["conversation"]["unread"].as_i64()),
            (Some("conversation"), Some(0)),
            "{f}"
        );
    }
    for client in devices.iter_mut().chain(officers.iter_mut()) {
        quiet(client).await;
    }
}

#[tokio::test]
async fn a_reconnecting_client_receives_exactly_what_it_missed_in_order() {
    let app = spawn_app(true).await;
    let citizen = app.citizen_token(CITIZEN).await;
    let officer = app.staff_token(OFFICER).await;
    let mut device = live(&app, &citizen).await;
    let mut screen = live(&app, &officer).await;
    let (_, first) = citizen_says(&app, &citizen, "m-1", "tin 1").await;
    citizen_says(&app, &citizen, "m-2", "tin 2").await;
    let conversation = first["conversation"]["id"].as_i64().unwrap_or_default();
    let account = first["conversation"]["account"].as_i64().unwrap_or_default();
    assert_eq!(frame(&mut device).await["message"]["seq"], 1);
    assert_eq!(frame(&mut device).await["message"]["seq"], 2);
    assert_eq!(frame(&mut screen).await["seq"], 1);
    assert_eq!(frame(&mut screen).await["seq"], 2);
    device.close().await;
    screen.close().await;

    // While both are away: three messages, a reply, a close.
    for i in 3..=5 {
        citizen_says(&app, &citizen, &format!("m-{i}"), &format!("tin {i}")).await;
    }
    reply(&app, &officer, conversation, "o-1", "trả lời").await;
    let closed = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{conversation}/close"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!((closed.0, closed.1["status"].as_str()), (200, Some("closed")), "{}", closed.1);

    let mut device = live(&app, &citizen).await;
    device
        .send(&json!({ "type": "resume", "conversations": { conversation.to_string(): 2 } }))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut seqs = Vec::new();
    loop {
        let f = frame(&mut device).await;
        match f["type"].as_str() {
            Some("message") => seqs.push(f["message"]["seq"].as_i64().unwrap_or_default()),
            Some("conversation") => assert_eq!(f["conversation"]["status"], "closed"),
            Some("resumed") => break,
            _ => panic!("unexpected {f}"),
        }
    }
    assert_eq!(seqs, vec![3, 4, 5, 6]);

    let mut screen = live(&app, &officer).await;
    screen
        .send(&json!({ "type": "resume", "accounts": { account.to_string(): 2 } }))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut events = Vec::new();
    loop {
        let f = frame(&mut screen).await;
        match f["type"].as_str() {
            Some("event") => events.push((
                f["seq"].as_i64().unwrap_or_default(),
                f["event"].as_str().unwrap_or_default().to_owned(),
            )),
            Some("resumed") => break,
            _ => panic!("unexpected {f}"),
        }
    }
    let expected: Vec<(i64, String)> = vec![
        (3, "message".into()),
        (4, "message".into()),
        (5, "message".into()),
        (6, "message".into()),
        (7, "closed".into()),
    ];
    assert_eq!(events, expected);

    // Live again, with no repeats and no gaps.
    citizen_says(&app, &citizen, "m-7", "tin 7").await;
    let f = frame(&mut device).await;
    assert_eq!(
        (f["message"]["seq"].as_i64(), f["conversation"]["status"].as_str()),
        (Some(7), Some("open"))
    );
    let f = frame(&mut screen).await;
    assert_eq!((f["seq"].as_i64(), f["message"]["seq"].as_i64()), (Some(8), Some(7)));
    quiet(&mut device).await;
    quiet(&mut screen).await;

    // A stranger's conversation cannot be resumed.
    let neighbour = app.citizen_token(NEIGHBOUR).await;
    let mut other = live(&app, &neighbour).await;
    other
        .send(&json!({ "type": "resume", "conversations": { conversation.to_string(): 0 } }))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(frame(&mut other).await["code"], "not-found");
    assert_eq!(frame(&mut other).await["type"], "resumed");
}

async fn upload(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await;
    crate::helpers::answer(response).await
}

#[tokio::test]
async fn pictures_lose_their_location_and_only_the_conversation_may_download_them() {
    assert!(ketnoi_media::has_location_metadata(PHOTO), "the fixture carries GPS");
    let app = spawn_app(true).await;
    let citizen = app.citizen_token(CITIZEN).await;
    let path = format!("/api/v1/accounts/{ACCOUNT}/attachments?name=hien-truong.jpg");
    let (status, attachment) = upload(&app, &citizen, &path, "image/jpeg", PHOTO.to_vec()).await;
    assert_eq!(status, 201, "{attachment}");
    assert_eq!((attachment["width"].as_u64(), attachment["height"].as_u64()), (Some(64), Some(48)));
    let (status, sent) = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&citizen),
            Some(json!({ "client_msg_id": "photo-1", "attachment": attachment["id"], "text": "ảnh hiện trường" })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["message"]["kind"], "image");
    let url = sent["message"]["attachment"]["url"].as_str().unwrap_or_default().to_owned();

    let fetch = |token: Option<String>| {
        let mut req = app.client.get(app.url(&url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let mine = fetch(Some(citizen.clone())).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mine.status(), 200);
    assert_eq!(mine.headers()["content-type"], "image/jpeg");
    let stored = mine.bytes().await.unwrap_or_default();
    assert!(stored.starts_with(&[0xFF, 0xD8]));
    assert!(!ketnoi_media::has_location_metadata(&stored), "GPS must not be stored");
    assert!(!stored.windows(4).any(|w| w == b"GPS\0"));

    let officer =
        fetch(Some(app.staff_token(OFFICER).await)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(officer.status(), 200);
    let neighbour =
        fetch(Some(app.citizen_token(NEIGHBOUR).await)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(neighbour.status(), 404, "a stranger is not told the file exists");
    let outsider =
        fetch(Some(app.staff_token(OUTSIDER).await)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outsider.status(), 403);
    let anonymous = fetch(None).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(anonymous.status(), 401);

    // The neighbour cannot send someone else's attachment either.
    let neighbour = app.citizen_token(NEIGHBOUR).await;
    let (status, body) = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&neighbour),
            Some(json!({ "client_msg_id": "steal", "attachment": attachment["id"] })),
        )
        .await;
    assert_problem(&(status, body), 422, "bad-attachment");
}

#[tokio::test]
async fn bad_uploads_and_other_peoples_conversations_are_refused_and_change_nothing() {
    let app = spawn_app_with(true, |c| c.max_upload_bytes = 1024 * 1024).await;
    let citizen = app.citizen_token(CITIZEN).await;
    let path = format!("/api/v1/accounts/{ACCOUNT}/attachments");
    assert_problem(
        &upload(&app, &citizen, &path, "image/png", PHOTO.to_vec()).await,
        415,
        "upload-mismatch",
    );
    assert_problem(
        &upload(&app, &citizen, &path, "text/html", b"<script>alert(1)</script>".to_vec()).await,
        415,
        "upload-unsupported",
    );
    assert_problem(
        &upload(&app, &citizen, &path, "image/jpeg", vec![0xFF; 2 * 1024 * 1024]).await,
        413,
        "upload-too-large",
    );
    assert_problem(
        &upload(&app, &citizen, &path, "image/jpeg", Vec::new()).await,
        422,
        "upload-empty",
    );

    let (_, sent) = citizen_says(&app, &citizen, "a-1", "Xin chào").await;
    let conversation = sent["conversation"]["id"].as_i64().unwrap_or_default();
    let neighbour = app.citizen_token(NEIGHBOUR).await;
    assert_problem(
        &app.get(&format!("/api/v1/conversations/{conversation}"), Some(&neighbour)).await,
        404,
        "not-found",
    );
    assert_problem(&reply(&app, &neighbour, conversation, "x", "xen vào").await, 404, "not-found");
    assert_problem(
        &app.get("/api/v1/conversations/999999", Some(&citizen)).await,
        404,
        "not-found",
    );
    let outsider = app.staff_token(OUTSIDER).await;
    assert_problem(
        &app.get(&format!("/api/v1/conversations/{conversation}"), Some(&outsider)).await,
        403,
        "forbidden",
    );
    assert_problem(&reply(&app, &outsider, conversation, "x", "x").await, 403, "forbidden");
    let officer = app.staff_token(OFFICER).await;
    assert_problem(&citizen_says(&app, &officer, "x", "x").await, 403, "forbidden");
    assert_problem(
        &citizen_says(&app, &citizen, "có dấu", "x").await,
        422,
        "invalid-client-msg-id",
    );
    assert_problem(&citizen_says(&app, &citizen, "empty", "   ").await, 422, "invalid-length");
    let (_, history) =
        app.get(&format!("/api/v1/conversations/{conversation}/messages"), Some(&citizen)).await;
    assert_eq!(history["messages"].as_array().map(Vec::len), Some(1), "{history}");
    // Citizens cannot put buttons in their messages.
    let buttons = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&citizen),
            Some(json!({ "client_msg_id": "b", "text": "x", "buttons": [{"type": "link", "label": "x", "url": "/"}] })),
        )
        .await;
    assert_problem(&buttons, 403, "forbidden");
}

#[tokio::test]
async fn the_officer_inbox_lists_searches_and_closes() {
    let app = spawn_app(true).await;
    let citizen = app.citizen_token(CITIZEN).await;
    let neighbour = app.citizen_token(NEIGHBOUR).await;
    citizen_says(&app, &citizen, "1", "Nhà tôi bị mất trộm xe máy").await;
    citizen_says(&app, &neighbour, "1", "Hỏi về đăng ký tạm trú").await;
    let officer = app.staff_token(OFFICER).await;
    let inbox = |q: &str| {
        let path = format!("/api/v1/accounts/{ACCOUNT}/conversations?{q}");
        let officer = officer.clone();
        let app = &app;
        async move { app.get(&path, Some(&officer)).await }
    };
    let (status, all) = inbox("").await;
    assert_eq!(status, 200, "{all}");
    let labels: Vec<_> = all["conversations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["citizen_label"].clone())
        .collect();
    assert_eq!(labels, vec![json!("098****002"), json!("091****001")], "newest first");
    assert_eq!(all["conversations"][0]["unread"], 1);
    let (_, found) = inbox("q=mat%20trom").await;
    assert_eq!(found["conversations"].as_array().map(Vec::len), Some(1));
    assert_eq!(found["conversations"][0]["citizen_label"], "091****001");
    let (_, found) = inbox("q=002").await;
    assert_eq!(found["conversations"][0]["citizen_label"], "098****002");
    let id = found["conversations"][0]["id"].as_i64().unwrap_or_default();
    app.send(
        reqwest::Method::POST,
        &format!("/api/v1/conversations/{id}/close"),
        Some(&officer),
        None,
    )
    .await;
    let (_, open) = inbox("status=open").await;
    let (_, closed) = inbox("status=closed").await;
    assert_eq!(
        (
            open["conversations"].as_array().map(Vec::len),
            closed["conversations"].as_array().map(Vec::len)
        ),
        (Some(1), Some(1))
    );
    assert_problem(&inbox("status=archived").await, 422, "invalid-choice");
    let outsider = app.staff_token(OUTSIDER).await;
    assert_problem(
        &app.get(&format!("/api/v1/accounts/{ACCOUNT}/conversations"), Some(&outsider)).await,
        403,
        "forbidden",
    );
    // The citizen's list shows unread counts.
    reply(&app, &officer, id, "r", "Đã tiếp nhận").await;
    let (_, mine) = app.get("/api/v1/me/conversations", Some(&neighbour)).await;
    assert_eq!(mine["conversations"][0]["conversation"]["unread"], 1, "{mine}");
    assert_eq!(mine["conversations"][0]["account"]["slug"], ACCOUNT);
}

#[tokio::test]
async fn malformed_websocket_frames_close_with_a_reason_and_the_server_stays_up() {
    let app = spawn_app(true).await;
    let citizen = app.citizen_token(CITIZEN).await;
    for (bad, code) in [
        ("not json", 1007),
        (r#"{"type":"resume","conversations":"all"}"#, 1007),
        (r#"{"type":"subscribe"}"#, 1007),
    ] {
        let mut client = live(&app, &citizen).await;
        client.send_text(bad).await.unwrap_or_else(|e| panic!("{e}"));
        match client.next(WAIT).await {
            Ok(Next::Closed(Some((got, reason)))) => {
                assert_eq!(got, code, "{bad}");
                assert!(!reason.is_empty());
            }
            other => panic!("{bad}: expected a close, got {other:?}"),
        }
    }
    let mut client = live(&app, &citizen).await;
    client.send_binary(&[1, 2, 3]).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(client.next(WAIT).await, Ok(Next::Closed(Some((1003, _))))));
    // Still serving, and pings are answered.
    let mut client = live(&app, &citizen).await;
    client.send(&json!({ "type": "ping" })).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(frame(&mut client).await["type"], "pong");
    assert_eq!(app.get("/healthz", None).await.0, 200);
    // Nobody signed in, or a forged cross-site cookie connection, gets no socket.
    assert!(LiveClient::connect(&app.base, "ketnoi_s_nonsense").await.is_err());
    let request = app
        .client
        .get(app.url("/api/v1/ws"))
        .header("cookie", format!("ketnoi_session={citizen}"))
        .header("origin", "https://evil.example")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await;
    let answer = crate::helpers::answer(request).await;
    assert_problem(&answer, 403, "csrf-rejected");
}

#[tokio::test]
async fn a_flood_from_one_sender_is_slowed_down_and_the_refused_are_not_stored() {
    let app = spawn_app(true).await;
    let citizen = app.citizen_token(CITIZEN).await;
    let mut statuses = Vec::new();
    for i in 0..80 {
        let (status, body) = citizen_says(&app, &citizen, &format!("flood-{i}"), "spam").await;
        if status == 429 {
            assert_problem(&(status, body), 429, "too-many-requests");
        }
        statuses.push(status);
    }
    let accepted = statuses.iter().filter(|s| **s == 201).count();
    assert!((60..80).contains(&accepted), "{statuses:?}");
    assert!(statuses.contains(&429));
    let (_, mine) = app.get("/api/v1/me/conversations", Some(&citizen)).await;
    let id = mine["conversations"][0]["conversation"]["id"].as_i64().unwrap_or_default();
    let (_, page) =
        app.get(&format!("/api/v1/conversations/{id}/messages?limit=200"), Some(&citizen)).await;
    assert_eq!(page["messages"].as_array().map(Vec::len), Some(accepted));
    // Someone else is not slowed down by it.
    let neighbour = app.citizen_token(NEIGHBOUR).await;
    assert_eq!(citizen_says(&app, &neighbour, "n-1", "Xin chào").await.0, 201);
}

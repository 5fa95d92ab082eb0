//! Handing conversations over between accounts, and assigning them in turn (issue 18): a
//! commune's question escalated to the province arrives there with its history, live; the
//! citizen reads where it went as a system message and gets the province's answer in the same
//! conversation; the commune keeps reading it as chosen; the policy and the agency tree decide
//! where it may go. Conversations needing a person go in turn to the officers on duty, never to
//! those away.

use std::time::Duration;

use ketnoi::live::{LiveClient, Next};
use ketnoi_core::ConversationId;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, on_both};
use crate::pages::{Visitor, hidden};

const COMMUNE: &str = "ca-vi-xuyen";
const PROVINCE: &str = "ca-tuyen-quang";
/// The commune police's officer.
const OFFICER: &str = "cavixuyen.canbo";
/// The provincial police's administrator: handles the province's account and those below.
const PROVINCE_ADMIN: &str = "catinh.admin";
/// A viewer of another agency.
const OUTSIDER: &str = "ubndvixuyen.xem";
const WAIT: Duration = Duration::from_secs(10);

fn browser<'a>(app: &'a TestApp, token: &str) -> Visitor<'a> {
    let mut v = Visitor::new(app);
    v.cookies.insert(ketnoi_server::kernel::auth::SESSION_COOKIE.to_owned(), token.to_owned());
    v
}

async fn live(app: &TestApp, token: &str) -> LiveClient {
    LiveClient::connect(&app.base, token).await.unwrap_or_else(|e| panic!("{e:#}")).0
}

/// Reads frames until one satisfies `wanted`; every frame read is kept in `seen`.
async fn until(
    client: &mut LiveClient,
    seen: &mut Vec<Value>,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match client.next(left).await.unwrap_or_else(|e| panic!("{e:#}")) {
            Next::Frame(f) => {
                seen.push(f.clone());
                if wanted(&f) {
                    return f;
                }
            }
            other => panic!("no such frame before {other:?}; saw {seen:#?}"),
        }
    }
}

async fn account_id(app: &TestApp, slug: &str) -> i64 {
    let slug = ketnoi_core::Slug::parse(slug).unwrap_or_else(|e| panic!("{e}"));
    let found = app.store.account_by_slug(&slug).await.unwrap_or_else(|e| panic!("{e}"));
    found.map(|a| a.id.0).unwrap_or_else(|| panic!("no account {slug}"))
}

async fn staff_id(app: &TestApp, username: &str) -> i64 {
    let name = username.parse().unwrap_or_else(|e| panic!("{e}"));
    let found = app.store.staff_by_username(&name).await.unwrap_or_else(|e| panic!("{e}"));
    found.map(|(s, _)| s.id.0).unwrap_or_else(|| panic!("no {username}"))
}

/// The conversation as stored: its handler and assignee.
async fn placed(app: &TestApp, id: i64) -> (i64, Option<i64>) {
    let c = app.store.conversation(ConversationId(id)).await.unwrap_or_else(|e| panic!("{e}"));
    let c = c.unwrap_or_else(|| panic!("no conversation {id}"));
    (c.handler.0, c.assignee.map(|s| s.0))
}

async fn transfers(app: &TestApp, id: i64) -> usize {
    app.store.transfers(ConversationId(id)).await.unwrap_or_else(|e| panic!("{e}")).len()
}

/// The citizen writes to an account; returns the conversation.
async fn ask(app: &TestApp, token: &str, account: &str, client: &str, text: &str) -> i64 {
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{account}/messages"),
            Some(token),
            Some(json!({ "client_msg_id": client, "text": text })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    sent["conversation"]["id"].as_i64().unwrap_or_default()
}

async fn transfer_api(app: &TestApp, token: Option<&str>, id: i64, body: Value) -> (u16, Value) {
    app.send(Method::POST, &format!("/api/v1/conversations/{id}/transfer"), token, Some(body)).await
}

async fn an_escalated_conversation_arrives_with_its_history_and_the_citizen_is_told_body(
    app: &TestApp,
) {
    let (commune, province) = (account_id(app, COMMUNE).await, account_id(app, PROVINCE).await);
    let citizen = app.citizen_token("0912000081").await;
    let id =
        ask(app, &citizen, COMMUNE, "q-1", "Tôi muốn khiếu nại quyết định xử phạt của xã").await;
    let mut citizen_live = live(app, &citizen).await;
    let province_token = app.staff_token(PROVINCE_ADMIN).await;
    let mut province_live = live(app, &province_token).await;
    let mut citizen_seen = Vec::new();
    let mut province_seen = Vec::new();

    // The commune officer finds the province among the places it may go, on the page.
    let officer = app.staff_token(OFFICER).await;
    let mut page = browser(app, &officer);
    let (status, html, _) = page.get(&format!("/console/c/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-transfer-form") && html.contains("Cấp trên"), "{html}");
    assert!(html.contains(&format!("value=\"{PROVINCE}\"")), "{html}");
    assert!(!html.contains("value=\"tinh-doan-tuyen-quang\""), "another tree is not offered");

    // Refused without changing anything: another agency tree, the account it is already in,
    // an unknown account, a note over the limit; strangers and nobody.
    for (body, code) in [
        (json!({ "account": "tinh-doan-tuyen-quang" }), "transfer-not-allowed"),
        (json!({ "account": COMMUNE }), "transfer-already-there"),
        (json!({ "account": "khong-co-tai-khoan-nay" }), "transfer-not-allowed"),
        (json!({ "account": "Không hợp lệ!" }), "transfer-not-allowed"),
        (json!({ "account": PROVINCE, "reason": "x".repeat(501) }), "transfer-reason-too-long"),
    ] {
        let got = transfer_api(app, Some(&officer), id, body.clone()).await;
        assert_problem(&got, 422, code);
    }
    let outsider = app.staff_token(OUTSIDER).await;
    assert_problem(
        &transfer_api(app, Some(&outsider), id, json!({ "account": PROVINCE })).await,
        404,
        "not-found",
    );
    let anonymous = transfer_api(app, None, id, json!({ "account": PROVINCE })).await;
    assert_eq!(anonymous.0, 401, "{}", anonymous.1);
    let unknown_field = transfer_api(app, Some(&officer), id, json!({ "to": PROVINCE })).await;
    assert_problem(&unknown_field, 400, "malformed-request");
    assert_eq!((placed(app, id).await.0, transfers(app, id).await), (commune, 0));

    // Escalated from the page, without JavaScript, with a note for the province.
    let reason = "Vượt thẩm quyền của xã, đề nghị tỉnh xem xét GHICHUCHUYEN";
    let (status, _, location) = page
        .post(
            &format!("/console/c/{id}/transfer"),
            &[
                ("csrf", &hidden(&html, "csrf")),
                ("account", PROVINCE),
                ("reason", reason),
                ("keep_read", "yes"),
            ],
        )
        .await;
    assert_eq!(status.as_u16(), 303);
    assert_eq!(location.as_deref(), Some("/console/a/ca-vi-xuyen/inbox?done=transferred"));
    let (_, inbox_html, _) = page.get("/console/a/ca-vi-xuyen/inbox?done=transferred").await;
    assert!(inbox_html.contains("Đã chuyển cuộc trò chuyện."), "{inbox_html}");
    assert!(!inbox_html.contains(&format!("/console/c/{id}\"")), "it left the commune's inbox");
    assert_eq!(placed(app, id).await.0, province);

    // The citizen is told, live, in the same conversation.
    let notice = until(&mut citizen_live, &mut citizen_seen, |f| {
        f["type"] == "message" && f["message"]["kind"] == "system"
    })
    .await;
    let told = notice["message"]["text"].as_str().unwrap_or_default();
    assert!(told.contains("Công an tỉnh Tuyên Quang"), "{notice}");
    assert_eq!(notice["conversation"]["id"], json!(id));
    // The commune's inbox hears that it left; the province's officers see it arrive.
    let left = until(&mut province_live, &mut province_seen, |f| {
        f["account"] == json!(commune) && f["event"] == "transferred"
    })
    .await;
    assert_eq!(left["conversation"]["id"], json!(id));
    let arrived = until(&mut province_live, &mut province_seen, |f| {
        f["account"] == json!(province) && f["event"] == "message"
    })
    .await;
    assert_eq!(arrived["conversation"]["handler"], json!(province));
    assert_eq!(arrived["message"]["kind"], "system");

    // The province holds it with its whole history and the note, waiting for a person.
    let (status, listed) =
        app.get(&format!("/api/v1/accounts/{PROVINCE}/conversations"), Some(&province_token)).await;
    assert_eq!(status, 200, "{listed}");
    assert!(listed.to_string().contains(&format!("\"id\":{id}")), "{listed}");
    let (status, history) =
        app.get(&format!("/api/v1/conversations/{id}/messages"), Some(&province_token)).await;
    assert_eq!(status, 200, "{history}");
    let texts = history.to_string();
    assert!(
        texts.contains("khiếu nại quyết định xử phạt") && texts.contains("\"system\""),
        "{texts}"
    );
    let (status, province_page, _) =
        browser(app, &province_token).get(&format!("/console/c/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        province_page.contains(reason) && province_page.contains("Chuyển lên"),
        "{province_page}"
    );
    assert!(province_page.contains("người dân nhắn tới Công an xã Vị Xuyên"), "{province_page}");
    assert!(province_page.contains("data-composer"), "the province answers");

    // The province answers; the citizen reads it live.
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&province_token),
            Some(json!({ "client_msg_id": "tinh-1", "text": "Tỉnh đã nhận và sẽ trả lời trong 5 ngày." })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    let answer = until(&mut citizen_live, &mut citizen_seen, |f| {
        f["message"]["text"] == "Tỉnh đã nhận và sẽ trả lời trong 5 ngày."
    })
    .await;
    assert_eq!(answer["message"]["side"], "account");

    // The commune keeps reading, and only reading.
    let (status, commune_page, _) = page.get(&format!("/console/c/{id}")).await;
    assert_eq!(status, 200);
    assert!(commune_page.contains("Tỉnh đã nhận") && !commune_page.contains("data-composer"));
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&officer),
            Some(json!({ "client_msg_id": "xa-2", "text": "Xã bổ sung" })),
        )
        .await;
    assert_eq!(status, 403);
    // Nor may it send the conversation on: it is the province's now.
    assert_problem(
        &transfer_api(app, Some(&officer), id, json!({ "account": COMMUNE })).await,
        404,
        "not-found",
    );

    // The note to the province never reaches the citizen.
    let (_, mine) = app.get(&format!("/api/v1/conversations/{id}/messages"), Some(&citizen)).await;
    let (_, citizen_page, _) = browser(app, &citizen).get("/a/ca-vi-xuyen/chat").await;
    for surface in [mine.to_string(), citizen_page, format!("{citizen_seen:?}")] {
        assert!(!surface.contains("GHICHUCHUYEN"), "{surface}");
    }
    assert!(!format!("{citizen_seen:?}").contains("\"transferred\""));

    // The province sends it back down, without leaving itself read access.
    let (status, back) = transfer_api(
        app,
        Some(&province_token),
        id,
        json!({ "account": COMMUNE, "keep_read": false, "reason": "Xã giải quyết tiếp" }),
    )
    .await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["handler"], json!(commune));
    let down = until(&mut citizen_live, &mut citizen_seen, |f| {
        f["message"]["kind"] == "system"
            && f["message"]["text"].as_str().is_some_and(|t| t.contains("chuyển về"))
    })
    .await;
    assert!(down["message"]["text"].as_str().unwrap_or_default().contains("Công an xã Vị Xuyên"));
    assert_eq!(transfers(app, id).await, 2);
    let (status, again, _) = page.get(&format!("/console/c/{id}")).await;
    assert_eq!(status, 200);
    assert!(again.contains("data-composer") && again.contains("Chuyển về"), "{again}");
    // The citizen's conversation was one conversation throughout.
    let (_, theirs) = app.get("/api/v1/me/conversations", Some(&citizen)).await;
    let ids: Vec<i64> = theirs["conversations"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["conversation"]["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(ids.iter().filter(|c| **c == id).count(), 1, "{theirs}");
}

async fn conversations_go_in_turn_to_officers_on_duty_body(app: &TestApp) {
    let admin = app.staff_token(PROVINCE_ADMIN).await;
    let officer = app.staff_token(OFFICER).await;
    // Only those who may edit the account turn automatic assignment on (inbox settings).
    let inbox = format!("/console/a/{COMMUNE}/inbox");
    let mut officer_page = browser(app, &officer);
    let (_, html, _) = officer_page.get(&inbox).await;
    assert!(!html.contains("data-inbox-settings-form"), "an officer does not see the settings");
    let url = format!("{inbox}/settings");
    let csrf = hidden(&html, "csrf");
    let (status, _, _) = officer_page
        .post(
            &url,
            &[("csrf", csrf.as_str()), ("auto", "on"), ("office_hours", ""), ("target", "240")],
        )
        .await;
    assert_eq!(status.as_u16(), 403);
    let mut admin_page = browser(app, &admin);
    let (_, html, _) = admin_page.get(&inbox).await;
    assert!(html.contains("data-inbox-settings-form"), "{html}");
    let csrf = hidden(&html, "csrf");
    let commune = ketnoi_core::AccountId(account_id(app, COMMUNE).await);
    for (auto, hours, target) in
        [("maybe", "", "240"), ("on", "cả tuần", "240"), ("on", "", "3"), ("on", "", "bốn")]
    {
        let fields =
            [("csrf", csrf.as_str()), ("auto", auto), ("office_hours", hours), ("target", target)];
        let (status, body, _) = admin_page.post(&url, &fields).await;
        assert_eq!(status.as_u16(), 422, "{auto} {hours} {target}: {body}");
    }
    let unchanged = app.store.inbox_settings(commune).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        unchanged,
        Some(ketnoi_store::InboxSettings::default()),
        "bad values change nothing"
    );
    let fields = [
        ("csrf", csrf.as_str()),
        ("auto", "on"),
        ("office_hours", "T2-T7 07:00-11:30"),
        ("target", "120"),
    ];
    let (status, _, location) = admin_page.post(&url, &fields).await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some("/console/a/ca-vi-xuyen/inbox?done=settings"))
    );
    let saved = app.store.inbox_settings(commune).await.ok().flatten().unwrap_or_default();
    assert!(saved.auto_assign);
    assert_eq!(
        (saved.office_hours.to_text(), saved.response_target_minutes),
        ("T2-T7 07:00-11:30".to_owned(), 120)
    );
    // The same through the API.
    let (status, got) =
        app.get(&format!("/api/v1/accounts/{COMMUNE}/inbox-settings"), Some(&admin)).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(
        got,
        json!({ "auto_assign": true, "office_hours": "T2-T7 07:00-11:30", "response_target_minutes": 120 })
    );
    let (status, _) =
        app.get(&format!("/api/v1/accounts/{COMMUNE}/inbox-settings"), Some(&officer)).await;
    assert_eq!(status, 403);

    // Who may handle the commune: its officer Lan, a second officer Nam, the province's
    // administrator and the platform administrator; the two administrators are away.
    let grants = [(COMMUNE.to_owned(), ketnoi_core::Role::Officer)];
    let nam = ketnoi::admin::create_staff(
        app.store.as_ref(),
        "cavixuyen.nam",
        "Phạm Văn Nam",
        "mat-khau-cua-nam-2026",
        false,
        &grants,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"))
    .id;
    let lan = ketnoi_core::StaffId(staff_id(app, OFFICER).await);
    for away in [PROVINCE_ADMIN, "quantri"] {
        let who = ketnoi_core::StaffId(staff_id(app, away).await);
        app.store.set_staff_away(who, true).await.unwrap_or_else(|e| panic!("{e}"));
    }
    // Lan watches her inbox: her assignments arrive live.
    let mut lan_live = live(app, &officer).await;
    let mut lan_seen = Vec::new();

    let assigned_to = |id: i64| async move {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let (_, Some(who)) = placed(app, id).await {
                return who;
            }
            assert!(tokio::time::Instant::now() < deadline, "conversation {id} was never assigned");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let mut order = Vec::new();
    for n in 0..4 {
        let citizen = app.citizen_token(&format!("09120001{n:02}")).await;
        let id = ask(app, &citizen, COMMUNE, "q", "Cho hỏi thủ tục đăng ký thường trú").await;
        // A second message before the first assignment lands does not take another turn.
        ask(app, &citizen, COMMUNE, "q2", "Xin cảm ơn").await;
        order.push(assigned_to(id).await);
    }
    let (first, second) = if lan.0 < nam.0 { (lan.0, nam.0) } else { (nam.0, lan.0) };
    assert_eq!(order, vec![first, second, first, second], "in turn, skipping those away");
    let event = until(&mut lan_live, &mut lan_seen, |f| {
        f["event"] == "assigned" && f["conversation"]["assignee_id"] == json!(lan.0)
    })
    .await;
    assert_eq!(event["account"], json!(commune.0));

    // Nam goes away: everything goes to Lan.
    app.store.set_staff_away(nam, true).await.unwrap_or_else(|e| panic!("{e}"));
    for n in 4..6 {
        let citizen = app.citizen_token(&format!("09120001{n:02}")).await;
        let id = ask(app, &citizen, COMMUNE, "q", "Cho hỏi giờ làm việc").await;
        assert_eq!(assigned_to(id).await, lan.0);
    }
    // Everybody away: conversations wait unassigned.
    app.store.set_staff_away(lan, true).await.unwrap_or_else(|e| panic!("{e}"));
    let citizen = app.citizen_token("0912000199").await;
    let id = ask(app, &citizen, COMMUNE, "q", "Có ai trực không?").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(placed(app, id).await.1, None);
    // Someone assigned by hand keeps it when the turn comes round.
    app.store.set_staff_away(lan, false).await.unwrap_or_else(|e| panic!("{e}"));
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{id}/assignee"),
            Some(&officer),
            Some(json!({ "staff_id": nam.0 })),
        )
        .await;
    assert_eq!(status, 200);
    ask(app, &citizen, COMMUNE, "q2", "Tôi chờ").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(placed(app, id).await.1, Some(nam.0));
}

on_both!(
    an_escalated_conversation_arrives_with_its_history_and_the_citizen_is_told =>
        an_escalated_conversation_arrives_with_its_history_and_the_citizen_is_told_body,
    conversations_go_in_turn_to_officers_on_duty => conversations_go_in_turn_to_officers_on_duty_body,
);

/// 2026-11-30 00:00 in Vietnam (a Monday), plus days, hours and minutes.
fn vn(day: i64, hour: i64, minute: i64) -> ketnoi_core::Timestamp {
    let monday = 1_795_996_800_000 - 7 * 3_600_000;
    ketnoi_core::Timestamp(monday + day * 86_400_000 + hour * 3_600_000 + minute * 60_000)
}

/// A message written at a given time, straight through the store (the past cannot be sent
/// through the API).
async fn written(
    app: &TestApp,
    to: ketnoi_store::Recipient,
    author: ketnoi_core::Author,
    client: &str,
    at: ketnoi_core::Timestamp,
) -> ketnoi_core::Conversation {
    let write = ketnoi_store::ChatWrite::Send {
        to,
        author,
        author_name: "Cán bộ".into(),
        client_msg_id: ketnoi_core::ClientMsgId::parse(client).unwrap_or_else(|e| panic!("{e}")),
        content: ketnoi_core::Content::text("Nội dung").unwrap_or_else(|e| panic!("{e}")),
        at,
        bot: None,
    };
    match app.store.apply_chat(&[write]).await.unwrap_or_else(|e| panic!("{e}")).remove(0) {
        Ok(ketnoi_store::ChatApplied::Sent { conversation, .. }) => conversation,
        other => panic!("{other:?}"),
    }
}

async fn response_times_count_office_hours_and_overdue_conversations_stand_out_body(app: &TestApp) {
    let commune = ketnoi_core::AccountId(account_id(app, COMMUNE).await);
    let officer = app.staff_token(OFFICER).await;
    let lan = ketnoi_core::Author::Staff(ketnoi_core::StaffId(staff_id(app, OFFICER).await));
    let citizen = |phone: &'static str| async move {
        let phone = ketnoi_core::Phone::parse(phone).unwrap_or_else(|e| panic!("{e}"));
        let c = app.store.citizen_for_phone(&phone, ketnoi_core::Timestamp::now()).await;
        c.unwrap_or_else(|e| panic!("{e}")).id
    };
    let to_commune = || ketnoi_store::Recipient::Account {
        account: commune,
        citizen_label: "091****200".into(),
    };
    // Asked on Friday at 16:00, answered on Monday at 08:00, closed on Monday at 14:00: an hour
    // on Friday and half an hour on Monday to the first answer; five and a half hours (one on
    // Friday, four on Monday morning, half an hour after lunch) to the settlement.
    let answered = written(
        app,
        to_commune(),
        ketnoi_core::Author::Citizen(citizen("0912000200").await),
        "c-1",
        vn(4, 16, 0),
    )
    .await;
    let id = answered.id;
    written(app, ketnoi_store::Recipient::Conversation(id), lan, "s-1", vn(7, 8, 0)).await;
    let close = ketnoi_store::ChatWrite::SetStatus {
        conversation: id,
        status: ketnoi_core::ConversationStatus::Closed,
        at: vn(7, 14, 0),
    };
    app.store.apply_chat(&[close]).await.unwrap_or_else(|e| panic!("{e}"));
    let (status, detail) =
        app.get(&format!("/api/v1/conversations/{}", id.0), Some(&officer)).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["response"]["first_response_minutes"], json!(90), "{detail}");
    assert_eq!(detail["response"]["resolution_minutes"], json!(330), "{detail}");
    assert_eq!(detail["response"]["overdue"], json!(false));
    let (_, page, _) = browser(app, &officer).get(&format!("/console/c/{}", id.0)).await;
    assert!(page.contains("1 giờ 30 phút") && page.contains("5 giờ 30 phút"), "{page}");
    // The citizen never sees response figures.
    let citizen_token = app.citizen_token("0912000200").await;
    let (_, theirs) =
        app.get(&format!("/api/v1/conversations/{}", id.0), Some(&citizen_token)).await;
    assert!(theirs.get("response").is_none(), "{theirs}");

    // Asked last week and never answered: overdue, listed and counted apart; a question asked
    // just now is not.
    let late = written(
        app,
        to_commune(),
        ketnoi_core::Author::Citizen(citizen("0912000201").await),
        "c-2",
        vn(2, 9, 0),
    )
    .await;
    let fresh =
        ask(app, &app.citizen_token("0912000202").await, COMMUNE, "c-3", "Vừa hỏi xong").await;
    let (status, listed) = app
        .get(&format!("/api/v1/accounts/{COMMUNE}/conversations?overdue=true"), Some(&officer))
        .await;
    assert_eq!(status, 200, "{listed}");
    let ids: Vec<i64> = listed["conversations"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(ids, vec![late.id.0], "{listed}");
    let (_, all) =
        app.get(&format!("/api/v1/accounts/{COMMUNE}/conversations"), Some(&officer)).await;
    let flag = |id: i64| {
        all["conversations"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["id"] == json!(id)).map(|c| c["overdue"].clone()))
    };
    assert_eq!((flag(late.id.0), flag(fresh)), (Some(json!(true)), Some(json!(false))), "{all}");
    let (_, inbox, _) = browser(app, &officer).get(&format!("/console/a/{COMMUNE}/inbox")).await;
    assert!(inbox.contains("data-count=\"overdue\">(1)"), "{inbox}");
    assert_eq!(inbox.matches("data-overdue").count(), 1, "{inbox}");
    let (_, page, _) = browser(app, &officer).get(&format!("/console/c/{}", late.id.0)).await;
    assert!(page.contains("đã quá hạn"), "{page}");
    // A bad overdue value is refused.
    let (status, _) = app
        .get(&format!("/api/v1/accounts/{COMMUNE}/conversations?overdue=perhaps"), Some(&officer))
        .await;
    assert_eq!(status, 400);
}

mod response_times {
    use super::*;

    on_both!(
        response_times_count_office_hours_and_overdue_conversations_stand_out =>
            response_times_count_office_hours_and_overdue_conversations_stand_out_body,
    );
}

/// A page's form fields, ready to post.
fn composer(html: &str, text: &str) -> Vec<(String, String)> {
    ["csrf", "client_msg_id", "after_seq"]
        .iter()
        .map(|f| ((*f).to_owned(), hidden(html, f)))
        .chain([("text".to_owned(), text.to_owned())])
        .collect()
}

async fn a_reply_after_a_colleagues_answer_warns_instead_of_duplicating_body(app: &TestApp) {
    let citizen = app.citizen_token("0912000300").await;
    let id = ask(app, &citizen, COMMUNE, "q-1", "Cho hỏi lịch tiếp dân tuần này").await;
    let lan = app.staff_token(OFFICER).await;
    let hung = app.staff_token(PROVINCE_ADMIN).await;
    // Lan opens the conversation; meanwhile Hùng answers.
    let mut page = browser(app, &lan);
    let (_, html, _) = page.get(&format!("/console/c/{id}")).await;
    assert_eq!(hidden(&html, "after_seq"), "1", "{html}");
    let send = |token: &str, client: &str, after: Option<i64>| {
        let body = json!({ "client_msg_id": client, "text": "Lịch tiếp dân: sáng thứ Ba", "after_seq": after });
        let path = format!("/api/v1/conversations/{id}/messages");
        let token = token.to_owned();
        async move { app.send(Method::POST, &path, Some(&token), Some(body)).await }
    };
    assert_eq!(send(&hung, "h-1", Some(1)).await.0, 201);

    // Lan's reply from the page is held back: the page shows Hùng's answer and keeps her draft.
    let fields = composer(&html, "Lịch tiếp dân là chiều thứ Tư");
    let borrowed: Vec<(&str, &str)> =
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, again, _) =
        page.post_multipart(&format!("/console/c/{id}/reply"), &borrowed).await;
    assert_eq!(status.as_u16(), 409, "{again}");
    assert!(again.contains("Một cán bộ khác vừa trả lời"), "{again}");
    assert!(again.contains("sáng thứ Ba") && again.contains("chiều thứ Tư"), "{again}");
    let stored = app
        .store
        .messages(ConversationId(id), ketnoi_store::MessageRange::Latest { limit: 10 })
        .await;
    assert_eq!(stored.map(|m| m.len()).unwrap_or_default(), 2, "nothing sent");
    // Sending again from the page that shows the answer is deliberate, and goes through.
    let fields = composer(&again, "Lịch tiếp dân là chiều thứ Tư");
    let borrowed: Vec<(&str, &str)> =
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, _) = page.post_multipart(&format!("/console/c/{id}/reply"), &borrowed).await;
    assert_eq!(status.as_u16(), 303);

    // Through the API: a stale number is refused; one's own answers, an up-to-date number or
    // none at all are not.
    assert_problem(&send(&hung, "h-2", Some(2)).await, 409, "reply-stale");
    assert_eq!(send(&lan, "l-2", Some(3)).await.0, 201, "her own reply does not count");
    assert_eq!(send(&hung, "h-3", Some(4)).await.0, 201);
    assert_eq!(send(&hung, "h-4", None).await.0, 201);
    let count = app
        .store
        .messages(ConversationId(id), ketnoi_store::MessageRange::Latest { limit: 20 })
        .await;
    assert_eq!(count.map(|m| m.len()).unwrap_or_default(), 6);
}

async fn officers_see_each_other_viewing_and_typing_and_the_citizen_does_not_body(app: &TestApp) {
    let citizen = app.citizen_token("0912000500").await;
    let id = ask(app, &citizen, COMMUNE, "q-1", "Cho hỏi thủ tục tạm vắng").await;
    let (lan, hung) = (app.staff_token(OFFICER).await, app.staff_token(PROVINCE_ADMIN).await);
    let (mut lan_live, mut hung_live) = (live(app, &lan).await, live(app, &hung).await);
    let mut citizen_live = live(app, &citizen).await;
    let outsider = app.staff_token(OUTSIDER).await;
    let mut outsider_live = live(app, &outsider).await;
    let presence = |state: &str| json!({ "type": "presence", "conversation": id, "state": state });

    // Opening the conversation and starting to type at once: both go on (a regression: a
    // change of state right after another was once dropped as too soon).
    lan_live.send(&presence("viewing")).await.unwrap_or_else(|e| panic!("{e:#}"));
    lan_live.send(&presence("typing")).await.unwrap_or_else(|e| panic!("{e:#}"));
    let mut seen = Vec::new();
    let viewing = until(&mut hung_live, &mut seen, |f| f["type"] == "presence").await;
    assert_eq!(viewing["state"], "viewing");
    let got = until(&mut hung_live, &mut seen, |f| f["type"] == "presence").await;
    assert_eq!((got["conversation"].clone(), got["state"].clone()), (json!(id), json!("typing")));
    assert_eq!(got["name"], "Nguyễn Thị Lan");
    assert_eq!(got["staff"], json!(staff_id(app, OFFICER).await));
    // A burst is thinned to one a second; leaving always goes.
    for _ in 0..5 {
        lan_live.send(&presence("typing")).await.unwrap_or_else(|e| panic!("{e:#}"));
    }
    lan_live.send(&presence("left")).await.unwrap_or_else(|e| panic!("{e:#}"));
    let left = until(&mut hung_live, &mut seen, |f| f["state"] == "left").await;
    assert_eq!(left["conversation"], json!(id));
    let typed = seen.iter().filter(|f| f["state"] == "typing").count();
    assert_eq!(typed, 1, "{seen:#?}");

    // Never to the citizen, nor to an officer of another agency, who is refused.
    let quiet = citizen_live.next(Duration::from_millis(500)).await;
    assert!(matches!(quiet, Ok(Next::Timeout)), "{quiet:?}");
    outsider_live.send(&presence("viewing")).await.unwrap_or_else(|e| panic!("{e:#}"));
    let refused = outsider_live.frame(WAIT).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        (refused["type"].clone(), refused["code"].clone()),
        (json!("error"), json!("forbidden"))
    );
    // A citizen may not signal presence; a bad state closes the connection as malformed.
    citizen_live.send(&presence("viewing")).await.unwrap_or_else(|e| panic!("{e:#}"));
    let refused = citizen_live.frame(WAIT).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(refused["code"], "forbidden");
    hung_live.send(&presence("dancing")).await.unwrap_or_else(|e| panic!("{e:#}"));
    let closed = loop {
        match hung_live.next(WAIT).await.unwrap_or_else(|e| panic!("{e:#}")) {
            Next::Frame(_) => continue,
            other => break other,
        }
    };
    assert!(matches!(closed, Next::Closed(Some((1007, _)))), "{closed:?}");
}

mod collision {
    use super::*;

    on_both!(
        a_reply_after_a_colleagues_answer_warns_instead_of_duplicating =>
            a_reply_after_a_colleagues_answer_warns_instead_of_duplicating_body,
        officers_see_each_other_viewing_and_typing_and_the_citizen_does_not =>
            officers_see_each_other_viewing_and_typing_and_the_citizen_does_not_body,
    );
}

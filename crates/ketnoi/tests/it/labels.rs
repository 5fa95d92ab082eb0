//! Labels on conversations (issue 18): added and removed on the officer's page without
//! JavaScript and replaced through the API, filtering the inbox with or without diacritics, and
//! never seen on any surface the citizen reaches: pages, API answers, WebSocket frames.

use std::time::Duration;

use ketnoi::live::{LiveClient, Next};
use ketnoi_core::ConversationId;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, on_both};
use crate::pages::{Visitor, hidden};

const ACCOUNT: &str = "ca-vi-xuyen";
const CITIZEN: &str = "0912000073";
const NEIGHBOUR: &str = "0912000074";
/// An officer of Vị Xuyên's police, who handles the account's conversations.
const OFFICER: &str = "cavixuyen.canbo";
/// The provincial police's administrator: handles them too, through the agency tree.
const COLLEAGUE: &str = "catinh.admin";
/// A viewer of another agency, with no access to the account.
const OUTSIDER: &str = "ubndvixuyen.xem";
const WAIT: Duration = Duration::from_secs(10);

/// A label no other test writes, so that finding it anywhere means a label leaked.
fn marker() -> String {
    let hex: String = (0..6).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
    format!("NHANNOIBO{hex}")
}

/// A citizen asks the account something; returns their token and the conversation.
async fn ask(app: &TestApp, phone: &str, text: &str) -> (String, i64) {
    let token = app.citizen_token(phone).await;
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&token),
            Some(json!({ "client_msg_id": format!("ask-{phone}"), "text": text })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    (token, sent["conversation"]["id"].as_i64().unwrap_or_default())
}

async fn put_labels(app: &TestApp, token: Option<&str>, id: i64, body: Value) -> (u16, Value) {
    app.send(Method::PUT, &format!("/api/v1/conversations/{id}/labels"), token, Some(body)).await
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str()).map(str::to_owned).collect()
}

/// A browser signed in with a session token.
fn browser<'a>(app: &'a TestApp, token: &str) -> Visitor<'a> {
    let mut v = Visitor::new(app);
    v.cookies.insert(ketnoi_server::kernel::auth::SESSION_COOKIE.to_owned(), token.to_owned());
    v
}

/// The labels stored on a conversation.
async fn stored(app: &TestApp, id: i64) -> Vec<String> {
    let found = app.store.labels(ConversationId(id)).await.unwrap_or_else(|e| panic!("{e}"));
    found.into_iter().map(|l| l.to_string()).collect()
}

/// The ids an inbox API answer lists.
fn listed(answer: &Value) -> Vec<i64> {
    answer["conversations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_i64())
        .collect()
}

async fn labels_are_kept_on_page_and_api_filter_the_inbox_and_never_reach_a_citizen_body(
    app: &TestApp,
) {
    let mark = marker();
    let (citizen, first) = ask(app, CITIZEN, "Cho hỏi thủ tục đăng ký tạm trú").await;
    let (_, second) = ask(app, NEIGHBOUR, "Tôi muốn gửi đơn").await;
    let mut socket =
        LiveClient::connect(&app.base, &citizen).await.unwrap_or_else(|e| panic!("{e:#}")).0;
    let officer = app.staff_token(OFFICER).await;

    // On the page, without JavaScript: none yet, then one added, with a notice.
    let mut page = browser(app, &officer);
    let (status, html, _) = page.get(&format!("/console/c/{first}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("data-labels-empty") && html.contains("list=\"labels-in-use\""),
        "{html}"
    );
    let (status, _, location) = page
        .post(
            &format!("/console/c/{first}/labels"),
            &[("csrf", &hidden(&html, "csrf")), ("label", "  Cư   trú ")],
        )
        .await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some(format!("/console/c/{first}?done=label-added#labels").as_str()))
    );
    let (_, html, _) = page.get(&format!("/console/c/{first}?done=label-added")).await;
    assert!(html.contains("Đã thêm nhãn."), "no notice: {html}");
    assert!(html.contains("<span>Cư trú</span>"), "{html}");
    // The same label again, spelt without marks, changes nothing.
    page.post(
        &format!("/console/c/{first}/labels"),
        &[("csrf", &hidden(&html, "csrf")), ("label", "cu tru")],
    )
    .await;
    assert_eq!(stored(app, first).await, vec!["Cư trú"]);

    // Through the API: a set replaces, spellings of one label collapse to the first.
    let (status, set) = put_labels(
        app,
        Some(&officer),
        second,
        json!({ "labels": ["CCCD", "cccd", "Khiếu nại", mark] }),
    )
    .await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(
        strings(&set["labels"]),
        vec!["CCCD".to_owned(), "Khiếu nại".to_owned(), mark.clone()]
    );
    let colleague = app.staff_token(COLLEAGUE).await;
    let (status, set) =
        put_labels(app, Some(&colleague), first, json!({ "labels": ["Cư trú", "cccd", mark] }))
            .await;
    assert_eq!(status, 200, "{set}");
    let (status, got) =
        app.get(&format!("/api/v1/conversations/{first}/labels"), Some(&officer)).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(strings(&got["labels"]), vec!["cccd".to_owned(), "Cư trú".to_owned(), mark.clone()]);

    // The inbox API filters on the folded label and lists each conversation's labels.
    let inbox = |label: &str| format!("/api/v1/accounts/{ACCOUNT}/conversations?label={label}");
    for (label, expected) in [
        ("cu%20tru", vec![first]),
        ("C%C6%AF%20TR%C3%9A", vec![first]),
        ("cccd", vec![second, first]),
        ("khieu%20nai", vec![second]),
        ("hoc%20phi", vec![]),
    ] {
        let (status, answer) = app.get(&inbox(label), Some(&officer)).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(listed(&answer), expected, "{label}");
    }
    let (_, answer) = app.get(&inbox("khieu%20nai"), Some(&officer)).await;
    assert_eq!(
        strings(&answer["conversations"][0]["labels"]),
        vec!["CCCD".to_owned(), "Khiếu nại".to_owned(), mark.clone()]
    );
    let (_, all) =
        app.get(&format!("/api/v1/accounts/{ACCOUNT}/conversations"), Some(&officer)).await;
    assert_eq!(listed(&all), vec![second, first]);

    // The inbox page: the labels in use with their counts, rows with theirs, the filter.
    let (status, html, _) = page.get(&format!("/console/a/{ACCOUNT}/inbox")).await;
    assert_eq!(status, 200);
    for chip in
        ["CCCD <span data-label-count>(2)</span>", "Cư trú <span data-label-count>(1)</span>"]
    {
        assert!(html.contains(chip), "{chip}: {html}");
    }
    assert!(html.contains("<span class=\"label-chip\" data-row-label>Khiếu nại</span>"), "{html}");
    let (status, html, _) =
        page.get(&format!("/console/a/{ACCOUNT}/inbox?status=open&label=cu+tru")).await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("data-conversation-row").count(), 1, "{html}");
    assert!(html.contains(&format!("href=\"/console/c/{first}\"")), "{html}");
    assert!(html.contains("data-label-clear") && html.contains("aria-current=\"true\""), "{html}");

    // Removed on the page by its folded form.
    let (_, html, _) = page.get(&format!("/console/c/{first}")).await;
    let (status, _, location) = page
        .post(
            &format!("/console/c/{first}/labels/remove"),
            &[("csrf", &hidden(&html, "csrf")), ("label", "CU TRU")],
        )
        .await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some(format!("/console/c/{first}?done=label-removed#labels").as_str()))
    );
    assert_eq!(stored(app, first).await, vec!["cccd".to_owned(), mark.clone()]);

    // Labelling moved nothing of the conversation: a real reply reaches the citizen's socket,
    // live all along, and no frame mentions a label.
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{first}/messages"),
            Some(&officer),
            Some(json!({ "client_msg_id": "reply-1", "text": "Mời anh mang giấy tờ đến trụ sở" })),
        )
        .await;
    assert_eq!(status, 201);
    let mut frames = Vec::new();
    loop {
        let f = socket.frame(WAIT).await.unwrap_or_else(|e| panic!("{e:#}"));
        let done = f["message"]["text"] == "Mời anh mang giấy tờ đến trụ sở";
        frames.push(f.to_string());
        if done {
            break;
        }
    }
    match socket.next(Duration::from_millis(300)).await {
        Ok(Next::Frame(f)) => frames.push(f.to_string()),
        Ok(_) => {}
        Err(e) => panic!("{e:#}"),
    }
    assert!(frames.iter().all(|f| !f.contains(&mark) && !f.contains("\"labels\"")), "{frames:?}");

    // Every page and answer the citizen gets.
    let mut own = browser(app, &citizen);
    let mut seen = Vec::new();
    for path in [format!("/a/{ACCOUNT}/chat"), "/me/conversations".to_owned()] {
        let (status, html, _) = own.get(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !html.contains("data-labels") && !html.contains("data-row-label"),
            "{path}: {html}"
        );
        seen.push((path, html));
    }
    for path in [
        "/api/v1/me/conversations".to_owned(),
        format!("/api/v1/conversations/{first}"),
        format!("/api/v1/conversations/{first}/messages"),
    ] {
        let (status, body) = app.get(&path, Some(&citizen)).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(!body.to_string().contains("\"labels\""), "{path}: {body}");
        seen.push((path, body.to_string()));
    }
    for (path, body) in &seen {
        assert!(!body.contains(&mark), "{path} shows a label: {body}");
    }

    // The citizen, an outsider and a viewer of the agency are told the conversation does not
    // exist; nobody signed in is asked to sign in. Nothing changes.
    let viewer = agency_viewer(app).await;
    for token in [&citizen, &app.staff_token(OUTSIDER).await, &viewer] {
        let got = app.get(&format!("/api/v1/conversations/{first}/labels"), Some(token)).await;
        assert_problem(&got, 404, "not-found");
        let got = put_labels(app, Some(token), first, json!({ "labels": [] })).await;
        assert_problem(&got, 404, "not-found");
    }
    let (status, _, _) = own
        .post(
            &format!("/console/c/{first}/labels"),
            &[("csrf", &hidden(&seen[0].1, "csrf")), ("label", "x")],
        )
        .await;
    assert_eq!(status.as_u16(), 404);
    assert_problem(
        &app.get(&format!("/api/v1/conversations/{first}/labels"), None).await,
        401,
        "unauthenticated",
    );
    assert_problem(
        &put_labels(app, None, first, json!({ "labels": [] })).await,
        401,
        "unauthenticated",
    );
    let (status, _, location) =
        Visitor::new(app).post(&format!("/console/c/{first}/labels"), &[("label", "x")]).await;
    assert_eq!(status.as_u16(), 303);
    assert!(location.is_some_and(|l| l.starts_with("/staff/sign-in")));
    assert_eq!(stored(app, first).await, vec!["cccd".to_owned(), mark.clone()]);
}

/// A viewer of the account's own agency: reads its conversations, may not handle them.
async fn agency_viewer(app: &TestApp) -> String {
    let grants = [(ACCOUNT.to_owned(), ketnoi_core::Role::Viewer)];
    let password = "mat-khau-nguoi-xem-2026";
    ketnoi::admin::create_staff(
        app.store.as_ref(),
        "cavixuyen.xem",
        "Lê Thị Xem",
        password,
        false,
        &grants,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let (status, signed) = app
        .post(
            "/api/v1/auth/staff/sign-in",
            json!({ "username": "cavixuyen.xem", "password": password }),
        )
        .await;
    assert_eq!(status, 200, "{signed}");
    signed["token"].as_str().unwrap_or_default().to_owned()
}

async fn bad_labels_are_refused_and_change_nothing_body(app: &TestApp) {
    let (_, id) = ask(app, CITIZEN, "Cho hỏi làm căn cước").await;
    let officer = app.staff_token(OFFICER).await;
    let (status, _) = put_labels(app, Some(&officer), id, json!({ "labels": ["CCCD"] })).await;
    assert_eq!(status, 200);

    // Through the API: each refusal a 422 with its code, and nothing changed.
    let too_long = "ư".repeat(41);
    for labels in [json!([""]), json!(["   "]), json!(["tốt", too_long]), json!(["a\u{7}b"])] {
        let got = put_labels(app, Some(&officer), id, json!({ "labels": labels })).await;
        assert_problem(&got, 422, "label-invalid");
    }
    let eleven: Vec<String> = (0..11).map(|i| format!("nhãn {i}")).collect();
    let got = put_labels(app, Some(&officer), id, json!({ "labels": eleven })).await;
    assert_problem(&got, 422, "too-many-labels");
    let got = put_labels(app, Some(&officer), id, json!({ "label": ["sai tên trường"] })).await;
    assert_problem(&got, 400, "malformed-request");
    let got = app
        .get(&format!("/api/v1/accounts/{ACCOUNT}/conversations?label={too_long}"), Some(&officer))
        .await;
    assert_problem(&got, 422, "label-invalid");
    assert_eq!(stored(app, id).await, vec!["CCCD"]);

    // Ten labels, whatever their repeats, are fine; exactly forty characters too.
    let mut ten: Vec<String> = (0..9).map(|i| format!("nhãn {i}")).collect();
    ten.push("ư".repeat(40));
    ten.push("NHÃN 0".to_owned());
    let (status, set) = put_labels(app, Some(&officer), id, json!({ "labels": ten })).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(stored(app, id).await.len(), 10);
    let before = stored(app, id).await;

    // On the page: the reason beside the field, the conversation still shown, nothing stored.
    let mut page = browser(app, &officer);
    let (_, html, _) = page.get(&format!("/console/c/{id}")).await;
    let csrf = hidden(&html, "csrf");
    let action = format!("/console/c/{id}/labels");
    for (label, message) in [
        ("nhãn thứ mười một", "Mỗi cuộc trò chuyện chỉ có tối đa 10 nhãn."),
        (too_long.as_str(), "Nhãn phải có từ 1 đến 40 ký tự và không chứa ký tự điều khiển."),
        ("  ", "Nhãn phải có từ 1 đến 40 ký tự"),
    ] {
        let (status, html, _) = page.post(&action, &[("csrf", &csrf), ("label", label)]).await;
        assert_eq!(status.as_u16(), 422, "{label}");
        assert!(html.contains("id=\"label-new-error\""), "no error beside the field: {html}");
        assert!(html.contains(message), "{label}: {html}");
        assert!(html.contains("Cho hỏi làm căn cước"), "the conversation is shown");
    }
    let (status, _, _) = page.post(&action, &[("label", "không có mã biểu mẫu")]).await;
    assert_eq!(status.as_u16(), 403);
    let (status, _, _) = page
        .post(&format!("/console/c/{}/labels", id + 10_000), &[("csrf", &csrf), ("label", "x")])
        .await;
    assert_eq!(status.as_u16(), 404);
    assert_eq!(stored(app, id).await, before);

    // Removing one makes room again.
    let (status, _, _) =
        page.post(&format!("{action}/remove"), &[("csrf", &csrf), ("label", "Nhan 3")]).await;
    assert_eq!(status.as_u16(), 303);
    let (status, _, _) = page.post(&action, &[("csrf", &csrf), ("label", "khiếu nại")]).await;
    assert_eq!(status.as_u16(), 303);
    let after = stored(app, id).await;
    assert!(
        after.contains(&"khiếu nại".to_owned()) && !after.contains(&"nhãn 3".to_owned()),
        "{after:?}"
    );
}

on_both!(
    labels_are_kept_on_page_and_api_filter_the_inbox_and_never_reach_a_citizen =>
        labels_are_kept_on_page_and_api_filter_the_inbox_and_never_reach_a_citizen_body,
    bad_labels_are_refused_and_change_nothing => bad_labels_are_refused_and_change_nothing_body,
);

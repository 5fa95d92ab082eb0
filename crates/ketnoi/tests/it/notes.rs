//! Officers' internal notes (issue 18): written on the conversation page and through the API,
//! read by colleagues who handle the conversation, and never seen on any surface the citizen
//! reaches: pages, API answers, previews, WebSocket frames, nor in the logs.

use std::time::Duration;

use ketnoi::live::{LiveClient, Next};
use ketnoi_core::ConversationId;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, capture_logs, captured_logs, on_both};
use crate::pages::{Visitor, hidden};

const ACCOUNT: &str = "ca-vi-xuyen";
const CITIZEN: &str = "0912000071";
/// An officer of Vị Xuyên's police, who handles the account's conversations.
const OFFICER: &str = "cavixuyen.canbo";
/// The provincial police's administrator: handles them too, through the agency tree.
const COLLEAGUE: &str = "catinh.admin";
/// A viewer of another agency, with no access to the account.
const OUTSIDER: &str = "ubndvixuyen.xem";
const WAIT: Duration = Duration::from_secs(10);

/// A marker no other test writes, so that finding it anywhere means a note leaked.
fn marker() -> String {
    let hex: String = (0..6).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
    format!("GHICHUNOIBO{hex}")
}

/// The citizen asks the account something; returns the citizen's token and the conversation.
async fn citizen_asks(app: &TestApp) -> (String, i64) {
    let token = app.citizen_token(CITIZEN).await;
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&token),
            Some(json!({ "client_msg_id": "ask-1", "text": "Cho hỏi thủ tục đăng ký tạm trú" })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    (token, sent["conversation"]["id"].as_i64().unwrap_or_default())
}

async fn post_note(app: &TestApp, token: Option<&str>, id: i64, body: Value) -> (u16, Value) {
    app.send(Method::POST, &format!("/api/v1/conversations/{id}/notes"), token, Some(body)).await
}

/// A browser signed in with a session token.
fn browser<'a>(app: &'a TestApp, token: &str) -> Visitor<'a> {
    let mut v = Visitor::new(app);
    v.cookies.insert(ketnoi_server::kernel::auth::SESSION_COOKIE.to_owned(), token.to_owned());
    v
}

/// The note bodies stored on a conversation, oldest first.
async fn stored(app: &TestApp, id: i64) -> Vec<String> {
    let notes = app.store.notes(ConversationId(id), 1000).await.unwrap_or_else(|e| panic!("{e}"));
    notes.into_iter().map(|n| n.body.to_string()).collect()
}

async fn notes_never_reach_a_citizen_surface_body(app: &TestApp) {
    capture_logs();
    let mark = marker();
    let (citizen, id) = citizen_asks(app).await;
    let mut socket =
        LiveClient::connect(&app.base, &citizen).await.unwrap_or_else(|e| panic!("{e:#}")).0;

    // An officer writes one note on the page, without JavaScript.
    let officer = app.staff_token(OFFICER).await;
    let mut page = browser(app, &officer);
    let (status, html, _) = page.get(&format!("/console/c/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Ghi chú nội bộ") && html.contains("data-notes-empty"), "{html}");
    let page_note = format!("{mark}-trang: đã gọi lại, <i>hẹn</i> thứ Hai");
    let (status, _, location) = page
        .post(
            &format!("/console/c/{id}/notes"),
            &[("csrf", &hidden(&html, "csrf")), ("body", &page_note)],
        )
        .await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some(format!("/console/c/{id}?done=note#notes").as_str()))
    );
    let (_, html, _) = page.get(&format!("/console/c/{id}?done=note")).await;
    assert!(html.contains("Đã lưu ghi chú nội bộ."), "no notice: {html}");
    assert!(
        html.contains(&format!("{mark}-trang: đã gọi lại, &#60;i&#62;hẹn&#60;/i&#62;")),
        "{html}"
    );
    assert!(!html.contains("<i>hẹn</i>"), "the note was not escaped");

    // And one through the API.
    let api_note = format!("{mark}-api: cần bản gốc sổ hộ khẩu");
    let (status, added) = post_note(app, Some(&officer), id, json!({ "body": api_note })).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(
        (added["author_name"].as_str(), added["body"].as_str()),
        (Some("Nguyễn Thị Lan"), Some(api_note.as_str()))
    );

    // A colleague who handles the conversation sees both, oldest first, on the API and the page.
    let colleague = app.staff_token(COLLEAGUE).await;
    let (status, listed) =
        app.get(&format!("/api/v1/conversations/{id}/notes"), Some(&colleague)).await;
    assert_eq!(status, 200, "{listed}");
    let bodies: Vec<&str> = listed["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["body"].as_str())
        .collect();
    assert_eq!(bodies, vec![page_note.as_str(), api_note.as_str()]);
    assert_eq!(listed["notes"][0]["author_name"], "Nguyễn Thị Lan");
    let (status, html, _) = browser(app, &colleague).get(&format!("/console/c/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("{mark}-api")) && html.contains(&format!("{mark}-trang")));

    // A real message afterwards reaches the citizen's socket, which was live all along; nothing
    // it carried before or with it mentions a note.
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&officer),
            Some(json!({ "client_msg_id": "reply-1", "text": "Mời anh mang căn cước đến trụ sở" })),
        )
        .await;
    assert_eq!(status, 201);
    let mut frames = Vec::new();
    loop {
        let f = socket.frame(WAIT).await.unwrap_or_else(|e| panic!("{e:#}"));
        let done = f["message"]["text"] == "Mời anh mang căn cước đến trụ sở";
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
    assert!(frames.iter().all(|f| !f.contains(&mark)), "a frame carried a note: {frames:?}");

    // Every page and answer the citizen gets.
    let mut seen = Vec::new();
    let mut own = browser(app, &citizen);
    for path in [format!("/a/{ACCOUNT}/chat"), "/me/conversations".to_owned()] {
        let (status, html, _) = own.get(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains("data-notes") && !html.contains("Ghi chú nội bộ"), "{path}");
        seen.push((path, html));
    }
    for path in [
        "/api/v1/me/conversations".to_owned(),
        format!("/api/v1/conversations/{id}"),
        format!("/api/v1/conversations/{id}/messages"),
        format!("/api/v1/conversations/{id}/messages?after=0&limit=200"),
    ] {
        let (status, body) = app.get(&path, Some(&citizen)).await;
        assert_eq!(status, 200, "{path}: {body}");
        seen.push((path, body.to_string()));
    }
    for (path, body) in &seen {
        assert!(!body.contains(&mark), "{path} shows a note: {body}");
    }
    // The previews are the last message's.
    let (_, mine) = app.get("/api/v1/me/conversations", Some(&citizen)).await;
    assert_eq!(
        mine["conversations"][0]["conversation"]["preview"],
        "Mời anh mang căn cước đến trụ sở"
    );
    let (_, detail) = app.get(&format!("/api/v1/conversations/{id}"), Some(&citizen)).await;
    assert_eq!(detail["conversation"]["preview"], "Mời anh mang căn cước đến trụ sở");
    assert_eq!(detail["conversation"]["last_seq"], 2, "a note counted as a message");

    // The citizen asking for the notes is told the conversation does not exist, and adds none.
    let got = app.get(&format!("/api/v1/conversations/{id}/notes"), Some(&citizen)).await;
    assert_problem(&got, 404, "not-found");
    let got = post_note(app, Some(&citizen), id, json!({ "body": "công dân viết" })).await;
    assert_problem(&got, 404, "not-found");
    let (status, _, _) = own
        .post(
            &format!("/console/c/{id}/notes"),
            &[("csrf", &hidden(&seen[0].1, "csrf")), ("body", "x")],
        )
        .await;
    assert_eq!(status.as_u16(), 404);
    // Nobody signed in is asked to.
    assert_problem(
        &app.get(&format!("/api/v1/conversations/{id}/notes"), None).await,
        401,
        "unauthenticated",
    );
    assert_problem(&post_note(app, None, id, json!({ "body": "x" })).await, 401, "unauthenticated");
    assert_eq!(stored(app, id).await, vec![page_note.clone(), api_note.clone()]);

    let logs = captured_logs();
    assert!(logs.contains("/notes"), "the server's logs are captured (else this proves nothing)");
    assert!(!logs.contains(&mark), "a note reached the logs");
}

async fn bad_notes_are_refused_and_change_nothing_body(app: &TestApp) {
    let (_, id) = citizen_asks(app).await;
    let officer = app.staff_token(OFFICER).await;
    let (status, _) =
        post_note(app, Some(&officer), id, json!({ "body": "Ghi chú đầu tiên" })).await;
    assert_eq!(status, 201);
    let before = stored(app, id).await;

    // Through the API: 422 for the note, 404 where the caller may not see the conversation.
    for body in ["", "  \n\t ", &"ư".repeat(2001)] {
        let got = post_note(app, Some(&officer), id, json!({ "body": body })).await;
        assert_problem(&got, 422, "invalid-length");
        assert_eq!(got.1["field"], "body");
    }
    // A field by another name is not a note.
    let got = post_note(app, Some(&officer), id, json!({ "text": "sai tên trường" })).await;
    assert_problem(&got, 400, "malformed-request");
    let missing = id + 10_000;
    assert_problem(
        &post_note(app, Some(&officer), missing, json!({ "body": "x" })).await,
        404,
        "not-found",
    );
    assert_problem(
        &app.get(&format!("/api/v1/conversations/{missing}/notes"), Some(&officer)).await,
        404,
        "not-found",
    );
    let outsider = app.staff_token(OUTSIDER).await;
    assert_problem(
        &post_note(app, Some(&outsider), id, json!({ "body": "x" })).await,
        404,
        "not-found",
    );
    assert_problem(
        &app.get(&format!("/api/v1/conversations/{id}/notes"), Some(&outsider)).await,
        404,
        "not-found",
    );
    assert_eq!(stored(app, id).await, before);

    // On the page: the reason beside the field, the page otherwise whole, nothing stored.
    let mut page = browser(app, &officer);
    let (_, html, _) = page.get(&format!("/console/c/{id}")).await;
    let csrf = hidden(&html, "csrf");
    let action = format!("/console/c/{id}/notes");
    let too_long = "ư".repeat(2001);
    for body in ["   ", too_long.as_str()] {
        let (status, html, _) = page.post(&action, &[("csrf", &csrf), ("body", body)]).await;
        assert_eq!(status.as_u16(), 422);
        assert!(html.contains("id=\"note-body-error\""), "no error beside the field: {html}");
        assert!(html.contains("Ghi chú phải có từ 1 đến 2000 ký tự."), "{html}");
        assert!(html.contains("Ghi chú đầu tiên"), "the notes are still listed");
        assert!(html.contains("Cho hỏi thủ tục đăng ký tạm trú"), "the conversation is shown");
    }
    let (status, _, _) = page.post(&action, &[("body", "không có mã biểu mẫu")]).await;
    assert_eq!(status.as_u16(), 403);
    let (status, _, _) =
        page.post(&format!("/console/c/{missing}/notes"), &[("csrf", &csrf), ("body", "x")]).await;
    assert_eq!(status.as_u16(), 404);
    let mut stranger = browser(app, &outsider);
    let (_, html, _) = stranger.get("/console").await;
    let (status, _, _) =
        stranger.post(&action, &[("csrf", &hidden(&html, "csrf")), ("body", "x")]).await;
    assert_eq!(status.as_u16(), 404);
    let (status, _, location) = Visitor::new(app).post(&action, &[("body", "x")]).await;
    assert_eq!(status.as_u16(), 303);
    assert!(location.is_some_and(|l| l.starts_with("/staff/sign-in")));
    assert_eq!(stored(app, id).await, before);

    // Exactly 2,000 characters is a note.
    let (status, _) = post_note(app, Some(&officer), id, json!({ "body": "ư".repeat(2000) })).await;
    assert_eq!(status, 201);
    assert_eq!(stored(app, id).await.len(), 2);
}

on_both!(
    notes_never_reach_a_citizen_surface => notes_never_reach_a_citizen_surface_body,
    bad_notes_are_refused_and_change_nothing => bad_notes_are_refused_and_change_nothing_body,
);

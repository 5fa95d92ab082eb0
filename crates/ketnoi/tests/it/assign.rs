//! Assigning conversations to officers, and officers on duty or away (issue 18): on the pages
//! without JavaScript and through the API; an assigned conversation stays open to the account's
//! other officers, and only someone who may handle the account can be its assignee.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, on_both};
use crate::pages::{Visitor, hidden};

const ACCOUNT: &str = "ca-vi-xuyen";
const CITIZEN: &str = "0912000072";
/// An officer of Vị Xuyên's police.
const OFFICER: &str = "cavixuyen.canbo";
/// The provincial police's administrator: handles the account through the agency tree.
const PROVINCE: &str = "catinh.admin";
/// A viewer of another agency, who may not handle the account.
const OUTSIDER: &str = "ubndvixuyen.xem";
/// A second officer of Vị Xuyên's police, made by the test.
const NAM: &str = "cavixuyen.nam";
const NAM_PASSWORD: &str = "mat-khau-cua-nam-2026";

/// A browser signed in with a session token.
fn browser<'a>(app: &'a TestApp, token: &str) -> Visitor<'a> {
    let mut v = Visitor::new(app);
    v.cookies.insert(ketnoi_server::kernel::auth::SESSION_COOKIE.to_owned(), token.to_owned());
    v
}

/// Adds a second officer to the account's agency and signs them in: their id and token.
async fn second_officer(app: &TestApp) -> (i64, String) {
    let grants = [(ACCOUNT.to_owned(), ketnoi_core::Role::Officer)];
    let nam = ketnoi::admin::create_staff(
        app.store.as_ref(),
        NAM,
        "Phạm Văn Nam",
        NAM_PASSWORD,
        false,
        &grants,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let (status, signed) = app
        .post("/api/v1/auth/staff/sign-in", json!({ "username": NAM, "password": NAM_PASSWORD }))
        .await;
    assert_eq!(status, 200, "{signed}");
    (nam.id.0, signed["token"].as_str().unwrap_or_default().to_owned())
}

async fn staff_id(app: &TestApp, username: &str) -> i64 {
    let name = username.parse().unwrap_or_else(|e| panic!("{e}"));
    let found = app.store.staff_by_username(&name).await.unwrap_or_else(|e| panic!("{e}"));
    found.map(|(s, _)| s.id.0).unwrap_or_else(|| panic!("no {username}"))
}

/// The conversation's assignee as stored.
async fn assignee(app: &TestApp, id: i64) -> Option<i64> {
    let found = app.store.conversation(ketnoi_core::ConversationId(id)).await;
    found.unwrap_or_else(|e| panic!("{e}")).and_then(|c| c.assignee).map(|s| s.0)
}

/// The number shown beside an inbox view's link, e.g. `data-count="mine">(1)`.
fn count(html: &str, view: &str) -> i64 {
    let marker = format!("data-count=\"{view}\">(");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("{html}"));
    html[start..].split(')').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{html}"))
}

async fn assign_api(app: &TestApp, token: Option<&str>, id: i64, body: Value) -> (u16, Value) {
    app.send(Method::POST, &format!("/api/v1/conversations/{id}/assignee"), token, Some(body)).await
}

async fn reply(app: &TestApp, token: &str, id: i64, client: &str) {
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{id}/messages"),
            Some(token),
            Some(json!({ "client_msg_id": client, "text": "Cán bộ trả lời" })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
}

async fn an_officer_assigns_a_conversation_that_colleagues_still_answer_body(app: &TestApp) {
    let citizen = app.citizen_token(CITIZEN).await;
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&citizen),
            Some(json!({ "client_msg_id": "ask-1", "text": "Cho hỏi thủ tục cấp căn cước" })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    let id = sent["conversation"]["id"].as_i64().unwrap_or_default();
    let (nam_id, nam) = second_officer(app).await;
    let officer = app.staff_token(OFFICER).await;
    let inbox = format!("/console/a/{ACCOUNT}/inbox");
    let row = format!("href=\"/console/c/{id}\"");

    // Before: unassigned, and listed as such.
    let mut nam_page = browser(app, &nam);
    let (status, html, _) = nam_page.get(&format!("{inbox}?status=open&assignee=none")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&row) && html.contains("Chưa giao"), "{html}");
    let unassigned_before = count(&html, "unassigned");
    assert_eq!(count(&html, "mine"), 0);

    // The officer assigns it to Nam on the conversation page, without JavaScript; the
    // drop-down offers the account's handlers only, the officer first as "Tôi".
    let mut page = browser(app, &officer);
    let (status, html, _) = page.get(&format!("/console/c/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-assign-form") && html.contains("(chưa giao)"), "{html}");
    let options = &html[html.find("assign-staff").unwrap_or_else(|| panic!("{html}"))..];
    let options = &options[..options.find("</select>").unwrap_or(options.len())];
    let me = staff_id(app, OFFICER).await;
    let first = options.find(&format!("value=\"{me}\">Tôi")).unwrap_or_else(|| panic!("{options}"));
    let nam_at = options.find("Phạm Văn Nam").unwrap_or_else(|| panic!("{options}"));
    assert!(first < nam_at, "the officer is not first: {options}");
    assert!(options.contains("Trần Văn Hùng"), "the province's administrator handles it too");
    assert!(!options.contains("Hoàng Minh Đức"), "a viewer elsewhere is offered: {options}");
    let (status, _, location) = page
        .post(
            &format!("/console/c/{id}/assign"),
            &[("csrf", &hidden(&html, "csrf")), ("staff_id", &nam_id.to_string())],
        )
        .await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some(format!("/console/c/{id}?done=assign#assign").as_str()))
    );
    assert_eq!(assignee(app, id).await, Some(nam_id));
    let (_, html, _) = page.get(&format!("/console/c/{id}?done=assign")).await;
    assert!(html.contains("Đã cập nhật người phụ trách.") && html.contains("Phạm Văn Nam"));

    // Nam's "assigned to me" lists it with count 1; "unassigned" no longer does.
    let (_, html, _) = nam_page.get(&format!("{inbox}?status=open&assignee=me")).await;
    assert!(html.contains("Giao cho tôi") && html.contains(&row), "{html}");
    assert_eq!(count(&html, "mine"), 1);
    assert!(html.contains("data-row-assignee") && html.contains("Phạm Văn Nam"), "{html}");
    let (_, html, _) = nam_page.get(&format!("{inbox}?status=open&assignee=none")).await;
    assert!(!html.contains(&row), "still unassigned: {html}");
    assert_eq!(count(&html, "unassigned"), unassigned_before - 1);
    // The officer's own view does not list it; the whole inbox does, with its assignee.
    let (_, html, _) = page.get(&format!("{inbox}?status=open&assignee=me")).await;
    assert!(!html.contains(&row), "{html}");
    let (_, html, _) = page.get(&format!("{inbox}?status=open")).await;
    assert!(html.contains(&row) && html.contains("Giao cho: Phạm Văn Nam"), "{html}");
    // So does the API's inbox, filtered.
    let (status, listed) =
        app.get(&format!("/api/v1/accounts/{ACCOUNT}/conversations?assignee=me"), Some(&nam)).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["conversations"][0]["id"], id);
    assert_eq!(listed["conversations"][0]["assignee_id"], nam_id);
    let (_, listed) = app
        .get(&format!("/api/v1/accounts/{ACCOUNT}/conversations?assignee=none"), Some(&nam))
        .await;
    assert!(!listed.to_string().contains(&format!("\"id\":{id},")), "{listed}");

    // Colleagues still open and answer it: the officer, and the province's administrator.
    reply(app, &officer, id, "r-officer").await;
    let province = app.staff_token(PROVINCE).await;
    let (status, _, _) = browser(app, &province).get(&format!("/console/c/{id}")).await;
    assert_eq!(status, 200);
    reply(app, &province, id, "r-province").await;
    reply(app, &nam, id, "r-nam").await;
    assert_eq!(assignee(app, id).await, Some(nam_id), "replies moved the assignee");

    // Reassigning and unassigning through the API.
    let province_id = staff_id(app, PROVINCE).await;
    let (status, done) = assign_api(app, Some(&nam), id, json!({ "staff_id": province_id })).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!((done["id"].as_i64(), done["assignee_id"].as_i64()), (Some(id), Some(province_id)));
    let (status, done) = assign_api(app, Some(&officer), id, json!({ "staff_id": null })).await;
    assert_eq!(status, 200, "{done}");
    assert!(done.get("assignee_id").is_none(), "{done}");
    assert_eq!(assignee(app, id).await, None);

    // Someone who cannot handle the account: 422, on the API and the page; nothing changed.
    let outsider = staff_id(app, OUTSIDER).await;
    let got = assign_api(app, Some(&officer), id, json!({ "staff_id": outsider })).await;
    assert_problem(&got, 422, "assignee-cannot-handle");
    let got = assign_api(app, Some(&officer), id, json!({ "staff_id": 987_654 })).await;
    assert_problem(&got, 422, "assignee-cannot-handle");
    let (_, html, _) = page.get(&format!("/console/c/{id}")).await;
    let (status, html, _) = page
        .post(
            &format!("/console/c/{id}/assign"),
            &[("csrf", &hidden(&html, "csrf")), ("staff_id", &outsider.to_string())],
        )
        .await;
    assert_eq!(status.as_u16(), 422);
    assert!(html.contains("không có quyền xử lý"), "{html}");
    assert_eq!(assignee(app, id).await, None);

    // The citizen, the outsider, and nobody signed in cannot assign.
    let got = assign_api(app, Some(&citizen), id, json!({ "staff_id": nam_id })).await;
    assert_problem(&got, 404, "not-found");
    let outsider_token = app.staff_token(OUTSIDER).await;
    let got = assign_api(app, Some(&outsider_token), id, json!({ "staff_id": nam_id })).await;
    assert_problem(&got, 404, "not-found");
    assert_problem(
        &assign_api(app, None, id, json!({ "staff_id": nam_id })).await,
        401,
        "unauthenticated",
    );
    let got = assign_api(app, Some(&officer), id + 999, json!({ "staff_id": nam_id })).await;
    assert_problem(&got, 404, "not-found");
    assert_eq!(assignee(app, id).await, None);

    // The citizen's view of the conversation never names an officer.
    assign_api(app, Some(&officer), id, json!({ "staff_id": nam_id })).await;
    let (_, detail) = app.get(&format!("/api/v1/conversations/{id}"), Some(&citizen)).await;
    assert!(detail["conversation"].get("assignee_id").is_none(), "{detail}");
    let (_, mine) = app.get("/api/v1/me/conversations", Some(&citizen)).await;
    assert!(!mine.to_string().contains("assignee"), "{mine}");
}

async fn an_officer_sets_themself_away_and_colleagues_see_it_body(app: &TestApp) {
    let (_, nam) = second_officer(app).await;
    let inbox = format!("/console/a/{ACCOUNT}/inbox");
    let mut nam_page = browser(app, &nam);
    let (status, html, _) = nam_page.get(&inbox).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-duty-form") && html.contains("Đang trực"), "{html}");
    assert!(html.contains("value=\"on-duty\" checked"), "on duty by default: {html}");
    let (status, _, location) = nam_page
        .post(&format!("{inbox}/duty"), &[("csrf", &hidden(&html, "csrf")), ("duty", "away")])
        .await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some(format!("{inbox}?done=duty").as_str()))
    );
    let (_, html, _) = nam_page.get(&format!("{inbox}?done=duty")).await;
    assert!(html.contains("value=\"away\" checked"), "{html}");
    assert!(html.contains("Đã lưu trạng thái trực của bạn."), "{html}");

    // A colleague's assignee list marks Nam away.
    let citizen = app.citizen_token(CITIZEN).await;
    let (_, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&citizen),
            Some(json!({ "client_msg_id": "ask-2", "text": "Xin chào" })),
        )
        .await;
    let id = sent["conversation"]["id"].as_i64().unwrap_or_default();
    let officer = app.staff_token(OFFICER).await;
    let (_, html, _) = browser(app, &officer).get(&format!("/console/c/{id}")).await;
    assert!(html.contains("Phạm Văn Nam (vắng mặt)"), "{html}");

    // Back on duty; a bad value is refused and changes nothing.
    let (_, html, _) = nam_page.get(&inbox).await;
    let csrf = hidden(&html, "csrf");
    let (status, _, _) =
        nam_page.post(&format!("{inbox}/duty"), &[("csrf", &csrf), ("duty", "x")]).await;
    assert_eq!(status.as_u16(), 422);
    nam_page.post(&format!("{inbox}/duty"), &[("csrf", &csrf), ("duty", "on-duty")]).await;
    let (_, html, _) = browser(app, &officer).get(&format!("/console/c/{id}")).await;
    assert!(html.contains("Phạm Văn Nam") && !html.contains("(vắng mặt)"), "{html}");
}

on_both!(
    an_officer_assigns_a_conversation_that_colleagues_still_answer =>
        an_officer_assigns_a_conversation_that_colleagues_still_answer_body,
    an_officer_sets_themself_away_and_colleagues_see_it =>
        an_officer_sets_themself_away_and_colleagues_see_it_body,
);

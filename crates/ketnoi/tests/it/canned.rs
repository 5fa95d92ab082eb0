//! Canned replies (issue 18): an account's own and its agencies' templates, the nearest one
//! winning by shortcut; placeholders filled in for the conversation; searched without
//! diacritics; managed through the API and on the console page without JavaScript, and put in
//! the composer from the conversation page.

use ketnoi_core::{CannedOwner, CannedText, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, on_both};
use crate::pages::{Visitor, hidden};

const ACCOUNT: &str = "ca-vi-xuyen";
const SIBLING: &str = "ca-thanh-thuy";
const PROVINCE: &str = "ca-tuyen-quang";
const CITIZEN: &str = "0912000075";
/// An officer of Vị Xuyên's commune police.
const OFFICER: &str = "cavixuyen.canbo";
/// The provincial police's administrator.
const ADMIN: &str = "catinh.admin";
/// A viewer of another agency.
const OUTSIDER: &str = "ubndvixuyen.xem";

const TAM_TRU: &str =
    "Chào {ten_cong_dan}, {ten_tai_khoan} nhận hồ sơ tạm trú {gio_lam_viec}. {khong_ro} {";

fn browser<'a>(app: &'a TestApp, token: &str) -> Visitor<'a> {
    let mut v = Visitor::new(app);
    v.cookies.insert(ketnoi_server::kernel::auth::SESSION_COOKIE.to_owned(), token.to_owned());
    v
}

async fn ask(app: &TestApp) -> (String, i64) {
    let token = app.citizen_token(CITIZEN).await;
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&token),
            Some(json!({ "client_msg_id": "ask-1", "text": "Cho hỏi đăng ký tạm trú" })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    (token, sent["conversation"]["id"].as_i64().unwrap_or_default())
}

async fn post(app: &TestApp, token: Option<&str>, path: &str, body: Value) -> (u16, Value) {
    app.send(Method::POST, path, token, Some(body)).await
}

fn reply(shortcut: &str, title: &str, body: &str) -> Value {
    json!({ "shortcut": shortcut, "title": title, "body": body })
}

/// The province's two templates and the commune's own `cccd`; their ids.
async fn seed(app: &TestApp) -> (i64, i64, i64) {
    let admin = app.staff_token(ADMIN).await;
    let templates = format!("/api/v1/agencies/{PROVINCE}/canned-replies");
    let (status, tam) =
        post(app, Some(&admin), &templates, reply("tam-tru", "Đăng ký tạm trú", TAM_TRU)).await;
    assert_eq!(status, 201, "{tam}");
    assert_eq!((tam["owner"].as_str(), tam["inherited"].as_bool()), (Some("agency"), Some(false)));
    let (status, cccd) = post(
        app,
        Some(&admin),
        &templates,
        reply("cccd", "Làm căn cước", "Mang giấy khai sinh đến Công an tỉnh."),
    )
    .await;
    assert_eq!(status, 201, "{cccd}");
    let officer = app.staff_token(OFFICER).await;
    let (status, own) = post(
        app,
        Some(&officer),
        &format!("/api/v1/accounts/{ACCOUNT}/canned-replies"),
        reply("cccd", "Căn cước tại xã", "Xã nhận hồ sơ căn cước sáng thứ Bảy."),
    )
    .await;
    assert_eq!(status, 201, "{own}");
    let id = |v: &Value| v["id"].as_i64().unwrap_or_default();
    (id(&tam), id(&cccd), id(&own))
}

fn field(v: &Value, name: &str) -> Vec<String> {
    v["replies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r[name].as_str())
        .map(str::to_owned)
        .collect()
}

async fn replies_inherit_the_nearest_expand_for_the_conversation_and_search_without_marks_body(
    app: &TestApp,
) {
    let (_, id) = ask(app).await;
    let (tam, _, own) = seed(app).await;
    let officer = app.staff_token(OFFICER).await;
    let search = |q: &str| format!("/api/v1/conversations/{id}/canned-replies?q={q}");

    // In the conversation: the commune's own cccd over the province's, the province's tam-tru
    // inherited, each filled in for this conversation; unknown braces left as written.
    let (status, all) = app.get(&search(""), Some(&officer)).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(field(&all, "shortcut"), vec!["cccd", "tam-tru"]);
    assert_eq!(all["replies"][0]["id"], own);
    assert_eq!(all["replies"][0]["inherited"], false);
    assert_eq!(all["replies"][1]["inherited"], true);
    assert_eq!(
        all["replies"][1]["body"],
        "Chào 091****075, Công an xã Vị Xuyên nhận hồ sơ tạm trú Thứ Hai – Thứ Sáu: 7:30–11:30, \
         13:30–17:00. {khong_ro} {"
    );

    // Searching: shortcut first, then title, then body; with or without diacritics.
    for (q, expected) in [
        ("tam", vec!["tam-tru"]),
        ("tam%20tru", vec!["tam-tru"]),
        ("T%E1%BA%A0M%20TR%C3%9A", vec!["tam-tru"]),
        ("can%20cuoc", vec!["cccd"]),
        ("thu%20bay", vec!["cccd"]),
        ("ho%20so", vec!["cccd", "tam-tru"]),
        ("hoc%20phi", vec![]),
    ] {
        let (status, found) = app.get(&search(q), Some(&officer)).await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(field(&found, "shortcut"), expected, "{q}");
    }
    // "c" starts cccd's shortcut, and is in tam-tru's body only ("Chào").
    let (_, found) = app.get(&search("c"), Some(&officer)).await;
    assert_eq!(field(&found, "shortcut"), vec!["cccd", "tam-tru"]);

    // A sibling commune inherits both province templates, cccd included.
    let admin = app.staff_token(ADMIN).await;
    let (status, sibling) =
        app.get(&format!("/api/v1/accounts/{SIBLING}/canned-replies"), Some(&admin)).await;
    assert_eq!(status, 200, "{sibling}");
    assert_eq!(field(&sibling, "title"), vec!["Làm căn cước", "Đăng ký tạm trú"]);
    // The account's list: its own and the inherited, unexpanded.
    let (_, listed) =
        app.get(&format!("/api/v1/accounts/{ACCOUNT}/canned-replies"), Some(&officer)).await;
    assert_eq!(field(&listed, "title"), vec!["Căn cước tại xã", "Đăng ký tạm trú"]);
    assert_eq!(listed["replies"][1]["body"], TAM_TRU);
    let (_, templates) =
        app.get(&format!("/api/v1/agencies/{PROVINCE}/canned-replies"), Some(&admin)).await;
    assert_eq!(field(&templates, "shortcut"), vec!["cccd", "tam-tru"]);

    // Deleting the commune's own brings the province's back; editing a template shows at once.
    let (status, _) = app
        .send(Method::DELETE, &format!("/api/v1/canned-replies/{own}"), Some(&officer), None)
        .await;
    assert_eq!(status, 204);
    let (status, edited) = app
        .send(
            Method::PUT,
            &format!("/api/v1/canned-replies/{tam}"),
            Some(&admin),
            Some(reply("tam-tru", "Tạm trú", "Gửi {citizen_name}: {account_name}, {office_hours}")),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    let (_, all) = app.get(&search(""), Some(&officer)).await;
    assert_eq!(field(&all, "title"), vec!["Làm căn cước", "Tạm trú"]);
    assert_eq!(
        all["replies"][1]["body"],
        "Gửi 091****075: Công an xã Vị Xuyên, Thứ Hai – Thứ Sáu: 7:30–11:30, 13:30–17:00"
    );
}

/// A viewer of the account's own agency: reads its conversations, may not reply.
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

/// Everything stored, as `(shortcut, title, body)`, for both owners the tests write.
async fn stored(app: &TestApp) -> Vec<(String, String, String)> {
    let account =
        app.store.account_by_slug(&ACCOUNT.parse().unwrap_or_else(|e| panic!("{e}"))).await;
    let account = account.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no account"));
    let line = app.store.agency_ancestry(account.agency).await.unwrap_or_else(|e| panic!("{e}"));
    let mut owners = vec![CannedOwner::Account(account.id)];
    owners.extend(line.into_iter().map(CannedOwner::Agency));
    let found = app.store.canned_replies(&owners).await.unwrap_or_else(|e| panic!("{e}"));
    found.into_iter().map(|r| (r.text.shortcut.to_string(), r.text.title, r.text.body)).collect()
}

async fn bad_or_unauthorised_canned_replies_change_nothing_body(app: &TestApp) {
    let (citizen, id) = ask(app).await;
    let (tam, _, own) = seed(app).await;
    let officer = app.staff_token(OFFICER).await;
    let mine = format!("/api/v1/accounts/{ACCOUNT}/canned-replies");
    let before = stored(app).await;

    let long = "ư".repeat(101);
    let too_long = "ư".repeat(2001);
    for (body, code) in [
        (reply("Tạm trú", "t", "b"), "invalid-shortcut"),
        (reply(&"a".repeat(33), "t", "b"), "invalid-shortcut"),
        (reply("ok", &long, "b"), "invalid-length"),
        (reply("ok", "t", &too_long), "invalid-length"),
        (reply("ok", "t", "   "), "invalid-length"),
        (reply("CCCD", "t", "b"), "canned-shortcut-taken"),
    ] {
        assert_problem(&post(app, Some(&officer), &mine, body).await, 422, code);
    }
    let got = post(app, Some(&officer), &mine, json!({ "shortcut": "x", "title": "t" })).await;
    assert_problem(&got, 400, "malformed-request");
    assert_eq!(stored(app).await, before);
    let rename = app
        .send(
            Method::PUT,
            &format!("/api/v1/canned-replies/{own}"),
            Some(&officer),
            Some(reply("tam-tru", "t", "b")),
        )
        .await;
    assert_eq!(rename.0, 200, "another owner's shortcut is no clash: {}", rename.1);
    let clash = post(app, Some(&officer), &mine, reply("x-1", "t", "b")).await;
    assert_eq!(clash.0, 201);
    let clash = app
        .send(
            Method::PUT,
            &format!("/api/v1/canned-replies/{own}"),
            Some(&officer),
            Some(reply("x-1", "t", "b")),
        )
        .await;
    assert_problem(&clash, 422, "canned-shortcut-taken");
    let now = stored(app).await;
    assert_eq!(now.len(), before.len() + 1, "{now:?}");
    assert!(now.iter().any(|(s, t, _)| s == "tam-tru" && t == "t"), "the rename: {now:?}");

    // Who may: the citizen, an outsider and a viewer of the agency are told the conversation
    // or the reply does not exist, or that they may not; nothing changes.
    let viewer = agency_viewer(app).await;
    let outsider = app.staff_token(OUTSIDER).await;
    for token in [&citizen, &outsider, &viewer] {
        let got = app.get(&format!("/api/v1/conversations/{id}/canned-replies"), Some(token)).await;
        assert_problem(&got, 404, "not-found");
        let got = app
            .send(
                Method::PUT,
                &format!("/api/v1/canned-replies/{own}"),
                Some(token),
                Some(reply("z", "t", "b")),
            )
            .await;
        assert_problem(&got, 404, "not-found");
        let got = app
            .send(Method::DELETE, &format!("/api/v1/canned-replies/{own}"), Some(token), None)
            .await;
        assert_problem(&got, 404, "not-found");
        assert_problem(&app.get(&mine, Some(token)).await, 403, "forbidden");
        assert_problem(
            &post(app, Some(token), &mine, reply("z", "t", "b")).await,
            403,
            "forbidden",
        );
    }
    // The commune's officer may not write the province's templates, nor see them as theirs.
    let province = format!("/api/v1/agencies/{PROVINCE}/canned-replies");
    assert_problem(
        &post(app, Some(&officer), &province, reply("z", "t", "b")).await,
        403,
        "forbidden",
    );
    let got = app
        .send(
            Method::PUT,
            &format!("/api/v1/canned-replies/{tam}"),
            Some(&officer),
            Some(reply("z", "t", "b")),
        )
        .await;
    assert_problem(&got, 404, "not-found");
    assert_problem(&app.get(&mine, None).await, 401, "unauthenticated");
    assert_problem(
        &app.get(&format!("/api/v1/conversations/{id}/canned-replies"), None).await,
        401,
        "unauthenticated",
    );
    assert_eq!(stored(app).await, now);

    // At most 500 per owner.
    let account =
        app.store.account_by_slug(&ACCOUNT.parse().unwrap_or_else(|e| panic!("{e}"))).await;
    let account = account.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no account"));
    let owner = CannedOwner::Account(account.id);
    let have = now.len() - 2;
    for i in have..499 {
        let text = CannedText::parse(&format!("mau-{i}"), "Mẫu", "Nội dung")
            .unwrap_or_else(|e| panic!("{e}"));
        app.store
            .create_canned_reply(owner, &text, 500, Timestamp::now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(post(app, Some(&officer), &mine, reply("thu-500", "t", "b")).await.0, 201);
    let full = post(app, Some(&officer), &mine, reply("thu-501", "t", "b")).await;
    assert_problem(&full, 422, "too-many-canned-replies");
    assert_eq!(stored(app).await.len(), 502);
}

async fn the_console_page_and_the_composer_work_without_javascript_body(app: &TestApp) {
    let (_, id) = ask(app).await;
    let (tam, cccd, _) = seed(app).await;
    let officer = app.staff_token(OFFICER).await;
    let mut page = browser(app, &officer);
    let base = format!("/console/a/{ACCOUNT}/replies");

    // The list: the account's own, the province's marked with where they come from, the one
    // its own overrides marked too; the commune officer edits only their own.
    let (status, html, _) = page.get(&base).await;
    assert_eq!(status, 200);
    assert!(html.contains("Mẫu chung của Công an tỉnh Tuyên Quang"), "{html}");
    assert!(html.contains(&format!("data-canned-reply=\"{cccd}\" data-overridden")), "{html}");
    assert!(
        !html.contains(&format!("action=\"{base}/{tam}\"")),
        "a province template is editable: {html}"
    );
    let csrf = hidden(&html, "csrf");

    // Adding one; a refused one shows why beside its field and adds nothing.
    let add = |shortcut: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("scope", String::new()),
            ("shortcut", shortcut.to_owned()),
            ("title", "Giờ làm việc".to_owned()),
            ("body", "{ten_tai_khoan} làm việc {gio_lam_viec}".to_owned()),
        ]
    };
    let form = add("gio-lam");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, location) = page.post(&base, &pairs).await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some(format!("{base}?done=created").as_str()))
    );
    let (_, html, _) = page.get(&format!("{base}?done=created")).await;
    assert!(html.contains("Đã thêm mẫu trả lời.") && html.contains("/gio-lam"), "{html}");
    for (shortcut, message) in [
        ("gio-lam", "Lối tắt này đã được dùng cho một mẫu khác."),
        ("Giờ làm", "Lối tắt phải có từ 1 đến 32 ký tự"),
    ] {
        let form = add(shortcut);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, html, _) = page.post(&base, &pairs).await;
        assert_eq!(status.as_u16(), 422, "{shortcut}");
        assert!(html.contains("id=\"new-shortcut-error\"") && html.contains(message), "{html}");
        assert!(html.contains(&format!("value=\"{shortcut}\"")), "the draft is kept: {html}");
    }
    let (status, _, _) = page.post(&base, &[("shortcut", "khong-csrf")]).await;
    assert_eq!(status.as_u16(), 403);

    // The composer: a search without JavaScript, then a link that fills it in.
    let chat = format!("/console/c/{id}");
    let (status, html, _) = page.get(&format!("{chat}?replies_q=tam+tru")).await;
    assert_eq!(status, 200);
    let link = format!("href=\"{chat}?reply={tam}#text\"");
    assert!(html.contains(&link) && html.contains("data-canned data-api"), "{html}");
    assert!(!html.contains(&format!("?reply={cccd}#")), "the overridden one is offered: {html}");
    let (status, html, _) = page.get(&format!("{chat}?reply={tam}")).await;
    assert_eq!(status, 200);
    let textarea = html
        .split("name=\"text\"")
        .nth(1)
        .and_then(|t| t.split("</textarea>").next())
        .unwrap_or_default();
    assert!(
        textarea.contains("Chào 091****075, Công an xã Vị Xuyên nhận hồ sơ tạm trú Thứ Hai"),
        "the composer is not filled in: {textarea}"
    );
    // A reply this account does not use fills nothing.
    let (_, html, _) = page.get(&format!("{chat}?reply={cccd}")).await;
    let textarea = html
        .split("name=\"text\"")
        .nth(1)
        .and_then(|t| t.split("</textarea>").next())
        .unwrap_or_default();
    assert!(textarea.ends_with('>'), "{textarea}");

    // Editing and deleting the account's own on the page.
    let listed =
        app.get(&format!("/api/v1/accounts/{ACCOUNT}/canned-replies"), Some(&officer)).await.1;
    let gio =
        listed["replies"].as_array().into_iter().flatten().find(|r| r["shortcut"] == "gio-lam");
    let gio = gio.and_then(|r| r["id"].as_i64()).unwrap_or_default();
    let (status, _, location) = page
        .post(
            &format!("{base}/{gio}"),
            &[
                ("csrf", &csrf),
                ("shortcut", "gio-lam"),
                ("title", "Giờ tiếp dân"),
                ("body", "Sáng thứ Bảy"),
            ],
        )
        .await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some(format!("{base}?done=saved").as_str()))
    );
    let (status, html, _) = page
        .post(
            &format!("{base}/{gio}"),
            &[("csrf", &csrf), ("shortcut", "gio-lam"), ("title", ""), ("body", "x")],
        )
        .await;
    assert_eq!(status.as_u16(), 422);
    assert!(html.contains(&format!("id=\"r{gio}-title-error\"")), "{html}");
    let (status, _, _) = page
        .post(
            &format!("{base}/{tam}"),
            &[("csrf", &csrf), ("shortcut", "x"), ("title", "x"), ("body", "x")],
        )
        .await;
    assert_eq!(status.as_u16(), 404, "the commune officer edited the province's template");
    let (status, _, location) =
        page.post(&format!("{base}/{gio}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(
        (status.as_u16(), location.as_deref()),
        (303, Some(format!("{base}?done=deleted").as_str()))
    );
    assert!(!stored(app).await.iter().any(|(s, _, _)| s == "gio-lam"));

    // The province's administrator writes a template for the whole province from the page.
    let mut admin = browser(app, &app.staff_token(ADMIN).await);
    let (_, html, _) = admin.get(&base).await;
    let agency = html
        .split("<option value=\"")
        .skip(1)
        .find(|o| o.contains("Mẫu chung của Công an tỉnh Tuyên Quang (cho"))
        .and_then(|v| v.split('"').next())
        .unwrap_or_default()
        .to_owned();
    assert!(!agency.is_empty(), "no province scope offered: {html}");
    let (status, body, _) = admin
        .post(
            &base,
            &[
                ("csrf", &hidden(&html, "csrf")),
                ("scope", &agency),
                ("shortcut", "dang-ky-xe"),
                ("title", "Đăng ký xe"),
                ("body", "Mang giấy tờ xe."),
            ],
        )
        .await;
    assert_eq!(status.as_u16(), 303, "{agency}: {body}");
    let sibling = app
        .get(
            &format!("/api/v1/accounts/{SIBLING}/canned-replies"),
            Some(&app.staff_token(ADMIN).await),
        )
        .await
        .1;
    assert!(field(&sibling, "shortcut").contains(&"dang-ky-xe".to_owned()), "{sibling}");
    // The commune officer may write their own agency's templates, not the province's.
    let (_, html, _) = page.get(&base).await;
    assert!(html.contains("Mẫu chung của Công an xã Vị Xuyên (cho"), "{html}");
    assert!(!html.contains("Mẫu chung của Công an tỉnh Tuyên Quang (cho"), "{html}");
    let (status, _, _) = page
        .post(
            &base,
            &[
                ("csrf", &csrf),
                ("scope", &agency),
                ("shortcut", "xe-2"),
                ("title", "x"),
                ("body", "x"),
            ],
        )
        .await;
    assert_eq!(status.as_u16(), 403);
}

on_both!(
    replies_inherit_the_nearest_expand_for_the_conversation_and_search_without_marks =>
        replies_inherit_the_nearest_expand_for_the_conversation_and_search_without_marks_body,
    bad_or_unauthorised_canned_replies_change_nothing =>
        bad_or_unauthorised_canned_replies_change_nothing_body,
    the_console_page_and_the_composer_work_without_javascript =>
        the_console_page_and_the_composer_work_without_javascript_body,
);

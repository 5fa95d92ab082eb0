//! Messaging in a real headless Chromium: a citizen and an officer in two separate browsers
//! talk live, with a photo; and the same conversation works with JavaScript off.

use std::path::PathBuf;

use crate::{
    browser::{Browser, Options, WAIT, launch, launch_two},
    browser_flows::{arrive, screenshots},
    helpers::{TestApp, spawn_app},
};

const CHAT: &str = "/a/ca-vi-xuyen/chat";

fn photo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ketnoi-media/tests/fixtures/photo-gps.jpg")
}

/// Signs a citizen in with the demo code and lands on `next`.
pub(crate) async fn citizen_signs_in(b: &Browser, phone: &str, next: &str) {
    b.goto(&format!("/lang/vi?next=/sign-in%3Fnext%3D{}", next.replace('/', "%2F"))).await;
    arrive(b, "/sign-in").await;
    b.fill("#phone", phone).await;
    b.submit("form[action='/sign-in']").await;
    arrive(b, "/sign-in/code").await;
    let code: String = b.text_of("#demo-code").await.chars().filter(char::is_ascii_digit).collect();
    b.fill("#code", &code).await;
    b.submit("form[action='/sign-in/code']").await;
    arrive(b, next).await;
}

pub(crate) async fn staff_signs_in(b: &Browser, app: &TestApp, username: &str) {
    b.goto("/lang/vi?next=/staff/sign-in").await;
    arrive(b, "/staff/sign-in").await;
    b.fill("#username", username).await;
    b.fill("#password", &app.staff_password(username)).await;
    b.submit("form[action='/staff/sign-in']").await;
    arrive(b, "/console").await;
}

/// Marks the page so that a reload (which would clear the mark) can be detected.
pub(crate) async fn mark_page(b: &Browser) {
    b.run_js("window.__stillHere = true;", vec![]).await;
}

pub(crate) async fn not_reloaded(b: &Browser) -> bool {
    b.run_js("return window.__stillHere === true;", vec![]).await.as_bool() == Some(true)
}

#[tokio::test]
async fn a_citizen_and_an_officer_talk_live_in_two_browsers() {
    let app = spawn_app(true).await;
    let Some((citizen, officer)) =
        launch_two(&app.base, Options::default(), Options::default()).await
    else {
        return;
    };

    citizen_signs_in(&citizen, "0356 123 456", CHAT).await;
    citizen.assert_accessible("chat (empty)").await;
    citizen.fill("#text", "Xin chào, tôi muốn hỏi về làm căn cước").await;
    citizen.submit("form[data-composer]").await;
    citizen.wait_for_text(".bubble.mine [data-state]", "Đã gửi", WAIT).await;

    // The officer finds it in the inbox and opens it.
    staff_signs_in(&officer, &app, "cavixuyen.canbo").await;
    officer.click("a[href='/console/a/ca-vi-xuyen/inbox']").await;
    arrive(&officer, "/console/a/ca-vi-xuyen/inbox").await;
    officer.assert_accessible("inbox").await;
    let shots = screenshots(true);
    assert_eq!(officer.text_of("[data-inbox] li a").await, "035****456");
    officer.click("[data-inbox] li a").await;
    officer.wait_for_text("[data-bubbles]", "làm căn cước", WAIT).await;
    mark_page(&officer).await;
    // Opening it read it: the citizen's page says so without reloading.
    mark_page(&citizen).await;
    citizen.wait_for_text(".bubble.mine [data-state]", "Đã xem", WAIT).await;

    // The citizen sends words and a photo; the officer sees both arrive.
    citizen.fill("#text", "Đây là ảnh giấy tờ").await;
    citizen.attach("#file", &photo()).await;
    citizen.submit("form[data-composer]").await;
    officer.wait_for_text("[data-bubbles] li:last-child", "Đây là ảnh giấy tờ", WAIT).await;
    officer.wait_for("[data-bubbles] li:last-child img[src^='/api/v1/attachments/']", WAIT).await;
    // The picture really loads for the officer (the download is authorised for them).
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let width = officer
            .run_js(
                "var i = document.querySelector('[data-bubbles] li:last-child img'); \
                 return i && i.complete ? i.naturalWidth : 0;",
                vec![],
            )
            .await;
        if width.as_u64().is_some_and(|w| w > 0) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the photo never loaded: {width}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(not_reloaded(&officer).await, "the officer's page updated in place");
    officer.assert_accessible("conversation (officer)").await;

    // The officer replies; the citizen sees it without reloading.
    officer.fill("#text", "Chúng tôi đã nhận. Mời anh đến trụ sở sáng thứ Hai.").await;
    officer.submit("form[data-composer]").await;
    citizen.wait_for_text("[data-bubbles] li:last-child", "Mời anh đến trụ sở", WAIT).await;
    assert!(not_reloaded(&citizen).await, "the citizen's page updated in place");
    assert_eq!(citizen.current_path().await, CHAT);
    citizen.assert_accessible("chat").await;
    if let Some(dir) = &shots {
        citizen.screenshot(dir.join("chat.png")).await;
        officer.screenshot(dir.join("conversation.png")).await;
        officer.goto("/console/a/ca-vi-xuyen/inbox").await;
        officer.wait_for("[data-inbox] li", WAIT).await;
        officer.screenshot(dir.join("inbox.png")).await;
    }

    // Both are stored once, in order.
    let conversation = ketnoi_store::ChatStore::citizen_conversations(
        app.store.as_ref(),
        app.store
            .citizen_for_phone(
                &"0356123456".parse().unwrap_or_else(|e| panic!("{e}")),
                ketnoi_core::Timestamp::now(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .id,
        10,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let messages = ketnoi_store::ChatStore::messages(
        app.store.as_ref(),
        conversation[0].id,
        ketnoi_store::MessageRange::Latest { limit: 10 },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let kinds: Vec<_> = messages.iter().map(|m| (m.seq, m.content.kind().as_str())).collect();
    assert_eq!(kinds, vec![(1, "text"), (2, "image"), (3, "text")]);
}

#[tokio::test]
async fn without_javascript_a_citizen_sends_and_reads_messages() {
    let app = spawn_app(true).await;
    let Some(b) = launch(&app.base, Options::default().without_javascript()).await else { return };
    citizen_signs_in(&b, "0356 123 456", CHAT).await;
    b.fill("#text", "Nhà tôi bị mất trộm xe máy đêm qua").await;
    b.submit("form[data-composer]").await;
    arrive(&b, CHAT).await;
    b.wait_for_text("[data-bubbles]", "mất trộm xe máy", WAIT).await;
    assert_eq!(b.text_of(".bubble.mine [data-state]").await, "Đã gửi");
    b.assert_accessible("chat without JavaScript").await;

    // A photo by form post.
    b.fill("#text", "Ảnh camera").await;
    b.attach("#file", &photo()).await;
    b.submit("form[data-composer]").await;
    arrive(&b, CHAT).await;
    b.wait_for("[data-bubbles] li:last-child img", WAIT).await;

    // An empty message is explained, not sent.
    b.fill("#text", "   ").await;
    b.submit("form[data-composer]").await;
    b.wait_for(".error-summary", WAIT).await;
    assert!(b.title().await.starts_with("Lỗi: "));

    // An officer answers (through the API); the reply shows on the next visit, and the list
    // counts it as unread until then.
    let officer = app.staff_token("cavixuyen.canbo").await;
    let (_, list) = app.get("/api/v1/accounts/ca-vi-xuyen/conversations", Some(&officer)).await;
    let id = list["conversations"][0]["id"].as_i64().unwrap_or_default();
    let (status, _) = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&officer),
            Some(serde_json::json!({"client_msg_id": "reply-1", "text": "Công an xã đã tiếp nhận tin báo."})),
        )
        .await;
    assert_eq!(status, 201);
    b.goto("/me/conversations").await;
    assert!(b.text_of(".conversations").await.contains("1 tin chưa đọc"));
    b.assert_accessible("my conversations").await;
    b.click(".conversations li a").await;
    arrive(&b, CHAT).await;
    b.wait_for_text("[data-bubbles] li:last-child", "đã tiếp nhận tin báo", WAIT).await;
    b.goto("/me/conversations").await;
    assert!(!b.text_of(".conversations").await.contains("chưa đọc"), "reading cleared the count");
}

#[tokio::test]
async fn an_officer_keeps_internal_notes_with_plain_forms_and_the_panel_is_accessible() {
    let app = spawn_app(true).await;
    let citizen = app.citizen_token("0356 123 789").await;
    let (status, asked) = app
        .send(
            reqwest::Method::POST,
            "/api/v1/accounts/ca-vi-xuyen/messages",
            Some(&citizen),
            Some(serde_json::json!({"client_msg_id": "ask-1", "text": "Cho hỏi giờ tiếp dân"})),
        )
        .await;
    assert_eq!(status, 201, "{asked}");
    let page = format!("/console/c/{}", asked["conversation"]["id"]);
    let Some(b) = launch(&app.base, Options::default()).await else { return };
    staff_signs_in(&b, &app, "cavixuyen.canbo").await;
    b.goto(&page).await;
    arrive(&b, &page).await;

    // The notes form posts as a plain form even with the page's script running.
    b.fill("#note-body", "Đã gọi lại, hẹn sáng thứ Hai").await;
    b.submit("form[data-note-form]").await;
    b.wait_for_text("[data-notes] [role=status]", "Đã lưu ghi chú nội bộ.", WAIT).await;
    assert_eq!(b.text_of("[data-note] .note-body").await, "Đã gọi lại, hẹn sáng thứ Hai");
    b.assert_accessible("conversation with an internal note").await;

    // An empty note is explained beside the field, and the page says it has an error.
    b.fill("#note-body", "   ").await;
    b.submit("form[data-note-form]").await;
    b.wait_for("#note-body-error", WAIT).await;
    assert!(b.title().await.starts_with("Lỗi: "));
    b.assert_accessible("a refused internal note").await;
}

#[tokio::test]
async fn an_officer_types_a_slash_and_enter_to_insert_a_canned_reply_filled_in() {
    let app = spawn_app(true).await;
    let admin = app.staff_token("catinh.admin").await;
    let (status, made) = app
        .send(
            reqwest::Method::POST,
            "/api/v1/agencies/ca-tuyen-quang/canned-replies",
            Some(&admin),
            Some(serde_json::json!({
                "shortcut": "tam-tru",
                "title": "Đăng ký tạm trú",
                "body": "Chào {ten_cong_dan}, {ten_tai_khoan} nhận hồ sơ tạm trú."
            })),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let citizen = app.citizen_token("0356 123 790").await;
    let (status, asked) = app
        .send(
            reqwest::Method::POST,
            "/api/v1/accounts/ca-vi-xuyen/messages",
            Some(&citizen),
            Some(serde_json::json!({"client_msg_id": "ask-1", "text": "Cho hỏi tạm trú"})),
        )
        .await;
    assert_eq!(status, 201, "{asked}");
    let label = asked["conversation"]["citizen_label"].as_str().unwrap_or_default().to_owned();
    let page = format!("/console/c/{}", asked["conversation"]["id"]);
    let Some(b) = launch(&app.base, Options::default()).await else { return };
    staff_signs_in(&b, &app, "cavixuyen.canbo").await;
    b.goto(&page).await;
    arrive(&b, &page).await;

    b.fill("#text", "Dạ, /tam").await;
    b.wait_for_text("[data-canned-option]", "/tam-tru", WAIT).await;
    b.assert_accessible("the canned replies list open under the composer").await;
    let enter: char = fantoccini::key::Key::Enter.into();
    b.find("#text").await.send_keys(&enter.to_string()).await.unwrap_or_else(|e| panic!("{e}"));
    let value = b.run_js("return document.querySelector('#text').value;", vec![]).await;
    let masked = if label.is_empty() { "035****790".to_owned() } else { label };
    assert_eq!(
        value.as_str().unwrap_or_default(),
        format!("Dạ, Chào {masked}, Công an xã Vị Xuyên nhận hồ sơ tạm trú.")
    );
    assert!(b.find_all("[data-canned-option]").await.is_empty(), "the list stayed open");
}

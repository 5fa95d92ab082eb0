//! News in a real headless Chromium: an officer writes and publishes an article and sends a
//! ward-targeted broadcast with a button from the console; a citizen of that ward sees it arrive
//! live in the chat and reads it in the feed, and their subscribed browser is pushed the
//! notification through `web-push-testing`; a citizen of another ward never sees it. And no
//! script hidden in an article's Markdown runs, in a page with no Content-Security-Policy to
//! catch what the sanitiser missed.

use base64::Engine as _;
use serde_json::json;

use crate::{
    browser::{Options, WAIT, launch, launch_two},
    browser_chat::{citizen_signs_in, mark_page, not_reloaded, staff_signs_in},
    browser_flows::arrive,
    helpers::spawn_app,
    push::{PushService, app as push_app},
};

const BROADCAST: &str = "Tiêm phòng dại cho chó mèo tại nhà văn hoá xã Vị Xuyên, sáng thứ Bảy";

/// Chooses the ward on the "where you live" page, without relying on script.
async fn choose_ward(b: &crate::browser::Browser, ward: &str) {
    b.goto("/me/dia-ban").await;
    b.find("#province option[value='08']").await.click().await.unwrap_or_else(|e| panic!("{e}"));
    b.click("button[value='province']").await;
    b.wait_for(&format!("#area option[value='{ward}']"), WAIT)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    b.click("button[value='save']").await;
    b.wait_for("[data-current-area]", WAIT).await;
}

async fn follow(b: &crate::browser::Browser) {
    b.goto("/a/ca-vi-xuyen").await;
    b.submit("form[data-follow]").await;
    b.wait_for_text("[data-follow-status]", "theo dõi Công an xã Vị Xuyên", WAIT).await;
}

#[tokio::test]
async fn an_officer_publishes_and_broadcasts_to_a_ward_and_only_its_citizens_see_it_live_and_pushed()
 {
    let Some(push) = PushService::start().await else { return };
    let app = push_app().await;
    let Some((citizen, officer)) =
        launch_two(&app.base, Options::default(), Options::default()).await
    else {
        return;
    };

    // A citizen of Vị Xuyên chooses her ward, follows the commune police, and turns on
    // notifications. Headless Chromium cannot reach a real push service, so the browser
    // registers the subscription web-push-testing made with the server's key, exactly as the
    // page's script does with what pushManager.subscribe returns.
    citizen_signs_in(&citizen, "0356 111 222", "/me/bang-tin").await;
    choose_ward(&citizen, "00913").await;
    citizen.assert_accessible("ward choice").await;
    follow(&citizen).await;
    let (_, key) = app.get("/api/v1/push/key", None).await;
    let (subscription, hash) = push.subscribe(key["public_key"].as_str().unwrap_or_default()).await;
    let status = citizen
        .run_async_js(
            "const r = await fetch('/api/v1/me/push-subscriptions', { method: 'POST', credentials: 'same-origin', \
             headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(arguments[0]) }); return r.status;",
            vec![subscription],
        )
        .await;
    assert_eq!(status, json!(201));
    citizen.goto("/a/ca-vi-xuyen/chat").await;
    mark_page(&citizen).await;

    // The officer writes an article, previews it, publishes it.
    staff_signs_in(&officer, &app, "cavixuyen.canbo").await;
    officer.click("a[href='/console/a/ca-vi-xuyen/tin']").await;
    arrive(&officer, "/console/a/ca-vi-xuyen/tin").await;
    officer.click("a[href='/console/a/ca-vi-xuyen/tin/moi']").await;
    arrive(&officer, "/console/a/ca-vi-xuyen/tin/moi").await;
    officer.fill("#title", "Lịch tiêm phòng dại năm 2026").await;
    officer.fill("#body", "## Lịch tiêm\n\nMang theo **sổ tiêm** của vật nuôi.\n\n<script>window.__xss=1</script>").await;
    officer
        .find("#state option[value='published']")
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    officer.click("button[value='preview']").await;
    officer.wait_for_text("[data-preview]", "sổ tiêm", WAIT).await;
    officer.assert_accessible("article editor with preview").await;
    officer.click("button[value='save']").await;
    arrive(&officer, "/console/a/ca-vi-xuyen/tin").await;
    officer.wait_for_text("[data-articles]", "Lịch tiêm phòng dại năm 2026", WAIT).await;

    // …and sends a broadcast to Vị Xuyên with the article's card and a button.
    officer.goto("/console/a/ca-vi-xuyen/thong-bao").await;
    officer.fill("#text", BROADCAST).await;
    officer
        .find("#article option:nth-child(2)")
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    officer.fill("#button_label", "Đăng ký tiêm").await;
    officer.fill("#button_url", "https://dichvucong.gov.vn").await;
    officer
        .find("#areas option[value='00913']")
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    officer.click("button[value='count']").await;
    // Her and the demo's follower in Vị Xuyên.
    officer.wait_for_text("[data-audience-count]", "2 người theo dõi", WAIT).await;
    officer.assert_accessible("broadcast form").await;
    officer.click("button[value='send']").await;
    officer.wait_for_text("[data-broadcasts]", "Tiêm phòng dại", WAIT).await;

    // The citizen sees it arrive in the chat without reloading, and in her feed.
    citizen.wait_for_text("[data-notices]", "Tiêm phòng dại cho chó mèo", WAIT).await;
    citizen.wait_for("[data-notices] a[href='https://dichvucong.gov.vn']", WAIT).await;
    assert!(not_reloaded(&citizen).await, "the broadcast needed a reload");
    citizen.goto("/me/bang-tin").await;
    citizen.wait_for_text("[data-news]", "Tiêm phòng dại cho chó mèo", WAIT).await;
    citizen.wait_for_text("[data-news]", "Lịch tiêm phòng dại năm 2026", WAIT).await;
    citizen.assert_accessible("news feed").await;
    // The article reads well and its script never ran.
    citizen.click("[data-news] a[href='/a/ca-vi-xuyen/tin/lich-tiem-phong-dai-nam-2026']").await;
    citizen.wait_for_text("[data-article-page]", "sổ tiêm", WAIT).await;
    assert_eq!(citizen.run_js("return window.__xss === undefined;", vec![]).await, json!(true));
    citizen.assert_accessible("article").await;

    // Her browser was pushed the broadcast.
    let pushed = push.wait_for(&hash, 1).await;
    assert_eq!(pushed[0]["body"], BROADCAST, "{pushed:?}");
    assert!(pushed[0]["url"].as_str().is_some_and(|u| u.starts_with("/a/ca-vi-xuyen/thong-bao/")));

    // A citizen of Hà Giang 1 who follows the same account sees none of it.
    citizen.submit("form[action='/sign-out']").await;
    // Signing out lands on the home page; only then is the next sign-in started, or the
    // sign-out's own redirect can overtake it on a busy machine.
    arrive(&citizen, "/").await;
    citizen_signs_in(&citizen, "0356 333 444", "/me/bang-tin").await;
    choose_ward(&citizen, "00694").await;
    follow(&citizen).await;
    citizen.goto("/me/bang-tin").await;
    let feed = citizen.text_of("[data-news]").await;
    assert!(
        feed.contains("Lịch tiêm phòng dại năm 2026"),
        "articles are for every follower: {feed}"
    );
    assert!(!feed.contains("Tiêm phòng dại cho chó mèo"), "another ward's broadcast shown: {feed}");
    citizen.goto("/a/ca-vi-xuyen/chat").await;
    assert!(!citizen.text_of("main").await.contains("Tiêm phòng dại cho chó mèo"));
}

#[tokio::test]
async fn no_script_hidden_in_markdown_runs_even_without_a_content_security_policy() {
    let app = spawn_app(true).await;
    let officer = app.staff_token("cavixuyen.canbo").await;
    let payloads = include_str!("../../../ketnoi-server/tests/data/xss-payloads.md");
    assert!(payloads.lines().count() >= 50);
    let (status, article) = app
        .send(
            reqwest::Method::POST,
            "/api/v1/accounts/ca-vi-xuyen/articles",
            Some(&officer),
            Some(json!({ "title": "Kiểm tra an toàn", "body": payloads.replace('\n', "\n\n"), "state": "published" })),
        )
        .await;
    assert_eq!(status, 201, "{article}");
    let html = article["body_html"].as_str().unwrap_or_default();
    // The sanitised body alone, in a document with no policy at all: only the sanitiser stands
    // between these payloads and the browser.
    let page =
        format!("<!DOCTYPE html><html><head><meta charset=utf-8></head><body>{html}</body></html>");
    let data_url = format!(
        "data:text/html;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(page.as_bytes())
    );
    let Some(browser) = launch("", Options::default()).await else { return };
    browser.goto_absolute(&data_url).await;
    let provoke = "document.querySelectorAll('*').forEach(function (el) {\
         ['click', 'mouseover', 'focus', 'load', 'error', 'toggle', 'start'].forEach(function (t) {\
           try { el.dispatchEvent(new Event(t)); } catch (e) {} });\
         if (el.tagName === 'A' && el.href && !/^(https?|mailto|tel):/.test(el.href)) { try { el.click(); } catch (e) {} } });\
       return document.querySelectorAll('a').length;";
    let links = browser.run_js(provoke, vec![]).await;
    assert!(links.as_u64().is_some_and(|n| n > 0), "the safe links were kept");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let ran =
        browser.run_js("return window.__xss === undefined ? null : window.__xss;", vec![]).await;
    assert_eq!(ran, json!(null), "payload {ran} ran");
    drop(browser);

    // And on the real page, under its policy.
    let Some(browser) = launch(&app.base, Options::default()).await else { return };
    browser.goto("/a/ca-vi-xuyen/tin/kiem-tra-an-toan").await;
    browser.run_js(provoke, vec![]).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let ran =
        browser.run_js("return window.__xss === undefined ? null : window.__xss;", vec![]).await;
    assert_eq!(ran, json!(null), "payload {ran} ran on the article page");
    assert_eq!(browser.current_path().await, "/a/ca-vi-xuyen/tin/kiem-tra-an-toan");
}

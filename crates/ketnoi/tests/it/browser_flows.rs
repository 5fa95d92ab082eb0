//! The citizen's and the officer's main journeys in a real headless Chromium, with JavaScript
//! on and with it off. Every page visited passes the accessibility check and the weight budget.
//!
//! With `KETNOI_SCREENSHOTS=DIR` the JavaScript run also saves phone-width screenshots of the
//! main pages there (how `docs/screenshots/` is made).

use std::path::PathBuf;

use crate::{
    browser::{Browser, Options, WAIT, launch},
    helpers::spawn_app,
};

/// A citizen page's budget: 60 KB compressed, images excluded.
const BUDGET: u64 = 60 * 1024;

/// Checks the page the browser is on and, when asked, photographs it.
async fn check(b: &Browser, label: &str, shots: &Option<PathBuf>) {
    b.assert_accessible(label).await;
    b.assert_weight_under(BUDGET, label).await;
    if let Some(dir) = shots {
        b.screenshot(dir.join(format!("{label}.png"))).await;
    }
}

pub(crate) fn screenshots(js: bool) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("KETNOI_SCREENSHOTS").filter(|_| js)?);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    Some(dir)
}

/// Waits for the browser to arrive at `path`: a click or submit may return before the next page
/// has replaced the current one, most of all with JavaScript off.
pub(crate) async fn arrive(b: &Browser, path: &str) {
    b.wait_for_path(path, WAIT).await;
    b.wait_for("footer", WAIT).await;
}

async fn html_lang(b: &Browser) -> String {
    b.run_js("return document.documentElement.lang;", vec![])
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn journey(js: bool) {
    let app = spawn_app(true).await;
    let options = if js { Options::default() } else { Options::default().without_javascript() };
    let Some(b) = launch(&app.base, options).await else { return };
    let shots = screenshots(js);

    // The browser is set to English; a Vietnamese visitor's choice is remembered from the switch.
    b.goto("/lang/vi?next=/").await;
    b.wait_for("html[lang=vi]", WAIT).await;
    // Search the directory without diacritics.
    assert_eq!(html_lang(&b).await, "vi");
    check(&b, "home", &shots).await;
    b.fill("#q", "cong an vi xuyen").await;
    b.submit("form[role=search]").await;
    arrive(&b, "/accounts").await;
    assert_eq!(b.text_of(".cards li a").await, "Công an xã Vị Xuyên");
    check(&b, "directory", &shots).await;

    // Open the account.
    b.click(".cards li a").await;
    arrive(&b, "/a/ca-vi-xuyen").await;
    assert!(b.text_of("h1").await.contains("Đã xác minh"), "the verified badge shows");
    check(&b, "account", &shots).await;

    // Sign in as a citizen with the demo code, coming back to the account.
    b.click("a.button[href^='/sign-in']").await;
    arrive(&b, "/sign-in").await;
    check(&b, "sign-in", &shots).await;
    b.fill("#phone", "0356 123 456").await;
    b.submit("form[action='/sign-in']").await;
    arrive(&b, "/sign-in/code").await;
    let notice = b.text_of("#demo-code").await;
    let code: String = notice.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "{notice}");
    check(&b, "sign-in-code", &shots).await;
    b.fill("#code", &code).await;
    b.submit("form[action='/sign-in/code']").await;
    arrive(&b, "/a/ca-vi-xuyen").await;
    let session = b.cookie("ketnoi_session").await;
    assert!(session.as_ref().is_some_and(|c| c.http_only() == Some(true)), "{session:?}");

    // Follow it: in place with JavaScript, by a form post and redirect without.
    assert_eq!(b.text_of("[data-follower-count]").await, "1 người theo dõi");
    b.submit("form[data-follow]").await;
    b.wait_for("form[data-follow][action$='/unfollow']", WAIT).await;
    assert!(b.text_of("[data-account]").await.contains("Bạn đã theo dõi Công an xã Vị Xuyên"));
    assert_eq!(b.text_of("[data-follower-count]").await, "2 người theo dõi");
    if js {
        assert_eq!(b.current_url().await.query(), None, "followed without leaving the page");
    } else {
        assert_eq!(b.current_url().await.query(), Some("done=followed"));
    }
    let account = ketnoi_store::AccountStore::account_by_slug(
        app.store.as_ref(),
        &"ca-vi-xuyen".parse().unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    assert_eq!(account.ok().flatten().map(|a| a.follower_count), Some(2));
    b.goto("/me/accounts").await;
    assert!(b.text_of(".cards").await.contains("Công an xã Vị Xuyên"));
    check(&b, "my-accounts", &shots).await;

    // Switch to English and back.
    b.click("a[hreflang=en]").await;
    arrive(&b, "/me/accounts").await;
    b.wait_for("html[lang=en]", WAIT).await;
    assert_eq!(b.text_of("h1").await, "Accounts I follow");
    b.assert_accessible("my-accounts (en)").await;
    b.click("a[hreflang=vi]").await;
    b.wait_for("html[lang=vi]", WAIT).await;
    assert_eq!(b.text_of("h1").await, "Tài khoản tôi theo dõi");

    // Sign out, then sign in as staff and see the console.
    b.submit("form[action='/sign-out']").await;
    arrive(&b, "/").await;
    b.wait_for("a[href='/sign-in']", WAIT).await;
    b.goto("/staff/sign-in").await;
    check(&b, "staff-sign-in", &shots).await;
    let password = app.staff_password("catinh.admin");
    b.fill("#username", "catinh.admin").await;
    b.fill("#password", &password).await;
    b.submit("form[action='/staff/sign-in']").await;
    arrive(&b, "/console").await;
    let console = b.text_of("main").await;
    for unit in ["Công an tỉnh Tuyên Quang", "Công an xã Vị Xuyên", "Công an phường Hà Giang 1"]
    {
        assert!(console.contains(unit), "{unit} missing from the console");
    }
    check(&b, "console", &shots).await;
}

#[tokio::test]
async fn a_citizen_finds_signs_in_follows_and_switches_language_then_staff_see_the_console() {
    journey(true).await;
}

#[tokio::test]
async fn the_same_journey_works_with_javascript_off() {
    journey(false).await;
}

#[tokio::test]
async fn a_form_error_is_announced_and_linked_to_its_field() {
    let app = spawn_app(true).await;
    let Some(b) = launch(&app.base, Options::default()).await else { return };
    b.goto("/lang/vi?next=/sign-in").await;
    b.fill("#phone", "024 3823 4567").await;
    b.submit("form[action='/sign-in']").await;
    b.wait_for(".error-summary", WAIT).await;
    assert!(b.title().await.starts_with("Lỗi: "));
    let focused = b.run_js("return document.activeElement.className;", vec![]).await;
    assert_eq!(focused, "error-summary", "the summary takes focus so it is read out");
    b.assert_accessible("sign-in with an error").await;
    b.click(".error-summary a[href='#phone']").await;
    let focused = b.run_js("return document.activeElement.id;", vec![]).await;
    assert_eq!(focused, "phone", "the summary's link leads to the field");
}

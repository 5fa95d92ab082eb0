//! The harness against the real server and against a fixture site with a strict CSP.

use super::{Options, PHONE, WAIT, axe::serious_report, fixture, launch};
use crate::helpers::spawn_app;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

#[tokio::test]
async fn the_api_docs_and_health_check_open_in_a_phone_sized_chromium() {
    let app = spawn_app(true).await;
    let Some(browser) = launch(&app.base, Options::default()).await else { return };

    browser.goto("/api/docs/").await;
    // The title is rendered by the viewer's scripts from the OpenAPI document.
    browser.wait_for(".swagger-ui .info .title", WAIT).await;
    let title = browser.text_of(".swagger-ui .info .title").await;
    assert!(title.starts_with("ketnoi API"), "{title}");
    // The viewer has no `<meta name="viewport">`, so it is laid out wider than the screen, as
    // a phone would; the screen is the phone's.
    let screen = browser.run_js("return [screen.width, screen.height];", vec![]).await;
    assert_eq!(screen, serde_json::json!([PHONE.0, PHONE.1]));

    assert!(browser.page_weight().await > 0);
    let weight = browser.weigh().await;
    assert!(weight.total > 0, "{weight}");
    assert!(weight.assets.iter().any(|a| a.kind == super::AssetKind::Script), "{weight}");
    // Both ways count the same files; only the encodings the server picks may differ (the
    // browser also offers zstd).
    let fetched = browser.weigh_by_fetching().await;
    let (low, high) = (weight.total.min(fetched.total), weight.total.max(fetched.total));
    assert!(high - low <= high / 10, "in the browser {weight}by fetching {fetched}");

    let shots = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let shot = shots.path().join("docs.png");
    browser.screenshot(&shot).await;
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{e}"));
    assert!(png.starts_with(PNG_SIGNATURE) && png.len() > 1000, "{} bytes", png.len());

    browser.goto("/healthz").await;
    assert_eq!(browser.current_path().await, "/healthz");
    let health: serde_json::Value = serde_json::from_str(&browser.text_of("body").await)
        .unwrap_or_else(|e| panic!("/healthz is not JSON: {e}"));
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn axe_runs_in_pages_under_a_strict_content_security_policy() {
    let site = fixture::serve().await;
    let Some(browser) = launch(&site.base, Options::default()).await else { return };
    browser.goto("/").await;
    assert_eq!(browser.text_of("#external").await, "external ran");
    // The policy is really in force: the inline script was refused.
    assert_eq!(browser.text_of("#inline").await, "untouched");

    browser.assert_accessible("the probe page").await;

    browser.goto("/broken").await;
    let Some(violations) = browser.accessibility_violations().await else { return };
    let report = serious_report("/broken", &violations).unwrap_or_default();
    assert!(report.contains("image-alt (critical)"), "{report}");
    assert!(report.contains("#nameless"), "{report}");
}

#[tokio::test]
async fn with_javascript_on_page_scripts_run_and_both_weights_agree() {
    let site = fixture::serve().await;
    let Some(browser) = launch(&site.base, Options::default()).await else { return };
    assert!(browser.javascript());
    browser.goto("/").await;
    assert_eq!(browser.text_of("#external").await, "external ran");
    let viewport = browser.run_js("return [innerWidth, innerHeight];", vec![]).await;
    assert_eq!(viewport, serde_json::json!([PHONE.0, PHONE.1]));
    assert_eq!(browser.weigh_in_browser().await.total, fixture::probe_weight());
    assert_eq!(browser.weigh_by_fetching().await.total, fixture::probe_weight());
    browser.assert_weight_under(fixture::probe_weight(), "the probe page").await;
    greet_without_help(&browser).await;
}

#[tokio::test]
async fn with_javascript_off_page_scripts_never_run_and_flows_still_work() {
    let site = fixture::serve().await;
    let Some(browser) = launch(&site.base, Options::default().without_javascript()).await else {
        return;
    };
    assert!(!browser.javascript());
    browser.goto("/").await;
    // The same page, policy and script that run with JavaScript on: nothing else stopped them.
    assert_eq!(browser.title().await, "Probe");
    assert_eq!(browser.text_of("#external").await, "untouched");
    assert_eq!(browser.text_of("#inline").await, "untouched");
    assert_eq!(browser.find_all("p").await.len(), 2);
    let weight = browser.weigh().await;
    assert_eq!(weight.total, fixture::probe_weight(), "{weight}");
    browser.assert_weight_under(fixture::probe_weight(), "the probe page").await;
    // A no-op that says so (see `axe.rs`).
    assert!(browser.accessibility_violations().await.is_none());
    browser.assert_accessible("the probe page without JavaScript").await;
    greet_without_help(&browser).await;
}

/// The form flow, driven as a person would: typing, a real submit button, a redirect, a cookie.
async fn greet_without_help(browser: &super::Browser) {
    browser.goto("/").await;
    // Twice, to see that filling replaces what was there.
    browser.fill("#name", "placeholder").await;
    browser.fill("#name", "Lan").await;
    browser.submit("#greet").await;
    browser.wait_for_path("/greeted", super::WAIT).await;
    assert_eq!(browser.text_of("#greeting").await, "Hello, Lan");
    let cookie = browser.cookie("greeted_as").await.unwrap_or_else(|| panic!("no cookie"));
    assert_eq!((cookie.value(), cookie.http_only()), ("Lan", Some(true)));
    browser.click("#again").await;
    assert_eq!(browser.current_url().await.as_str(), browser.url("/"));
}

//! The integrations console in a real headless Chromium, with JavaScript off: an administrator
//! of the provincial police creates an integration for a commune account, sees its secret key
//! and tokens once, and the page passes the accessibility checks before and after.

use crate::{
    browser::{Options, WAIT, launch},
    browser_chat::staff_signs_in,
    helpers::spawn_app,
};

#[tokio::test]
async fn an_administrator_creates_an_integration_and_sees_its_credentials_once() {
    let app = spawn_app(true).await;
    let Some(admin) = launch(&app.base, Options::default().without_javascript()).await else {
        return;
    };
    staff_signs_in(&admin, &app, "catinh.admin").await;
    admin.goto("/console").await;
    admin.click("a[href='/console/a/ca-vi-xuyen/integrations']").await;
    admin.wait_for("[data-integrations-empty]", WAIT).await;
    admin.assert_accessible("integrations, none yet").await;
    admin.fill("#integration-name", "Hệ thống một cửa").await;
    admin.click("input[name='scopes'][value='webhooks']").await;
    admin.submit("form[data-integration-new]").await;
    admin.wait_for("[data-credentials]", WAIT).await;
    let token = admin.text_of("[data-access-token]").await;
    assert!(token.starts_with("ketnoi_a_"), "{token}");
    assert!(admin.text_of("[data-webhook-secret]").await.starts_with("whsec_"));
    admin.assert_accessible("integration created, credentials shown once").await;
    let listed = admin.text_of("[data-integrations]").await;
    assert!(listed.contains("Hệ thống một cửa") && listed.contains("Nhận sự kiện"), "{listed}");
    // Loaded again, the page keeps no secret.
    admin.goto("/console/a/ca-vi-xuyen/integrations").await;
    admin.wait_for("[data-integrations]", WAIT).await;
    assert!(admin.find_all("[data-credentials]").await.is_empty());
    // The token works.
    assert_eq!(app.get("/api/v1/integration", Some(&token)).await.0, 200);
}

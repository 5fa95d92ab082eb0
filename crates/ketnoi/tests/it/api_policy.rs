//! The policy table, walked through the API with the demo's staff.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

fn codes(forest: &Value, out: &mut BTreeSet<String>) {
    for node in forest.as_array().into_iter().flatten() {
        if let Some(code) = node["code"].as_str() {
            out.insert(code.to_owned());
        }
        codes(&node["children"], out);
    }
}

#[tokio::test]
async fn each_role_sees_exactly_the_agencies_its_reach_allows_in_the_console() {
    let app = spawn_app(true).await;
    let cases: [(&str, &[&str]); 3] = [
        // An administrator on the provincial police reaches its whole subtree.
        ("catinh.admin", &["ca-tuyen-quang", "ca-vi-xuyen", "ca-thanh-thuy", "ca-ha-giang-1"]),
        // An officer reaches only their own unit.
        ("cavixuyen.canbo", &["ca-vi-xuyen"]),
        // So does a viewer.
        ("ubndvixuyen.xem", &["ubnd-vi-xuyen"]),
    ];
    for (username, expected) in cases {
        let token = app.staff_token(username).await;
        let (status, console) = app.get("/api/v1/me/console", Some(&token)).await;
        assert_eq!(status, 200, "{console}");
        let mut seen = BTreeSet::new();
        codes(&console["agencies"], &mut seen);
        let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(seen, expected, "{username}");
        let accounts = console["accounts"].as_array().map_or(0, Vec::len);
        assert_eq!(accounts, expected.len(), "{username}: one demo account per agency");
    }
    let admin = app.staff_token("quantri").await;
    let (_, all) = app.get("/api/v1/me/console", Some(&admin)).await;
    let mut seen = BTreeSet::new();
    codes(&all["agencies"], &mut seen);
    assert_eq!(seen.len(), 9, "the platform administrator sees every agency");

    let citizen = app.citizen_token("0912000001").await;
    assert_problem(&app.get("/api/v1/me/console", Some(&citizen)).await, 403, "forbidden");
    assert_problem(&app.get("/api/v1/me/console", None).await, 401, "unauthenticated");
}

#[tokio::test]
async fn only_a_platform_administrator_may_verify_an_account() {
    let app = spawn_app(true).await;
    let put = reqwest::Method::PUT;
    let path = "/api/v1/accounts/ca-thanh-thuy/verified";
    let body = Some(json!({"verified": true}));
    for username in ["catinh.admin", "cavixuyen.canbo", "ubndvixuyen.xem"] {
        let token = app.staff_token(username).await;
        let got = app.send(put.clone(), path, Some(&token), body.clone()).await;
        assert_problem(&got, 403, "forbidden");
    }
    let citizen = app.citizen_token("0912000001").await;
    assert_problem(
        &app.send(put.clone(), path, Some(&citizen), body.clone()).await,
        403,
        "forbidden",
    );
    assert_problem(&app.send(put.clone(), path, None, body.clone()).await, 401, "unauthenticated");
    let (_, still) = app.get("/api/v1/accounts/ca-thanh-thuy", None).await;
    assert_eq!(still["account"]["verified"], false, "refusals changed nothing");

    let admin = app.staff_token("quantri").await;
    let (status, done) = app.send(put.clone(), path, Some(&admin), body).await;
    assert_eq!((status, done["verified"].as_bool()), (200, Some(true)), "{done}");
    let (_, now) = app.get("/api/v1/accounts/ca-thanh-thuy", None).await;
    assert_eq!(now["account"]["verified"], true);
}

#[tokio::test]
async fn an_account_api_token_speaks_for_its_account() {
    let app = spawn_app(true).await;
    let account = app
        .store
        .account_by_slug(&"ca-vi-xuyen".parse().unwrap_or_else(|e| panic!("{e}")))
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("demo account"));
    let issued = ketnoi_server::kernel::auth::issue_token(
        app.store.as_ref(),
        ketnoi_store::Subject::Account(account.id),
        ketnoi_store::SessionKind::Api,
        "integration",
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(issued.token.starts_with("ketnoi_t_"));
    let (status, me) = app.get("/api/v1/me", Some(&issued.token)).await;
    assert_eq!((status, me["kind"].as_str()), (200, Some("account")));
    assert_eq!(me["account"]["slug"], "ca-vi-xuyen");
    assert_problem(&app.get("/api/v1/me", Some("ketnoi_t_forged")).await, 401, "unauthenticated");
    assert_problem(
        &app.get("/api/v1/me", Some("not-a-ketnoi-token")).await,
        401,
        "unauthenticated",
    );
}

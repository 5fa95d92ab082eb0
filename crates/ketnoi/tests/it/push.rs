//! Web Push end to end against a push service nobody on the project wrote: the npm package
//! `web-push-testing` (installed by `.ci/run` into `tools/push`) plays the browser's push
//! service, checks the VAPID signature, and decrypts what it receives as a browser would.
//!
//! Without Node.js or the package a test skips; under `CI=true` it fails instead.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

/// A running `web-push-testing` server, killed when dropped.
pub(crate) struct PushService {
    child: Child,
    pub(crate) base: String,
    http: reqwest::Client,
}

impl Drop for PushService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/push/node_modules/web-push-testing/src/bin/server.js")
}

impl PushService {
    /// Starts the service on a free port, or `None` (after saying why) when it is not
    /// installed; under `CI=true` that panics.
    pub(crate) async fn start() -> Option<Self> {
        let script = server_script();
        let node = Command::new("node").arg("--version").output().is_ok();
        if !node || !script.exists() {
            let why =
                "web-push-testing is not installed: run `npm ci` in tools/push (Node.js needed)";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true and {why}");
            eprintln!("skipping a push test: {why}");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new("node")
            .arg(&script)
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting web-push-testing: {e}"));
        let service =
            Self { child, base: format!("http://localhost:{port}"), http: reqwest::Client::new() };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let up = service.http.post(format!("{}/status", service.base)).send().await;
            if up.is_ok_and(|r| r.status().is_success()) {
                return Some(service);
            }
            assert!(tokio::time::Instant::now() < deadline, "web-push-testing did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new subscription as a browser's `PushSubscription.toJSON()` would give it, made with
    /// the server's VAPID key, and its handle on the service.
    pub(crate) async fn subscribe(&self, vapid_public_key: &str) -> (Value, String) {
        let answer: Value = self
            .http
            .post(format!("{}/subscribe", self.base))
            .json(&json!({ "applicationServerKey": vapid_public_key, "userVisibleOnly": "true" }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let data = &answer["data"];
        let hash = data["clientHash"].as_str().unwrap_or_else(|| panic!("{answer}")).to_owned();
        (json!({ "endpoint": data["endpoint"], "keys": data["keys"] }), hash)
    }

    /// What the subscription received, decrypted, oldest first.
    pub(crate) async fn received(&self, hash: &str) -> Vec<Value> {
        let answer: Value = self
            .http
            .post(format!("{}/get-notifications", self.base))
            .json(&json!({ "clientHash": hash }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_default();
        answer["data"]["messages"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|s| s.as_str())
                    .filter_map(|s| serde_json::from_str(s).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until the subscription has received `count` notifications.
    pub(crate) async fn wait_for(&self, hash: &str, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.received(hash).await;
            if got.len() >= count {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} of {count} notifications arrived: {got:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Makes the push service forget the subscription: it answers 410 Gone from now on.
    pub(crate) async fn expire(&self, hash: &str) {
        let r = self.http.post(format!("{}/expire-subscription/{hash}", self.base)).send().await;
        assert!(r.is_ok_and(|r| r.status().is_success()));
    }
}

/// The app with plain-http push endpoints allowed (the local push service is not https).
pub(crate) async fn app() -> TestApp {
    spawn_app_with(true, |c| c.push_allow_http = true).await
}

#[tokio::test]
async fn broadcasts_and_replies_reach_a_closed_page_and_a_gone_subscription_is_removed() {
    let Some(push) = PushService::start().await else { return };
    let app = app().await;
    let (_, key) = app.get("/api/v1/push/key", None).await;
    let key = key["public_key"].as_str().unwrap_or_default().to_owned();
    assert_eq!(key.len(), 87, "a 65-byte point in base64url: {key}");

    let citizen = app.citizen_token("0914000001").await;
    app.send(Method::PUT, "/api/v1/accounts/ca-vi-xuyen/follow", Some(&citizen), None).await;
    app.send(Method::PUT, "/api/v1/me/area", Some(&citizen), Some(json!({ "area": "00913" })))
        .await;
    let (subscription, hash) = push.subscribe(&key).await;
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/me/push-subscriptions",
            Some(&citizen),
            Some(subscription.clone()),
        )
        .await;
    assert_eq!(status, 201);
    // Someone outside the ward subscribes too, and must receive nothing.
    let other = app.citizen_token("0914000002").await;
    app.send(Method::PUT, "/api/v1/accounts/ca-vi-xuyen/follow", Some(&other), None).await;
    app.send(Method::PUT, "/api/v1/me/area", Some(&other), Some(json!({ "area": "00694" }))).await;
    let (other_subscription, other_hash) = push.subscribe(&key).await;
    app.send(Method::POST, "/api/v1/me/push-subscriptions", Some(&other), Some(other_subscription))
        .await;

    let officer = app.staff_token("cavixuyen.canbo").await;
    let (status, sent) = app
        .send(
            Method::POST,
            "/api/v1/accounts/ca-vi-xuyen/broadcasts",
            Some(&officer),
            Some(json!({ "text": "Mất điện xã Vị Xuyên từ 8 giờ đến 11 giờ", "areas": ["00913"] })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    let got = push.wait_for(&hash, 1).await;
    assert_eq!(got[0]["title"], "Công an xã Vị Xuyên", "{got:?}");
    assert_eq!(got[0]["body"], "Mất điện xã Vị Xuyên từ 8 giờ đến 11 giờ");
    assert_eq!(got[0]["url"], format!("/a/ca-vi-xuyen/thong-bao/{}", sent["id"]));

    // An officer's reply in the citizen's conversation is pushed too.
    let (status, asked) = app
        .send(
            Method::POST,
            "/api/v1/accounts/ca-vi-xuyen/messages",
            Some(&citizen),
            Some(json!({ "client_msg_id": "push-1", "text": "Mấy giờ có điện lại?" })),
        )
        .await;
    assert_eq!(status, 201, "{asked}");
    let conversation = asked["conversation"]["id"].as_i64().unwrap_or_default();
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&officer),
            Some(json!({ "client_msg_id": "push-2", "text": "Dự kiến 11 giờ trưa." })),
        )
        .await;
    assert_eq!(status, 201);
    let got = push.wait_for(&hash, 2).await;
    let reply = got.iter().find(|n| n["body"] == "Dự kiến 11 giờ trưa.");
    assert!(reply.is_some_and(|r| r["url"] == "/a/ca-vi-xuyen/chat"), "{got:?}");
    assert!(
        push.received(&other_hash).await.is_empty(),
        "a follower outside the ward was notified"
    );

    // The push service forgets the browser: the next push gets 410 and the subscription goes.
    push.expire(&hash).await;
    app.send(
        Method::POST,
        "/api/v1/accounts/ca-vi-xuyen/broadcasts",
        Some(&officer),
        Some(json!({ "text": "Đã có điện trở lại", "areas": ["00913"] })),
    )
    .await;
    let citizen_id = {
        let (_, me) = app.get("/api/v1/me", Some(&citizen)).await;
        ketnoi_core::CitizenId(me["citizen"]["id"].as_i64().unwrap_or_default())
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !app.store.push_subscriptions(citizen_id).await.unwrap_or_default().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the expired subscription was kept");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    // Unsubscribing an endpoint that is gone is a clear 404.
    let gone = app
        .send(
            Method::DELETE,
            "/api/v1/me/push-subscriptions",
            Some(&citizen),
            Some(json!({ "endpoint": subscription["endpoint"] })),
        )
        .await;
    crate::helpers::assert_problem(&gone, 404, "not-found");
}

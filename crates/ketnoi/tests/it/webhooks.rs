//! Integrations' webhooks (issue 19): events reach a receiver on this machine signed twice,
//! survive a receiver that is down and a server restart, disable an endpoint that keeps
//! failing, never go to internal addresses, verify with the Standard Webhooks reference library,
//! and never slow a citizen's message.

use std::{
    collections::VecDeque,
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use base64::Engine as _;
use ketnoi_core::{Scope, Scopes, Slug, Timestamp};
use ketnoi_server::ServerConfig;
use ketnoi_server::features::integrations::service;
use ketnoi_store::{SqliteStore, Store};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::helpers::{TestApp, assert_problem, spawn_app_with, start_with};
use crate::pages::Visitor;

const ACCOUNT: &str = "ca-vi-xuyen";
/// The provincial police's administrator, who manages the account's integrations.
const ADMIN: &str = "catinh.admin";
/// An officer of the account: answers citizens, does not manage integrations.
const OFFICER: &str = "cavixuyen.canbo";
const WAIT: Duration = Duration::from_secs(20);

/// What the receiver answers, request after request; then 200.
#[derive(Clone, Copy, Debug)]
enum Answer {
    Status(u16),
    /// 200 after a while.
    Slow(Duration),
}

/// One request the receiver took.
#[derive(Clone, Debug)]
struct Got {
    headers: HeaderMap,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }
}

#[derive(Clone, Default)]
struct Shared {
    got: Arc<Mutex<Vec<Got>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
    /// What comes after the script.
    otherwise: Arc<Mutex<Option<u16>>>,
}

/// A webhook receiver on 127.0.0.1 that records every request and answers per its script.
struct Receiver {
    port: u16,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    if let Ok(mut got) = shared.got.lock() {
        got.push(Got { headers, body });
    }
    let next = shared.script.lock().ok().and_then(|mut s| s.pop_front());
    let otherwise = shared.otherwise.lock().ok().and_then(|o| *o).unwrap_or(200);
    match next {
        Some(Answer::Status(code)) => {
            (StatusCode::from_u16(code).unwrap_or(StatusCode::OK), format!("answer {code}"))
        }
        Some(Answer::Slow(pause)) => {
            tokio::time::sleep(pause).await;
            (StatusCode::OK, "slow ok".into())
        }
        None => (
            StatusCode::from_u16(otherwise).unwrap_or(StatusCode::OK),
            format!("answer {otherwise}"),
        ),
    }
}

impl Receiver {
    async fn start(script: &[Answer]) -> Self {
        Self::start_on(0, script).await
    }

    async fn start_on(port: u16, script: &[Answer]) -> Self {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .unwrap_or_else(|e| panic!("bind {port}: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let shared = Shared::default();
        if let Ok(mut s) = shared.script.lock() {
            s.extend(script.iter().copied());
        }
        let router = Router::new().route("/hook", post(receive)).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { port, shared, task }
    }

    fn url(&self) -> String {
        url_on(self.port)
    }

    fn got(&self) -> Vec<Got> {
        self.shared.got.lock().map(|g| g.clone()).unwrap_or_default()
    }

    fn answer_from_now(&self, status: u16) {
        if let Ok(mut o) = self.shared.otherwise.lock() {
            *o = Some(status);
        }
    }

    /// The first request carrying an event named `name` for which `pick` holds.
    async fn wait_for(&self, name: &str, pick: impl Fn(&Value) -> bool) -> Got {
        eventually(&format!("a {name} event"), async || {
            self.got().into_iter().find(|g| {
                let body = g.json();
                body["event_name"] == name && pick(&body)
            })
        })
        .await
    }
}

fn url_on(port: u16) -> String {
    format!("http://127.0.0.1:{port}/hook")
}

/// A port nothing listens on (for now).
async fn closed_port() -> u16 {
    let listener =
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
    listener.local_addr().map(|a| a.port()).unwrap_or_default()
}

/// Polls `probe` until it finds something, or fails the test after [`WAIT`].
async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(started.elapsed() < WAIT, "waited {WAIT:?} for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Webhooks reaching the tests' receivers on 127.0.0.1, retried within a second.
fn quick(config: &mut ServerConfig) {
    config.webhooks.allow_hosts = vec!["127.0.0.1".into()];
    config.webhooks.retry_schedule = vec![Duration::from_millis(300); 5];
    config.webhooks.sweep = Duration::from_millis(200);
}

async fn spawn() -> TestApp {
    spawn_app_with(true, quick).await
}

/// An integration of the account, made as the console makes one; returns its id, app id and
/// secret key.
async fn integration(app: &TestApp, scopes: &[Scope]) -> (String, String, String) {
    let account = app
        .store
        .account_by_slug(&Slug::parse(ACCOUNT).unwrap_or_else(|e| panic!("{e}")))
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no demo account"));
    let scopes = Scopes::of(scopes.iter().copied()).unwrap_or_else(|e| panic!("{e}"));
    let made = service::create(
        app.store.as_ref(),
        &app.secret,
        &account,
        "Phần mềm một cửa",
        scopes,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    (made.integration.app_id.clone(), made.integration.app_id, made.secret_key)
}

async fn put_webhook(app: &TestApp, token: Option<&str>, id: &str, body: Value) -> (u16, Value) {
    app.send(Method::PUT, &format!("/api/v1/integrations/{id}/webhook"), token, Some(body)).await
}

/// A citizen's message to the account; returns the conversation and the message's number.
async fn citizen_says(app: &TestApp, token: &str, client: &str, text: &str) -> (i64, i64) {
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(token),
            Some(json!({ "client_msg_id": client, "text": text })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    (
        sent["conversation"]["id"].as_i64().unwrap_or_default(),
        sent["message"]["seq"].as_i64().unwrap_or_default(),
    )
}

/// Checks both signatures of a delivery with the integration's secret key.
fn assert_signed(got: &Got, app_id: &str, secret: &str) {
    let body = got.json();
    let timestamp = body["timestamp"].as_str().unwrap_or_default();
    let mut digest = Sha256::new();
    digest.update(format!("{app_id}{}{timestamp}{secret}", got.body));
    let mac: String = digest.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(got.header("x-zevent-signature"), format!("mac={mac}"), "X-ZEvent-Signature");

    let id = got.header("webhook-id");
    let unix: i64 = got.header("webhook-timestamp").parse().unwrap_or_default();
    assert!((Timestamp::now().millis() / 1000 - unix).abs() < 60, "webhook-timestamp is now");
    let expected = hmac_check::sign(secret.as_bytes(), &format!("{id}.{unix}.{}", got.body));
    assert_eq!(got.header("webhook-signature"), format!("v1,{expected}"), "webhook-signature");
    assert!(id.starts_with("msg_"), "{id}");
    assert_eq!(got.header("content-type"), "application/json");
    assert_eq!(got.header("user-agent"), "ketnoi-webhooks");
    assert!(got.header("num_retry").parse::<i64>().is_ok());
}

/// HMAC-SHA256 written out from SHA-256 (RFC 2104), so the test does not check the server's
/// signature with the server's own code.
mod hmac_check {
    use base64::Engine as _;
    use sha2::{Digest as _, Sha256};

    pub(super) fn sign(key: &[u8], message: &str) -> String {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
        let inner =
            Sha256::new().chain_update(pad(0x36)).chain_update(message.as_bytes()).finalize();
        let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
        base64::engine::general_purpose::STANDARD.encode(outer)
    }
}

async fn deliveries(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let (status, log) = app
        .get(&format!("/api/v1/integrations/{id}/webhook/deliveries?limit=200"), Some(token))
        .await;
    assert_eq!(status, 200, "{log}");
    log.as_array().cloned().unwrap_or_default()
}

async fn events(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let (status, events) =
        app.get(&format!("/api/v1/integrations/{id}/webhook/events"), Some(token)).await;
    assert_eq!(status, 200, "{events}");
    events.as_array().cloned().unwrap_or_default()
}

const ALL_TOLD: [&str; 5] =
    ["user_send_text", "oa_send_text", "user_seen_message", "follow", "unfollow"];

async fn messages_reads_and_follows_reach_the_receiver_signed_twice(app: &TestApp) {
    let receiver = Receiver::start(&[]).await;
    let (id, app_id, secret) = integration(app, &[Scope::Message, Scope::Webhooks]).await;
    let admin = app.staff_token(ADMIN).await;
    let set =
        put_webhook(app, Some(&admin), &id, json!({ "url": receiver.url(), "events": ALL_TOLD }))
            .await;
    assert_eq!(set.0, 200, "{}", set.1);
    assert_eq!((set.1["state"].as_str(), set.1["failures"].as_i64()), (Some("on"), Some(0)));

    let citizen = app.citizen_token("0912000091").await;
    let (status, _) = app
        .send(Method::PUT, &format!("/api/v1/accounts/{ACCOUNT}/follow"), Some(&citizen), None)
        .await;
    assert_eq!(status, 200);
    let (conversation, _) =
        citizen_says(app, &citizen, "wh-1", "Cho hỏi thủ tục làm căn cước").await;
    let officer = app.staff_token(OFFICER).await;
    let (status, reply) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&officer),
            Some(json!({ "client_msg_id": "wh-reply", "text": "Mời anh/chị mang giấy khai sinh tới trụ sở." })),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    let reply_seq = reply["message"]["seq"].as_i64().unwrap_or_default();
    let (status, read) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{conversation}/read"),
            Some(&citizen),
            Some(json!({ "seq": reply_seq })),
        )
        .await;
    assert!(status < 300, "{read}");
    let (status, _) = app
        .send(Method::DELETE, &format!("/api/v1/accounts/{ACCOUNT}/follow"), Some(&citizen), None)
        .await;
    assert_eq!(status, 200);

    let text = receiver
        .wait_for("user_send_text", |b| b["message"]["text"] == "Cho hỏi thủ tục làm căn cước")
        .await;
    let answer = receiver
        .wait_for("oa_send_text", |b| {
            b["message"]["text"] == "Mời anh/chị mang giấy khai sinh tới trụ sở."
        })
        .await;
    let seen = receiver.wait_for("user_seen_message", |_| true).await;
    let follow = receiver.wait_for("follow", |_| true).await;
    let unfollow = receiver.wait_for("unfollow", |_| true).await;
    for got in [&text, &answer, &seen, &follow, &unfollow] {
        assert_signed(got, &app_id, &secret);
        assert_eq!(got.json()["app_id"], app_id.as_str());
        assert_eq!(got.header("num_retry"), "0");
    }
    // One scoped id for the citizen everywhere, which is neither their number nor their row.
    let user = text.json()["sender"]["id"].as_str().unwrap_or_default().to_owned();
    assert!(!user.is_empty() && !user.contains("912000091"));
    let oa = text.json()["recipient"]["id"].clone();
    assert_eq!(text.json()["user_id_by_app"], user.as_str());
    assert_eq!(
        (answer.json()["sender"]["id"].clone(), answer.json()["recipient"]["id"].as_str()),
        (oa.clone(), Some(user.as_str()))
    );
    assert_eq!(seen.json()["recipient"]["id"], user.as_str());
    assert_eq!(seen.json()["sender"]["id"], oa);
    assert_eq!(seen.json()["message"]["msg_ids"], json!([format!("{conversation}.{reply_seq}")]));
    assert_eq!(follow.json()["follower"]["id"], user.as_str());
    assert_eq!(
        (follow.json()["oa_id"].clone(), follow.json()["source"].as_str()),
        (oa, Some("ketnoi"))
    );
    assert_eq!(unfollow.json()["follower"]["id"], user.as_str());
    assert!(
        text.json()["message"]["msg_id"]
            .as_str()
            .is_some_and(|m| m.starts_with(&format!("{conversation}.")))
    );
    // Every event recorded is named once, and each went out once (no event twice).
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut ids: Vec<String> = receiver.got().iter().map(|g| g.header("webhook-id")).collect();
    let sent = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), sent, "an event was delivered twice");
    let recorded = events(app, &admin, &id).await;
    assert_eq!(recorded.len(), sent);
    assert!(recorded.iter().all(|e| e["state"] == "delivered"), "{recorded:?}");
}

#[tokio::test]
async fn messages_reads_and_follows_reach_the_receiver_signed_twice_on_sqlite() {
    messages_reads_and_follows_reach_the_receiver_signed_twice(&spawn().await).await;
}

#[tokio::test]
async fn messages_reads_and_follows_reach_the_receiver_signed_twice_on_postgresql() {
    let Some((store, schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
    let store: Arc<dyn Store> = Arc::new(store);
    let app = start_with(store, None, Box::new(schema), true, quick).await;
    messages_reads_and_follows_reach_the_receiver_signed_twice(&app).await;
}

#[tokio::test]
async fn an_event_is_retried_until_the_receiver_comes_up_and_every_attempt_is_logged() {
    let app = spawn().await;
    let port = closed_port().await;
    let (id, app_id, secret) = integration(&app, &[Scope::Webhooks]).await;
    let admin = app.staff_token(ADMIN).await;
    let set = put_webhook(
        &app,
        Some(&admin),
        &id,
        json!({ "url": url_on(port), "events": ["user_send_text"] }),
    )
    .await;
    assert_eq!(set.0, 200, "{}", set.1);
    let citizen = app.citizen_token("0912000092").await;
    citizen_says(&app, &citizen, "wh-down", "Máy nhận đang tắt").await;
    // Two attempts fail against the closed port; then the receiver comes up on it.
    eventually("two failed attempts", async || {
        let log = deliveries(&app, &admin, &id).await;
        (log.len() >= 2).then_some(())
    })
    .await;
    // Up, but answering 503 once, then 200.
    let receiver = Receiver::start_on(port, &[Answer::Status(503)]).await;
    let got = eventually("the delivery", async || {
        receiver
            .got()
            .into_iter()
            .find(|g| g.header("num_retry").parse::<i64>().unwrap_or_default() >= 3)
    })
    .await;
    assert_signed(&got, &app_id, &secret);
    let retries: i64 = got.header("num_retry").parse().unwrap_or_default();
    assert!(retries >= 2, "num_retry counts the attempts before: {retries}");
    let log = eventually("the delivery logged", async || {
        let log = deliveries(&app, &admin, &id).await;
        log.first().filter(|d| d["status"] == 200).map(|_| log.clone())
    })
    .await;
    assert_eq!(log[0]["attempt"].as_i64(), Some(retries + 1), "{log:?}");
    assert_eq!(log.len() as i64, retries + 1, "every attempt logged once: {log:?}");
    assert_eq!(
        (log[1]["status"].as_i64(), log[1]["answer"].as_str()),
        (Some(503), Some("answer 503"))
    );
    for failed in &log[2..] {
        assert!(failed["status"].is_null(), "{failed}");
        let error = failed["error"].as_str().unwrap_or_default();
        assert!(error.contains("connect"), "the log says why: {error}");
    }
    assert_eq!(receiver.got().len(), 2, "the 503, then the delivery");
    assert_eq!(log[0]["answer"], "answer 200");
    let (_, hook) = app.get(&format!("/api/v1/integrations/{id}/webhook"), Some(&admin)).await;
    assert_eq!(
        (hook["state"].as_str(), hook["failures"].as_i64()),
        (Some("on"), Some(0)),
        "{hook}"
    );
}

#[tokio::test]
async fn an_event_pending_retry_when_the_server_stops_is_delivered_once_by_the_next_server() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite://{}", dir.path().join("ketnoi.db").display());
    let slow_retries = |config: &mut ServerConfig| {
        quick(config);
        config.webhooks.retry_schedule = vec![Duration::from_secs(2); 5];
    };
    let port = closed_port().await;
    let sqlite = SqliteStore::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
    let store: Arc<dyn Store> = Arc::new(sqlite.clone());
    let first = start_with(store, Some(sqlite), Box::new(()), true, slow_retries).await;
    let (id, _, _) = integration(&first, &[Scope::Webhooks]).await;
    let admin = first.staff_token(ADMIN).await;
    let set = put_webhook(
        &first,
        Some(&admin),
        &id,
        json!({ "url": url_on(port), "events": ["user_send_text"] }),
    )
    .await;
    assert_eq!(set.0, 200, "{}", set.1);
    let citizen = first.citizen_token("0912000093").await;
    citizen_says(&first, &citizen, "wh-restart", "Gửi trong lúc máy chủ khởi động lại").await;
    eventually("a failed attempt", async || {
        (!deliveries(&first, &admin, &id).await.is_empty()).then_some(())
    })
    .await;
    // Stopped while the event waits for its retry.
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(first);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let receiver = Receiver::start_on(port, &[]).await;
    let sqlite = SqliteStore::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
    let store: Arc<dyn Store> = Arc::new(sqlite.clone());
    let second = start_with(store, Some(sqlite), Box::new(()), false, slow_retries).await;
    let got = receiver
        .wait_for("user_send_text", |b| {
            b["message"]["text"] == "Gửi trong lúc máy chủ khởi động lại"
        })
        .await;
    assert!(got.header("num_retry").parse::<i64>().unwrap_or_default() >= 1);
    // Nothing more comes: not the event again, not a second recording of it.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let all = receiver.got();
    assert_eq!(all.len(), 1, "delivered exactly once: {all:?}");
    let recorded = second
        .store
        .webhook_events(
            second
                .store
                .integration_by_app_id(&id)
                .await
                .ok()
                .flatten()
                .map_or(ketnoi_core::IntegrationId(0), |i| i.id),
            None,
            10,
        )
        .await
        .unwrap_or_default();
    assert_eq!(recorded.len(), 1);
    assert_eq!(all[0].header("webhook-id"), format!("msg_{}", recorded[0].id.0));
    drop(dir);
}

#[tokio::test]
async fn repeated_failures_disable_the_endpoint_and_a_redelivery_after_re_enabling_keeps_its_id() {
    let app = spawn_app_with(true, |config| {
        quick(config);
        config.webhooks.retry_schedule = vec![Duration::from_millis(100); 5];
        config.webhooks.disable_after = 3;
    })
    .await;
    let receiver = Receiver::start(&[]).await;
    receiver.answer_from_now(500);
    let (id, _, _) = integration(&app, &[Scope::Webhooks]).await;
    let admin = app.staff_token(ADMIN).await;
    let set = put_webhook(
        &app,
        Some(&admin),
        &id,
        json!({ "url": receiver.url(), "events": ["user_send_text"] }),
    )
    .await;
    assert_eq!(set.0, 200, "{}", set.1);
    let citizen = app.citizen_token("0912000094").await;
    citizen_says(&app, &citizen, "wh-fail", "Máy nhận trả lỗi").await;
    let hook = eventually("the endpoint disabled", async || {
        let (_, hook) = app.get(&format!("/api/v1/integrations/{id}/webhook"), Some(&admin)).await;
        (hook["state"] == "disabled").then_some(hook)
    })
    .await;
    assert!(hook["disabled_at"].is_string(), "{hook}");
    assert!(hook["disabled_reason"].as_str().is_some_and(|r| r.contains("HTTP 500")), "{hook}");
    let failed: Vec<String> = receiver.got().iter().map(|g| g.header("webhook-id")).collect();
    assert_eq!(failed.len(), 3, "three attempts, then no more: {failed:?}");
    // The console shows the notice.
    let mut browser = Visitor::new(&app);
    browser.cookies.insert(ketnoi_server::kernel::auth::SESSION_COOKIE.to_owned(), admin.clone());
    let page = format!("/console/a/{ACCOUNT}/integrations/{id}/webhook");
    let (status, html, _) = browser.get(&page).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-webhook-disabled") && html.contains("HTTP 500"), "{html}");
    // While disabled, nothing new is sent.
    citizen_says(&app, &citizen, "wh-while-off", "Trong lúc bị tắt").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.got().len(), 3);

    // Fixed and turned on again: the failed event is not replayed by itself, but redelivered.
    receiver.answer_from_now(200);
    let on = put_webhook(
        &app,
        Some(&admin),
        &id,
        json!({ "url": receiver.url(), "events": ["user_send_text"], "enabled": true }),
    )
    .await;
    assert_eq!(
        (on.0, on.1["state"].as_str(), on.1["failures"].as_i64()),
        (200, Some("on"), Some(0)),
        "{}",
        on.1
    );
    let recorded = events(&app, &admin, &id).await;
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0]["state"], "pending", "held, not delivered");
    let event = recorded[0]["id"].as_i64().unwrap_or_default();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.got().len(), 3, "no automatic replay");
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/integrations/{id}/webhook/events/{event}/redeliver"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let again = eventually("the redelivery", async || receiver.got().get(3).cloned()).await;
    assert_eq!(again.header("webhook-id"), failed[0], "the same webhook-id");
    assert_eq!(again.json()["message"]["text"], "Máy nhận trả lỗi");
    eventually("the event delivered", async || {
        let recorded = events(&app, &admin, &id).await;
        (recorded[0]["state"] == "delivered").then_some(())
    })
    .await;
    // An unknown event is not found; another integration's event neither.
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/integrations/{id}/webhook/events/999999/redeliver"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn urls_that_lead_inside_are_refused_with_the_field_and_nothing_is_stored() {
    let app = spawn().await;
    let (id, _, _) = integration(&app, &[Scope::Webhooks]).await;
    let admin = app.staff_token(ADMIN).await;
    let events = json!(["user_send_text"]);
    for (url, code) in [
        ("https://10.0.0.1/hook", "webhook-url-private"),
        ("https://169.254.169.254/latest/meta-data", "webhook-url-private"),
        ("https://[::1]/hook", "webhook-url-private"),
        ("https://[::ffff:127.0.0.1]/hook", "webhook-url-private"),
        ("https://localhost:9/hook", "webhook-url-private"),
        ("http://example.com/hook", "webhook-url-insecure"),
        ("https://user:pass@example.com/hook", "webhook-url-invalid"),
        ("file:///etc/passwd", "webhook-url-invalid"),
    ] {
        let refused =
            put_webhook(&app, Some(&admin), &id, json!({ "url": url, "events": events })).await;
        assert_problem(&refused, 422, code);
        assert_eq!(refused.1["field"], "url", "{url}: {}", refused.1);
    }
    let long = format!("https://example.com/{}", "a".repeat(2000));
    assert_problem(
        &put_webhook(&app, Some(&admin), &id, json!({ "url": long, "events": events })).await,
        422,
        "webhook-url-invalid",
    );
    let unknown = put_webhook(
        &app,
        Some(&admin),
        &id,
        json!({ "url": "https://example.com/h", "events": ["user_send_sticker"] }),
    )
    .await;
    assert_problem(&unknown, 422, "webhook-event-unknown");
    assert_eq!(unknown.1["field"], "events");
    // Nothing was stored.
    let (status, _) = app.get(&format!("/api/v1/integrations/{id}/webhook"), Some(&admin)).await;
    assert_eq!(status, 404);
    // Who may: the account's managers only; an integration without the scope may not have one.
    let body = json!({ "url": "http://127.0.0.1:9/hook", "events": events });
    assert_eq!(put_webhook(&app, None, &id, body.clone()).await.0, 401);
    let officer = app.staff_token(OFFICER).await;
    assert_eq!(put_webhook(&app, Some(&officer), &id, body.clone()).await.0, 403);
    let (bare, _, _) = integration(&app, &[Scope::Message]).await;
    assert_problem(
        &put_webhook(&app, Some(&admin), &bare, body.clone()).await,
        403,
        "webhook-scope-missing",
    );
    assert_eq!(put_webhook(&app, Some(&admin), "999999", body.clone()).await.0, 404);
    // The operator's host is allowed over http.
    assert_eq!(put_webhook(&app, Some(&admin), &id, body).await.0, 200);
}

fn venv_python() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/webhooks/.venv/bin/python")
}

#[tokio::test]
async fn the_standard_webhooks_reference_library_verifies_a_real_delivery() {
    let python = venv_python();
    if !python.exists() {
        let why = "the standardwebhooks venv is missing: python3 -m venv tools/webhooks/.venv && tools/webhooks/.venv/bin/pip install -r tools/webhooks/requirements.txt";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true and {why}");
        eprintln!("skipping: {why}");
        return;
    }
    let app = spawn().await;
    let receiver = Receiver::start(&[]).await;
    let (id, _, secret) = integration(&app, &[Scope::Webhooks]).await;
    let admin = app.staff_token(ADMIN).await;
    let set = put_webhook(
        &app,
        Some(&admin),
        &id,
        json!({ "url": receiver.url(), "events": ["user_send_text"] }),
    )
    .await;
    assert_eq!(set.0, 200, "{}", set.1);
    let citizen = app.citizen_token("0912000095").await;
    citizen_says(&app, &citizen, "wh-std", "Kiểm tra chữ ký chuẩn – có dấu tiếng Việt").await;
    let got = receiver.wait_for("user_send_text", |_| true).await;
    // The key in the form the library takes, as the integrations console shows it once.
    let whsec =
        format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(secret.as_bytes()));
    assert_eq!(
        ketnoi_server::features::integrations::api::standard_webhooks_secret(&secret),
        whsec
    );

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("delivery.json");
    let headers: serde_json::Map<String, Value> =
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
            .iter()
            .map(|h| ((*h).to_owned(), json!(got.header(h))))
            .collect();
    let delivery = json!({ "secret": whsec, "headers": headers, "body": got.body });
    std::fs::write(&file, delivery.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/webhooks/verify.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let verdicts: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(verdicts["genuine"], "verified", "{verdicts}");
    assert_eq!(verdicts["tampered_body"], "rejected", "{verdicts}");
    assert_eq!(verdicts["stale_timestamp"], "rejected", "{verdicts}");
    assert_eq!(verdicts["wrong_secret"], "rejected", "{verdicts}");
}

#[tokio::test]
async fn a_slow_receiver_does_not_slow_a_citizens_message() {
    let app = spawn().await;
    let pause = Duration::from_secs(5);
    let receiver = Receiver::start(&[Answer::Slow(pause), Answer::Slow(pause)]).await;
    let (id, _, _) = integration(&app, &[Scope::Webhooks]).await;
    let admin = app.staff_token(ADMIN).await;
    let set = put_webhook(
        &app,
        Some(&admin),
        &id,
        json!({ "url": receiver.url(), "events": ["user_send_text"] }),
    )
    .await;
    assert_eq!(set.0, 200, "{}", set.1);
    let citizen = app.citizen_token("0912000096").await;
    citizen_says(&app, &citizen, "wh-slow-1", "Tin thứ nhất").await;
    // The first delivery is in flight (the receiver holds it for five seconds)…
    receiver.wait_for("user_send_text", |_| true).await;
    let first_held = Instant::now();
    // …and the next messages are stored and answered at once.
    for n in 2..5 {
        let started = Instant::now();
        citizen_says(&app, &citizen, &format!("wh-slow-{n}"), &format!("Tin thứ {n}")).await;
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(1),
            "a send took {took:?} while a delivery was in flight"
        );
    }
    // Several workers: the second event is taken while the first is still held.
    eventually("a second delivery", async || (receiver.got().len() >= 2).then_some(())).await;
    assert!(first_held.elapsed() < pause, "the second delivery waited for the first");
}

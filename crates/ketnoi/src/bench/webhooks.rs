//! `ketnoi bench webhooks`: how fast citizens' messages reach an integration's webhook, beside
//! the same receiver fed by a bare loop of signed POSTs in the same run.
//!
//! The bench seeds the demo into its own database, starts the server in this process on it
//! (webhooks allowed to 127.0.0.1), makes an integration of the demo account with a webhook for
//! `user_send_text`, and starts a receiver on 127.0.0.1 that answers 200 and notes when each
//! event arrives. Then:
//!
//! 1. **reference**: the bench itself POSTs `--messages` signed bodies of the same shape to the
//!    receiver from as many concurrent senders as the server has delivery workers: the most
//!    this receiver takes from this machine, with no database in the way;
//! 2. **webhooks**: `--conversations` citizens each send their share of `--messages` messages
//!    to the account, back to back; the server stores each, records its event (tailing the
//!    inbox log), queues and delivers it. Latency is from the message's time (set as it is
//!    written, before the commit) to its arrival at the receiver.
//!
//! Each reports events per second (first send to last arrival) and the latency's p50 and p99.

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use axum::{Router, extract::State, http::HeaderMap, routing::post};
use ketnoi_core::{Scope, Scopes, Slug, Timestamp};
use ketnoi_server::{
    Application, Secret, ServerConfig,
    features::integrations::{
        service,
        webhooks::{standard_signature, zevent_signature},
    },
};
use serde_json::{Value, json};

use crate::{
    bench::{
        news::{Report, in_scratch, row, sign_in, table_head},
        stats::{Latencies, Summary, note, num, per_second},
    },
    cli::BenchWebhooks,
    demo,
};

const ACCOUNT: &str = "ca-vi-xuyen";
/// Manages the account's integrations in the demo.
const ADMIN: &str = "catinh.admin";

/// Runs the bench and prints its report.
pub async fn run(args: BenchWebhooks) -> anyhow::Result<()> {
    let work = args.scratch.work_dir.clone();
    in_scratch("webhooks", work, |dir| async move { measure(&args, &dir).await }).await
}

/// Each marked body (by the mark in its text): its `timestamp` and when it arrived, in
/// wall-clock milliseconds.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<HashMap<String, (i64, i64)>>>);

impl Arrivals {
    fn count(&self) -> usize {
        self.0.lock().map(|a| a.len()).unwrap_or(0)
    }

    fn take(&self) -> HashMap<String, (i64, i64)> {
        self.0.lock().map(|mut a| std::mem::take(&mut *a)).unwrap_or_default()
    }
}

async fn receive(
    State(arrivals): State<Arrivals>,
    _headers: HeaderMap,
    body: String,
) -> &'static str {
    let now = Timestamp::now().millis();
    if let Ok(event) = serde_json::from_str::<Value>(&body)
        && let Some(mark) = event["message"]["text"].as_str()
        && let Some(at) = event["timestamp"].as_str().and_then(|t| t.parse::<i64>().ok())
        && let Ok(mut a) = arrivals.0.lock()
    {
        a.entry(mark.to_owned()).or_insert((at, now));
    }
    "ok"
}

/// The receiver: a port on 127.0.0.1 noting arrivals.
async fn receiver() -> anyhow::Result<(u16, Arrivals, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let port = listener.local_addr()?.port();
    let arrivals = Arrivals::default();
    let router = Router::new().route("/hook", post(receive)).with_state(arrivals.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((port, arrivals, task))
}

/// Waits until `n` arrivals are noted, or fails after `patience`.
async fn all_arrived(arrivals: &Arrivals, n: usize, patience: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while arrivals.count() < n {
        if started.elapsed() > patience {
            bail!("only {} of {n} events arrived in {patience:?}", arrivals.count());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

/// Latencies from each body's `timestamp` to its arrival, and the span from the first
/// timestamp to the last arrival.
fn latencies(arrived: &HashMap<String, (i64, i64)>) -> (Summary, Duration) {
    let mut times = Latencies::with_capacity(arrived.len());
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for (start, at) in arrived.values() {
        times.push(Duration::from_millis((at - start).max(0) as u64));
        first = first.min(*start);
        last = last.max(*at);
    }
    (times.summary(), Duration::from_millis((last - first).max(1) as u64))
}

async fn measure(args: &BenchWebhooks, dir: &Path) -> anyhow::Result<Report> {
    let database = args.scratch.database_url(dir);
    let store = ketnoi_store::connect(&database).await.context("cannot create the database")?;
    let credentials = demo::seed(store.as_ref()).await?;
    let admin_password = credentials
        .staff
        .iter()
        .find(|(username, _, _)| username == ADMIN)
        .map(|(_, password, _)| password.clone())
        .context("the demo administrator is missing")?;
    let secret = Secret::new("bench-server-secret-key-that-is-long-enough-0123");
    let mut config = ServerConfig::local(SocketAddr::from(([127, 0, 0, 1], 0)), secret.clone());
    config.demo = true;
    config.trust_forwarded_for = true;
    config.blobs = ketnoi_server::BlobLocation::Dir(dir.join("blobs"));
    config.webhooks.allow_hosts = vec!["127.0.0.1".to_owned()];
    let workers = config.webhooks.workers;
    let app = Application::build(config, store.clone()).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));

    let account = store
        .account_by_slug(&Slug::parse(ACCOUNT)?)
        .await?
        .context("the demo account is missing")?;
    let made = service::create(
        store.as_ref(),
        &secret,
        &account,
        "bench",
        Scopes::of([Scope::Message, Scope::Webhooks])?,
        None,
    )
    .await
    .map_err(|e| anyhow::anyhow!("the integration was not made: {e}"))?;
    let (integration, key) = (made.integration, made.secret_key);
    let app_id = integration.app_id.as_str();
    let (port, arrivals, receiver_task) = receiver().await?;
    let hook_url = format!("http://127.0.0.1:{port}/hook");
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    // Through the API, as an administrator sets it: the server starts tailing at once.
    let admin = sign_in(&http, &base, ADMIN, &admin_password).await?;
    let set = http
        .put(format!("{base}/api/v1/integrations/{}/webhook", integration.app_id))
        .bearer_auth(&admin)
        .json(&json!({ "url": hook_url, "events": ["user_send_text"] }))
        .send()
        .await?;
    if !set.status().is_success() {
        bail!("the webhook was refused: {}", set.text().await.unwrap_or_default());
    }
    let total = args.messages as usize;
    let patience = Duration::from_secs(120 + total as u64 / 10);

    // 1. Reference: signed POSTs from the bench, as many at once as the server has workers.
    note(&format!("reference: {total} signed POSTs, {workers} at a time"));
    let mut starts = Vec::with_capacity(total);
    let mut senders = tokio::task::JoinSet::new();
    let shares = split(total, workers);
    let mut next = 0;
    for share in shares {
        let (http, url, key, app_id) =
            (http.clone(), hook_url.clone(), key.clone(), app_id.to_owned());
        let marks: Vec<String> = (next..next + share).map(|i| format!("ref-{i}")).collect();
        next += share;
        senders.spawn(async move {
            let mut started = Vec::with_capacity(marks.len());
            for mark in marks {
                let at = Timestamp::now();
                let body = json!({
                    "app_id": app_id, "event_name": "user_send_text", "timestamp": at.millis().to_string(),
                    "sender": {"id": "1"}, "recipient": {"id": "2"},
                    "message": {"msg_id": "1.1", "text": mark}, "user_id_by_app": "1",
                })
                .to_string();
                let unix = at.millis() / 1000;
                let id = format!("msg_{mark}");
                let answer = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-zevent-signature", zevent_signature(&app_id, &body, &at.millis().to_string(), &key))
                    .header("webhook-id", &id)
                    .header("webhook-timestamp", unix.to_string())
                    .header("webhook-signature", standard_signature(key.as_bytes(), &id, unix, &body))
                    .body(body)
                    .send()
                    .await;
                if answer.is_ok() {
                    started.push(mark);
                }
            }
            started
        });
    }
    while let Some(done) = senders.join_next().await {
        starts.extend(done?);
    }
    all_arrived(&arrivals, total, patience).await?;
    let sent = starts.len();
    let (reference, reference_span) = latencies(&arrivals.take());

    // 2. The server: citizens' messages through the API, delivered as webhooks.
    let conversations = (args.conversations as usize).clamp(1, total.max(1));
    note(&format!("webhooks: {total} messages in {conversations} conversations"));
    let mut citizens = Vec::with_capacity(conversations);
    for i in 0..conversations {
        let address = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        let phone = format!("0912{:06}", 500_000 + i);
        citizens.push((address.clone(), citizen_token(&http, &base, &phone, &address).await?));
    }
    let mut senders = tokio::task::JoinSet::new();
    let mut next = 0;
    for ((address, token), share) in citizens.into_iter().zip(split(total, conversations)) {
        let (http, base) = (http.clone(), base.clone());
        let marks: Vec<String> = (next..next + share).map(|i| format!("tin-{i}")).collect();
        next += share;
        senders.spawn(async move {
            let mut sent = Vec::with_capacity(marks.len());
            for mark in marks {
                let answer = http
                    .post(format!("{base}/api/v1/accounts/{ACCOUNT}/messages"))
                    .bearer_auth(&token)
                    .header("x-forwarded-for", &address)
                    .json(&json!({ "client_msg_id": mark, "text": mark }))
                    .send()
                    .await?;
                if answer.status() != 201 {
                    bail!("a message was refused: {}", answer.status());
                }
                sent.push(mark);
            }
            Ok(sent)
        });
    }
    let mut stored = Vec::with_capacity(total);
    while let Some(done) = senders.join_next().await {
        stored.extend(done??);
    }
    all_arrived(&arrivals, total, patience).await?;
    let (hooks, hooks_span) = latencies(&arrivals.take());
    if sent != total || stored.len() != total {
        bail!("{sent} reference POSTs and {} messages of {total} went through", stored.len());
    }
    let _ = stop.send(());
    let _ = server.await;
    receiver_task.abort();

    let (rate, reference_rate) =
        (per_second(total as u64, hooks_span), per_second(total as u64, reference_span));
    let mut lines = table_head(format!(
        "`ketnoi bench webhooks` on {} ({}), {total} events in {conversations} conversations; \
         the reference is the same receiver fed by {workers} concurrent signed POSTs from the bench. \
         Latency (ms) from the message's time to its arrival at the receiver.",
        store.backend(),
        database.split(':').next().unwrap_or_default(),
    ));
    lines.push(row("message → webhook", &hooks, &reference, "—"));
    lines.push(String::new());
    lines.push(format!(
        "Events delivered per second: {rate:.0} (reference {reference_rate:.0}, {:.2}× of the reference).",
        if reference_rate > 0.0 { rate / reference_rate } else { 0.0 }
    ));
    let json = json!({
        "bench": "webhooks",
        "backend": store.backend(),
        "events": total,
        "conversations": conversations,
        "events_per_s": num(Some(rate), 1),
        "reference_events_per_s": num(Some(reference_rate), 1),
        "p50_ms": num(hooks.p50_ms, 1),
        "p99_ms": num(hooks.p99_ms, 1),
        "reference_p50_ms": num(reference.p50_ms, 1),
        "reference_p99_ms": num(reference.p99_ms, 1),
    });
    Ok(Report { lines, json })
}

/// `total` split into `parts` shares as even as can be.
fn split(total: usize, parts: usize) -> Vec<usize> {
    let parts = parts.max(1);
    (0..parts).map(|i| total / parts + usize::from(i < total % parts)).collect()
}

/// Signs a demo citizen in with the code a demo server returns.
async fn citizen_token(
    http: &reqwest::Client,
    base: &str,
    phone: &str,
    address: &str,
) -> anyhow::Result<String> {
    let sent: Value = http
        .post(format!("{base}/api/v1/auth/otp/request"))
        .header("x-forwarded-for", address)
        .json(&json!({ "phone": phone }))
        .send()
        .await?
        .json()
        .await?;
    let code = sent["demo_code"].as_str().context("no demo code")?;
    let signed: Value = http
        .post(format!("{base}/api/v1/auth/otp/verify"))
        .header("x-forwarded-for", address)
        .json(&json!({ "phone": phone, "code": code }))
        .send()
        .await?
        .json()
        .await?;
    signed["token"].as_str().map(str::to_owned).context("the citizen could not sign in")
}

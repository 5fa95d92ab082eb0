//! The simulated people, speaking only the public API: citizens who sign in with the demo's
//! one-time codes and write to an account, and an officer whose screen receives what they write.

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use futures_util::{StreamExt as _, stream};
use serde_json::{Value, json};
use tokio::{sync::Semaphore, task::JoinSet, time::MissedTickBehavior};

use super::{
    message_text,
    stats::{Latencies, Progress, Summary, per_second},
};
use crate::{
    live::{LiveClient, Next},
    t,
};

/// Sign-ins in flight at once.
const SIGN_IN_CONCURRENCY: usize = 50;
/// How long the officer's screen waits for late frames once the last message was acknowledged.
const DELIVERY_GRACE: Duration = Duration::from_secs(5);

/// One HTTP client for every simulated person, and where they send.
#[derive(Clone)]
pub struct Load {
    http: reqwest::Client,
    base: String,
    messages_url: String,
    /// Prefixes every `client_msg_id`, so that runs against one server never collide.
    run: String,
}

/// A signed-in citizen.
pub struct Citizen {
    /// Their bearer token.
    pub token: String,
}

/// How one send ended.
enum Sent {
    Acked,
    Refused(u16, String),
    Failed(&'static str, String),
}

/// Failed sends by kind (`status 503`, `timeout`…), with one example of the first kind seen.
#[derive(Debug, Default)]
pub struct Errors {
    /// Count per kind.
    pub counts: BTreeMap<String, u64>,
    /// The first failure's details.
    pub example: Option<String>,
}

impl Errors {
    fn add(&mut self, kind: String, detail: String) {
        *self.counts.entry(kind.clone()).or_default() += 1;
        self.example.get_or_insert_with(|| format!("{kind}: {detail}"));
    }

    fn merge(&mut self, other: Errors) {
        for (kind, n) in other.counts {
            *self.counts.entry(kind).or_default() += n;
        }
        if self.example.is_none() {
            self.example = other.example;
        }
    }

    /// All failures.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    fn record(&mut self, sent: Sent) {
        match sent {
            Sent::Acked => {}
            Sent::Refused(status, title) => self.add(format!("status {status}"), title),
            Sent::Failed(kind, detail) => self.add(kind.to_owned(), detail),
        }
    }
}

/// An HTTP/1.1 client with a pool large enough to keep one connection per citizen.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .http1_only()
        .pool_max_idle_per_host(100_000)
        .pool_idle_timeout(Duration::from_secs(600))
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .context("cannot build the HTTP client")
}

impl Load {
    /// Load for the server at `base`, writing to the account `slug`.
    pub fn new(http: reqwest::Client, base: &str, slug: &str) -> Self {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        Self {
            http,
            base: base.to_owned(),
            messages_url: format!("{base}/api/v1/accounts/{slug}/messages"),
            run: format!("b{millis}"),
        }
    }

    /// POSTs JSON as a client at `address`; returns the status and the JSON answer.
    async fn post(
        &self,
        path: &str,
        body: &Value,
        address: &str,
        token: Option<&str>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request =
            self.http.post(format!("{}{path}", self.base)).header("x-forwarded-for", address);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let answer = request.json(body).send().await.map_err(|e| self.unreachable(e))?;
        let status = answer.status().as_u16();
        let body = answer.json().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    fn unreachable(&self, e: reqwest::Error) -> anyhow::Error {
        anyhow::anyhow!(
            "{} {}: {}",
            t("không kết nối được máy chủ tại", "cannot reach the server at"),
            self.base,
            super::server::causes(&e)
        )
    }

    /// A citizen writes one message to the account; acknowledged means stored durably.
    async fn send(&self, token: &str, client_msg_id: &str, text: &str) -> Sent {
        let body = json!({ "client_msg_id": client_msg_id, "text": text });
        let answer = self.http.post(&self.messages_url).bearer_auth(token).json(&body).send().await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => return Sent::Failed(failure_kind(&e), super::server::causes(&e)),
        };
        let status = answer.status().as_u16();
        match answer.bytes().await {
            Ok(_) if status == 201 => Sent::Acked,
            Ok(body) => Sent::Refused(status, String::from_utf8_lossy(&body).into_owned()),
            Err(e) => Sent::Failed(failure_kind(&e), super::server::causes(&e)),
        }
    }

    /// The server's WebSocket base, `http://host:port`.
    pub fn base(&self) -> &str {
        &self.base
    }
}

fn failure_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else {
        "transport"
    }
}

/// A distinct private address per citizen, presented as `X-Forwarded-For`.
fn address(i: u32) -> String {
    format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

/// Why a sign-in step was refused, with a hint for the refusals a misconfigured server gives.
fn refused(step: &str, status: u16, body: &Value) -> anyhow::Error {
    let title = body["title"].as_str().unwrap_or_default();
    let hint = match status {
        429 => t(
            " (máy chủ cần --trust-forwarded-for để mỗi công dân có địa chỉ riêng)",
            " (the server needs --trust-forwarded-for so that each citizen has its own address)",
        ),
        _ => "",
    };
    anyhow::anyhow!("{step}: {status} {title}{hint}")
}

async fn sign_in_citizen(load: &Load, i: u32) -> anyhow::Result<Citizen> {
    let phone = format!("090{i:07}");
    let address = address(i);
    let (status, body) =
        load.post("/api/v1/auth/otp/request", &json!({ "phone": phone }), &address, None).await?;
    if status != 202 {
        return Err(refused("otp/request", status, &body));
    }
    let Some(code) = body["demo_code"].as_str() else {
        bail!(t(
            "máy chủ không chạy ở chế độ trình diễn (--demo): không có mã đăng nhập trong câu trả lời",
            "the server is not in demo mode (--demo): its answer holds no sign-in code"
        ));
    };
    let verify = json!({ "phone": phone, "code": code });
    let (status, body) = load.post("/api/v1/auth/otp/verify", &verify, &address, None).await?;
    match (status, body["token"].as_str()) {
        (200, Some(token)) => Ok(Citizen { token: token.to_owned() }),
        _ => Err(refused("otp/verify", status, &body)),
    }
}

/// Signs `count` citizens in, a few at a time.
pub async fn sign_in_citizens(load: &Load, count: u32) -> anyhow::Result<Vec<Citizen>> {
    let progress = Progress::start("sign-in: citizens", u64::from(count));
    let done = progress.counter();
    let results: Vec<anyhow::Result<Citizen>> = stream::iter(0..count)
        .map(|i| {
            let done = done.clone();
            async move {
                let citizen = sign_in_citizen(load, i).await;
                done.fetch_add(1, Ordering::Relaxed);
                citizen
            }
        })
        .buffer_unordered(SIGN_IN_CONCURRENCY)
        .collect()
        .await;
    progress.finish();
    let (citizens, failures): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    if let Some(Err(first)) = failures.into_iter().next() {
        let failed = count as usize - citizens.len();
        return Err(first.context(format!(
            "{failed}/{count} {}",
            t("công dân không đăng nhập được", "citizens could not sign in")
        )));
    }
    Ok(citizens.into_iter().flatten().collect())
}

/// Signs the officer in with a password; returns the token.
pub async fn sign_in_officer(
    load: &Load,
    username: &str,
    password: &str,
) -> anyhow::Result<String> {
    let body = json!({ "username": username, "password": password });
    let (status, answer) =
        load.post("/api/v1/auth/staff/sign-in", &body, "10.255.255.254", None).await?;
    match (status, answer["token"].as_str()) {
        (200, Some(token)) => Ok(token.to_owned()),
        _ => Err(refused("staff/sign-in", status, &answer)),
    }
}

/// Makes every citizen ask for its own profile at once, so that the pool holds a connection per
/// citizen before anything is timed: the timed phases then measure the server, not TCP set-up.
pub async fn open_connections(load: &Load, citizens: &[Citizen]) -> anyhow::Result<()> {
    let progress = Progress::start("connections: warm-up", citizens.len() as u64);
    let done = progress.counter();
    let mut calls = JoinSet::new();
    for citizen in citizens {
        let (load, token, done) = (load.clone(), citizen.token.clone(), done.clone());
        calls.spawn(async move {
            let url = format!("{}/api/v1/me", load.base);
            let answer = load.http.get(url).bearer_auth(token).send().await;
            done.fetch_add(1, Ordering::Relaxed);
            match answer {
                Ok(a) if a.status().is_success() => a.bytes().await.map(drop).map_err(|e| e.into()),
                Ok(a) => Err(anyhow::anyhow!("/api/v1/me answered {}", a.status())),
                Err(e) => Err(anyhow::Error::new(e)),
            }
        });
    }
    let mut first_error = None;
    while let Some(result) = calls.join_next().await {
        if let Err(e) = result.map_err(anyhow::Error::new).and_then(|r| r) {
            first_error.get_or_insert(e);
        }
    }
    progress.finish();
    match first_error {
        Some(e) => Err(e.context("warming up connections failed")),
        None => Ok(()),
    }
}

/// What the ingest phase measured.
pub struct Ingest {
    /// Citizens sending at once.
    pub citizens: usize,
    /// Messages attempted.
    pub messages: u64,
    /// Acknowledged with 201.
    pub acked: u64,
    /// Everything else.
    pub errors: Errors,
    /// From the first send to the last answer.
    pub wall: Duration,
    /// Acknowledgement latency of the acknowledged messages.
    pub latency: Summary,
}

impl Ingest {
    /// Acknowledged messages per second.
    pub fn acked_per_s(&self) -> f64 {
        per_second(self.acked, self.wall)
    }
}

/// Every citizen sends `per_citizen` messages back to back, each waiting for its answer.
pub async fn ingest(load: &Load, citizens: &[Citizen], per_citizen: u32) -> anyhow::Result<Ingest> {
    let total = citizens.len() as u64 * u64::from(per_citizen);
    let progress = Progress::start("ingest: messages acked", total);
    let started = Instant::now();
    let mut senders = JoinSet::new();
    for (c, citizen) in citizens.iter().enumerate() {
        let (load, token, done) = (load.clone(), citizen.token.clone(), progress.counter());
        senders.spawn(async move {
            let mut latencies = Latencies::with_capacity(per_citizen as usize);
            let mut errors = Errors::default();
            for k in 0..per_citizen {
                let id = format!("{}-i{c}-{k}", load.run);
                let text = message_text(c as u64 * u64::from(per_citizen) + u64::from(k));
                let start = Instant::now();
                match load.send(&token, &id, text).await {
                    Sent::Acked => {
                        latencies.push(start.elapsed());
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    failed => errors.record(failed),
                }
            }
            (latencies, errors)
        });
    }
    let mut latencies = Latencies::with_capacity(total as usize);
    let mut errors = Errors::default();
    while let Some(done) = senders.join_next().await {
        let (l, e) = done.context("a sender task failed")?;
        latencies.extend(l);
        errors.merge(e);
    }
    let wall = started.elapsed();
    progress.finish();
    let latency = latencies.summary();
    Ok(Ingest {
        citizens: citizens.len(),
        messages: total,
        acked: latency.count as u64,
        errors,
        wall,
        latency,
    })
}

/// What the delivery phase measured.
pub struct Delivery {
    /// The aggregate send rate asked for.
    pub target_rate: u32,
    /// How long sending lasted, as asked.
    pub seconds: u32,
    /// Messages sent.
    pub sent: u64,
    /// Sends per second achieved by the pacer.
    pub achieved_rate: f64,
    /// Acknowledged with 201.
    pub acked: u64,
    /// Failed sends.
    pub errors: Errors,
    /// Acknowledged messages whose frame reached the officer.
    pub delivered: u64,
    /// Acknowledged messages whose frame never came.
    pub missing: u64,
    /// From send start to the officer's frame.
    pub latency: Summary,
    /// From send start to the acknowledgement, at the same rate: the context for `latency`.
    pub ack_latency: Summary,
    /// Why the officer's connection ended early, if it did.
    pub officer_closed: Option<String>,
}

struct Shared {
    /// Per message: nanoseconds from the phase's origin to its send start, plus one (0 = not
    /// sent yet).
    sent_at: Vec<AtomicU64>,
    origin: Instant,
    acked: AtomicU64,
    sending_done: AtomicBool,
    results: Mutex<(Latencies, Errors)>,
}

/// Citizens send at `rate` messages a second in all for `seconds`; the officer's screen is
/// watched for each message's frame.
pub async fn delivery(
    load: &Load,
    citizens: &[Citizen],
    officer: LiveClient,
    rate: u32,
    seconds: u32,
) -> anyhow::Result<Delivery> {
    anyhow::ensure!(!citizens.is_empty(), "no citizens");
    let total = u64::from(rate) * u64::from(seconds);
    let shared = Arc::new(Shared {
        sent_at: (0..total).map(|_| AtomicU64::new(0)).collect(),
        origin: Instant::now(),
        acked: AtomicU64::new(0),
        sending_done: AtomicBool::new(false),
        results: Mutex::new((Latencies::with_capacity(total as usize), Errors::default())),
    });
    let prefix = format!("{}-d", load.run);
    let reader = tokio::spawn(watch_officer(officer, prefix.clone(), shared.clone()));

    let progress = Progress::start("delivery: sends answered", total);
    let done = progress.counter();
    // An open loop: messages leave on schedule whatever the answers do, up to one in flight
    // per citizen; past that the pacer waits, and the achieved rate shows it.
    let in_flight = citizens.len();
    let permits = Arc::new(Semaphore::new(in_flight));
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut issued = 0u64;
    let origin = shared.origin;
    while issued < total {
        tick.tick().await;
        let due = ((origin.elapsed().as_secs_f64() * f64::from(rate)) as u64 + 1).min(total);
        while issued < due {
            let permit = permits.clone().acquire_owned().await?;
            let n = issued;
            let token = citizens[(n % citizens.len() as u64) as usize].token.clone();
            let (load, shared, id, done) =
                (load.clone(), shared.clone(), format!("{prefix}{n}"), done.clone());
            tokio::spawn(async move {
                let start = Instant::now();
                let since = u64::try_from((start - shared.origin).as_nanos()).unwrap_or(u64::MAX);
                shared.sent_at[n as usize].store(since.saturating_add(1), Ordering::Release);
                let sent = load.send(&token, &id, message_text(n)).await;
                let took = start.elapsed();
                let mut results = shared.results.lock().unwrap_or_else(|e| e.into_inner());
                match sent {
                    Sent::Acked => {
                        results.0.push(took);
                        shared.acked.fetch_add(1, Ordering::Release);
                    }
                    failed => results.1.record(failed),
                }
                drop(results);
                done.fetch_add(1, Ordering::Relaxed);
                drop(permit);
            });
            issued += 1;
        }
    }
    let sending = origin.elapsed();
    // Every permit back means every send has its answer.
    let all = u32::try_from(in_flight).unwrap_or(u32::MAX);
    drop(permits.acquire_many(all).await?);
    progress.finish();
    shared.sending_done.store(true, Ordering::Release);
    let (latency, delivered, officer_closed) =
        reader.await.context("the officer's reader failed")?;

    let (ack_latencies, errors) = {
        let mut results = shared.results.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *results)
    };
    let acked = shared.acked.load(Ordering::Acquire);
    Ok(Delivery {
        target_rate: rate,
        seconds,
        sent: total,
        achieved_rate: per_second(total, sending),
        acked,
        errors,
        delivered,
        missing: acked.saturating_sub(delivered),
        latency,
        ack_latency: ack_latencies.summary(),
        officer_closed,
    })
}

/// Reads the officer's screen until every acknowledged message has shown up, or the grace
/// period after the last acknowledgement runs out.
async fn watch_officer(
    mut officer: LiveClient,
    prefix: String,
    shared: Arc<Shared>,
) -> (Summary, u64, Option<String>) {
    let mut latencies = Latencies::with_capacity(shared.sent_at.len());
    let mut seen = vec![false; shared.sent_at.len()];
    let mut delivered = 0u64;
    let mut closed = None;
    let mut grace_until = None;
    loop {
        match officer.next(Duration::from_millis(100)).await {
            Ok(Next::Frame(frame)) => {
                let arrived = shared.origin.elapsed();
                let n = (frame["type"] == "event" && frame["event"] == "message")
                    .then(|| frame["message"]["client_msg_id"].as_str())
                    .flatten()
                    .and_then(|id| id.strip_prefix(prefix.as_str()))
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|&n| n < seen.len() && !seen[n]);
                if let Some(n) = n {
                    let sent = shared.sent_at[n].load(Ordering::Acquire);
                    if sent > 0 {
                        seen[n] = true;
                        delivered += 1;
                        latencies.push(arrived.saturating_sub(Duration::from_nanos(sent - 1)));
                    }
                }
            }
            Ok(Next::Timeout) => {}
            Ok(Next::Closed(reason)) => {
                closed = Some(format!("closed by the server: {reason:?}"));
                break;
            }
            Err(e) => {
                closed = Some(format!("{e:#}"));
                break;
            }
        }
        if shared.sending_done.load(Ordering::Acquire) {
            let until = *grace_until.get_or_insert_with(|| Instant::now() + DELIVERY_GRACE);
            if delivered >= shared.acked.load(Ordering::Acquire) || Instant::now() >= until {
                break;
            }
        }
    }
    officer.close().await;
    (latencies.summary(), delivered, closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_citizen_presents_a_distinct_private_address() {
        assert_eq!(address(0), "10.0.0.0");
        assert_eq!(address(70_000), "10.1.17.112");
        let all: std::collections::HashSet<_> = (0..20_000).map(address).collect();
        assert_eq!(all.len(), 20_000);
    }

    #[test]
    fn failures_are_counted_by_kind_and_keep_the_first_example() {
        let mut errors = Errors::default();
        errors.record(Sent::Refused(503, "busy".into()));
        errors.record(Sent::Failed("timeout", "30 s".into()));
        errors.record(Sent::Refused(503, "busy again".into()));
        errors.record(Sent::Acked);
        assert_eq!(errors.total(), 3);
        assert_eq!(errors.counts.get("status 503"), Some(&2));
        assert_eq!(errors.example.as_deref(), Some("status 503: busy"));
    }
}

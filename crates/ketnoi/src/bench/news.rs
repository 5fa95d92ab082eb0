//! `ketnoi bench news`: the broadcast figures of `docs/BENCHMARKS.md`, each beside a reference
//! measured in the same run.
//!
//! The database is seeded with the demo, then with `--followers` followers of one account spread
//! over `--wards` wards of one province and `--broadcasts` broadcasts already sent (a tenth to
//! everyone, the rest to one ward each), written with plain multi-row inserts; sessions for the
//! first `--live` followers are written the same way, so no sign-in is timed. Then a real server
//! starts on it, and:
//!
//! 1. **accept**: the officer sends broadcasts to every follower and to one ward, one at a
//!    time, each timed from request to answer; the reference is the storage work alone, done by
//!    the bench in the same database (count the audience, insert the row, commit);
//! 2. **live**: `--live` followers hold WebSocket connections; one broadcast to everyone is
//!    timed from the request until each connection has it; the reference is a `ping` sent on
//!    every connection at once, timed until each has its `pong` (the same connections, the same
//!    server, one frame each way);
//! 3. **feed**: feed pages of random followers over HTTP, one at a time (`--feed-requests` ÷ 4)
//!    and `--concurrency` at a time (`--feed-requests`); the reference is the same storage query
//!    made by the bench in-process, the same way.

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use ketnoi_core::{AccountId, CitizenId, Timestamp};
use ketnoi_store::{FeedQuery, Store};
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::{
    bench::{
        load,
        server::{self, Target},
        stats::{Latencies, Summary, note},
    },
    cli::BenchNews,
    live::LiveClient,
};

/// The account whose followers the run makes.
const ACCOUNT: &str = "ca-vi-xuyen";
/// The province the wards are made in (the demo's).
const PROVINCE: &str = "08";
/// Rows a seeding insert writes at once.
const BATCH: usize = 2_000;

/// Runs the bench and prints its report.
pub async fn run(args: BenchNews) -> anyhow::Result<()> {
    let work = args.scratch.work_dir.clone();
    in_scratch("news", work, |dir| async move { measure(&args, &dir).await }).await
}

/// Makes a scratch folder for a bench (kept until it ends), runs `measure` in it until it
/// finishes or Ctrl-C, and prints its report: the Markdown, then the JSON line.
pub(super) async fn in_scratch<F, Fut>(
    name: &str,
    work_dir: Option<std::path::PathBuf>,
    measure: F,
) -> anyhow::Result<()>
where
    F: FnOnce(std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Report>>,
{
    let work = work_dir.unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&work)?;
    let dir =
        tempfile::Builder::new().prefix(&format!("ketnoi-bench-{name}-")).tempdir_in(&work)?;
    note(&format!("scratch folder: {}", dir.path().display()));
    let report = tokio::select! {
        report = measure(dir.path().to_path_buf()) => report?,
        _ = tokio::signal::ctrl_c() => bail!("interrupted"),
    };
    println!("{}", report.markdown());
    println!("{}", report.json);
    Ok(())
}

pub(super) struct Report {
    pub(super) lines: Vec<String>,
    pub(super) json: Value,
}

impl Report {
    pub(super) fn markdown(&self) -> String {
        self.lines.join("\n")
    }
}

fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.1}×", a / b),
        _ => "—".to_owned(),
    }
}

/// A report's first lines: what was measured, then the head of the table [`row`] fills.
pub(super) fn table_head(intro: String) -> Vec<String> {
    vec![
        intro,
        String::new(),
        "| measure | n | p50 | p99 | reference p50 | reference p99 | p99 ÷ reference | target |"
            .to_owned(),
        "|---|---:|---:|---:|---:|---:|---:|---|".to_owned(),
    ]
}

/// Ends a report with the number of warnings the server logged, the first ten of them on
/// standard error.
pub(super) fn server_warnings(target: &Target, lines: &mut Vec<String>) {
    let log = target.log();
    if !log.is_empty() {
        lines.push(String::new());
        lines.push(format!("Server warnings: {}", log.len()));
        log.iter().take(10).for_each(|l| note(l));
    }
}

pub(super) fn row(name: &str, s: &Summary, reference: &Summary, target: &str) -> String {
    format!(
        "| {name} | {} | {} | {} | {} | {} | {} | {target} |",
        s.count,
        fmt(s.p50_ms),
        fmt(s.p99_ms),
        fmt(reference.p50_ms),
        fmt(reference.p99_ms),
        ratio(s.p99_ms, reference.p99_ms),
    )
}

async fn measure(args: &BenchNews, dir: &Path) -> anyhow::Result<Report> {
    let database = args.scratch.database_url(dir);
    let password = server::seed(&database, "cavixuyen.canbo").await?;
    let password = password.context("the demo has no officer cavixuyen.canbo")?;
    let store = ketnoi_store::connect(&database).await?;
    let seeded = Instant::now();
    let data = populate(store.as_ref(), &database, args).await?;
    note(&format!("seeded in {:.1} s", seeded.elapsed().as_secs_f64()));

    let http = load::http_client()?;
    let mut target = Target::launch(&http, dir, &database, Some(password.clone())).await?;
    note(&format!("server: {} ({})", target.base, target.backend));
    let officer = sign_in(&http, &target.base, "cavixuyen.canbo", &password).await?;

    let mut lines = table_head(format!(
        "Backend **{}**: {} followers of one account over {} wards, {} broadcasts stored; \
         times in ms (p50 / p99), each beside its reference from the same run.",
        target.backend, args.followers, args.wards, args.broadcasts
    ));
    let mut json = serde_json::Map::new();
    json.insert("backend".into(), json!(target.backend));
    json.insert("followers".into(), json!(args.followers));
    json.insert("broadcasts".into(), json!(args.broadcasts));

    // 1. Accepting a broadcast.
    let everyone = accept(&http, &target.base, &officer, args.repeat, None).await?;
    let ward = accept(&http, &target.base, &officer, args.repeat, Some(&data.wards)).await?;
    let reference_all = reference_accept(store.as_ref(), data.account, args.repeat, None).await?;
    let reference_ward =
        reference_accept(store.as_ref(), data.account, args.repeat, Some(&data.wards)).await?;
    lines.push(row("accept a broadcast to every follower", &everyone, &reference_all, "< 100 ms"));
    lines.push(row("accept a broadcast to one ward", &ward, &reference_ward, "< 100 ms"));
    json.insert("accept_all_p99_ms".into(), json!(everyone.p99_ms));
    json.insert("accept_ward_p99_ms".into(), json!(ward.p99_ms));
    target.check_alive()?;

    // 2. Live delivery to connected followers.
    if args.live > 0 {
        let (live, pings, received) =
            live(&target.base, &http, &officer, &data.tokens[..args.live as usize]).await?;
        lines.push(row(
            &format!("live: every connection has the broadcast ({received} of {})", args.live),
            &live,
            &pings,
            "p99 < 2000 ms",
        ));
        json.insert("live_received".into(), json!(received));
        json.insert("live_p99_ms".into(), json!(live.p99_ms));
        json.insert("live_ping_p99_ms".into(), json!(pings.p99_ms));
        target.check_alive()?;
    }

    // 3. The feed: one reader at a time (the latency of a page), then many at once (the same
    // machine's two cores shared by the server, the database and the bench's own clients).
    for concurrency in [1, args.concurrency] {
        let requests = if concurrency == 1 { args.feed_requests / 4 } else { args.feed_requests };
        let feed = feed(&http, &target.base, &data.tokens, requests, concurrency).await?;
        let reference =
            reference_feed(store.clone(), &data.citizens, requests, concurrency).await?;
        lines.push(row(
            &format!("a follower's feed page (20 items), {concurrency} at a time"),
            &feed,
            &reference,
            "p99 < 20 ms",
        ));
        json.insert(format!("feed_c{concurrency}_p99_ms"), json!(feed.p99_ms));
        json.insert(format!("feed_c{concurrency}_reference_p99_ms"), json!(reference.p99_ms));
    }
    target.check_alive()?;
    server_warnings(&target, &mut lines);
    Ok(Report { lines, json: Value::Object(json) })
}

/// What the bench made: the account, the wards, and its followers' sessions.
struct Seeded {
    account: AccountId,
    wards: Vec<String>,
    citizens: Vec<CitizenId>,
    tokens: Vec<String>,
}

/// Plain SQL for either engine, run through the right pool.
pub(super) enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Pool {
    pub(super) async fn open(url: &str) -> anyhow::Result<Self> {
        use sqlx::ConnectOptions as _;
        // Seeding statements are slow by design: no warning for each.
        Ok(if url.starts_with("sqlite:") {
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
            Self::Sqlite(sqlx::SqlitePool::connect_with(options.disable_statement_logging()).await?)
        } else {
            let options: sqlx::postgres::PgConnectOptions = url.parse()?;
            Self::Postgres(sqlx::PgPool::connect_with(options.disable_statement_logging()).await?)
        })
    }

    pub(super) async fn run(&self, sql: &str) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ())?,
            Self::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ())?,
        }
        Ok(())
    }

    pub(super) async fn number(&self, sql: &str) -> anyhow::Result<i64> {
        Ok(match self {
            Self::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
            Self::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
        })
    }
}

/// Inserts rows `values(i)` for `i` in `0..n`, a batch per statement and transaction.
pub(super) async fn insert(
    pool: &Pool,
    head: &str,
    n: usize,
    values: impl Fn(usize) -> String,
) -> anyhow::Result<()> {
    let mut i = 0;
    while i < n {
        let end = (i + BATCH).min(n);
        let rows: Vec<String> = (i..end).map(&values).collect();
        pool.run(&format!("BEGIN; {head} VALUES {}; COMMIT;", rows.join(", "))).await?;
        i = end;
    }
    Ok(())
}

async fn populate(store: &dyn Store, url: &str, args: &BenchNews) -> anyhow::Result<Seeded> {
    let slug = ketnoi_core::Slug::parse(ACCOUNT)?;
    let account = store.account_by_slug(&slug).await?.context("no demo account")?;
    let areas: Vec<ketnoi_core::Area> = (0..args.wards)
        .map(|w| {
            ketnoi_core::Area::parse(
                &format!("B{w:05}"),
                &format!("Phường thử {w}"),
                "commune",
                "phường",
                PROVINCE,
            )
        })
        .collect::<Result<_, _>>()?;
    store.upsert_areas(&areas).await?;
    let wards: Vec<String> = areas.iter().map(|a| a.code.to_string()).collect();
    let pool = Pool::open(url).await?;
    let first = pool.number("SELECT COALESCE(MAX(id), 0) FROM citizens").await? + 1;
    let now = Timestamp::now().millis();
    let followers = args.followers as usize;
    let ward_of = |i: usize| &wards[i % wards.len()];
    note(&format!("writing {followers} citizens…"));
    insert(&pool, "INSERT INTO citizens (id, phone, created_at, area_code)", followers, |i| {
        format!("({}, '+8491{:07}', {now}, '{}')", first + i as i64, i, ward_of(i))
    })
    .await?;
    note(&format!("writing {followers} follows…"));
    insert(
        &pool,
        "INSERT INTO follows (citizen_id, account_id, created_at, area_code)",
        followers,
        |i| format!("({}, {}, {now}, '{}')", first + i as i64, account.id.0, ward_of(i)),
    )
    .await?;
    pool.run(&format!(
        "UPDATE accounts SET follower_count = follower_count + {followers} WHERE id = {}",
        account.id.0
    ))
    .await?;
    if let Pool::Postgres(_) = pool {
        // A citizens table written with explicit ids: move its identity past them.
        pool.run("SELECT setval(pg_get_serial_sequence('citizens', 'id'), (SELECT MAX(id) FROM citizens))").await?;
        pool.run("ANALYZE").await?;
    }
    note(&format!("writing {} broadcasts…", args.broadcasts));
    let first_broadcast = pool.number("SELECT COALESCE(MAX(id), 0) FROM broadcasts").await? + 1;
    let broadcasts = args.broadcasts as usize;
    let month = 30 * 86_400_000_i64;
    let targeted = |i: usize| !i.is_multiple_of(10);
    insert(
        &pool,
        "INSERT INTO broadcasts (id, account_id, kind, body, emergency, area_count, tag_count, state, send_at, sent_at, audience_size, created_at)",
        broadcasts,
        |i| {
            let at = now - month + (i as i64 * month / broadcasts.max(1) as i64);
            format!(
                "({}, {}, 'text', 'Thông báo số {i} của Công an xã', FALSE, {}, 0, 'sent', {at}, {at}, 0, {at})",
                first_broadcast + i as i64,
                account.id.0,
                i32::from(targeted(i))
            )
        },
    )
    .await?;
    let targets: Vec<usize> = (0..broadcasts).filter(|i| targeted(*i)).collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(15);
    let chosen: Vec<usize> = targets.iter().map(|_| rng.gen_range(0..wards.len())).collect();
    insert(
        &pool,
        "INSERT INTO broadcast_targets (broadcast_id, kind, value)",
        targets.len(),
        |k| format!("({}, 'area', '{}')", first_broadcast + targets[k] as i64, wards[chosen[k]]),
    )
    .await?;
    if let Pool::Postgres(_) = pool {
        pool.run("SELECT setval(pg_get_serial_sequence('broadcasts', 'id'), (SELECT MAX(id) FROM broadcasts))").await?;
        pool.run("ANALYZE").await?;
    }
    pool.run(&format!(
        "INSERT INTO broadcast_quotas (account_id, per_week) VALUES ({}, 10000)",
        account.id.0
    ))
    .await?;
    // Sessions for the followers the bench plays, spread over the wards.
    let players = followers.min(args.live.max(1000) as usize);
    let tokens: Vec<String> = (0..players)
        .map(|i| format!("ketnoi_s_benchnews{i:08}xxxxxxxxxxxxxxxxxxxxxxxxxx"))
        .collect();
    let citizens: Vec<CitizenId> = (0..players).map(|i| CitizenId(first + i as i64)).collect();
    let far = now + 86_400_000;
    insert(
        &pool,
        "INSERT INTO sessions (token_hash, subject_kind, subject_id, kind, label, created_at, expires_at)",
        players,
        |i| {
            let hash: String = Sha256::digest(tokens[i].as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
            format!("('{hash}', 'citizen', {}, 'api', 'bench', {now}, {far})", citizens[i].0)
        },
    )
    .await?;
    Ok(Seeded { account: account.id, wards, citizens, tokens })
}

/// Signs a staff member in through the API; returns the token.
pub(super) async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<String> {
    let answer: Value = http
        .post(format!("{base}/api/v1/auth/staff/sign-in"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await?
        .json()
        .await?;
    answer["token"].as_str().map(str::to_owned).context(format!("{username} could not sign in"))
}

async fn accept(
    http: &reqwest::Client,
    base: &str,
    officer: &str,
    repeat: u32,
    wards: Option<&[String]>,
) -> anyhow::Result<Summary> {
    let mut times = Latencies::with_capacity(repeat as usize);
    for i in 0..repeat {
        let mut body = json!({ "text": format!("Thông báo đo thời gian số {i}") });
        if let Some(wards) = wards {
            body["areas"] = json!([wards[i as usize * 7 % wards.len()]]);
        }
        let started = Instant::now();
        let answer = http
            .post(format!("{base}/api/v1/accounts/{ACCOUNT}/broadcasts"))
            .bearer_auth(officer)
            .json(&body)
            .send()
            .await?;
        times.push(started.elapsed());
        if answer.status() != 201 {
            bail!(
                "a broadcast was refused: {} {}",
                answer.status(),
                answer.text().await.unwrap_or_default()
            );
        }
        // One at a time, as officers send: the fan-out of the previous one is not timed here.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(times.summary())
}

/// The storage work of accepting a broadcast, done by the bench: count the audience, store the
/// row and its targets in one transaction.
async fn reference_accept(
    store: &dyn Store,
    account: AccountId,
    repeat: u32,
    wards: Option<&[String]>,
) -> anyhow::Result<Summary> {
    let mut times = Latencies::with_capacity(repeat as usize);
    for i in 0..repeat {
        let audience = match wards {
            Some(w) => ketnoi_core::Audience {
                areas: vec![ketnoi_core::AreaCode::parse(&w[(i as usize * 11) % w.len()])?],
                tags: vec![],
            },
            None => ketnoi_core::Audience::everyone(),
        };
        let now = Timestamp::now();
        let new = ketnoi_store::NewBroadcast {
            account,
            body: ketnoi_store::BroadcastBody::Text { text: format!("Tham chiếu {i}") },
            audience,
            alert: None,
            send_at: now,
            author: None,
            created_at: now,
        };
        let started = Instant::now();
        store.create_broadcast(&new, None).await?.map_err(|r| anyhow::anyhow!("{r:?}"))?;
        times.push(started.elapsed());
    }
    Ok(times.summary())
}

async fn live(
    base: &str,
    http: &reqwest::Client,
    officer: &str,
    tokens: &[String],
) -> anyhow::Result<(Summary, Summary, usize)> {
    note(&format!("opening {} connections…", tokens.len()));
    let mut clients = Vec::with_capacity(tokens.len());
    for chunk in tokens.chunks(200) {
        let opened =
            futures_util::future::join_all(chunk.iter().map(|t| LiveClient::connect(base, t)))
                .await;
        for client in opened {
            clients.push(client.context("a follower's WebSocket did not open")?.0);
        }
    }
    // The reference: one ping on every connection, timed to its pong.
    let waits = clients.into_iter().map(|mut client| async move {
        client.send(&json!({ "type": "ping" })).await.ok()?;
        let sent = Instant::now();
        loop {
            let frame = client.frame(Duration::from_secs(10)).await.ok()?;
            if frame["type"] == "pong" {
                return Some((client, sent.elapsed()));
            }
        }
    });
    let pinged = futures_util::future::join_all(waits).await;
    let mut pings = Latencies::with_capacity(pinged.len());
    let mut clients = Vec::with_capacity(pinged.len());
    for (client, took) in pinged.into_iter().flatten() {
        pings.push(took);
        clients.push(client);
    }
    note(&format!("{} connections answered a ping; broadcasting…", clients.len()));
    let t0 = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let listeners: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            let t0 = t0.clone();
            tokio::spawn(async move {
                let deadline = Instant::now() + Duration::from_secs(30);
                while Instant::now() < deadline {
                    match client.frame(Duration::from_secs(30)).await {
                        Ok(frame) if frame["type"] == "broadcast" => {
                            let at = Instant::now();
                            let sent = t0.lock().unwrap_or_else(|e| e.into_inner()).unwrap_or(at);
                            return Some(at - sent);
                        }
                        Ok(_) => {}
                        Err(_) => return None,
                    }
                }
                None
            })
        })
        .collect();
    *t0.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    let answer = http
        .post(format!("{base}/api/v1/accounts/{ACCOUNT}/broadcasts"))
        .bearer_auth(officer)
        .json(&json!({ "text": "Thông báo khẩn tới mọi người đang trực tuyến" }))
        .send()
        .await?;
    if answer.status() != 201 {
        bail!("the live broadcast was refused: {}", answer.status());
    }
    let mut times = Latencies::with_capacity(listeners.len());
    let mut received = 0;
    for listener in listeners {
        if let Ok(Some(took)) = listener.await {
            times.push(took);
            received += 1;
        }
    }
    Ok((times.summary(), pings.summary(), received))
}

async fn feed(
    http: &reqwest::Client,
    base: &str,
    tokens: &[String],
    requests: u32,
    concurrency: u32,
) -> anyhow::Result<Summary> {
    let per_worker = requests.div_ceil(concurrency.max(1));
    let workers = (0..concurrency).map(|w| {
        let http = http.clone();
        let tokens = tokens.to_vec();
        let base = base.to_owned();
        tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(u64::from(w));
            let mut times = Latencies::with_capacity(per_worker as usize);
            for _ in 0..per_worker {
                let token = &tokens[rng.gen_range(0..tokens.len())];
                let started = Instant::now();
                let answer =
                    http.get(format!("{base}/api/v1/me/feed")).bearer_auth(token).send().await;
                let ok = match answer {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                };
                if !ok {
                    return Err(anyhow::anyhow!("a feed request failed"));
                }
                times.push(started.elapsed());
            }
            Ok(times)
        })
    });
    let mut all = Latencies::with_capacity(requests as usize);
    for worker in futures_util::future::join_all(workers).await {
        all.extend(worker??);
    }
    Ok(all.summary())
}

/// The same feed query made in-process on the same database.
async fn reference_feed(
    store: Arc<dyn Store>,
    citizens: &[CitizenId],
    requests: u32,
    concurrency: u32,
) -> anyhow::Result<Summary> {
    let per_worker = requests.div_ceil(concurrency.max(1));
    let workers = (0..concurrency).map(|w| {
        let store = store.clone();
        let citizens = citizens.to_vec();
        tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(1000 + u64::from(w));
            let mut times = Latencies::with_capacity(per_worker as usize);
            for _ in 0..per_worker {
                let citizen = citizens[rng.gen_range(0..citizens.len())];
                let query = FeedQuery {
                    citizen: Some(citizen),
                    account: None,
                    articles: true,
                    broadcasts: true,
                    before: None,
                    now: Timestamp::now(),
                    limit: 20,
                };
                let started = Instant::now();
                store.feed(&query).await?;
                times.push(started.elapsed());
            }
            Ok::<_, anyhow::Error>(times)
        })
    });
    let mut all = Latencies::with_capacity(requests as usize);
    for worker in futures_util::future::join_all(workers).await {
        all.extend(worker??);
    }
    Ok(all.summary())
}

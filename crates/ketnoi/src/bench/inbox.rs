//! `ketnoi bench inbox`: the officers' inbox figures of `docs/BENCHMARKS.md` (issue 18), each
//! beside the same query on bare tables.
//!
//! The database is seeded with the demo, then with `--accounts` accounts under one province,
//! three officers of each, citizens, `--conversations` conversations spread evenly over the
//! accounts' inboxes and `--messages-per-conversation` messages in each ([`inbox_seed`]). Then
//! the bench copies `conversations` and `messages` into `bare_conversations` and `bare_messages`
//! (same columns, same indexes, same rows), starts a real server on the database, signs in as the
//! province's administrator (who may handle every account, and is one of its assignees), and
//! times, one request at a time on random accounts:
//!
//! - the inbox API, `GET /api/v1/accounts/{slug}/conversations`, for the open list, each view
//!   the pages and API offer (needs a person, the bot's, assigned to me, unassigned, closed) and
//!   text search without diacritics over messages (common, rare and absent words);
//! - the console's inbox page, which lists the open conversations and counts every view.
//!
//! Each reference is the very SQL the store runs for that request
//! ([`ketnoi_store::inbox_sql`], [`ketnoi_store::inbox_counts_sql`]), run by the bench with sqlx
//! on the bare copies, for the same accounts and words in the same order: what the server adds
//! (HTTP, signing in, access checks, rendering) is the ratio.
//!
//! [`inbox_seed`]: super::inbox_seed

use std::{path::Path, time::Instant};

use anyhow::Context as _;
use ketnoi_core::{AccountId, ConversationStatus, StaffId};
use ketnoi_store::{AssigneeFilter, InboxQuery, InboxSql, InboxTables};
use rand::{Rng as _, SeedableRng as _, rngs::StdRng};
use serde_json::{Value, json};

use crate::{
    bench::{
        desk::{REQUEST_SEED, timed_gets},
        inbox_seed::{self, OFFICER},
        load,
        news::{Pool, Report, in_scratch, row, server_warnings, sign_in, table_head},
        server::{self, Target},
        stats::{Latencies, Summary, note},
    },
    cli::BenchInbox,
};

/// The copies the references read.
const BARE: InboxTables<'static> = InboxTables {
    conversations: "bare_conversations",
    messages: "bare_messages",
    labels: "conversation_labels",
};
/// Rows in an inbox page, on the API (its default) and the console.
const PAGE: i64 = 30;
/// What officers search for, without diacritics: words many messages have, words a few have,
/// and one none has.
const SEARCHES: &[&str] = &[
    "can cuoc",
    "tam tru",
    "xe may",
    "karaoke",
    "nam ngat",
    "giay phep lai xe",
    "tha rong",
    "flycam",
    "xuat khau lao dong",
    "visa",
];
const TARGET: &str = "p99 < 50 ms";

/// Runs the bench and prints its report.
pub async fn run(args: BenchInbox) -> anyhow::Result<()> {
    let work = args.scratch.work_dir.clone();
    in_scratch("inbox", work, |dir| async move { measure(&args, &dir).await }).await
}

/// One view of an account's inbox: how the API is asked for it and the store's query for it.
struct View {
    name: &'static str,
    /// Its name in the JSON line.
    key: &'static str,
    /// The API's query string, without the search.
    params: &'static str,
    status: ConversationStatus,
    bot: Option<bool>,
    assignee: Option<AssigneeFilter>,
    search: bool,
}

fn views(officer: StaffId) -> [View; 7] {
    let open = |name, key, params| View {
        name,
        key,
        params,
        status: ConversationStatus::Open,
        bot: None,
        assignee: None,
        search: false,
    };
    [
        open("inbox list: open conversations", "open", "?status=open"),
        View { bot: Some(false), ..open("open, needing a person", "person", "?handler=person") },
        View { bot: Some(true), ..open("open, the bot's", "bot", "?handler=bot") },
        View {
            assignee: Some(AssigneeFilter::Staff(officer)),
            ..open("open, assigned to me", "mine", "?assignee=me")
        },
        View {
            assignee: Some(AssigneeFilter::Nobody),
            ..open("open, unassigned", "unassigned", "?assignee=none")
        },
        View {
            status: ConversationStatus::Closed,
            ..open("closed conversations", "closed", "?status=closed")
        },
        View { search: true, ..open("search without diacritics", "search", "?q=") },
    ]
}

/// The account and search words of one request: the server's and the reference's sequences
/// draw the same.
fn draw(rng: &mut StdRng, accounts: usize) -> (usize, &'static str) {
    (rng.gen_range(0..accounts), SEARCHES[rng.gen_range(0..SEARCHES.len())])
}

impl View {
    fn path(&self, slug: &str, words: &str) -> String {
        let q = if self.search { words.replace(' ', "%20") } else { String::new() };
        format!("/api/v1/accounts/{slug}/conversations{}{q}", self.params)
    }

    fn query(&self, account: AccountId, words: &str) -> InboxQuery {
        InboxQuery {
            account,
            status: self.status,
            text: self.search.then(|| words.to_owned()),
            bot: self.bot,
            assignee: self.assignee,
            waiting_before: None,
            label: None,
            before: None,
            limit: PAGE,
        }
    }
}

async fn measure(args: &BenchInbox, dir: &Path) -> anyhow::Result<Report> {
    let database = args.scratch.database_url(dir);
    server::seed(&database, "quantri").await?;
    let store = ketnoi_store::connect(&database).await?;
    let started = Instant::now();
    let data = inbox_seed::populate(store.as_ref(), &database, args).await?;
    let seeded = started.elapsed().as_secs_f64();
    note(&format!("seeded in {seeded:.1} s; copying the tables…"));
    let pool = Pool::open(&database).await?;
    let started = Instant::now();
    inbox_seed::bare_copies(&pool).await?;
    if let Pool::Postgres(_) = pool {
        pool.run("VACUUM ANALYZE").await?;
    }
    let copied = started.elapsed().as_secs_f64();
    note(&format!("copied in {copied:.1} s"));
    let conversations = data.per_account * data.accounts.len() as i64;
    let messages = conversations * i64::from(args.messages_per_conversation);
    drop(store);

    let http = load::http_client()?;
    let mut target = Target::launch(&http, dir, &database, None).await?;
    note(&format!("server: {} ({})", target.base, target.backend));
    let (officer, password) = &data.officer;
    let token = sign_in(&http, &target.base, OFFICER, password).await?;

    let mut lines = table_head(format!(
        "Backend **{}**: {} accounts under one province, {conversations} conversations ({} \
         in each inbox) and {messages} messages, seeded in {seeded:.0} s and copied in \
         {copied:.0} s; times in ms (p50 / p99), each beside the same SQL on bare copies of \
         the tables with the same indexes, run by the bench in the same run.",
        target.backend,
        data.accounts.len(),
        data.per_account,
    ));
    let mut json = serde_json::Map::new();
    json.insert("backend".into(), json!(target.backend));
    json.insert("conversations".into(), json!(conversations));
    json.insert("messages".into(), json!(messages));
    json.insert("seed_s".into(), json!(seeded.round()));

    let slugs: Vec<&str> = data.accounts.iter().map(|(_, slug)| slug.as_str()).collect();
    let ids: Vec<AccountId> = data.accounts.iter().map(|(id, _)| *id).collect();
    for view in &views(*officer) {
        let served = timed_gets(&http, &target.base, Some(&token), args.requests, |rng| {
            let (a, words) = draw(rng, slugs.len());
            view.path(slugs[a], words)
        })
        .await?;
        let bare = reference(&pool, args.requests, |rng| {
            let (a, words) = draw(rng, ids.len());
            vec![ketnoi_store::inbox_sql(&view.query(ids[a], words), BARE)]
        })
        .await?;
        lines.push(row(view.name, &served, &bare, TARGET));
        json.insert(format!("{}_p99_ms", view.key), json!(served.p99_ms));
        json.insert(format!("{}_reference_p99_ms", view.key), json!(bare.p99_ms));
        target.check_alive()?;
    }

    // The console's page: the open list and every view's count, rendered.
    let served = timed_gets(&http, &target.base, Some(&token), args.requests, |rng| {
        format!("/console/a/{}/inbox", slugs[draw(rng, slugs.len()).0])
    })
    .await?;
    let list = &views(*officer)[0];
    let bare = reference(&pool, args.requests, |rng| {
        let account = ids[draw(rng, ids.len()).0];
        vec![
            ketnoi_store::inbox_sql(&list.query(account, ""), BARE),
            // The page counts the overdue against the default target: four working hours.
            ketnoi_store::inbox_counts_sql(account, *officer, overdue_cutoff(), BARE),
        ]
    })
    .await?;
    lines.push(row("console inbox page, with every view's count", &served, &bare, TARGET));
    json.insert("page_p99_ms".into(), json!(served.p99_ms));
    json.insert("page_reference_p99_ms".into(), json!(bare.p99_ms));
    target.check_alive()?;
    server_warnings(&target, &mut lines);
    Ok(Report { lines, json: Value::Object(json) })
}

/// Runs the statements of `requests` requests on the bare copies, one request at a time, each
/// timed from the first statement sent to the last row read.
async fn reference(
    pool: &Pool,
    requests: u32,
    statements: impl Fn(&mut StdRng) -> Vec<InboxSql>,
) -> anyhow::Result<Summary> {
    let mut rng = StdRng::seed_from_u64(REQUEST_SEED);
    let mut times = Latencies::with_capacity(requests as usize);
    for _ in 0..requests {
        let batch = statements(&mut rng);
        let started = Instant::now();
        for statement in &batch {
            let rows = match pool {
                Pool::Sqlite(p) => statement.query().fetch_all(p).await.map(|r| r.len()),
                Pool::Postgres(p) => statement.query().fetch_all(p).await.map(|r| r.len()),
            };
            rows.with_context(|| format!("the reference query failed: {}", statement.sql))?;
        }
        times.push(started.elapsed());
    }
    Ok(times.summary())
}

/// The overdue cut-off of an account with the default office hours and target, now.
fn overdue_cutoff() -> ketnoi_core::Timestamp {
    let defaults = ketnoi_store::InboxSettings::default();
    let target = defaults.response_target_minutes * 60_000;
    defaults.office_hours.back(ketnoi_core::Timestamp::now(), target)
}

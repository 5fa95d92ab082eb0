//! `ketnoi bench desk`: the front-desk figures of `docs/BENCHMARKS.md`, each beside a reference
//! measured in the same run.
//!
//! The database is seeded with the demo, then with a three-level agency tree (one province,
//! `--districts` districts, `--communes` communes under each: 10,001 agencies by default, written
//! with plain multi-row inserts), an account for each of the first `--accounts` communes, a
//! template menu at the province, and `--procedures` guides in the province's catalogue (each
//! citing one common law and one of fifty others) plus ten of their own in each district, and a
//! few overrides per account. Then a real server starts on it, and:
//!
//! 1. **account page**: `/a/{slug}` of random commune accounts, each with its inherited menu;
//!    the reference is the server's own `/healthz` on the same connections (the floor of an
//!    HTTP answer from this server on this machine);
//! 2. **search**: `/api/v1/accounts/{slug}/procedures?q=…` with folded (no-diacritics) words;
//!    the reference is the same catalogue query made by the bench in-process;
//! 3. **flag**: marking the common law replaced through the API, which flags every guide of the
//!    tree that cites it; the reference is a bare `UPDATE` of the same rows made by the bench.

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use ketnoi_core::{
    AccountId, AccountKind, AgencyId, NewAccount, Slug, Timestamp,
    desk::{
        Day, DeskField, LegalRef, Menu, MenuAction, MenuButton, Override, ProcedureDoc,
        ProcedureLevel,
    },
};
use ketnoi_store::{MenuOwner, Store};
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};

use crate::{
    bench::{
        load,
        news::{Pool, Report, in_scratch, insert, row, server_warnings, sign_in, table_head},
        server::{self, Target},
        stats::{Latencies, Summary, note},
    },
    cli::BenchDesk,
};

/// The common law every guide cites, whose replacement the flag phase times.
const COMMON_LAW: &str = "99/2026/BENCH";
/// Words guide names are made of, so searches match some guides and not others.
const WORDS: &[&str] = &[
    "đăng ký",
    "cấp",
    "cấp đổi",
    "cấp lại",
    "xác nhận",
    "thu hồi",
    "gia hạn",
    "điều chỉnh",
    "căn cước",
    "thường trú",
    "tạm trú",
    "tạm vắng",
    "xe mô tô",
    "giấy phép",
    "hộ tịch",
    "khai sinh",
    "kết hôn",
    "chứng thực",
    "phòng cháy",
    "kinh doanh",
    "lưu trú",
    "vũ khí",
    "con dấu",
    "hộ chiếu",
    "nhà ở",
    "đất đai",
    "bảo trợ",
    "người cao tuổi",
    "thuế",
    "trẻ em",
];

/// Runs the bench and prints its report.
pub async fn run(args: BenchDesk) -> anyhow::Result<()> {
    let work = args.scratch.work_dir.clone();
    in_scratch("desk", work, |dir| async move { measure(&args, &dir).await }).await
}

/// What the bench made.
struct Seeded {
    province: AgencyId,
    accounts: Vec<(AccountId, String, Vec<AgencyId>)>,
    flagged: i64,
}

fn guide_name(rng: &mut rand::rngs::StdRng, i: usize) -> String {
    let n = rng.gen_range(3..=5);
    let words: Vec<&str> = (0..n).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect();
    let mut name = words.join(" ");
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + &name[1..];
    }
    format!("{name} (mẫu {i})")
}

fn law(number: &str) -> LegalRef {
    LegalRef {
        number: number.to_owned(),
        title: format!("Văn bản đo đạc {number}"),
        issuer: "Cơ quan thử".to_owned(),
        effective: Day::parse("2024-01-01").unwrap_or_else(|_| Day::today(Timestamp::now())),
        expires: None,
        superseded_by: None,
        superseded_on: None,
    }
}

fn guide(rng: &mut rand::rngs::StdRng, code: String, i: usize) -> ProcedureDoc {
    ProcedureDoc {
        code,
        name: guide_name(rng, i),
        level: ProcedureLevel::Commune,
        applicants: "Công dân".to_owned(),
        steps: vec!["Nộp hồ sơ".to_owned(), "Nhận kết quả".to_owned()],
        documents: vec!["Tờ khai".to_owned()],
        fee: "Miễn phí".to_owned(),
        processing_time: "3 ngày làm việc".to_owned(),
        office: String::new(),
        address: String::new(),
        hours: "Thứ Hai – Thứ Sáu".to_owned(),
        phone: String::new(),
        online_url: String::new(),
        notes: String::new(),
        legal_basis: vec![law(COMMON_LAW), law(&format!("{}/2025/BENCH", i % 50))],
        forms: vec![],
        locked: vec![DeskField::Fee],
        template: true,
        demo: false,
    }
}

async fn populate(store: &dyn Store, url: &str, args: &BenchDesk) -> anyhow::Result<Seeded> {
    let pool = Pool::open(url).await?;
    let now = Timestamp::now().millis();
    let first = pool.number("SELECT COALESCE(MAX(id), 0) FROM agencies").await? + 1;
    let (districts, communes) = (args.districts as usize, args.communes as usize);
    let total = 1 + districts + districts * communes;
    note(&format!("writing {total} agencies…"));
    // Ids: the province first, then the districts, then each district's communes in turn.
    let parent = |i: usize| -> String {
        match i {
            0 => "NULL".to_owned(),
            i if i <= districts => first.to_string(),
            i => (first + 1 + ((i - 1 - districts) / communes) as i64).to_string(),
        }
    };
    insert(
        &pool,
        "INSERT INTO agencies (id, code, name, kind, area_code, parent_id, created_at)",
        total,
        |i| {
            format!(
                "({}, 'bench-{i}', 'Đơn vị đo đạc {i}', 'police', '08', {}, {now})",
                first + i as i64,
                parent(i)
            )
        },
    )
    .await?;
    if let Pool::Postgres(_) = pool {
        pool.run("SELECT setval(pg_get_serial_sequence('agencies', 'id'), (SELECT MAX(id) FROM agencies))").await?;
    }
    let province = AgencyId(first);
    let line_of = |i: usize| -> Vec<AgencyId> {
        let district = first + 1 + ((i - 1 - districts) / communes) as i64;
        vec![AgencyId(first + i as i64), AgencyId(district), province]
    };

    note(&format!("writing {} accounts…", args.accounts));
    let mut accounts = Vec::new();
    for k in 0..(args.accounts as usize).min(districts * communes) {
        // Spread over the districts: commune k of each district in turn.
        let i = 1 + districts + (k % districts) * communes + k / districts;
        let slug = format!("bench-xa-{i}");
        let name = format!("Công an xã đo đạc {i}");
        let account = police_account(store, &slug, AgencyId(first + i as i64), &name).await?;
        accounts.push((account, slug, line_of(i)));
    }

    note(&format!("writing {} guides at the province…", args.procedures));
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    let today = Day::today(Timestamp::now());
    let docs: Vec<ProcedureDoc> = (0..args.procedures as usize)
        .map(|i| guide(&mut rng, format!("BENCH-{i:05}"), i))
        .collect();
    let at = Timestamp::now();
    for chunk in docs.chunks(500) {
        store
            .save_procedures(province, &[province], chunk, &today, at)
            .await?
            .map_err(|r| anyhow::anyhow!("bench catalogue refused: {r:?}"))?;
    }
    note(&format!("writing 10 guides in each of {districts} districts…"));
    for d in 0..districts {
        let district = AgencyId(first + 1 + d as i64);
        let own: Vec<ProcedureDoc> =
            (0..10).map(|j| guide(&mut rng, format!("HUYEN-{j:02}"), d * 10 + j)).collect();
        store
            .save_procedures(district, &[district, province], &own, &today, at)
            .await?
            .map_err(|r| anyhow::anyhow!("district catalogue refused: {r:?}"))?;
    }
    note("writing overrides and the template menu…");
    for (account, _, line) in &accounts {
        for code in ["BENCH-00001", "BENCH-00002", "HUYEN-03"] {
            if let Some(shown) = store.procedure_for(*account, line, code).await? {
                let over = Override {
                    fields: [(DeskField::Hours, "Sáng thứ Bảy".to_owned())].into(),
                    extra_steps: vec![],
                    hidden: code == "HUYEN-03",
                };
                store.set_override(shown.procedure.id, *account, &over, at).await?;
            }
        }
    }
    let button = |label: &str, action, value: &str| MenuButton {
        label: label.to_owned(),
        action: Some(action),
        value: value.to_owned(),
        buttons: vec![],
    };
    let menu = Menu {
        buttons: vec![
            MenuButton {
                label: "Thủ tục hành chính".to_owned(),
                action: None,
                value: String::new(),
                buttons: vec![
                    button("Tất cả thủ tục", MenuAction::Procedures, ""),
                    button("Căn cước", MenuAction::Procedure, "BENCH-00001"),
                    button("Biểu mẫu", MenuAction::Forms, ""),
                ],
            },
            button("Dịch vụ công", MenuAction::Url, "https://dichvucong.gov.vn"),
            button("Gửi tin báo", MenuAction::Tip, ""),
        ],
    };
    store.publish_menu(MenuOwner::Agency(province), &menu, None, at).await?;
    if let Pool::Postgres(_) = pool {
        pool.run("ANALYZE").await?;
    }
    let flagged = pool
        .number(&format!(
            "SELECT COUNT(*) FROM procedure_legal pl JOIN legal_docs d ON d.id = pl.legal_doc_id \
             WHERE d.number = '{COMMON_LAW}'"
        ))
        .await?;
    Ok(Seeded { province, accounts, flagged })
}

async fn measure(args: &BenchDesk, dir: &Path) -> anyhow::Result<Report> {
    let database = args.scratch.database_url(dir);
    let password = server::seed(&database, "quantri").await?;
    let password = password.context("the demo has no platform administrator quantri")?;
    let store: Arc<dyn Store> = ketnoi_store::connect(&database).await?;
    let seeded = Instant::now();
    let data = populate(store.as_ref(), &database, args).await?;
    note(&format!("seeded in {:.1} s", seeded.elapsed().as_secs_f64()));

    let http = load::http_client()?;
    let mut target = Target::launch(&http, dir, &database, None).await?;
    note(&format!("server: {} ({})", target.base, target.backend));
    let admin = sign_in(&http, &target.base, "quantri", &password).await?;

    let mut lines = table_head(format!(
        "Backend **{}**: {} agencies in three levels, {} guides in the province's catalogue \
         and 10 in each district, {} commune accounts; times in ms (p50 / p99), each beside \
         its reference from the same run.",
        target.backend,
        1 + args.districts * (1 + args.communes),
        args.procedures,
        data.accounts.len()
    ));
    let mut json = serde_json::Map::new();
    json.insert("backend".into(), json!(target.backend));
    json.insert("procedures".into(), json!(args.procedures));

    let slugs: Vec<String> = data.accounts.iter().map(|a| a.1.clone()).collect();
    // 1. The account page with its menu, against the server's floor.
    let page = timed_gets(&http, &target.base, None, args.requests, |rng| {
        format!("/a/{}", slugs[rng.gen_range(0..slugs.len())])
    })
    .await?;
    let floor =
        timed_gets(&http, &target.base, None, args.requests, |_| "/healthz".to_owned()).await?;
    lines.push(row("an account page with its inherited menu", &page, &floor, "p99 < 10 ms"));
    json.insert("page_p99_ms".into(), json!(page.p99_ms));
    json.insert("page_floor_p99_ms".into(), json!(floor.p99_ms));

    // 2. Searching the catalogue without diacritics, against the same query in-process.
    let queries = [
        "dang ky",
        "can cuoc",
        "cap doi",
        "tam tru",
        "xac nhan ho tich",
        "giay phep kinh doanh",
        "khai sinh",
        "thu hoi xe mo to",
    ];
    let search = timed_gets(&http, &target.base, None, args.requests, |rng| {
        let q = queries[rng.gen_range(0..queries.len())].replace(' ', "%20");
        format!("/api/v1/accounts/{}/procedures?q={q}", slugs[rng.gen_range(0..slugs.len())])
    })
    .await?;
    let reference =
        reference_search(store.as_ref(), &data.accounts, &queries, args.requests).await?;
    lines.push(row("search the catalogue without diacritics", &search, &reference, "p99 < 20 ms"));
    json.insert("search_p99_ms".into(), json!(search.p99_ms));
    json.insert("search_reference_p99_ms".into(), json!(reference.p99_ms));
    target.check_alive()?;

    // 3. Marking the common law replaced, against a bare update of the same rows.
    let pool = Pool::open(&database).await?;
    let started = Instant::now();
    pool.run(&format!(
        "UPDATE procedures SET updated_at = updated_at WHERE id IN (SELECT pl.procedure_id \
         FROM procedure_legal pl JOIN legal_docs d ON d.id = pl.legal_doc_id WHERE d.number = '{COMMON_LAW}')"
    ))
    .await?;
    let bare = started.elapsed();
    let started = Instant::now();
    let answer: Value = http
        .post(format!(
            "{}/api/v1/accounts/{}/legal-documents/supersede",
            target.base,
            province_slug(store.as_ref(), data.province).await?
        ))
        .bearer_auth(&admin)
        .json(&json!({ "number": COMMON_LAW }))
        .send()
        .await?
        .json()
        .await?;
    let flag = started.elapsed();
    let flagged =
        answer["flagged"].as_i64().context(format!("the law was not marked replaced: {answer}"))?;
    if flagged != data.flagged {
        bail!("{flagged} guides flagged, {} cite the law", data.flagged);
    }
    let one = |d: Duration| {
        let mut l = Latencies::with_capacity(1);
        l.push(d);
        l.summary()
    };
    lines.push(row(
        &format!("mark one law replaced: {flagged} guides flagged across the tree"),
        &one(flag),
        &one(bare),
        "< 1000 ms",
    ));
    json.insert("flag_ms".into(), json!(flag.as_secs_f64() * 1000.0));
    json.insert("flagged".into(), json!(flagged));
    target.check_alive()?;
    server_warnings(&target, &mut lines);
    Ok(Report { lines, json: Value::Object(json) })
}

/// The province's account, made for the flag phase (the platform administrator acts through
/// it, as the province's own officers would).
async fn province_slug(store: &dyn Store, province: AgencyId) -> anyhow::Result<String> {
    let slug = "bench-tinh".to_owned();
    if store.account_by_slug(&Slug::parse(&slug)?).await?.is_none() {
        police_account(store, &slug, province, "Công an tỉnh đo đạc").await?;
    }
    Ok(slug)
}

/// Makes a police account of an agency in the demo's province, with office hours and contacts.
pub(super) async fn police_account(
    store: &dyn Store,
    slug: &str,
    agency: AgencyId,
    name: &str,
) -> anyhow::Result<AccountId> {
    let new = NewAccount::new(
        Slug::parse(slug)?,
        agency,
        name,
        "",
        AccountKind::Police,
        "08".parse()?,
        "Thứ Hai – Thứ Sáu",
        "0219 3826 113",
        "Thôn đo đạc",
    )?;
    Ok(store.create_account(&new).await?.id)
}

/// The seed of the random choices of each measure's requests; a reference drawing with the same
/// seed makes the same choices.
pub(super) const REQUEST_SEED: u64 = 7;

/// GETs `requests` paths one at a time (with a bearer token, if given), each timed from request
/// to the last byte.
pub(super) async fn timed_gets(
    http: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    requests: u32,
    path: impl Fn(&mut rand::rngs::StdRng) -> String,
) -> anyhow::Result<Summary> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(REQUEST_SEED);
    let mut times = Latencies::with_capacity(requests as usize);
    for _ in 0..requests {
        let url = format!("{base}{}", path(&mut rng));
        let mut request = http.get(&url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let started = Instant::now();
        let r = request.send().await?;
        let status = r.status();
        r.bytes().await?;
        if !status.is_success() {
            bail!("{url} answered {status}");
        }
        times.push(started.elapsed());
    }
    Ok(times.summary())
}

/// The catalogue query made in-process on the same database.
async fn reference_search(
    store: &dyn Store,
    accounts: &[(AccountId, String, Vec<AgencyId>)],
    queries: &[&str],
    requests: u32,
) -> anyhow::Result<Summary> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(REQUEST_SEED);
    let mut times = Latencies::with_capacity(requests as usize);
    for _ in 0..requests {
        let q = queries[rng.gen_range(0..queries.len())];
        let (account, _, line) = &accounts[rng.gen_range(0..accounts.len())];
        let started = Instant::now();
        store.procedures_for(*account, line, Some(q), false).await?;
        times.push(started.elapsed());
    }
    Ok(times.summary())
}

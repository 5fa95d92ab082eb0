//! The data of `ketnoi bench inbox`: accounts with their officers, citizens, conversations and
//! messages, and bare copies of the two tables the inbox reads.
//!
//! Agencies, accounts, officers and citizens are few and go in as plain rows. Conversations and
//! messages are many: the database makes them itself, with `INSERT … SELECT` over small helper
//! tables (the accounts, the citizens, a few thousand message texts and a run of numbers), so
//! ten million messages cost no round trips and no statement text. Every attribute comes from a
//! hash of the conversation's id (and the message's place in it), so both backends hold the same
//! rows: about one conversation in five open, the bot active in four in ten, half of them
//! assigned among four officers (the bench's own and three of the account's), last messages
//! spread over a year, and each conversation's last message, preview and counters agreeing.

use anyhow::Context as _;
use ketnoi_core::{AccountId, AgencyId, Content, Phone, StaffId, Timestamp, policy::Role};
use ketnoi_store::Store;
use rand::{Rng as _, SeedableRng as _, rngs::StdRng};

use crate::{
    admin,
    bench::{
        desk::police_account,
        news::{Pool, insert},
        stats::note,
    },
    cli::BenchInbox,
};

/// The officer the bench signs in as: the province's administrator, so every account below is
/// theirs to handle (an officer's role reaches their own agency only), and one of the four
/// assignees in each.
pub(super) const OFFICER: &str = "bench.hopthu";
/// The province agency's code.
const PROVINCE: &str = "bench-inbox-tinh";
/// The account's own officers, besides the bench's.
const LOCAL_OFFICERS: usize = 3;
/// Conversations written per statement.
const CONVERSATIONS_PER_STATEMENT: i64 = 20_000;
/// The prime the row hashes are taken modulo.
const P: i64 = 1_000_003;
const DAY_MS: i64 = 86_400_000;

/// What the bench made.
pub(super) struct Seeded {
    /// Each account and its slug.
    pub accounts: Vec<(AccountId, String)>,
    /// The bench's officer and their password.
    pub officer: (StaffId, String),
    /// Conversations in each account's inbox.
    pub per_account: i64,
}

/// A pseudo-random number in `0..P` from an integer SQL expression, different for each salt
/// (in 64 bits: PostgreSQL's products of `INTEGER` columns would overflow).
fn mix(x: &str, salt: i64) -> String {
    format!("((CAST({x} AS BIGINT) % {P}) * {salt} % {P})")
}

/// Who wrote message `n` (from 0) of conversation `id`: always the citizen first, then half the
/// citizen, three in ten an officer, two in ten the bot.
fn author(id: &str, n: &str) -> String {
    let b = mix(&format!("({id}) * 1024 + ({n})"), 2_654_435_761);
    format!(
        "CASE WHEN ({n}) = 0 OR {b} % 10 < 5 THEN 'citizen' WHEN {b} % 10 < 8 THEN 'staff' \
         ELSE 'bot' END"
    )
}

/// Which text message `n` of conversation `id` says: one of its author's.
fn text_of(id: &str, n: &str, texts: &Texts) -> String {
    let pick = mix(&format!("({id}) * 1024 + ({n})"), 40_503);
    let (c, s, b) = (texts.citizen, texts.staff, texts.bot);
    format!(
        "CASE {} WHEN 'citizen' THEN {pick} % {c} WHEN 'staff' THEN {c} + {pick} % {s} \
         ELSE {} + {pick} % {b} END",
        author(id, n),
        c + s
    )
}

/// Minutes between a conversation's messages: one to two hours.
fn gap_ms(id: &str) -> String {
    format!("(60000 * (1 + {} % 120))", mix(id, 97_531))
}

/// Seeds everything but the demo; `database` already holds the demo.
pub(super) async fn populate(
    store: &dyn Store,
    database: &str,
    args: &BenchInbox,
) -> anyhow::Result<Seeded> {
    let pool = Pool::open(database).await?;
    let accounts = args.accounts as usize;
    let per_account = i64::from(args.conversations / args.accounts);
    anyhow::ensure!(per_account >= 1, "--conversations must be at least --accounts");
    anyhow::ensure!(per_account <= 10_000_000, "at most ten million conversations per account");
    let now = Timestamp::now().millis();

    note(&format!("writing {} agencies and {accounts} accounts…", accounts + 1));
    let first_agency = pool.number("SELECT COALESCE(MAX(id), 0) FROM agencies").await? + 1;
    insert(
        &pool,
        "INSERT INTO agencies (id, code, name, kind, area_code, parent_id, created_at)",
        accounts + 1,
        |i| match i {
            0 => format!("({first_agency}, '{PROVINCE}', 'Công an tỉnh đo đạc', 'police', '08', NULL, {now})"),
            i => format!(
                "({}, 'bench-inbox-{i}', 'Công an xã đo đạc {i}', 'police', '08', {first_agency}, {now})",
                first_agency + i as i64
            ),
        },
    )
    .await?;
    let mut made = Vec::with_capacity(accounts);
    for i in 1..=accounts {
        let slug = format!("bench-hop-thu-{i}");
        let name = format!("Công an xã hộp thư {i}");
        made.push((
            police_account(store, &slug, AgencyId(first_agency + i as i64), &name).await?,
            slug,
        ));
    }

    let password = admin::generate_password();
    let grant = [(PROVINCE.to_owned(), Role::Administrator)];
    let officer =
        admin::create_staff(store, OFFICER, "Cán bộ đo hộp thư", &password, false, &grant).await?;
    note(&format!("writing {} officers…", accounts * LOCAL_OFFICERS));
    let first_staff = pool.number("SELECT COALESCE(MAX(id), 0) FROM staff").await? + 1;
    insert(
        &pool,
        "INSERT INTO staff (id, username, display_name, password_hash, platform_admin, created_at)",
        accounts * LOCAL_OFFICERS,
        // No password: these officers are assigned conversations, they never sign in.
        |i| {
            format!(
                "({}, 'bench.canbo.{i}', 'Cán bộ {i}', '!', FALSE, {now})",
                first_staff + i as i64
            )
        },
    )
    .await?;
    insert(
        &pool,
        "INSERT INTO staff_grants (staff_id, agency_id, role)",
        accounts * LOCAL_OFFICERS,
        |i| {
            let agency = first_agency + 1 + (i / LOCAL_OFFICERS) as i64;
            format!("({}, {agency}, 'officer')", first_staff + i as i64)
        },
    )
    .await?;

    note(&format!("writing {per_account} citizens…"));
    let first_citizen = pool.number("SELECT COALESCE(MAX(id), 0) FROM citizens").await? + 1;
    let phones: Vec<Phone> =
        (0..per_account).map(|k| Phone::parse(&format!("039{k:07}"))).collect::<Result<_, _>>()?;
    insert(&pool, "INSERT INTO citizens (id, phone, created_at)", phones.len(), |k| {
        format!("({}, '{}', {now})", first_citizen + k as i64, phones[k].e164())
    })
    .await?;

    let texts = Texts::new();
    helpers(&pool, &made, first_staff, first_citizen, &phones, &texts, args).await?;
    let first_conversation =
        pool.number("SELECT COALESCE(MAX(id), 0) FROM conversations").await? + 1;
    let m = i64::from(args.messages_per_conversation);
    let total = per_account * accounts as i64;
    note(&format!("writing {total} conversations…"));
    let accounts_per_statement = (CONVERSATIONS_PER_STATEMENT / per_account).max(1);
    let mut j = 0;
    while j < accounts as i64 {
        let sql = conversations(first_conversation, per_account, m, officer.id, now, &texts);
        let last = (j + accounts_per_statement).min(accounts as i64) - 1;
        pool.run(&format!("BEGIN; {sql} WHERE a.j BETWEEN {j} AND {last}) y; COMMIT;")).await?;
        j = last + 1;
    }
    note(&format!("writing {} messages…", total * m));
    let started = std::time::Instant::now();
    let last_conversation = first_conversation + total - 1;
    let sql = messages(m, &texts);
    let mut lo = first_conversation;
    while lo <= last_conversation {
        let hi = (lo + CONVERSATIONS_PER_STATEMENT - 1).min(last_conversation);
        pool.run(&format!(
            "BEGIN; {sql} WHERE c.id BETWEEN {lo} AND {hi} AND s.n < {m}) w \
             JOIN bench_texts t ON t.i = w.ti ORDER BY w.id, w.n; COMMIT;"
        ))
        .await?;
        lo = hi + 1;
    }
    note(&format!("messages written in {:.1} s", started.elapsed().as_secs_f64()));
    // Inbox events are kept 30 days: those of the last month, numbered in each account.
    pool.run(&format!(
        "BEGIN; INSERT INTO inbox_events (account_id, seq, conversation_id, kind, message_seq, created_at) \
         SELECT handler_id, (id - {first_conversation}) % {per_account} + 1, id, 'message', last_seq, last_message_at \
         FROM conversations WHERE id >= {first_conversation} AND last_message_at > {}; \
         INSERT INTO inbox_heads (account_id, last_seq) SELECT account_id, {per_account} FROM bench_accounts; \
         DROP TABLE bench_accounts; DROP TABLE bench_citizens; DROP TABLE bench_texts; DROP TABLE bench_numbers; COMMIT;",
        now - 29 * DAY_MS
    ))
    .await?;
    if let Pool::Postgres(_) = pool {
        for table in ["agencies", "staff", "citizens", "conversations"] {
            pool.run(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    Ok(Seeded { accounts: made, officer: (officer.id, password), per_account })
}

/// The helper tables the big inserts read from.
async fn helpers(
    pool: &Pool,
    accounts: &[(AccountId, String)],
    first_staff: i64,
    first_citizen: i64,
    phones: &[Phone],
    texts: &Texts,
    args: &BenchInbox,
) -> anyhow::Result<()> {
    pool.run(
        "CREATE TABLE bench_accounts (j INTEGER PRIMARY KEY, account_id BIGINT NOT NULL, staff_id BIGINT NOT NULL); \
         CREATE TABLE bench_citizens (k INTEGER PRIMARY KEY, citizen_id BIGINT NOT NULL, label TEXT NOT NULL); \
         CREATE TABLE bench_texts (i INTEGER PRIMARY KEY, body TEXT NOT NULL, search_key TEXT NOT NULL, preview TEXT NOT NULL); \
         CREATE TABLE bench_numbers (n INTEGER PRIMARY KEY)",
    )
    .await?;
    insert(pool, "INSERT INTO bench_accounts (j, account_id, staff_id)", accounts.len(), |j| {
        format!("({j}, {}, {})", accounts[j].0.0, first_staff + (j * LOCAL_OFFICERS) as i64)
    })
    .await?;
    insert(pool, "INSERT INTO bench_citizens (k, citizen_id, label)", phones.len(), |k| {
        format!("({k}, {}, '{}')", first_citizen + k as i64, phones[k].masked())
    })
    .await?;
    insert(pool, "INSERT INTO bench_texts (i, body, search_key, preview)", texts.all.len(), |i| {
        let (body, key, preview) = &texts.all[i];
        format!("({i}, '{body}', '{key}', '{preview}')")
    })
    .await?;
    let n = args.messages_per_conversation as usize;
    insert(pool, "INSERT INTO bench_numbers (n)", n, |i| format!("({i})")).await
}

/// The conversations of accounts `a.j` in a range (the caller closes the `WHERE` and the
/// derived table `y`).
fn conversations(
    first: i64,
    per: i64,
    m: i64,
    officer: StaffId,
    now: i64,
    texts: &Texts,
) -> String {
    let id = "y.id";
    let open = format!("{} % 5 = 0", mix(id, 7_919));
    let bot = mix(id, 104_729);
    let assign = mix(id, 15_485_863);
    let unread = format!("CASE WHEN {open} THEN {} % 3 ELSE 0 END", mix(id, 3_571));
    format!(
        "INSERT INTO conversations (id, account_id, handler_id, citizen_id, citizen_label, status, \
         bot_state, last_seq, last_message_at, preview, citizen_read_seq, account_read_seq, \
         citizen_unread, account_unread, assignee_id, created_at) \
         SELECT y.id, y.account_id, y.account_id, y.citizen_id, y.label, \
         CASE WHEN {open} THEN 'open' ELSE 'closed' END, \
         CASE WHEN {bot} % 10 < 4 THEN 'active' WHEN {bot} % 10 < 8 THEN 'waiting' ELSE 'paused' END, \
         {m}, y.last_at, (SELECT t.preview FROM bench_texts t WHERE t.i = {text}), \
         {m}, {m} - ({unread}), 0, {unread}, \
         CASE {assign} % 8 WHEN 0 THEN {officer} WHEN 1 THEN y.staff_id WHEN 2 THEN y.staff_id + 1 \
         WHEN 3 THEN y.staff_id + 2 ELSE NULL END, \
         y.last_at - {} * {gap} \
         FROM (SELECT {first} + a.j * {per} + k.k AS id, a.account_id, a.staff_id, k.citizen_id, \
         k.label, {now} - {} * 31536 AS last_at \
         FROM bench_accounts a CROSS JOIN bench_citizens k",
        m - 1,
        mix(&format!("{first} + a.j * {per} + k.k"), 611_953),
        officer = officer.0,
        text = text_of(id, &(m - 1).to_string(), texts),
        gap = gap_ms(id),
    )
}

/// The messages of conversations `c.id` in a range (the caller closes the `WHERE`, the derived
/// table `w`, and joins the texts).
fn messages(m: i64, texts: &Texts) -> String {
    format!(
        "INSERT INTO messages (conversation_id, seq, author_kind, author_id, author_name, \
         client_msg_id, kind, body, attachment_id, buttons, search_key, created_at) \
         SELECT w.id, w.n + 1, w.author, \
         CASE w.author WHEN 'citizen' THEN w.citizen_id WHEN 'staff' THEN w.staff_id ELSE 0 END, \
         CASE w.author WHEN 'staff' THEN 'Cán bộ đo đạc' ELSE '' END, \
         'bench-' || (w.n + 1), 'text', t.body, NULL, NULL, t.search_key, w.at \
         FROM (SELECT c.id, s.n, c.citizen_id, COALESCE(c.assignee_id, a.staff_id) AS staff_id, \
         {} AS author, {} AS ti, c.last_message_at - ({} - s.n) * {} AS at \
         FROM conversations c JOIN bench_accounts a ON a.account_id = c.handler_id \
         CROSS JOIN bench_numbers s",
        author("c.id", "s.n"),
        text_of("c.id", "s.n", texts),
        m - 1,
        gap_ms("c.id"),
    )
}

/// Copies `conversations` and `messages` into `bare_conversations` and `bare_messages`: the same
/// columns and indexes, made before the same rows go in, in the same order.
pub(super) async fn bare_copies(pool: &Pool) -> anyhow::Result<()> {
    match pool {
        Pool::Sqlite(p) => {
            let ddl: Vec<String> = sqlx::query_scalar(
                "SELECT sql FROM sqlite_master WHERE tbl_name IN ('conversations', 'messages') \
                 AND sql IS NOT NULL ORDER BY type DESC, tbl_name",
            )
            .fetch_all(p)
            .await?;
            for statement in ddl {
                let bare = statement
                    .replace("conversations", "bare_conversations")
                    .replace("messages", "bare_messages");
                pool.run(&bare).await.with_context(|| format!("copying: {bare}"))?;
            }
        }
        Pool::Postgres(_) => {
            pool.run(
                "CREATE TABLE bare_conversations (LIKE conversations INCLUDING ALL); \
                 CREATE TABLE bare_messages (LIKE messages INCLUDING ALL)",
            )
            .await?;
        }
    }
    pool.run("INSERT INTO bare_conversations SELECT * FROM conversations ORDER BY id").await?;
    let last = pool.number("SELECT COALESCE(MAX(id), 0) FROM conversations").await?;
    let mut lo = 0;
    while lo <= last {
        let hi = lo + CONVERSATIONS_PER_STATEMENT - 1;
        pool.run(&format!(
            "BEGIN; INSERT INTO bare_messages SELECT * FROM messages \
             WHERE conversation_id BETWEEN {lo} AND {hi} ORDER BY conversation_id, seq; COMMIT;"
        ))
        .await?;
        lo = hi + 1;
    }
    Ok(())
}

/// The texts messages are made of, each with its search key and preview: citizens' questions,
/// then officers' answers, then the bot's, in three runs.
struct Texts {
    all: Vec<(String, String, String)>,
    citizen: usize,
    staff: usize,
    bot: usize,
}

const OPENINGS: &[&str] = &[
    "Cho em hỏi",
    "Xin chào cán bộ, cho tôi hỏi",
    "Dạ cho tôi hỏi",
    "Chào anh chị,",
    "Nhờ công an xã giúp:",
    "Tôi muốn hỏi",
    "Chào buổi sáng, em cần hỏi",
];
const QUESTIONS: &[&str] = &[
    "thủ tục đăng ký tạm trú cho con nhỏ cần những giấy tờ gì",
    "làm lại căn cước bị mất thì mang theo gì và mất bao lâu",
    "nhà tôi bị mất trộm xe máy đêm qua ở thôn {place}",
    "quán karaoke ở thôn {place} mở nhạc to quá 23 giờ",
    "đổi giấy phép lái xe mô tô ở đâu",
    "xin xác nhận cư trú để nộp hồ sơ nhập học",
    "đăng ký kết hôn cần mang những giấy tờ gì",
    "khai sinh cho cháu quá hạn có bị phạt không",
    "chứng thực bản sao học bạ có mất phí không",
    "hàng xóm đổ rác ra đường làng ở {place}",
    "đường vào thôn {place} bị sạt lở sau mưa",
    "đăng ký thường trú về nhà bố mẹ vợ",
    "có người lạ hay lảng vảng quanh trường ở {place}",
    "cấp đổi căn cước gắn chip cho người già",
];
/// Words few messages contain, so some searches find little.
const RARE: &[&str] = &[
    "Con chó nhà bên thả rông cắn người.",
    "Có người thả flycam trên khu quân sự.",
    "Trẻ con đốt pháo nổ ban đêm.",
    "Tôi cần gấp để đi xuất khẩu lao động.",
    "Cây đổ chắn ngang đường liên thôn.",
];
const PLACES: &[&str] = &[
    "Nặm Ngặt",
    "Bản Péo",
    "Lũng Cú",
    "Thanh Thủy",
    "Phú Linh",
    "Đạo Đức",
    "Kim Thạch",
    "Tùng Bá",
];
const ENDINGS: &[&str] = &[" ạ?", "? Cảm ơn.", "? Mong sớm được trả lời.", " ạ, em cảm ơn!", "?"];
const ANSWERS: &[&str] = &[
    "bạn mang căn cước và giấy tờ chứng minh chỗ ở đến bộ phận một cửa của xã",
    "công an xã đã tiếp nhận tin báo và sẽ cử cán bộ đến xác minh trong hôm nay",
    "bạn có thể nộp hồ sơ trực tuyến trên Cổng dịch vụ công quốc gia",
    "thời gian giải quyết là 7 ngày làm việc kể từ khi nhận đủ hồ sơ",
    "thủ tục này không mất phí, bạn nhớ mang bản chính để đối chiếu",
    "đã chuyển thông tin cho cán bộ phụ trách thôn {place}",
    "bạn vui lòng cho biết số nhà và thời điểm xảy ra sự việc",
];

impl Texts {
    fn new() -> Self {
        let mut rng = StdRng::seed_from_u64(18);
        let mut pick = |list: &[&'static str]| list[rng.gen_range(0..list.len())];
        let (citizen, staff, bot) = (2048, 1024, 1024);
        let mut bodies = Vec::with_capacity(citizen + staff + bot);
        for i in 0..citizen {
            let question = pick(QUESTIONS).replace("{place}", pick(PLACES));
            let mut body = format!("{} {question}{}", pick(OPENINGS), pick(ENDINGS));
            if i % 64 == 0 {
                body = format!("{body} {}", RARE[(i / 64) % RARE.len()]);
            }
            bodies.push(body);
        }
        for _ in 0..staff {
            let answer = pick(ANSWERS).replace("{place}", pick(PLACES));
            bodies.push(format!("Chào bạn, {answer}."));
        }
        for _ in 0..bot {
            let answer = pick(ANSWERS).replace("{place}", pick(PLACES));
            bodies.push(format!("Trợ lý tự động: {answer}. Cần thêm, bạn nhắn \"gặp cán bộ\"."));
        }
        let all = bodies
            .into_iter()
            .map(|body| {
                let preview = Content::text(&body).map(|c| c.preview()).unwrap_or_default();
                let key = ketnoi_text::search_key(&body);
                (body.replace('\'', "''"), key, preview.replace('\'', "''"))
            })
            .collect();
        Self { all, citizen, staff, bot }
    }
}

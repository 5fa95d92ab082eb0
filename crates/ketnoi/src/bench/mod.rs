//! `ketnoi bench chat`: the messaging figures of `docs/BENCHMARKS.md`, each printed beside a
//! reference measured in the same run on the same machine. These machines are noisy: a ratio to
//! a reference taken minutes apart is stable where an absolute figure is not.
//!
//! The server is driven from outside, through its public API only, the way phones and officers'
//! browsers drive it: citizens sign in with the codes a demo server returns, each from its own
//! address; an officer signs in with a password and watches the account's inbox over the
//! WebSocket. By default the bench seeds a demo database in a scratch folder and starts
//! `ketnoi serve --demo` on it as a child process; `--url` points it at a server already running.
//!
//! The phases, in the order they run:
//!
//! 1. **reference**: raw batched inserts into the same `messages` table, in a fresh database on
//!    the same disk, before the server starts ([`reference`]);
//! 2. **idle**: thousands of idle WebSocket connections and the server's resident memory before
//!    and after, on the fresh server ([`idle`]);
//! 3. **ingest**: every citizen sends messages back to back, each waiting for its durable
//!    acknowledgement ([`load::ingest`]);
//! 4. **delivery**: citizens send at a paced aggregate rate while the officer's screen times each
//!    message's arrival ([`load::delivery`]).

mod desk;
mod idle;
mod inbox;
mod inbox_seed;
mod load;
mod news;
mod reference;
mod report;
mod server;
mod stats;
mod webhooks;

use std::path::Path;

use anyhow::{Context as _, bail};

use crate::{
    cli::{BenchChat, BenchCommand, BenchPhase},
    live::LiveClient,
    t,
};
use load::Load;
use report::Report;
use server::Target;
use stats::note;

/// Runs a benchmark.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Chat(args) => chat(args).await,
        BenchCommand::News(args) => news::run(args).await,
        BenchCommand::Desk(args) => desk::run(args).await,
        BenchCommand::Inbox(args) => inbox::run(args).await,
        BenchCommand::Webhooks(args) => webhooks::run(args).await,
    }
}

/// The most messages the delivery phase may send: the send times are kept per message.
const MAX_DELIVERY_MESSAGES: u64 = 10_000_000;
/// Open files the bench needs besides its idle connections (HTTP pool, databases, stdio).
const SPARE_FILES: u64 = 200;

/// Which phases run.
#[derive(Debug, Clone, Copy)]
struct Phases {
    reference: bool,
    idle: bool,
    ingest: bool,
    delivery: bool,
}

impl Phases {
    fn without(skip: &[BenchPhase]) -> Self {
        let runs = |p| !skip.contains(&p);
        Self {
            reference: runs(BenchPhase::Reference),
            idle: runs(BenchPhase::Idle),
            ingest: runs(BenchPhase::Ingest),
            delivery: runs(BenchPhase::Delivery),
        }
    }

    fn need_server(self) -> bool {
        self.idle || self.ingest || self.delivery
    }
}

/// What citizens write: about sixty characters of the Vietnamese a police account receives.
fn message_text(n: u64) -> &'static str {
    const TEXTS: [&str; 4] = [
        "Cho hỏi thủ tục đăng ký tạm trú cho con nhỏ cần những giấy tờ gì ạ?",
        "Nhà tôi ở tổ 5 bị mất trộm xe máy đêm qua, xin công an xã hỗ trợ.",
        "Quán karaoke ở thôn Nặm Ngặt mở nhạc to quá 23 giờ, đề nghị kiểm tra.",
        "Tôi bị mất căn cước, làm lại cần mang theo những gì và mất bao lâu?",
    ];
    TEXTS[(n % TEXTS.len() as u64) as usize]
}

async fn chat(args: BenchChat) -> anyhow::Result<()> {
    let phases = Phases::without(&args.skip);
    check(&args, phases)?;
    let work = args.work_dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&work).with_context(|| {
        format!("{} {}", t("không tạo được thư mục", "cannot create the folder"), work.display())
    })?;
    let dir =
        tempfile::Builder::new().prefix("ketnoi-bench-").tempdir_in(&work).with_context(|| {
            format!(
                "{} {}",
                t("không tạo được thư mục tạm trong", "cannot create a scratch folder in"),
                work.display()
            )
        })?;
    note(&format!("scratch folder: {}", dir.path().display()));
    // Ctrl-C drops the run, and with it the server the bench started.
    let report = tokio::select! {
        report = measure(&args, phases, dir.path()) => report?,
        _ = tokio::signal::ctrl_c() => bail!(t("đã dừng theo yêu cầu", "interrupted")),
    };
    report.print();
    Ok(())
}

/// Refuses, before anything starts, a run that cannot complete.
fn check(args: &BenchChat, phases: Phases) -> anyhow::Result<()> {
    if phases.idle
        && let Some(limit) = server::open_files_limit()
    {
        let need = u64::from(args.idle) + u64::from(args.citizens) + SPARE_FILES;
        if need > limit {
            bail!(
                "{} {need} {} ({} {} + {} {}), {} {limit}: {}",
                t("lần chạy cần mở khoảng", "the run needs about"),
                t("tệp", "open files"),
                args.idle,
                t("kết nối chờ", "idle connections"),
                args.citizens,
                t("công dân", "citizens"),
                t("nhưng tiến trình chỉ được mở", "but this process may open"),
                t("tăng `ulimit -n` hoặc giảm --idle", "raise `ulimit -n` or lower --idle")
            );
        }
    }
    if phases.delivery && u64::from(args.rate) * u64::from(args.seconds) > MAX_DELIVERY_MESSAGES {
        bail!(
            "--rate × --seconds {} {MAX_DELIVERY_MESSAGES}",
            t("không được vượt quá", "may not exceed")
        );
    }
    if phases.delivery && args.url.is_some() && args.officer_password.is_none() {
        bail!(t(
            "với --url, pha delivery cần mật khẩu cán bộ: --officer-password hoặc KETNOI_BENCH_OFFICER_PASSWORD",
            "with --url, the delivery phase needs the officer's password: --officer-password or KETNOI_BENCH_OFFICER_PASSWORD"
        ));
    }
    Ok(())
}

async fn measure(args: &BenchChat, phases: Phases, dir: &Path) -> anyhow::Result<Report> {
    let mut report = Report::new(args.url.is_some());
    if phases.reference {
        let rows = u64::from(args.reference_rows);
        report.reference = Some(reference::run(dir, rows, u64::from(args.citizens)).await?);
    }
    if !phases.need_server() {
        return Ok(report);
    }
    let http = load::http_client()?;
    let mut target = match &args.url {
        None => Target::spawn(&http, dir, &args.officer_username).await?,
        Some(url) => {
            let password = args.officer_password.clone();
            Target::existing(&http, url.as_str(), args.server_pid, password).await?
        }
    };
    report.backend = target.backend.clone();
    note(&format!("server: {} ({})", target.base, target.backend));
    let load = Load::new(http, &target.base, &args.account);
    let driven = drive(args, phases, &mut target, &load, &mut report).await;
    report.server_log = target.log();
    if !report.server_log.is_empty() {
        note(&format!("server log, warnings and errors ({} lines):", report.server_log.len()));
        let shown = 40;
        report.server_log.iter().take(shown).for_each(|l| note(l));
        if report.server_log.len() > shown {
            note("…");
        }
    }
    driven.map(|()| report)
}

async fn drive(
    args: &BenchChat,
    phases: Phases,
    target: &mut Target,
    load: &Load,
    report: &mut Report,
) -> anyhow::Result<()> {
    let citizens = load::sign_in_citizens(load, args.citizens).await?;
    target.check_alive()?;
    if phases.idle {
        match target.pid {
            Some(pid) => {
                let tokens: Vec<String> = citizens.iter().map(|c| c.token.clone()).collect();
                report.idle = Some(idle::run(load.base(), &tokens, args.idle, pid).await?);
                target.check_alive()?;
            }
            None => report.notes.push(
                "idle: skipped, the server's memory cannot be read without --server-pid".to_owned(),
            ),
        }
    }
    if phases.ingest || phases.delivery {
        load::open_connections(load, &citizens).await?;
    }
    if phases.ingest {
        report.ingest = Some(load::ingest(load, &citizens, args.messages).await?);
        target.check_alive()?;
        // Let the server publish what it committed before the next phase starts timing.
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    if phases.delivery {
        let username = &args.officer_username;
        let Some(password) = target.officer_password.clone() else {
            bail!(
                "{username}: {}",
                t("không phải cán bộ trong dữ liệu trình diễn", "not a staff member of the demo")
            );
        };
        let token = load::sign_in_officer(load, username, &password).await?;
        let (officer, hello) = LiveClient::connect(load.base(), &token)
            .await
            .context(t("cán bộ không mở được WebSocket", "the officer's WebSocket did not open"))?;
        if hello["accounts"].as_array().is_none_or(Vec::is_empty) {
            bail!("{username}: {}", t("không đọc được hộp thư nào", "reads no account's inbox"));
        }
        report.delivery =
            Some(load::delivery(load, &citizens, officer, args.rate, args.seconds).await?);
        target.check_alive()?;
    }
    Ok(())
}

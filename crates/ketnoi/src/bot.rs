//! `ketnoi bot …`: evaluating a knowledge base offline, and importing or exporting an
//! account's.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use ketnoi_core::{Slug, Timestamp};
use ketnoi_store::Store;

use crate::{cli::BotCommand, t};

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| {
        format!("{} {}", t("không đọc được tệp", "cannot read the file"), path.display())
    })
}

fn bad_file(path: &Path, e: &ketnoi_bot::LineError) -> anyhow::Error {
    anyhow::anyhow!("{}: {} {}: {}", path.display(), t("dòng", "line"), e.line, e.message)
}

pub(crate) async fn find_account(
    store: &dyn Store,
    slug: &str,
) -> anyhow::Result<ketnoi_core::Account> {
    let slug = Slug::parse(slug).map_err(|e| anyhow::anyhow!("{}", crate::describe(&e)))?;
    store
        .account_by_slug(&slug)
        .await?
        .with_context(|| format!("{} {slug}", t("không có tài khoản", "no such account")))
}

/// `ketnoi bot eval`: builds the bot from the knowledge base and asks it every question.
pub fn eval(
    kb: &Path,
    questions: &Path,
    by: Option<&str>,
    show_mistakes: bool,
) -> anyhow::Result<()> {
    let intents = ketnoi_bot::parse_kb(&read(kb)?).map_err(|e| bad_file(kb, &e))?;
    let questions_text = read(questions)?;
    let asked =
        ketnoi_bot::eval::parse_questions(&questions_text).map_err(|e| bad_file(questions, &e))?;
    let started = Instant::now();
    let bot = ketnoi_bot::Bot::build(intents);
    let build_ms = started.elapsed().as_secs_f64() * 1000.0;
    let report = ketnoi_bot::eval::evaluate(&bot, &asked, by, build_ms, show_mistakes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", questions.display()))?;
    for line in &report.summary {
        println!("{line}");
    }
    println!("{}", report.json);
    Ok(())
}

/// `ketnoi bot import` and `export`.
pub async fn manage(store: &dyn Store, command: BotCommand) -> anyhow::Result<()> {
    match command {
        BotCommand::Eval { kb, questions, by, show_mistakes } => {
            eval(&kb, &questions, by.as_deref(), show_mistakes)
        }
        BotCommand::Import { account, file } => {
            let account = find_account(store, &account).await?;
            let intents = ketnoi_bot::parse_kb(&read(&file)?).map_err(|e| bad_file(&file, &e))?;
            // Building the engine checks the knowledge base can be indexed and shows the
            // threshold it calibrates to, before anything is stored.
            let bot = ketnoi_bot::Bot::build(intents.clone());
            let version = store.replace_bot_intents(account.id, &intents, Timestamp::now()).await?;
            let c = bot.calibration();
            store.set_bot_threshold(account.id, version, f64::from(c.threshold)).await?;
            println!(
                "{} {} {} {}. {} {:.3} ({} {:.0}%, {} {:.0}%).",
                t("Đã nạp", "Imported"),
                intents.len(),
                t("câu hỏi vào", "intents into"),
                account.slug,
                t("Ngưỡng chuyển cán bộ", "Hand-off threshold"),
                c.threshold,
                t("câu mẫu để riêng đúng", "held-out phrasings right"),
                c.held_out_accuracy * 100.0,
                t("câu ngoài phạm vi bị từ chối", "out-of-scope questions rejected"),
                c.out_of_scope_rejected * 100.0,
            );
            Ok(())
        }
        BotCommand::Export { account, output } => {
            let account = find_account(store, &account).await?;
            let text = ketnoi_bot::export_kb(&store.bot_intents(account.id).await?);
            match output {
                Some(path) => std::fs::write(&path, text).with_context(|| {
                    format!(
                        "{} {}",
                        t("không ghi được tệp", "cannot write the file"),
                        path.display()
                    )
                })?,
                None => print!("{text}"),
            }
            Ok(())
        }
    }
}

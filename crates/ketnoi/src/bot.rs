//! `ketnoi bot …`: evaluating a knowledge base offline, and importing or exporting an
//! account's.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
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
            let _ = (store, account, file);
            anyhow::bail!("not yet")
        }
        BotCommand::Export { account, output } => {
            let _ = (account, output);
            anyhow::bail!("not yet")
        }
    }
}

//! The `ketnoi` binary's library: command-line parsing, layered settings, the administration
//! commands, the demo seed and the wiring that starts the server. `main.rs` only calls [`run`].
//!
//! Kept as a library so that integration tests can seed the demo and build settings exactly as
//! the binary does.
#![deny(missing_docs)]

pub mod admin;
pub mod audit;
pub mod bench;
pub mod bot;
pub mod cli;
pub mod demo;
pub mod live;
pub mod lookup;
pub mod settings;
pub mod tips;

use std::sync::Arc;

use anyhow::Context as _;
use ketnoi_server::{
    Application,
    kernel::{
        error::ApiError,
        i18n::{Lang, Messages},
    },
};
use ketnoi_store::{Store, StoreError};

use crate::{
    cli::{BotCommand, Cli, Command, TipsCommand},
    settings::{Settings, StorageSettings},
};

/// The language of command-line messages: English when `KETNOI_LANG` (or else `LANG`) starts
/// with `en`, Vietnamese otherwise.
pub fn cli_lang() -> Lang {
    let var = std::env::var("KETNOI_LANG").or_else(|_| std::env::var("LANG")).unwrap_or_default();
    if var.to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Vi }
}

/// Picks the Vietnamese or English text of a command-line message.
pub fn t(vi: &'static str, en: &'static str) -> &'static str {
    match cli_lang() {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// A user's mistake, worded as the API words it, in the command line's language.
pub fn describe(e: &ketnoi_core::InvalidInput) -> String {
    user_message(ApiError::Invalid(e.clone()))
}

fn user_message(e: ApiError) -> String {
    match Messages::load() {
        Ok(m) => e.problem().body(&m, cli_lang())["title"].as_str().unwrap_or_default().to_owned(),
        Err(_) => e.to_string(),
    }
}

/// The message to print for an error that ended a command: the user's mistakes in their
/// language, our failures with their cause chain.
pub fn error_message(e: &anyhow::Error) -> String {
    if let Some(invalid) = e.downcast_ref::<ketnoi_core::InvalidInput>() {
        return describe(invalid);
    }
    match e.downcast_ref::<StoreError>() {
        Some(StoreError::Conflict(w)) => user_message(ApiError::Conflict(w)),
        Some(StoreError::NotFound(w)) => user_message(ApiError::NotFound(w)),
        Some(StoreError::MissingReference(w)) => user_message(ApiError::MissingReference(w)),
        _ => format!("{e:#}"),
    }
}

/// Starts logging to standard error; `RUST_LOG` overrides the default level.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    use std::io::IsTerminal as _;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

async fn open_store(storage: &StorageSettings) -> anyhow::Result<Arc<dyn Store>> {
    let store = ketnoi_store::connect(&storage.database).await.map_err(|e| match e {
        StoreError::UnsupportedUrl => anyhow::anyhow!(
            "{} {:?}: sqlite://… {} postgres://…",
            t("không nhận ra địa chỉ cơ sở dữ liệu", "unrecognised database URL"),
            storage.database,
            t("hoặc", "or")
        ),
        other => anyhow::Error::new(other)
            .context(t("không mở được cơ sở dữ liệu", "cannot open the database")),
    })?;
    Ok(store)
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let settings = Settings::resolve(&cli.global, &args)?;
            serve(settings).await
        }
        Command::Bench(command) => bench::run(command).await,
        Command::Tips(TipsCommand::Decrypt { key, export, out }) => {
            tips::decrypt(&key, &export, out.as_deref())
        }
        Command::Bot(BotCommand::Eval { kb, questions, by, show_mistakes }) => {
            bot::eval(&kb, &questions, by.as_deref(), show_mistakes)
        }
        other => {
            let file = settings::read_file(cli.global.config.as_deref())?;
            let storage = StorageSettings::resolve(&cli.global, &file);
            let store = open_store(&storage).await?;
            if let Command::Lookup(c) = other {
                return lookup::manage(store, &storage, &file, c).await;
            }
            if let Command::Integration(c) = other {
                let configured = std::env::var("KETNOI_SECRET_KEY")
                    .ok()
                    .map(ketnoi_server::Secret::new)
                    .or(file.secret_key.clone());
                let key = settings::secret_key(configured.as_ref(), &storage.data_dir)?;
                return admin::integration(store.as_ref(), &key, c).await;
            }
            let store = store.as_ref();
            match other {
                Command::Area(c) => admin::area(store, c).await,
                Command::Agency(c) => admin::agency(store, c).await,
                Command::Account(c) => admin::account(store, c).await,
                Command::Staff(c) => admin::staff(store, c).await,
                Command::Token(c) => admin::token(store, c).await,
                Command::Bot(c) => bot::manage(store, c).await,
                Command::Audit(c) => audit::run(store, c).await,
                Command::Serve(_)
                | Command::Bench(_)
                | Command::Lookup(_)
                | Command::Tips(_)
                | Command::Integration(_) => Ok(()),
            }
        }
    }
}

/// `ketnoi serve`.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    std::fs::create_dir_all(&settings.storage.data_dir).with_context(|| {
        format!(
            "{} {}",
            t("không tạo được thư mục dữ liệu", "cannot create the data folder"),
            settings.storage.data_dir.display()
        )
    })?;
    let store = open_store(&settings.storage).await?;
    let mut seeded = false;
    if settings.demo {
        if demo::is_empty(store.as_ref()).await? {
            seeded = true;
            let creds = demo::seed(store.as_ref()).await?;
            demo::seed_tips(store.as_ref()).await?;
            print_demo(&creds);
        } else {
            tracing::info!("database already holds data; demo seed skipped");
        }
    }
    let key = settings::secret_key(settings.secret_key.as_ref(), &settings.storage.data_dir)?;
    let app = Application::build(settings.server_config(key), store.clone()).await?;
    if seeded {
        demo::seed_lookups(store.as_ref(), app.state().kernel.blobs.as_ref()).await?;
        demo::seed_desk(store.as_ref(), app.state().kernel.blobs.as_ref()).await?;
        app.state().lookups.refresh().await?;
    }
    let addr = app.local_addr()?;
    tracing::info!(%addr, backend = store.backend(), demo = settings.demo, "ketnoi listening");
    println!("{} http://{addr}/", t("ketnoi đang chạy tại", "ketnoi is running at"));
    app.run_until_stopped(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

fn print_demo(creds: &demo::DemoCredentials) {
    println!(
        "{}",
        t(
            "Đã tạo dữ liệu trình diễn. Tài khoản cán bộ (mật khẩu chỉ hiện lần này):",
            "Demo data created. Staff accounts (passwords are shown only this once):"
        )
    );
    for (username, password, what) in &creds.staff {
        println!("  {username:<18} {password}   {what}");
    }
    println!(
        "{}",
        t(
            "Công dân trình diễn (mã đăng nhập hiện ngay trong câu trả lời của API):",
            "Demo citizens (sign-in codes are returned in the API answer):"
        )
    );
    for phone in &creds.citizens {
        println!("  {}", phone.national());
    }
    println!(
        "{} {:?}",
        t(
            "Khóa tin báo của cavixuyen.canbo và catinh.admin mở bằng cụm mật khẩu:",
            "The tip keys of cavixuyen.canbo and catinh.admin open with the key passphrase:"
        ),
        demo::DEMO_TIP_PASSPHRASE
    );
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

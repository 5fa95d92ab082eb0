//! `ketnoi`: see the library crate for everything; this only parses and reports.

use std::process::ExitCode;

use clap::Parser as _;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = ketnoi::cli::Cli::parse();
    ketnoi::init_tracing();
    match ketnoi::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{} {}", ketnoi::t("lỗi:", "error:"), ketnoi::error_message(&e));
            ExitCode::FAILURE
        }
    }
}

//! The command line. Every flag that configures the server also reads a `KETNOI_…` variable;
//! flags win over variables, which win over the config file, which wins over defaults.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

/// ketnoi: official accounts through which state agencies talk with citizens.
#[derive(Debug, Parser)]
#[command(name = "ketnoi", version, about, long_about = None)]
pub struct Cli {
    /// Where the settings come from, below the command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every command shares.
#[derive(Debug, Args, Default, Clone)]
pub struct GlobalArgs {
    /// A TOML settings file.
    #[arg(long, global = true, env = "KETNOI_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The folder for the embedded database and other files [default: ./ketnoi-data].
    #[arg(long, global = true, env = "KETNOI_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The database: sqlite://PATH or postgres://… [default: sqlite in the data folder].
    #[arg(long, global = true, env = "KETNOI_DATABASE", value_name = "URL")]
    pub database: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Administrative areas.
    #[command(subcommand)]
    Area(AreaCommand),
    /// Agencies.
    #[command(subcommand)]
    Agency(AgencyCommand),
    /// Official accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Staff members.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The chatbot: knowledge bases and their evaluation.
    #[command(subcommand)]
    Bot(BotCommand),
    /// Benchmarks that print their figures beside a reference measured in the same run.
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// `ketnoi bot …`.
#[derive(Debug, Subcommand)]
pub enum BotCommand {
    /// Measure the bot on labelled questions, offline (no server, no database). Prints a
    /// summary, then one JSON line of figures as the last line.
    Eval {
        /// The knowledge base: JSON Lines, one intent per line.
        #[arg(long, value_name = "KB.jsonl")]
        kb: PathBuf,
        /// The questions: JSON Lines `{"q": "…", "intent": "<id>" | null}`.
        #[arg(long, value_name = "Q.jsonl")]
        questions: PathBuf,
        /// Also break accuracy down by this field of the questions (e.g. `style`).
        #[arg(long, value_name = "FIELD")]
        by: Option<String>,
        /// List every question the bot got wrong, with its suggestions and their scores.
        #[arg(long)]
        show_mistakes: bool,
    },
    /// Replace an account's knowledge base with a JSON Lines file; nothing changes if any line
    /// is bad.
    Import {
        /// The account, by slug.
        #[arg(long, value_name = "SLUG")]
        account: String,
        /// The knowledge base file.
        file: PathBuf,
    },
    /// Write an account's knowledge base as JSON Lines (to standard output, or a file).
    Export {
        /// The account, by slug.
        #[arg(long, value_name = "SLUG")]
        account: String,
        /// The file to write [default: standard output].
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// `ketnoi serve`.
#[derive(Debug, Args, Default, Clone)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "KETNOI_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Seed a demonstration platform into an empty database; sign-in codes are shown in the API
    /// answer.
    #[arg(long, env = "KETNOI_DEMO")]
    pub demo: bool,
    /// Key for HMACs of sign-in codes; nodes sharing a database must share it [default: made
    /// once and kept in the data folder].
    #[arg(long, env = "KETNOI_SECRET_KEY", hide_env_values = true, value_name = "KEY")]
    pub secret_key: Option<String>,
    /// How sign-in codes are sent: `log` or `webhook`.
    #[arg(long, env = "KETNOI_OTP_SENDER", value_name = "SENDER")]
    pub otp_sender: Option<String>,
    /// The SMS gateway URL for the `webhook` sender.
    #[arg(long, env = "KETNOI_OTP_WEBHOOK_URL", value_name = "URL")]
    pub otp_webhook_url: Option<String>,
    /// A bearer secret for the SMS gateway.
    #[arg(long, env = "KETNOI_OTP_WEBHOOK_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub otp_webhook_token: Option<String>,
    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "KETNOI_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Mark cookies Secure (when served over HTTPS).
    #[arg(long, env = "KETNOI_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// The largest attachment accepted, in megabytes (default 20).
    #[arg(long, env = "KETNOI_MAX_UPLOAD_MB", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub max_upload_mb: Option<u32>,
    /// Where attachments are kept: `dir` (DATA_DIR/blobs, the default) or `database` (the
    /// PostgreSQL database, for several nodes sharing no disk).
    #[arg(long, env = "KETNOI_BLOB_STORE")]
    pub blob_store: Option<String>,
}

/// `ketnoi area …`.
#[derive(Debug, Subcommand)]
pub enum AreaCommand {
    /// Load areas from a CSV file with columns code,name,level,division_type,parent_code.
    Import {
        /// The CSV file (UTF-8; a byte-order mark is fine).
        file: PathBuf,
    },
}

/// `ketnoi agency …`.
#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Create an agency.
    Create {
        /// Short code, e.g. `ca-vi-xuyen`.
        #[arg(long)]
        code: String,
        /// Full name, e.g. "Công an xã Vị Xuyên".
        #[arg(long)]
        name: String,
        /// peoples-committee, police, youth-union, education, health or other.
        #[arg(long)]
        kind: String,
        /// The code of the area it serves.
        #[arg(long)]
        area: String,
        /// The code of the agency above it.
        #[arg(long)]
        parent: Option<String>,
    },
}

/// `ketnoi account …`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an official account.
    Create(AccountCreate),
    /// Set or clear an account's verified badge.
    Verify {
        /// The account's slug.
        slug: String,
        /// Clear the badge instead of setting it.
        #[arg(long)]
        revoke: bool,
    },
}

/// `ketnoi account create`.
#[derive(Debug, Args)]
pub struct AccountCreate {
    /// URL name, e.g. `ca-vi-xuyen` [default: made from the name].
    #[arg(long)]
    pub slug: Option<String>,
    /// The owning agency's code.
    #[arg(long)]
    pub agency: String,
    /// Shown name.
    #[arg(long)]
    pub name: String,
    /// police, e-government, youth, public-service or other.
    #[arg(long)]
    pub kind: String,
    /// The served area's code [default: the agency's].
    #[arg(long)]
    pub area: Option<String>,
    /// What the account offers.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Office hours, as written for citizens.
    #[arg(long, default_value = "")]
    pub office_hours: String,
    /// Public contact number.
    #[arg(long, default_value = "")]
    pub phone: String,
    /// Street address.
    #[arg(long, default_value = "")]
    pub address: String,
    /// Give it the verified badge.
    #[arg(long)]
    pub verified: bool,
}

/// `ketnoi staff …`.
#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Create a staff member; a password is generated and printed once unless one is read from
    /// standard input.
    Create {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Shown name.
        #[arg(long)]
        name: String,
        /// Make them a platform administrator.
        #[arg(long)]
        platform_admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Grant a role on an agency: AGENCY_CODE=ROLE (administrator, officer, viewer).
        #[arg(long = "grant", value_name = "AGENCY=ROLE")]
        grants: Vec<String>,
    },
    /// Grant a role on an agency to an existing member.
    Grant {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// The agency's code.
        #[arg(long)]
        agency: String,
        /// administrator, officer or viewer.
        #[arg(long)]
        role: String,
    },
}

/// `ketnoi token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token, printed once.
    Create {
        /// For an official account (integrations), by slug.
        #[arg(long, conflicts_with = "staff", required_unless_present = "staff")]
        account: Option<String>,
        /// For a staff member, by username.
        #[arg(long)]
        staff: Option<String>,
        /// A label to recognise it by.
        #[arg(long, default_value = "cli")]
        label: String,
        /// Expire after this many days [default: never].
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
        expires_days: Option<u32>,
    },
}

/// `ketnoi bench …`.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Load a server through its public API with simulated citizens and an officer: message
    /// ingest, live delivery and idle WebSocket memory, each beside its reference. Progress goes
    /// to standard error; a summary table, then one JSON line, to standard output.
    Chat(BenchChat),
}

/// A phase of `ketnoi bench chat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchPhase {
    /// Raw batched inserts into the message table (the reference).
    Reference,
    /// Concurrent citizens sending, each waiting for its acknowledgement.
    Ingest,
    /// Paced sending watched from an officer's WebSocket.
    Delivery,
    /// Idle WebSocket connections and the server's memory.
    Idle,
}

/// `ketnoi bench chat`.
#[derive(Debug, Args)]
pub struct BenchChat {
    /// Simulated citizens, signed in with demo codes.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub citizens: u32,
    /// Messages each citizen sends in the ingest phase.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub messages: u32,
    /// Messages per second, all citizens together, in the delivery phase.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub rate: u32,
    /// How long the delivery phase sends, in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=600))]
    pub seconds: u32,
    /// Idle WebSocket connections to open.
    #[arg(long, default_value_t = 15_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub idle: u32,
    /// Rows the reference inserts.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u32).range(1_000..=100_000_000))]
    pub reference_rows: u32,
    /// Phases to leave out, e.g. `--skip idle,delivery`.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "PHASES")]
    pub skip: Vec<BenchPhase>,
    /// Drive the server already running here (started with --demo and --trust-forwarded-for)
    /// instead of starting one on a fresh database.
    #[arg(long, value_name = "URL")]
    pub url: Option<reqwest::Url>,
    /// With --url: the server's process id, so that its memory can be read (idle phase).
    #[arg(long, value_name = "PID", requires = "url")]
    pub server_pid: Option<u32>,
    /// The account citizens write to; the officer must be able to read it.
    #[arg(long, default_value = "ca-vi-xuyen", value_name = "SLUG")]
    pub account: String,
    /// The officer watching the account's inbox.
    #[arg(long, default_value = "cavixuyen.canbo", value_name = "USERNAME")]
    pub officer_username: String,
    /// With --url: the officer's password.
    #[arg(
        long,
        env = "KETNOI_BENCH_OFFICER_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub officer_password: Option<String>,
    /// Where the scratch folder (databases, server log) is made: choose the disk [default: the
    /// system's temporary folder].
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

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
    /// Integrations: programs driving an account through the API shaped like the commercial
    /// OA platform's (credentials printed once).
    #[command(subcommand)]
    Integration(IntegrationCommand),
    /// The chatbot: knowledge bases and their evaluation.
    #[command(subcommand)]
    Bot(BotCommand),
    /// Lookup datasets: exam results, martyrs' graves and other published records.
    #[command(subcommand)]
    Lookup(LookupCommand),
    /// Tips: opening an exported tip offline with the unit's key file.
    #[command(subcommand)]
    Tips(TipsCommand),
    /// The audit log: verify its hash chain, anchor its head, export an agency's entries.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Benchmarks that print their figures beside a reference measured in the same run.
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// `ketnoi audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole chain from entry 1 (and, with --anchors, that every anchored entry still
    /// has its hash and the log reaches the newest anchor). Exits non-zero naming the first
    /// altered, removed or inserted entry.
    Verify {
        /// A file of anchors, one `SEQ HASH TIME` a line (what `audit anchor` prints and the
        /// server appends to its data folder's audit-anchors.txt).
        #[arg(long, value_name = "FILE")]
        anchors: Option<std::path::PathBuf>,
    },
    /// Print the head of the log as an anchor line, for an external notary; with --append,
    /// also append it to a file.
    Anchor {
        /// Append the line to this file (created if missing).
        #[arg(long, value_name = "FILE")]
        append: Option<std::path::PathBuf>,
    },
    /// Print an agency's entries, newest first.
    Export {
        /// The agency's code.
        #[arg(long)]
        agency: String,
        /// csv or json.
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

/// `ketnoi tips …`.
#[derive(Debug, Subcommand)]
pub enum TipsCommand {
    /// Decrypt a tip exported from the console ("Tải bản niêm phong") with the unit's key file
    /// ("Tải tệp khóa đơn vị"), on a machine of your choice, without a server or database.
    /// Prints the clear fields, the description, the details and the messages; with --out,
    /// writes the attachments into that folder.
    Decrypt {
        /// The unit key file: one key, or a list (the current key and those it replaced).
        #[arg(long, value_name = "UNIT_KEY_FILE")]
        key: std::path::PathBuf,
        /// The exported tip (JSON).
        #[arg(value_name = "EXPORT")]
        export: std::path::PathBuf,
        /// A folder to write the attachments into (created if missing; existing files are
        /// not overwritten).
        #[arg(long, value_name = "DIR")]
        out: Option<std::path::PathBuf>,
    },
}

/// `ketnoi lookup …`.
#[derive(Debug, Subcommand)]
pub enum LookupCommand {
    /// Import a CSV file (UTF-8 with a header row) as a dataset's next version. Every line is
    /// checked first; if any is wrong, the problems are listed by line and nothing changes.
    /// The new version goes live at once unless --draft or --publish-at is given.
    Import(Box<LookupImportArgs>),
    /// List an account's datasets and their versions.
    List {
        /// The account, by slug.
        #[arg(long, value_name = "SLUG")]
        account: String,
    },
    /// Publish a version now (also to restore an earlier one), schedule it, or cancel its
    /// schedule.
    Publish {
        /// The account, by slug.
        #[arg(long, value_name = "SLUG")]
        account: String,
        /// The dataset, by slug.
        #[arg(long, value_name = "SLUG")]
        dataset: String,
        /// The version number.
        #[arg(long, value_name = "N")]
        version: i64,
        /// Publish at this moment instead of now: `2026-07-16 08:00` (Vietnam time) or RFC 3339.
        #[arg(long, value_name = "TIME", conflicts_with = "cancel")]
        at: Option<String>,
        /// Cancel the version's scheduled publication.
        #[arg(long)]
        cancel: bool,
    },
}

/// `ketnoi lookup import`.
#[derive(Debug, Args)]
pub struct LookupImportArgs {
    /// The account that publishes the dataset, by slug.
    #[arg(long, value_name = "SLUG")]
    pub account: String,
    /// The dataset, by slug (created on its first import), e.g. `diem-thi-2026`.
    #[arg(long, value_name = "SLUG")]
    pub dataset: String,
    /// The column looked up exactly, e.g. `so_bao_danh`.
    #[arg(long, value_name = "COL")]
    pub key: String,
    /// A column that must also be given and match, e.g. `ngay_sinh` (repeatable).
    #[arg(long, value_name = "COL")]
    pub verify: Vec<String>,
    /// A column searched by words, with or without diacritics, e.g. `ho_ten` (repeatable).
    #[arg(long, value_name = "COL")]
    pub search: Vec<String>,
    /// A column searches may be narrowed by, e.g. `nam_sinh` (repeatable).
    #[arg(long, value_name = "COL")]
    pub filter: Vec<String>,
    /// A column to show, with its label: `toan=Toán` (repeatable; default: every column under
    /// its header).
    #[arg(long, value_name = "COL=LABEL")]
    pub show: Vec<String>,
    /// The title citizens see [default: the dataset's slug, or its current title].
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// The chat command that looks a record up, e.g. `diem` ("diem 36000001 22/11/2006").
    #[arg(long, value_name = "WORDS")]
    pub command: Option<String>,
    /// Store the version without publishing it.
    #[arg(long, conflicts_with = "publish_at")]
    pub draft: bool,
    /// Publish at this moment: `2026-07-16 08:00` (Vietnam time) or RFC 3339.
    #[arg(long, value_name = "TIME")]
    pub publish_at: Option<String>,
    /// Where the file is kept: `dir` (DATA_DIR/blobs, the default) or `database`; must match
    /// the server's.
    #[arg(long, env = "KETNOI_BLOB_STORE")]
    pub blob_store: Option<String>,
    /// The CSV file.
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
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
    /// Take the client address from X-Forwarded-For from any peer (only when nothing but the
    /// proxy can reach the server; prefer --trusted-proxy).
    #[arg(long, env = "KETNOI_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// A proxy whose X-Forwarded-For is believed: an address or network such as 10.0.0.0/8
    /// (repeatable; comma-separated in the variable).
    #[arg(
        long = "trusted-proxy",
        env = "KETNOI_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "NET"
    )]
    pub trusted_proxies: Vec<String>,
    /// Lookups per minute per client for datasets that set no limit of their own (default
    /// 60, with bursts of 30), or `off` (benchmarks only).
    #[arg(long, env = "KETNOI_LOOKUP_LIMITS", value_name = "N|off")]
    pub lookup_limits: Option<String>,
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
    /// The address citizens reach the site at, e.g. https://ketnoi.example.gov.vn: used in
    /// shared links, feeds and alerts [default: the host each request names].
    #[arg(long, env = "KETNOI_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// A file the server appends the audit log's head to (`SEQ HASH TIME`) at start and every
    /// hour, for `ketnoi audit verify --anchors`; `off` for none [default:
    /// DATA_DIR/audit-anchors.txt]. Copy it off the machine for it to prove anything.
    #[arg(long, env = "KETNOI_AUDIT_ANCHORS", value_name = "FILE")]
    pub audit_anchors: Option<String>,
    /// Broadcasts an account may send in a week unless set per account (default 10;
    /// emergency alerts are never counted).
    #[arg(long, env = "KETNOI_BROADCASTS_PER_WEEK", value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub broadcasts_per_week: Option<u32>,
    /// Top-level buttons an account's menu may have (default 3).
    #[arg(long, env = "KETNOI_MENU_BUTTONS", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub menu_buttons: Option<u32>,
    /// Buttons under each top-level menu button (default 5).
    #[arg(long, env = "KETNOI_MENU_SUB_BUTTONS", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub menu_sub_buttons: Option<u32>,
    /// Who push services may contact about this server's notifications: a mailto: or https:
    /// address (the VAPID subject).
    #[arg(long, env = "KETNOI_PUSH_CONTACT", value_name = "URI")]
    pub push_contact: Option<String>,
    /// A host that integrations' webhooks may reach over plain http or at a private,
    /// loopback or link-local address (repeatable; comma-separated in the variable), as
    /// written in the URL: the operator's own receivers.
    #[arg(
        long = "webhook-allow-host",
        env = "KETNOI_WEBHOOK_ALLOW_HOSTS",
        value_delimiter = ',',
        value_name = "HOST"
    )]
    pub webhook_allow_hosts: Vec<String>,
    /// Failed webhook deliveries in a row after which an endpoint is disabled (default 20).
    #[arg(long, env = "KETNOI_WEBHOOK_DISABLE_AFTER", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub webhook_disable_after: Option<u32>,
    /// Seconds one webhook delivery may take (default 10).
    #[arg(long, env = "KETNOI_WEBHOOK_TIMEOUT", value_parser = clap::value_parser!(u32).range(1..=120))]
    pub webhook_timeout: Option<u32>,
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
        /// Grant a role on an agency: AGENCY_CODE=ROLE (administrator, officer, viewer, auditor).
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
        /// administrator, officer, viewer or auditor.
        #[arg(long)]
        role: String,
    },
    /// Remove a member's two-factor sign-in (a lost phone and lost recovery codes) and end their
    /// sessions: they enrol again after signing in with their password.
    #[command(name = "reset-2fa")]
    ResetSecondFactor {
        /// Sign-in name.
        username: String,
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

/// `ketnoi integration …`.
#[derive(Debug, Subcommand)]
pub enum IntegrationCommand {
    /// Create an integration for an account; prints its app id, secret key and first tokens
    /// once.
    Create {
        /// The account, by slug.
        #[arg(long)]
        account: String,
        /// Its name, shown to officers beside what it sends.
        #[arg(long)]
        name: String,
        /// What it may do, separated by commas: message, followers, tags, webhooks, broadcast.
        #[arg(long, default_value = "message,followers")]
        scopes: String,
    },
    /// List an account's integrations (never their secrets).
    List {
        /// The account, by slug.
        #[arg(long)]
        account: String,
    },
    /// Give an integration a new secret key and tokens (printed once); the old ones stop
    /// working.
    Rotate {
        /// The integration's app id.
        #[arg(long)]
        app_id: String,
    },
    /// Revoke an integration: its tokens stop working.
    Revoke {
        /// The integration's app id.
        #[arg(long)]
        app_id: String,
    },
}

/// `ketnoi bench …`.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Load a server through its public API with simulated citizens and an officer: message
    /// ingest, live delivery and idle WebSocket memory, each beside its reference. Progress goes
    /// to standard error; a summary table, then one JSON line, to standard output.
    Chat(BenchChat),
    /// Broadcasts on a database of a million followers: accepting one, live delivery to
    /// connected followers, and the feed, each beside its reference. Progress goes to standard
    /// error; a Markdown table, then one JSON line, to standard output.
    News(BenchNews),
    /// The front desk on a three-level tree of 10,000 agencies and a catalogue of 5,000 guides:
    /// an account page with its menu, catalogue search without diacritics, and marking a law
    /// replaced, each beside its reference. A Markdown table, then one JSON line, to standard
    /// output.
    Desk(BenchDesk),
    /// Officers' inboxes on a million conversations and ten million messages over 1,000
    /// accounts: the inbox list, each filtered view, text search and the console's inbox page,
    /// each beside the same query on bare copies of the tables. A Markdown table, then one JSON
    /// line, to standard output.
    Inbox(BenchInbox),
    /// Integrations' webhooks: citizens' messages delivered to a signed webhook receiver on
    /// this machine, events per second and latency from message to receipt, beside the same
    /// receiver fed by a bare loop of signed POSTs. A Markdown table, then one JSON line, to
    /// standard output.
    Webhooks(BenchWebhooks),
}

/// `ketnoi bench webhooks`.
#[derive(Debug, Args)]
pub struct BenchWebhooks {
    /// Messages sent, one webhook event each.
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub messages: u32,
    /// Conversations (citizens) they are spread over, each sending its share back to back.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub conversations: u32,
    /// Where its data goes.
    #[command(flatten)]
    pub scratch: BenchScratch,
}

/// Where a bench that seeds a database keeps it.
#[derive(Debug, Args)]
pub struct BenchScratch {
    /// An empty PostgreSQL database to run on [default: SQLite in the scratch folder].
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Where the scratch folder is made [default: the system's temporary folder].
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

impl BenchScratch {
    /// The database to seed: the one given, or SQLite in the scratch folder `dir`.
    pub fn database_url(&self, dir: &std::path::Path) -> String {
        match &self.database {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", dir.join("server").join("ketnoi.db").display()),
        }
    }
}

/// `ketnoi bench inbox`.
#[derive(Debug, Args)]
pub struct BenchInbox {
    /// Accounts, each under its own agency below one province; every account's inbox holds an
    /// equal share of the conversations.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub accounts: u32,
    /// Conversations in all (rounded down to a multiple of --accounts).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u32).range(1..=100_000_000))]
    pub conversations: u32,
    /// Messages in each conversation.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub messages_per_conversation: u32,
    /// Requests timed per view.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(10..=1_000_000))]
    pub requests: u32,
    /// Where its data goes.
    #[command(flatten)]
    pub scratch: BenchScratch,
}

/// `ketnoi bench desk`.
#[derive(Debug, Args)]
pub struct BenchDesk {
    /// Districts under the province.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub districts: u32,
    /// Communes under each district.
    #[arg(long, default_value_t = 99, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub communes: u32,
    /// Commune accounts made (the pages and searches pick among them).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub accounts: u32,
    /// Guides in the province's catalogue.
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub procedures: u32,
    /// Requests timed per measure.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(10..=1_000_000))]
    pub requests: u32,
    /// Where its data goes.
    #[command(flatten)]
    pub scratch: BenchScratch,
}

/// `ketnoi bench news`.
#[derive(Debug, Args)]
pub struct BenchNews {
    /// Followers of the account.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u32).range(1_000..=50_000_000))]
    pub followers: u32,
    /// Wards they live in, under one province.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub wards: u32,
    /// Broadcasts already stored.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(10..=10_000_000))]
    pub broadcasts: u32,
    /// Followers holding a live connection in the live phase (0 skips it).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub live: u32,
    /// Feed pages requested.
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub feed_requests: u32,
    /// Feed requests in flight at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub concurrency: u32,
    /// Broadcasts timed in the accept phase, of each kind.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub repeat: u32,
    /// Where its data goes.
    #[command(flatten)]
    pub scratch: BenchScratch,
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

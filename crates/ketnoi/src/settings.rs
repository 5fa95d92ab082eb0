//! Settings, in layers: defaults < config file < `KETNOI_…` environment < command-line flags.
//!
//! Clap reads the flags and the environment (a flag wins over its variable); the TOML file fills
//! what neither gave; defaults fill the rest.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context as _, bail};
use ketnoi_server::{BlobLocation, OtpDelivery, Secret, ServerConfig};
use serde::Deserialize;

use crate::cli::{GlobalArgs, ServeArgs};

/// The settings file's shape. Every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    /// Address to listen on.
    pub listen: Option<SocketAddr>,
    /// Data folder.
    pub data_dir: Option<PathBuf>,
    /// Database URL.
    pub database: Option<String>,
    /// Demo mode.
    pub demo: Option<bool>,
    /// HMAC key for sign-in codes.
    pub secret_key: Option<Secret>,
    /// Trust X-Forwarded-For.
    pub trust_forwarded_for: Option<bool>,
    /// Proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Option<Vec<String>>,
    /// Lookups per minute per client, or `off`.
    pub lookup_limits: Option<String>,
    /// Secure cookies.
    pub secure_cookies: Option<bool>,
    /// Largest attachment, in megabytes.
    pub max_upload_mb: Option<u32>,
    /// `dir` or `database`.
    pub blob_store: Option<String>,
    /// The public address of the site.
    pub public_url: Option<String>,
    /// Where the server appends audit anchors, or `off`.
    pub audit_anchors: Option<String>,
    /// Broadcasts per account per week.
    pub broadcasts_per_week: Option<u32>,
    /// Top-level buttons an account's menu may have (default 3).
    pub menu_buttons: Option<u32>,
    /// Buttons under each top-level one (default 5).
    pub menu_sub_buttons: Option<u32>,
    /// The VAPID subject.
    pub push_contact: Option<String>,
    /// Hosts webhooks may reach over http or at private addresses.
    pub webhook_allow_hosts: Option<Vec<String>>,
    /// Failed webhook deliveries in a row that disable an endpoint.
    pub webhook_disable_after: Option<u32>,
    /// Seconds one webhook delivery may take.
    pub webhook_timeout: Option<u32>,
    /// Days a unit has to deal with a tip (default 20, Criminal Procedure Code art. 147(1)).
    pub tip_answer_days: Option<u32>,
    /// The extensions that may follow one another, each at most this many days (default
    /// `[60, 60]`, art. 147(2)).
    pub tip_extension_days: Option<Vec<u32>>,
    /// Sign-in code delivery.
    #[serde(default)]
    pub otp: OtpFileSettings,
}

/// `[otp]` in the settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtpFileSettings {
    /// `log` or `webhook`.
    pub sender: Option<String>,
    /// Gateway URL.
    pub webhook_url: Option<String>,
    /// Gateway bearer secret.
    pub webhook_token: Option<Secret>,
}

/// Where data lives and which database to open: what every command needs.
#[derive(Debug, Clone)]
pub struct StorageSettings {
    /// The data folder.
    pub data_dir: PathBuf,
    /// The database URL.
    pub database: String,
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Storage.
    pub storage: StorageSettings,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Demo mode.
    pub demo: bool,
    /// HMAC key, if configured (otherwise one is kept in the data folder).
    pub secret_key: Option<Secret>,
    /// Code delivery.
    pub otp: OtpDelivery,
    /// Trust X-Forwarded-For.
    pub trust_forwarded_for: bool,
    /// Proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<ketnoi_server::kernel::config::ProxyNet>,
    /// Per-client lookup limits.
    pub lookup_limits: ketnoi_lookup::guard::Limits,
    /// Secure cookies.
    pub secure_cookies: bool,
    /// Largest attachment, in bytes.
    pub max_upload_bytes: usize,
    /// Where attachments are kept.
    pub blobs: BlobLocation,
    /// The public address of the site, without a trailing slash.
    pub public_url: Option<String>,
    /// Where the server appends an audit anchor at start and every hour (`None`: nowhere).
    pub audit_anchors: Option<PathBuf>,
    /// Broadcasts per account per week.
    pub broadcasts_per_week: i64,
    /// How large an account's menu may be.
    pub menu_limits: ketnoi_core::desk::MenuLimits,
    /// How webhooks are delivered.
    pub webhooks: ketnoi_server::kernel::config::WebhookConfig,
    /// The periods for dealing with tips.
    pub tip_deadlines: ketnoi_core::TipDeadlines,
    /// The VAPID subject.
    pub push_contact: String,
}

/// Reads the settings file, if one was named.
pub fn read_file(path: Option<&Path>) -> anyhow::Result<FileSettings> {
    let Some(path) = path else {
        return Ok(FileSettings::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read settings file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("settings file {} is not valid", path.display()))
}

impl StorageSettings {
    /// Resolves the data folder and database URL.
    pub fn resolve(global: &GlobalArgs, file: &FileSettings) -> Self {
        let data_dir = global
            .data_dir
            .clone()
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from("ketnoi-data"));
        let database = global
            .database
            .clone()
            .or_else(|| file.database.clone())
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("ketnoi.db").display()));
        Self { data_dir, database }
    }
}

impl Settings {
    /// Resolves `serve`'s settings.
    pub fn resolve(global: &GlobalArgs, serve: &ServeArgs) -> anyhow::Result<Self> {
        let file = read_file(global.config.as_deref())?;
        let storage = StorageSettings::resolve(global, &file);
        let sender = serve.otp_sender.clone().or(file.otp.sender.clone());
        let url = serve.otp_webhook_url.clone().or(file.otp.webhook_url.clone());
        let token = serve.otp_webhook_token.clone().map(Secret::new).or(file.otp.webhook_token);
        let otp = match sender.as_deref().unwrap_or("log") {
            "log" => OtpDelivery::Log,
            "webhook" => match url {
                Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                    OtpDelivery::Webhook { url, bearer: token }
                }
                Some(_) => bail!("the OTP webhook URL must start with http:// or https://"),
                None => bail!("the webhook OTP sender needs --otp-webhook-url"),
            },
            other => bail!("unknown OTP sender {other:?}: use `log` or `webhook`"),
        };
        Ok(Self {
            listen: serve
                .listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            demo: serve.demo || file.demo.unwrap_or(false),
            secret_key: serve.secret_key.clone().map(Secret::new).or(file.secret_key),
            otp,
            trust_forwarded_for: serve.trust_forwarded_for
                || file.trust_forwarded_for.unwrap_or(false),
            trusted_proxies: {
                let listed = if serve.trusted_proxies.is_empty() {
                    file.trusted_proxies.clone().unwrap_or_default()
                } else {
                    serve.trusted_proxies.clone()
                };
                listed
                    .iter()
                    .map(|n| n.parse().map_err(anyhow::Error::msg))
                    .collect::<Result<_, _>>()?
            },
            lookup_limits: match serve.lookup_limits.as_deref().or(file.lookup_limits.as_deref()) {
                None => ketnoi_lookup::guard::Limits::default(),
                Some("off") => ketnoi_lookup::guard::Limits::off(),
                Some(n) => match n.trim().parse::<u32>() {
                    Ok(per_minute @ 1..=1_000_000) => {
                        ketnoi_lookup::guard::Limits { per_minute, burst: per_minute.div_ceil(2) }
                    }
                    _ => bail!(
                        "lookup_limits must be `off` or a number of lookups a minute from 1 to 1000000"
                    ),
                },
            },
            secure_cookies: serve.secure_cookies || file.secure_cookies.unwrap_or(false),
            max_upload_bytes: match serve.max_upload_mb.or(file.max_upload_mb) {
                Some(mb @ 1..=1024) => mb as usize * 1024 * 1024,
                Some(_) => bail!("max_upload_mb must be between 1 and 1024"),
                None => ketnoi_server::kernel::config::DEFAULT_MAX_UPLOAD_BYTES,
            },
            blobs: match serve.blob_store.as_deref().or(file.blob_store.as_deref()) {
                None | Some("dir") => BlobLocation::Dir(storage.data_dir.join("blobs")),
                Some("database") => BlobLocation::Database,
                Some(other) => bail!("unknown blob store {other:?}: use `dir` or `database`"),
            },
            public_url: match serve.public_url.clone().or(file.public_url) {
                Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                    Some(url.trim_end_matches('/').to_owned())
                }
                Some(_) => bail!("the public URL must start with http:// or https://"),
                None => None,
            },
            audit_anchors: match serve.audit_anchors.clone().or(file.audit_anchors.clone()) {
                None => Some(storage.data_dir.join("audit-anchors.txt")),
                Some(off) if off.trim() == "off" => None,
                Some(path) => Some(PathBuf::from(path)),
            },
            broadcasts_per_week: match serve.broadcasts_per_week.or(file.broadcasts_per_week) {
                Some(n @ 0..=10_000) => i64::from(n),
                Some(_) => bail!("broadcasts_per_week must be between 0 and 10000"),
                None => ketnoi_server::kernel::config::DEFAULT_BROADCASTS_PER_WEEK,
            },
            push_contact: match serve.push_contact.clone().or(file.push_contact) {
                Some(c) if c.starts_with("mailto:") || c.starts_with("https://") => c,
                Some(_) => bail!("the push contact must be a mailto: or https: address"),
                None => ketnoi_server::kernel::config::DEFAULT_PUSH_CONTACT.to_owned(),
            },
            menu_limits: {
                let d = ketnoi_core::desk::MenuLimits::default();
                let buttons =
                    serve.menu_buttons.or(file.menu_buttons).map_or(d.buttons, |n| n as usize);
                let sub_buttons = serve
                    .menu_sub_buttons
                    .or(file.menu_sub_buttons)
                    .map_or(d.sub_buttons, |n| n as usize);
                if !(1..=10).contains(&buttons) || !(1..=10).contains(&sub_buttons) {
                    bail!("menu_buttons and menu_sub_buttons must be between 1 and 10");
                }
                ketnoi_core::desk::MenuLimits { buttons, sub_buttons }
            },
            webhooks: {
                let d = ketnoi_server::kernel::config::WebhookConfig::default();
                let allow_hosts = if serve.webhook_allow_hosts.is_empty() {
                    file.webhook_allow_hosts.clone().unwrap_or_default()
                } else {
                    serve.webhook_allow_hosts.clone()
                };
                ketnoi_server::kernel::config::WebhookConfig {
                    allow_hosts: allow_hosts
                        .iter()
                        .map(|h| {
                            h.trim().trim_start_matches('[').trim_end_matches(']').to_lowercase()
                        })
                        .filter(|h| !h.is_empty())
                        .collect(),
                    disable_after: serve
                        .webhook_disable_after
                        .or(file.webhook_disable_after)
                        .map_or(d.disable_after, i64::from),
                    timeout: serve
                        .webhook_timeout
                        .or(file.webhook_timeout)
                        .map_or(d.timeout, |s| Duration::from_secs(u64::from(s))),
                    ..d
                }
            },
            tip_deadlines: {
                let d = ketnoi_core::TipDeadlines::default();
                let answer_days = file.tip_answer_days.unwrap_or(d.answer_days);
                let extension_days = file.tip_extension_days.clone().unwrap_or(d.extension_days);
                if !(1..=366).contains(&answer_days)
                    || extension_days.len() > 10
                    || extension_days.iter().any(|n| !(1..=366).contains(n))
                {
                    bail!(
                        "tip_answer_days and each of tip_extension_days must be between 1 and \
                         366 days, with at most 10 extensions"
                    );
                }
                ketnoi_core::TipDeadlines { answer_days, extension_days }
            },
            storage,
        })
    }

    /// The server's configuration, with the secret key resolved.
    pub fn server_config(&self, secret_key: Secret) -> ServerConfig {
        ServerConfig {
            listen: self.listen,
            demo: self.demo,
            secret_key,
            otp: self.otp.clone(),
            trust_forwarded_for: self.trust_forwarded_for,
            trusted_proxies: self.trusted_proxies.clone(),
            lookup_limits: self.lookup_limits,
            lookup_poll: Duration::from_secs(2),
            secure_cookies: self.secure_cookies,
            request_timeout: Duration::from_secs(30),
            max_upload_bytes: self.max_upload_bytes,
            blobs: self.blobs.clone(),
            public_url: self.public_url.clone(),
            audit_anchors: self.audit_anchors.clone(),
            broadcasts_per_week: self.broadcasts_per_week,
            push_contact: self.push_contact.clone(),
            push_allow_http: false,
            menu_limits: self.menu_limits,
            webhooks: self.webhooks.clone(),
            tip_deadlines: self.tip_deadlines.clone(),
        }
    }
}

/// The configured secret key, or the one kept in `DATA_DIR/secret.key`, made on first use and
/// readable only by its owner.
pub fn secret_key(configured: Option<&Secret>, data_dir: &Path) -> anyhow::Result<Secret> {
    if let Some(key) = configured {
        if key.expose().len() < 32 {
            bail!("the secret key must be at least 32 characters long");
        }
        return Ok(key.clone());
    }
    let path = data_dir.join("secret.key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(Secret::new(existing));
        }
        bail!("{} is too short to be a key; remove it to make a new one", path.display());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data folder {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    let key = ketnoi_server::kernel::http::hex(&bytes);
    write_private(&path, &key)?;
    Ok(Secret::new(key))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::{io::Write as _, os::unix::fs::OpenOptionsExt as _};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    std::fs::write(path, contents).with_context(|| format!("cannot create {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(f.path(), text).unwrap_or_else(|e| panic!("{e}"));
        f
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let s = Settings::resolve(&GlobalArgs::default(), &ServeArgs::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.listen, SocketAddr::from(([127, 0, 0, 1], 8080)));
        assert_eq!(s.storage.data_dir, PathBuf::from("ketnoi-data"));
        assert_eq!(s.storage.database, "sqlite://ketnoi-data/ketnoi.db");
        assert_eq!(s.otp, OtpDelivery::Log);
        assert!(!s.demo);
    }

    #[test]
    fn the_file_overrides_defaults_and_flags_override_the_file() {
        let f = file(
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/kn\"\ndemo = true\n\
             [otp]\nsender = \"webhook\"\nwebhook_url = \"https://sms.example/send\"\n",
        );
        let global = GlobalArgs { config: Some(f.path().to_owned()), ..Default::default() };
        let s = Settings::resolve(&global, &ServeArgs::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.storage.database, "sqlite:///srv/kn/ketnoi.db");
        assert!(s.demo);
        assert!(matches!(s.otp, OtpDelivery::Webhook { .. }));

        let global = GlobalArgs { database: Some("postgres://db/ketnoi".into()), ..global };
        let serve =
            ServeArgs { listen: Some(SocketAddr::from(([127, 0, 0, 1], 1))), ..Default::default() };
        let s = Settings::resolve(&global, &serve).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.listen.port(), 1);
        assert_eq!(s.storage.database, "postgres://db/ketnoi");
    }

    #[test]
    fn bad_files_and_senders_are_clear_errors() {
        let f = file("lisen = \"x\"\n");
        let global = GlobalArgs { config: Some(f.path().to_owned()), ..Default::default() };
        let err = Settings::resolve(&global, &ServeArgs::default()).err().map(|e| format!("{e:#}"));
        assert!(err.as_deref().is_some_and(|e| e.contains("lisen")), "{err:?}");
        let serve = ServeArgs { otp_sender: Some("pigeon".into()), ..Default::default() };
        let err = Settings::resolve(&GlobalArgs::default(), &serve).err().map(|e| e.to_string());
        assert!(err.as_deref().is_some_and(|e| e.contains("pigeon")), "{err:?}");
        let serve = ServeArgs { otp_sender: Some("webhook".into()), ..Default::default() };
        assert!(Settings::resolve(&GlobalArgs::default(), &serve).is_err());
    }

    #[test]
    fn a_secret_key_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let first = secret_key(None, dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let again = secret_key(None, dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, again);
        assert_eq!(format!("{first:?}"), "Secret(***)");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or_default();
            assert_eq!(mode, 0o600);
        }
        assert!(secret_key(Some(&Secret::new("short")), dir.path()).is_err());
    }
}

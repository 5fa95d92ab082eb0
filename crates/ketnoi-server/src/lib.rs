//! ketnoi's HTTP server: the JSON API under `/api/v1`, its OpenAPI document, health checks.
//!
//! [`Application::build`] binds the listener (port 0 picks a free port, which is how tests start
//! a real server), [`Application::port`] says which port it got, and
//! [`Application::run_until_stopped`] serves until the given shutdown future completes, then
//! finishes the requests in flight.
//!
//! Handlers hold an [`AppState`]: the store, the rate limiter, the code sender and the message
//! catalogues, passed down explicitly. Every error becomes a problem+json answer in
//! [`error`]; authorisation is asked of [`ketnoi_core::policy`] through [`auth::Caller`].
#![deny(missing_docs)]

use std::{future::Future, net::SocketAddr, sync::Arc};

use axum::{
    Router,
    http::{HeaderValue, header},
};
use ketnoi_store::Store;
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer,
    set_header::SetResponseHeaderLayer, trace::TraceLayer,
};

pub mod auth;
pub mod bot;
pub mod cache;
pub mod chat;
pub mod config;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod lookup;
pub mod otp;
pub mod ratelimit;
mod routes;
pub mod signin;
pub mod tips;
mod web;

pub use config::{BlobLocation, OtpDelivery, Secret, ServerConfig};
pub use routes::openapi_document;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The configuration.
    pub config: Arc<ServerConfig>,
    /// The shared rate limiter.
    pub limiter: Arc<ratelimit::RateLimiter>,
    /// Delivers one-time codes.
    pub otp_sender: Arc<dyn otp::OtpSender>,
    /// Message catalogues.
    pub messages: i18n::Messages,
    /// Messaging: the group-commit writer and the fan-out hub.
    pub chat: Arc<chat::Chat>,
    /// The accounts' bots.
    pub bots: Arc<bot::Bots>,
    /// The lookup datasets, served from memory.
    pub lookups: Arc<lookup::Lookups>,
    /// Where attachments are kept.
    pub blobs: Arc<dyn ketnoi_store::BlobStore>,
    /// Who recent tokens belong to (a few seconds; sign-out here forgets at once).
    pub callers: Arc<cache::TtlCache<String, auth::Caller>>,
    /// Accounts by slug, for the paths every message takes.
    pub accounts: Arc<cache::TtlCache<String, ketnoi_core::Account>>,
    /// The tip paths' rate limits, keyed under a daily in-memory key.
    pub tip_guard: Arc<tips::TipGuard>,
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Binds the listener and assembles the routes.
    pub async fn build(config: ServerConfig, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        let otp_sender: Arc<dyn otp::OtpSender> = match &config.otp {
            OtpDelivery::Log => Arc::new(otp::LogSender),
            OtpDelivery::Webhook { url, bearer } => {
                Arc::new(otp::WebhookSender::new(url.clone(), bearer.clone())?)
            }
        };
        let messages = i18n::Messages::load().map_err(anyhow::Error::msg)?;
        let blobs: Arc<dyn ketnoi_store::BlobStore> = match &config.blobs {
            BlobLocation::Dir(dir) => Arc::new(ketnoi_store::FsBlobs::open(dir)?),
            BlobLocation::Database => store
                .shared_blobs()
                .ok_or_else(|| anyhow::anyhow!("blob storage in the database needs PostgreSQL"))?,
        };
        let listener = TcpListener::bind(config.listen).await?;
        let (to_bot, bot_queue) = tokio::sync::mpsc::unbounded_channel();
        let chat =
            chat::Chat::start(store.clone(), Arc::new(chat::hub::LocalHub::new()), Some(to_bot));
        let lookups = lookup::Lookups::new(
            store.clone(),
            blobs.clone(),
            config.secret_key.expose(),
            config.lookup_limits,
            config.lookup_poll,
        );
        // Serve what is published from the first request: a restart on results day must not
        // answer "no such dataset" while the records load.
        if let Err(e) = lookups.refresh().await {
            tracing::warn!(error = ?e, "lookups could not be loaded at start; retrying");
        }
        tokio::spawn(lookups.clone().run());
        let bots = bot::Bots::new(store.clone(), lookups.clone());
        tokio::spawn(bots.clone().run(chat.clone(), bot_queue));
        let state = AppState {
            store,
            config: Arc::new(config),
            limiter: Arc::new(ratelimit::RateLimiter::new()),
            otp_sender,
            messages,
            chat,
            bots,
            lookups,
            blobs,
            callers: Arc::new(cache::TtlCache::new(CALLER_CACHE_TTL, 200_000)),
            accounts: Arc::new(cache::TtlCache::new(ACCOUNT_CACHE_TTL, 50_000)),
            tip_guard: Arc::new(tips::TipGuard::default()),
        };
        let router = router(state.clone());
        Ok(Self { listener, router, state })
    }

    /// What the handlers share: storage, the blob store, the lookups…
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map_or(0, |a| a.port())
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then drains requests in flight.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        let served = axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        housekeeping.abort();
        served
    }
}

/// How long a node trusts its memory of who a token belongs to. Signing out on this node takes
/// effect at once; a session ended on another node, or a role changed, within this time.
const CALLER_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(10);
/// How long a node trusts its memory of an account found by slug.
const ACCOUNT_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// How long inbox events are kept for resuming screens: 30 days.
const INBOX_EVENT_RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;

/// Removes expired sessions and codes, and old inbox events, every ten minutes.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = ketnoi_core::Timestamp::now();
        match state.store.purge_expired(now).await {
            Ok(n) if n > 0 => tracing::debug!(removed = n, "purged expired sessions and codes"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "purging expired sessions failed"),
        }
        // Inbox events are only for screens catching up; a screen a month behind reloads.
        match state.store.prune_inbox_events(now.plus_millis(-INBOX_EVENT_RETENTION_MS)).await {
            Ok(n) if n > 0 => tracing::debug!(removed = n, "pruned old inbox events"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "pruning inbox events failed"),
        }
    }
}

/// The whole HTTP surface, with its middleware.
fn router(state: AppState) -> Router {
    routes::router(state.config.max_upload_bytes)
        .layer(CatchPanicLayer::custom(|_| {
            error::ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response_boxed()
        }))
        .layer(axum::middleware::from_fn_with_state(state.clone(), deadline))
        .layer(axum::middleware::from_fn_with_state(state.clone(), error::localize))
        .layer(CompressionLayer::new())
        .layer(
            // Paths only: query strings can hold search terms and birth dates, which stay out
            // of the logs, and so do lookup keys in paths.
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                tracing::info_span!("http", method = %req.method(), path = %loggable_path(req.uri().path()))
            }),
        )
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state.clone())
        .merge(routes::lookups::hot_router(state))
}

/// How long a lookup import from the console may take: a 200 MB file over a slow link, then
/// checking a million rows.
const IMPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Answers 503 to a request that takes longer than the configured timeout, or than
/// [`IMPORT_TIMEOUT`] for a console upload of a lookup dataset.
async fn deadline(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let import = request.method() == axum::http::Method::POST
        && path.starts_with("/console/a/")
        && path.ends_with("/lookups");
    let limit = if import { IMPORT_TIMEOUT } else { state.config.request_timeout };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            axum::response::IntoResponse::into_response(axum::http::StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// A request path as it may be logged: a lookup's key (what follows `/records/`) is cut off.
fn loggable_path(path: &str) -> &str {
    match path.find("/records/") {
        Some(i) => &path[..i + "/records/".len()],
        None => path,
    }
}

impl error::ApiError {
    /// For layers that want a plain response.
    fn into_response_boxed(self) -> axum::response::Response {
        axum::response::IntoResponse::into_response(self)
    }
}

//! The wiring: the features' services started over one kernel, their routes gathered under one
//! set of middleware, and the server that runs them.
//!
//! This is the only module that names every feature; no feature and nothing of the kernel
//! imports it.

use std::{future::Future, net::SocketAddr, sync::Arc};

use axum::{
    Router,
    http::{HeaderValue, header},
    routing::get,
};
use ketnoi_store::Store;
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer,
    set_header::SetResponseHeaderLayer, trace::TraceLayer,
};
use utoipa::OpenApi as _;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    api_doc::ApiDoc,
    features::{
        audit,
        bot::{self, service::Bots},
        chat::{
            self,
            service::{Chat, ChatState},
        },
        desk::{
            self,
            service::{Desk, DeskState},
        },
        directory::{
            self,
            service::{DirectoryState, Followed},
        },
        integrations::{
            self,
            service::IntegrationsState,
            webhook_api::HooksState,
            webhook_tail::{InboxSignal, WebhookTail},
            webhooks::DeliverJob,
        },
        lookups::{
            self,
            service::{Lookups, LookupsState},
        },
        news::{
            self,
            service::{FireJob, News, NewsState, PushJob},
        },
        ops,
        sign_in::{
            self,
            otp::{LogSender, OtpSender, WebhookSender},
            service::SignInState,
        },
        tips::{
            self,
            service::{TipGuard, TipsState},
        },
    },
    kernel::{
        audit::RequestId,
        cache::TtlCache,
        config::{BlobLocation, OtpDelivery, ServerConfig},
        error::{self, ApiError},
        hub::{Hub, LocalHub},
        i18n::Messages,
        jobs::{JobHandler, JobRunner, Jobs},
        pages::{self, assets},
        push::{CitizenPushJob, OnePushJob, Pusher},
        ratelimit::RateLimiter,
        state::Kernel,
    },
};

/// The kernel and every feature's services, as started for one server.
#[derive(Clone)]
pub struct AppState {
    /// What every feature reaches: storage, configuration, blobs, catalogues, caches.
    pub kernel: Kernel,
    /// Messaging: the group-commit writer and the fan-out hub.
    pub chat: Arc<Chat>,
    /// The accounts' bots.
    pub bots: Arc<Bots>,
    /// The lookup datasets, served from memory.
    pub lookups: Arc<Lookups>,
    /// The tip paths' rate limits, keyed under a daily in-memory key.
    pub tip_guard: Arc<TipGuard>,
    /// The fan-out hub, for what tips tell officers live.
    pub hub: Arc<dyn Hub>,
    /// Delivers one-time codes.
    pub otp_sender: Arc<dyn OtpSender>,
    /// Articles and broadcasts.
    pub news: Arc<News>,
    /// Runs the persistent job queue.
    pub jobs: Arc<JobRunner>,
    /// The front desk: menus, guides, forms.
    pub desk: Arc<Desk>,
    /// Turns accounts' inbox events into integrations' webhook events.
    pub webhook_tail: Arc<WebhookTail>,
    /// Delivers webhook events, on workers of its own.
    pub webhook_runner: Arc<JobRunner>,
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Binds the listener, starts the features' services and assembles the routes.
    pub async fn build(config: ServerConfig, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        let otp_sender: Arc<dyn OtpSender> = match &config.otp {
            OtpDelivery::Log => Arc::new(LogSender),
            OtpDelivery::Webhook { url, bearer } => {
                Arc::new(WebhookSender::new(url.clone(), bearer.clone())?)
            }
        };
        let messages = Messages::load().map_err(anyhow::Error::msg)?;
        let blobs: Arc<dyn ketnoi_store::BlobStore> = match &config.blobs {
            BlobLocation::Dir(dir) => Arc::new(ketnoi_store::FsBlobs::open(dir)?),
            BlobLocation::Database => store
                .shared_blobs()
                .ok_or_else(|| anyhow::anyhow!("blob storage in the database needs PostgreSQL"))?,
        };
        let listener = TcpListener::bind(config.listen).await?;
        let config_menu_limits = config.menu_limits;
        let jobs = Jobs::new();
        let push = Arc::new(Pusher::new(
            store.clone(),
            jobs.clone(),
            &config.secret_key,
            &config.push_contact,
            config.push_allow_http,
        )?);
        let hub: Arc<dyn Hub> = Arc::new(LocalHub::new());
        let (bot_queue, bot_inbox) = bot::service::queue();
        let inbox_signal = Arc::new(InboxSignal::default());
        let chat = Chat::start(
            store.clone(),
            hub.clone(),
            Some(Arc::new(bot_queue)),
            Some(push.clone()),
            Some(inbox_signal.clone()),
        );
        let lookups = Lookups::new(
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
        let bots = Bots::new(store.clone(), chat.clone(), lookups.clone());
        tokio::spawn(bots.clone().run(bot_inbox));
        let kernel = Kernel {
            store,
            config: Arc::new(config),
            limiter: Arc::new(RateLimiter::new()),
            messages,
            blobs,
            callers: Arc::new(TtlCache::new(CALLER_CACHE_TTL, 200_000)),
            accounts: Arc::new(TtlCache::new(ACCOUNT_CACHE_TTL, 50_000)),
            jobs: jobs.clone(),
            push: push.clone(),
            enrolled: Arc::new(TtlCache::new(
                crate::kernel::second_factor::ENROLLED_CACHE_TTL,
                50_000,
            )),
        };
        // Conversations waiting for a person go to the next officer on duty where accounts
        // want it.
        let assigner = ChatState { kernel: kernel.clone(), chat: chat.clone() };
        tokio::spawn(crate::features::chat::assign::assign_in_turn(assigner));
        let news = News::new(kernel.clone(), hub.clone());
        let handlers: Vec<Arc<dyn JobHandler>> = vec![
            Arc::new(FireJob(news.clone())),
            Arc::new(PushJob(news.clone())),
            Arc::new(CitizenPushJob(push.clone())),
            Arc::new(OnePushJob(push)),
        ];
        let runner = JobRunner::new(kernel.store.clone(), jobs, handlers);
        // Webhooks run on a runner and workers of their own: a slow receiver holds up neither
        // messages nor the other queues.
        let webhook_jobs = Jobs::new();
        let webhook_runner = JobRunner::new(
            kernel.store.clone(),
            webhook_jobs.clone(),
            vec![Arc::new(DeliverJob::new(kernel.clone())?)],
        );
        let webhook_tail = WebhookTail::new(kernel.clone(), webhook_jobs, inbox_signal);
        let state = AppState {
            kernel,
            chat,
            bots,
            lookups,
            tip_guard: Arc::new(TipGuard::default()),
            hub,
            otp_sender,
            news,
            jobs: runner,
            desk: Arc::new(Desk::new(config_menu_limits)),
            webhook_tail,
            webhook_runner,
        };
        let router = router(&state);
        Ok(Self { listener, router, state })
    }

    /// The kernel and the features' services.
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
        let housekeeping = tokio::spawn(housekeeping(self.state.kernel.clone()));
        let anchors = tokio::spawn(crate::kernel::audit::anchor_every(
            self.state.kernel.clone(),
            AUDIT_ANCHOR_EVERY,
        ));
        let jobs = tokio::spawn(self.state.jobs.clone().run());
        let workers = self.state.kernel.config.webhooks.workers;
        let webhook_jobs = tokio::spawn(self.state.webhook_runner.clone().run_workers(workers));
        let webhook_tail = tokio::spawn(self.state.webhook_tail.clone().run());
        let served = axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        housekeeping.abort();
        anchors.abort();
        jobs.abort();
        webhook_jobs.abort();
        webhook_tail.abort();
        served
    }
}

/// How long a node trusts its memory of who a token belongs to. Signing out on this node takes
/// effect at once; a session ended on another node, or a role changed, within this time.
const CALLER_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(10);
/// How long a node trusts its memory of an account found by slug.
const ACCOUNT_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// How often the audit log's head is appended to the anchor file.
const AUDIT_ANCHOR_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// How long inbox events are kept for resuming screens: 30 days.
const INBOX_EVENT_RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;

/// Removes expired sessions and codes, and old inbox events, every ten minutes.
async fn housekeeping(kernel: Kernel) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = ketnoi_core::Timestamp::now();
        match kernel.store.purge_expired(now).await {
            Ok(n) if n > 0 => tracing::debug!(removed = n, "purged expired sessions and codes"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "purging expired sessions failed"),
        }
        // Inbox events are only for screens catching up; a screen a month behind reloads.
        match kernel.store.prune_inbox_events(now.plus_millis(-INBOX_EVENT_RETENTION_MS)).await {
            Ok(n) if n > 0 => tracing::debug!(removed = n, "pruned old inbox events"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "pruning inbox events failed"),
        }
        // Integration tokens past their end are only clutter.
        match kernel.store.purge_integration_tokens(now).await {
            Ok(n) if n > 0 => tracing::debug!(removed = n, "purged expired integration tokens"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "purging integration tokens failed"),
        }
        // Guides resting on a document that lapsed today wait for review.
        match desk::service::flag_lapsed(&kernel).await {
            Ok(n) if n > 0 => tracing::info!(flagged = n, "guides citing lapsed documents flagged"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "flagging lapsed documents failed"),
        }
    }
}

/// Every route: each feature's API and pages with that feature's own state, under one set of
/// middleware.
fn router(state: &AppState) -> Router {
    let kernel = &state.kernel;
    let max_upload = kernel.config.max_upload_bytes;
    let sign_in = SignInState { kernel: kernel.clone(), otp_sender: state.otp_sender.clone() };
    let directory = DirectoryState {
        kernel: kernel.clone(),
        followed: Arc::new(FollowedBoth {
            bots: state.bots.clone(),
            hooks: state.webhook_tail.clone(),
        }),
        lookups: state.lookups.clone(),
    };
    let hooks = HooksState { kernel: kernel.clone(), tail: state.webhook_tail.clone() };
    let chat = ChatState { kernel: kernel.clone(), chat: state.chat.clone() };
    let bots = bot::service::BotsState { kernel: kernel.clone(), bots: state.bots.clone() };
    let lookups = LookupsState { kernel: kernel.clone(), lookups: state.lookups.clone() };
    let tips = TipsState {
        kernel: kernel.clone(),
        guard: state.tip_guard.clone(),
        hub: state.hub.clone(),
    };
    let news = NewsState { kernel: kernel.clone(), news: state.news.clone() };
    let desk = DeskState { kernel: kernel.clone(), desk: state.desk.clone() };
    let integrations = IntegrationsState { kernel: kernel.clone(), chat: state.chat.clone() };

    let api = Router::new()
        .merge(sign_in::api::router().with_state(sign_in.clone()))
        .merge(sign_in::security_api::router().with_state(sign_in.clone()))
        .merge(audit::api::router().with_state(kernel.clone()))
        .merge(directory::me::router().with_state(directory.clone()))
        .merge(directory::areas::router().with_state(directory.clone()))
        .merge(directory::accounts::router().with_state(directory.clone()))
        .merge(lookups::api::router().with_state(lookups.clone()))
        .merge(tips::unit_api::router().with_state(tips.clone()))
        .merge(tips::case_api::router().with_state(tips.clone()))
        .merge(tips::keys_api::router().with_state(tips.clone()))
        .merge(desk::api::router().with_state(desk.clone()))
        .merge(integrations::webhook_api::router().with_state(hooks.clone()))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        // An article's Markdown may run to 100,000 characters.
        .merge(
            news::api::router()
                .layer(axum::extract::DefaultBodyLimit::max(news::api::MAX_BODY))
                .with_state(news.clone()),
        )
        // After the general limit, so that upload routes keep their own larger one.
        .merge(chat::api::router(max_upload).with_state(chat.clone()))
        .merge(tips::api::router(max_upload).with_state(tips.clone()))
        .merge(
            integrations::api::router()
                .layer(axum::extract::DefaultBodyLimit::max(max_upload + 64 * 1024))
                .with_state(integrations.clone()),
        );
    let page_routes = Router::new()
        .merge(directory::pages::router().with_state(directory.clone()))
        .merge(chat::pages::router(max_upload).with_state(chat.clone()))
        .merge(chat::label_pages::router().with_state(chat.clone()))
        .merge(chat::canned_pages::router().with_state(chat.clone()))
        .merge(chat::staff_pages::router(max_upload).with_state(chat))
        .merge(sign_in::security_pages::router().with_state(sign_in.clone()))
        .merge(sign_in::pages::router().with_state(sign_in))
        .merge(directory::console::router().with_state(directory))
        .merge(bot::pages::router().with_state(bots.clone()))
        .merge(bot::intents::router().with_state(bots.clone()))
        .merge(bot::learn::router().with_state(bots.clone()))
        .merge(bot::unanswered::router().with_state(bots))
        .merge(lookups::pages::router().with_state(lookups.clone()))
        .merge(lookups::console::router().with_state(lookups.clone()))
        .merge(lookups::dataset_console::router().with_state(lookups.clone()))
        .merge(tips::pages::router(max_upload).with_state(tips.clone()))
        .merge(tips::case_pages::router().with_state(tips.clone()))
        .merge(tips::unit_pages::router().with_state(tips))
        .merge(news::pages::router().with_state(news.clone()))
        .merge(news::console::router().with_state(news.clone()))
        .merge(news::broadcast_console::router().with_state(news))
        .merge(desk::pages::router().with_state(desk.clone()))
        .merge(desk::console::router().with_state(desk))
        .merge(integrations::console::router().with_state(integrations.clone()))
        .merge(integrations::webhook_pages::router().with_state(hooks))
        .merge(audit::pages::router().with_state(kernel.clone()))
        .route("/lang/{tag}", get(pages::switch_language))
        .layer(axum::middleware::from_fn(pages::page_headers));
    Router::<Kernel>::new()
        .merge(ops::router())
        .nest("/api/v1", api)
        // The surface shaped like the commercial platform's OA API, at its own paths, so that
        // an integration ports by changing its base URL. Uploads keep the upload limit.
        .merge(
            integrations::oa_routes::router()
                .layer(axum::extract::DefaultBodyLimit::max(max_upload + 64 * 1024))
                .with_state(integrations),
        )
        // The viewer's files are compiled into the binary: nothing is fetched at run time.
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
        .merge(page_routes)
        .route("/static/{name}", get(assets::serve))
        .route("/sw.js", get(assets::service_worker))
        .fallback(pages::not_found)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(ApiError::Internal(anyhow::anyhow!(
                "handler panicked"
            )))
        }))
        .layer(axum::middleware::from_fn_with_state(
            kernel.clone(),
            crate::kernel::second_factor::enforce,
        ))
        .layer(axum::middleware::from_fn_with_state(kernel.clone(), deadline))
        .layer(axum::middleware::from_fn_with_state(kernel.messages.clone(), error::localize))
        .layer(CompressionLayer::new())
        .layer(
            // Paths only: query strings can hold search terms and birth dates, which stay out
            // of the logs, and so do lookup keys in paths.
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req.extensions().get::<RequestId>().map_or("", |r| r.as_str());
                tracing::info_span!("http", method = %req.method(), path = %loggable_path(req.uri().path()), request_id = %id)
            }),
        )
        // Outside the trace layer, so the span carries the id.
        .layer(axum::middleware::from_fn(crate::kernel::audit::assign_request_id))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(kernel.clone())
        .merge(lookups::api::hot_router(lookups))
}

/// What follows a follow or an unfollow: the integrations' webhooks are told, then the bot
/// welcomes a new follower. A webhook that cannot record the event does not stop the welcome.
struct FollowedBoth {
    bots: Arc<bot::service::Bots>,
    hooks: Arc<WebhookTail>,
}

#[async_trait::async_trait]
impl Followed for FollowedBoth {
    async fn followed(
        &self,
        account: ketnoi_core::AccountId,
        citizen: &ketnoi_core::Citizen,
    ) -> Result<(), ApiError> {
        if let Err(e) = self.hooks.follow_changed(account, citizen.id, true).await {
            tracing::warn!(error = ?e, "the follow was not recorded for webhooks");
        }
        self.bots.followed(account, citizen).await
    }

    async fn unfollowed(
        &self,
        account: ketnoi_core::AccountId,
        citizen: &ketnoi_core::Citizen,
    ) -> Result<(), ApiError> {
        if let Err(e) = self.hooks.follow_changed(account, citizen.id, false).await {
            tracing::warn!(error = ?e, "the unfollow was not recorded for webhooks");
        }
        self.bots.unfollowed(account, citizen).await
    }
}

/// How long a lookup import from the console may take: a 200 MB file over a slow link, then
/// checking a million rows.
const IMPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Answers 503 to a request that takes longer than the configured timeout, or than
/// [`IMPORT_TIMEOUT`] for a console upload of a lookup dataset.
async fn deadline(
    axum::extract::State(kernel): axum::extract::State<Kernel>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let import = request.method() == axum::http::Method::POST
        && path.starts_with("/console/a/")
        && path.ends_with("/lookups");
    let limit = if import { IMPORT_TIMEOUT } else { kernel.config.request_timeout };
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

//! Starting a real server for a test.

use std::{
    io::Write,
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex, OnceLock},
};

use ketnoi::demo::{self, DemoCredentials};
use ketnoi_server::{Application, Secret, ServerConfig};
use ketnoi_store::{SqliteStore, Store};
use serde_json::Value;

/// A staff member's authenticator, as a test holds it.
#[derive(Debug, Clone)]
pub struct Enrolled {
    /// The base32 secret the server gave at enrolment.
    pub secret: String,
    /// The last time step a code was used for (each code works once).
    pub last_step: u64,
    /// The session kept through enrolment.
    pub token: String,
}

/// The TOTP code of a base32 secret at a time step, computed as an authenticator app does
/// (SHA-1, six digits, 30 s), independently of the server's code.
pub fn totp_code(secret: &str, step: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap_or_else(|e| panic!("secret: {e:?}"));
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).generate(step * 30)
}

/// The current 30-second time step.
pub fn totp_step() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 30)
        .unwrap_or_default()
}

/// A running server with its own database, stopped when dropped.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub sqlite: Option<SqliteStore>,
    pub store: Arc<dyn Store>,
    pub secret: Secret,
    pub creds: Option<DemoCredentials>,
    /// The server's blob store.
    pub blobs: Arc<dyn ketnoi_store::BlobStore>,
    /// The server's lookups, to refresh after changing storage behind its back.
    pub lookups: Arc<ketnoi_server::features::lookups::service::Lookups>,
    /// The SQLite database file, when the app runs on one made by [`spawn_app`] or
    /// [`spawn_app_with`].
    pub db_path: Option<PathBuf>,
    /// The folder of the server's blob store.
    pub blob_dir: PathBuf,
    /// Staff enrolled in two-factor sign-in by [`TestApp::staff_token_2fa`]: their secret, the
    /// last time step used, and their session.
    pub totp: Mutex<std::collections::HashMap<String, Enrolled>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _guard: Box<dyn std::any::Any + Send>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a server on a fresh SQLite database, seeded with the demo when `demo` is set (which
/// also turns on demo mode, so code requests answer with the code).
pub async fn spawn_app(demo: bool) -> TestApp {
    spawn_app_with(demo, |_| {}).await
}

/// Starts a server on a fresh SQLite database with a configuration adjusted by `adjust`.
pub async fn spawn_app_with(demo: bool, adjust: impl FnOnce(&mut ServerConfig)) -> TestApp {
    let (sqlite, dir) = ketnoi_store::testing::fresh_sqlite().await;
    let store: Arc<dyn Store> = Arc::new(sqlite.clone());
    let db_path = dir.path().join("ketnoi.db");
    let mut app = start_with(store, Some(sqlite), Box::new(dir), demo, adjust).await;
    app.db_path = Some(db_path);
    app
}

/// Starts a server on the given store.
pub async fn start(
    store: Arc<dyn Store>,
    sqlite: Option<SqliteStore>,
    guard: Box<dyn std::any::Any + Send>,
    demo: bool,
) -> TestApp {
    start_with(store, sqlite, guard, demo, |_| {}).await
}

pub async fn start_with(
    store: Arc<dyn Store>,
    sqlite: Option<SqliteStore>,
    guard: Box<dyn std::any::Any + Send>,
    demo: bool,
    adjust: impl FnOnce(&mut ServerConfig),
) -> TestApp {
    let creds = if demo {
        Some(demo::seed(store.as_ref()).await.unwrap_or_else(|e| panic!("seed: {e:#}")))
    } else {
        None
    };
    let secret = Secret::new("test-secret-key-that-is-long-enough-0123456789");
    let mut config = ServerConfig::local(SocketAddr::from(([127, 0, 0, 1], 0)), secret.clone());
    config.demo = demo;
    let blobs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let blob_dir = blobs.path().to_path_buf();
    config.blobs = ketnoi_server::BlobLocation::Dir(blob_dir.clone());
    let guard: Box<dyn std::any::Any + Send> = Box::new((guard, blobs));
    adjust(&mut config);
    let app = Application::build(config, store.clone()).await.unwrap_or_else(|e| panic!("{e:#}"));
    if demo {
        let state = app.state();
        demo::seed_lookups(store.as_ref(), state.kernel.blobs.as_ref())
            .await
            .unwrap_or_else(|e| panic!("seed lookups: {e:#}"));
        state.lookups.refresh().await.unwrap_or_else(|e| panic!("{e:#}"));
        demo::seed_desk(store.as_ref(), state.kernel.blobs.as_ref())
            .await
            .unwrap_or_else(|e| panic!("seed desk: {e:#}"));
    }
    let base = format!("http://127.0.0.1:{}", app.port());
    let (blobs, lookups) = (app.state().kernel.blobs.clone(), app.state().lookups.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    TestApp {
        base,
        client,
        sqlite,
        store,
        secret,
        creds,
        blobs,
        lookups,
        db_path: None,
        blob_dir,
        totp: Mutex::new(std::collections::HashMap::new()),
        stop: Some(stop),
        _guard: guard,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        answer(req.send().await).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        answer(req.send().await).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, None, Some(body)).await
    }

    /// Signs a citizen in with the demo code and returns the session token.
    pub async fn citizen_token(&self, phone: &str) -> String {
        let (status, sent) =
            self.post("/api/v1/auth/otp/request", serde_json::json!({"phone": phone})).await;
        assert_eq!(status, 202, "{sent}");
        let code = sent["demo_code"].as_str().unwrap_or_default().to_owned();
        let (status, signed) = self
            .post("/api/v1/auth/otp/verify", serde_json::json!({"phone": phone, "code": code}))
            .await;
        assert_eq!(status, 200, "{signed}");
        signed["token"].as_str().unwrap_or_default().to_owned()
    }

    /// The password the demo seed gave a staff member.
    pub fn staff_password(&self, username: &str) -> String {
        self.creds
            .as_ref()
            .and_then(|c| c.staff.iter().find(|(u, _, _)| u == username))
            .map(|(_, p, _)| p.clone())
            .unwrap_or_else(|| panic!("no demo staff {username}"))
    }

    /// Signs a demo staff member in by username.
    pub async fn staff_token(&self, username: &str) -> String {
        let password = self.staff_password(username);
        let mut body = serde_json::json!({"username": username, "password": password});
        if self.totp_enrolled(username) {
            body["code"] = serde_json::json!(self.next_totp_code(username).await);
        }
        let (status, signed) = self.post("/api/v1/auth/staff/sign-in", body).await;
        assert_eq!(status, 200, "{signed}");
        signed["token"].as_str().unwrap_or_default().to_owned()
    }

    fn totp_enrolled(&self, username: &str) -> bool {
        self.totp.lock().unwrap_or_else(|p| p.into_inner()).contains_key(username)
    }

    /// A code from the member's authenticator that has not been used yet: the current step's,
    /// or the next one's (the server accepts one step of skew), waiting when both are used.
    pub async fn next_totp_code(&self, username: &str) -> String {
        let (secret, last) = {
            let map = self.totp.lock().unwrap_or_else(|p| p.into_inner());
            let e = map.get(username).unwrap_or_else(|| panic!("{username} is not enrolled"));
            (e.secret.clone(), e.last_step)
        };
        let mut now = totp_step();
        let step = now.max(last + 1);
        while step > now + 1 {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            now = totp_step();
        }
        if let Some(e) = self.totp.lock().unwrap_or_else(|p| p.into_inner()).get_mut(username) {
            e.last_step = step;
        }
        totp_code(&secret, step)
    }

    /// A session for a staff member with two-factor sign-in turned on (through the API, on the
    /// first call), as those who read tips must have.
    pub async fn staff_token_2fa(&self, username: &str) -> String {
        let known = self.totp.lock().unwrap_or_else(|p| p.into_inner()).get(username).cloned();
        if let Some(e) = known {
            let (status, _) = self.get("/api/v1/me/second-factor", Some(&e.token)).await;
            if status == 200 {
                return e.token;
            }
            let token = self.staff_token(username).await;
            if let Some(e) = self.totp.lock().unwrap_or_else(|p| p.into_inner()).get_mut(username) {
                e.token = token.clone();
            }
            return token;
        }
        let token = self.staff_token(username).await;
        self.enrol_2fa(username, &token).await;
        token
    }

    /// Turns two-factor sign-in on for the member whose session `token` is, through the API;
    /// the session stays valid.
    pub async fn enrol_2fa(&self, username: &str, token: &str) {
        let (status, started) =
            self.send(reqwest::Method::POST, "/api/v1/me/second-factor", Some(token), None).await;
        assert_eq!(status, 201, "{started}");
        let secret = started["secret"].as_str().unwrap_or_default().to_owned();
        let step = totp_step();
        let (status, confirmed) = self
            .send(
                reqwest::Method::POST,
                "/api/v1/me/second-factor/confirm",
                Some(token),
                Some(serde_json::json!({"code": totp_code(&secret, step)})),
            )
            .await;
        assert_eq!(status, 200, "{confirmed}");
        self.totp.lock().unwrap_or_else(|p| p.into_inner()).insert(
            username.to_owned(),
            Enrolled { secret, last_step: step, token: token.to_owned() },
        );
    }
}

/// Everything logged in this test process, kept in memory once [`capture_logs`] has run.
fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| Arc::new(Mutex::new(Vec::new())))
}

/// A writer that appends to [`log_buffer`].
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs, once for the whole test process, a global subscriber that writes every event and
/// span of every crate, down to TRACE, into memory. Call it before starting the app whose logs
/// matter; later calls do nothing. Every test running in the process logs into the same buffer.
pub fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let buffer = log_buffer().clone();
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Captured(buffer.clone()))
            .try_init();
    });
}

/// What has been logged since [`capture_logs`] (empty before it).
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

/// Status and JSON body (Null when the body is empty or not JSON).
pub async fn answer(r: reqwest::Result<reqwest::Response>) -> (u16, Value) {
    let r = r.unwrap_or_else(|e| panic!("request failed: {e}"));
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts a problem+json answer with a status and code.
#[track_caller]
pub fn assert_problem(got: &(u16, Value), status: u16, code: &str) {
    assert_eq!((got.0, got.1["code"].as_str()), (status, Some(code)), "{}", got.1);
    assert_eq!(got.1["status"].as_u64(), Some(u64::from(status)));
    assert!(got.1["title"].as_str().is_some_and(|t| !t.is_empty()), "{}", got.1);
}

/// Declares a test of `body` on SQLite and another, in the module `on_postgresql`, on
/// PostgreSQL (which passes without running where no PostgreSQL is configured).
macro_rules! on_both {
    ($($name:ident => $body:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                $body(&$crate::helpers::spawn_app(true).await).await;
            }
        )+
        mod on_postgresql {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let Some((store, schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
                    let store: std::sync::Arc<dyn ketnoi_store::Store> = std::sync::Arc::new(store);
                    $body(&$crate::helpers::start(store, None, Box::new(schema), true).await).await;
                }
            )+
        }
    };
}
pub(crate) use on_both;

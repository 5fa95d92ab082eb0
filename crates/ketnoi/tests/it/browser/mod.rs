//! A real headless Chromium for end-to-end tests, driven over WebDriver with fantoccini.
//!
//! Debian's `chromium` and `chromium-driver`, never a browser downloaded by a tool. [`launch`]
//! starts chromedriver on a free port of 127.0.0.1 and, through it, Chromium with a fresh
//! profile in a temporary folder; both are killed when the [`Browser`] is dropped, or when the
//! test process dies without unwinding. Without them a test skips, except under `CI=true`,
//! where a missing browser fails the run.
//!
//! At most one Chromium runs at a time: tests are threads of one process on a small machine,
//! and two browsers starving each other make timeouts, not findings.
//!
//! The same flows must work with JavaScript off (progressive enhancement), so
//! [`Options::without_javascript`] launches a browser in which page scripts do not run. The
//! WebDriver commands themselves (finding, typing, clicking, reading) still work there, because
//! chromedriver runs them through the DevTools protocol, which the content setting does not
//! govern; a test proves both halves.

mod axe;
mod fixture;
mod smoke;
mod weight;

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    os::unix::process::CommandExt,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{
    Client, ClientBuilder, Locator, cookies::Cookie, elements::Element, error::CmdError,
};
use serde_json::{Value, json};
use tempfile::{NamedTempFile, TempDir};
use tokio::sync::{Semaphore, SemaphorePermit};

pub use weight::AssetKind;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The browser binary of Debian's package rather than its `/usr/bin/chromium` launcher: the
/// launcher adds flags of its own from `/etc/chromium.d` (extensions, GPU rasterisation, …),
/// and these tests run Chromium with exactly [`FLAGS`].
const CHROMIUM: &str = "/usr/lib/chromium/chromium";

const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    // A name for the test server that is not `localhost` nor a loopback address, so that a page
    // served under it is not a secure context (no WebCrypto), as on a plain-HTTP deployment.
    "--host-resolver-rules=MAP insecure.test 127.0.0.1",
];

/// The test server's base URL under a host name the browser does not treat as secure (see
/// [`FLAGS`]).
pub fn insecure(base: &str) -> String {
    base.replace("127.0.0.1", "insecure.test")
}

/// A common phone's viewport in CSS pixels: the pages are designed for phones first.
pub const PHONE: (u32, u32) = (390, 844);

/// Widths below this are emulated as a phone: a dense screen, and a layout viewport that follows
/// the page's `<meta name="viewport">` (without one a phone lays a page out 980 pixels wide).
const TABLET_WIDTH: u32 = 768;

/// A reasonable time to wait for an element (see [`Browser::wait_for`]).
pub const WAIT: Duration = Duration::from_secs(10);

/// The longest any one WebDriver command may take; page loads and scripts are limited to 30
/// seconds by the session's own timeouts.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

static ONE_BROWSER_AT_A_TIME: Semaphore = Semaphore::const_new(1);

/// How to launch the browser.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub javascript: bool,
    /// Viewport size in CSS pixels.
    pub viewport: (u32, u32),
}

impl Default for Options {
    fn default() -> Self {
        Self { javascript: true, viewport: PHONE }
    }
}

impl Options {
    /// Page scripts never run, as for a visitor who turned JavaScript off or whose network
    /// dropped the script.
    pub fn without_javascript(self) -> Self {
        Self { javascript: false, ..self }
    }
}

/// Starts Chromium for pages under `base` (such as `TestApp::base`), once no other test of
/// this process has a browser. `None`, after saying so, when Chromium or chromedriver is not
/// installed; under `CI=true` that panics instead.
pub async fn launch(base: &str, options: Options) -> Option<Browser> {
    if !installed() {
        return None;
    }
    // The semaphore is never closed, so acquiring only waits.
    let slot = ONE_BROWSER_AT_A_TIME.acquire().await.unwrap_or_else(|e| panic!("{e}"));
    Some(start(base, options, Some(slot)).await)
}

/// Two browsers at once with separate profiles (two people on two machines), for tests of
/// what one sees of the other; they count as one against the one-at-a-time rule.
pub async fn launch_two(base: &str, first: Options, second: Options) -> Option<(Browser, Browser)> {
    if !installed() {
        return None;
    }
    let slot = ONE_BROWSER_AT_A_TIME.acquire().await.unwrap_or_else(|e| panic!("{e}"));
    let second = start(base, second, None).await;
    Some((start(base, first, Some(slot)).await, second))
}

/// Three browsers at once with separate profiles (a citizen and two officers), counting as one
/// against the one-at-a-time rule.
pub async fn launch_three(base: &str, options: [Options; 3]) -> Option<[Browser; 3]> {
    if !installed() {
        return None;
    }
    let slot = ONE_BROWSER_AT_A_TIME.acquire().await.unwrap_or_else(|e| panic!("{e}"));
    let [first, second, third] = options;
    let third = start(base, third, None).await;
    let second = start(base, second, None).await;
    Some([start(base, first, Some(slot)).await, second, third])
}

/// Whether Chromium and chromedriver are there; under `CI=true` their absence panics.
fn installed() -> bool {
    if let Some(missing) = [CHROMIUM, CHROMEDRIVER].into_iter().find(|p| !Path::new(p).exists()) {
        let why = format!(
            "{missing} is missing; install it with \
             `apt-get install --no-install-recommends chromium chromium-driver`"
        );
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true and {why}");
        eprintln!("skipping a browser test: {why}");
        return false;
    }
    true
}

async fn start(base: &str, options: Options, slot: Option<SemaphorePermit<'static>>) -> Browser {
    let log = NamedTempFile::new().unwrap_or_else(|e| panic!("chromedriver log: {e}"));
    let profile = TempDir::new().unwrap_or_else(|e| panic!("browser profile: {e}"));
    let mut driver = Driver::start(&log).await;

    let mut args: Vec<String> = FLAGS.iter().map(|f| (*f).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    let (width, height) = options.viewport;
    args.push(format!("--window-size={width},{height}"));
    // Headless Chromium will not make a window narrower than 500 pixels, so the viewport comes
    // from device emulation; the pixel ratio is that of the phone `PHONE` is taken from. No
    // touch emulation: with it chromedriver waits on page timers before each click, and with
    // JavaScript off those never fire, so every click hangs.
    let phone = width < TABLET_WIDTH;
    let metrics = json!({
        "width": width, "height": height, "pixelRatio": if phone { 3.0 } else { 1.0 },
        "mobile": phone, "touch": false,
    });
    let mut chrome = json!({
        "binary": CHROMIUM,
        "args": args,
        "mobileEmulation": { "deviceMetrics": metrics },
    });
    if !options.javascript {
        // The default content setting as an administrator's policy sets it ("managed"), which
        // nothing in the profile overrides. chromedriver writes these preferences into the
        // profile before Chromium starts.
        chrome["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert("goog:chromeOptions".into(), chrome);
    capabilities
        .insert("timeouts".into(), json!({ "implicit": 0, "pageLoad": 30_000, "script": 30_000 }));
    let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(capabilities);
    let webdriver = format!("http://127.0.0.1:{}", driver.port);
    let client = match tokio::time::timeout(COMMAND_LIMIT, builder.connect(&webdriver)).await {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => panic!("starting Chromium: {e}\n{}", read_log(&log)),
        Err(_) => panic!("Chromium did not start within {COMMAND_LIMIT:?}\n{}", read_log(&log)),
    };
    driver.session = bounded(client.session_id()).await.ok().flatten();

    let http = reqwest::Client::builder().build().unwrap_or_else(|e| panic!("{e}"));
    Browser {
        base: base.trim_end_matches('/').to_owned(),
        javascript: options.javascript,
        client,
        http,
        _driver: driver,
        _profile: profile,
        _log: log,
        _slot: slot,
    }
}

/// A running Chromium. Helpers panic with context instead of returning errors: they are for
/// tests, where a failure is the answer.
pub struct Browser {
    base: String,
    javascript: bool,
    client: Client,
    http: reqwest::Client,
    // Fields drop in this order: the processes die before their profile folder is removed, and
    // the next test's browser may start only after that.
    _driver: Driver,
    _profile: TempDir,
    _log: NamedTempFile,
    _slot: Option<SemaphorePermit<'static>>,
}

impl Browser {
    /// Whether page scripts run in this browser.
    pub fn javascript(&self) -> bool {
        self.javascript
    }

    /// The absolute URL of a path under the base.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens a path under the base and waits for the page to load.
    pub async fn goto(&self, path: &str) {
        let url = self.url(path);
        bounded(self.client.goto(&url)).await.unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// Opens an absolute URL (another site, or a `data:` document) and waits for it to load.
    pub async fn goto_absolute(&self, url: &str) {
        bounded(self.client.goto(url)).await.unwrap_or_else(|e| panic!("opening a page: {e}"));
    }

    /// The first element matching a CSS selector, which must be there now.
    pub async fn find(&self, css: &str) -> Element {
        match bounded(self.client.find(Locator::Css(css))).await {
            Ok(element) => element,
            Err(e) => panic!("no element matches `{css}` on {}: {e}", self.here().await),
        }
    }

    /// Every element matching a CSS selector (possibly none).
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        match bounded(self.client.find_all(Locator::Css(css))).await {
            Ok(elements) => elements,
            Err(e) => panic!("looking for `{css}` on {}: {e}", self.here().await),
        }
    }

    /// Waits up to `timeout` for an element matching a CSS selector to appear.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        let wait = self.client.wait().at_most(timeout).for_element(Locator::Css(css));
        match bounded_by(timeout + COMMAND_LIMIT, wait).await {
            Ok(element) => element,
            Err(e) => {
                panic!("nothing matched `{css}` on {} within {timeout:?}: {e}", self.here().await)
            }
        }
    }

    /// Replaces the value of a field by typing `text` into it, as a person would.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        bounded(field.clear()).await.unwrap_or_else(|e| panic!("clearing `{css}`: {e}"));
        bounded(field.send_keys(text)).await.unwrap_or_else(|e| panic!("typing into `{css}`: {e}"));
    }

    /// Chooses several files at once in a `multiple` file input (chromedriver takes their paths
    /// one per line).
    pub async fn attach_all(&self, css: &str, paths: &[&Path]) {
        let field = self.find(css).await;
        let paths: Vec<String> = paths
            .iter()
            .map(|p| {
                let p = p.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                p.to_str().unwrap_or_else(|| panic!("file path is not text")).to_owned()
            })
            .collect();
        bounded(field.send_keys(&paths.join("\n")))
            .await
            .unwrap_or_else(|e| panic!("choosing files in `{css}`: {e}"));
    }

    /// Chooses a file in a file input, as a person picking it would.
    pub async fn attach(&self, css: &str, path: &Path) {
        let field = self.find(css).await;
        // chromedriver wants an absolute path without `..`.
        let path = path.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let path = path.to_str().unwrap_or_else(|| panic!("file path is not text"));
        bounded(field.send_keys(path))
            .await
            .unwrap_or_else(|e| panic!("choosing a file in `{css}`: {e}"));
    }

    /// Waits up to `timeout` until the text of the first element matching `css` contains
    /// `wanted`, and returns that text.
    pub async fn wait_for_text(&self, css: &str, wanted: &str, timeout: Duration) -> String {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let text = match bounded(self.client.find(Locator::Css(css))).await {
                Ok(element) => bounded(element.text()).await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(wanted) {
                return text;
            }
            if std::time::Instant::now() > deadline {
                panic!(
                    "`{css}` never showed {wanted:?} on {}; it says {text:?}",
                    self.here().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks an element; a click that navigates returns once the new page has loaded.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        bounded(element.click()).await.unwrap_or_else(|e| panic!("clicking `{css}`: {e}"));
    }

    /// Submits a form by clicking its first submit button, so the button's own name and value
    /// are sent and nothing depends on page scripts.
    pub async fn submit(&self, form_css: &str) {
        let form = match bounded(self.client.form(Locator::Css(form_css))).await {
            Ok(form) => form,
            Err(e) => panic!("no form matches `{form_css}` on {}: {e}", self.here().await),
        };
        bounded(form.submit()).await.unwrap_or_else(|e| panic!("submitting `{form_css}`: {e}"));
    }

    /// The rendered text of the first element matching a CSS selector.
    pub async fn text_of(&self, css: &str) -> String {
        let element = self.find(css).await;
        bounded(element.text()).await.unwrap_or_else(|e| panic!("text of `{css}`: {e}"))
    }

    /// The page's URL.
    pub async fn current_url(&self) -> reqwest::Url {
        bounded(self.client.current_url()).await.unwrap_or_else(|e| panic!("current URL: {e}"))
    }

    /// The page's path, without query or fragment.
    pub async fn current_path(&self) -> String {
        self.current_url().await.path().to_owned()
    }

    /// Waits until the page is at `path`. A click or submit that navigates may return before
    /// the new page has started loading (more so on a busy machine), so flows wait for where
    /// they expect to be rather than read the address at once.
    pub async fn wait_for_path(&self, path: &str, timeout: Duration) {
        let deadline = std::time::Instant::now() + timeout;
        while self.current_path().await != path {
            assert!(
                std::time::Instant::now() < deadline,
                "never reached {path}: at {}",
                self.current_url().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn title(&self) -> String {
        bounded(self.client.title()).await.unwrap_or_else(|e| panic!("title: {e}"))
    }

    /// Runs a script as the body of a function (`arguments` holds `args`) and returns its
    /// result. It runs through the DevTools protocol, so it works with JavaScript off and under
    /// any Content-Security-Policy: use it to inspect a page, never to drive a flow that a
    /// visitor without JavaScript could not.
    pub async fn run_js(&self, script: &str, args: Vec<Value>) -> Value {
        bounded(self.client.execute(script, args))
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Like [`Browser::run_js`], for asynchronous work: `body` is the body of an `async`
    /// function (`arguments` holds `args`, and `await` may be used), and its result is returned
    /// once the promise settles; a rejection panics with the error and its stack. The session's
    /// script timeout (30 seconds) applies.
    pub async fn run_async_js(&self, body: &str, args: Vec<Value>) -> Value {
        // WebDriver's asynchronous script gets a callback as its last argument; the body runs
        // with the other arguments and hands over its outcome in an object, so a rejection is
        // told apart from a result.
        let script = format!(
            "var done = arguments[arguments.length - 1];\n\
             var args = Array.prototype.slice.call(arguments, 0, -1);\n\
             (async function () {{\n{body}\n}}).apply(null, args).then(\n\
               function (value) {{ done({{ ok: value === undefined ? null : value }}); }},\n\
               function (error) {{ done({{ error: String((error && error.stack) || error) }}); }});"
        );
        let outcome = bounded(self.client.execute_async(&script, args))
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"));
        match outcome.get("error") {
            Some(error) => panic!("script rejected: {}", error.as_str().unwrap_or_default()),
            None => outcome["ok"].clone(),
        }
    }

    /// Writes a PNG of the viewport to `path`.
    pub async fn screenshot(&self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        let png =
            bounded(self.client.screenshot()).await.unwrap_or_else(|e| panic!("screenshot: {e}"));
        std::fs::write(path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// The cookies the browser holds for the current page, `HttpOnly` ones included.
    pub async fn cookies(&self) -> Vec<Cookie<'static>> {
        bounded(self.client.get_all_cookies()).await.unwrap_or_else(|e| panic!("cookies: {e}"))
    }

    pub async fn cookie(&self, name: &str) -> Option<Cookie<'static>> {
        self.cookies().await.into_iter().find(|c| c.name() == name)
    }

    /// Where the browser is, for failure messages; never panics itself.
    async fn here(&self) -> String {
        match bounded(self.client.current_url()).await {
            Ok(url) => url.to_string(),
            Err(_) => "an unknown page".to_owned(),
        }
    }
}

/// Awaits a WebDriver command for at most [`COMMAND_LIMIT`]. A command can hang rather than
/// fail (chromedriver waits up to ten minutes for a renderer that never answers), and a test
/// should fail with the command's name instead.
async fn bounded<T>(command: impl Future<Output = Result<T, CmdError>>) -> Result<T, String> {
    bounded_by(COMMAND_LIMIT, command).await
}

async fn bounded_by<T>(
    limit: Duration,
    command: impl Future<Output = Result<T, CmdError>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, command).await {
        Ok(answer) => answer.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer from the browser within {limit:?}")),
    }
}

/// Runs chromedriver (`"$@"`) until standard input closes, then kills everything left in the
/// process group: the Chromium it started, if still there. The test process holds the only
/// writer of that pipe, so it closes both when the `Driver` is dropped and when the test process
/// dies without unwinding (killed by a timeout, Ctrl-C), which no `Drop` survives. The shell
/// also exits at once if chromedriver does, so a failed start is noticed.
const WATCHDOG: &str = r#"exec 3<&0 </dev/null
"$@" &
driver=$!
{ read -r line <&3; kill -s KILL "$driver"; } &
wait "$driver"
kill -s KILL 0"#;

/// chromedriver under [`WATCHDOG`], in a process group of its own with the Chromium it starts.
struct Driver {
    watchdog: Child,
    port: u16,
    session: Option<String>,
}

impl Driver {
    /// Starts chromedriver on a free port, trying again when another test's server took the
    /// port between our probe and chromedriver binding it.
    async fn start(log: &NamedTempFile) -> Self {
        for _ in 0..3 {
            let port = free_port();
            let output = |what| log.reopen().unwrap_or_else(|e| panic!("{what}: {e}"));
            let watchdog = Command::new("/bin/sh")
                .args(["-c", WATCHDOG, "chromedriver-watchdog", CHROMEDRIVER])
                .arg(format!("--port={port}"))
                .stdin(Stdio::piped())
                .stdout(output("chromedriver stdout"))
                .stderr(output("chromedriver stderr"))
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {CHROMEDRIVER}: {e}"));
            let mut driver = Self { watchdog, port, session: None };
            if driver.ready().await {
                return driver;
            }
        }
        panic!("chromedriver did not start\n{}", read_log(log));
    }

    /// Polls `/status` until chromedriver answers that it is ready, or gives up when it has
    /// exited or is too slow (dropping the `Driver` then cleans up).
    async fn ready(&mut self) -> bool {
        let client = reqwest::Client::new();
        let status = format!("http://127.0.0.1:{}/status", self.port);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if !matches!(self.watchdog.try_wait(), Ok(None)) {
                return false;
            }
            if let Ok(answer) = client.get(&status).send().await {
                let body: Value = answer.json().await.unwrap_or_default();
                if body["value"]["ready"] == Value::Bool(true) {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    /// Asks chromedriver to end the session, which closes Chromium and waits for it to exit.
    /// Plain blocking HTTP: this runs in `drop`, where nothing can be awaited.
    fn end_session(&self) {
        let Some(session) = &self.session else { return };
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(2)) else {
            return;
        };
        let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
        let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
        let request = format!(
            "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let _ = stream.read_to_end(&mut Vec::new());
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.end_session();
        match self.watchdog.stdin.take() {
            Some(stdin) => drop(stdin),
            None => {
                let _ = self.watchdog.kill();
            }
        }
        let _ = self.watchdog.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("finding a free port: {e}"))
}

fn read_log(log: &NamedTempFile) -> String {
    let text = std::fs::read_to_string(log.path()).unwrap_or_default();
    format!("chromedriver and Chromium said:\n{text}")
}

/// Signs a staff member in on the pages: the password, then, for a member with two-factor
/// sign-in, a fresh code from their authenticator (computed by the test). Ends on the console.
pub async fn sign_in_staff(b: &Browser, app: &crate::helpers::TestApp, username: &str) {
    b.goto("/lang/vi?next=/staff/sign-in").await;
    b.wait_for_path("/staff/sign-in", WAIT).await;
    b.fill("#username", username).await;
    b.fill("#password", &app.staff_password(username)).await;
    b.submit("form[action='/staff/sign-in']").await;
    if app.totp_enrolled(username) {
        b.wait_for_path("/staff/sign-in/code", WAIT).await;
        let code = app.next_totp_code(username).await;
        b.fill("#code", &code).await;
        b.submit("form[action='/staff/sign-in/code']").await;
    }
    b.wait_for_path("/console", WAIT).await;
}

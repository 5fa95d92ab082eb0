//! Tips (issue 7) through a running server: a tip sealed in Rust to the keys the API hands out
//! opens for the unit and nobody else; the form without JavaScript, which the server seals in
//! memory, leaves no plaintext in the database, its log, the blob store or the logs; anonymous
//! tips keep no address, user agent or session; receipts follow a tip and are rate limited;
//! nobody but the unit's own officers touches its tips; bad input is refused and stores nothing.
//!
//! Every test runs its own demo server with the units' tip keys ([`ketnoi::demo::seed_tips`]),
//! behind a trusted proxy at 127.0.0.1 so that each request names its client in
//! `X-Forwarded-For` and the per-client limits of one request never touch another's.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::atomic::{AtomicU32, Ordering},
};

use ketnoi::demo::{DEMO_TIP_PASSPHRASE, seed_tips};
use ketnoi_seal::{
    AttachmentEntry, Author, Body, Clear, Draft, Envelope, Export, KeyPair, Label, Mode, PlainFile,
    SealedBy, SealedKey, Wrapped, b64u, receipt,
};
use reqwest::{Method, header};
use serde_json::{Value, json};
use sqlx::SqlitePool;

use crate::helpers::{
    TestApp, answer, assert_problem, capture_logs, captured_logs, spawn_app_with,
};
use crate::pages::Visitor;

/// The demo police account tips are sent from in these tests, and its unit.
const ACCOUNT: &str = "ca-vi-xuyen";
/// The commune of that unit.
pub(crate) const AREA: &str = "00913";
/// Where a sealed tip is posted.
const SUBMIT: &str = "/api/v1/accounts/ca-vi-xuyen/tips";
/// The form without JavaScript.
const FALLBACK: &str = "/a/ca-vi-xuyen/tin-bao";
/// The unit's API.
const UNIT: &str = "/api/v1/units/ca-vi-xuyen";
/// The demo officer of the unit, who holds its key.
pub(crate) const OFFICER: &str = "cavixuyen.canbo";

/// Unwraps or panics with what failed.
pub(crate) trait OrPanic<T> {
    fn or_panic(self, what: &str) -> T;
}

impl<T, E: std::fmt::Debug> OrPanic<T> for Result<T, E> {
    #[track_caller]
    fn or_panic(self, what: &str) -> T {
        self.unwrap_or_else(|e| panic!("{what}: {e:?}"))
    }
}

impl<T> OrPanic<T> for Option<T> {
    #[track_caller]
    fn or_panic(self, what: &str) -> T {
        self.unwrap_or_else(|| panic!("{what}: missing"))
    }
}

/// A demo server whose units hold tip keys, trusting `X-Forwarded-For` from 127.0.0.1.
/// Signs a member in on the pages: the password, then, for a member with two-factor sign-in, a
/// code from their authenticator. Answers the last step's status and page.
async fn page_sign_in(v: &mut Visitor<'_>, username: &str, password: &str) -> (u16, String) {
    let (status, page, location) =
        v.post("/staff/sign-in", &[("username", username), ("password", password)]).await;
    let to = location.unwrap_or_default();
    if to.starts_with("/staff/sign-in/code") {
        let code = v.app.next_totp_code(username).await;
        let (status, page, _) = v.post("/staff/sign-in/code", &[("code", &code)]).await;
        return (status.as_u16(), page);
    }
    (status.as_u16(), page)
}

pub(crate) async fn tips_app() -> TestApp {
    let app = spawn_app_with(true, |config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().or_panic("proxy network")];
    })
    .await;
    seed_tips(app.store.as_ref()).await.or_panic("seed tips");
    app
}

/// A client address no other request of this process uses, so that per-client limits do not
/// add up across requests that are not about them.
fn fresh_client() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

/// The date in Vietnam `days` from today, `YYYY-MM-DD`.
fn vn_date(days: i64) -> String {
    let day = time::OffsetDateTime::now_utc().to_offset(ketnoi_core::VIETNAM_OFFSET).date()
        + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day())
}

/// A random hex string of `bytes` bytes.
fn random_hex(bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rand::random::<u8>())).collect()
}

// ---------------------------------------------------------------------------------------------
// Posting tips.

/// One part of a `multipart/form-data` body: a field, or a file when it has a file name.
struct Part {
    name: &'static str,
    file: Option<(String, String)>,
    bytes: Vec<u8>,
}

impl Part {
    fn text(name: &'static str, value: impl Into<String>) -> Self {
        Self { name, file: None, bytes: value.into().into_bytes() }
    }

    fn json(name: &'static str, value: &Value) -> Self {
        Self { name, file: None, bytes: value.to_string().into_bytes() }
    }

    /// A file input's part: its name on the device, media type and content.
    fn file(name: &'static str, file_name: &str, content_type: &str, bytes: Vec<u8>) -> Self {
        Self { name, file: Some((file_name.to_owned(), content_type.to_owned())), bytes }
    }
}

/// The content type and body of a multipart form, under a random boundary.
fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = format!("ketnoi-tips-{}", random_hex(16));
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let head = match &part.file {
            None => format!("content-disposition: form-data; name=\"{}\"\r\n\r\n", part.name),
            Some((file_name, kind)) => format!(
                "content-disposition: form-data; name=\"{}\"; filename=\"{file_name}\"\r\n\
                 content-type: {kind}\r\n\r\n",
                part.name
            ),
        };
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(&part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a multipart form. The request comes from a fresh client address unless `headers`
/// carry an `X-Forwarded-For` of their own.
async fn post_form(
    app: &TestApp,
    path: &str,
    parts: &[Part],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let (content_type, body) = multipart(parts);
    let mut request =
        app.client.post(app.url(path)).header(header::CONTENT_TYPE, content_type).body(body);
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("x-forwarded-for")) {
        request = request.header("x-forwarded-for", fresh_client());
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.or_panic("POST multipart")
}

/// The public keys a tip about `area` is sealed to, as the citizen's browser fetches them
/// (no authentication), after checking that they are the unit's.
pub(crate) async fn recipients(app: &TestApp, area: &str) -> Vec<[u8; ketnoi_seal::PUBLIC_LEN]> {
    let path = format!("/api/v1/accounts/{ACCOUNT}/tips/recipients?area={area}");
    let (status, got) = app.get(&path, None).await;
    assert_eq!(status, 200, "{got}");
    let units = got["units"].as_array().or_panic("units");
    assert_eq!(units.len(), 1, "only the commune's unit receives: {got}");
    assert_eq!(units[0]["code"], ACCOUNT, "{got}");
    units
        .iter()
        .map(|u| {
            let raw = ketnoi_seal::unb64u(u["public"].as_str().or_panic("public")).or_panic("b64u");
            assert_eq!(u["kid"].as_str(), Some(ketnoi_seal::kid(&raw).as_str()));
            raw.try_into().or_panic("65 bytes")
        })
        .collect()
}

/// A tip as a citizen's browser seals it: clear fields, what happened, files, and the receipt
/// code the browser made for it.
pub(crate) struct Tip {
    clear: Clear,
    description: String,
    details: BTreeMap<String, String>,
    files: Vec<PlainFile>,
    code: String,
}

impl Tip {
    /// An anonymous theft in the unit's commune, today, without files.
    pub(crate) fn new(description: &str) -> Self {
        Self {
            clear: Clear {
                account: ACCOUNT.to_owned(),
                category: "theft".to_owned(),
                area: AREA.to_owned(),
                occurred: vn_date(0),
                mode: Mode::Anonymous,
            },
            description: description.to_owned(),
            details: BTreeMap::new(),
            files: Vec::new(),
            code: receipt::new_code(),
        }
    }

    /// The same tip with a file attached.
    pub(crate) fn with_file(mut self, name: &str, bytes: &[u8]) -> Self {
        self.files.push(PlainFile {
            name: name.to_owned(),
            content_type: "text/plain".to_owned(),
            bytes: bytes.to_vec(),
        });
        self
    }

    fn identified(mut self) -> Self {
        self.clear.mode = Mode::Identified;
        self
    }

    fn receipt(&self) -> receipt::Receipt {
        receipt::derive(&self.code).or_panic("derive receipt")
    }

    /// The receipt's proof, as the follow-up page posts it.
    pub(crate) fn proof(&self) -> Value {
        let r = self.receipt();
        json!({"lookup": r.lookup, "auth": r.auth})
    }

    /// Sealed to `keys`: the envelope as JSON and each attachment's ciphertext.
    fn seal(&self, keys: &[[u8; ketnoi_seal::PUBLIC_LEN]]) -> (Value, Vec<Vec<u8>>) {
        let reply_key = self.receipt().reply_key;
        let (envelope, streams) = ketnoi_seal::seal_report(&Draft {
            clear: &self.clear,
            recipients: keys,
            description: &self.description,
            details: &self.details,
            files: &self.files,
            reply_key: &reply_key,
            sealed_by: SealedBy::Browser,
        })
        .or_panic("seal");
        (serde_json::to_value(envelope).or_panic("envelope json"), streams)
    }

    /// The parts the browser posts: `envelope`, `receipt`, one `attachment` per file.
    fn parts(&self, keys: &[[u8; ketnoi_seal::PUBLIC_LEN]]) -> Vec<Part> {
        let (envelope, streams) = self.seal(keys);
        let mut parts =
            vec![Part::json("envelope", &envelope), Part::json("receipt", &self.proof())];
        parts.extend(
            streams
                .into_iter()
                .map(|s| Part::file("attachment", "blob", "application/octet-stream", s)),
        );
        parts
    }
}

/// Posts parts to the sealed-tip route; status and JSON.
async fn submit_parts(app: &TestApp, parts: &[Part], headers: &[(&str, &str)]) -> (u16, Value) {
    answer(Ok(post_form(app, SUBMIT, parts, headers).await)).await
}

/// Seals `tip` to `keys` and posts it from a fresh client; status and JSON.
pub(crate) async fn submit(
    app: &TestApp,
    tip: &Tip,
    keys: &[[u8; ketnoi_seal::PUBLIC_LEN]],
) -> (u16, Value) {
    submit_parts(app, &tip.parts(keys), &[]).await
}

/// Posts JSON as a client at `client`: status, `Retry-After`, body.
async fn post_json_from(
    app: &TestApp,
    path: &str,
    body: &Value,
    client: &str,
) -> (u16, Option<String>, Value) {
    let response = app
        .client
        .post(app.url(path))
        .header("x-forwarded-for", client)
        .json(body)
        .send()
        .await
        .or_panic("POST json");
    let retry = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, body) = answer(Ok(response)).await;
    (status, retry, body)
}

// ---------------------------------------------------------------------------------------------
// Reading tips as the unit.

/// The commune unit's private keys, as its officer's browser gets them.
async fn unit_keys(app: &TestApp, token: &str) -> Vec<KeyPair> {
    unit_keys_at(app, token, UNIT).await
}

/// The private keys of the unit whose API path is `unit` (`/api/v1/units/{code}`), as its
/// officer's browser gets them: the officer's personal key opened with the key passphrase
/// (PBKDF2, so once per call), then each copy of a unit key unwrapped with it.
pub(crate) async fn unit_keys_at(app: &TestApp, token: &str, unit: &str) -> Vec<KeyPair> {
    let (status, keys) = app.get(&format!("{unit}/tip-keys"), Some(token)).await;
    assert_eq!(status, 200, "{keys}");
    let sealed: SealedKey = serde_json::from_value(keys["me"]["key"].clone()).or_panic("my key");
    let personal = ketnoi_seal::open_with_passphrase(&sealed, DEMO_TIP_PASSPHRASE).or_panic("open");
    let copies = keys["me"]["copies"].as_array().or_panic("copies");
    assert!(!copies.is_empty(), "the officer holds the unit key: {keys}");
    copies
        .iter()
        .map(|c| {
            let wrapped: Wrapped = serde_json::from_value(c["wrapped"].clone()).or_panic("wrapped");
            let secret = ketnoi_seal::unwrap(&wrapped, &personal, Label::Unit).or_panic("unwrap");
            let key = KeyPair::from_secret(&secret).or_panic("unit key");
            assert_eq!(c["unit_kid"].as_str(), Some(key.kid().as_str()));
            key
        })
        .collect()
}

/// A tip opened by the unit: the detail the API gave, the body, each attachment.
struct Opened {
    detail: Value,
    body: Body,
    attachments: Vec<(AttachmentEntry, Vec<u8>)>,
}

/// Fetches a tip's detail and attachment ciphertext as the officer and opens them with the
/// unit's keys.
async fn open_tip(app: &TestApp, token: &str, keys: &[KeyPair], id: i64) -> Opened {
    let (status, detail) = app.get(&format!("{UNIT}/tips/{id}"), Some(token)).await;
    assert_eq!(status, 200, "{detail}");
    let envelope: Envelope =
        serde_json::from_value(detail["envelope"].clone()).or_panic("envelope");
    let key = keys
        .iter()
        .find(|k| envelope.recipients.iter().any(|w| w.kid == k.kid()))
        .or_panic("a unit key the tip is sealed to");
    let (body, report_key) = ketnoi_seal::open_report(&envelope, key).or_panic("open report");
    let stored = detail["attachments"].as_array().or_panic("attachments").clone();
    assert_eq!(stored.len(), body.attachments.len(), "{detail}");
    let mut attachments = Vec::new();
    for (entry, a) in body.attachments.iter().zip(&stored) {
        let index = a["index"].as_i64().or_panic("index");
        let ciphertext =
            fetch_bytes(app, token, &format!("{UNIT}/tips/{id}/attachments/{index}")).await;
        assert_eq!(a["size"].as_i64(), Some(ciphertext.len() as i64));
        let plain =
            ketnoi_seal::open_attachment(&report_key, entry, &ciphertext).or_panic("attachment");
        attachments.push((entry.clone(), plain));
    }
    Opened { detail, body, attachments }
}

/// The bytes of a GET as the officer, which must answer 200.
async fn fetch_bytes(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let response = app.client.get(app.url(path)).bearer_auth(token).send().await.or_panic(path);
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.bytes().await.or_panic("bytes").to_vec()
}

/// The ids of the unit's tips, newest first.
async fn tip_ids(app: &TestApp, token: &str) -> Vec<i64> {
    let (status, list) = app.get(&format!("{UNIT}/tips"), Some(token)).await;
    assert_eq!(status, 200, "{list}");
    list["tips"]
        .as_array()
        .or_panic("tips")
        .iter()
        .map(|t| t["id"].as_i64().or_panic("id"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Looking at what the server keeps.

/// A connection of the test's own to the server's SQLite file.
async fn database(app: &TestApp) -> SqlitePool {
    let path = app.db_path.as_ref().or_panic("an SQLite file");
    SqlitePool::connect(&format!("sqlite://{}", path.display())).await.or_panic("connect")
}

async fn tip_count(db: &SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM tips").fetch_one(db).await.or_panic("count")
}

/// Every file under `dir`, with its bytes.
fn files_under(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).or_panic("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path.display().to_string(), bytes));
        }
    }
}

/// Everything the server keeps or says, as bytes: the database folder (the file, its
/// write-ahead log), a `VACUUM INTO` copy of the database, every file of the blob store, and
/// the logs captured in this process.
async fn everything_kept(app: &TestApp, db: &SqlitePool) -> Vec<(String, Vec<u8>)> {
    let mut kept = Vec::new();
    let db_path = app.db_path.as_ref().or_panic("an SQLite file");
    files_under(db_path.parent().or_panic("db folder"), &mut kept);
    assert!(
        kept.iter().any(|(name, bytes)| name.ends_with("-wal") && !bytes.is_empty()),
        "the database runs in WAL mode and its log is searched too"
    );
    let copy_dir = tempfile::tempdir().or_panic("tempdir");
    let copy = copy_dir.path().join("copy.db");
    sqlx::query(&format!("VACUUM INTO '{}'", copy.display())).execute(db).await.or_panic("vacuum");
    kept.push(("VACUUM INTO copy".to_owned(), std::fs::read(&copy).or_panic("read copy")));
    files_under(&app.blob_dir, &mut kept);
    kept.push(("captured logs".to_owned(), captured_logs().into_bytes()));
    kept
}

/// Asserts that none of `needles` occurs anywhere in `kept`, as bytes.
#[track_caller]
fn assert_nowhere(kept: &[(String, Vec<u8>)], needles: &[String]) {
    for needle in needles {
        let needle = needle.as_bytes();
        assert!(!needle.is_empty());
        for (name, bytes) in kept {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{:?} found in {name}",
                String::from_utf8_lossy(needle)
            );
        }
    }
}

/// A string with its lower- and upper-case forms.
fn cases(text: &str) -> Vec<String> {
    vec![text.to_owned(), text.to_lowercase(), text.to_uppercase()]
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[tokio::test]
async fn a_tip_sealed_to_the_keys_the_api_gives_opens_for_the_unit_with_its_attachment_and_export()
{
    let app = tips_app().await;
    let keys = recipients(&app, AREA).await;
    let mut tip = Tip::new("Có người bẻ khóa xe máy trước chợ lúc 21 giờ, hai người, mũ đỏ.");
    tip.details.insert("place".into(), "Trước cổng chợ Vị Xuyên".into());
    // Longer than one 64 KiB chunk, so the stream has two.
    let photo: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    tip.files.push(PlainFile {
        name: "ảnh xe.bin".into(),
        content_type: "application/octet-stream".into(),
        bytes: photo.clone(),
    });
    let (status, sent) = submit(&app, &tip, &keys).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent, json!({"received": true, "units": ["Công an xã Vị Xuyên"]}));

    let officer = app.staff_token_2fa(OFFICER).await;
    let (status, list) = app.get(&format!("{UNIT}/tips"), Some(&officer)).await;
    assert_eq!(status, 200, "{list}");
    let rows = list["tips"].as_array().or_panic("tips");
    assert_eq!(rows.len(), 1, "{list}");
    let row = &rows[0];
    assert_eq!(
        (&row["category"], &row["area"], &row["occurred"], &row["anonymous"], &row["status"]),
        (
            &json!("theft"),
            &json!(AREA),
            &json!(tip.clear.occurred),
            &json!(true),
            &json!("received")
        ),
        "{row}"
    );
    assert_eq!((row["attachments"].as_i64(), row["messages"].as_i64()), (Some(1), Some(0)));
    let id = row["id"].as_i64().or_panic("id");

    let unit = unit_keys(&app, &officer).await;
    let opened = open_tip(&app, &officer, &unit, id).await;
    assert_eq!(opened.body.description, tip.description);
    assert_eq!(opened.body.details, tip.details);
    assert_eq!(opened.body.sealed_by, SealedBy::Browser);
    assert_eq!(opened.body.reply_key, b64u(tip.receipt().reply_key.as_slice()));
    assert_eq!(opened.attachments.len(), 1);
    assert_eq!(opened.attachments[0].0.name, "ảnh xe.bin");
    assert!(opened.attachments[0].1 == photo, "the attachment opens to the file sent");
    assert!(opened.detail["citizen"].is_null(), "{}", opened.detail);

    // The export opens offline with the unit key file's keys.
    let (status, export) = app.get(&format!("{UNIT}/tips/{id}/export"), Some(&officer)).await;
    assert_eq!(status, 200, "{export}");
    let export: Export = serde_json::from_value(export).or_panic("export");
    assert_eq!((export.v, export.tip, export.status.as_str()), (1, id, "received"));
    let decrypted = ketnoi_seal::decrypt_export(&export, &unit).or_panic("decrypt export");
    assert_eq!(decrypted.clear, tip.clear);
    assert_eq!(decrypted.body.description, tip.description);
    assert!(decrypted.attachments.len() == 1 && decrypted.attachments[0].1 == photo);
    // A key that is not the unit's opens nothing.
    assert!(ketnoi_seal::decrypt_export(&export, &[KeyPair::generate()]).is_err());

    // Each opening is in the unit's audit log (issue 20), under the officer, and no entry
    // holds a word of the tip.
    let admin = app.staff_token("quantri").await;
    let (status, log) = app.get("/api/v1/agencies/ca-vi-xuyen/audit", Some(&admin)).await;
    assert_eq!(status, 200, "{log}");
    let object = format!("tip:{id}");
    let list = log["entries"].as_array().or_panic("entries");
    for action in ["tip-opened", "tip-attachment-opened", "tip-exported"] {
        assert!(
            list.iter().any(|e| e["action"] == action
                && e["object"] == object.as_str()
                && e["actor"].as_str().is_some_and(|a| a.starts_with("staff:"))),
            "no {action} entry: {log}"
        );
    }
    let all = app.store.audit_after(0, 10_000).await.or_panic("audit");
    let text = serde_json::to_string(&all).or_panic("json");
    assert!(!text.contains("bẻ khóa") && !text.contains("Vị Xuyên"), "tip text in the log");
}

/// Posts the form without JavaScript as a same-origin browser page; status and page.
async fn post_fallback(app: &TestApp, parts: &[Part], headers: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![("sec-fetch-site", "same-origin"), ("accept-language", "vi")];
    all.extend_from_slice(headers);
    let response = post_form(app, FALLBACK, parts, &all).await;
    let status = response.status().as_u16();
    (status, response.text().await.or_panic("page"))
}

/// The fields of the form without JavaScript, for an anonymous theft today in the commune.
fn fallback_fields(description: &str, place: &str) -> Vec<Part> {
    vec![
        Part::text("category", "theft"),
        Part::text("area", AREA),
        Part::text("occurred_date", vn_date(0)),
        Part::text("occurred_time", ""),
        Part::text("description", description),
        Part::text("place", place),
        Part::text("mode", "anonymous"),
        Part::text("lang", "vi"),
    ]
}

/// The receipt code a sent page shows.
fn code_on_page(page: &str) -> String {
    let code = page
        .split("data-tip-code>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .or_panic("a receipt code on the page")
        .trim()
        .to_owned();
    assert!(receipt::parse(&code).is_ok() && code.len() == 19, "{code:?}");
    code
}

#[tokio::test]
async fn a_tip_the_server_seals_leaves_no_plaintext_in_the_database_blobs_or_logs() {
    capture_logs();
    let app = tips_app().await;
    let canary = format!("CANARY-{}", random_hex(12));
    let file_name = format!("{canary}.txt");
    let mut parts = fallback_fields(
        &format!("Thấy người lạ {canary} dò xe trong hẻm."),
        &format!("Hẻm 12 {canary}"),
    );
    parts.push(Part::file(
        "attachment",
        &file_name,
        "text/plain",
        format!("ghi chú: biển số {canary} màu đen\n").into_bytes(),
    ));
    let (status, page) = post_fallback(&app, &parts, &[]).await;
    assert_eq!(status, 201, "{page}");
    let code = code_on_page(&page);
    assert!(page.contains("Công an xã Vị Xuyên"), "{page}");

    // The code shown works for the follow-up.
    let proof = {
        let r = receipt::derive(&code).or_panic("derive");
        json!({"lookup": r.lookup, "auth": r.auth})
    };
    let (status, _, followed) =
        post_json_from(&app, "/api/v1/tips/receipt", &proof, &fresh_client()).await;
    assert_eq!((status, followed["status"].as_str()), (200, Some("received")), "{followed}");

    let db = database(&app).await;
    assert_eq!(tip_count(&db).await, 1);
    let kept = everything_kept(&app, &db).await;
    assert!(
        captured_logs().contains("new tip"),
        "the server's logs are captured (else the search below proves nothing)"
    );
    let mut needles = cases(&canary);
    needles.push(canary.trim_start_matches("CANARY-").to_owned());
    // The code is shown once and kept nowhere, in either of its written forms.
    needles.push(code.clone());
    needles.push(code.replace('-', ""));
    needles.push(proof["auth"].as_str().or_panic("auth").to_owned());
    assert_nowhere(&kept, &needles);

    // What the search looked for is in the tip, for the unit.
    let officer = app.staff_token_2fa(OFFICER).await;
    let unit = unit_keys(&app, &officer).await;
    let ids = tip_ids(&app, &officer).await;
    assert_eq!(ids.len(), 1);
    let opened = open_tip(&app, &officer, &unit, ids[0]).await;
    assert_eq!(opened.body.sealed_by, SealedBy::Server);
    assert!(opened.body.description.contains(&canary), "{:?}", opened.body);
    assert!(opened.body.details.get("place").is_some_and(|p| p.contains(&canary)));
    assert_eq!(opened.attachments.len(), 1);
    let (entry, bytes) = &opened.attachments[0];
    assert_eq!(
        (entry.name.as_str(), entry.content_type.as_str()),
        (file_name.as_str(), "text/plain")
    );
    assert!(String::from_utf8_lossy(bytes).contains(&canary));
}

#[tokio::test]
async fn anonymous_tips_keep_no_address_user_agent_or_session_and_identified_ones_need_one() {
    capture_logs();
    let app = tips_app().await;
    let keys = recipients(&app, AREA).await;
    let db = database(&app).await;
    let clients = [
        ("203.0.113.77", "KetnoiProbe/1.0 (tip-ua-7f3a2c)"),
        ("2001:db8::4242", "Mozilla/5.0 (X11; Linux) ProbeAgent-91c2e0"),
        ("198.51.100.23", "Dalvik/2.1.0 (Linux; U; Android 14; ua-probe-55d1)"),
    ];
    for (address, agent) in clients {
        let tip = Tip::new("Có đối tượng buôn bán hàng cấm ở bến xe.");
        let headers = [("x-forwarded-for", address), ("user-agent", agent)];
        let (status, sent) = submit_parts(&app, &tip.parts(&keys), &headers).await;
        assert_eq!(status, 201, "{address}: {sent}");
    }
    // And through the form the server seals.
    let (fallback_address, fallback_agent) = ("192.0.2.155", "Lynx/2.9 probe-fallback-0c1d");
    let (status, page) = post_fallback(
        &app,
        &fallback_fields("Có tiếng ồn lạ trong kho cả đêm.", ""),
        &[("x-forwarded-for", fallback_address), ("user-agent", fallback_agent)],
    )
    .await;
    assert_eq!(status, 201, "{page}");
    assert_eq!(tip_count(&db).await, 4);

    let kept = everything_kept(&app, &db).await;
    let mut needles: Vec<String> = clients
        .iter()
        .flat_map(|(address, agent)| [address.to_string(), agent.to_string()])
        .collect();
    needles.extend([
        fallback_address.to_owned(),
        fallback_agent.to_owned(),
        "2001:0db8:0000:0000:0000:0000:0000:4242".to_owned(),
        "tip-ua-7f3a2c".to_owned(),
    ]);
    assert_nowhere(&kept, &needles);

    // An anonymous tip sent with a citizen's session names nobody.
    let citizen = app.citizen_token("0912000001").await;
    let cookie = format!("{}={citizen}", ketnoi_server::kernel::auth::SESSION_COOKIE);
    let with_cookie = Tip::new("Tôi thấy người ta đổ trộm rác thải xuống suối.");
    let headers = [("cookie", cookie.as_str()), ("sec-fetch-site", "same-origin")];
    let (status, sent) = submit_parts(&app, &with_cookie.parts(&keys), &headers).await;
    assert_eq!(status, 201, "{sent}");
    // The newest tip: storage keeps a receipt's lookup id only keyed, so it cannot be found by it.
    let citizen_of = |_sent: String| {
        let db = db.clone();
        async move {
            sqlx::query_as::<_, (Option<i64>, bool)>(
                "SELECT citizen_id, anonymous FROM tips ORDER BY id DESC LIMIT 1",
            )
            .fetch_one(&db)
            .await
            .or_panic("tip row")
        }
    };
    assert_eq!(citizen_of(with_cookie.receipt().lookup).await, (None, true));
    // Even with the bearer token, an anonymous tip names nobody.
    let with_bearer = Tip::new("Xe tải chở gỗ lậu đi qua cầu lúc nửa đêm.");
    let auth = format!("Bearer {citizen}");
    let (status, sent) =
        submit_parts(&app, &with_bearer.parts(&keys), &[("authorization", auth.as_str())]).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(citizen_of(with_bearer.receipt().lookup).await, (None, true));

    // An identified tip names the citizen whose session sent it, and needs one.
    let identified = Tip::new("Tôi là người bị mất xe, xin liên hệ lại.").identified();
    let (status, sent) =
        submit_parts(&app, &identified.parts(&keys), &[("authorization", auth.as_str())]).await;
    assert_eq!(status, 201, "{sent}");
    let (citizen_id, anonymous) = citizen_of(identified.receipt().lookup).await;
    assert!(citizen_id.is_some() && !anonymous, "{citizen_id:?}");
    let officer = app.staff_token_2fa(OFFICER).await;
    let newest = tip_ids(&app, &officer).await[0];
    let (status, detail) = app.get(&format!("{UNIT}/tips/{newest}"), Some(&officer)).await;
    assert_eq!(status, 200, "{detail}");
    let phone: String = detail["citizen"]["phone"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert_eq!(phone, "0912000001", "{detail}");
    assert_eq!(detail["tip"]["anonymous"], false);

    let before = tip_count(&db).await;
    let nobody = Tip::new("Không đăng nhập.").identified();
    assert_problem(&submit(&app, &nobody, &keys).await, 401, "unauthenticated");
    // A page of another site cannot send an identified tip in the citizen's name.
    let forged = Tip::new("Giả mạo.").identified();
    let headers = [("cookie", cookie.as_str()), ("sec-fetch-site", "cross-site")];
    assert_problem(&submit_parts(&app, &forged.parts(&keys), &headers).await, 403, "csrf-rejected");
    assert_eq!(tip_count(&db).await, before, "a refused tip is not stored");
}

#[tokio::test]
async fn a_receipt_follows_its_tip_carries_sealed_replies_and_wrong_codes_are_limited() {
    let app = tips_app().await;
    let keys = recipients(&app, AREA).await;
    let tip = Tip::new("Có người lạ theo dõi nhà tôi nhiều ngày.");
    let (status, sent) = submit(&app, &tip, &keys).await;
    assert_eq!(status, 201, "{sent}");
    let proof = tip.proof();
    let me = fresh_client();
    let (status, _, followed) = post_json_from(&app, "/api/v1/tips/receipt", &proof, &me).await;
    assert_eq!(status, 200, "{followed}");
    assert_eq!(
        (&followed["status"], &followed["category"], &followed["area"], &followed["messages"]),
        (&json!("received"), &json!("theft"), &json!(AREA), &json!([])),
        "{followed}"
    );

    // The unit replies, sealed under the reply key the body carries.
    let officer = app.staff_token_2fa(OFFICER).await;
    let unit = unit_keys(&app, &officer).await;
    let id = tip_ids(&app, &officer).await[0];
    let opened = open_tip(&app, &officer, &unit, id).await;
    let reply_key = opened.body.reply_key().or_panic("reply key");
    let reply = "Công an xã đã nhận tin, cảm ơn bạn. Xin cho biết thêm biển số xe nếu có.";
    let sealed = ketnoi_seal::seal_message(&reply_key, Author::Unit, reply).or_panic("seal");
    let (status, answered) = app
        .send(
            Method::POST,
            &format!("{UNIT}/tips/{id}/messages"),
            Some(&officer),
            Some(json!({"sealed": sealed})),
        )
        .await;
    assert_eq!(status, 201, "{answered}");

    let (status, _, followed) = post_json_from(&app, "/api/v1/tips/receipt", &proof, &me).await;
    assert_eq!(status, 200, "{followed}");
    let messages = followed["messages"].as_array().or_panic("messages");
    assert_eq!((messages.len(), &messages[0]["author"]), (1, &json!("unit")), "{followed}");
    let sealed: ketnoi_seal::Sealed =
        serde_json::from_value(messages[0]["sealed"].clone()).or_panic("sealed");
    let mine = tip.receipt().reply_key;
    assert_eq!(ketnoi_seal::open_message(&mine, Author::Unit, &sealed).or_panic("open"), reply);
    let other = receipt::derive(&receipt::new_code()).or_panic("other").reply_key;
    assert!(ketnoi_seal::open_message(&other, Author::Unit, &sealed).is_err());
    assert!(ketnoi_seal::open_message(&mine, Author::Reporter, &sealed).is_err());

    // The reporter adds information with the code's proof.
    let addition = "Biển số 23B1-456.78, xe màu đen.";
    let sealed = ketnoi_seal::seal_message(&mine, Author::Reporter, addition).or_panic("seal");
    let mut added = proof.clone();
    added["sealed"] = serde_json::to_value(&sealed).or_panic("json");
    let (status, _, body) =
        post_json_from(&app, "/api/v1/tips/receipt/messages", &added, &me).await;
    assert_eq!(status, 201, "{body}");
    let opened = open_tip(&app, &officer, &unit, id).await;
    let messages = opened.detail["messages"].as_array().or_panic("messages");
    assert_eq!(messages.len(), 2, "{}", opened.detail);
    assert_eq!(messages[1]["author"], "reporter");
    let sealed: ketnoi_seal::Sealed =
        serde_json::from_value(messages[1]["sealed"].clone()).or_panic("sealed");
    assert_eq!(
        ketnoi_seal::open_message(&reply_key, Author::Reporter, &sealed).or_panic("open"),
        addition
    );

    // Without JavaScript the follow-up page opens the messages in memory, for that code only.
    let follow = |code: String, client: String| {
        let app = &app;
        async move {
            let response = app
                .client
                .post(app.url("/tin-bao/theo-doi"))
                .header("x-forwarded-for", client)
                .header("sec-fetch-site", "same-origin")
                .form(&[("code", code.as_str()), ("lang", "vi")])
                .send()
                .await
                .or_panic("follow");
            let status = response.status().as_u16();
            (status, response.text().await.or_panic("page"))
        }
    };
    let (status, page) = follow(tip.code.to_lowercase(), me.clone()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(reply) && page.contains(addition), "{page}");
    let (status, page) = follow(receipt::new_code(), fresh_client()).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Không tìm thấy tin báo với mã này") && !page.contains(reply), "{page}");

    // Only an Argon2id hash of the authentication secret is stored, and the lookup id keyed
    // under the server's secret; the code, its secret, its plain lookup id and its reply key
    // are nowhere.
    let db = database(&app).await;
    let hash: String =
        sqlx::query_scalar("SELECT receipt_hash FROM tips").fetch_one(&db).await.or_panic("hash");
    let auth = proof["auth"].as_str().or_panic("auth").to_owned();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(&auth), "{hash}");
    let kept = everything_kept(&app, &db).await;
    assert_nowhere(
        &kept,
        &[
            tip.code.clone(),
            tip.code.replace('-', ""),
            auth.clone(),
            tip.receipt().lookup,
            b64u(mine.as_slice()),
        ],
    );

    // Ten wrong codes from one client, then that client is refused even the right one.
    let guesser = "198.51.100.200";
    let random_proof = || json!({"lookup": b64u(&rand::random::<[u8; 16]>()), "auth": b64u(&rand::random::<[u8; 32]>())});
    for i in 0..10 {
        let (status, _, body) =
            post_json_from(&app, "/api/v1/tips/receipt", &random_proof(), guesser).await;
        assert_eq!(status, 404, "try {i}: {body}");
    }
    let (status, retry, body) =
        post_json_from(&app, "/api/v1/tips/receipt", &random_proof(), guesser).await;
    assert_eq!(status, 429, "{body}");
    assert!(
        retry.as_deref().and_then(|r| r.parse::<u64>().ok()).is_some_and(|s| s > 0),
        "{retry:?}"
    );
    let (status, retry, body) = post_json_from(&app, "/api/v1/tips/receipt", &proof, guesser).await;
    assert_eq!((status, retry.is_some()), (429, true), "the right code too: {body}");
    let (status, _, body) =
        post_json_from(&app, "/api/v1/tips/receipt/messages", &added, guesser).await;
    assert_eq!(status, 429, "{body}");
    let (status, page) = follow(tip.code.clone(), guesser.to_owned()).await;
    assert_eq!(status, 429, "the page without JavaScript shares the limit: {page}");
    assert!(!page.contains(reply), "{page}");
    // Another client is not affected.
    let (status, _, body) = post_json_from(&app, "/api/v1/tips/receipt", &proof, &me).await;
    assert_eq!(status, 200, "{body}");
    // A wrong proof adds nothing.
    let mut wrong = added.clone();
    wrong["auth"] = json!(b64u(&rand::random::<[u8; 32]>()));
    let (status, _, body) =
        post_json_from(&app, "/api/v1/tips/receipt/messages", &wrong, &fresh_client()).await;
    assert_eq!(status, 404, "{body}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tip_messages")
        .fetch_one(&db)
        .await
        .or_panic("count");
    assert_eq!(count, 2);
}

/// Creates an officer of another commune's police and signs them in; the API token.
pub(crate) async fn other_unit_officer(app: &TestApp) -> (&'static str, String, String) {
    let (username, password) = ("cathanhthuy.canbo", "mat-khau-thu-nghiem-2026");
    ketnoi::admin::create_staff(
        app.store.as_ref(),
        username,
        "Lò Văn Thử",
        password,
        false,
        &[("ca-thanh-thuy".to_owned(), ketnoi_core::Role::Officer)],
    )
    .await
    .or_panic("create staff");
    let (status, signed) = app
        .post("/api/v1/auth/staff/sign-in", json!({"username": username, "password": password}))
        .await;
    assert_eq!(status, 200, "{signed}");
    let token = signed["token"].as_str().or_panic("token").to_owned();
    app.enrol_2fa(username, &token).await;
    (username, password.to_owned(), token)
}

#[tokio::test]
async fn only_the_units_own_officers_reach_its_tips_keys_and_settings() {
    let app = tips_app().await;
    let keys = recipients(&app, AREA).await;
    let mut tip = Tip::new("Có người bán ma túy ở quán nước đầu ngõ.");
    tip.files.push(PlainFile {
        name: "a.txt".into(),
        content_type: "text/plain".into(),
        bytes: b"x".to_vec(),
    });
    let (status, sent) = submit(&app, &tip, &keys).await;
    assert_eq!(status, 201, "{sent}");
    let officer = app.staff_token_2fa(OFFICER).await;
    let id = tip_ids(&app, &officer).await[0];
    let (_, before) = app.get(&format!("{UNIT}/tip-keys"), Some(&officer)).await;
    let holder = before["me"]["staff"].as_i64().or_panic("staff");

    // Bodies that are well formed, so that only who asks decides the answer.
    let w = |n: usize| b64u(&vec![7u8; n]);
    let wrapped = json!({"kid": w(16), "epk": w(65), "nonce": w(12), "ct": w(48)});
    let new_key = KeyPair::generate();
    let sealed_key =
        ketnoi_seal::seal_with_passphrase(&new_key, "không ai biết").or_panic("seal key");
    let endpoints: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("{UNIT}/tips"), None),
        (Method::GET, format!("{UNIT}/tips/{id}"), None),
        (Method::GET, format!("{UNIT}/tips/{id}/attachments/0"), None),
        (Method::GET, format!("{UNIT}/tips/{id}/export"), None),
        (
            Method::POST,
            format!("{UNIT}/tips/{id}/messages"),
            Some(json!({"sealed": {"nonce": w(12), "ct": w(40)}})),
        ),
        (Method::POST, format!("{UNIT}/tips/{id}/status"), Some(json!({"status": "verifying"}))),
        (Method::GET, format!("{UNIT}/tip-keys"), None),
        (
            Method::POST,
            format!("{UNIT}/tip-keys"),
            Some(
                json!({"kid": new_key.kid(), "public": b64u(&new_key.public()), "copies": [{"staff": holder, "wrapped": wrapped}]}),
            ),
        ),
        (
            Method::PUT,
            format!("{UNIT}/tip-keys/mine"),
            Some(serde_json::to_value(&sealed_key).or_panic("json")),
        ),
        (
            Method::POST,
            format!("{UNIT}/tip-keys/grants"),
            Some(
                json!({"copies": [{"unit_kid": keys_kid(&before), "staff": holder, "wrapped": wrapped}]}),
            ),
        ),
        (Method::DELETE, format!("{UNIT}/tip-keys/grants/{holder}"), None),
        (Method::PUT, format!("{UNIT}/tip-settings"), Some(json!({"copy_parent": true}))),
    ];

    let (_, other_password, other_token) = other_unit_officer(&app).await;
    let mut outsiders = Vec::new();
    for username in ["quantri", "ubndvixuyen.xem", "catinh.admin"] {
        // The province's administrator reads the province's tips, so signs in with TOTP.
        let token = if username == "catinh.admin" {
            app.staff_token_2fa(username).await
        } else {
            app.staff_token(username).await
        };
        outsiders.push((username, token));
    }
    outsiders.push(("cathanhthuy.canbo", other_token));
    for (method, path, body) in &endpoints {
        for (who, token) in &outsiders {
            let got = app.send(method.clone(), path, Some(token), body.clone()).await;
            assert_eq!(got.0, 403, "{who} {method} {path}: {}", got.1);
            assert_problem(&got, 403, "forbidden");
        }
        let got = app.send(method.clone(), path, None, body.clone()).await;
        assert_eq!(got.0, 401, "nobody {method} {path}: {}", got.1);
        assert_problem(&got, 401, "unauthenticated");
    }

    // The province's administrator handles the province's tips, and cannot reach the commune's
    // tip through them.
    let province = "/api/v1/units/ca-tuyen-quang";
    let admin = &outsiders[2].1;
    let (status, list) = app.get(&format!("{province}/tips"), Some(admin)).await;
    assert_eq!((status, &list["tips"]), (200, &json!([])), "{list}");
    for (method, path, body) in [
        (Method::GET, format!("{province}/tips/{id}"), None),
        (Method::GET, format!("{province}/tips/{id}/attachments/0"), None),
        (Method::GET, format!("{province}/tips/{id}/export"), None),
        (Method::POST, format!("{province}/tips/{id}/messages"), endpoints[4].2.clone()),
        (Method::POST, format!("{province}/tips/{id}/status"), endpoints[5].2.clone()),
    ] {
        let got = app.send(method.clone(), &path, Some(admin), body).await;
        assert_problem(&got, 404, "not-found");
    }

    // Nothing of it happened.
    let (_, after) = app.get(&format!("{UNIT}/tip-keys"), Some(&officer)).await;
    assert_eq!(before, after, "keys, copies and settings are as they were");
    let (status, list) = app.get(&format!("{UNIT}/tips"), Some(&officer)).await;
    assert_eq!(status, 200);
    assert_eq!(
        (&list["tips"][0]["status"], &list["tips"][0]["messages"]),
        (&json!("received"), &json!(0)),
        "{list}"
    );

    // The console pages answer the same.
    let pages = [
        "/console/don-vi/ca-vi-xuyen/tin-bao".to_owned(),
        format!("/console/don-vi/ca-vi-xuyen/tin-bao/{id}"),
        "/console/don-vi/ca-vi-xuyen/khoa-tin-bao".to_owned(),
    ];
    let mut people: Vec<(&str, String)> = ["quantri", "ubndvixuyen.xem", "catinh.admin"]
        .into_iter()
        .map(|u| (u, app.staff_password(u)))
        .collect();
    people.push(("cathanhthuy.canbo", other_password));
    people.push((OFFICER, app.staff_password(OFFICER)));
    for (username, password) in &people {
        let mut v = Visitor::new(&app);
        let (status, page) = page_sign_in(&mut v, username, password).await;
        assert_eq!(status, 303, "{username} signs in: {page}");
        let expected = if *username == OFFICER { 200 } else { 403 };
        for path in &pages {
            let (status, page, _) = v.get(path).await;
            assert_eq!(status.as_u16(), expected, "{username} {path}: {page}");
            if expected == 403 {
                assert!(!page.contains("Có người bán"), "{page}");
            }
        }
    }
    let mut nobody = Visitor::new(&app);
    for path in &pages {
        let (status, _, headers) = nobody.get(path).await;
        assert_eq!(status.as_u16(), 303, "{path}");
        let to = headers.get(header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default();
        assert!(to.starts_with("/staff/sign-in"), "{to}");
    }
}

/// The current unit key's id in a keys view.
fn keys_kid(view: &Value) -> String {
    view["keys"][0]["kid"].as_str().or_panic("kid").to_owned()
}

#[tokio::test]
async fn bad_tips_are_refused_with_their_reason_and_leave_nothing_behind() {
    let app = tips_app().await;
    let keys = recipients(&app, AREA).await;
    let db = database(&app).await;
    let mut blobs_before = Vec::new();
    files_under(&app.blob_dir, &mut blobs_before);
    let file = PlainFile {
        name: "x.txt".into(),
        content_type: "text/plain".into(),
        bytes: b"tang vat".to_vec(),
    };

    // Sealed to a key that is not the unit's current one.
    let mut stale = Tip::new("Khóa cũ.");
    stale.files.push(file.clone());
    assert_problem(
        &submit(&app, &stale, &[KeyPair::generate().public()]).await,
        422,
        "tip-stale-keys",
    );
    // Sealed to the unit's key and another one too.
    let both = [keys[0], KeyPair::generate().public()];
    assert_problem(&submit(&app, &Tip::new("Thừa khóa."), &both).await, 422, "tip-stale-keys");

    let mut category = Tip::new("Loại lạ.");
    category.clear.category = "alien-invasion".into();
    category.files.push(file.clone());
    assert_problem(&submit(&app, &category, &keys).await, 422, "tip-bad-category");

    let mut outside = Tip::new("Ở phường khác.");
    outside.clear.area = "00694".into();
    assert_problem(&submit(&app, &outside, &keys).await, 422, "tip-area-outside");
    let mut unknown = Tip::new("Nơi không có.");
    unknown.clear.area = "99999".into();
    let got = submit(&app, &unknown, &keys).await;
    assert_eq!(got.0, 422, "{}", got.1);

    let mut future = Tip::new("Ngày mai kia.");
    future.clear.occurred = vn_date(3);
    assert_problem(&submit(&app, &future, &keys).await, 422, "tip-bad-occurred");
    let mut garbled = Tip::new("Ngày sai.");
    garbled.clear.occurred = "31/12/2025".into();
    assert_problem(&submit(&app, &garbled, &keys).await, 422, "tip-bad-occurred");

    let mut elsewhere = Tip::new("Tài khoản khác.");
    elsewhere.clear.account = "ca-thanh-thuy".into();
    assert_problem(&submit(&app, &elsewhere, &keys).await, 422, "tip-wrong-account");

    let good = Tip::new("Đúng cả.");
    for envelope in
        [b"{not json".to_vec(), br#"{"v":1,"clear":{}}"#.to_vec(), br#"{"v":2}"#.to_vec()]
    {
        let parts = [
            Part { name: "envelope", file: None, bytes: envelope },
            Part::json("receipt", &good.proof()),
        ];
        assert_problem(&submit_parts(&app, &parts, &[]).await, 422, "tip-bad-envelope");
    }
    // A body too short to hold even its tag.
    let (mut envelope, _) = good.seal(&keys);
    envelope["body"]["ct"] = json!(b64u(&[1u8; 4]));
    let parts = [Part::json("envelope", &envelope), Part::json("receipt", &good.proof())];
    assert_problem(&submit_parts(&app, &parts, &[]).await, 422, "tip-bad-envelope");

    // No receipt, or one that is not a receipt.
    let (envelope, _) = good.seal(&keys);
    let parts = [Part::json("envelope", &envelope)];
    assert_problem(&submit_parts(&app, &parts, &[]).await, 422, "tip-bad-receipt");
    let parts = [
        Part::json("envelope", &envelope),
        Part::json("receipt", &json!({"lookup": "x", "auth": "y"})),
    ];
    assert_problem(&submit_parts(&app, &parts, &[]).await, 422, "tip-bad-receipt");

    assert_eq!(tip_count(&db).await, 0, "nothing refused is stored");
    let mut blobs_after = Vec::new();
    files_under(&app.blob_dir, &mut blobs_after);
    assert_eq!(blobs_after.len(), blobs_before.len(), "no attachment is left in the blob store");

    // The same receipt twice: the second is refused, the first stays, and the second's
    // attachment is not left behind.
    let mut good = good;
    good.files.push(file.clone());
    assert_eq!(submit(&app, &good, &keys).await.0, 201);
    assert_problem(&submit(&app, &good, &keys).await, 422, "tip-bad-receipt");
    assert_eq!(tip_count(&db).await, 1);
    let mut blobs_after = Vec::new();
    files_under(&app.blob_dir, &mut blobs_after);
    assert_eq!(blobs_after.len(), blobs_before.len() + 1, "only the stored tip's attachment");

    // The form without JavaScript says in Vietnamese what is missing.
    let (status, page) = post_fallback(&app, &fallback_fields("   ", "Chợ"), &[]).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Vui lòng mô tả sự việc."), "{page}");
    assert!(page.contains("Chợ"), "the form keeps what was typed: {page}");
    assert_eq!(tip_count(&db).await, 1);
}

#[tokio::test]
async fn wrong_receipt_codes_sent_all_at_once_get_no_more_tries_than_one_after_another() {
    let app = tips_app().await;
    let guesser = "198.51.100.201";
    let tries = (0..30).map(|_| {
        let proof = json!({
            "lookup": b64u(&rand::random::<[u8; 16]>()),
            "auth": b64u(&rand::random::<[u8; 32]>()),
        });
        let app = &app;
        async move { post_json_from(app, "/api/v1/tips/receipt", &proof, guesser).await.0 }
    });
    let statuses = futures_util::future::join_all(tries).await;
    let checked = statuses.iter().filter(|s| **s == 404).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, statuses.len(), "{statuses:?}");
    assert!(
        checked <= 10,
        "{checked} wrong codes were checked for one client, past the limit of ten: {statuses:?}"
    );
}

#[tokio::test]
async fn an_exported_tip_decrypts_offline_with_the_unit_key_file_and_nothing_else() {
    let app = tips_app().await;
    let keys = recipients(&app, AREA).await;
    let mut tip = Tip::new("Có đối tượng lừa đảo qua mạng, số tài khoản 0123 456 789.");
    tip.clear.category = "fraud".into();
    let file: Vec<u8> = (0..70_000u32).map(|i| (i * 13 % 251) as u8).collect();
    tip.files.push(PlainFile {
        name: "tin nhắn lừa đảo.png".into(),
        content_type: "image/png".into(),
        bytes: file.clone(),
    });
    let (status, sent) = submit(&app, &tip, &keys).await;
    assert_eq!(status, 201, "{sent}");
    let officer = app.staff_token_2fa(OFFICER).await;
    let id = tip_ids(&app, &officer).await[0];
    let (status, export) = app.get(&format!("{UNIT}/tips/{id}/export"), Some(&officer)).await;
    assert_eq!(status, 200, "{export}");

    let dir = tempfile::tempdir().or_panic("temp dir");
    let write = |name: &str, value: &Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(value).or_panic("json")).or_panic("write");
        path.display().to_string()
    };
    let unit = unit_keys(&app, &officer).await;
    let key_file =
        ketnoi_seal::UnitKeyFile::Many(unit.iter().map(ketnoi_seal::UnitKeyEntry::new).collect());
    let key_path = write("khoa.json", &serde_json::to_value(&key_file).or_panic("key file"));
    let export_path = write("tin-bao.json", &export);
    let out_dir = dir.path().join("tep");
    let out = crate::cli::ketnoi(
        dir.path(),
        &[
            "tips",
            "decrypt",
            "--key",
            &key_path,
            &export_path,
            "--out",
            &out_dir.display().to_string(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&tip.description), "{stdout}");
    assert!(stdout.contains("fraud") && stdout.contains(AREA), "{stdout}");
    let written: Vec<_> = std::fs::read_dir(&out_dir).or_panic("out dir").flatten().collect();
    assert_eq!(written.len(), 1);
    assert!(std::fs::read(written[0].path()).or_panic("attachment") == file);

    // Another unit's key opens nothing, and says so.
    let other = ketnoi_seal::UnitKeyFile::One(ketnoi_seal::UnitKeyEntry::new(&KeyPair::generate()));
    let other_path = write("khac.json", &serde_json::to_value(&other).or_panic("key file"));
    let out =
        crate::cli::ketnoi(dir.path(), &["tips", "decrypt", "--key", &other_path, &export_path]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("không khóa nào"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("lừa đảo"));

    // A changed byte is caught.
    let mut altered = export.clone();
    let ct = altered["envelope"]["body"]["ct"].as_str().or_panic("ct").to_owned();
    let (first, rest) = ct.split_at(1);
    let flipped = format!("{}{rest}", if first == "A" { "B" } else { "A" });
    altered["envelope"]["body"]["ct"] = Value::String(flipped);
    let altered_path = write("doi.json", &altered);
    let out =
        crate::cli::ketnoi(dir.path(), &["tips", "decrypt", "--key", &key_path, &altered_path]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("đã bị thay đổi"), "{stderr}");
}

#[tokio::test]
async fn police_accounts_offer_the_tip_form_on_their_page_and_in_chat_and_others_do_not() {
    let app = tips_app().await;
    let page = |path: &'static str| {
        let app = &app;
        async move {
            let r = app.client.get(app.url(path)).send().await.or_panic("get");
            (r.status().as_u16(), r.text().await.or_panic("body"))
        }
    };
    let (status, police) = page("/a/ca-vi-xuyen").await;
    assert_eq!(status, 200);
    assert!(police.contains("data-tip-link") && police.contains("href=\"/a/ca-vi-xuyen/tin-bao\""));
    let (status, commune) = page("/a/ubnd-vi-xuyen").await;
    assert_eq!(status, 200);
    assert!(!commune.contains("data-tip-link") && !commune.contains("/tin-bao"), "{commune}");
    assert_eq!(page("/a/ubnd-vi-xuyen/tin-bao").await.0, 404);
    let (status, _) =
        app.get("/api/v1/accounts/ubnd-vi-xuyen/tips/recipients?area=00913", None).await;
    assert_eq!(status, 404);

    // In a citizen's chat with the police, a note says chat is not sealed and links the form.
    let token = app.citizen_token("0912000001").await;
    let chat = app
        .client
        .get(app.url("/a/ca-vi-xuyen/chat"))
        .header("cookie", format!("{}={token}", ketnoi_server::kernel::auth::SESSION_COOKIE))
        .send()
        .await
        .or_panic("chat")
        .text()
        .await
        .or_panic("chat body");
    assert!(chat.contains("data-tip-link") && chat.contains("/a/ca-vi-xuyen/tin-bao"), "{chat}");
}

#[tokio::test]
async fn an_officer_who_lost_their_role_but_holds_key_copies_is_listed_and_can_be_revoked() {
    let app = tips_app().await;
    let officer = app.staff_token_2fa(OFFICER).await;
    let unit = unit_keys(&app, &officer).await;
    ketnoi::admin::create_staff(
        app.store.as_ref(),
        "cavixuyen.cu",
        "Officer Who Left",
        "mat-khau-thu-nghiem-2026",
        false,
        &[(ACCOUNT.to_owned(), ketnoi_core::Role::Officer)],
    )
    .await
    .or_panic("create staff");
    let (left, _) = app
        .store
        .staff_by_username(&"cavixuyen.cu".parse().or_panic("username"))
        .await
        .or_panic("staff")
        .or_panic("found");
    // They had made a key and been given the unit's, then moved away.
    let personal = KeyPair::generate();
    let sealed = ketnoi_seal::seal_with_passphrase(&personal, "cụm mật khẩu của người cũ")
        .or_panic("seal key");
    let now = ketnoi_core::Timestamp::now();
    app.store
        .put_officer_key(&ketnoi_store::OfficerKey {
            staff: left.id,
            kid: personal.kid(),
            sealed: serde_json::to_string(&sealed).or_panic("json"),
            created_at: now,
        })
        .await
        .or_panic("officer key");
    let wrapped =
        ketnoi_seal::wrap(unit[0].secret_bytes().as_slice(), &personal.public(), Label::Unit)
            .or_panic("wrap");
    app.store
        .put_key_copies(&[ketnoi_store::KeyCopy {
            unit_kid: unit[0].kid(),
            staff: left.id,
            officer_kid: personal.kid(),
            wrapped: serde_json::to_string(&wrapped).or_panic("json"),
            granted_by: None,
            created_at: now,
        }])
        .await
        .or_panic("copy");
    let agency = app
        .store
        .agency_by_code(&ACCOUNT.parse().or_panic("code"))
        .await
        .or_panic("agency")
        .or_panic("found");
    assert!(app.store.revoke_role(left.id, agency.id).await.or_panic("revoke role"));

    let (_, view) = app.get(&format!("{UNIT}/tip-keys"), Some(&officer)).await;
    let listed = |view: &Value| {
        view["officers"]
            .as_array()
            .or_panic("officers")
            .iter()
            .find(|o| o["staff"] == json!(left.id.0))
            .cloned()
    };
    let former = listed(&view).or_panic("the former officer is listed");
    assert_eq!(former["former"], json!(true), "{former}");
    assert_eq!(former["holds"], json!([unit[0].kid()]), "{former}");
    let (status, body) = app
        .send(
            Method::DELETE,
            &format!("{UNIT}/tip-keys/grants/{}", left.id.0),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, view) = app.get(&format!("{UNIT}/tip-keys"), Some(&officer)).await;
    assert!(listed(&view).is_none(), "{view}");
}

#[tokio::test]
async fn key_management_needs_the_current_unit_key_not_only_the_role() {
    let app = tips_app().await;
    let officer = app.staff_token_2fa(OFFICER).await;
    let unit = unit_keys(&app, &officer).await;
    let (username, password) = ("cavixuyen.moi", "mat-khau-thu-nghiem-2026");
    ketnoi::admin::create_staff(
        app.store.as_ref(),
        username,
        "Cán Bộ Mới",
        password,
        false,
        &[(ACCOUNT.to_owned(), ketnoi_core::Role::Officer)],
    )
    .await
    .or_panic("create staff");
    let (_, signed) = app
        .post("/api/v1/auth/staff/sign-in", json!({"username": username, "password": password}))
        .await;
    let newcomer = signed["token"].as_str().or_panic("token").to_owned();
    app.enrol_2fa(username, &newcomer).await;
    let (_, me) = app.get("/api/v1/me", Some(&newcomer)).await;
    let newcomer_id = me["staff"]["id"].as_i64().or_panic("id");
    let (_, me) = app.get("/api/v1/me", Some(&officer)).await;
    let officer_id = me["staff"]["id"].as_i64().or_panic("id");
    let personal = KeyPair::generate();
    let sealed = ketnoi_seal::seal_with_passphrase(&personal, "cụm mật khẩu người mới 2026")
        .or_panic("seal");
    let (status, body) = app
        .send(Method::PUT, &format!("{UNIT}/tip-keys/mine"), Some(&newcomer), Some(json!(sealed)))
        .await;
    assert_eq!(status, 204, "{body}");
    let wrap_to = |secret: &[u8], public: &[u8]| {
        json!(ketnoi_seal::wrap(secret, public, Label::Unit).or_panic("wrap"))
    };

    // With the role but without the key: no rotation, grant, revocation or setting.
    let own = KeyPair::generate();
    let rotate = json!({
        "kid": own.kid(), "public": b64u(&own.public()),
        "copies": [{"staff": newcomer_id, "wrapped": wrap_to(own.secret_bytes().as_slice(), &personal.public())}],
    });
    let refused =
        app.send(Method::POST, &format!("{UNIT}/tip-keys"), Some(&newcomer), Some(rotate)).await;
    assert_problem(&refused, 422, "tip-not-holder");
    let garbage = json!({"copies": [{"unit_kid": unit[0].kid(), "staff": newcomer_id,
        "wrapped": wrap_to(&[7u8; 32], &personal.public())}]});
    let refused = app
        .send(
            Method::POST,
            &format!("{UNIT}/tip-keys/grants"),
            Some(&newcomer),
            Some(garbage.clone()),
        )
        .await;
    assert_problem(&refused, 422, "tip-not-holder");
    let path = format!("{UNIT}/tip-keys/grants/{officer_id}");
    assert_problem(
        &app.send(Method::DELETE, &path, Some(&newcomer), None).await,
        422,
        "tip-not-holder",
    );
    let settings = Some(json!({"copy_parent": true}));
    let refused =
        app.send(Method::PUT, &format!("{UNIT}/tip-settings"), Some(&newcomer), settings).await;
    assert_problem(&refused, 422, "tip-not-holder");
    let (_, view) = app.get(&format!("{UNIT}/tip-keys"), Some(&officer)).await;
    assert_eq!(view["keys"].as_array().map(Vec::len), Some(1), "no new key: {view}");
    assert_eq!(view["settings"]["copy_parent"], json!(false));

    // The holder grants; a second grant does not overwrite the copy with something else.
    let good = json!({"copies": [{"unit_kid": unit[0].kid(), "staff": newcomer_id,
        "wrapped": wrap_to(unit[0].secret_bytes().as_slice(), &personal.public())}]});
    let (status, body) = app
        .send(Method::POST, &format!("{UNIT}/tip-keys/grants"), Some(&officer), Some(good))
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .send(Method::POST, &format!("{UNIT}/tip-keys/grants"), Some(&officer), Some(garbage))
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, view) = app.get(&format!("{UNIT}/tip-keys"), Some(&newcomer)).await;
    let copy: Wrapped =
        serde_json::from_value(view["me"]["copies"][0]["wrapped"].clone()).or_panic("copy");
    let opened = ketnoi_seal::unwrap(&copy, &personal, Label::Unit).or_panic("unwrap");
    assert!(opened.as_slice() == unit[0].secret_bytes().as_slice(), "the granted copy is intact");

    // The last holder of a key cannot be removed; another holder can.
    let path = format!("{UNIT}/tip-keys/grants/{newcomer_id}");
    assert_eq!(app.send(Method::DELETE, &path, Some(&officer), None).await.0, 204);
    let own_path = format!("{UNIT}/tip-keys/grants/{officer_id}");
    let refused = app.send(Method::DELETE, &own_path, Some(&officer), None).await;
    assert_problem(&refused, 422, "tip-last-holder");
    assert_eq!(unit_keys(&app, &officer).await.len(), 1, "the officer still holds the key");

    // The key pages' passphrase fields have no name, so a form sent before its script runs
    // sends no passphrase.
    let mut v = Visitor::new(&app);
    let password = app.staff_password(OFFICER);
    page_sign_in(&mut v, OFFICER, &password).await;
    let (_, page, _) = v.get("/console/don-vi/ca-vi-xuyen/khoa-tin-bao").await;
    assert!(page.contains("type=\"password\""), "{page}");
    assert!(!page.contains("name=\"passphrase"), "{page}");
}

#[tokio::test]
async fn an_envelope_is_stored_as_the_format_defines_it_and_no_larger() {
    let app = tips_app().await;
    let keys = recipients(&app, AREA).await;
    let tip = Tip::new("Có người tụ tập đánh bạc ở nhà văn hóa thôn.");
    let (mut envelope, _) = tip.seal(&keys);
    envelope["junk"] = json!("x".repeat(1000));
    envelope["recipients"][0]["extra"] = json!("y");
    let parts = [Part::json("envelope", &envelope), Part::json("receipt", &tip.proof())];
    let (status, sent) = submit_parts(&app, &parts, &[]).await;
    assert_eq!(status, 201, "{sent}");
    let db = database(&app).await;
    let stored: String =
        sqlx::query_scalar("SELECT envelope FROM tips").fetch_one(&db).await.or_panic("envelope");
    assert!(!stored.contains("junk") && !stored.contains("extra"), "{stored}");
    let officer = app.staff_token_2fa(OFFICER).await;
    let id = tip_ids(&app, &officer).await[0];
    let opened = open_tip(&app, &officer, &unit_keys(&app, &officer).await, id).await;
    assert_eq!(opened.body.description, tip.description);

    let big = Tip::new("Lớn quá.");
    let (mut envelope, _) = big.seal(&keys);
    envelope["padding"] = json!("z".repeat(300 * 1024));
    let parts = [Part::json("envelope", &envelope), Part::json("receipt", &big.proof())];
    assert_problem(&submit_parts(&app, &parts, &[]).await, 422, "tip-bad-envelope");
    assert_eq!(tip_count(&db).await, 1);
}

#[tokio::test]
async fn a_tip_goes_to_the_police_of_its_place_and_to_the_unit_above_when_it_asks() {
    let app = tips_app().await;
    let units_for = |account: &'static str, area: &'static str| {
        let app = &app;
        async move {
            let path = format!("/api/v1/accounts/{account}/tips/recipients?area={area}");
            let (status, body) = app.get(&path, None).await;
            assert_eq!(status, 200, "{path}: {body}");
            body["units"]
                .as_array()
                .or_panic("units")
                .iter()
                .map(|u| u["code"].as_str().or_panic("code").to_owned())
                .collect::<Vec<_>>()
        }
    };
    // From the province's account, a commune's tip goes to that commune's police…
    assert_eq!(units_for("ca-tuyen-quang", AREA).await, vec!["ca-vi-xuyen"]);
    // …the province's own area to the province…
    assert_eq!(units_for("ca-tuyen-quang", "08").await, vec!["ca-tuyen-quang"]);
    // …and a commune whose police has no key yet up to the nearest unit that has one.
    assert_eq!(units_for("ca-tuyen-quang", "00928").await, vec!["ca-tuyen-quang"]);
    // A commune account cannot take tips about somewhere outside it.
    let (status, body) =
        app.get("/api/v1/accounts/ca-vi-xuyen/tips/recipients?area=08", None).await;
    assert_problem(&(status, body), 422, "tip-area-outside");

    // The commune asks for copies to go up: both units receive, each opens with its own key.
    let officer = app.staff_token_2fa(OFFICER).await;
    let (status, body) = app
        .send(
            Method::PUT,
            &format!("{UNIT}/tip-settings"),
            Some(&officer),
            Some(json!({"copy_parent": true})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(units_for(ACCOUNT, AREA).await, vec!["ca-vi-xuyen", "ca-tuyen-quang"]);
    let (_, answer) =
        app.get(&format!("/api/v1/accounts/{ACCOUNT}/tips/recipients?area={AREA}"), None).await;
    let keys: Vec<[u8; ketnoi_seal::PUBLIC_LEN]> = answer["units"]
        .as_array()
        .or_panic("units")
        .iter()
        .map(|u| {
            let raw = ketnoi_seal::unb64u(u["public"].as_str().or_panic("public")).or_panic("b64u");
            raw.as_slice().try_into().or_panic("65 bytes")
        })
        .collect();
    assert_eq!(keys.len(), 2);
    let tip = Tip::new("Đường dây cá độ bóng đá qua mạng ở hai xã.");
    let (status, sent) = submit(&app, &tip, &keys).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["units"], json!(["Công an xã Vị Xuyên", "Công an tỉnh Tuyên Quang"]));
    for (username, unit) in [(OFFICER, "ca-vi-xuyen"), ("catinh.admin", "ca-tuyen-quang")] {
        let token = app.staff_token_2fa(username).await;
        let (_, view) = app.get(&format!("/api/v1/units/{unit}/tip-keys"), Some(&token)).await;
        let sealed: SealedKey = serde_json::from_value(view["me"]["key"].clone()).or_panic("key");
        let mine = ketnoi_seal::open_with_passphrase(&sealed, DEMO_TIP_PASSPHRASE).or_panic("open");
        let wrapped: Wrapped =
            serde_json::from_value(view["me"]["copies"][0]["wrapped"].clone()).or_panic("copy");
        let secret = ketnoi_seal::unwrap(&wrapped, &mine, Label::Unit).or_panic("unwrap");
        let key = KeyPair::from_secret(&secret).or_panic("key");
        let (_, list) = app.get(&format!("/api/v1/units/{unit}/tips"), Some(&token)).await;
        let id = list["tips"][0]["id"].as_i64().or_panic("a tip in each inbox");
        let (_, detail) = app.get(&format!("/api/v1/units/{unit}/tips/{id}"), Some(&token)).await;
        let envelope: Envelope = serde_json::from_value(detail["envelope"].clone()).or_panic("env");
        let (body, _) = ketnoi_seal::open_report(&envelope, &key).or_panic("opens for {unit}");
        assert_eq!(body.description, tip.description, "{unit}");
    }
}

#[tokio::test]
async fn a_unit_without_a_key_says_so_on_its_form_and_refuses_tips_clearly() {
    // The demo without tip keys: no unit has one.
    let app = crate::helpers::spawn_app(true).await;
    let page = app.client.get(app.url(FALLBACK)).send().await.or_panic("form");
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.or_panic("page");
    assert!(page.contains("data-tips-closed") && page.contains("113"), "{page}");
    let (status, body) =
        app.get(&format!("/api/v1/accounts/{ACCOUNT}/tips/recipients?area={AREA}"), None).await;
    assert_problem(&(status, body), 409, "tips-closed");
    let app = tips_app().await;
    let page = app.client.get(app.url(FALLBACK)).send().await.or_panic("form");
    assert!(!page.text().await.or_panic("page").contains("data-tips-closed"));
}

/// Two nodes on one PostgreSQL database, with files in it and one secret key (the multi-node
/// layout): a tip sent through one node is opened and answered by the unit through the other,
/// and its reporter follows it through the first.
#[tokio::test]
async fn a_tip_sent_through_one_node_is_answered_through_another_on_postgresql() {
    let Some((store, schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
    let store: std::sync::Arc<dyn ketnoi_store::Store> = std::sync::Arc::new(store);
    let shared = |c: &mut ketnoi_server::ServerConfig| {
        c.blobs = ketnoi_server::BlobLocation::Database;
    };
    let first =
        crate::helpers::start_with(store.clone(), None, Box::new(schema), true, shared).await;
    let second = crate::helpers::start_with(store.clone(), None, Box::new(()), false, shared).await;
    seed_tips(store.as_ref()).await.or_panic("seed tips");

    let mut parts = fallback_fields("Có người buôn pháo nổ ở chợ phiên.", "Chợ phiên thứ Bảy");
    let file = "Số điện thoại người bán: 0987 000 000".as_bytes().to_vec();
    parts.push(Part::file("attachment", "so-dien-thoai.txt", "text/plain", file.clone()));
    let (status, page) = post_fallback(&first, &parts, &[]).await;
    assert_eq!(status, 201, "{page}");
    let code = code_on_page(&page);

    // A session made on one node is good on the other: they share the database.
    let officer = first.staff_token_2fa(OFFICER).await;
    let keys = unit_keys(&second, &officer).await;
    let id = tip_ids(&second, &officer).await[0];
    let opened = open_tip(&second, &officer, &keys, id).await;
    assert_eq!(opened.body.description, "Có người buôn pháo nổ ở chợ phiên.");
    assert!(opened.attachments.len() == 1 && opened.attachments[0].1 == file);
    let reply_key = opened.body.reply_key().or_panic("reply key");
    let sealed = ketnoi_seal::seal_message(&reply_key, Author::Unit, "Công an xã đã tiếp nhận.")
        .or_panic("seal reply");
    let (status, body) = second
        .send(
            Method::POST,
            &format!("{UNIT}/tips/{id}/messages"),
            Some(&officer),
            Some(json!({ "sealed": sealed })),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let r = receipt::derive(&code).or_panic("derive");
    let (status, status_view) =
        first.post("/api/v1/tips/receipt", json!({"lookup": r.lookup, "auth": r.auth})).await;
    assert_eq!(status, 200, "{status_view}");
    let message: ketnoi_seal::Sealed =
        serde_json::from_value(status_view["messages"][0]["sealed"].clone()).or_panic("sealed");
    let text =
        ketnoi_seal::open_message(&r.reply_key, Author::Unit, &message).or_panic("open reply");
    assert_eq!(text, "Công an xã đã tiếp nhận.");
}

/// A reply to a tip sent in the citizen's name reaches their subscribed browser, saying only
/// that there is a reply: not the unit, not the tip, not a word of what the unit wrote.
#[tokio::test]
async fn a_reply_to_an_identified_tip_is_pushed_without_any_of_its_content() {
    let Some(push) = crate::push::PushService::start().await else { return };
    let app = spawn_app_with(true, |config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().or_panic("proxy network")];
        config.push_allow_http = true;
    })
    .await;
    seed_tips(app.store.as_ref()).await.or_panic("seed tips");
    let keys = recipients(&app, AREA).await;
    let citizen = app.citizen_token("0912000001").await;
    let (_, key) = app.get("/api/v1/push/key", None).await;
    let (subscription, hash) = push.subscribe(key["public_key"].as_str().unwrap_or_default()).await;
    let (status, _) = app
        .send(Method::POST, "/api/v1/me/push-subscriptions", Some(&citizen), Some(subscription))
        .await;
    assert_eq!(status, 201);
    let tip = Tip::new("Tôi bị mất xe máy ở chợ, biển số 23B1-123.45.").identified();
    let auth = format!("Bearer {citizen}");
    let (status, sent) =
        submit_parts(&app, &tip.parts(&keys), &[("authorization", auth.as_str())]).await;
    assert_eq!(status, 201, "{sent}");

    let officer = app.staff_token_2fa(OFFICER).await;
    let unit = unit_keys(&app, &officer).await;
    let id = tip_ids(&app, &officer).await[0];
    let opened = open_tip(&app, &officer, &unit, id).await;
    let reply_key = opened.body.reply_key().or_panic("reply key");
    let reply = "Đã tìm thấy xe biển số 23B1-123.45, mời anh đến nhận.";
    let sealed = ketnoi_seal::seal_message(&reply_key, Author::Unit, reply).or_panic("seal");
    let (status, _) = app
        .send(
            Method::POST,
            &format!("{UNIT}/tips/{id}/messages"),
            Some(&officer),
            Some(json!({"sealed": sealed})),
        )
        .await;
    assert_eq!(status, 201);
    let got = push.wait_for(&hash, 1).await;
    let text = got[0].to_string();
    assert_eq!(got[0]["title"], "Bạn có phản hồi mới", "{text}");
    for secret in ["23B1", "mời anh", "mất xe", "Công an", "ca-vi-xuyen", &format!("/{id}")] {
        assert!(
            !got[0]["body"].as_str().unwrap_or_default().contains(secret)
                && !got[0]["url"].as_str().unwrap_or_default().contains(secret)
                && !got[0]["title"].as_str().unwrap_or_default().contains(secret),
            "the notification gives away {secret:?}: {text}"
        );
    }
}

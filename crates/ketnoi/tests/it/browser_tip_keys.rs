//! A unit's tip keys kept in real headless Chromium, as officers keep them on the console's keys
//! page: a new officer makes a personal key and reads nothing until a colleague who holds the
//! unit key gives them a copy; the unit key is replaced and the new one reaches every holder while
//! tips sealed to the old one still open; a revoked officer reads nothing more; the platform
//! administrator reads no tip and sees no key. And a signed-in citizen's anonymous tip carries
//! nothing that links it to their account, while an identified one names them.

use std::collections::BTreeMap;

use ketnoi::demo::{DEMO_TIP_PASSPHRASE, seed_tips};
use ketnoi_core::{Phone, Role, Timestamp};
use ketnoi_seal::{Clear, Draft, Mode, PlainFile, SealedBy, receipt};
use serde_json::{Value, json};
use sqlx::SqlitePool;

use crate::{
    browser::{Browser, Options, WAIT, launch, launch_two},
    browser_chat::citizen_signs_in,
    browser_flows::arrive,
    helpers::{TestApp, answer, spawn_app},
};

/// The demo police unit, its account and the commune tips are about.
const UNIT: &str = "ca-vi-xuyen";
const AREA: &str = "00913";
/// The unit's keys, as the API shows them to the caller.
const KEYS_API: &str = "/api/v1/units/ca-vi-xuyen/tip-keys";
/// The console page where the keys are kept.
const KEYS_PAGE: &str = "/console/don-vi/ca-vi-xuyen/khoa-tin-bao";
/// The citizen's tip form.
const FORM: &str = "/a/ca-vi-xuyen/tin-bao";

/// The demo officer who holds the unit key (under [`DEMO_TIP_PASSPHRASE`]).
const OFFICER: &str = "cavixuyen.canbo";
/// A second officer of the unit, made by the test, and what only they know.
const OFFICER2: &str = "cavixuyen.canbo2";
const PASSWORD2: &str = "mat-khau-can-bo-hai-2026";
const PASSPHRASE2: &str = "cụm mật khẩu riêng của cán bộ hai";

/// What the pages say (Vietnamese).
const NO_COPY: &str = "Bạn chưa được cấp khóa của đơn vị";
const HAS_KEY: &str = "Bạn đã có khóa cá nhân";
const HOLDS: &str = "đang giữ khóa đơn vị";
const READY: &str = "có khóa cá nhân, chưa được cấp";
const CURRENT: &str = "đang dùng";
const RETIRED: &str = "đã thay";
const FORBIDDEN: &str = "Bạn không có quyền xem trang này";

fn tip_page(id: i64) -> String {
    format!("/console/don-vi/{UNIT}/tin-bao/{id}")
}

/// A demo server whose units hold tip keys, on an SQLite file the test can read.
async fn app_with_tips() -> TestApp {
    let app = spawn_app(true).await;
    seed_tips(app.store.as_ref()).await.unwrap_or_else(|e| panic!("{e:#}"));
    app
}

async fn database(app: &TestApp) -> SqlitePool {
    let path = app.db_path.as_ref().unwrap_or_else(|| panic!("an SQLite file"));
    SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A staff member's API token, signed in with their password.
async fn token(app: &TestApp, username: &str, password: &str) -> String {
    let (status, signed) = app
        .post("/api/v1/auth/staff/sign-in", json!({"username": username, "password": password}))
        .await;
    assert_eq!(status, 200, "{signed}");
    signed["token"].as_str().unwrap_or_else(|| panic!("{signed}")).to_owned()
}

/// The unit's keys as `token`'s holder sees them.
async fn keys_view(app: &TestApp, token: &str) -> Value {
    let (status, view) = app.get(KEYS_API, Some(token)).await;
    assert_eq!(status, 200, "{view}");
    view
}

/// The kid of the unit's current key, and of every key, newest first.
fn kids(view: &Value) -> (String, Vec<String>) {
    let keys = view["keys"].as_array().unwrap_or_else(|| panic!("{view}"));
    let all: Vec<String> =
        keys.iter().map(|k| k["kid"].as_str().unwrap_or_default().to_owned()).collect();
    let current: Vec<&Value> = keys.iter().filter(|k| k["retired_at"].is_null()).collect();
    assert_eq!(current.len(), 1, "one current key: {view}");
    (current[0]["kid"].as_str().unwrap_or_default().to_owned(), all)
}

/// The unit kids of the copies the caller holds, each checked to be wrapped to their own key.
fn my_copies(view: &Value) -> Vec<String> {
    let mine = view["me"]["key"]["kid"].as_str();
    view["me"]["copies"]
        .as_array()
        .unwrap_or_else(|| panic!("{view}"))
        .iter()
        .map(|c| {
            assert_eq!(c["officer_kid"].as_str(), mine, "a copy for another key: {view}");
            assert_eq!(c["wrapped"]["kid"].as_str(), mine, "wrapped to another key: {view}");
            c["unit_kid"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

/// Seals a tip in Rust as a citizen's browser would, to the keys the API hands out now, and
/// posts it. Returns its id and the kids it was sealed to.
async fn send_tip(app: &TestApp, description: &str) -> (i64, Vec<String>) {
    let path = format!("/api/v1/accounts/{UNIT}/tips/recipients?area={AREA}");
    let (status, got) = app.get(&path, None).await;
    assert_eq!(status, 200, "{got}");
    let keys: Vec<[u8; ketnoi_seal::PUBLIC_LEN]> = got["units"]
        .as_array()
        .unwrap_or_else(|| panic!("{got}"))
        .iter()
        .map(|u| {
            let raw = ketnoi_seal::unb64u(u["public"].as_str().unwrap_or_default())
                .unwrap_or_else(|e| panic!("{e}"));
            raw.try_into().unwrap_or_else(|_| panic!("65 bytes: {got}"))
        })
        .collect();
    let day = time::OffsetDateTime::now_utc().to_offset(ketnoi_core::VIETNAM_OFFSET).date();
    let clear = Clear {
        account: UNIT.to_owned(),
        category: "theft".to_owned(),
        area: AREA.to_owned(),
        occurred: format!("{:04}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day()),
        mode: Mode::Anonymous,
    };
    let code = receipt::new_code();
    let r = receipt::derive(&code).unwrap_or_else(|e| panic!("{e}"));
    let (envelope, _) = ketnoi_seal::seal_report(&Draft {
        clear: &clear,
        recipients: &keys,
        description,
        details: &BTreeMap::new(),
        files: &[] as &[PlainFile],
        reply_key: &r.reply_key,
        sealed_by: SealedBy::Browser,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let kids: Vec<String> = envelope.recipients.iter().map(|w| w.kid.clone()).collect();
    let envelope = serde_json::to_string(&envelope).unwrap_or_else(|e| panic!("{e}"));
    let proof = json!({"lookup": r.lookup, "auth": r.auth}).to_string();
    let boundary = format!("ketnoi-tip-keys-{:016x}", rand::random::<u64>());
    let mut body = String::new();
    for (name, value) in [("envelope", envelope), ("receipt", proof)] {
        body.push_str(&format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let response = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{UNIT}/tips")))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await;
    let (status, sent) = answer(response).await;
    assert_eq!(status, 201, "{sent}");
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM tips")
        .fetch_one(&database(app).await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (id, kids)
}

async fn staff_signs_in(b: &Browser, app: &TestApp, username: &str, password: &str) {
    b.goto("/lang/vi?next=/staff/sign-in").await;
    arrive(b, "/staff/sign-in").await;
    b.fill("#username", username).await;
    b.fill("#password", password).await;
    b.submit("form[action='/staff/sign-in']").await;
    if app.totp_enrolled(username) {
        arrive(b, "/staff/sign-in/code").await;
        let code = app.next_totp_code(username).await;
        b.fill("#code", &code).await;
        b.submit("form[action='/staff/sign-in/code']").await;
    }
    arrive(b, "/console").await;
}

async fn open_keys_page(b: &Browser) {
    b.goto(KEYS_PAGE).await;
    arrive(b, KEYS_PAGE).await;
    b.wait_for("[data-tip-keys]", WAIT).await;
}

/// Marks the page, so that the reload a finished key operation makes can be told apart.
async fn mark(b: &Browser) {
    b.run_js("window.__beforeReload = true;", vec![]).await;
}

/// Waits for the reload that follows a key operation and for `css` to say `wanted` on the new
/// page; an error the page shows instead fails at once with its words.
async fn after_reload(b: &Browser, css: &str, wanted: &str) -> String {
    let deadline = std::time::Instant::now() + WAIT * 3;
    loop {
        let now = b
            .run_js(
                "var error = document.querySelector('[data-tip-keys] [data-tip-error]');\n\
                 var el = document.querySelector(arguments[0]);\n\
                 return { old: window.__beforeReload === true,\n\
                          error: error && !error.hidden ? error.textContent : '',\n\
                          text: el ? el.textContent : '' };",
                vec![json!(css)],
            )
            .await;
        let error = now["error"].as_str().unwrap_or_default();
        assert!(error.is_empty(), "the keys page says: {error}");
        let text = now["text"].as_str().unwrap_or_default().to_owned();
        if now["old"] != Value::Bool(true) && text.contains(wanted) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "`{css}` never said {wanted:?} after a reload: {now}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Opens a tip's page and unlocks it with `passphrase`; returns the opened description.
async fn open_tip(b: &Browser, id: i64, passphrase: &str, wanted: &str) -> String {
    b.goto(&tip_page(id)).await;
    b.wait_for("form[data-tip-unlock]", WAIT).await;
    b.fill("#passphrase", passphrase).await;
    b.click("form[data-tip-unlock] button[type=submit]").await;
    b.wait_for_text("[data-tip-description]", wanted, WAIT * 3).await
}

/// Opens a tip's page, unlocks it with `passphrase`, and expects the no-copy error.
async fn refused_tip(b: &Browser, id: i64, passphrase: &str) {
    b.goto(&tip_page(id)).await;
    b.wait_for("form[data-tip-unlock]", WAIT).await;
    b.fill("#passphrase", passphrase).await;
    b.click("form[data-tip-unlock] button[type=submit]").await;
    b.wait_for_text("form[data-tip-unlock] [data-tip-error]", NO_COPY, WAIT * 3).await;
    let opened = b
        .run_js(
            "var s = document.querySelector('[data-tip-opened]');\n\
             return { hidden: s.hidden,\n\
                      text: document.querySelector('[data-tip-description]').textContent };",
            vec![],
        )
        .await;
    assert_eq!(opened, json!({"hidden": true, "text": ""}), "nothing of the tip shows");
}

/// The status of a GET of `path` with the browser's cookies (its signed-in session).
async fn status_as(app: &TestApp, b: &Browser, path: &str) -> u16 {
    let cookies: Vec<String> =
        b.cookies().await.iter().map(|c| format!("{}={}", c.name(), c.value())).collect();
    app.client
        .get(app.url(path))
        .header("cookie", cookies.join("; "))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
        .status()
        .as_u16()
}

#[tokio::test]
async fn granting_revoking_and_rotating_the_unit_key_loses_no_tip_and_the_platform_admin_reads_none()
 {
    let app = app_with_tips().await;
    let second = ketnoi::admin::create_staff(
        app.store.as_ref(),
        OFFICER2,
        "Trần Thị Hai",
        PASSWORD2,
        false,
        &[(UNIT.to_owned(), Role::Officer)],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let id2 = second.id.0;
    let row2 = format!("[data-officers] tr[data-officer='{id2}']");
    let canary = format!("{:08x}", rand::random::<u32>());
    let text_a = format!("Trộm xe máy ở chợ Vị Xuyên, mã {canary}-A.");
    let text_b = format!("Đánh bạc trong quán nước đầu cầu, mã {canary}-B.");
    let (tip_a, kids_a) = send_tip(&app, &text_a).await;
    let token1 = app.staff_token_2fa(OFFICER).await;
    let token2 = token(&app, OFFICER2, PASSWORD2).await;
    // Both hold the unit's key: both need two-factor sign-in.
    app.enrol_2fa(OFFICER2, &token2).await;
    let (first_kid, all) = kids(&keys_view(&app, &token1).await);
    assert_eq!(all.len(), 1);
    assert_eq!(kids_a, vec![first_kid.clone()], "tip A is sealed to the unit's only key");

    let Some((one, two)) = launch_two(&app.base, Options::default(), Options::default()).await
    else {
        return;
    };

    // Officer 2 makes a personal key; it opens nothing yet.
    staff_signs_in(&two, &app, OFFICER2, PASSWORD2).await;
    open_keys_page(&two).await;
    assert!(two.text_of("[data-my-key-state]").await.contains("chưa có"));
    two.assert_accessible("the keys page, no personal key").await;
    two.fill("#new-passphrase", "ngắn quá").await;
    two.fill("#new-passphrase-2", "ngắn quá").await;
    two.click("form[data-tip-my-key] button[type=submit]").await;
    two.wait_for_text("[data-tip-keys] [data-tip-error]", "12", WAIT).await;
    two.fill("#new-passphrase", PASSPHRASE2).await;
    two.fill("#new-passphrase-2", &format!("{PASSPHRASE2}!")).await;
    two.click("form[data-tip-my-key] button[type=submit]").await;
    two.wait_for_text("[data-tip-keys] [data-tip-error]", "không khớp", WAIT).await;
    assert!(keys_view(&app, &token2).await["me"]["key"].is_null(), "nothing was stored yet");
    two.fill("#new-passphrase-2", PASSPHRASE2).await;
    mark(&two).await;
    two.click("form[data-tip-my-key] button[type=submit]").await;
    after_reload(&two, "[data-my-key-state]", HAS_KEY).await;
    let view2 = keys_view(&app, &token2).await;
    let personal2 = view2["me"]["key"]["kid"].as_str().unwrap_or_default().to_owned();
    assert_eq!(personal2.len(), 22, "{view2}");
    assert_eq!(view2["me"]["key"]["iterations"], 600_000, "{view2}");
    assert!(my_copies(&view2).is_empty(), "{view2}");
    assert!(!view2.to_string().contains(PASSPHRASE2), "the passphrase never left the browser");
    refused_tip(&two, tip_a, PASSPHRASE2).await;

    // Officer 1 sees them ready and gives them the unit key.
    staff_signs_in(&one, &app, OFFICER, &app.staff_password(OFFICER)).await;
    open_keys_page(&one).await;
    assert!(one.text_of(&row2).await.contains(READY));
    assert!(one.find_all(&format!("[data-revoke='{id2}']")).await.is_empty());
    one.assert_accessible("the keys page of a holder").await;
    one.fill("#grant-passphrase", "không phải cụm này").await;
    one.click(&format!("[data-grant='{id2}']")).await;
    one.wait_for_text("[data-tip-keys] [data-tip-error]", "không đúng", WAIT * 3).await;
    assert!(my_copies(&keys_view(&app, &token2).await).is_empty(), "a wrong passphrase gave none");
    one.fill("#grant-passphrase", DEMO_TIP_PASSPHRASE).await;
    mark(&one).await;
    one.click(&format!("[data-grant='{id2}']")).await;
    after_reload(&one, &row2, HOLDS).await;
    one.wait_for(&format!("[data-revoke='{id2}']"), WAIT).await;
    assert!(one.find_all(&format!("[data-grant='{id2}']")).await.is_empty());
    assert_eq!(my_copies(&keys_view(&app, &token2).await), vec![first_kid.clone()]);

    // Officer 2 now reads tip A.
    open_tip(&two, tip_a, PASSPHRASE2, &text_a).await;
    two.assert_accessible("a tip opened by a granted officer").await;

    // Officer 1 replaces the unit key: both holders get the new one, the old one is kept.
    open_keys_page(&one).await;
    one.fill("#unit-passphrase", DEMO_TIP_PASSPHRASE).await;
    mark(&one).await;
    one.click("form[data-tip-unit-key] button[type=submit]").await;
    let listed = after_reload(&one, "[data-unit-keys]", RETIRED).await;
    let items = one.find_all("[data-unit-keys] li").await;
    assert_eq!(items.len(), 2, "{listed}");
    assert_eq!(listed.matches(CURRENT).count(), 1, "{listed}");
    assert_eq!(listed.matches(RETIRED).count(), 1, "{listed}");
    assert!(one.text_of(&row2).await.contains(HOLDS), "officer 2 holds the new key too");
    let view1 = keys_view(&app, &token1).await;
    let (new_kid, all) = kids(&view1);
    assert_ne!(new_kid, first_kid);
    assert_eq!(all, vec![new_kid.clone(), first_kid.clone()], "newest first, the old one kept");
    assert!(listed.contains(&new_kid) && listed.contains(&first_kid), "{listed}");
    let mut held1 = my_copies(&view1);
    held1.sort();
    let mut both = vec![new_kid.clone(), first_kid.clone()];
    both.sort();
    assert_eq!(held1, both, "officer 1 holds the old and the new key: {view1}");
    let mut held2 = my_copies(&keys_view(&app, &token2).await);
    held2.sort();
    assert_eq!(held2, both, "the new key reached officer 2, who kept the old one");

    // A tip sent now is sealed to the new key and opens for officer 2; tip A still opens.
    let (tip_b, kids_b) = send_tip(&app, &text_b).await;
    assert_eq!(kids_b, vec![new_kid.clone()], "tip B is sealed to the new key only");
    let (status, detail) =
        app.get(&format!("/api/v1/units/{UNIT}/tips/{tip_b}"), Some(&token1)).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["envelope"]["recipients"][0]["kid"].as_str(), Some(new_kid.as_str()));
    open_tip(&two, tip_b, PASSPHRASE2, &text_b).await;
    open_tip(&one, tip_a, DEMO_TIP_PASSPHRASE, &text_a).await;
    open_tip(&one, tip_b, DEMO_TIP_PASSPHRASE, &text_b).await;

    // Officer 1 revokes officer 2, who then reads nothing.
    open_keys_page(&one).await;
    mark(&one).await;
    one.click(&format!("[data-revoke='{id2}']")).await;
    after_reload(&one, &row2, READY).await;
    assert!(one.find_all(&format!("[data-revoke='{id2}']")).await.is_empty());
    one.wait_for(&format!("[data-grant='{id2}']"), WAIT).await;
    let advice = one.text_of("[role=status].notice").await;
    assert!(advice.contains("hãy thay khóa đơn vị"), "revoking advises a rotation: {advice}");
    let view2 = keys_view(&app, &token2).await;
    assert!(my_copies(&view2).is_empty(), "every copy is gone: {view2}");
    assert_eq!(view2["me"]["key"]["kid"].as_str(), Some(personal2.as_str()), "the key stays");
    let view1 = keys_view(&app, &token1).await;
    assert_eq!(my_copies(&view1).len(), 2, "officer 1 keeps theirs: {view1}");
    let officer2 = view1["officers"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["staff"] == id2))
        .unwrap_or_else(|| panic!("{view1}"));
    assert_eq!(officer2["holds"], json!([]), "{view1}");
    refused_tip(&two, tip_b, PASSPHRASE2).await;
    refused_tip(&two, tip_a, PASSPHRASE2).await;
    drop((one, two));

    // The platform administrator reads no tip and sees no key.
    let Some(admin) = launch(&app.base, Options::default()).await else {
        return;
    };
    staff_signs_in(&admin, &app, "quantri", &app.staff_password("quantri")).await;
    for path in [tip_page(tip_a), KEYS_PAGE.to_owned(), format!("/console/don-vi/{UNIT}/tin-bao")] {
        admin.goto(&path).await;
        admin.wait_for_text("h1", FORBIDDEN, WAIT).await;
        assert!(
            admin.find_all("form[data-tip-unlock], [data-tip-keys]").await.is_empty(),
            "{path}"
        );
        let page = admin.text_of("main").await;
        assert!(!page.contains(&canary), "{path}: {page}");
        assert_eq!(status_as(&app, &admin, &path).await, 403, "{path}");
    }
    for path in [format!("/api/v1/units/{UNIT}/tips/{tip_a}"), KEYS_API.to_owned()] {
        assert_eq!(status_as(&app, &admin, &path).await, 403, "{path}");
    }
    admin.goto(&tip_page(tip_a)).await;
    admin.assert_accessible("the forbidden page").await;

    // Every grant, revocation and rotation done in the browser is in the audit log (issue 20),
    // and the chain verifies.
    let log = app.store.audit_after(0, 10_000).await.unwrap_or_default();
    for action in ["unit-key-created", "key-granted", "key-revoked", "tip-opened"] {
        assert!(log.iter().any(|e| e.action == action), "no {action} entry");
    }
    assert!(ketnoi_store::verify_log(app.store.as_ref(), &[]).await.is_ok());
}

/// Replaces `fetch` on the page with one that records each request's method, address and
/// credentials mode, so the test sees what the form really sent.
async fn record_fetches(b: &Browser) {
    b.run_js(
        "window.__fetches = [];\n\
         var real = window.fetch;\n\
         window.fetch = function (url, options) {\n\
           options = options || {};\n\
           window.__fetches.push({ url: String(url), method: options.method || 'GET',\n\
                                   credentials: options.credentials || 'same-origin' });\n\
           return real.apply(this, arguments);\n\
         };",
        vec![],
    )
    .await;
}

/// The credentials mode of each request the page made to the tip API (recipients, submission).
async fn fetched(b: &Browser) -> Vec<(String, String)> {
    let list = b.run_js("return window.__fetches;", vec![]).await;
    list.as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|f| {
            let method = f["method"].as_str().unwrap_or_default();
            let kind = if f["url"].as_str().unwrap_or_default().contains("/recipients") {
                "recipients"
            } else {
                "submit"
            };
            (format!("{method} {kind}"), f["credentials"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn an_anonymous_tip_from_a_signed_in_citizen_carries_no_link_to_the_account() {
    let app = app_with_tips().await;
    let db = database(&app).await;
    let Some(b) = launch(&app.base, Options::default()).await else {
        return;
    };
    let phone = "0912000001";
    citizen_signs_in(&b, phone, FORM).await;
    b.wait_for("[data-tip-sealing=browser]:not([hidden])", WAIT).await;
    let modes = b
        .run_js(
            "var q = function (v) { return document.querySelector('input[name=mode][value=' + v + ']'); };\n\
             return { anonymous: q('anonymous').checked, identified: !q('identified').disabled };",
            vec![],
        )
        .await;
    assert_eq!(
        modes,
        json!({"anonymous": true, "identified": true}),
        "anonymous by default; identified offered to a signed-in citizen"
    );

    // Anonymous, the default: nothing about the sender is stored or even sent.
    record_fetches(&b).await;
    b.fill("#description", "Có người lạ hay đứng rình trước cổng trường vào buổi chiều.").await;
    b.click("form[data-tip-form] button[type=submit]").await;
    let code = b.wait_for_text("[data-tip-done] [data-tip-code]", "-", WAIT * 3).await;
    assert!(ketnoi_seal::receipt::parse(&code).is_ok(), "{code:?}");
    assert_eq!(
        fetched(&b).await,
        vec![("GET recipients".into(), "omit".into()), ("POST submit".into(), "omit".into())],
        "an anonymous tip is sent without the session cookie"
    );
    let rows: Vec<(i64, Option<i64>, bool)> =
        sqlx::query_as("SELECT id, citizen_id, anonymous FROM tips ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].1, rows[0].2), (None, true), "an anonymous tip names nobody");

    // Identified, chosen: the tip names the signed-in citizen.
    b.goto(FORM).await;
    b.wait_for("[data-tip-sealing=browser]:not([hidden])", WAIT).await;
    record_fetches(&b).await;
    b.click("input[name=mode][value=identified]").await;
    b.fill("#description", "Tôi thấy một vụ va chạm xe, xin liên hệ lại với tôi.").await;
    b.click("form[data-tip-form] button[type=submit]").await;
    let code = b.wait_for_text("[data-tip-done] [data-tip-code]", "-", WAIT * 3).await;
    assert!(ketnoi_seal::receipt::parse(&code).is_ok(), "{code:?}");
    assert_eq!(
        fetched(&b).await,
        vec![
            ("GET recipients".into(), "omit".into()),
            ("POST submit".into(), "same-origin".into())
        ],
    );
    let citizen = app
        .store
        .citizen_for_phone(&Phone::parse(phone).unwrap_or_else(|e| panic!("{e}")), Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<(i64, Option<i64>, bool)> =
        sqlx::query_as("SELECT id, citizen_id, anonymous FROM tips ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0].1, rows[0].2), (None, true), "the first one still names nobody");
    assert_eq!((rows[1].1, rows[1].2), (Some(citizen.id.0), false), "{rows:?}");

    // The unit sees the same: no reporter on the first, the citizen on the second.
    let officer = app.staff_token_2fa(OFFICER).await;
    for (id, who) in [(rows[0].0, Value::Null), (rows[1].0, json!(citizen.phone.national()))] {
        let (status, detail) =
            app.get(&format!("/api/v1/units/{UNIT}/tips/{id}"), Some(&officer)).await;
        assert_eq!(status, 200, "{detail}");
        assert_eq!(detail["citizen"]["phone"], who, "{detail}");
    }
}

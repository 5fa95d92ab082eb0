//! Tips in a real headless Chromium: a citizen seals a tip with a photo that carries GPS tags,
//! anonymously, on the police account's form; nothing of it reaches storage in clear and the
//! photo arrives without its location; the officer opens it with the key passphrase, in the
//! browser, and replies; the citizen reads the reply with the receipt code.

use std::path::Path;

use ketnoi::demo::{DEMO_TIP_PASSPHRASE, seed_tips};
use ketnoi_seal::{Envelope, KeyPair};
use sqlx::Connection as _;

use crate::{
    browser::{Options, WAIT, insecure, launch},
    helpers::{TestApp, capture_logs, captured_logs, start},
};

/// A demo server with tip keys, on a SQLite file whose path the test knows.
async fn app_with_tips() -> (TestApp, std::path::PathBuf) {
    let (sqlite, dir) = ketnoi_store::testing::fresh_sqlite().await;
    let db = dir.path().join("ketnoi.db");
    let store: std::sync::Arc<dyn ketnoi_store::Store> = std::sync::Arc::new(sqlite.clone());
    let app = start(store, Some(sqlite), Box::new(dir), true).await;
    seed_tips(app.store.as_ref()).await.unwrap_or_else(|e| panic!("{e:#}"));
    (app, db)
}

async fn connect(db: &Path) -> sqlx::SqliteConnection {
    sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

const FORM: &str = "/a/ca-vi-xuyen/tin-bao";
const PHOTO: &str = "../ketnoi-media/tests/fixtures/photo-gps.jpg";

/// The unit's keys, opened as its officer would in the browser, here in Rust.
async fn unit_keys(app: &TestApp) -> Vec<KeyPair> {
    let token = app.staff_token_2fa("cavixuyen.canbo").await;
    crate::tips::unit_keys_at(app, &token, "/api/v1/units/ca-vi-xuyen").await
}

/// Every byte storage holds: the database, its write-ahead log, a `VACUUM INTO` copy, and the
/// blob store's files.
async fn stored_bytes(app: &TestApp, db: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let copy = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let copy_path = copy.path().join("copy.db");
    sqlx::query(&format!("VACUUM INTO '{}'", copy_path.display()))
        .execute(&mut connect(db).await)
        .await
        .unwrap_or_else(|e| panic!("VACUUM INTO: {e}"));
    let wal = db.with_extension("db-wal");
    for path in [db.to_path_buf(), wal, copy_path] {
        if let Ok(bytes) = std::fs::read(&path) {
            out.push((path.display().to_string(), bytes));
        }
    }
    walk(&app.blob_dir, &mut out);
    assert!(out.len() >= 4, "the database, its copy and the sealed photo are all read");
    out
}

fn walk(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path.display().to_string(), bytes));
        }
    }
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_tip_sealed_in_the_browser_reaches_the_officer_whole_and_storage_only_as_ciphertext() {
    capture_logs();
    let (app, db) = app_with_tips().await;
    let Some(b) = launch(&app.base, Options::default()).await else {
        return;
    };
    let photo = std::fs::read(PHOTO).unwrap_or_else(|e| panic!("{PHOTO}: {e}"));
    assert!(ketnoi_media::has_location_metadata(&photo), "the fixture must carry GPS tags");
    let canary = format!("CANARY{:016x}", rand::random::<u64>());
    let files = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let named = files.path().join(format!("{canary}.jpg"));
    std::fs::write(&named, &photo).unwrap_or_else(|e| panic!("{e}"));
    // A document whose bytes and name hold the canary: sealed as it is.
    let document = files.path().join(format!("bien-ban-{canary}.txt"));
    let document_bytes = format!("Biên bản ghi nhận sự việc.\n{canary}\n").into_bytes();
    std::fs::write(&document, &document_bytes).unwrap_or_else(|e| panic!("{e}"));

    b.goto(&format!("/lang/vi?next={FORM}")).await;
    b.wait_for("[data-tip-sealing=browser]:not([hidden])", WAIT).await;
    b.assert_accessible("the tip form").await;
    b.fill("#description", &format!("Có người bán hàng cấm ở chợ. {canary}")).await;
    b.fill("#place", &format!("Chợ Vị Xuyên {canary}")).await;
    b.attach_all("#attachment", &[&named, &document]).await;
    b.click("form[data-tip-form] button[type=submit]").await;
    let code = b.wait_for_text("[data-tip-done] [data-tip-code]", "-", WAIT * 3).await;
    assert!(ketnoi_seal::receipt::parse(&code).is_ok(), "a receipt code is shown: {code:?}");
    b.assert_accessible("the tip sent").await;

    // Storage and the logs hold no byte of what was written, of the document, nor the files'
    // names.
    for (path, bytes) in stored_bytes(&app, &db).await {
        assert!(!holds(&bytes, canary.as_bytes()), "the canary is in {path}");
    }
    let logs = captured_logs();
    assert!(logs.contains("new tip"), "the logs were captured");
    assert!(!logs.contains(&canary), "the canary is in the logs");
    let stored: (Option<i64>, String) = sqlx::query_as("SELECT citizen_id, envelope FROM tips")
        .fetch_one(&mut connect(&db).await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored.0, None, "an anonymous tip names nobody");

    // The unit opens it, in Rust, with its key: everything is there, the photo without GPS.
    let envelope: Envelope = serde_json::from_str(&stored.1).unwrap_or_else(|e| panic!("{e}"));
    let keys = unit_keys(&app).await;
    let (body, report_key) = keys
        .iter()
        .find_map(|k| ketnoi_seal::open_report(&envelope, k).ok())
        .unwrap_or_else(|| panic!("the unit's key opens the tip"));
    assert!(body.description.contains(&canary), "{}", body.description);
    assert_eq!(body.attachments.len(), 2, "{:?}", body.attachments);
    // Files go in the order they were chosen; found by name so the test does not depend on it.
    let index_of = |suffix: &str| {
        body.attachments
            .iter()
            .position(|e| e.name.ends_with(suffix))
            .unwrap_or_else(|| panic!("no {suffix} among {:?}", body.attachments))
    };
    let (photo_at, document_at) = (index_of(".jpg"), index_of(".txt"));
    let entry = &body.attachments[photo_at];
    assert!(entry.name.contains(&canary), "the file's name is sealed: {}", entry.name);
    let token = app.staff_token_2fa("cavixuyen.canbo").await;
    let (_, list) = app.get("/api/v1/units/ca-vi-xuyen/tips", Some(&token)).await;
    let id = list["tips"][0]["id"].as_i64().unwrap_or_else(|| panic!("{list}"));
    let open = |index: usize| {
        let (app, token, report_key, body) = (&app, &token, &report_key, &body);
        async move {
            let path = format!("/api/v1/units/ca-vi-xuyen/tips/{id}/attachments/{index}");
            let response = app.client.get(app.url(&path)).bearer_auth(token).send().await;
            let sealed = response
                .unwrap_or_else(|e| panic!("{e}"))
                .bytes()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            ketnoi_seal::open_attachment(report_key, &body.attachments[index], &sealed)
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let opened = open(photo_at).await;
    assert!(opened.starts_with(&[0xFF, 0xD8]), "still a JPEG");
    assert!(!ketnoi_media::has_location_metadata(&opened), "the photo arrived with its GPS tags");
    assert!(!holds(&opened, b"Exif"), "no Exif block at all");
    assert_eq!(open(document_at).await, document_bytes, "the document arrives as it was");
    assert!(body.attachments[document_at].name.contains(&canary));

    // The officer opens it in the browser with the key passphrase and replies.
    drop(b);
    let Some(officer) = launch(&app.base, Options::default()).await else {
        return;
    };
    crate::browser::sign_in_staff(&officer, &app, "cavixuyen.canbo").await;
    let notice = officer.text_of("[data-tip-units]").await;
    assert!(notice.contains("1 tin báo mới"), "{notice}");
    assert!(!notice.contains(&canary) && !notice.contains("chợ"), "{notice}");
    officer.click("[data-tip-units] a").await;
    officer.wait_for_path("/console/don-vi/ca-vi-xuyen/tin-bao", WAIT).await;
    officer.click(&format!("[data-tip='{id}'] a")).await;
    officer.wait_for("form[data-tip-unlock]", WAIT).await;
    officer.fill("#passphrase", "a wrong passphrase").await;
    officer.click("form[data-tip-unlock] button[type=submit]").await;
    officer.wait_for_text("form[data-tip-unlock] [data-tip-error]", "không đúng", WAIT * 3).await;
    officer.fill("#passphrase", DEMO_TIP_PASSPHRASE).await;
    officer.click("form[data-tip-unlock] button[type=submit]").await;
    officer.wait_for_text("[data-tip-description]", &canary, WAIT * 3).await;
    let files = officer.text_of("[data-tip-attachments]").await;
    assert!(files.contains(&canary), "{files}");
    let sealed_by = officer.text_of("[data-tip-sealed-by]").await;
    assert!(sealed_by.contains("máy của người báo"), "{sealed_by}");
    // The photo opens in place, from its decrypted bytes.
    officer.click(&format!("[data-attachment='{photo_at}'] button")).await;
    officer.wait_for(&format!("[data-attachment='{photo_at}'] img.tip-photo"), WAIT).await;
    let started = std::time::Instant::now();
    loop {
        let width = officer
            .run_js("return document.querySelector('img.tip-photo').naturalWidth;", vec![])
            .await;
        if width.as_u64().is_some_and(|w| w > 0) {
            break;
        }
        assert!(started.elapsed() < WAIT, "the photo is never drawn");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    officer.assert_accessible("an opened tip").await;
    officer.fill("#reply", "Cảm ơn bạn, chúng tôi đang xác minh.").await;
    officer.click("form[data-tip-reply] button[type=submit]").await;
    officer.wait_for_text("[data-tip-opened] [data-tip-messages]", "đang xác minh", WAIT).await;
    drop(officer);

    // The citizen reads the reply with the code; a wrong code reads nothing.
    let Some(citizen) = launch(&app.base, Options::default()).await else {
        return;
    };
    citizen.goto("/lang/vi?next=/tin-bao/theo-doi").await;
    citizen.wait_for("form[data-tip-receipt]", WAIT).await;
    citizen.fill("#code", &code.to_lowercase()).await;
    citizen.click("form[data-tip-receipt] button[type=submit]").await;
    citizen.wait_for_text("[data-tip-messages]", "đang xác minh", WAIT * 3).await;
    let status = citizen.text_of("[data-tip-status-text]").await;
    assert!(status.contains("Đã tiếp nhận"), "{status}");
    let stored: Vec<(String,)> = sqlx::query_as("SELECT sealed FROM tip_messages")
        .fetch_all(&mut connect(&db).await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(stored.iter().all(|(s,)| !s.contains("xác minh")), "replies are stored sealed");
}

#[tokio::test]
async fn without_javascript_the_form_says_the_server_seals_and_still_sends() {
    let (app, _db) = app_with_tips().await;
    let Some(b) = launch(&app.base, Options::default().without_javascript()).await else {
        return;
    };
    b.goto(&format!("/lang/vi?next={FORM}")).await;
    let notice = b.text_of("[data-tip-privacy]").await;
    assert!(notice.contains("máy chủ sẽ niêm phong"), "{notice}");
    assert!(notice.contains("video và tài liệu vẫn giữ"), "{notice}");
    b.fill("#description", "Xe máy không biển số chạy lạng lách mỗi tối.").await;
    b.submit("form[data-tip-form]").await;
    let code = b.wait_for_text("[data-tip-sent] [data-tip-code]", "-", WAIT).await;
    assert!(ketnoi_seal::receipt::parse(&code).is_ok(), "{code:?}");
    b.goto("/tin-bao/theo-doi").await;
    b.fill("#code", &code).await;
    b.submit("form[data-tip-receipt]").await;
    let status = b.wait_for_text("[data-tip-status-text]", "Trạng thái", WAIT).await;
    assert!(status.contains("Đã tiếp nhận"), "{status}");
}

#[tokio::test]
async fn where_the_page_is_not_a_secure_context_the_form_says_the_server_seals_and_still_sends() {
    let (app, db) = app_with_tips().await;
    // Scripts run, but over plain HTTP under a real name the browser offers no WebCrypto.
    let Some(b) = launch(&insecure(&app.base), Options::default()).await else {
        return;
    };
    b.goto(&format!("/lang/vi?next={FORM}")).await;
    b.wait_for("form[data-tip-form]", WAIT).await;
    let secure = b.run_js("return window.isSecureContext;", vec![]).await;
    assert_eq!(secure, serde_json::json!(false), "the test page must not be a secure context");
    let scripts = b.run_js("return typeof window.ketnoiSeal;", vec![]).await;
    assert_eq!(scripts, serde_json::json!("object"), "the page's scripts ran");
    let shown = b
        .run_js(
            "return [...document.querySelectorAll('[data-tip-sealing]')]\
         .filter(e => !e.hidden).map(e => e.dataset.tipSealing);",
            vec![],
        )
        .await;
    assert!(
        shown.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(|s| s == "server")),
        "only the server-sealing notices show: {shown}"
    );
    b.fill("#description", "Có người lạ theo dõi nhà tôi ban đêm.").await;
    b.click("form[data-tip-form] button[type=submit]").await;
    let code = b.wait_for_text("[data-tip-sent] [data-tip-code]", "-", WAIT).await;
    assert!(ketnoi_seal::receipt::parse(&code).is_ok(), "{code:?}");
    let envelope: String = sqlx::query_scalar("SELECT envelope FROM tips")
        .fetch_one(&mut connect(&db).await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let envelope: Envelope = serde_json::from_str(&envelope).unwrap_or_else(|e| panic!("{e}"));
    let keys = unit_keys(&app).await;
    let (body, _) = keys
        .iter()
        .find_map(|k| ketnoi_seal::open_report(&envelope, k).ok())
        .unwrap_or_else(|| panic!("the unit's key opens the tip"));
    assert_eq!(body.sealed_by, ketnoi_seal::SealedBy::Server);
}

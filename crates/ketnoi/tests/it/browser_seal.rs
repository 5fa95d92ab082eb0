//! seal.js in a real headless Chromium against ketnoi-seal in Rust: what one seals the other
//! opens, in both directions, for reports and their attachments, receipts, messages, wrapped keys
//! and passphrase-sealed officer keys.
//!
//! The last test seals a whole tip in the browser (unit key, officer key, receipt, report with
//! attachments, a reply and a follow-up) and opens it in Rust. With
//! `KETNOI_WRITE_SEAL_FIXTURE=1` it also writes it to
//! `crates/ketnoi-seal/tests/fixtures/browser-v1.json`, which ketnoi-seal's own tests open
//! without a browser, so the format cannot drift on either side unnoticed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeMap, path::PathBuf};

use ketnoi_seal::{
    Author, Body, Clear, Draft, Envelope, Export, KeyPair, Label, Mode, PlainFile, SealedBy,
    SealedKey, UnitKeyEntry, UnitKeyFile, Wrapped, b64u, decrypt_export, open_attachment,
    open_message, open_report, open_with_passphrase, receipt, seal_message, seal_report,
    seal_with_passphrase, unb64u, unwrap, wrap,
};
use rand::RngCore;
use serde_json::{Value, json};

use crate::{
    browser::{Browser, Options, launch},
    helpers::{TestApp, spawn_app},
};

const SEAL_JS: &str = include_str!("../../../ketnoi-server/static/seal.js");

/// A page of the app with seal.js loaded, or `None` when there is no browser. The server must
/// outlive the browser, so both are returned.
async fn seal_page() -> Option<(TestApp, Browser)> {
    let app = spawn_app(false).await;
    let b = launch(&app.base, Options::default()).await?;
    b.goto("/").await;
    b.run_js(SEAL_JS, vec![]).await;
    let available = b.run_js("return window.ketnoiSeal.available();", vec![]).await;
    assert_eq!(available, json!(true), "seal.js says WebCrypto is unavailable");
    Some((app, b))
}

fn clear() -> Clear {
    Clear {
        account: "cong-an-tinh-tuyen-quang".into(),
        category: "ma-tuy".into(),
        area: "08".into(),
        occurred: "2026-11-28T21:30".into(),
        mode: Mode::Anonymous,
    }
}

const DESCRIPTION: &str = "Tối nào cũng có người bán ma tuý ở quán nước đầu ngõ 12; \
                           họ đi xe máy Wave màu đỏ.";

fn details() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("place".to_owned(), "Ngõ 12, phường Minh Xuân, TP Tuyên Quang".to_owned()),
        ("people".to_owned(), "Hai thanh niên khoảng 20 tuổi".to_owned()),
    ])
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

fn string(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("not a string: {value}")).to_owned()
}

#[tokio::test]
async fn a_report_sealed_in_the_browser_opens_in_rust() {
    let Some((_app, b)) = seal_page().await else { return };
    let unit = KeyPair::generate();
    let big = random_bytes(150_000);
    let reply_key = receipt::derive(&receipt::new_code()).unwrap().reply_key;
    let report = json!({
        "clear": clear(), "description": DESCRIPTION, "details": details(),
        "recipient": b64u(&unit.public()), "big": b64u(&big), "replyKey": b64u(&*reply_key),
    });
    let sealed = b
        .run_async_js(
            r#"const s = window.ketnoiSeal, r = arguments[0];
            const sealed = await s.sealReport({
              clear: r.clear, recipients: [s.unb64u(r.recipient)],
              description: r.description, details: r.details,
              files: [{ name: "ảnh hiện trường.jpg", type: "image/jpeg", bytes: s.unb64u(r.big) },
                      { name: "trống.txt", type: "text/plain", bytes: new Uint8Array(0) }],
              replyKey: s.unb64u(r.replyKey)
            });
            return { envelope: sealed.envelope, attachments: sealed.attachments.map(s.b64u) };"#,
            vec![report],
        )
        .await;

    let envelope: Envelope = serde_json::from_value(sealed["envelope"].clone()).unwrap();
    assert_eq!(envelope.v, 1);
    assert_eq!(envelope.clear, clear());
    assert_eq!(envelope.recipients[0].kid, unit.kid());
    let (body, key) = open_report(&envelope, &unit).unwrap();
    assert_eq!(body.description, DESCRIPTION);
    assert_eq!(body.details, details());
    assert_eq!(body.sealed_by, SealedBy::Browser);
    assert_eq!(*body.reply_key().unwrap(), *reply_key);

    let streams: Vec<Vec<u8>> =
        serde_json::from_value::<Vec<String>>(sealed["attachments"].clone())
            .unwrap()
            .iter()
            .map(|s| unb64u(s).unwrap())
            .collect();
    let names: Vec<_> = body.attachments.iter().map(|a| (a.name.as_str(), a.size)).collect();
    assert_eq!(names, [("ảnh hiện trường.jpg", 150_000), ("trống.txt", 0)]);
    assert_eq!(body.attachments[0].content_type, "image/jpeg");
    assert_eq!(streams[0].len(), 150_000 + 3 * 16);
    assert_eq!(open_attachment(&key, &body.attachments[0], &streams[0]).unwrap(), big);
    assert_eq!(streams[1].len(), 16);
    assert_eq!(open_attachment(&key, &body.attachments[1], &streams[1]).unwrap(), Vec::<u8>::new());
}

#[tokio::test]
async fn a_report_sealed_in_rust_opens_in_the_browser() {
    let Some((_app, b)) = seal_page().await else { return };
    let unit = KeyPair::generate();
    let big = random_bytes(150_000);
    let files = [
        PlainFile {
            name: "ảnh.jpg".into(), content_type: "image/jpeg".into(), bytes: big.clone()
        },
        PlainFile { name: "trống.txt".into(), content_type: "text/plain".into(), bytes: vec![] },
    ];
    let (clear, details) = (clear(), details());
    let (envelope, streams) = seal_report(&Draft {
        clear: &clear,
        recipients: &[KeyPair::generate().public(), unit.public()],
        description: DESCRIPTION,
        details: &details,
        files: &files,
        reply_key: &[5; 32],
        sealed_by: SealedBy::Server,
    })
    .unwrap();
    let streams: Vec<String> = streams.iter().map(|s| b64u(s)).collect();
    let key = json!({ "d": b64u(unit.secret_bytes().as_slice()), "public": b64u(&unit.public()) });

    let opened = b
        .run_async_js(
            r#"const s = window.ketnoiSeal, [envelope, streams, key] = arguments;
            const { body, reportKey } =
              await s.openReport(envelope, s.unb64u(key.d), s.unb64u(key.public));
            const files = [];
            for (let i = 0; i < streams.length; i++) {
              files.push(s.b64u(await s.openAttachment(reportKey, body.attachments[i],
                                                       s.unb64u(streams[i]))));
            }
            return { body, files, kid: await s.kid(s.unb64u(key.public)) };"#,
            vec![json!(envelope), json!(streams), key.clone()],
        )
        .await;
    assert_eq!(string(&opened["kid"]), unit.kid());
    let body: Body = serde_json::from_value(opened["body"].clone()).unwrap();
    assert_eq!(body.description, DESCRIPTION);
    assert_eq!(body.details, details);
    assert_eq!(body.sealed_by, SealedBy::Server);
    assert_eq!(*body.reply_key().unwrap(), [5; 32]);
    assert_eq!(unb64u(&string(&opened["files"][0])).unwrap(), big);
    assert_eq!(string(&opened["files"][1]), "");

    // The browser refuses what Rust refuses: another key, a changed clear field, a cut stream.
    let mut moved = envelope.clone();
    moved.clear.area = "02".into();
    let stranger = KeyPair::generate();
    let stranger = json!({ "d": b64u(stranger.secret_bytes().as_slice()), "public": b64u(&stranger.public()) });
    let refusals = b
        .run_async_js(
            r#"const s = window.ketnoiSeal, [envelope, moved, streams, key, stranger] = arguments;
            const why = async (f) => { try { await f(); return "opened"; } catch (e) { return e.message; } };
            const open = (env, k) => s.openReport(env, s.unb64u(k.d), s.unb64u(k.public));
            const { body, reportKey } = await open(envelope, key);
            const stream = s.unb64u(streams[0]);
            return [
              await why(() => open(envelope, stranger)),
              await why(() => open(moved, key)),
              await why(() => s.openAttachment(reportKey, body.attachments[0],
                                               stream.subarray(0, 2 * 65552))),
              await why(() => s.openAttachment(reportKey, body.attachments[0],
                                               s.unb64u(streams[1]))),
            ];"#,
            vec![json!(envelope), json!(moved), json!(streams), key, stranger],
        )
        .await;
    assert_eq!(refusals, json!(["wrong key", "tampered", "truncated", "truncated"]));
}

#[tokio::test]
async fn receipts_messages_and_wrapped_keys_agree_between_browser_and_rust() {
    let Some((_app, b)) = seal_page().await else { return };
    let rust_code = receipt::new_code();
    let from_js = b
        .run_async_js(
            r#"const s = window.ketnoiSeal, [code] = arguments;
            const derive = async (c) => {
              const d = await s.deriveReceipt(c);
              return [d.lookup, d.auth, s.b64u(d.replyKey)];
            };
            const jsCode = s.newReceipt();
            return {
              rust: await derive(code),
              typed: await derive(code.toLowerCase().replace(/-/g, " ").replace(/0/g, "o")),
              parsed: s.b64u(s.parseReceipt(code)),
              jsCode, js: await derive(jsCode),
              refused: [s.parseReceipt(code.slice(0, -1) + "U"), s.parseReceipt(code.slice(1))],
            };"#,
            vec![json!(rust_code)],
        )
        .await;
    let values = |code: &str| {
        let r = receipt::derive(code).unwrap();
        json!([r.lookup, r.auth, b64u(&*r.reply_key)])
    };
    assert_eq!(from_js["rust"], values(&rust_code));
    assert_eq!(from_js["typed"], values(&rust_code));
    assert_eq!(unb64u(&string(&from_js["parsed"])).unwrap(), receipt::parse(&rust_code).unwrap());
    let js_code = string(&from_js["jsCode"]);
    assert_eq!(receipt::format(&receipt::parse(&js_code).unwrap()), js_code);
    assert_eq!(from_js["js"], values(&js_code));
    assert_eq!(from_js["refused"], json!([null, null]));

    // Messages, both ways, under the reply key both sides derived.
    let reply_key = receipt::derive(&rust_code).unwrap().reply_key;
    let reply = "Chúng tôi đã nhận tin. Bạn có nhớ biển số xe không?";
    let sealed_reply = seal_message(&reply_key, Author::Unit, reply).unwrap();
    let answer = b
        .run_async_js(
            r#"const s = window.ketnoiSeal, [code, sealed] = arguments;
            const { replyKey } = await s.deriveReceipt(code);
            let misread;
            try { await s.openMessage(replyKey, "reporter", sealed); misread = "opened"; }
            catch (e) { misread = e.message; }
            return {
              reply: await s.openMessage(replyKey, "unit", sealed),
              misread,
              // Decomposed on purpose: sealed in NFC.
              followUp: await s.sealMessage(replyKey, "reporter", "Bie\u0302\u0309n so\u0302\u0301 22B1-123.45"),
            };"#,
            vec![json!(rust_code), json!(sealed_reply)],
        )
        .await;
    assert_eq!(string(&answer["reply"]), reply);
    assert_eq!(string(&answer["misread"]), "tampered");
    let follow_up = serde_json::from_value(answer["followUp"].clone()).unwrap();
    assert_eq!(
        open_message(&reply_key, Author::Reporter, &follow_up).unwrap(),
        "Biển số 22B1-123.45"
    );

    // Wrapping a unit key to an officer key, both ways.
    let officer = KeyPair::generate();
    let unit = KeyPair::generate();
    let wrapped = wrap(unit.secret_bytes().as_slice(), &officer.public(), Label::Unit).unwrap();
    let officer_json =
        json!({ "d": b64u(officer.secret_bytes().as_slice()), "public": b64u(&officer.public()) });
    let wrapped_in_js = b
        .run_async_js(
            r#"const s = window.ketnoiSeal, [wrapped, officer, secret] = arguments;
            const d = s.unb64u(officer.d), pub = s.unb64u(officer.public);
            return {
              unwrapped: s.b64u(await s.unwrap(wrapped, d, pub, "unit")),
              wrapped: await s.wrap(s.unb64u(secret), pub, "unit"),
            };"#,
            vec![json!(wrapped), officer_json, json!(b64u(&[9; 32]))],
        )
        .await;
    assert_eq!(string(&wrapped_in_js["unwrapped"]), b64u(unit.secret_bytes().as_slice()));
    let wrapped: Wrapped = serde_json::from_value(wrapped_in_js["wrapped"].clone()).unwrap();
    assert_eq!(*unwrap(&wrapped, &officer, Label::Unit).unwrap(), [9; 32]);
    assert!(unwrap(&wrapped, &officer, Label::Report).is_err());
}

#[tokio::test]
async fn officer_keys_sealed_under_a_passphrase_open_on_both_sides() {
    let Some((_app, b)) = seal_page().await else { return };
    // Sealed in Rust, typed decomposed in the browser.
    let officer = KeyPair::generate();
    let sealed = seal_with_passphrase(&officer, "khoá riêng của tôi").unwrap();
    let opened = b
        .run_async_js(
            r#"const s = window.ketnoiSeal, [sealed] = arguments;
            const d = await s.openWithPassphrase(sealed, "khoa\u0301 rie\u0302ng cu\u0309a to\u0302i");
            let wrong;
            try { await s.openWithPassphrase(sealed, "khoá riêng của tôi."); wrong = "opened"; }
            catch (e) { wrong = e.message; }
            return { d: s.b64u(d), wrong };"#,
            vec![json!(sealed)],
        )
        .await;
    assert_eq!(string(&opened["d"]), b64u(officer.secret_bytes().as_slice()));
    assert_eq!(string(&opened["wrong"]), "passphrase");

    // Generated and sealed in the browser, opened in Rust.
    let from_js = b
        .run_async_js(
            r#"const s = window.ketnoiSeal;
            const key = await s.generateKeyPair(), other = await s.generateKeyPair();
            let mismatch;
            try { await s.sealWithPassphrase(other.d, key.publicRaw, "x"); mismatch = "sealed"; }
            catch (e) { mismatch = e.message; }
            return { public: s.b64u(key.publicRaw), mismatch,
                     sealed: await s.sealWithPassphrase(key.d, key.publicRaw, "mật khẩu 2026") };"#,
            vec![],
        )
        .await;
    assert_eq!(string(&from_js["mismatch"]), "private key", "a scalar sealed with another key");
    let sealed: SealedKey = serde_json::from_value(from_js["sealed"].clone()).unwrap();
    assert_eq!(sealed.iterations, 600_000);
    let key = open_with_passphrase(&sealed, "mật khẩu 2026").unwrap();
    assert_eq!(b64u(&key.public()), string(&from_js["public"]));
    assert_eq!(key.kid(), sealed.kid);
}

// ---------------------------------------------------------------------------------------------
// The committed fixture. Its expected plaintext is repeated in crates/ketnoi-seal/tests/seal/
// fixture.rs, which opens it without a browser: change both together.
// ---------------------------------------------------------------------------------------------

const FIXTURE: &str = "../ketnoi-seal/tests/fixtures/browser-v1.json";

const FIXTURE_PASSPHRASE: &str = "Mật khẩu riêng của cán bộ 2026";

const FIXTURE_REPLY: &str = "Chúng tôi đã nhận tin, xin cảm ơn. Bạn có nhớ biển số xe không?";

const FIXTURE_FOLLOW_UP: &str = "Biển số 22B1-123.45, xe màu đỏ.";

#[tokio::test]
async fn a_whole_tip_sealed_in_the_browser_opens_offline_in_rust() {
    let Some((_app, b)) = seal_page().await else { return };
    let input = json!({
        "clear": clear(), "description": DESCRIPTION, "details": details(),
        "passphrase": FIXTURE_PASSPHRASE, "reply": FIXTURE_REPLY, "followUp": FIXTURE_FOLLOW_UP,
    });
    let fixture = b
        .run_async_js(
            r#"const s = window.ketnoiSeal, [t] = arguments;
            // The same bytes as `pattern` in ketnoi-seal's tests.
            const pattern = (n) => { const b = new Uint8Array(n);
                                     for (let i = 0; i < n; i++) { b[i] = (i * 31 + 7) % 256; }
                                     return b; };
            const unit = await s.generateKeyPair();
            const officer = await s.generateKeyPair();
            const code = s.newReceipt();
            const receipt = await s.deriveReceipt(code);
            const sealed = await s.sealReport({
              clear: t.clear, recipients: [unit.publicRaw], description: t.description,
              details: t.details, replyKey: receipt.replyKey,
              files: [{ name: "anh-hien-truong.jpg", type: "image/jpeg", bytes: pattern(70000) },
                      { name: "ghi-chu.txt", type: "text/plain", bytes: new Uint8Array(0) }],
            });
            return {
              about: "A tip sealed by seal.js in headless Chromium. Written by " +
                     "crates/ketnoi/tests/it/browser_seal.rs with KETNOI_WRITE_SEAL_FIXTURE=1; " +
                     "opened by crates/ketnoi-seal/tests/seal/fixture.rs.",
              unit_key: { kid: await s.kid(unit.publicRaw), public: s.b64u(unit.publicRaw),
                          private: s.b64u(unit.d) },
              officer: {
                passphrase: t.passphrase,
                sealed: await s.sealWithPassphrase(officer.d, officer.publicRaw, t.passphrase),
                unit_copy: await s.wrap(unit.d, officer.publicRaw, "unit"),
              },
              receipt: { code, lookup: receipt.lookup, auth: receipt.auth },
              export: {
                v: 1, tip: 1, created_at: "2026-11-28T21:40:00+07:00", status: "new",
                envelope: sealed.envelope,
                attachments: sealed.attachments.map(s.b64u),
                messages: [
                  { author: "unit", at: "2026-11-29T08:00:00+07:00",
                    sealed: await s.sealMessage(receipt.replyKey, "unit", t.reply) },
                  { author: "reporter", at: "2026-11-29T09:15:00+07:00",
                    sealed: await s.sealMessage(receipt.replyKey, "reporter", t.followUp) },
                ],
              },
            };"#,
            vec![input],
        )
        .await;

    // Opened the way an officer would offline: passphrase, officer key, unit key copy, tip.
    let sealed: SealedKey = serde_json::from_value(fixture["officer"]["sealed"].clone()).unwrap();
    let officer = open_with_passphrase(&sealed, FIXTURE_PASSPHRASE).unwrap();
    let copy: Wrapped = serde_json::from_value(fixture["officer"]["unit_copy"].clone()).unwrap();
    let unit = KeyPair::from_secret(&unwrap(&copy, &officer, Label::Unit).unwrap()).unwrap();
    let file: UnitKeyFile = serde_json::from_value(fixture["unit_key"].clone()).unwrap();
    let keys = file.keys().unwrap();
    assert_eq!(keys[0].public(), unit.public());
    assert_eq!(json!(UnitKeyEntry::new(&unit)), fixture["unit_key"]);

    let export: Export = serde_json::from_value(fixture["export"].clone()).unwrap();
    let tip = decrypt_export(&export, &keys).unwrap();
    assert_eq!(tip.clear, clear());
    assert_eq!(tip.body.description, DESCRIPTION);
    assert_eq!(tip.attachments[0].1.len(), 70_000);
    let texts: Vec<_> = tip.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, [FIXTURE_REPLY, FIXTURE_FOLLOW_UP]);
    let derived = receipt::derive(&string(&fixture["receipt"]["code"])).unwrap();
    assert_eq!(string(&fixture["receipt"]["lookup"]), derived.lookup);
    assert_eq!(*tip.body.reply_key().unwrap(), *derived.reply_key);

    if std::env::var("KETNOI_WRITE_SEAL_FIXTURE").as_deref() == Ok("1") {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
        let text = serde_json::to_string_pretty(&fixture).unwrap() + "\n";
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("wrote {}", path.display());
    }
}

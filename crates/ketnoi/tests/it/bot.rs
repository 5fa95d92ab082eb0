//! The bot in conversations, against the real server: answers typed without diacritics, hands
//! off what it cannot answer with suggestions, steps back when an officer replies, welcomes new
//! followers; and `ketnoi bot` on the command line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use ketnoi_core::{AccountId, Timestamp};
use ketnoi_store::BotSettingsUpdate;
use serde_json::{Value, json};

use crate::cli::shared;
use crate::helpers::{TestApp, assert_problem, spawn_app};

const ACCOUNT: &str = "ca-vi-xuyen";
const CITIZEN: &str = "0912000001";
const NEIGHBOUR: &str = "0987000002";
const OFFICER: &str = "cavixuyen.canbo";
const WAIT: Duration = Duration::from_secs(15);

/// Loads the shared 60-intent knowledge base into the account and turns its bot on.
pub(crate) async fn with_shared_kb(app: &TestApp) -> AccountId {
    let text = std::fs::read_to_string(shared("data/chatbot/kb.jsonl")).unwrap();
    let intents = ketnoi_bot::parse_kb(&text).unwrap();
    let account = app.store.account_by_slug(&ACCOUNT.parse().unwrap()).await.unwrap().unwrap();
    app.store.replace_bot_intents(account.id, &intents, Timestamp::now()).await.unwrap();
    let on =
        BotSettingsUpdate { enabled: true, welcome: String::new(), away_message: String::new() };
    app.store.save_bot_settings(account.id, &on, Timestamp::now()).await.unwrap();
    account.id
}

pub(crate) fn kb_answer(id: &str) -> String {
    let text = std::fs::read_to_string(shared("data/chatbot/kb.jsonl")).unwrap();
    let intents = ketnoi_bot::parse_kb(&text).unwrap();
    intents.into_iter().find(|i| i.id.as_str() == id).unwrap().answer
}

/// Sends a citizen's message; returns the conversation id and the message's number.
async fn ask(app: &TestApp, token: &str, client_id: &str, text: &str) -> (i64, i64) {
    ask_account(app, ACCOUNT, token, client_id, text).await
}

/// Sends a citizen's message to an account; returns the conversation id and the message's
/// number.
pub(crate) async fn ask_account(
    app: &TestApp,
    account: &str,
    token: &str,
    client_id: &str,
    text: &str,
) -> (i64, i64) {
    let (status, sent) = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/accounts/{account}/messages"),
            Some(token),
            Some(json!({ "client_msg_id": client_id, "text": text })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    (sent["conversation"]["id"].as_i64().unwrap(), sent["message"]["seq"].as_i64().unwrap())
}

async fn messages(app: &TestApp, token: &str, conversation: i64) -> Vec<Value> {
    let (status, page) = app
        .get(&format!("/api/v1/conversations/{conversation}/messages?limit=100"), Some(token))
        .await;
    assert_eq!(status, 200, "{page}");
    page["messages"].as_array().unwrap().clone()
}

/// Waits for the bot's message after `seq`.
pub(crate) async fn bot_reply(app: &TestApp, token: &str, conversation: i64, seq: i64) -> Value {
    let started = Instant::now();
    loop {
        let found = messages(app, token, conversation)
            .await
            .into_iter()
            .find(|m| m["seq"].as_i64() > Some(seq) && m["author"] == "bot");
        if let Some(m) = found {
            return m;
        }
        assert!(started.elapsed() < WAIT, "the bot did not answer message {seq}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn button_texts(message: &Value) -> Vec<String> {
    message["buttons"]
        .as_array()
        .map(|b| b.iter().filter_map(|b| b["text"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The link buttons of a bot message, by address.
pub(crate) fn links(m: &Value) -> Vec<String> {
    m["buttons"]
        .as_array()
        .map(|b| {
            b.iter()
                .filter(|b| b["type"] == "link")
                .filter_map(|b| b["url"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_police_answer_about_reporting_a_crime_links_the_sealed_tip_form() {
    let app = spawn_app(true).await;
    with_shared_kb(&app).await;
    let token = app.citizen_token(CITIZEN).await;
    let (conversation, seq) =
        ask(&app, &token, "q-tip", "to giac toi pham co duoc giu bi mat khong").await;
    let tip = bot_reply(&app, &token, conversation, seq).await;
    assert_eq!(tip["text"], kb_answer("antt.to_giac_an_danh"));
    assert_eq!(links(&tip), vec![format!("/a/{ACCOUNT}/tin-bao")], "{tip}");
    let (_, seq) = ask(&app, &token, "q-id", "mat the can cuoc thi lam lai the nao").await;
    let other = bot_reply(&app, &token, conversation, seq).await;
    assert!(links(&other).is_empty(), "no tip link on an answer about ID cards: {other}");
}

#[tokio::test]
async fn a_question_typed_without_diacritics_gets_the_right_answer() {
    let app = spawn_app(true).await;
    with_shared_kb(&app).await;
    let token = app.citizen_token(CITIZEN).await;
    let (conversation, seq) =
        ask(&app, &token, "q-1", "mat the can cuoc thi lam lai the nao").await;
    let answer = bot_reply(&app, &token, conversation, seq).await;
    assert_eq!(answer["text"], kb_answer("cccd.cap_lai_khi_mat"));
    assert_eq!(answer["kind"], "structured");
    let buttons = button_texts(&answer);
    assert!(
        buttons.iter().any(|b| b == ketnoi_server::features::bot::service::HELPFUL),
        "{buttons:?}"
    );
    assert!(
        buttons.iter().any(|b| b == ketnoi_server::features::bot::service::ASK_PERSON),
        "{buttons:?}"
    );
    // Answered, so the conversation is the bot's: not in the officers' "needs a person" list.
    let officer = app.staff_token(OFFICER).await;
    let (status, person) = app
        .get(&format!("/api/v1/accounts/{ACCOUNT}/conversations?handler=person"), Some(&officer))
        .await;
    assert_eq!(status, 200, "{person}");
    assert!(person["conversations"].as_array().unwrap().iter().all(|c| c["id"] != conversation));
    let (_, by_bot) = app
        .get(&format!("/api/v1/accounts/{ACCOUNT}/conversations?handler=bot"), Some(&officer))
        .await;
    assert!(by_bot["conversations"].as_array().unwrap().iter().any(|c| c["id"] == conversation));

    // "Helpful" is counted and thanked.
    let (_, seq) = ask(&app, &token, "q-2", ketnoi_server::features::bot::service::HELPFUL).await;
    let thanks = bot_reply(&app, &token, conversation, seq).await;
    assert!(thanks["text"].as_str().unwrap().contains("Cảm ơn"), "{thanks}");
    let account = app.store.account_by_slug(&ACCOUNT.parse().unwrap()).await.unwrap().unwrap();
    let stats = app.store.bot_stats(account.id, 0).await.unwrap();
    let (answered, helpful) =
        stats.iter().fold((0, 0), |(a, h), d| (a + d.answered, h + d.helpful));
    assert_eq!((answered, helpful), (1, 1));
    // An unknown inbox filter is refused.
    let bad = app
        .get(&format!("/api/v1/accounts/{ACCOUNT}/conversations?handler=robot"), Some(&officer))
        .await;
    assert_problem(&bad, 422, "invalid-choice");
}

#[tokio::test]
async fn an_out_of_scope_question_reaches_the_inbox_with_suggestions() {
    let app = spawn_app(true).await;
    let account = with_shared_kb(&app).await;
    let token = app.citizen_token(CITIZEN).await;
    let question = "Cho tôi hỏi giá vàng hôm nay bao nhiêu?";
    let (conversation, seq) = ask(&app, &token, "oos-1", question).await;
    let handoff = bot_reply(&app, &token, conversation, seq).await;
    assert!(handoff["text"].as_str().unwrap().contains("chuyển cho cán bộ"), "{handoff}");
    let suggestions = button_texts(&handoff);
    assert!(!suggestions.is_empty(), "{handoff}");

    let officer = app.staff_token(OFFICER).await;
    let (status, inbox) = app
        .get(&format!("/api/v1/accounts/{ACCOUNT}/conversations?handler=person"), Some(&officer))
        .await;
    assert_eq!(status, 200, "{inbox}");
    let listed = inbox["conversations"].as_array().unwrap();
    let ours =
        listed.iter().find(|c| c["id"] == conversation).expect("handed-off conversation listed");
    assert_eq!(ours["bot"], "waiting");
    let handoffs = app.store.bot_handoffs(account, true, 10).await.unwrap();
    assert_eq!(handoffs.len(), 1);
    assert_eq!(handoffs[0].question, question);
    assert_eq!(handoffs[0].suggestions.len(), suggestions.len());

    // Tapping a suggestion sends its question, which the bot answers with that intent.
    let (_, seq) = ask(&app, &token, "oos-2", &suggestions[0]).await;
    let answer = bot_reply(&app, &token, conversation, seq).await;
    let text = std::fs::read_to_string(shared("data/chatbot/kb.jsonl")).unwrap();
    let intent = ketnoi_bot::parse_kb(&text)
        .unwrap()
        .into_iter()
        .find(|i| i.question == suggestions[0])
        .expect("suggestions are canonical questions");
    assert_eq!(answer["text"], intent.answer.as_str());
}

#[tokio::test]
async fn an_officers_reply_pauses_the_bot_for_that_conversation() {
    let app = spawn_app(true).await;
    with_shared_kb(&app).await;
    let token = app.citizen_token(CITIZEN).await;
    let (conversation, seq) =
        ask(&app, &token, "p-1", "dang ky tam tru khi thue tro can giay to gi").await;
    bot_reply(&app, &token, conversation, seq).await;

    let officer = app.staff_token(OFFICER).await;
    let (status, sent) = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&officer),
            Some(json!({ "client_msg_id": "o-1", "text": "Chào bạn, cán bộ Lan đây, bạn ở trọ phường nào?" })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["conversation"]["bot"], "paused");

    let (_, asked) = ask(&app, &token, "p-2", "khai sinh cho con moi de o dau").await;
    // The bot takes messages in order: once it has answered a later question elsewhere, it
    // has already passed over this one.
    let neighbour = app.citizen_token(NEIGHBOUR).await;
    let (other, other_seq) = ask(&app, &neighbour, "n-1", "khai sinh cho con moi de o dau").await;
    bot_reply(&app, &neighbour, other, other_seq).await;
    let after: Vec<Value> = messages(&app, &token, conversation)
        .await
        .into_iter()
        .filter(|m| m["seq"].as_i64() > Some(asked))
        .collect();
    assert!(after.is_empty(), "the bot answered in a conversation an officer took: {after:?}");

    // Closing hands the conversation back to the bot.
    let (status, _) = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{conversation}/close"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (_, seq) = ask(&app, &token, "p-3", "khai sinh cho con moi de o dau").await;
    let answer = bot_reply(&app, &token, conversation, seq).await;
    assert_eq!(answer["text"], kb_answer("ho_tich.khai_sinh"));
}

#[tokio::test]
async fn a_new_follower_is_welcomed() {
    let app = spawn_app(true).await;
    // The demo's commune account has its bot on with a welcome; the citizen does not follow it.
    let token = app.citizen_token("0356000003").await;
    let (status, _) = app
        .send(reqwest::Method::PUT, "/api/v1/accounts/ubnd-vi-xuyen/follow", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    let (_, mine) = app.get("/api/v1/me/conversations", Some(&token)).await;
    let conversation =
        mine["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["account"]["slug"] == "ubnd-vi-xuyen")
            .unwrap_or_else(|| panic!("the welcome opened no conversation: {mine}"))["conversation"]
            ["id"]
            .as_i64()
            .unwrap();
    let first = &messages(&app, &token, conversation).await[0];
    assert_eq!(first["author"], "bot");
    assert!(first["text"].as_str().unwrap().starts_with("Chào bạn"), "{first}");
}

#[test]
fn bot_import_replaces_the_knowledge_base_and_a_bad_line_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ketnoi"))
            .args(["--data-dir", data])
            .args(args)
            .env("KETNOI_LANG", "en")
            .output()
            .unwrap()
    };
    assert!(
        run(&["area", "import", shared("data/areas/vn-2025.csv").to_str().unwrap()])
            .status
            .success()
    );
    let agency = run(&[
        "agency",
        "create",
        "--code",
        "ca-xa",
        "--name",
        "Công an xã",
        "--kind",
        "police",
        "--area",
        "01",
    ]);
    assert!(agency.status.success(), "{}", String::from_utf8_lossy(&agency.stderr));
    let account = run(&[
        "account",
        "create",
        "--agency",
        "ca-xa",
        "--name",
        "Công an xã",
        "--kind",
        "police",
        "--slug",
        "ca-xa",
    ]);
    assert!(account.status.success(), "{}", String::from_utf8_lossy(&account.stderr));

    let kb = shared("data/chatbot/kb.jsonl");
    let imported = run(&["bot", "import", "--account", "ca-xa", kb.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    assert!(String::from_utf8_lossy(&imported.stdout).contains("60"));

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"id\":\"a\",\"question\":\"Hỏi gì?\",\"answer\":\"Đáp.\"}\n{\"id\":\"b\",\"question\":\n").unwrap();
    let refused = run(&["bot", "import", "--account", "ca-xa", bad.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("line 2"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let exported = run(&["bot", "export", "--account", "ca-xa"]);
    assert!(exported.status.success());
    let back = ketnoi_bot::parse_kb(&String::from_utf8_lossy(&exported.stdout)).unwrap();
    let original = ketnoi_bot::parse_kb(&std::fs::read_to_string(&kb).unwrap()).unwrap();
    assert_eq!(back, original, "the bad file changed nothing");
}

#[test]
fn bot_eval_prints_the_figures_as_its_last_line() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["bot", "eval", "--kb"])
        .arg(shared("data/chatbot/kb.jsonl"))
        .arg("--questions")
        .arg(shared("data/chatbot/dev.jsonl"))
        .args(["--by", "style"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: Value = serde_json::from_str(stdout.trim_end().lines().last().unwrap()).unwrap();
    for key in [
        "in_scope_accuracy",
        "oos_rejection",
        "overall_accuracy",
        "top3_accuracy",
        "p50_us",
        "p99_us",
    ] {
        assert!(last[key].is_number(), "{key} missing: {last}");
    }
    assert_eq!(last["questions"], 135);
    assert!(last["by_style"]["no_diacritics"]["overall_accuracy"].is_number(), "{last}");
    // Far better than chance on a 60-intent knowledge base.
    assert!(last["overall_accuracy"].as_f64().unwrap() > 0.5, "{last}");
}

#[tokio::test]
async fn the_officers_inbox_page_lists_what_needs_a_person_apart_from_the_bots() {
    let app = spawn_app(true).await;
    with_shared_kb(&app).await;
    let token = app.citizen_token(CITIZEN).await;
    let (answered, seq) = ask(&app, &token, "a-1", "mat the can cuoc thi lam lai the nao").await;
    bot_reply(&app, &token, answered, seq).await;
    let neighbour = app.citizen_token(NEIGHBOUR).await;
    let (handed, seq) =
        ask(&app, &neighbour, "b-1", "Cho tôi hỏi giá vàng hôm nay bao nhiêu?").await;
    bot_reply(&app, &neighbour, handed, seq).await;

    let mut officer = crate::pages::Visitor::staff(&app, OFFICER).await;
    let link = |id: i64| format!("href=\"/console/c/{id}\"");
    let (status, person, _) = officer.get(&format!("/console/a/{ACCOUNT}/inbox")).await;
    assert_eq!(status, 200, "{person}");
    assert!(person.contains("Cần cán bộ trả lời"), "{person}");
    assert!(person.contains(&link(handed)) && !person.contains(&link(answered)), "{person}");
    let (_, by_bot, _) =
        officer.get(&format!("/console/a/{ACCOUNT}/inbox?status=open&handler=bot")).await;
    assert!(by_bot.contains(&link(answered)) && !by_bot.contains(&link(handed)), "{by_bot}");
}

#[tokio::test]
async fn the_console_links_the_bot_only_for_those_who_may_curate_it() {
    let app = spawn_app(true).await;
    let mut officer = crate::pages::Visitor::staff(&app, OFFICER).await;
    let (_, console, _) = officer.get("/console").await;
    assert!(console.contains("href=\"/console/a/ca-vi-xuyen/bot\""), "{console}");
    let mut viewer = crate::pages::Visitor::staff(&app, "ubndvixuyen.xem").await;
    let (_, console, _) = viewer.get("/console").await;
    assert!(console.contains("href=\"/console/a/ubnd-vi-xuyen/inbox\""), "{console}");
    assert!(!console.contains("/bot\""), "a viewer is offered the bot: {console}");
    let (_, inbox, _) = viewer.get("/console/a/ubnd-vi-xuyen/inbox").await;
    assert!(!inbox.contains("/bot\""), "{inbox}");
}

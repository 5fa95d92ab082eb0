//! The bot's console pages (issue 5) over plain HTTP, as an officer's browser without JavaScript
//! uses them: import and export the knowledge base, try questions, turn hand-offs into examples,
//! edit intents; and refusals for strangers and forged forms.

use ketnoi_core::{AccountId, ConversationId, IntentId, Timestamp};
use ketnoi_store::NewHandoff;
use reqwest::{StatusCode, header};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use crate::pages::{Visitor as Browser, hidden};

pub(crate) const ACCOUNT: &str = "ca-vi-xuyen";
pub(crate) const BOT: &str = "/console/a/ca-vi-xuyen/bot";
/// An officer of the Vị Xuyên police, whose account `ca-vi-xuyen` is.
pub(crate) const OFFICER: &str = "cavixuyen.canbo";
/// A viewer of another agency entirely.
const OUTSIDER: &str = "ubndvixuyen.xem";

/// A small knowledge base: three intents, one per line.
pub(crate) const SMALL_KB: &str = r#"{"id": "cu_tru.tam_tru", "topic": "Cư trú", "question": "Đăng ký tạm trú ở đâu?", "answer": "Đăng ký tạm trú tại Công an xã hoặc trên VNeID.", "examples": ["làm tạm trú thế nào", "thuê trọ có phải báo tạm trú không"]}
{"id": "can_cuoc.cap_moi", "topic": "Căn cước", "question": "Làm thẻ căn cước lần đầu ở đâu?", "answer": "Đến Công an xã nơi cư trú, mang theo giấy khai sinh.", "examples": ["làm căn cước ở đâu", "cấp thẻ căn cước lần đầu"]}
{"id": "gio_lam_viec", "question": "Công an xã làm việc giờ nào?", "answer": "Từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu.", "examples": ["mấy giờ mở cửa", "giờ làm việc"]}
"#;

/// An officer's browser, with what the bot pages need beyond [`Visitor`]'s.
impl<'a> Browser<'a> {
    /// A browser with a staff member signed in through the sign-in page.
    pub(crate) async fn staff(app: &'a TestApp, username: &str) -> Self {
        let mut b = Self::new(app);
        let password = app.staff_password(username);
        let (status, _, _) =
            b.post("/staff/sign-in", &[("username", username), ("password", &password)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{username} signs in");
        assert!(b.cookies.contains_key("ketnoi_session"));
        b
    }

    /// Posts the import form (multipart) with a file, as a same-origin page would.
    async fn upload(
        &mut self,
        path: &str,
        csrf: Option<&str>,
        file: &str,
    ) -> (StatusCode, String, Option<String>) {
        let boundary = "ketnoi-test-boundary-7MA4YWxk";
        let mut body = String::new();
        if let Some(csrf) = csrf {
            body.push_str(&format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            ));
        }
        body.push_str(&format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"kb.jsonl\"\r\n\
             content-type: application/octet-stream\r\n\r\n{file}\r\n--{boundary}--\r\n"
        ));
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT_LANGUAGE, "vi")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        self.finish(response).await
    }

    /// The form token of the bot's overview.
    pub(crate) async fn csrf(&mut self) -> String {
        let (status, page, _) = self.get(BOT).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let token = hidden(&page, "csrf");
        assert_eq!(token.len(), 32, "{page}");
        token
    }
}

/// The demo account's id.
pub(crate) async fn account_id(app: &TestApp) -> AccountId {
    let slug = ketnoi_core::Slug::parse(ACCOUNT).unwrap_or_else(|e| panic!("{e}"));
    match app.store.account_by_slug(&slug).await {
        Ok(Some(a)) => a.id,
        other => panic!("no demo account: {other:?}"),
    }
}

pub(crate) async fn intent_ids(app: &TestApp) -> Vec<String> {
    let account = account_id(app).await;
    let intents = app.store.bot_intents(account).await.unwrap_or_else(|e| panic!("{e}"));
    intents.iter().map(|i| i.id.to_string()).collect()
}

/// Imports a knowledge base through the form, checking it went through.
pub(crate) async fn import(b: &mut Browser<'_>, kb: &str) {
    let csrf = b.csrf().await;
    let (status, page, to) = b.upload(&format!("{BOT}/import"), Some(&csrf), kb).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(to.as_deref(), Some("/console/a/ca-vi-xuyen/bot/intents?done=imported#intents"));
}

/// A citizen's message to the account, so a conversation exists; returns its id.
pub(crate) async fn citizen_conversation(app: &TestApp) -> ConversationId {
    let token = app.citizen_token("0912000001").await;
    let (status, sent) = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/accounts/{ACCOUNT}/messages"),
            Some(&token),
            Some(json!({ "client_msg_id": "bot-page-1", "text": "Cho hỏi chút" })),
        )
        .await;
    assert!(status == 200 || status == 201, "{sent}");
    ConversationId(sent["conversation"]["id"].as_i64().unwrap_or_default())
}

#[tokio::test]
async fn an_officer_imports_a_knowledge_base_file_and_sees_its_intents() {
    let app = spawn_app(true).await;
    let mut b = Browser::staff(&app, OFFICER).await;
    let (_, console, _) = b.get("/console").await;
    assert!(console.contains("href=\"/console/a/ca-vi-xuyen/bot\""), "the console links the bot");

    import(&mut b, SMALL_KB).await;
    assert_eq!(intent_ids(&app).await, ["cu_tru.tam_tru", "can_cuoc.cap_moi", "gio_lam_viec"]);
    let (status, list, _) = b.get(&format!("{BOT}/intents?done=imported")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Đã nhập bộ câu hỏi."), "the import is confirmed");
    for question in ["Đăng ký tạm trú ở đâu?", "Làm thẻ căn cước lần đầu ở đâu?"]
    {
        assert!(list.contains(question), "{question} listed");
    }
    let (_, overview, _) = b.get(BOT).await;
    assert!(overview.contains("Ngưỡng chuyển cho cán bộ"), "the calibrated threshold is shown");

    // The export gives back what was imported, as a download.
    let (status, file, headers) = b.get(&format!("{BOT}/export.jsonl")).await;
    assert_eq!(status, StatusCode::OK);
    let disposition = headers.get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok());
    assert_eq!(disposition, Some("attachment; filename=\"ca-vi-xuyen-kb.jsonl\""));
    let exported = ketnoi_bot::parse_kb(&file).unwrap_or_else(|e| panic!("{e}"));
    let imported = ketnoi_bot::parse_kb(SMALL_KB).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exported, imported);
}

#[tokio::test]
async fn a_bad_knowledge_base_line_is_reported_by_its_number_and_nothing_changes() {
    let app = spawn_app(true).await;
    let mut b = Browser::staff(&app, OFFICER).await;
    import(&mut b, SMALL_KB).await;
    let before = intent_ids(&app).await;

    let bad = "{\"id\": \"mot\", \"question\": \"Câu một?\", \"answer\": \"Một.\"}\n\n\
               {\"id\": \"HAI\", \"question\": \"Câu hai?\", \"answer\": \"Hai.\"}\n";
    let csrf = b.csrf().await;
    let (status, page, _) = b.upload(&format!("{BOT}/import"), Some(&csrf), bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Dòng 3:"), "the bad line is named by its number: {page}");
    assert!(page.contains("Có lỗi cần sửa"), "the error is summarised");
    assert_eq!(intent_ids(&app).await, before, "nothing was imported");

    let (status, page, _) = b.upload(&format!("{BOT}/import"), Some(&csrf), "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an empty file is explained: {page}");
    assert_eq!(intent_ids(&app).await, before);
}

#[tokio::test]
async fn the_try_box_answers_a_question_typed_without_diacritics() {
    let app = spawn_app(true).await;
    let mut b = Browser::staff(&app, OFFICER).await;
    let account = account_id(&app).await;
    let csrf = b.csrf().await;
    let samples = format!("{BOT}/import-default");
    // The samples never overwrite a knowledge base that has something in it.
    import(&mut b, SMALL_KB).await;
    let (status, page, _) = b.post(&samples, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert_eq!(intent_ids(&app).await.len(), 3, "the officer's questions are kept");

    app.store
        .replace_bot_intents(account, &[], Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, overview, _) = b.get(BOT).await;
    assert!(
        overview.contains("action=\"/console/a/ca-vi-xuyen/bot/import-default\""),
        "an empty knowledge base offers the samples"
    );
    let (_, page, _) = b.get(&format!("{BOT}?q=lam+can+cuoc")).await;
    assert!(page.contains("data-outcome=\"empty-kb\""), "an empty bot says so");
    let (status, _, to) = b.post(&samples, &[("csrf", &csrf)]).await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/a/ca-vi-xuyen/bot/intents?done=imported#intents"))
    );
    assert_eq!(intent_ids(&app).await.len(), ketnoi_bot::default_kb().len());

    let (status, page, _) = b.get(&format!("{BOT}?q=lam+the+can+cuoc+lan+dau+o+dau")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-outcome=\"answer\""), "the bot answers: {page}");
    assert!(page.contains("can_cuoc.cap_lan_dau"), "with the right intent");

    let (_, page, _) = b.get(&format!("{BOT}?q=gia+vang+hom+nay+bao+nhieu")).await;
    assert!(page.contains("data-outcome=\"handoff\""), "an unrelated question is handed off");

    // A keyword rule comes before the engine, as in conversations.
    let rule = [
        ("csrf", csrf.as_str()),
        ("keyword", "giờ làm việc"),
        ("matching", "contains"),
        ("answer", "7 giờ 30 đến 17 giờ."),
    ];
    let (status, _, _) = b.post(&format!("{BOT}/rules"), &rule).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&format!("{BOT}?q=cho+hoi+gio+lam+viec")).await;
    assert!(page.contains("data-outcome=\"rule\""), "the rule answers");
    let rules = app.store.bot_rules(account).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.len(), 1);
    let (status, _, _) =
        b.post(&format!("{BOT}/rules/{}/delete", rules[0].id.0), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(app.store.bot_rules(account).await.unwrap_or_else(|e| panic!("{e}")).is_empty());

    // Trying stores nothing.
    let stats = app.store.bot_stats(account, 0).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(stats.is_empty(), "{stats:?}");
    let handoffs =
        app.store.bot_handoffs(account, false, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(handoffs.is_empty());
}

#[tokio::test]
async fn an_officer_adds_an_intent_and_then_an_example() {
    let app = spawn_app(true).await;
    let mut b = Browser::staff(&app, OFFICER).await;
    let csrf = b.csrf().await;
    let intents = format!("{BOT}/intents");
    let before = intent_ids(&app).await;

    let mistake = [
        ("csrf", csrf.as_str()),
        ("id", "Xe Máy"),
        ("question", "Đăng ký xe máy ở đâu?"),
        ("answer", "Tại Công an xã."),
    ];
    let (status, page, _) = b.post(&intents, &mistake).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Mã câu hỏi gồm 1–64 chữ thường"), "the id is explained: {page}");
    assert!(page.contains("value=\"Đăng ký xe máy ở đâu?\""), "what was typed is kept");
    assert_eq!(intent_ids(&app).await, before, "nothing was stored");

    let new = [
        ("csrf", csrf.as_str()),
        ("id", "xe.dang_ky"),
        ("topic", "Xe"),
        ("question", "Đăng ký xe máy ở đâu?"),
        ("answer", "Tại Công an xã nơi bạn thường trú."),
        ("examples", "bấm biển xe ở đâu\n"),
    ];
    let (status, _, to) = b.post(&intents, &new).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = to.unwrap_or_default();
    assert_eq!(to, format!("{intents}/xe.dang_ky?done=intent-created#intent"));
    let (status, page, _) = b.post(&intents, &new).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the same id twice is refused");
    assert!(page.contains("Đã có câu hỏi với mã này"));

    let (status, page, _) = b.get(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Đã thêm câu hỏi.") && page.contains("bấm biển xe ở đâu"));
    let edit = [
        ("csrf", csrf.as_str()),
        ("topic", "Xe"),
        ("question", "Đăng ký xe máy ở đâu?"),
        ("answer", "Tại Công an xã nơi bạn thường trú."),
        ("examples", "bấm biển xe ở đâu\r\nmua xe mới đăng ký ở đâu\r\n"),
    ];
    let (status, _, _) = b.post(&format!("{intents}/xe.dang_ky"), &edit).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let account = account_id(&app).await;
    let id = IntentId::parse("xe.dang_ky").unwrap_or_else(|e| panic!("{e}"));
    let stored = app.store.bot_intent(account, &id).await.unwrap_or_else(|e| panic!("{e}"));
    let stored = stored.unwrap_or_else(|| panic!("the intent is stored"));
    assert_eq!(stored.examples, ["bấm biển xe ở đâu", "mua xe mới đăng ký ở đâu"]);

    let empty_answer =
        [("csrf", csrf.as_str()), ("question", "Đăng ký xe máy ở đâu?"), ("answer", " ")];
    let (status, page, _) = b.post(&format!("{intents}/xe.dang_ky"), &empty_answer).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Câu trả lời"), "the field is named in Vietnamese: {page}");
    let again = app.store.bot_intent(account, &id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.as_ref(), Some(&stored), "a mistake changes nothing");

    let (status, _, _) = b.post(&format!("{intents}/xe.dang_ky/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(intent_ids(&app).await, before, "deleted");
}

#[tokio::test]
async fn a_handed_off_question_becomes_an_example_in_one_post() {
    let app = spawn_app(true).await;
    let mut b = Browser::staff(&app, OFFICER).await;
    import(&mut b, SMALL_KB).await;
    let account = account_id(&app).await;
    let conversation = citizen_conversation(&app).await;
    let question = "con toi 15 tuoi da lam the duoc chua";
    let record = |question: &str| NewHandoff {
        account,
        conversation,
        question: question.to_owned(),
        suggestions: vec![
            IntentId::parse("can_cuoc.cap_moi").unwrap_or_else(|e| panic!("{e}")),
            IntentId::parse("cu_tru.tam_tru").unwrap_or_else(|e| panic!("{e}")),
        ],
        at: Timestamp::now(),
    };
    let taught =
        app.store.record_handoff(&record(question)).await.unwrap_or_else(|e| panic!("{e}"));
    let dismissed =
        app.store.record_handoff(&record("hỏi linh tinh")).await.unwrap_or_else(|e| panic!("{e}"));

    let (_, page, _) = b.get(BOT).await;
    assert!(page.contains(question), "the hand-off is listed");
    assert!(
        page.contains(&format!("href=\"/console/c/{}\"", conversation.0)),
        "with its conversation"
    );
    assert!(
        page.contains("<option value=\"can_cuoc.cap_moi\" selected>"),
        "the bot's first guess is chosen already"
    );
    let csrf = hidden(&page, "csrf");
    let (status, _, to) = b
        .post(
            &format!("{BOT}/handoffs/{}/example", taught.0),
            &[("csrf", &csrf), ("intent", "can_cuoc.cap_moi")],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/a/ca-vi-xuyen/bot?done=example#handoffs"))
    );
    let id = IntentId::parse("can_cuoc.cap_moi").unwrap_or_else(|e| panic!("{e}"));
    let intent = app.store.bot_intent(account, &id).await.unwrap_or_else(|e| panic!("{e}"));
    let examples = intent.map(|i| i.examples).unwrap_or_default();
    assert!(examples.iter().any(|e| e == question), "{examples:?}");

    let (status, _, _) =
        b.post(&format!("{BOT}/handoffs/{}/dismiss", dismissed.0), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&format!("{BOT}?done=example")).await;
    assert!(page.contains("Đã thêm câu mẫu."));
    assert!(!page.contains(question) && !page.contains("hỏi linh tinh"), "both left the list");
    let open = app.store.bot_handoffs(account, true, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(open.iter().all(|h| h.id != taught && h.id != dismissed), "{open:?}");

    // Acting again on a question already dealt with explains itself and adds nothing.
    let (status, page, _) = b
        .post(
            &format!("{BOT}/handoffs/{}/example", taught.0),
            &[("csrf", &csrf), ("intent", "cu_tru.tam_tru")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("đã được cán bộ khác xử lý"), "{page}");
    let id = IntentId::parse("cu_tru.tam_tru").unwrap_or_else(|e| panic!("{e}"));
    let other = app.store.bot_intent(account, &id).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(other.is_some_and(|i| !i.examples.iter().any(|e| e == question)));
}

#[tokio::test]
async fn a_viewer_of_another_agency_is_refused_and_a_visitor_sent_to_sign_in() {
    let app = spawn_app(true).await;
    let mut nobody = Browser::new(&app);
    let (status, _, headers) = nobody.get(BOT).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = headers.get(header::LOCATION).and_then(|v| v.to_str().ok());
    assert_eq!(to, Some("/staff/sign-in?next=/console/a/ca-vi-xuyen/bot"));

    let mut outsider = Browser::staff(&app, OUTSIDER).await;
    for path in [BOT.to_owned(), format!("{BOT}/intents"), format!("{BOT}/export.jsonl")] {
        let (status, page, _) = outsider.get(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("Bạn không có quyền"), "{page}");
    }
    let (_, console, _) = outsider.get("/console").await;
    let csrf = hidden(&console, "csrf");
    assert_eq!(csrf.len(), 32);
    let before = intent_ids(&app).await;
    let (status, _, _) = outsider.upload(&format!("{BOT}/import"), Some(&csrf), SMALL_KB).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = outsider.post(&format!("{BOT}/import-default"), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(intent_ids(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn a_form_without_its_token_is_refused_and_changes_nothing() {
    let app = spawn_app(true).await;
    let mut b = Browser::staff(&app, OFFICER).await;
    let before = intent_ids(&app).await;
    let rule = [("keyword", "giờ làm việc"), ("matching", "exact"), ("answer", "7 giờ 30.")];
    let (status, _, _) = b.post(&format!("{BOT}/rules"), &rule).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let forged = [("csrf", "0123456789abcdef0123456789abcdef"), rule[0], rule[1], rule[2]];
    let (status, _, _) = b.post(&format!("{BOT}/rules"), &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b.upload(&format!("{BOT}/import"), None, SMALL_KB).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b.post(&format!("{BOT}/settings"), &[("enabled", "on")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let account = account_id(&app).await;
    assert!(app.store.bot_rules(account).await.unwrap_or_else(|e| panic!("{e}")).is_empty());
    assert_eq!(intent_ids(&app).await, before);
    let settings = app.store.bot_settings(account).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(!settings.enabled);

    // With the token, the same settings form goes through.
    let csrf = b.csrf().await;
    let form = [
        ("csrf", csrf.as_str()),
        ("enabled", "on"),
        ("welcome", "Xin chào!"),
        ("away_message", ""),
    ];
    let (status, _, to) = b.post(&format!("{BOT}/settings"), &form).await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/a/ca-vi-xuyen/bot?done=settings#settings"))
    );
    let settings = app.store.bot_settings(account).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(settings.enabled && settings.welcome == "Xin chào!");
}

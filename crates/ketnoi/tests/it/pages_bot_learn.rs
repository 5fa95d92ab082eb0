//! The bot learning from officers (issue 17), through the console as a browser without
//! JavaScript uses it, on SQLite and on PostgreSQL: a question an officer answered is proposed
//! with the reply and the intent the bot ranks first now; one post attaches it to an intent or
//! makes a new intent of it, and the bot answers it from then on; mistakes are refused beside
//! their field and change nothing; the unanswered questions are listed grouped.

use ketnoi_core::{ConversationId, IntentId, Timestamp};
use ketnoi_store::{BotSettingsUpdate, HandoffId, NewHandoff};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::bot::{ask_account, bot_reply};
use crate::helpers::{TestApp, on_both};
use crate::pages::{Visitor as Browser, hidden};
use crate::pages_bot::{
    ACCOUNT, BOT, OFFICER, SMALL_KB, account_id, citizen_conversation, import, intent_ids,
};

/// What every test starts from: the small knowledge base imported, the bot on, and one
/// citizen's conversation.
async fn start(app: &TestApp) -> (Browser<'_>, ConversationId) {
    let mut b = Browser::staff(app, OFFICER).await;
    import(&mut b, SMALL_KB).await;
    // The bot is on before the conversation opens, so the bot hands its first message off
    // now — not at some later moment, as it would if it were turned on while the message waits
    // in its queue — and that hand-off is dealt with before the test begins.
    let on =
        BotSettingsUpdate { enabled: true, welcome: String::new(), away_message: String::new() };
    let account = account_id(app).await;
    app.store
        .save_bot_settings(account, &on, Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let conversation = citizen_conversation(app).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let open = app.store.open_handoffs(account, Timestamp(0), 10).await;
        let open = open.unwrap_or_else(|e| panic!("{e}"));
        if let Some(first) = open.iter().find(|o| o.handoff.conversation == conversation) {
            let resolved = app.store.resolve_handoff(account, first.handoff.id).await;
            assert_eq!(resolved.ok(), Some(true));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the first message was never handed off");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    (b, conversation)
}

/// Records a hand-off as the bot does, with the guesses it made then.
async fn hand_off_guessing(
    app: &TestApp,
    conversation: ConversationId,
    question: &str,
    at: Timestamp,
    guess: &str,
) -> HandoffId {
    let handoff = NewHandoff {
        account: account_id(app).await,
        conversation,
        question: question.to_owned(),
        suggestions: vec![IntentId::parse(guess).unwrap_or_else(|e| panic!("{e}"))],
        at,
    };
    app.store.record_handoff(&handoff).await.unwrap_or_else(|e| panic!("{e}"))
}

async fn hand_off(
    app: &TestApp,
    conversation: ConversationId,
    question: &str,
    at: Timestamp,
) -> HandoffId {
    hand_off_guessing(app, conversation, question, at, "gio_lam_viec").await
}

/// An officer's reply in the conversation, through the API.
async fn officer_reply(app: &TestApp, conversation: ConversationId, client_id: &str, text: &str) {
    let officer = app.staff_token(OFFICER).await;
    let (status, sent) = app
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{}/messages", conversation.0),
            Some(&officer),
            Some(json!({ "client_msg_id": client_id, "text": text })),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
}

/// The knowledge base's version and its intents, to show that nothing changed.
async fn knowledge(app: &TestApp) -> (i64, Vec<ketnoi_core::Intent>) {
    let account = account_id(app).await;
    let version = app.store.bot_settings(account).await.map(|s| s.kb_version);
    let intents = app.store.bot_intents(account).await.unwrap_or_else(|e| panic!("{e}"));
    (version.unwrap_or_else(|e| panic!("{e}")), intents)
}

async fn is_open(app: &TestApp, id: HandoffId) -> bool {
    let account = account_id(app).await;
    let open = app.store.open_handoffs(account, Timestamp(0), 100).await;
    open.unwrap_or_else(|e| panic!("{e}")).iter().any(|o| o.handoff.id == id)
}

/// A new citizen asks; returns the bot's reply text.
async fn citizen_asks(app: &TestApp, phone: &str, client_id: &str, question: &str) -> String {
    let token = app.citizen_token(phone).await;
    let (conversation, seq) = ask_account(app, ACCOUNT, &token, client_id, question).await;
    let reply = bot_reply(app, &token, conversation, seq).await;
    reply["text"].as_str().unwrap_or_default().to_owned()
}

/// The try box's verdict on the overview: the outcome and the text around it.
async fn tried(b: &mut Browser<'_>, question: &str) -> String {
    let (status, page, _) = b.get(&format!("{BOT}?q={question}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let start = page.find("id=\"try-result\"").unwrap_or_else(|| panic!("no verdict: {page}"));
    let end = page[start..].find("</div>").map_or(page.len(), |e| start + e);
    page[start..end].to_owned()
}

async fn attach_answered(app: &TestApp) {
    let (mut b, conversation) = start(app).await;
    let question = "Con tôi 15 tuổi đã làm thẻ được chưa?";
    let reply = "Cháu đủ 14 tuổi là làm được, mang giấy khai sinh đến Công an xã.";
    // The bot's first choice now, and a guess from before that has gone stale.
    let intents = knowledge(app).await.1;
    let engine = ketnoi_bot::Bot::build(intents.clone());
    let first = engine.rank(question, 1).first().map(|r| intents[r.intent].id.to_string());
    let first = first.unwrap_or_else(|| panic!("nothing ranked"));
    let stale = intents.iter().map(|i| i.id.as_str()).find(|id| *id != first).unwrap_or_default();
    let answered = hand_off_guessing(app, conversation, question, Timestamp::now(), stale).await;
    officer_reply(app, conversation, "o-1", reply).await;
    let waiting =
        hand_off(app, conversation, "hỏi linh tinh", Timestamp::now().plus_millis(50)).await;

    let (status, page, _) = b.get(BOT).await;
    assert_eq!(status, StatusCode::OK);
    let proposed = page.find(question).unwrap_or_else(|| panic!("not proposed: {page}"));
    let heading = page.find("Câu hỏi chờ cán bộ trả lời").unwrap_or_default();
    let later = page.find("hỏi linh tinh").unwrap_or_default();
    assert!(page.find("Câu hỏi cán bộ đã trả lời") < Some(proposed), "its own section");
    assert!(proposed < heading && heading < later, "answered first, the other waits below");
    let row = handoff_row(&page, answered);
    assert!(row.contains(reply), "with the officer's reply: {row}");
    assert!(row.contains(&format!("Bot xếp đầu: {first} – ")), "{row}");
    assert!(row.contains(&format!("<option value=\"{first}\" selected>")), "chosen already");
    assert!(!row.contains(&format!("<option value=\"{stale}\" selected>")), "not the stale guess");

    let (version, _) = knowledge(app).await;
    let csrf = hidden(&page, "csrf");
    let form = [("csrf", csrf.as_str()), ("intent", first.as_str())];
    let (status, _, to) = b.post(&format!("{BOT}/handoffs/{}/example", answered.0), &form).await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/a/ca-vi-xuyen/bot?done=example#handoffs"))
    );
    let (after, intents) = knowledge(app).await;
    assert_eq!(after, version + 1, "the knowledge base moved");
    let taught = intents.iter().find(|i| i.id.as_str() == first);
    assert!(taught.is_some_and(|i| i.examples.iter().any(|e| e == question)), "{taught:?}");
    assert!(!is_open(app, answered).await && is_open(app, waiting).await);

    // The engine is rebuilt: the question is answered, and so is a variant without marks.
    let plain = "con toi 15 tuoi da lam the duoc chua";
    let verdict = tried(&mut b, plain).await;
    assert!(verdict.contains("data-outcome=\"answer\"") && verdict.contains(&first), "{verdict}");
    let answer = taught.map(|i| i.answer.clone()).unwrap_or_default();
    assert_eq!(citizen_asks(app, "0987000002", "c-1", question).await, answer);
    assert_eq!(citizen_asks(app, "0987000003", "c-2", plain).await, answer);
    let account = account_id(app).await;
    let open = app.store.open_handoffs(account, Timestamp(0), 100).await;
    let asked: Vec<String> =
        open.unwrap_or_else(|e| panic!("{e}")).into_iter().map(|o| o.handoff.question).collect();
    assert_eq!(asked, ["hỏi linh tinh"], "neither was handed off; the other still waits");
}

async fn create_from_answered(app: &TestApp) {
    let (mut b, conversation) = start(app).await;
    let question = "Mất ví ở chợ thì báo ai?";
    let reply = "Bạn đến Công an xã trình báo, mang theo căn cước.";
    let handoff = hand_off(app, conversation, question, Timestamp::now()).await;
    officer_reply(app, conversation, "o-1", reply).await;

    let (_, page, _) = b.get(BOT).await;
    assert!(page.contains(&format!(">{reply}</textarea>")), "the answer is the reply: {page}");
    let suggested = input_value(&page, &format!("id-{}", handoff.0));
    assert!(IntentId::parse(&suggested).is_ok(), "an id is suggested: {suggested:?}");
    let (version, before) = knowledge(app).await;

    let csrf = hidden(&page, "csrf");
    let answer = "Bạn đến Công an xã nơi mất đồ để trình báo, mang theo căn cước.";
    let form = [
        ("csrf", csrf.as_str()),
        ("id", "trinh_bao.mat_vi"),
        ("topic", "Trình báo"),
        ("answer", answer),
    ];
    let (status, _, to) = b.post(&format!("{BOT}/handoffs/{}/intent", handoff.0), &form).await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/a/ca-vi-xuyen/bot?done=handoff-intent#handoffs"))
    );
    let (after, intents) = knowledge(app).await;
    assert_eq!((after, intents.len()), (version + 1, before.len() + 1));
    let made = intents.iter().find(|i| i.id.as_str() == "trinh_bao.mat_vi");
    let made = made.unwrap_or_else(|| panic!("not made: {intents:?}"));
    assert_eq!((made.question.as_str(), made.answer.as_str()), (question, answer));
    assert_eq!(made.topic, "Trình báo");
    assert!(!is_open(app, handoff).await, "the hand-off is dealt with");
    let (_, page, _) = b.get(&format!("{BOT}?done=handoff-intent")).await;
    assert!(page.contains("Đã tạo câu hỏi mới."), "{page}");

    let verdict = tried(&mut b, "mat vi o cho thi bao ai").await;
    assert!(verdict.contains("data-outcome=\"answer\"") && verdict.contains("trinh_bao.mat_vi"));
    assert_eq!(citizen_asks(app, "0987000002", "c-1", question).await, answer);
}

/// A hand-off's entry on the overview.
fn handoff_row(page: &str, id: HandoffId) -> &str {
    let row = page.split(&format!("<li id=\"handoff-{}\">", id.0)).nth(1).unwrap_or_default();
    row.split("</li>").next().unwrap_or_default()
}

/// The value of the input with this element id.
fn input_value(page: &str, id: &str) -> String {
    let input = page.split(&format!("id=\"{id}\"")).nth(1).unwrap_or_default();
    let value = input.split("value=\"").nth(1).unwrap_or_default();
    value.split('"').next().unwrap_or_default().to_owned()
}

async fn refusals(app: &TestApp) {
    let (mut b, conversation) = start(app).await;
    let handoff = hand_off(app, conversation, "Mất ví ở chợ thì báo ai?", Timestamp::now()).await;
    officer_reply(app, conversation, "o-1", "Bạn đến Công an xã trình báo.").await;
    let before = knowledge(app).await;
    let csrf = b.csrf().await;
    let example: &str = &format!("{BOT}/handoffs/{}/example", handoff.0);
    let create: &str = &format!("{BOT}/handoffs/{}/intent", handoff.0);
    let new = |id: &'static str, answer: &'static str| {
        [("id", id), ("topic", "Trình báo"), ("answer", answer)]
    };

    let refused = vec![
        (example, vec![("intent", "khong_co")], "không còn trong bộ câu hỏi", "intent-error"),
        (example, vec![("intent", "Sai Mã!")], "không còn trong bộ câu hỏi", "intent-error"),
        (
            create,
            new("can_cuoc.cap_moi", "Trả lời.").to_vec(),
            "Đã có câu hỏi với mã này",
            "id-error",
        ),
        (create, new("Mã sai!", "Trả lời.").to_vec(), "Mã câu hỏi gồm 1–64", "id-error"),
        (create, new("trinh_bao.mat_vi", " ").to_vec(), "Câu trả lời", "answer-error"),
    ];
    for (path, fields, message, beside) in refused {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let (status, page, _) = b.post(path, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}: {page}");
        assert!(page.contains(message), "{form:?}: {page}");
        assert!(page.contains(&format!("id=\"{beside}\"")), "beside the field: {page}");
        assert_eq!(knowledge(app).await, before, "{form:?} changed nothing");
        assert!(is_open(app, handoff).await);
    }
    // A question another intent already has is not taught to a second one, attached or made
    // into a new intent: one question leads to one answer.
    let taken = hand_off(app, conversation, "Làm tạm trú thế nào?", Timestamp::now()).await;
    let clash = "đã là một cách hỏi của câu hỏi cu_tru.tam_tru";
    for (path, fields) in [
        (format!("{BOT}/handoffs/{}/example", taken.0), vec![("intent", "can_cuoc.cap_moi")]),
        (format!("{BOT}/handoffs/{}/intent", taken.0), new("tam_tru.lam", "Đáp.").to_vec()),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let (status, page, _) = b.post(&path, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {page}");
        assert!(page.contains(clash) && page.contains("id=\"intent-error\""), "{path}: {page}");
        assert_eq!(knowledge(app).await, before, "{path} changed nothing");
        assert!(is_open(app, taken).await);
    }
    // The intent editor refuses it too, beside the examples.
    let editor = [
        ("csrf", csrf.as_str()),
        ("id", "tam_tru.hoi"),
        ("topic", "Cư trú"),
        ("question", "Hỏi về tạm trú?"),
        ("answer", "Đáp."),
        ("examples", "LÀM TẠM TRÚ THẾ NÀO"),
    ];
    let (status, page, _) = b.post(&format!("{BOT}/intents"), &editor).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains(clash) && page.contains("id=\"examples-error\""), "{page}");
    assert_eq!(knowledge(app).await, before, "the editor changed nothing");

    // What the officer typed comes back with the mistake.
    let form =
        [("csrf", csrf.as_str()), ("id", "can_cuoc.cap_moi"), ("topic", "T"), ("answer", "Đáp.")];
    let (_, page, _) = b.post(create, &form).await;
    assert!(page.contains("<details open>") && page.contains(">Đáp.</textarea>"), "{page}");

    // A hand-off dealt with meanwhile, or none at all, is refused for either action.
    let (status, _, _) =
        b.post(&format!("{BOT}/handoffs/{}/dismiss", handoff.0), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let gone: &str = &format!("{BOT}/handoffs/{}/intent", handoff.0 + 1000);
    for (path, fields) in [
        (example, vec![("intent", "can_cuoc.cap_moi")]),
        (create, new("trinh_bao.mat_vi", "Trả lời.").to_vec()),
        (gone, new("trinh_bao.mat_vi", "Trả lời.").to_vec()),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let (status, page, _) = b.post(path, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {page}");
        assert!(page.contains("đã được cán bộ khác xử lý"), "{page}");
        assert_eq!(knowledge(app).await, before, "{path} changed nothing");
    }
    assert_eq!(intent_ids(app).await.len(), before.1.len());
}

async fn grouped(app: &TestApp) {
    let (mut b, conversation) = start(app).await;
    let now = Timestamp::now();
    let passport = ["Làm hộ chiếu ở đâu?", "lam ho chieu o dau", "làm hộ chiếu ở đâu vậy ạ"];
    let hours = ["Công an xã mấy giờ mở cửa vậy?", "cong an xa may gio mo cua vay"];
    for (i, q) in passport.iter().chain(&hours).chain(&["Mất ví ở chợ thì báo ai?"]).enumerate()
    {
        hand_off(app, conversation, q, now.plus_millis(i as i64)).await;
    }
    // Older than the page looks, or dealt with: not counted.
    hand_off(app, conversation, "làm hộ chiếu ở đâu", Timestamp(now.millis() - 40 * 86_400_000))
        .await;
    let dealt = hand_off(app, conversation, "may gio mo cua", now).await;
    let account = account_id(app).await;
    assert_eq!(app.store.resolve_handoff(account, dealt).await.ok(), Some(true));

    let (_, overview, _) = b.get(BOT).await;
    assert!(overview.contains(&format!("href=\"{BOT}/unanswered\"")), "linked from the overview");
    let (status, page, _) = b.get(&format!("{BOT}/unanswered")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("6 câu hỏi bot chưa trả lời được trong 30 ngày qua"), "{page}");
    let groups: Vec<&str> = page.split("<li class=\"group\">").skip(1).collect();
    assert_eq!(groups.len(), 3, "{page}");
    let expected: [(&[&str], &str); 3] =
        [(&passport, "3 câu"), (&hours, "2 câu"), (&["Mất ví ở chợ thì báo ai?"], "1 câu")];
    for (group, (members, count)) in groups.iter().zip(expected) {
        assert!(group.contains(&format!("<span class=\"badge\">{count}</span>")), "{group}");
        assert!(members.iter().all(|m| group.contains(m)), "{members:?} in {group}");
    }
    assert!(groups[1].contains("Bot xếp đầu: gio_lam_viec – "), "{}", groups[1]);
}

on_both!(
    an_answered_handoff_is_proposed_with_the_reply_and_attached_in_one_post => attach_answered,
    a_new_intent_is_made_of_an_answered_handoff_in_one_post => create_from_answered,
    a_wrong_or_stale_post_about_a_handoff_is_refused_and_changes_nothing => refusals,
    unanswered_questions_are_grouped_by_similarity_biggest_first => grouped,
);

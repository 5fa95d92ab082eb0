//! The accounts' bots (issue 5): settings, the knowledge base and its version, keyword rules,
//! hand-offs, daily counts, and where each conversation stands with the bot.

use ketnoi_core::{
    Author, BotState, CitizenId, ConversationId, ConversationStatus, Intent, IntentId,
    NewKeywordRule, RuleMatch, Timestamp,
};
use ketnoi_store::*;

use super::chat::{Fixture, apply, citizen_send, fixture, id, sent, staff_send, text};

fn intent(id: &str, topic: &str, question: &str, answer: &str, examples: &[&str]) -> Intent {
    let examples: Vec<String> = examples.iter().map(|e| (*e).to_owned()).collect();
    Intent::new(id, topic, question, answer, &examples).unwrap_or_else(|e| panic!("{id}: {e}"))
}

fn intent_id(s: &str) -> IntentId {
    IntentId::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

/// Three intents, deliberately not in id order.
fn knowledge_base() -> Vec<Intent> {
    vec![
        intent(
            "cccd.cap_moi",
            "Căn cước",
            "Làm căn cước lần đầu cần giấy tờ gì?",
            "Mang giấy khai sinh đến Công an xã.",
            &["Làm CCCD cần gì?", "Thủ tục cấp căn cước mới"],
        ),
        intent(
            "a.dang_ky_tam_tru",
            "Cư trú",
            "Đăng ký tạm trú ở đâu?",
            "Tại Công an xã nơi bạn ở, hoặc trên Cổng dịch vụ công.",
            &["Khai báo tạm trú", "tạm trú online được không"],
        ),
        intent(
            "m.giay_phep_lai_xe",
            "",
            "Đổi giấy phép lái xe thế nào?",
            "Nộp hồ sơ trên Cổng dịch vụ công.",
            &[],
        ),
    ]
}

fn ids(intents: &[Intent]) -> Vec<&str> {
    intents.iter().map(|i| i.id.as_str()).collect()
}

async fn version(s: &dyn Store, f: &Fixture) -> i64 {
    s.bot_settings(f.account.id).await.unwrap_or_else(|e| panic!("{e}")).kb_version
}

async fn bot_settings_start_off_and_saving_keeps_the_knowledge_base_version(s: &dyn Store) {
    let f = fixture(s).await;
    let at = Timestamp::now();
    let fresh = s.bot_settings(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fresh, BotSettings::default());
    assert_eq!((fresh.enabled, fresh.kb_version, fresh.threshold), (false, 0, None));

    let update = BotSettingsUpdate {
        enabled: true,
        welcome: "Xin chào! Tôi là trợ lý tự động của Công an tỉnh.".into(),
        away_message: "Ngoài giờ làm việc, cán bộ sẽ trả lời vào sáng mai.".into(),
    };
    s.save_bot_settings(f.account.id, &update, at).await.unwrap_or_else(|e| panic!("{e}"));
    let v = s.replace_bot_intents(f.account.id, &knowledge_base(), at).await.ok();
    assert_eq!(v, Some(1));
    s.set_bot_threshold(f.account.id, 1, 0.42).await.unwrap_or_else(|e| panic!("{e}"));
    // A calibration of a version that is no longer current is dropped.
    s.set_bot_threshold(f.account.id, 0, 0.99).await.unwrap_or_else(|e| panic!("{e}"));
    let off = BotSettingsUpdate { enabled: false, ..update.clone() };
    s.save_bot_settings(f.account.id, &off, at).await.unwrap_or_else(|e| panic!("{e}"));
    let saved = s.bot_settings(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        saved,
        BotSettings {
            enabled: false,
            welcome: update.welcome.clone(),
            away_message: update.away_message.clone(),
            kb_version: 1,
            threshold: Some(0.42),
            shared: false,
        }
    );
    // Another account is untouched, and a missing one cannot be configured.
    assert_eq!(s.bot_settings(f.other_account.id).await.ok(), Some(BotSettings::default()));
    let missing = ketnoi_core::AccountId(f.account.id.0 + 1000);
    let err = s.save_bot_settings(missing, &update, at).await.err();
    assert!(matches!(err, Some(StoreError::MissingReference(_))), "{err:?}");
}

async fn an_imported_knowledge_base_keeps_its_order_and_every_change_moves_its_version(
    s: &dyn Store,
) {
    let f = fixture(s).await;
    let at = Timestamp::now();
    let kb = knowledge_base();
    assert_eq!(s.replace_bot_intents(f.account.id, &kb, at).await.ok(), Some(1));
    let stored = s.bot_intents(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored, kb, "same order, same Vietnamese text and examples");
    assert_eq!(s.bot_intent_count(f.account.id).await.ok(), Some(3));
    assert_eq!(
        s.bot_intent(f.account.id, &intent_id("a.dang_ky_tam_tru")).await.ok().flatten(),
        Some(kb[1].clone())
    );
    assert_eq!(s.bot_intent(f.other_account.id, &kb[1].id).await.ok(), Some(None));

    // Updating keeps the intent in its place; a new one goes at the end.
    let edited = intent(
        "a.dang_ky_tam_tru",
        "Cư trú",
        "Đăng ký tạm trú ở đâu?",
        "Trên Cổng dịch vụ công quốc gia.",
        &["Khai báo tạm trú"],
    );
    assert_eq!(s.save_bot_intent(f.account.id, &edited, at).await.ok(), Some(2));
    let added = intent("b.mat_giay_to", "", "Mất giấy tờ thì làm sao?", "Báo Công an xã.", &[]);
    assert_eq!(s.save_bot_intent(f.account.id, &added, at).await.ok(), Some(3));
    let stored = s.bot_intents(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ids(&stored),
        vec!["cccd.cap_moi", "a.dang_ky_tam_tru", "m.giay_phep_lai_xe", "b.mat_giay_to"]
    );
    assert_eq!(stored[1], edited);

    assert_eq!(s.delete_bot_intent(f.account.id, &kb[2].id, at).await.ok(), Some(Some(4)));
    assert_eq!(s.delete_bot_intent(f.account.id, &kb[2].id, at).await.ok(), Some(None));
    assert_eq!(version(s, &f).await, 4, "deleting nothing leaves the version");
    let v = s.add_bot_example(f.account.id, &added.id, "Bị mất ví và căn cước", at).await;
    assert_eq!(v.ok(), Some(Some(5)));
    assert_eq!(s.bot_intent_count(f.account.id).await.ok(), Some(3));

    // Another import replaces everything; other accounts keep their own.
    assert_eq!(s.replace_bot_intents(f.account.id, &kb[2..], at).await.ok(), Some(6));
    let stored = s.bot_intents(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored, kb[2..].to_vec());
    assert_eq!(s.bot_intents(f.other_account.id).await.map(|v| v.len()).ok(), Some(0));
    assert_eq!(s.bot_settings(f.other_account.id).await.map(|b| b.kb_version).ok(), Some(0));
    assert_eq!(s.replace_bot_intents(f.account.id, &[], at).await.ok(), Some(7));
    assert_eq!(s.bot_intent_count(f.account.id).await.ok(), Some(0));
}

async fn an_import_with_a_repeated_intent_id_changes_nothing(s: &dyn Store) {
    let f = fixture(s).await;
    let at = Timestamp::now();
    let kb = knowledge_base();
    assert_eq!(s.replace_bot_intents(f.account.id, &kb, at).await.ok(), Some(1));
    let mut twice = kb[1..].to_vec();
    twice.push(intent("a.dang_ky_tam_tru", "", "Tạm trú?", "Khác.", &[]));
    let err = s.replace_bot_intents(f.account.id, &twice, at).await.err();
    assert!(matches!(err, Some(StoreError::Conflict(_))), "{err:?}");
    assert_eq!(s.bot_intents(f.account.id).await.ok(), Some(kb));
    assert_eq!(version(s, &f).await, 1);
}

async fn teaching_an_intent_a_phrasing_it_has_keeps_it_once(s: &dyn Store) {
    let f = fixture(s).await;
    let at = Timestamp::now();
    s.replace_bot_intents(f.account.id, &knowledge_base(), at)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cccd = intent_id("cccd.cap_moi");
    let learnt = "Làm căn cước mất bao lâu?";
    assert_eq!(s.add_bot_example(f.account.id, &cccd, learnt, at).await.ok(), Some(Some(2)));
    // The same words, decomposed (as some phones type them) and padded: not added again.
    let decomposed = "  La\u{0300}m căn cươ\u{0301}c mất bao lâu? ";
    assert_eq!(s.add_bot_example(f.account.id, &cccd, decomposed, at).await.ok(), Some(Some(2)));
    assert_eq!(s.add_bot_example(f.account.id, &cccd, "   ", at).await.ok(), Some(Some(2)));
    assert_eq!(
        s.add_bot_example(f.account.id, &cccd, "Làm CCCD cần gì?", at).await.ok(),
        Some(Some(2))
    );
    let examples = s
        .bot_intent(f.account.id, &cccd)
        .await
        .ok()
        .flatten()
        .map(|i| i.examples)
        .unwrap_or_default();
    assert_eq!(examples, vec!["Làm CCCD cần gì?", "Thủ tục cấp căn cước mới", learnt]);
    let nowhere = intent_id("khong.co");
    assert_eq!(s.add_bot_example(f.account.id, &nowhere, learnt, at).await.ok(), Some(None));
    assert_eq!(s.add_bot_example(f.other_account.id, &cccd, learnt, at).await.ok(), Some(None));
    assert_eq!(version(s, &f).await, 2);
}

async fn keyword_rules_list_oldest_first_and_only_their_account_deletes_them(s: &dyn Store) {
    let f = fixture(s).await;
    let at = Timestamp::now();
    let rule = |keyword: &str, matching, answer: &str| {
        NewKeywordRule::new(keyword, matching, answer).unwrap_or_else(|e| panic!("{e}"))
    };
    let hours = s
        .add_bot_rule(
            f.account.id,
            &rule("Giờ làm việc", RuleMatch::Contains, "Thứ Hai–Thứ Sáu, 7h30–17h."),
            at,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (hours.keyword.as_str(), hours.matching, hours.answer.as_str()),
        ("Giờ làm việc", RuleMatch::Contains, "Thứ Hai–Thứ Sáu, 7h30–17h.")
    );
    let hello = s
        .add_bot_rule(f.account.id, &rule("xin chào", RuleMatch::Exact, "Chào bạn!"), at)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let theirs = s
        .add_bot_rule(f.other_account.id, &rule("địa chỉ", RuleMatch::Exact, "Số 1."), at)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let listed = s.bot_rules(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed, vec![hours.clone(), hello.clone()]);

    assert_eq!(s.delete_bot_rule(f.other_account.id, hours.id).await.ok(), Some(false));
    assert_eq!(s.delete_bot_rule(f.account.id, theirs.id).await.ok(), Some(false));
    assert_eq!(s.delete_bot_rule(f.account.id, hours.id).await.ok(), Some(true));
    assert_eq!(s.delete_bot_rule(f.account.id, hours.id).await.ok(), Some(false));
    assert_eq!(s.bot_rules(f.account.id).await.ok(), Some(vec![hello]));
    assert_eq!(s.bot_rules(f.other_account.id).await.ok(), Some(vec![theirs]));
}

async fn handoffs_list_newest_first_and_are_resolved_once_by_their_account(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(s, &[citizen_send(&f, &f.account, "q", "Cho hỏi về hộ chiếu")]).await;
    let conv = sent(&out[0]).1.id;
    let out = apply(s, &[citizen_send(&f, &f.other_account, "q", "Xin chào")]).await;
    let their_conv = sent(&out[0]).1.id;
    let t0 = Timestamp::now();
    let new = |question: &str, at: Timestamp, suggestions: Vec<IntentId>| NewHandoff {
        account: f.account.id,
        conversation: conv,
        question: question.into(),
        suggestions,
        at,
    };
    let older = s
        .record_handoff(&new("Cho hỏi về hộ chiếu", t0, vec![intent_id("ho_chieu.cap")]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let suggestions = vec![intent_id("cccd.cap_moi"), intent_id("a.dang_ky_tam_tru")];
    let newer = s
        .record_handoff(&new("Mất căn cước thì sao?", t0.plus_millis(5), suggestions.clone()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A conversation of another account, or none, is refused.
    for conversation in [their_conv, ConversationId(conv.0 + 1000)] {
        let err = s.record_handoff(&NewHandoff { conversation, ..new("x", t0, vec![]) }).await;
        assert!(matches!(err, Err(StoreError::MissingReference(_))), "{err:?}");
    }

    let open = s.bot_handoffs(f.account.id, true, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(open.iter().map(|h| h.id).collect::<Vec<_>>(), vec![newer, older]);
    assert_eq!(
        open[0],
        Handoff {
            id: newer,
            account: f.account.id,
            conversation: conv,
            question: "Mất căn cước thì sao?".into(),
            suggestions,
            at: t0.plus_millis(5),
            resolved: false,
        }
    );
    assert_eq!(s.bot_handoffs(f.account.id, true, 1).await.map(|v| v.len()).ok(), Some(1));

    assert_eq!(s.resolve_handoff(f.other_account.id, newer).await.ok(), Some(false));
    assert_eq!(s.resolve_handoff(f.account.id, newer).await.ok(), Some(true));
    assert_eq!(s.resolve_handoff(f.account.id, newer).await.ok(), Some(false));
    assert_eq!(s.resolve_handoff(f.account.id, HandoffId(newer.0 + 1000)).await.ok(), Some(false));
    let open = s.bot_handoffs(f.account.id, true, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(open.iter().map(|h| h.id).collect::<Vec<_>>(), vec![older]);
    let all = s.bot_handoffs(f.account.id, false, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        all.iter().map(|h| (h.id, h.resolved)).collect::<Vec<_>>(),
        vec![(newer, true), (older, false)]
    );
    assert_eq!(s.bot_handoffs(f.other_account.id, false, 10).await.map(|v| v.len()).ok(), Some(0));
}

async fn an_open_handoff_carries_the_first_officer_message_sent_after_it(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(s, &[citizen_send(&f, &f.account, "q", "Cho hỏi về hộ chiếu")]).await;
    let conv = sent(&out[0]).1.id;
    let out = apply(s, &[citizen_send(&f, &f.other_account, "q", "Xin chào")]).await;
    let their_conv = sent(&out[0]).1.id;
    let t0 = Timestamp::now();
    let at = |ms: i64| Timestamp(t0.millis() + ms);
    let write = |author: Author, client: &str, body: &str, ms: i64| ChatWrite::Send {
        to: Recipient::Conversation(conv),
        author,
        author_name: String::new(),
        client_msg_id: id(client),
        content: text(body),
        at: at(ms),
        bot: None,
    };
    let record = |conversation, question: &str, ms: i64| NewHandoff {
        account: if conversation == conv { f.account.id } else { f.other_account.id },
        conversation,
        question: question.into(),
        suggestions: vec![],
        at: at(ms),
    };
    let handoff =
        |h: NewHandoff| async move { s.record_handoff(&h).await.unwrap_or_else(|e| panic!("{e}")) };
    let officer = Author::Staff(ketnoi_core::StaffId(1));
    apply(s, &[write(officer, "before", "Một tin nhắn trước câu hỏi", -10)]).await;
    let old = handoff(record(conv, "Câu hỏi cũ", -100_000)).await;
    let answered = handoff(record(conv, "Làm hộ chiếu ở đâu?", 0)).await;
    apply(
        s,
        &[
            write(Author::Bot, "bot", "Cán bộ đã được báo", 1),
            write(Author::Citizen(f.citizen.id), "more", "Tôi ở Vị Xuyên", 2),
            write(officer, "reply", "Bạn nộp hồ sơ tại Công an tỉnh.", 10),
            write(officer, "reply-2", "Mang theo căn cước.", 20),
        ],
    )
    .await;
    let later = handoff(record(conv, "Mất bao lâu thì có?", 30)).await;
    let resolved = handoff(record(conv, "Đã xử lý rồi", 40)).await;
    assert_eq!(s.resolve_handoff(f.account.id, resolved).await.ok(), Some(true));
    let theirs = handoff(record(their_conv, "Của tài khoản khác", 0)).await;

    let open = s.open_handoffs(f.account.id, at(-1000), 10).await.unwrap_or_else(|e| panic!("{e}"));
    let listed: Vec<_> = open.iter().map(|o| (o.handoff.id, o.reply.as_deref())).collect();
    assert_eq!(
        listed,
        vec![(later, None), (answered, Some("Bạn nộp hồ sơ tại Công an tỉnh."))],
        "newest first; the earlier reply, the bot's and the citizen's messages do not count"
    );
    assert_eq!(open[1].handoff.question, "Làm hộ chiếu ở đâu?");
    let all =
        s.open_handoffs(f.account.id, Timestamp(0), 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.iter().map(|o| o.handoff.id).collect::<Vec<_>>(), vec![later, answered, old]);
    assert_eq!(all[2].reply.as_deref(), Some("Một tin nhắn trước câu hỏi"), "the first after it");
    let one =
        s.open_handoffs(f.account.id, Timestamp(0), 1).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(one.len(), 1);
    let their = s.open_handoffs(f.other_account.id, Timestamp(0), 10).await;
    assert_eq!(
        their.map(|v| v.into_iter().map(|o| o.handoff.id).collect::<Vec<_>>()).ok(),
        Some(vec![theirs])
    );

    // One hand-off by id: only its account's, resolved or not.
    let found = s.bot_handoff(f.account.id, resolved).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.map(|h| (h.question, h.resolved)), Some(("Đã xử lý rồi".into(), true)));
    assert_eq!(s.bot_handoff(f.other_account.id, answered).await.ok(), Some(None));
    assert_eq!(s.bot_handoff(f.account.id, HandoffId(theirs.0 + 1000)).await.ok(), Some(None));
}

async fn bot_counters_add_up_per_account_and_day(s: &dyn Store) {
    let f = fixture(s).await;
    let (today, yesterday) = (20_300, 20_299);
    let mut counts = vec![
        (yesterday, BotCounter::Answered),
        (yesterday, BotCounter::HandedOff),
        (today, BotCounter::Helpful),
    ];
    counts.extend([(today, BotCounter::Answered); 3]);
    counts.extend([(today, BotCounter::Unhelpful); 2]);
    for (day, counter) in counts {
        s.count_bot(f.account.id, day, counter).await.unwrap_or_else(|e| panic!("{e}"));
    }
    s.count_bot(f.other_account.id, today, BotCounter::HandedOff)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stats = s.bot_stats(f.account.id, yesterday - 30).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stats,
        vec![
            BotDayStats { day: yesterday, answered: 1, handed_off: 1, helpful: 0, unhelpful: 0 },
            BotDayStats { day: today, answered: 3, handed_off: 0, helpful: 1, unhelpful: 2 },
        ]
    );
    let since_today = s.bot_stats(f.account.id, today).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(since_today.iter().map(|d| d.day).collect::<Vec<_>>(), vec![today]);
    let theirs = s.bot_stats(f.other_account.id, 0).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(theirs, vec![BotDayStats { day: today, handed_off: 1, ..BotDayStats::default() }]);
}

fn changed(outcome: &ChatOutcome) -> (&ketnoi_core::Conversation, Option<InboxEvent>) {
    match outcome {
        Ok(ChatApplied::Changed { conversation, event }) => (conversation, *event),
        other => panic!("expected a change, got {other:?}"),
    }
}

fn with_bot(write: ChatWrite, state: BotState) -> ChatWrite {
    match write {
        ChatWrite::Send { to, author, author_name, client_msg_id, content, at, .. } => {
            ChatWrite::Send {
                to,
                author,
                author_name,
                client_msg_id,
                content,
                at,
                bot: Some(state),
            }
        }
        other => other,
    }
}

async fn stored_bot_state(s: &dyn Store, conv: ConversationId) -> Option<BotState> {
    s.conversation(conv).await.ok().flatten().map(|c| c.bot)
}

async fn an_officer_reply_pauses_the_bot_and_closing_hands_the_conversation_back(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(s, &[citizen_send(&f, &f.account, "1", "Cho hỏi")]).await;
    let conv = sent(&out[0]).1.id;
    assert_eq!(sent(&out[0]).1.bot, BotState::Active);

    let reply = with_bot(staff_send(conv, "r1", "Cán bộ trả lời"), BotState::Paused);
    let out = apply(s, &[reply]).await;
    assert_eq!(sent(&out[0]).1.bot, BotState::Paused);
    assert_eq!(stored_bot_state(s, conv).await, Some(BotState::Paused));
    // A retry of that reply changes nothing, the bot state included.
    let retry = with_bot(staff_send(conv, "r1", "Cán bộ trả lời"), BotState::Waiting);
    let out = apply(s, &[retry]).await;
    assert_eq!(sent(&out[0]).2, None);
    assert_eq!(stored_bot_state(s, conv).await, Some(BotState::Paused));
    // A message without a state leaves it.
    apply(s, &[citizen_send(&f, &f.account, "2", "Cảm ơn")]).await;
    assert_eq!(stored_bot_state(s, conv).await, Some(BotState::Paused));

    let set = |status| ChatWrite::SetStatus { conversation: conv, status, at: Timestamp::now() };
    let out = apply(s, &[set(ConversationStatus::Closed)]).await;
    let (c, e) = changed(&out[0]);
    assert_eq!((c.status, c.bot), (ConversationStatus::Closed, BotState::Active));
    assert_eq!(e.map(|e| e.kind), Some(InboxEventKind::Closed));
    assert_eq!(stored_bot_state(s, conv).await, Some(BotState::Active));

    // An officer writing into the closed conversation takes it again; closing it again hands it
    // back, though its status does not change.
    apply(s, &[with_bot(staff_send(conv, "r2", "Bổ sung"), BotState::Paused)]).await;
    let (head, _) = s.inbox_bounds(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    let out = apply(s, &[set(ConversationStatus::Closed)]).await;
    let (c, e) = changed(&out[0]);
    assert_eq!((c.status, c.bot, e), (ConversationStatus::Closed, BotState::Active, None));
    assert_eq!(stored_bot_state(s, conv).await, Some(BotState::Active));
    assert_eq!(s.inbox_bounds(f.account.id).await.map(|b| b.0).ok(), Some(head));

    // Reopening leaves the bot's state as it is.
    let wait =
        ChatWrite::SetBot { conversation: conv, state: BotState::Waiting, at: Timestamp::now() };
    apply(s, &[wait]).await;
    let out = apply(s, &[set(ConversationStatus::Open)]).await;
    let (c, e) = changed(&out[0]);
    assert_eq!((c.status, c.bot), (ConversationStatus::Open, BotState::Waiting));
    assert_eq!(e.map(|e| e.kind), Some(InboxEventKind::Reopened));
}

async fn setting_the_bot_state_makes_no_inbox_event(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(s, &[citizen_send(&f, &f.account, "1", "Cho hỏi")]).await;
    let conv = sent(&out[0]).1.id;
    let bounds = s.inbox_bounds(f.account.id).await.ok();
    let set = |conversation, state| ChatWrite::SetBot { conversation, state, at: Timestamp::now() };
    let out = apply(
        s,
        &[
            set(conv, BotState::Waiting),
            set(conv, BotState::Waiting),
            set(ConversationId(conv.0 + 1000), BotState::Paused),
        ],
    )
    .await;
    let (c, e) = changed(&out[0]);
    assert_eq!((c.bot, e), (BotState::Waiting, None));
    let (c, e) = changed(&out[1]);
    assert_eq!((c.bot, e), (BotState::Waiting, None));
    assert_eq!(out[2], Err(ChatRefusal::NoConversation));
    assert_eq!(stored_bot_state(s, conv).await, Some(BotState::Waiting));
    assert_eq!(s.inbox_bounds(f.account.id).await.ok(), bounds);
    // Within one batch, a later send sees the state set before it.
    let out = apply(s, &[set(conv, BotState::Paused), staff_send(conv, "r", "Đã nhận")]).await;
    assert_eq!(sent(&out[1]).1.bot, BotState::Paused);
}

async fn the_bot_opens_a_conversation_with_a_new_follower(s: &dyn Store) {
    let f = fixture(s).await;
    let label = f.citizen.phone.masked();
    let welcome = |author, client: &str, citizen| ChatWrite::Send {
        to: Recipient::Open { account: f.account.id, citizen, citizen_label: label.clone() },
        author,
        author_name: String::new(),
        client_msg_id: id(client),
        content: text("Chào bạn! Tôi là trợ lý tự động."),
        at: Timestamp::now(),
        bot: None,
    };
    assert!(s.conversation_between(f.account.id, f.citizen.id).await.ok().flatten().is_none());
    let out = apply(
        s,
        &[
            welcome(Author::Citizen(f.citizen.id), "c", f.citizen.id),
            welcome(Author::Bot, "nobody", CitizenId(f.neighbour.id.0 + 1000)),
            welcome(Author::Bot, "w", f.citizen.id),
        ],
    )
    .await;
    assert_eq!(out[0], Err(ChatRefusal::NoConversation), "citizens write to an account");
    assert_eq!(out[1], Err(ChatRefusal::NoConversation), "no such citizen");
    let (m, c, e) = sent(&out[2]);
    assert_eq!((m.seq, m.author), (1, Author::Bot));
    assert_eq!((c.citizen, c.citizen_label.as_str()), (f.citizen.id, label.as_str()));
    assert_eq!((c.citizen_unread, c.account_unread, c.bot), (1, 0, BotState::Active));
    assert_eq!(e.map(|e| e.kind), Some(InboxEventKind::Message));
    let conv = c.id;
    assert_eq!(
        s.conversation_between(f.account.id, f.citizen.id).await.ok().flatten().map(|c| c.id),
        Some(conv)
    );
    // Opening again writes into the same conversation; so does the citizen's answer.
    let out = apply(
        s,
        &[welcome(Author::Bot, "w2", f.citizen.id), citizen_send(&f, &f.account, "a", "Cảm ơn")],
    )
    .await;
    assert_eq!((sent(&out[0]).0.conversation, sent(&out[0]).0.seq), (conv, 2));
    assert_eq!((sent(&out[1]).0.conversation, sent(&out[1]).0.seq), (conv, 3));
    let first = s
        .messages(conv, MessageRange::After { seq: 0, limit: 1 })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.iter().map(|m| m.author).collect::<Vec<_>>(), vec![Author::Bot]);
}

async fn the_inbox_separates_what_the_bot_handles_from_what_needs_a_person(s: &dyn Store) {
    let f = fixture(s).await;
    let mut at = Timestamp::now();
    let mut convs = Vec::new();
    for (i, who) in [&f.citizen, &f.neighbour].into_iter().enumerate() {
        at = at.plus_millis(10);
        let out = apply(
            s,
            &[ChatWrite::Send {
                to: Recipient::Account { account: f.account.id, citizen_label: who.phone.masked() },
                author: Author::Citizen(who.id),
                author_name: String::new(),
                client_msg_id: id(&format!("m{i}")),
                content: text("Cho hỏi thủ tục"),
                at,
                bot: None,
            }],
        )
        .await;
        convs.push(sent(&out[0]).1.id);
    }
    apply(s, &[ChatWrite::SetBot { conversation: convs[1], state: BotState::Waiting, at }]).await;
    let query = |bot| InboxQuery {
        account: f.account.id,
        status: ConversationStatus::Open,
        text: None,
        bot,
        assignee: None,
        waiting_before: None,
        label: None,
        before: None,
        limit: 10,
    };
    let listed = |bot| async move {
        s.inbox(&query(bot))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|c| (c.id, c.bot))
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(Some(true)).await, vec![(convs[0], BotState::Active)]);
    assert_eq!(listed(Some(false)).await, vec![(convs[1], BotState::Waiting)]);
    assert_eq!(
        listed(None).await,
        vec![(convs[1], BotState::Waiting), (convs[0], BotState::Active)]
    );
    let reply = ChatWrite::Send {
        to: Recipient::Conversation(convs[0]),
        author: Author::Staff(ketnoi_core::StaffId(1)),
        author_name: "Cán bộ Trực ban".into(),
        client_msg_id: id("r"),
        content: text("Cán bộ trả lời"),
        at: at.plus_millis(10),
        bot: Some(BotState::Paused),
    };
    apply(s, &[reply]).await;
    let people: Vec<_> = listed(Some(false)).await.into_iter().map(|(c, _)| c).collect();
    assert_eq!(people, vec![convs[0], convs[1]]);
    assert_eq!(listed(Some(true)).await, vec![]);
}

conformance!(
    bot_settings_start_off_and_saving_keeps_the_knowledge_base_version,
    an_imported_knowledge_base_keeps_its_order_and_every_change_moves_its_version,
    an_import_with_a_repeated_intent_id_changes_nothing,
    teaching_an_intent_a_phrasing_it_has_keeps_it_once,
    keyword_rules_list_oldest_first_and_only_their_account_deletes_them,
    handoffs_list_newest_first_and_are_resolved_once_by_their_account,
    an_open_handoff_carries_the_first_officer_message_sent_after_it,
    bot_counters_add_up_per_account_and_day,
    an_officer_reply_pauses_the_bot_and_closing_hands_the_conversation_back,
    setting_the_bot_state_makes_no_inbox_event,
    the_bot_opens_a_conversation_with_a_new_follower,
    the_inbox_separates_what_the_bot_handles_from_what_needs_a_person,
);

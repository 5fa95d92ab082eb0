//! The officers' inbox tools kept apart from messages (issue 18): labels on conversations,
//! canned replies.

use ketnoi_core::{
    CannedOwner, CannedReplyId, CannedText, ConversationId, ConversationStatus, Label, Timestamp,
};
use ketnoi_store::*;

use super::chat::{apply, citizen_send, fixture, sent};

fn labels(raw: &[&str]) -> Vec<Label> {
    raw.iter().map(|l| Label::parse(l).unwrap_or_else(|e| panic!("{e}"))).collect()
}

fn texts(found: &[Label]) -> Vec<&str> {
    found.iter().map(Label::as_str).collect()
}

async fn labels_replace_as_a_set_filter_the_inbox_by_folded_key_and_count_per_account(
    s: &dyn Store,
) {
    let f = fixture(s).await;
    let out = apply(s, &[citizen_send(&f, &f.account, "l-1", "Cho hỏi đăng ký tạm trú")]).await;
    let opened = sent(&out[0]).1.id;
    let out = apply(s, &[citizen_send(&f, &f.account, "l-2", "Làm căn cước ở đâu")]).await;
    let first = sent(&out[0]).1.clone();
    assert_eq!(first.id, opened, "one citizen, one conversation");
    let mut neighbour = citizen_send(&f, &f.account, "l-3", "Tôi muốn khiếu nại");
    if let ChatWrite::Send { author, to, .. } = &mut neighbour {
        *author = ketnoi_core::Author::Citizen(f.neighbour.id);
        *to = Recipient::Account { account: f.account.id, citizen_label: "098****321".into() };
    }
    let second = sent(&apply(s, &[neighbour]).await[0]).1.clone();
    let elsewhere = apply(s, &[citizen_send(&f, &f.other_account, "l-4", "Xin chào")]).await;
    let elsewhere = sent(&elsewhere[0]).1.clone();

    // A set replaces what was there; the first of two spellings of one key is kept.
    let set = s
        .set_labels(first.id, &labels(&["cư trú", "CCCD", "Cu tru"]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts(&set), vec!["CCCD", "cư trú"]);
    let read = s.labels(first.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read, set);
    let set = s
        .set_labels(first.id, &labels(&["Cư trú", "Khẩn"]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts(&set), vec!["Cư trú", "Khẩn"]);
    s.set_labels(second.id, &labels(&["cccd", "khiếu nại"]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.set_labels(elsewhere.id, &labels(&["CCCD"])).await.unwrap_or_else(|e| panic!("{e}"));

    // Nothing of the conversation moved.
    let after = s.conversation(first.id).await.ok().flatten();
    assert_eq!(after.as_ref().map(|c| (c.last_seq, &c.preview)), Some((2, &first.preview)));

    // The inbox filter matches the folded key, with or without marks or capitals.
    let inbox = |label: &str| InboxQuery {
        account: f.account.id,
        status: ConversationStatus::Open,
        text: None,
        bot: None,
        assignee: None,
        waiting_before: None,
        label: Some(label.to_owned()),
        before: None,
        limit: 10,
    };
    for (label, expected) in [
        ("cu tru", vec![first.id]),
        ("CƯ TRÚ", vec![first.id]),
        ("cccd", vec![second.id]),
        ("khieu nai", vec![second.id]),
        ("không có", vec![]),
    ] {
        let found = s.inbox(&inbox(label)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), expected, "{label}");
    }
    let words = InboxQuery { text: Some("khieu".into()), ..inbox("CCCD") };
    assert_eq!(s.inbox(&words).await.map(|c| c.len()).ok(), Some(1));

    // Several conversations' labels in one read.
    let of = s
        .labels_of(&[second.id, first.id, ConversationId(first.id.0 + 999)])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut of: Vec<(ConversationId, &str)> = of.iter().map(|(c, l)| (*c, l.as_str())).collect();
    of.sort_by_key(|(c, _)| *c);
    let mut expected = vec![
        (first.id, "Cư trú"),
        (first.id, "Khẩn"),
        (second.id, "cccd"),
        (second.id, "khiếu nại"),
    ];
    expected.sort_by_key(|(c, _)| *c);
    assert_eq!(of, expected);
    assert!(s.labels_of(&[]).await.unwrap_or_else(|e| panic!("{e}")).is_empty());

    // In use on the account's open conversations, counted; the other account's stay apart.
    let in_use = s.labels_in_use(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    let in_use: Vec<(&str, i64)> = in_use.iter().map(|(l, n)| (l.as_str(), *n)).collect();
    assert_eq!(in_use, vec![("cccd", 1), ("Cư trú", 1), ("Khẩn", 1), ("khiếu nại", 1)]);
    let closed = ChatWrite::SetStatus {
        conversation: second.id,
        status: ConversationStatus::Closed,
        at: Timestamp::now(),
    };
    apply(s, &[closed]).await;
    let in_use = s.labels_in_use(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(in_use.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(), vec!["Cư trú", "Khẩn"]);

    // Emptying a set; a conversation that does not exist takes no labels.
    assert!(s.set_labels(first.id, &[]).await.unwrap_or_else(|e| panic!("{e}")).is_empty());
    assert!(s.labels(first.id).await.unwrap_or_else(|e| panic!("{e}")).is_empty());
    let missing = s.set_labels(ConversationId(first.id.0 + 999), &labels(&["x"])).await;
    assert!(matches!(missing, Err(StoreError::MissingReference(_))), "{missing:?}");
}

async fn the_commonest_spelling_names_a_label_in_use(s: &dyn Store) {
    let f = fixture(s).await;
    let mut ids = Vec::new();
    for (i, citizen) in [f.citizen.id, f.neighbour.id].into_iter().enumerate() {
        let mut w = citizen_send(&f, &f.account, &format!("s-{i}"), "Xin chào");
        if let ChatWrite::Send { author, .. } = &mut w {
            *author = ketnoi_core::Author::Citizen(citizen);
        }
        ids.push(sent(&apply(s, &[w]).await[0]).1.id);
    }
    s.set_labels(ids[0], &labels(&["cccd"])).await.unwrap_or_else(|e| panic!("{e}"));
    s.set_labels(ids[1], &labels(&["CCCD"])).await.unwrap_or_else(|e| panic!("{e}"));
    let tie = s.labels_in_use(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tie.iter().map(|(l, n)| (l.as_str(), *n)).collect::<Vec<_>>(), vec![("CCCD", 2)]);
}

fn canned(shortcut: &str, title: &str) -> CannedText {
    CannedText::parse(shortcut, title, "Chào {ten_cong_dan}").unwrap_or_else(|e| panic!("{e}"))
}

async fn canned_replies_are_unique_per_owner_limited_and_read_for_several_owners(s: &dyn Store) {
    let f = fixture(s).await;
    let (account, agency) =
        (CannedOwner::Account(f.account.id), CannedOwner::Agency(f.account.agency));
    let other = CannedOwner::Account(f.other_account.id);
    let t0 = Timestamp(1_700_000_000_000);
    let create = |owner, text: CannedText, limit| async move {
        s.create_canned_reply(owner, &text, limit, t0).await
    };
    let own = create(account, canned("cccd", "Làm CCCD"), 3).await;
    let own = own.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("refused"));
    assert_eq!((own.owner, own.text.shortcut.as_str(), own.updated_at), (account, "cccd", t0));
    // The same shortcut for another owner is fine; twice for one owner is not.
    for owner in [agency, other] {
        let made = create(owner, canned("cccd", "Mẫu"), 3).await;
        assert!(matches!(made, Ok(Some(_))), "{made:?}");
    }
    let twice = create(account, canned("cccd", "Lần hai"), 3).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    // Up to the limit.
    for shortcut in ["a", "b"] {
        assert!(matches!(create(account, canned(shortcut, "x"), 3).await, Ok(Some(_))));
    }
    assert!(matches!(create(account, canned("c", "x"), 3).await, Ok(None)));
    let missing =
        create(CannedOwner::Agency(ketnoi_core::AgencyId(999_999)), canned("x", "x"), 3).await;
    assert!(matches!(missing, Err(StoreError::MissingReference(_))), "{missing:?}");

    let read = s.canned_replies(&[account, agency]).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.len(), 4);
    assert!(read.iter().all(|r| r.owner == account || r.owner == agency));
    assert_eq!(read[0], own);
    assert!(s.canned_replies(&[]).await.unwrap_or_else(|e| panic!("{e}")).is_empty());
    assert_eq!(s.canned_reply(own.id).await.ok().flatten().as_ref(), Some(&own));

    // Rewriting: a new shortcut, not one the owner already has.
    let t1 = t0.plus_millis(1000);
    let renamed = s.update_canned_reply(own.id, &canned("can-cuoc", "Căn cước"), t1).await;
    let renamed = renamed.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("gone"));
    assert_eq!((renamed.text.shortcut.as_str(), renamed.updated_at), ("can-cuoc", t1));
    let clash = s.update_canned_reply(own.id, &canned("a", "x"), t1).await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    let none = s.update_canned_reply(CannedReplyId(own.id.0 + 999), &canned("z", "x"), t1).await;
    assert!(matches!(none, Ok(None)), "{none:?}");

    assert!(s.delete_canned_reply(own.id).await.unwrap_or_else(|e| panic!("{e}")));
    assert!(!s.delete_canned_reply(own.id).await.unwrap_or_else(|e| panic!("{e}")));
    assert!(s.canned_reply(own.id).await.ok().flatten().is_none());
    assert!(matches!(create(account, canned("c", "x"), 3).await, Ok(Some(_))), "room again");
}

conformance!(
    labels_replace_as_a_set_filter_the_inbox_by_folded_key_and_count_per_account,
    the_commonest_spelling_names_a_label_in_use,
    canned_replies_are_unique_per_owner_limited_and_read_for_several_owners,
);

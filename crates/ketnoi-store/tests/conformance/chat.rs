//! Conversations: numbering, idempotent sends, reads, status, inbox events, attachments,
//! officers' notes, assignment and handovers between accounts.

use ketnoi_core::{
    Account, Author, Citizen, ClientMsgId, Content, ConversationId, ConversationStatus,
    MessageKind, NoteBody, Side, StaffId, Timestamp,
};
use ketnoi_store::*;

use super::{account, agency, phone, seed_areas};

pub(super) struct Fixture {
    pub(super) account: Account,
    pub(super) other_account: Account,
    pub(super) citizen: Citizen,
    pub(super) neighbour: Citizen,
}

pub(super) async fn fixture(s: &dyn Store) -> Fixture {
    seed_areas(s).await;
    let police = agency(s, "ca-hg", "Công an tỉnh Hà Giang", "02", None).await;
    let now = Timestamp::now();
    Fixture {
        account: account(s, "ca-ha-giang", "Công an tỉnh Hà Giang", police, "02").await,
        other_account: account(s, "ca-vi-xuyen", "Công an huyện Vị Xuyên", police, "002").await,
        citizen: s
            .citizen_for_phone(&phone("0912345678"), now)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        neighbour: s
            .citizen_for_phone(&phone("0987654321"), now)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    }
}

pub(super) fn id(s: &str) -> ClientMsgId {
    ClientMsgId::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn text(s: &str) -> Content {
    Content::text(s).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn citizen_send(f: &Fixture, account: &Account, client: &str, body: &str) -> ChatWrite {
    ChatWrite::Send {
        to: Recipient::Account { account: account.id, citizen_label: "091****678".into() },
        author: Author::Citizen(f.citizen.id),
        author_name: String::new(),
        client_msg_id: id(client),
        content: text(body),
        at: Timestamp::now(),
        bot: None,
    }
}

pub(super) fn staff_send(conversation: ConversationId, client: &str, body: &str) -> ChatWrite {
    ChatWrite::Send {
        to: Recipient::Conversation(conversation),
        author: Author::Staff(StaffId(1)),
        author_name: "Cán bộ Trực ban".into(),
        client_msg_id: id(client),
        content: text(body),
        at: Timestamp::now(),
        bot: None,
    }
}

pub(super) async fn apply(s: &dyn Store, writes: &[ChatWrite]) -> Vec<ChatOutcome> {
    s.apply_chat(writes).await.unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn sent(
    outcome: &ChatOutcome,
) -> (&ketnoi_core::Message, &ketnoi_core::Conversation, Option<InboxEvent>) {
    match outcome {
        Ok(ChatApplied::Sent { message, conversation, event }) => (message, conversation, *event),
        other => panic!("expected a sent message, got {other:?}"),
    }
}

async fn first_message_opens_a_conversation_numbered_without_gaps(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(
        s,
        &[
            citizen_send(&f, &f.account, "a1", "Xin chào"),
            citizen_send(&f, &f.account, "a2", "Cho hỏi làm căn cước"),
        ],
    )
    .await;
    let (m1, _, e1) = sent(&out[0]);
    let (m2, conv, e2) = sent(&out[1]);
    assert_eq!((m1.seq, m2.seq), (1, 2));
    assert_eq!(m1.conversation, m2.conversation);
    assert_eq!((e1.map(|e| e.seq), e2.map(|e| e.seq)), (Some(1), Some(2)));
    assert_eq!(conv.account_unread, 2);
    assert_eq!(conv.preview, "Cho hỏi làm căn cước");
    let reply = apply(s, &[staff_send(conv.id, "r1", "Chào anh, mời anh mang giấy tờ")]).await;
    let (m3, conv, e3) = sent(&reply[0]);
    assert_eq!(m3.seq, 3);
    assert_eq!(e3.map(|e| e.seq), Some(3));
    assert_eq!((conv.account_unread, conv.citizen_unread, conv.account_read_seq), (0, 1, 3));
    // Another account: another conversation, another inbox numbering.
    let other = apply(s, &[citizen_send(&f, &f.other_account, "a1", "Xin chào")]).await;
    let (m, c, e) = sent(&other[0]);
    assert_eq!((m.seq, e.map(|e| e.seq)), (1, Some(1)));
    assert_ne!(c.id, conv.id);
    let all = s
        .messages(conv.id, MessageRange::Latest { limit: 10 })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(all[2].author_name, "Cán bộ Trực ban");
    let stored = s.conversation(conv.id).await.ok().flatten();
    assert_eq!(stored.as_ref(), Some(conv));
    let mine = s.citizen_conversations(f.citizen.id, 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mine.len(), 2);
}

async fn a_repeated_client_id_returns_the_original_and_a_changed_one_is_refused(s: &dyn Store) {
    let f = fixture(s).await;
    // Within one batch and across batches.
    let out = apply(
        s,
        &[
            citizen_send(&f, &f.account, "same", "Tôi bị mất ví"),
            citizen_send(&f, &f.account, "same", "Tôi bị mất ví"),
            citizen_send(&f, &f.account, "same", "Nội dung khác"),
        ],
    )
    .await;
    let (original, _, event) = sent(&out[0]);
    assert!(event.is_some());
    let (again, _, none) = sent(&out[1]);
    assert_eq!((again, none), (original, None));
    assert_eq!(out[2], Err(ChatRefusal::ClientIdReused));
    let later = apply(
        s,
        &[
            citizen_send(&f, &f.account, "same", "Tôi bị mất ví"),
            citizen_send(&f, &f.account, "same", "khác"),
        ],
    )
    .await;
    assert_eq!(sent(&later[0]).0, original);
    assert_eq!(later[1], Err(ChatRefusal::ClientIdReused));
    let conv = original.conversation;
    assert_eq!(
        s.messages(conv, MessageRange::Latest { limit: 10 }).await.map(|m| m.len()).ok(),
        Some(1)
    );
    assert_eq!(s.inbox_bounds(f.account.id).await.ok(), Some((1, 1)));
    // The same client id from the other side is a different message.
    let reply = apply(s, &[staff_send(conv, "same", "Đã nhận")]).await;
    assert_eq!(sent(&reply[0]).0.seq, 2);
}

async fn concurrent_retries_of_one_message_store_it_once(s: &dyn Store) {
    let f = fixture(s).await;
    let write = citizen_send(&f, &f.account, "retry-1", "Có cháy ở chợ");
    let results = futures_join(s, &write, 20).await;
    let seqs: Vec<i64> = results.iter().map(|o| sent(o).0.seq).collect();
    assert!(seqs.iter().all(|&q| q == 1), "{seqs:?}");
    let conv = sent(&results[0]).0.conversation;
    assert_eq!(
        s.messages(conv, MessageRange::Latest { limit: 50 }).await.map(|m| m.len()).ok(),
        Some(1)
    );
}

/// Runs the same write `n` times at once, each in its own batch.
async fn futures_join(s: &dyn Store, write: &ChatWrite, n: usize) -> Vec<ChatOutcome> {
    let mut pending = Vec::new();
    for _ in 0..n {
        let batch = [write.clone()];
        pending.push(async move { s.apply_chat(&batch).await });
    }
    let mut out = Vec::new();
    // Polled together, so their transactions overlap.
    for result in futures_util::future::join_all(pending).await {
        match result {
            Ok(mut v) => out.push(v.remove(0)),
            // PostgreSQL may refuse a racing insert of the same conversation; the client's
            // retry then finds it.
            Err(StoreError::Conflict(_)) => {
                out.push(apply(s, std::slice::from_ref(write)).await.remove(0));
            }
            Err(e) => panic!("{e}"),
        }
    }
    out
}

async fn nobody_writes_into_someone_elses_conversation(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(s, &[citizen_send(&f, &f.account, "a", "Xin chào")]).await;
    let conv = sent(&out[0]).1.id;
    let intruder = ChatWrite::Send {
        to: Recipient::Conversation(conv),
        author: Author::Citizen(f.neighbour.id),
        author_name: String::new(),
        client_msg_id: id("x"),
        content: text("xen vào"),
        at: Timestamp::now(),
        bot: None,
    };
    let staff_opening = ChatWrite::Send {
        to: Recipient::Account { account: f.account.id, citizen_label: String::new() },
        author: Author::Staff(StaffId(1)),
        author_name: String::new(),
        client_msg_id: id("y"),
        content: text("x"),
        at: Timestamp::now(),
        bot: None,
    };
    let missing = staff_send(ConversationId(conv.0 + 1000), "z", "x");
    let out = apply(s, &[intruder, staff_opening, missing]).await;
    assert!(out.iter().all(|o| *o == Err(ChatRefusal::NoConversation)), "{out:?}");
    assert_eq!(s.inbox_bounds(f.account.id).await.ok(), Some((1, 1)));
}

async fn reads_count_down_unread_and_make_events_only_when_they_move(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(
        s,
        &[
            citizen_send(&f, &f.account, "1", "một"),
            citizen_send(&f, &f.account, "2", "hai"),
            citizen_send(&f, &f.account, "3", "ba"),
        ],
    )
    .await;
    let conv = sent(&out[2]).1.id;
    let read = |seq| ChatWrite::Read {
        conversation: conv,
        side: Side::Account,
        seq,
        at: Timestamp::now(),
    };
    let out = apply(s, &[read(2), read(1), read(99)]).await;
    let changed = |o: &ChatOutcome| match o {
        Ok(ChatApplied::Changed { conversation, event }) => (conversation.clone(), *event),
        other => panic!("{other:?}"),
    };
    let (c, e) = changed(&out[0]);
    assert_eq!((c.account_read_seq, c.account_unread), (2, 1));
    assert_eq!(e.map(|e| (e.kind, e.message_seq)), Some((InboxEventKind::AccountRead, 2)));
    assert_eq!(changed(&out[1]).1, None, "reading backwards changes nothing");
    let (c, e) = changed(&out[2]);
    assert_eq!((c.account_read_seq, c.account_unread), (3, 0), "capped at the last message");
    assert!(e.is_some());
    // The citizen's side counts the account's messages.
    let out = apply(
        s,
        &[
            staff_send(conv, "r", "trả lời"),
            ChatWrite::Read {
                conversation: conv,
                side: Side::Citizen,
                seq: 4,
                at: Timestamp::now(),
            },
        ],
    )
    .await;
    assert_eq!(sent(&out[0]).1.citizen_unread, 1);
    let (c, _) = changed(&out[1]);
    assert_eq!((c.citizen_read_seq, c.citizen_unread), (4, 0));
}

async fn closing_and_a_citizen_writing_again_reopens(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(s, &[citizen_send(&f, &f.account, "1", "một")]).await;
    let conv = sent(&out[0]).1.id;
    let close = ChatWrite::SetStatus {
        conversation: conv,
        status: ConversationStatus::Closed,
        at: Timestamp::now(),
    };
    let out = apply(s, &[close.clone(), close]).await;
    match (&out[0], &out[1]) {
        (
            Ok(ChatApplied::Changed { conversation, event: Some(e) }),
            Ok(ChatApplied::Changed { event: None, .. }),
        ) => {
            assert_eq!(conversation.status, ConversationStatus::Closed);
            assert_eq!(e.kind, InboxEventKind::Closed);
        }
        other => panic!("{other:?}"),
    }
    let query = |status| InboxQuery {
        account: f.account.id,
        status,
        text: None,
        bot: None,
        assignee: None,
        waiting_before: None,
        label: None,
        before: None,
        limit: 10,
    };
    assert_eq!(s.inbox(&query(ConversationStatus::Open)).await.map(|v| v.len()).ok(), Some(0));
    assert_eq!(s.inbox(&query(ConversationStatus::Closed)).await.map(|v| v.len()).ok(), Some(1));
    let out = apply(s, &[citizen_send(&f, &f.account, "2", "hai")]).await;
    assert_eq!(sent(&out[0]).1.status, ConversationStatus::Open);
    assert_eq!(s.inbox(&query(ConversationStatus::Open)).await.map(|v| v.len()).ok(), Some(1));
}

async fn the_inbox_is_newest_first_and_searchable_without_diacritics(s: &dyn Store) {
    let f = fixture(s).await;
    let mut at = Timestamp::now();
    let mut writes = Vec::new();
    for (i, (who, body)) in
        [(&f.citizen, "Nhà tôi bị mất trộm xe máy"), (&f.neighbour, "Hỏi về đăng ký tạm trú")]
            .into_iter()
            .enumerate()
    {
        at = at.plus_millis(10);
        writes.push(ChatWrite::Send {
            to: Recipient::Account { account: f.account.id, citizen_label: who.phone.masked() },
            author: Author::Citizen(who.id),
            author_name: String::new(),
            client_msg_id: id(&format!("m{i}")),
            content: text(body),
            at,
            bot: None,
        });
    }
    apply(s, &writes).await;
    let q = |text: Option<&str>, before| InboxQuery {
        account: f.account.id,
        status: ConversationStatus::Open,
        text: text.map(str::to_owned),
        bot: None,
        assignee: None,
        waiting_before: None,
        label: None,
        before,
        limit: 1,
    };
    let first = s.inbox(&q(None, None)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].citizen, f.neighbour.id, "newest first");
    let next = s
        .inbox(&q(None, Some((first[0].last_message_at, first[0].id))))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(next.iter().map(|c| c.citizen).collect::<Vec<_>>(), vec![f.citizen.id]);
    for (query, who) in [
        ("mat trom", f.citizen.id),
        ("TẠM TRÚ", f.neighbour.id),
        ("098", f.neighbour.id),
        ("678", f.citizen.id),
    ] {
        let found = s
            .inbox(&InboxQuery { limit: 10, ..q(Some(query), None) })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.iter().map(|c| c.citizen).collect::<Vec<_>>(), vec![who], "{query}");
    }
    assert!(
        s.inbox(&InboxQuery { limit: 10, ..q(Some("hoả hoạn"), None) })
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
}

async fn history_pages_both_ways(s: &dyn Store) {
    let f = fixture(s).await;
    let writes: Vec<_> = (1..=7)
        .map(|i| citizen_send(&f, &f.account, &format!("m{i}"), &format!("tin {i}")))
        .collect();
    let out = apply(s, &writes).await;
    let conv = sent(&out[0]).1.id;
    let seqs = |v: Vec<ketnoi_core::Message>| v.into_iter().map(|m| m.seq).collect::<Vec<_>>();
    let page = |r| async move { seqs(s.messages(conv, r).await.unwrap_or_else(|e| panic!("{e}"))) };
    assert_eq!(page(MessageRange::Latest { limit: 3 }).await, vec![5, 6, 7]);
    assert_eq!(page(MessageRange::Before { seq: 5, limit: 3 }).await, vec![2, 3, 4]);
    assert_eq!(page(MessageRange::After { seq: 4, limit: 2 }).await, vec![5, 6]);
    assert_eq!(page(MessageRange::After { seq: 7, limit: 2 }).await, Vec::<i64>::new());
}

async fn inbox_events_replay_in_order_with_their_messages(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(
        s,
        &[citizen_send(&f, &f.account, "1", "một"), citizen_send(&f, &f.account, "2", "hai")],
    )
    .await;
    let conv = sent(&out[0]).1.id;
    apply(
        s,
        &[
            ChatWrite::Read {
                conversation: conv,
                side: Side::Account,
                seq: 2,
                at: Timestamp::now(),
            },
            staff_send(conv, "r", "ba"),
        ],
    )
    .await;
    let items = s.inbox_events_after(f.account.id, 1, 100).await.unwrap_or_else(|e| panic!("{e}"));
    let seen: Vec<_> = items
        .iter()
        .map(|i| {
            (i.event.seq, i.event.kind, i.message.as_ref().map(|m| m.content.body().to_owned()))
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (2, InboxEventKind::Message, Some("hai".to_owned())),
            (3, InboxEventKind::AccountRead, None),
            (4, InboxEventKind::Message, Some("ba".to_owned())),
        ]
    );
    assert!(items.iter().all(|i| i.conversation.last_seq == 3));
    assert_eq!(s.inbox_bounds(f.account.id).await.ok(), Some((4, 1)));
    // Pruning keeps the head; a client further behind learns it must reload.
    assert_eq!(s.prune_inbox_events(Timestamp::now().plus_millis(60_000)).await.ok(), Some(4));
    assert_eq!(s.inbox_bounds(f.account.id).await.ok(), Some((4, 5)));
    let out = apply(s, &[citizen_send(&f, &f.account, "5", "năm")]).await;
    assert_eq!(sent(&out[0]).2.map(|e| e.seq), Some(5));
}

async fn attachments_are_used_only_by_their_uploader_in_their_conversation(s: &dyn Store) {
    let f = fixture(s).await;
    let new = |uploader, kind| NewAttachment {
        account: f.account.id,
        citizen: f.citizen.id,
        uploader,
        media_type: "image/jpeg".into(),
        kind,
        name: "anh.jpg".into(),
        size: 1234,
        dimensions: Some((640, 480)),
        blob_key: "k0123456789abcdef".into(),
        at: Timestamp::now(),
    };
    let photo = s
        .create_attachment(&new(Author::Citizen(f.citizen.id), MessageKind::Image))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stored = s.attachment(photo.id).await.ok().flatten().unwrap_or_else(|| panic!("stored"));
    assert_eq!(
        (stored.account, stored.citizen, stored.attachment.dimensions),
        (f.account.id, f.citizen.id, Some((640, 480)))
    );
    let with = |author, kind, client: &str| ChatWrite::Send {
        to: Recipient::Account { account: f.account.id, citizen_label: String::new() },
        author,
        author_name: String::new(),
        client_msg_id: id(client),
        content: Content::attachment(kind, photo.id, "ảnh hiện trường")
            .unwrap_or_else(|e| panic!("{e}")),
        at: Timestamp::now(),
        bot: None,
    };
    let out = apply(
        s,
        &[
            with(Author::Citizen(f.citizen.id), MessageKind::File, "wrong-kind"),
            with(Author::Citizen(f.neighbour.id), MessageKind::Image, "wrong-person"),
            with(Author::Citizen(f.citizen.id), MessageKind::Image, "right"),
        ],
    )
    .await;
    assert_eq!(out[0], Err(ChatRefusal::BadAttachment));
    assert_eq!(out[1], Err(ChatRefusal::BadAttachment));
    let (m, c, _) = sent(&out[2]);
    assert_eq!(m.content.attachment_id(), Some(photo.id));
    assert_eq!(c.preview, "📷 ảnh hiện trường");
    assert!(
        s.attachment(ketnoi_core::AttachmentId(photo.id.0 + 99)).await.ok().flatten().is_none()
    );
}

async fn staff_member(s: &dyn Store, username: &str, name: &str) -> ketnoi_core::StaffMember {
    let new = ketnoi_core::NewStaff {
        username: ketnoi_core::Username::parse(username).unwrap_or_else(|e| panic!("{e}")),
        display_name: ketnoi_core::DisplayName::parse(name).unwrap_or_else(|e| panic!("{e}")),
        password_hash: "$argon2id$fake".to_owned(),
        platform_admin: false,
    };
    s.create_staff(&new).await.unwrap_or_else(|e| panic!("{e}"))
}

fn note(s: &str) -> NoteBody {
    NoteBody::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

async fn notes_stay_apart_from_messages_and_list_oldest_first_with_their_authors(s: &dyn Store) {
    let f = fixture(s).await;
    let out = apply(s, &[citizen_send(&f, &f.account, "c-1", "Cho hỏi giờ làm việc")]).await;
    let (_, before, _) = sent(&out[0]);
    let conversation = before.id;
    let bounds_before = s.inbox_bounds(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    let lan = staff_member(s, "canbo.lan", "Nguyễn Thị Lan").await;
    let minh = staff_member(s, "canbo.minh", "Trần Văn Minh").await;

    let t0 = Timestamp(1_700_000_000_000);
    let first = s
        .add_note(conversation, lan.id, &note("Đã gọi lại, hẹn thứ Hai"), t0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (first.conversation, first.author, first.author_name.as_str(), first.created_at),
        (conversation, lan.id, "Nguyễn Thị Lan", t0)
    );
    assert_eq!(first.body.as_str(), "Đã gọi lại, hẹn thứ Hai");
    for (i, text) in ["Cần hồ sơ gốc", "Chuyển tổ tiếp dân"].iter().enumerate() {
        let at = t0.plus_millis(1000 * (i as i64 + 1));
        s.add_note(conversation, minh.id, &note(text), at).await.unwrap_or_else(|e| panic!("{e}"));
    }

    let all = s.notes(conversation, 50).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        all.iter().map(|n| (n.author_name.as_str(), n.body.as_str())).collect::<Vec<_>>(),
        vec![
            ("Nguyễn Thị Lan", "Đã gọi lại, hẹn thứ Hai"),
            ("Trần Văn Minh", "Cần hồ sơ gốc"),
            ("Trần Văn Minh", "Chuyển tổ tiếp dân"),
        ]
    );
    assert_eq!(all[0], first);
    // A limit keeps the newest, still oldest first.
    let newest = s.notes(conversation, 2).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        newest.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
        vec!["Cần hồ sơ gốc", "Chuyển tổ tiếp dân"]
    );

    // Nothing of the conversation moved: no message, no preview, no unread, no inbox event.
    let after = s.conversation(conversation).await.ok().flatten();
    assert_eq!(after.as_ref(), Some(before));
    let history = s.messages(conversation, MessageRange::Latest { limit: 50 }).await;
    assert_eq!(history.map(|m| m.len()).ok(), Some(1));
    let bounds_after = s.inbox_bounds(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bounds_after, bounds_before, "a note made an inbox event");

    // Another conversation has none; a missing conversation or officer is refused.
    let other = apply(s, &[citizen_send(&f, &f.other_account, "c-2", "Xin chào")]).await;
    let (_, other, _) = sent(&other[0]);
    assert!(s.notes(other.id, 50).await.unwrap_or_else(|e| panic!("{e}")).is_empty());
    let missing = s.add_note(ConversationId(other.id.0 + 999), lan.id, &note("x"), t0).await;
    assert!(matches!(missing, Err(StoreError::MissingReference(_))), "{missing:?}");
    let nobody = s.add_note(conversation, StaffId(lan.id.0 + 999), &note("x"), t0).await;
    assert!(matches!(nobody, Err(StoreError::MissingReference(_))), "{nobody:?}");
    assert_eq!(s.notes(conversation, 50).await.map(|n| n.len()).ok(), Some(3));
}

fn inbox_of(f: &Fixture, assignee: Option<AssigneeFilter>) -> InboxQuery {
    InboxQuery {
        account: f.account.id,
        status: ConversationStatus::Open,
        text: None,
        bot: None,
        assignee,
        waiting_before: None,
        label: None,
        before: None,
        limit: 10,
    }
}

/// Assigns through the writer, as the server does.
async fn assign(
    s: &dyn Store,
    conversation: ConversationId,
    assignee: Option<StaffId>,
) -> ChatOutcome {
    let write = ChatWrite::Assign {
        conversation,
        assignee,
        only_if_unassigned: false,
        at: Timestamp::now(),
    };
    apply(s, &[write]).await.remove(0)
}

fn changed(outcome: &ChatOutcome) -> (&ketnoi_core::Conversation, Option<InboxEvent>) {
    match outcome {
        Ok(ChatApplied::Changed { conversation, event }) => (conversation, *event),
        other => panic!("expected a change, got {other:?}"),
    }
}

async fn assignment_filters_the_inbox_counts_each_view_and_survives_new_messages(s: &dyn Store) {
    let f = fixture(s).await;
    let lan = staff_member(s, "canbo.lan", "Nguyễn Thị Lan").await;
    let minh = staff_member(s, "canbo.minh", "Trần Văn Minh").await;
    let out = apply(s, &[citizen_send(&f, &f.account, "a-1", "Cho hỏi giờ làm việc")]).await;
    let first = sent(&out[0]).1.clone();
    let mut writes = vec![ChatWrite::Send {
        to: Recipient::Account { account: f.account.id, citizen_label: "098****321".into() },
        author: Author::Citizen(f.neighbour.id),
        author_name: String::new(),
        client_msg_id: id("n-1"),
        content: text("Xin chào"),
        at: Timestamp::now(),
        bot: None,
    }];
    let second = sent(&apply(s, &writes).await[0]).1.clone();
    let ids = |found: Vec<ketnoi_core::Conversation>| found.into_iter().map(|c| c.id).collect();
    let fr = &f;
    let listed = |filter| async move {
        let found: Vec<ConversationId> =
            ids(s.inbox(&inbox_of(fr, filter)).await.unwrap_or_else(|e| panic!("{e}")));
        found
    };
    let account = f.account.id;
    let counts = |staff| async move {
        s.inbox_counts(account, staff, Timestamp(0)).await.unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(first.assignee, None);
    assert_eq!(
        counts(lan.id).await,
        InboxCounts { open: 2, mine: 0, unassigned: 2, ..InboxCounts::default() }
    );

    let assigned = assign(s, first.id, Some(lan.id)).await;
    let (conv, event) = changed(&assigned);
    assert_eq!(conv.assignee, Some(lan.id));
    let event = event.unwrap_or_else(|| panic!("assigning makes an inbox event"));
    assert_eq!((event.kind, event.account), (InboxEventKind::Assigned, f.account.id));
    // The same assignment again changes nothing and makes no event.
    assert_eq!(changed(&assign(s, first.id, Some(lan.id)).await).1, None);
    // Automatic assignment leaves a conversation someone has alone.
    let auto = ChatWrite::Assign {
        conversation: first.id,
        assignee: Some(minh.id),
        only_if_unassigned: true,
        at: Timestamp::now(),
    };
    let kept = apply(s, &[auto]).await;
    assert_eq!((changed(&kept[0]).0.assignee, changed(&kept[0]).1), (Some(lan.id), None));
    assert_eq!(listed(Some(AssigneeFilter::Staff(lan.id))).await, vec![first.id]);
    assert_eq!(listed(Some(AssigneeFilter::Staff(minh.id))).await, Vec::<ConversationId>::new());
    assert_eq!(listed(Some(AssigneeFilter::Nobody)).await, vec![second.id]);
    assert_eq!(listed(None).await, vec![second.id, first.id]);
    assert_eq!(
        counts(lan.id).await,
        InboxCounts { open: 2, mine: 1, unassigned: 1, ..InboxCounts::default() }
    );
    assert_eq!(counts(minh.id).await.mine, 0);

    // New messages keep the assignee.
    writes =
        vec![citizen_send(&f, &f.account, "a-2", "Còn nữa"), staff_send(first.id, "r-1", "Vâng")];
    let after = apply(s, &writes).await;
    assert_eq!(sent(&after[1]).1.assignee, Some(lan.id));
    let stored = s.conversation(first.id).await.ok().flatten();
    assert_eq!(stored.and_then(|c| c.assignee), Some(lan.id));
    assert_eq!(listed(Some(AssigneeFilter::Staff(lan.id))).await, vec![first.id]);

    // The bot's split is counted among the unassigned too.
    apply(
        s,
        &[ChatWrite::SetBot {
            conversation: second.id,
            state: ketnoi_core::BotState::Waiting,
            at: Timestamp::now(),
        }],
    )
    .await;
    let c = counts(minh.id).await;
    assert_eq!((c.need_person, c.unassigned_need_person), (1, 1));

    // Reassigning, then unassigning; closed conversations are not counted.
    changed(&assign(s, first.id, Some(minh.id)).await);
    assert_eq!(counts(minh.id).await.mine, 1);
    assert_eq!(counts(lan.id).await.mine, 0);
    let cleared = assign(s, first.id, None).await;
    assert_eq!(changed(&cleared).0.assignee, None);
    assert_eq!(counts(minh.id).await.unassigned, 2);
    apply(
        s,
        &[ChatWrite::SetStatus {
            conversation: second.id,
            status: ConversationStatus::Closed,
            at: Timestamp::now(),
        }],
    )
    .await;
    assert_eq!(
        counts(minh.id).await,
        InboxCounts { open: 1, unassigned: 1, ..InboxCounts::default() }
    );

    // A missing conversation or officer is refused and changes nothing.
    let missing = assign(s, ConversationId(second.id.0 + 999), Some(lan.id)).await;
    assert_eq!(missing, Err(ChatRefusal::NoConversation));
    let nobody = assign(s, first.id, Some(StaffId(minh.id.0 + 999))).await;
    assert_eq!(nobody, Err(ChatRefusal::NoStaff));
    assert_eq!(s.conversation(first.id).await.ok().flatten().map(|c| c.assignee), Some(None));
}

fn handover(conversation: ConversationId, to: &Account, notice: &str) -> Transfer {
    Transfer {
        conversation,
        to: to.id,
        kind: ketnoi_core::TransferKind::Escalate,
        by: None,
        reason: "Thuộc thẩm quyền cấp tỉnh".into(),
        keep_read: true,
        notice: Content::system(notice).unwrap_or_else(|e| panic!("{e}")),
        assignee: None,
        at: Timestamp::now(),
    }
}

async fn a_handover_moves_the_inbox_tells_the_citizen_and_is_recorded(s: &dyn Store) {
    let f = fixture(s).await;
    let lan = staff_member(s, "canbo.lan", "Nguyễn Thị Lan").await;
    // The citizen writes to the district; an officer there has it.
    let (district, province) = (&f.other_account, &f.account);
    let out = apply(s, &[citizen_send(&f, district, "q-1", "Tôi muốn khiếu nại")]).await;
    let conv = sent(&out[0]).1.clone();
    assert_eq!(conv.handler, district.id);
    changed(&assign(s, conv.id, Some(lan.id)).await);
    let (district_head, _) = s.inbox_bounds(district.id).await.unwrap_or_else(|e| panic!("{e}"));

    let mut t = handover(conv.id, province, "Cuộc trò chuyện đã được chuyển lên Công an tỉnh.");
    t.assignee = Some(lan.id);
    let done = apply(s, &[ChatWrite::Transfer(t.clone())]).await;
    let Ok(ChatApplied::Transferred { message, conversation, event, left }) = &done[0] else {
        panic!("expected a handover, got {:?}", done[0]);
    };
    // The citizen's conversation is still with the district; the province's inbox holds it,
    // open, waiting for a person, assigned as asked.
    assert_eq!((conversation.account, conversation.handler), (district.id, province.id));
    assert_eq!(conversation.bot, ketnoi_core::BotState::Waiting);
    assert_eq!(conversation.assignee, Some(lan.id));
    assert_eq!((message.seq, message.author), (2, Author::Bot));
    assert_eq!(message.content.kind(), MessageKind::System);
    assert_eq!(
        (event.account, event.kind, event.message_seq),
        (province.id, InboxEventKind::Message, 2)
    );
    assert_eq!((left.account, left.kind), (district.id, InboxEventKind::TransferredOut));
    let stored = s.conversation(conv.id).await.ok().flatten();
    assert_eq!(stored.as_ref().map(|c| (c.handler, c.assignee)), Some((province.id, Some(lan.id))));

    // The inboxes follow the handler.
    let open = |account: &Account| InboxQuery {
        account: account.id,
        status: ConversationStatus::Open,
        text: None,
        bot: None,
        assignee: None,
        waiting_before: None,
        label: None,
        before: None,
        limit: 10,
    };
    let listed = |q: InboxQuery| async move {
        let found = s.inbox(&q).await.unwrap_or_else(|e| panic!("{e}"));
        found.into_iter().map(|c| c.id).collect::<Vec<_>>()
    };
    assert_eq!(listed(open(province)).await, vec![conv.id]);
    assert_eq!(listed(open(district)).await, Vec::<ConversationId>::new());
    assert_eq!(
        s.inbox_counts(province.id, lan.id, Timestamp(0)).await.ok().map(|c| c.mine),
        Some(1)
    );
    assert_eq!(
        s.inbox_counts(district.id, lan.id, Timestamp(0)).await.ok().map(|c| c.open),
        Some(0)
    );
    // The citizen still finds it with the district, and its history carries the notice.
    let theirs = s.conversation_between(district.id, f.citizen.id).await.ok().flatten();
    assert_eq!(theirs.map(|c| c.id), Some(conv.id));
    let history = s
        .messages(conv.id, MessageRange::Latest { limit: 10 })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(history.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2]);
    // Replies, reads and events now go to the province's inbox.
    let more = apply(s, &[citizen_send(&f, district, "q-2", "Xin cảm ơn")]).await;
    assert_eq!(sent(&more[0]).2.map(|e| e.account), Some(province.id));
    let (district_after, _) = s.inbox_bounds(district.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(district_after, district_head + 1, "only the handover's event on the district");
    let events = s.inbox_events_after(district.id, district_head, 10).await.unwrap_or_default();
    assert_eq!(
        events.iter().map(|e| e.event.kind).collect::<Vec<_>>(),
        vec![InboxEventKind::TransferredOut]
    );

    // Recorded, with the officer's reason and the notice's number.
    let record = s.transfers(conv.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(record.len(), 1);
    assert_eq!(
        (record[0].from, record[0].to, record[0].message_seq),
        (district.id, province.id, 2)
    );
    assert_eq!(
        (record[0].reason.as_str(), record[0].keep_read),
        ("Thuộc thẩm quyền cấp tỉnh", true)
    );
    assert_eq!(record[0].kind, ketnoi_core::TransferKind::Escalate);

    // Sending it where it already is, to a missing account or officer: refused, nothing changed.
    let again = apply(s, &[ChatWrite::Transfer(t.clone())]).await;
    assert_eq!(again[0], Err(ChatRefusal::AlreadyThere));
    let mut lost = handover(conv.id, district, "x");
    lost.to = ketnoi_core::AccountId(district.id.0 + 999);
    assert_eq!(apply(s, &[ChatWrite::Transfer(lost)]).await[0], Err(ChatRefusal::NoAccount));
    let mut ghost = handover(conv.id, district, "x");
    ghost.assignee = Some(StaffId(lan.id.0 + 999));
    assert_eq!(apply(s, &[ChatWrite::Transfer(ghost)]).await[0], Err(ChatRefusal::NoStaff));
    assert_eq!(s.transfers(conv.id).await.map(|r| r.len()).ok(), Some(1));
    let now = s.conversation(conv.id).await.ok().flatten();
    assert_eq!(now.map(|c| (c.handler, c.last_seq)), Some((province.id, 3)));

    // Back down, in the same batch as a citizen's message: numbered in order.
    let mut back = handover(conv.id, district, "Cuộc trò chuyện đã được chuyển về Công an huyện.");
    back.kind = ketnoi_core::TransferKind::Return;
    back.keep_read = false;
    let both =
        apply(s, &[ChatWrite::Transfer(back), citizen_send(&f, district, "q-3", "Vâng")]).await;
    assert!(matches!(both[0], Ok(ChatApplied::Transferred { .. })), "{:?}", both[0]);
    assert_eq!(sent(&both[1]).0.seq, 5);
    assert_eq!(sent(&both[1]).2.map(|e| e.account), Some(district.id));
    assert_eq!(s.transfers(conv.id).await.map(|r| r.len()).ok(), Some(2));
}

async fn round_robin_takes_each_candidate_in_turn_and_wraps(s: &dyn Store) {
    let f = fixture(s).await;
    let a = f.account.id;
    let settings = s.inbox_settings(a).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(settings, Some(InboxSettings::default()));
    let week =
        ketnoi_core::OfficeHours::parse("T2-T7 07:00-11:00").unwrap_or_else(|e| panic!("{e}"));
    let changed =
        InboxSettings { auto_assign: true, office_hours: week, response_target_minutes: 90 };
    s.set_inbox_settings(a, &changed).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.inbox_settings(a).await.ok().flatten(), Some(changed.clone()));
    let missing = s.set_inbox_settings(ketnoi_core::AccountId(a.0 + 999), &changed).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    let turn = |candidates: Vec<i64>| async move {
        let c: Vec<StaffId> = candidates.into_iter().map(StaffId).collect();
        s.next_in_turn(a, &c).await.unwrap_or_else(|e| panic!("{e}")).map(|s| s.0)
    };
    assert_eq!(turn(vec![]).await, None);
    assert_eq!(turn(vec![3, 5, 9]).await, Some(3));
    assert_eq!(turn(vec![3, 5, 9]).await, Some(5));
    // Whoever went away drops out; the turn goes on from where it was.
    assert_eq!(turn(vec![3, 9]).await, Some(9));
    assert_eq!(turn(vec![3, 5, 9]).await, Some(3));
    // Each account keeps its own turn.
    let other = f.other_account.id;
    let first = s.next_in_turn(other, &[StaffId(5), StaffId(9)]).await.ok().flatten();
    assert_eq!(first, Some(StaffId(5)));
    assert_eq!(turn(vec![3, 5, 9]).await, Some(5));
}

async fn staff_of_agencies_lists_role_holders_and_platform_admins_with_their_duty(s: &dyn Store) {
    let f = fixture(s).await;
    let own = f.account.agency;
    let youth = super::agency(s, "doan-hg", "Tỉnh đoàn Hà Giang", "02", None).await;
    let lan = staff_member(s, "canbo.lan", "Nguyễn Thị Lan").await;
    let minh = staff_member(s, "canbo.minh", "Trần Văn Minh").await;
    let hoa = staff_member(s, "canbo.hoa", "Lê Thị Hoa").await;
    let admin = ketnoi_core::NewStaff {
        username: ketnoi_core::Username::parse("quantri").unwrap_or_else(|e| panic!("{e}")),
        display_name: ketnoi_core::DisplayName::parse("Quản trị").unwrap_or_else(|e| panic!("{e}")),
        password_hash: "$argon2id$fake".to_owned(),
        platform_admin: true,
    };
    let admin = s.create_staff(&admin).await.unwrap_or_else(|e| panic!("{e}"));
    let grant = |who, agency, role| async move {
        s.grant_role(who, agency, role).await.unwrap_or_else(|e| panic!("{e}"));
    };
    grant(lan.id, own, ketnoi_core::Role::Officer).await;
    grant(minh.id, own, ketnoi_core::Role::Viewer).await;
    grant(minh.id, youth, ketnoi_core::Role::Officer).await;
    grant(hoa.id, youth, ketnoi_core::Role::Officer).await;

    assert_eq!(s.staff_away(lan.id).await.ok(), Some(Some(false)), "on duty by default");
    assert_eq!(s.set_staff_away(lan.id, true).await.ok(), Some(true));
    assert_eq!(s.staff_away(lan.id).await.ok(), Some(Some(true)));
    assert_eq!(s.set_staff_away(StaffId(admin.id.0 + 999), true).await.ok(), Some(false));
    assert_eq!(s.staff_away(StaffId(admin.id.0 + 999)).await.ok(), Some(None));

    let found = s.staff_of_agencies(&[own]).await.unwrap_or_else(|e| panic!("{e}"));
    let seen = found
        .iter()
        .map(|a| {
            (a.member.id, a.grants.iter().map(|g| (g.agency, g.role)).collect::<Vec<_>>(), a.away)
        })
        .collect::<Vec<_>>();
    assert_eq!(
        seen,
        vec![
            (lan.id, vec![(own, ketnoi_core::Role::Officer)], true),
            (admin.id, vec![], false),
            (minh.id, vec![(own, ketnoi_core::Role::Viewer)], false),
        ],
        "by name, with only the roles on the agencies asked about"
    );
    let none = s.staff_of_agencies(&[]).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(none.iter().map(|a| a.member.id).collect::<Vec<_>>(), vec![admin.id]);
}

/// A send at a given time.
fn at(mut write: ChatWrite, when: i64) -> ChatWrite {
    if let ChatWrite::Send { at, .. } = &mut write {
        *at = Timestamp(when);
    }
    write
}

async fn the_response_clock_runs_while_the_citizen_waits_for_an_officer(s: &dyn Store) {
    let f = fixture(s).await;
    let t0 = Timestamp::now().millis() - 10 * 3_600_000;
    let minute = 60_000;
    let out = apply(s, &[at(citizen_send(&f, &f.account, "w-1", "Cho hỏi"), t0)]).await;
    let conv = sent(&out[0]).1.clone();
    assert_eq!((conv.waiting_since, conv.first_response_at), (Some(Timestamp(t0)), None));
    // A second question does not restart the clock.
    let out = apply(s, &[at(citizen_send(&f, &f.account, "w-2", "Còn nữa"), t0 + minute)]).await;
    assert_eq!(sent(&out[0]).1.waiting_since, Some(Timestamp(t0)));
    // Overdue views: waiting since before the cut-off.
    let view =
        |before: i64| InboxQuery { waiting_before: Some(Timestamp(before)), ..inbox_of(&f, None) };
    let ids = |v: Vec<ketnoi_core::Conversation>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(s.inbox(&view(t0 + 1)).await.unwrap_or_default()), vec![conv.id]);
    assert_eq!(ids(s.inbox(&view(t0)).await.unwrap_or_default()), Vec::<ConversationId>::new());
    let counts = s.inbox_counts(f.account.id, StaffId(1), Timestamp(t0 + 1)).await;
    assert_eq!(counts.ok().map(|c| (c.overdue, c.overdue_need_person)), Some((1, 0)));
    // An officer answers: nobody waits, and the first response is kept.
    let reply = at(staff_send(conv.id, "r-1", "Mời anh mang CCCD"), t0 + 30 * minute);
    let out = apply(s, &[reply]).await;
    let after = sent(&out[0]).1.clone();
    assert_eq!(
        (after.waiting_since, after.first_response_at),
        (None, Some(Timestamp(t0 + 30 * minute)))
    );
    assert_eq!(ids(s.inbox(&view(t0 + 1)).await.unwrap_or_default()), Vec::<ConversationId>::new());
    // The citizen asks again; the bot's hand-off keeps the clock from that question.
    apply(s, &[at(citizen_send(&f, &f.account, "w-3", "Thêm câu nữa"), t0 + 60 * minute)]).await;
    let handoff = ChatWrite::Send {
        to: Recipient::Conversation(conv.id),
        author: Author::Bot,
        author_name: String::new(),
        client_msg_id: id("bot-3"),
        content: text("Tôi chuyển câu hỏi cho cán bộ."),
        at: Timestamp(t0 + 61 * minute),
        bot: Some(ketnoi_core::BotState::Waiting),
    };
    let out = apply(s, &[handoff]).await;
    let waiting = sent(&out[0]).1.clone();
    assert_eq!(waiting.waiting_since, Some(Timestamp(t0 + 60 * minute)));
    assert_eq!(waiting.first_response_at, Some(Timestamp(t0 + 30 * minute)), "the first stays");
    let counts = s.inbox_counts(f.account.id, StaffId(1), Timestamp(t0 + 61 * minute)).await;
    assert_eq!(counts.ok().map(|c| (c.overdue, c.overdue_need_person)), Some((1, 1)));
    // Closing settles it: nobody waits; reopening clears the settlement.
    let close = ChatWrite::SetStatus {
        conversation: conv.id,
        status: ConversationStatus::Closed,
        at: Timestamp(t0 + 90 * minute),
    };
    let closed = apply(s, &[close]).await;
    let closed = changed(&closed[0]).0.clone();
    assert_eq!(
        (closed.waiting_since, closed.resolved_at),
        (None, Some(Timestamp(t0 + 90 * minute)))
    );
    let stored = s.conversation(conv.id).await.ok().flatten();
    assert_eq!(stored.map(|c| c.resolved_at), Some(Some(Timestamp(t0 + 90 * minute))));
    let again =
        apply(s, &[at(citizen_send(&f, &f.account, "w-4", "Tôi hỏi lại"), t0 + 120 * minute)])
            .await;
    let reopened = sent(&again[0]).1.clone();
    assert_eq!(
        (reopened.resolved_at, reopened.waiting_since),
        (None, Some(Timestamp(t0 + 120 * minute)))
    );
}

conformance!(
    the_response_clock_runs_while_the_citizen_waits_for_an_officer,
    first_message_opens_a_conversation_numbered_without_gaps,
    a_repeated_client_id_returns_the_original_and_a_changed_one_is_refused,
    concurrent_retries_of_one_message_store_it_once,
    nobody_writes_into_someone_elses_conversation,
    reads_count_down_unread_and_make_events_only_when_they_move,
    closing_and_a_citizen_writing_again_reopens,
    the_inbox_is_newest_first_and_searchable_without_diacritics,
    history_pages_both_ways,
    inbox_events_replay_in_order_with_their_messages,
    attachments_are_used_only_by_their_uploader_in_their_conversation,
    notes_stay_apart_from_messages_and_list_oldest_first_with_their_authors,
    assignment_filters_the_inbox_counts_each_view_and_survives_new_messages,
    a_handover_moves_the_inbox_tells_the_citizen_and_is_recorded,
    round_robin_takes_each_candidate_in_turn_and_wraps,
    staff_of_agencies_lists_role_holders_and_platform_admins_with_their_duty,
);

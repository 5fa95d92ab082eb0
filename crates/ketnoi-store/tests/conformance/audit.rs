//! The audit log (issue 20): appends are serialised into one unbroken chain, the database refuses
//! to change or remove entries, and whoever drops that refusal and edits a row is named by the
//! verification.

use futures_util::future::join_all;
use ketnoi_core::{Actor, AgencyId, AuditAction, StaffId, Timestamp};
use ketnoi_store::testing::{RawSql, drop_audit_triggers};
use ketnoi_store::*;

fn new(
    actor: Actor,
    action: AuditAction,
    object: &str,
    agency: Option<i64>,
    at: i64,
) -> NewAuditEntry {
    NewAuditEntry {
        at: Timestamp(at),
        actor,
        action,
        object: object.to_owned(),
        agency: agency.map(AgencyId),
        request_id: format!("req-{at}"),
    }
}

/// Appends `n` entries one after another, alternating two agencies.
async fn seed(s: &dyn Store, n: i64) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    for i in 1..=n {
        let e = new(
            Actor::Staff(StaffId(i % 3 + 1)),
            if i % 2 == 0 { AuditAction::TipOpened } else { AuditAction::SignIn },
            &format!("tip:{i}"),
            Some(if i % 2 == 0 { 10 } else { 20 }),
            1_700_000_000_000 + i * 1000,
        );
        out.push(s.append_audit(&e).await.unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

async fn verify(s: &dyn Store, anchors: &[Anchor]) -> Result<ChainSummary, String> {
    verify_log(s, anchors).await.map_err(|e| e.to_string())
}

async fn appends_chain_from_genesis_and_verify(s: &dyn Store) {
    assert_eq!(s.audit_head().await.ok(), Some(AuditHead { seq: 0, hash: GENESIS_HASH.into() }));
    let log = seed(s, 5).await;
    assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    assert_eq!(log[0].prev_hash, GENESIS_HASH);
    assert_eq!(log[3].prev_hash, log[2].hash);
    assert_eq!(log[4].actor, "staff:3");
    let head = s.audit_head().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((head.seq, head.hash.as_str()), (5, log[4].hash.as_str()));
    let summary = verify(s, &[Anchor::of(&head, Timestamp::now())]).await;
    assert_eq!(summary.map(|s| s.entries), Ok(5));
}

async fn concurrent_appends_get_contiguous_seqs_and_one_chain(s: &dyn Store) {
    let appends = (0..20).map(|i| {
        let e = new(Actor::System, AuditAction::KeyGranted, &format!("key:k{i}"), None, 1000 + i);
        async move { s.append_audit(&e).await }
    });
    let results = join_all(appends).await;
    let mut seqs: Vec<i64> =
        results.into_iter().map(|r| r.unwrap_or_else(|e| panic!("{e}")).seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    assert_eq!(verify(s, &[]).await.map(|s| s.entries), Ok(20));
}

async fn the_database_refuses_to_change_or_remove_entries<S: Store + RawSql>(s: &S) {
    seed(s, 3).await;
    for sql in [
        "UPDATE audit_log SET object = 'tip:9' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
    ] {
        let refused = s.raw(sql).await;
        assert!(refused.is_err(), "{sql} was allowed");
        assert!(
            refused.err().is_some_and(|e| e.to_string().contains("append-only")),
            "{sql}: not refused by the trigger"
        );
    }
    if s.backend() == "postgres" {
        assert!(s.raw("TRUNCATE audit_log").await.is_err());
    }
    assert_eq!(verify(s, &[]).await.map(|s| s.entries), Ok(3));
}

async fn an_agencys_page_is_newest_first_filtered_and_paged(s: &dyn Store) {
    seed(s, 9).await;
    let query = AuditQuery {
        agency: AgencyId(10),
        action: None,
        actor: None,
        from: None,
        until: None,
        before: None,
        limit: 3,
    };
    let page = s.audit_page(&query).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![8, 6, 4]);
    let next = AuditQuery { before: Some(4), ..query.clone() };
    let page = s.audit_page(&next).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2]);
    // Agency 20 holds the sign-ins; filters by action, actor and time.
    let signins = AuditQuery {
        agency: AgencyId(20),
        action: Some(AuditAction::SignIn),
        limit: 50,
        ..query.clone()
    };
    let all = s.audit_page(&signins).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![9, 7, 5, 3, 1]);
    let none = AuditQuery { action: Some(AuditAction::TipOpened), ..signins.clone() };
    assert_eq!(s.audit_page(&none).await.map(|p| p.len()).ok(), Some(0));
    let by_actor = AuditQuery { actor: Some(Actor::Staff(StaffId(2))), ..signins.clone() };
    let mine = s.audit_page(&by_actor).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mine.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![7, 1]);
    let window = AuditQuery {
        from: Some(Timestamp(1_700_000_003_000)),
        until: Some(Timestamp(1_700_000_007_000)),
        ..signins
    };
    let within = s.audit_page(&window).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(within.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![5, 3]);
}

async fn one_altered_byte_is_named<S: Store + RawSql>(s: &S) {
    seed(s, 6).await;
    drop_audit_triggers(s).await;
    s.raw("UPDATE audit_log SET object = 'tip:5' WHERE seq = 4")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verify(s, &[]).await.err().as_deref(),
        Some("entry 4 was altered (its hash does not match its content)")
    );
}

async fn an_altered_actor_is_named<S: Store + RawSql>(s: &S) {
    seed(s, 6).await;
    drop_audit_triggers(s).await;
    s.raw("UPDATE audit_log SET actor = 'staff:9' WHERE seq = 2")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verify(s, &[]).await.err().as_deref(),
        Some("entry 2 was altered (its hash does not match its content)")
    );
}

async fn a_deleted_row_is_named<S: Store + RawSql>(s: &S) {
    seed(s, 6).await;
    drop_audit_triggers(s).await;
    s.raw("DELETE FROM audit_log WHERE seq = 3").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verify(s, &[]).await.err().as_deref(),
        Some("seq jumps from 2 to 4: entry 3 was removed")
    );
    // Closing the gap by renumbering is named too.
    s.raw("UPDATE audit_log SET seq = seq + 1000000 WHERE seq > 3")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.raw("UPDATE audit_log SET seq = seq - 1000001 WHERE seq > 1000000")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verify(s, &[]).await.err().as_deref(),
        Some("entry 3 was removed (the entries after it were renumbered to close the gap)")
    );
}

/// Inserts a forged entry at seq 3, moving the entries from 3 on one place up; the forged
/// entry's hash is recomputed when `rehash`.
async fn forge_at_3<S: Store + RawSql>(s: &S, log: &[AuditEntry], rehash: bool) {
    drop_audit_triggers(s).await;
    s.raw("UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= 3")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.raw("UPDATE audit_log SET seq = seq - 999999 WHERE seq > 1000000")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut forged = AuditEntry {
        seq: 3,
        at: log[1].at + 1,
        actor: "system".into(),
        action: "role-granted".into(),
        object: "staff:1".into(),
        agency: Some(10),
        request_id: "forged".into(),
        prev_hash: log[1].hash.clone(),
        hash: log[1].hash.clone(),
    };
    if rehash {
        forged.hash = forged.expected_hash();
    }
    let sql = format!(
        "INSERT INTO audit_log (seq, at, actor, action, object, agency_id, request_id, \
         prev_hash, hash) VALUES (3, {}, 'system', 'role-granted', 'staff:1', 10, 'forged', \
         '{}', '{}')",
        forged.at, forged.prev_hash, forged.hash
    );
    s.raw(&sql).await.unwrap_or_else(|e| panic!("{e}"));
}

async fn a_forged_row_without_a_recomputed_hash_is_named<S: Store + RawSql>(s: &S) {
    let log = seed(s, 5).await;
    forge_at_3(s, &log, false).await;
    assert_eq!(
        verify(s, &[]).await.err().as_deref(),
        Some("entry 3 was altered (its hash does not match its content)")
    );
}

async fn a_forged_row_with_a_recomputed_hash_is_named<S: Store + RawSql>(s: &S) {
    let log = seed(s, 5).await;
    forge_at_3(s, &log, true).await;
    assert_eq!(
        verify(s, &[]).await.err().as_deref(),
        Some("an entry was inserted at 3 (entry 4 is the former entry 3, renumbered)")
    );
}

async fn a_cut_tail_is_caught_only_by_an_anchor<S: Store + RawSql>(s: &S) {
    seed(s, 6).await;
    let anchor = Anchor::of(&s.audit_head().await.unwrap_or_else(|e| panic!("{e}")), Timestamp(0));
    drop_audit_triggers(s).await;
    s.raw("DELETE FROM audit_log WHERE seq > 4").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(verify(s, &[]).await.map(|s| s.entries), Ok(4));
    let fault = verify(s, std::slice::from_ref(&anchor)).await.err().unwrap_or_default();
    assert_eq!(
        fault,
        format!(
            "the log ends at entry 4 but the anchor of {} names entry 6: entries 5–6 were removed",
            anchor.time
        )
    );
}

conformance!(
    appends_chain_from_genesis_and_verify,
    concurrent_appends_get_contiguous_seqs_and_one_chain,
    the_database_refuses_to_change_or_remove_entries,
    an_agencys_page_is_newest_first_filtered_and_paged,
    one_altered_byte_is_named,
    an_altered_actor_is_named,
    a_deleted_row_is_named,
    a_forged_row_without_a_recomputed_hash_is_named,
    a_forged_row_with_a_recomputed_hash_is_named,
    a_cut_tail_is_caught_only_by_an_anchor,
);

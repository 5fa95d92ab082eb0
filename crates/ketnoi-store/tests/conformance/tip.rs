//! Tips (issue 7): officer keys, unit keys and their rotation, key copies granted and revoked,
//! sealed tips routed to their units, messages, status, and settings.

use ketnoi_core::{
    AgencyId, AreaCode, DisplayName, NewStaff, StaffId, Timestamp, TipDeadlines, Username,
};
use ketnoi_store::*;

use super::agency;
use super::chat::{Fixture, fixture};

pub(super) const T0: Timestamp = Timestamp(1_750_000_000_000);

/// The fixture's police agency and two more units: one below it, and one elsewhere.
pub(super) struct Units {
    pub(super) province: AgencyId,
    pub(super) district: AgencyId,
    pub(super) elsewhere: AgencyId,
}

pub(super) async fn units(s: &dyn Store, f: &Fixture) -> Units {
    let province = f.account.agency;
    Units {
        province,
        district: agency(s, "ca-vx", "Công an huyện Vị Xuyên", "002", Some(province)).await,
        elsewhere: agency(s, "ca-bd", "Công an phường Ba Đình", "00004", None).await,
    }
}

pub(super) async fn staff(s: &dyn Store, username: &str) -> StaffId {
    let new = NewStaff {
        username: Username::parse(username).unwrap_or_else(|e| panic!("{e}")),
        display_name: DisplayName::parse("Cán bộ").unwrap_or_else(|e| panic!("{e}")),
        password_hash: "$argon2id$fake".to_owned(),
        platform_admin: false,
    };
    s.create_staff(&new).await.unwrap_or_else(|e| panic!("{e}")).id
}

fn officer_key(staff: StaffId, kid: &str) -> OfficerKey {
    OfficerKey {
        staff,
        kid: kid.to_owned(),
        sealed: format!(r#"{{"kid":"{kid}","ct":"…"}}"#),
        created_at: T0,
    }
}

fn copy(unit_kid: &str, staff: StaffId, officer_kid: &str) -> KeyCopy {
    KeyCopy {
        unit_kid: unit_kid.to_owned(),
        staff,
        officer_kid: officer_kid.to_owned(),
        wrapped: format!(r#"{{"kid":"{officer_kid}","ct":"{unit_kid}"}}"#),
        granted_by: None,
        created_at: T0,
    }
}

async fn put_key(s: &dyn Store, staff: StaffId, kid: &str) {
    s.put_officer_key(&officer_key(staff, kid)).await.unwrap_or_else(|e| panic!("{e}"));
}

async fn add_key(
    s: &dyn Store,
    agency: AgencyId,
    kid: &str,
    copies: &[KeyCopy],
    at: Timestamp,
) -> UnitKey {
    s.add_unit_key(agency, kid, &format!("pub-{kid}"), None, copies, at)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Who holds a copy of which of the unit's keys, and wrapped to which of their keys.
async fn holders(s: &dyn Store, agency: AgencyId) -> Vec<(String, StaffId, String)> {
    let copies = s.key_copies(agency).await.unwrap_or_else(|e| panic!("{e}"));
    copies.into_iter().map(|c| (c.unit_kid, c.staff, c.officer_kid)).collect()
}

pub(super) fn new_tip(f: &Fixture, units: &[AgencyId], receipt: &str, at: Timestamp) -> NewTip {
    NewTip {
        account: f.account.id,
        units: units.to_vec(),
        category: "ma-tuy".into(),
        area: AreaCode::parse("002").unwrap_or_else(|e| panic!("{e}")),
        occurred: "2025-06-01T21:30".into(),
        anonymous: true,
        citizen: None,
        envelope: format!(r#"{{"v":1,"receipt":"{receipt}"}}"#),
        attachments: vec![
            NewTipAttachment { blob_key: format!("{receipt}-0"), size: 65_552 },
            NewTipAttachment { blob_key: format!("{receipt}-1"), size: 40 },
        ],
        receipt_lookup: format!("lookup-{receipt}"),
        receipt_hash: format!("$argon2id$v=19$m=19456,t=2,p=1${receipt}"),
        at,
        deadline_at: TipDeadlines::default().first(at),
    }
}

pub(super) async fn create(s: &dyn Store, tip: &NewTip) -> TipId {
    s.create_tip(tip).await.unwrap_or_else(|e| panic!("{e}"))
}

pub(super) async fn listed(
    s: &dyn Store,
    unit: AgencyId,
    filter: TipFilter,
    before: Option<TipId>,
    limit: i64,
) -> Vec<TipId> {
    let page = s.tips_for_unit(unit, filter, before, limit).await.unwrap_or_else(|e| panic!("{e}"));
    page.iter().map(|t| t.id).collect()
}

async fn an_officer_key_is_replaced_and_a_new_kid_takes_the_old_copies_along(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    let minh = staff(s, "canbo.minh").await;
    assert_eq!(s.officer_key(lan).await.unwrap_or_else(|e| panic!("{e}")), None);
    put_key(s, lan, "lan-1").await;
    put_key(s, minh, "minh-1").await;
    add_key(
        s,
        u.province,
        "unit-1",
        &[copy("unit-1", lan, "lan-1"), copy("unit-1", minh, "minh-1")],
        T0,
    )
    .await;

    // The same key again (a new passphrase seals the same private key): copies stay.
    let resealed = OfficerKey { sealed: "{\"resealed\":true}".into(), ..officer_key(lan, "lan-1") };
    s.put_officer_key(&resealed).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.officer_key(lan).await.unwrap_or_else(|e| panic!("{e}")), Some(resealed));
    assert_eq!(holders(s, u.province).await.len(), 2);

    // A new key: the copies wrapped to the old one are useless, and go; others' stay.
    put_key(s, lan, "lan-2").await;
    assert_eq!(s.officer_key(lan).await.ok().flatten().map(|k| k.kid), Some("lan-2".to_owned()));
    assert_eq!(holders(s, u.province).await, vec![("unit-1".into(), minh, "minh-1".into())]);

    let ghost = s.put_officer_key(&officer_key(StaffId(9_999_999), "ghost")).await;
    assert!(matches!(ghost, Err(StoreError::MissingReference(_))), "{ghost:?}");
}

async fn a_new_unit_key_retires_the_current_one_and_brings_its_copies_at_once(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    put_key(s, lan, "lan-1").await;
    assert_eq!(s.current_unit_key(u.province).await.unwrap_or_else(|e| panic!("{e}")), None);

    let first = add_key(s, u.province, "unit-1", &[copy("unit-1", lan, "lan-1")], T0).await;
    assert_eq!(
        (first.agency, first.retired_at, first.public_key.as_str()),
        (u.province, None, "pub-unit-1")
    );
    let later = T0.plus_millis(60_000);
    let second = add_key(s, u.province, "unit-2", &[copy("unit-2", lan, "lan-1")], later).await;
    assert_eq!(s.current_unit_key(u.province).await.ok().flatten(), Some(second.clone()));
    let keys = s.unit_keys(u.province).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(keys, vec![second.clone(), UnitKey { retired_at: Some(later), ..first }]);
    // The retired key's copy stays: tips sealed to it must stay readable.
    assert_eq!(
        holders(s, u.province).await,
        vec![("unit-2".into(), lan, "lan-1".into()), ("unit-1".into(), lan, "lan-1".into())]
    );

    // A copy that cannot go in (wrapped to a key the officer does not have) undoes the
    // rotation: the current key stays current and the new one does not exist.
    let broken = s
        .add_unit_key(
            u.province,
            "unit-3",
            "pub-unit-3",
            None,
            &[copy("unit-3", lan, "lan-9")],
            later,
        )
        .await;
    assert!(matches!(broken, Err(StoreError::MissingReference(_))), "{broken:?}");
    assert_eq!(s.current_unit_key(u.province).await.ok().flatten(), Some(second));
    assert_eq!(s.unit_keys(u.province).await.map(|k| k.len()).ok(), Some(2));

    let nowhere = s.add_unit_key(AgencyId(9_999_999), "unit-4", "pub", None, &[], later).await;
    assert!(matches!(nowhere, Err(StoreError::MissingReference(_))), "{nowhere:?}");
    // Other units are untouched by all of this.
    assert_eq!(s.unit_keys(u.district).await.map(|k| k.len()).ok(), Some(0));
}

async fn a_unit_never_has_two_current_keys_even_when_rotated_twice_at_once(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    add_key(s, u.province, "unit-0", &[], T0).await;
    let (a, b) = futures_util::future::join(
        s.add_unit_key(u.province, "unit-a", "pub-a", None, &[], T0.plus_millis(1)),
        s.add_unit_key(u.province, "unit-b", "pub-b", None, &[], T0.plus_millis(1)),
    )
    .await;
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    let keys = s.unit_keys(u.province).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(keys.len(), 3);
    assert_eq!(keys.iter().filter(|k| k.retired_at.is_none()).count(), 1, "{keys:?}");
    let current = s.current_unit_key(u.province).await.ok().flatten().map(|k| k.id);
    assert_eq!(current, keys.first().map(|k| k.id), "the last one in is current");
}

async fn a_unit_key_id_is_unique_across_units(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let first = add_key(s, u.province, "unit-1", &[], T0).await;
    let again = s.add_unit_key(u.province, "unit-1", "pub", None, &[], T0.plus_millis(1)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let elsewhere =
        s.add_unit_key(u.elsewhere, "unit-1", "pub", None, &[], T0.plus_millis(1)).await;
    assert!(matches!(elsewhere, Err(StoreError::Conflict(_))), "{elsewhere:?}");
    // The failed rotation retired nothing.
    assert_eq!(s.current_unit_key(u.province).await.ok().flatten(), Some(first));
    assert_eq!(s.current_unit_key(u.elsewhere).await.ok().flatten(), None);
}

async fn key_copies_are_granted_by_upsert_and_must_name_existing_keys(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    let chief = staff(s, "canbo.truong").await;
    let nokey = staff(s, "canbo.moi").await;
    put_key(s, lan, "lan-1").await;
    put_key(s, chief, "chief-1").await;
    add_key(s, u.province, "unit-1", &[], T0).await;

    s.put_key_copies(&[copy("unit-1", lan, "lan-1")]).await.unwrap_or_else(|e| panic!("{e}"));
    let regrant = KeyCopy {
        wrapped: "{\"again\":true}".into(),
        granted_by: Some(chief),
        created_at: T0.plus_millis(5),
        ..copy("unit-1", lan, "lan-1")
    };
    s.put_key_copies(std::slice::from_ref(&regrant)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.key_copies(u.province).await.ok(), Some(vec![regrant.clone()]));

    for bad in [
        copy("unit-404", lan, "lan-1"),
        copy("unit-1", StaffId(9_999_999), "x"),
        copy("unit-1", nokey, "moi-1"),
        copy("unit-1", lan, "lan-0"),
    ] {
        // Each after a good copy: the batch is one transaction, so the good one goes too.
        let out = s.put_key_copies(&[copy("unit-1", chief, "chief-1"), bad.clone()]).await;
        assert!(matches!(out, Err(StoreError::MissingReference(_))), "{bad:?}: {out:?}");
    }
    assert_eq!(s.key_copies(u.province).await.ok(), Some(vec![regrant]));
    s.put_key_copies(&[]).await.unwrap_or_else(|e| panic!("{e}"));
}

async fn revoking_removes_only_that_officers_copies_of_that_units_keys(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    let minh = staff(s, "canbo.minh").await;
    put_key(s, lan, "lan-1").await;
    put_key(s, minh, "minh-1").await;
    add_key(s, u.province, "p-1", &[copy("p-1", lan, "lan-1"), copy("p-1", minh, "minh-1")], T0)
        .await;
    add_key(s, u.province, "p-2", &[copy("p-2", lan, "lan-1")], T0.plus_millis(1)).await;
    add_key(s, u.district, "d-1", &[copy("d-1", lan, "lan-1")], T0).await;

    assert_eq!(s.delete_key_copies(u.province, lan).await.ok(), Some(2), "current and retired");
    assert_eq!(holders(s, u.province).await, vec![("p-1".into(), minh, "minh-1".into())]);
    assert_eq!(holders(s, u.district).await, vec![("d-1".into(), lan, "lan-1".into())]);
    assert_eq!(s.delete_key_copies(u.province, lan).await.ok(), Some(0));
    assert_eq!(s.delete_key_copies(u.elsewhere, minh).await.ok(), Some(0));
}

async fn a_tip_sent_to_two_units_is_in_both_lists_and_no_other(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    // The primary unit named again further on receives it once, as primary.
    let id = create(s, &new_tip(&f, &[u.district, u.province, u.district], "r1", T0)).await;
    assert_eq!(listed(s, u.district, TipFilter::All, None, 10).await, vec![id]);
    assert_eq!(listed(s, u.province, TipFilter::All, None, 10).await, vec![id]);
    assert_eq!(listed(s, u.elsewhere, TipFilter::All, None, 10).await, vec![]);

    let tip = s.tip(id).await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("gone"));
    let sent = new_tip(&f, &[], "r1", T0);
    assert_eq!(tip.units, vec![u.district, u.province]);
    assert_eq!(
        (tip.envelope.as_str(), tip.receipt_hash.as_str()),
        (sent.envelope.as_str(), sent.receipt_hash.as_str())
    );
    assert_eq!(tip.citizen, None);
    assert_eq!(
        tip.attachments,
        vec![
            TipAttachment { index: 0, blob_key: "r1-0".into(), size: 65_552 },
            TipAttachment { index: 1, blob_key: "r1-1".into(), size: 40 },
        ]
    );
    let expected = TipSummary {
        id,
        account: f.account.id,
        category: "ma-tuy".into(),
        area: sent.area.clone(),
        occurred: "2025-06-01T21:30".into(),
        anonymous: true,
        status: TipStatus::Received,
        assignee: None,
        deadline_at: TipDeadlines::default().first(T0),
        closing: None,
        closed_at: None,
        created_at: T0,
        updated_at: T0,
        messages: 0,
        attachments: 2,
    };
    assert_eq!(tip.summary, expected);
    let page = s
        .tips_for_unit(u.province, TipFilter::All, None, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page, vec![expected]);
    assert_eq!(s.tip(TipId(id.0 + 1000)).await.ok(), Some(None));

    let identified = NewTip {
        anonymous: false,
        citizen: Some(f.citizen.id),
        attachments: vec![],
        ..new_tip(&f, &[u.elsewhere], "r2", T0)
    };
    let id = create(s, &identified).await;
    let tip = s.tip(id).await.ok().flatten().unwrap_or_else(|| panic!("gone"));
    assert_eq!(
        (tip.citizen, tip.summary.anonymous, tip.summary.attachments),
        (Some(f.citizen.id), false, 0)
    );
}

async fn a_unit_pages_its_tips_newest_first_by_id_and_filters_by_status(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let receipt = format!("r{n}");
        ids.push(create(s, &new_tip(&f, &[u.province], &receipt, T0.plus_millis(n))).await);
    }
    // Another unit's tips in between change nothing for this one.
    create(s, &new_tip(&f, &[u.elsewhere], "x", T0)).await;
    let newest: Vec<TipId> = ids.iter().rev().copied().collect();
    assert_eq!(listed(s, u.province, TipFilter::All, None, 2).await, newest[..2]);
    assert_eq!(listed(s, u.province, TipFilter::All, Some(newest[1]), 2).await, newest[2..4]);
    assert_eq!(listed(s, u.province, TipFilter::All, Some(newest[3]), 2).await, newest[4..]);
    assert_eq!(listed(s, u.province, TipFilter::All, Some(newest[4]), 2).await, vec![]);

    let officer = staff(s, "canbo.lan").await;
    let by = |unit, ms| CaseActor { unit, staff: officer, at: T0.plus_millis(ms) };
    for (id, ms) in [(ids[3], 100), (ids[1], 101)] {
        s.change_tip_status(
            id,
            TipStatus::Received,
            TipStatus::Verifying,
            None,
            by(u.province, ms),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let verifying = listed(s, u.province, TipFilter::Status(TipStatus::Verifying), None, 10).await;
    assert_eq!(verifying, vec![ids[3], ids[1]]);
    let received = listed(s, u.province, TipFilter::Status(TipStatus::Received), None, 2).await;
    assert_eq!(received, vec![ids[4], ids[2]]);
    let rest = listed(s, u.province, TipFilter::Status(TipStatus::Received), Some(ids[2]), 2).await;
    assert_eq!(rest, vec![ids[0]]);
    let tip = s.tip(ids[3]).await.ok().flatten().map(|t| (t.summary.status, t.summary.updated_at));
    assert_eq!(tip, Some((TipStatus::Verifying, T0.plus_millis(100))));
}

async fn a_receipt_finds_its_tip_and_nothing_else(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    create(s, &new_tip(&f, &[u.province], "r1", T0)).await;
    let id = create(s, &new_tip(&f, &[u.province], "r2", T0)).await;
    let found = s.tip_by_receipt("lookup-r2").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.as_ref().map(|t| t.summary.id), Some(id));
    assert_eq!(found, s.tip(id).await.ok().flatten());
    assert_eq!(s.tip_by_receipt("lookup-r3").await.ok(), Some(None));
    // A receipt names one tip: a second with the same lookup is refused.
    let twice = s.create_tip(&new_tip(&f, &[u.district], "r2", T0)).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
}

async fn messages_come_oldest_first_and_move_the_tip(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let officer = staff(s, "canbo.lan").await;
    let id = create(s, &new_tip(&f, &[u.province], "r1", T0)).await;
    let other = create(s, &new_tip(&f, &[u.province], "r2", T0)).await;
    let t1 = T0.plus_millis(1_000);
    let t2 = T0.plus_millis(2_000);
    let reply = s
        .add_tip_message(id, true, Some(officer), "{\"ct\":\"reply\"}", t1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (reply.tip, reply.from_unit, reply.staff, reply.sealed.as_str(), reply.created_at),
        (id, true, Some(officer), "{\"ct\":\"reply\"}", t1)
    );
    let more = s
        .add_tip_message(id, false, None, "{\"ct\":\"more\"}", t2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let all = s.tip_messages(id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all, vec![reply, more]);
    assert_eq!(s.tip_messages(other).await.ok(), Some(vec![]));

    let summary = s.tip(id).await.ok().flatten().map(|t| t.summary);
    assert_eq!(summary.map(|t| (t.messages, t.updated_at, t.created_at)), Some((2, t2, T0)));
    let page = s
        .tips_for_unit(u.province, TipFilter::All, None, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let counts: Vec<(TipId, i64)> = page.iter().map(|t| (t.id, t.messages)).collect();
    assert_eq!(counts, vec![(other, 0), (id, 2)]);

    let missing = s.add_tip_message(TipId(id.0 + 1000), false, None, "{}", t2).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    let ghost =
        s.add_tip_message(id, true, Some(StaffId(9_999_999)), "{}", t2.plus_millis(1)).await;
    assert!(matches!(ghost, Err(StoreError::MissingReference(_))), "{ghost:?}");
    let after = s.tip(id).await.ok().flatten().map(|t| (t.summary.messages, t.summary.updated_at));
    assert_eq!(after, Some((2, t2)), "a refused message moves nothing");
}

async fn status_changes_need_a_tip_and_the_badge_counts_received_ones(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let officer = staff(s, "canbo.lan").await;
    let by = CaseActor { unit: u.province, staff: officer, at: T0.plus_millis(1) };
    let missing = s
        .change_tip_status(TipId(9_999_999), TipStatus::Received, TipStatus::Verifying, None, by)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    assert_eq!(s.count_new_tips(u.province).await.ok(), Some(0));

    let a = create(s, &new_tip(&f, &[u.province, u.district], "r1", T0)).await;
    create(s, &new_tip(&f, &[u.province], "r2", T0)).await;
    create(s, &new_tip(&f, &[u.elsewhere], "r3", T0)).await;
    assert_eq!(s.count_new_tips(u.province).await.ok(), Some(2));
    assert_eq!(s.count_new_tips(u.district).await.ok(), Some(1));
    s.change_tip_status(a, TipStatus::Received, TipStatus::Verifying, None, by)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // One status for every unit the tip went to.
    assert_eq!(s.count_new_tips(u.province).await.ok(), Some(1));
    assert_eq!(s.count_new_tips(u.district).await.ok(), Some(0));
    assert_eq!(s.count_new_tips(u.elsewhere).await.ok(), Some(1));
}

async fn tip_settings_default_to_no_parent_copy_and_can_be_changed(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let default = s.tip_settings(u.district).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(default, TipSettings { agency: u.district, copy_parent: false });
    let on = TipSettings { agency: u.district, copy_parent: true };
    s.set_tip_settings(&on).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.tip_settings(u.district).await.ok(), Some(on));
    assert_eq!(s.tip_settings(u.province).await.ok().map(|t| t.copy_parent), Some(false));
    let off = TipSettings { agency: u.district, copy_parent: false };
    s.set_tip_settings(&off).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.tip_settings(u.district).await.ok(), Some(off));
    let ghost =
        s.set_tip_settings(&TipSettings { agency: AgencyId(9_999_999), copy_parent: true }).await;
    assert!(matches!(ghost, Err(StoreError::MissingReference(_))), "{ghost:?}");
}

async fn a_tip_to_an_unknown_unit_is_refused_and_leaves_nothing_behind(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let tip = new_tip(&f, &[u.province, AgencyId(9_999_999)], "r1", T0);
    let refused = s.create_tip(&tip).await;
    assert!(matches!(refused, Err(StoreError::MissingReference(_))), "{refused:?}");
    assert_eq!(listed(s, u.province, TipFilter::All, None, 10).await, vec![]);
    assert_eq!(s.count_new_tips(u.province).await.ok(), Some(0));
    assert_eq!(s.tip_by_receipt("lookup-r1").await.ok(), Some(None));
    let nowhere = s.create_tip(&new_tip(&f, &[], "r1", T0)).await;
    assert!(matches!(nowhere, Err(StoreError::MissingReference(_))), "{nowhere:?}");
    // The receipt was never taken: the same tip to real units goes in.
    let id = create(s, &NewTip { units: vec![u.province], ..tip }).await;
    assert_eq!(s.tip(id).await.ok().flatten().map(|t| t.summary.attachments), Some(2));
}

async fn an_anonymous_tip_can_never_name_a_citizen(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let tip = NewTip { citizen: Some(f.citizen.id), ..new_tip(&f, &[u.province], "r1", T0) };
    let refused = s.create_tip(&tip).await;
    // The caller broke the rule, not the citizen: ours to log, not theirs to read.
    assert!(refused.as_ref().is_err_and(|e| !e.is_user_fault()), "{refused:?}");
    assert_eq!(s.tip_by_receipt("lookup-r1").await.ok(), Some(None));
}

conformance!(
    an_officer_key_is_replaced_and_a_new_kid_takes_the_old_copies_along,
    a_new_unit_key_retires_the_current_one_and_brings_its_copies_at_once,
    a_unit_never_has_two_current_keys_even_when_rotated_twice_at_once,
    a_unit_key_id_is_unique_across_units,
    key_copies_are_granted_by_upsert_and_must_name_existing_keys,
    revoking_removes_only_that_officers_copies_of_that_units_keys,
    a_tip_sent_to_two_units_is_in_both_lists_and_no_other,
    a_unit_pages_its_tips_newest_first_by_id_and_filters_by_status,
    a_receipt_finds_its_tip_and_nothing_else,
    messages_come_oldest_first_and_move_the_tip,
    status_changes_need_a_tip_and_the_badge_counts_received_ones,
    tip_settings_default_to_no_parent_copy_and_can_be_changed,
    a_tip_to_an_unknown_unit_is_refused_and_leaves_nothing_behind,
    an_anonymous_tip_can_never_name_a_citizen,
);

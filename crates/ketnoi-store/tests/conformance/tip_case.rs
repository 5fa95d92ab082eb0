//! Tips as cases (issue 20): the workflow's compare-and-set, assignment, notes, extensions and
//! their second officer, transfers, overdue counts, and the history each step leaves.

use ketnoi_core::{ExtensionReason, StaffId, TipClosing, TipDeadlines};
use ketnoi_store::*;

use super::chat::fixture;
use super::tip::{T0, create, listed, new_tip, staff, units};

const DAY: i64 = 24 * 3600 * 1000;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

async fn summary(s: &dyn Store, id: TipId) -> TipSummary {
    ok(s.tip(id).await).unwrap_or_else(|| panic!("tip {id:?} gone")).summary
}

fn kinds(events: &[TipEvent]) -> Vec<TipEventKind> {
    events.iter().map(|e| e.kind).collect()
}

async fn a_status_moves_only_from_the_status_the_officer_saw(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    let id = create(s, &new_tip(&f, &[u.province], "r1", T0)).await;
    let by = |ms| CaseActor { unit: u.province, staff: lan, at: T0.plus_millis(ms) };

    ok(s.change_tip_status(id, TipStatus::Received, TipStatus::Verifying, None, by(1)).await);
    // A second officer who saw "received" too is refused, and nothing moves.
    let stale =
        s.change_tip_status(id, TipStatus::Received, TipStatus::Verifying, None, by(2)).await;
    assert!(matches!(stale, Err(StoreError::Conflict("tip status"))), "{stale:?}");
    ok(s.change_tip_status(id, TipStatus::Verifying, TipStatus::Handling, None, by(3)).await);
    let closing = Some(TipClosing::ActedOn);
    ok(s.change_tip_status(id, TipStatus::Handling, TipStatus::Closed, closing, by(4)).await);

    let t = summary(s, id).await;
    assert_eq!(
        (t.status, t.closing, t.closed_at, t.updated_at),
        (TipStatus::Closed, closing, Some(T0.plus_millis(4)), T0.plus_millis(4))
    );
    let events = ok(s.tip_events(id).await);
    assert_eq!(kinds(&events), vec![TipEventKind::Status; 3]);
    assert_eq!(events[2].detail["from"], "handling");
    assert_eq!(events[2].detail["closing"], "acted-on");
    assert_eq!((events[0].staff, events[0].agency), (Some(lan), Some(u.province)));
    assert_eq!(listed(s, u.province, TipFilter::Open, None, 10).await, vec![]);
}

async fn assignment_names_an_officer_and_filters_the_list(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    let minh = staff(s, "canbo.minh").await;
    let a = create(s, &new_tip(&f, &[u.province], "r1", T0)).await;
    let b = create(s, &new_tip(&f, &[u.province], "r2", T0)).await;
    let by = CaseActor { unit: u.province, staff: lan, at: T0.plus_millis(5) };
    ok(s.assign_tip(a, Some(minh), by).await);
    assert_eq!(summary(s, a).await.assignee, Some(minh));
    assert_eq!(listed(s, u.province, TipFilter::AssignedTo(minh), None, 10).await, vec![a]);
    assert_eq!(listed(s, u.province, TipFilter::AssignedTo(lan), None, 10).await, vec![]);
    ok(s.assign_tip(a, None, by).await);
    assert_eq!(summary(s, a).await.assignee, None);

    let ghost = s.assign_tip(b, Some(StaffId(9_999_999)), by).await;
    assert!(matches!(ghost, Err(StoreError::MissingReference(_))), "{ghost:?}");
    assert_eq!(ok(s.tip_events(b).await), vec![], "a refused assignment leaves no trace");
    let nowhere = s.assign_tip(TipId(9_999_999), Some(minh), by).await;
    assert!(matches!(nowhere, Err(StoreError::NotFound(_))), "{nowhere:?}");
    let events = ok(s.tip_events(a).await);
    assert_eq!(kinds(&events), vec![TipEventKind::Assigned; 2]);
    assert_eq!(events[0].detail["assignee"], minh.0);
    assert!(events[1].detail["assignee"].is_null());
}

async fn notes_are_kept_sealed_in_order(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    let id = create(s, &new_tip(&f, &[u.province], "r1", T0)).await;
    let by = |ms| CaseActor { unit: u.province, staff: lan, at: T0.plus_millis(ms) };
    let first = ok(s.add_tip_note(id, r#"{"nonce":"a","ct":"1"}"#, by(1)).await);
    let second = ok(s.add_tip_note(id, r#"{"nonce":"b","ct":"2"}"#, by(2)).await);
    assert_eq!(
        (first.staff, first.agency, first.sealed.as_str()),
        (Some(lan), Some(u.province), r#"{"nonce":"a","ct":"1"}"#)
    );
    assert_eq!(ok(s.tip_notes(id).await), vec![first, second]);
    let nowhere = s.add_tip_note(TipId(9_999_999), "{}", by(3)).await;
    assert!(matches!(nowhere, Err(StoreError::NotFound(_))), "{nowhere:?}");
}

async fn an_extension_needs_a_second_officer_and_moves_the_deadline(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    let minh = staff(s, "canbo.minh").await;
    let id = create(s, &new_tip(&f, &[u.province], "r1", T0)).await;
    let first = TipDeadlines::default().first(T0);
    assert_eq!(summary(s, id).await.deadline_at, first);
    let lan_at = |ms| CaseActor { unit: u.province, staff: lan, at: T0.plus_millis(ms) };
    let minh_at = |ms| CaseActor { unit: u.province, staff: minh, at: T0.plus_millis(ms) };

    let asked = ok(s.request_tip_extension(id, ExtensionReason::Complex, 30, lan_at(1)).await);
    assert_eq!(
        (asked.state, asked.days, asked.requested_by),
        (ExtensionState::Pending, 30, Some(lan))
    );
    let twice = s.request_tip_extension(id, ExtensionReason::SeveralPlaces, 10, minh_at(2)).await;
    assert!(matches!(twice, Err(StoreError::Conflict("extension"))), "{twice:?}");

    // The officer who asked cannot approve it.
    let own = s.decide_tip_extension(id, asked.id, true, lan_at(3)).await;
    assert!(matches!(own, Err(StoreError::Conflict("approver"))), "{own:?}");
    assert_eq!(summary(s, id).await.deadline_at, first);

    let approved = ok(s.decide_tip_extension(id, asked.id, true, minh_at(4)).await);
    assert_eq!(
        (approved.state, approved.decided_by, approved.decided_at),
        (ExtensionState::Approved, Some(minh), Some(T0.plus_millis(4)))
    );
    assert_eq!(summary(s, id).await.deadline_at.millis(), first.millis() + 30 * DAY);
    // Decided once: deciding again finds nothing pending.
    let again = s.decide_tip_extension(id, asked.id, false, minh_at(5)).await;
    assert!(matches!(again, Err(StoreError::NotFound(_))), "{again:?}");

    let next = ok(s.request_tip_extension(id, ExtensionReason::Procuracy, 60, minh_at(6)).await);
    let refused = ok(s.decide_tip_extension(id, next.id, false, lan_at(7)).await);
    assert_eq!(refused.state, ExtensionState::Refused);
    assert_eq!(summary(s, id).await.deadline_at.millis(), first.millis() + 30 * DAY);
    assert_eq!(ok(s.tip_extensions(id).await), vec![approved, refused]);
    let events = ok(s.tip_events(id).await);
    assert_eq!(
        kinds(&events),
        vec![
            TipEventKind::ExtensionRequested,
            TipEventKind::ExtensionApproved,
            TipEventKind::ExtensionRequested,
            TipEventKind::ExtensionRefused,
        ]
    );
    assert_eq!(events[1].detail["deadline_at"], first.millis() + 30 * DAY);
}

async fn overdue_cases_are_open_ones_past_their_deadline(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    let old = create(s, &new_tip(&f, &[u.province], "r1", T0)).await;
    let closed = create(s, &new_tip(&f, &[u.province], "r2", T0)).await;
    let fresh = create(s, &new_tip(&f, &[u.province], "r3", T0.plus_millis(15 * DAY))).await;
    let by = CaseActor { unit: u.province, staff: lan, at: T0.plus_millis(1) };
    ok(s.change_tip_status(closed, TipStatus::Received, TipStatus::Verifying, None, by).await);
    let dup = Some(TipClosing::Duplicate);
    ok(s.change_tip_status(closed, TipStatus::Verifying, TipStatus::Closed, dup, by).await);

    let day21 = T0.plus_millis(21 * DAY);
    assert_eq!(ok(s.count_overdue_tips(u.province, day21).await), 1);
    assert_eq!(listed(s, u.province, TipFilter::Overdue(day21), None, 10).await, vec![old]);
    assert!(summary(s, old).await.overdue(day21));
    assert!(!summary(s, fresh).await.overdue(day21));
    assert!(!summary(s, closed).await.overdue(day21));
    assert_eq!(ok(s.count_overdue_tips(u.province, T0).await), 0);
    assert_eq!(ok(s.count_overdue_tips(u.district, day21).await), 0);
}

async fn a_transfer_moves_the_tip_and_its_envelope_in_one_step(s: &dyn Store) {
    let f = fixture(s).await;
    let u = units(s, &f).await;
    let lan = staff(s, "canbo.lan").await;
    let id = create(s, &new_tip(&f, &[u.district], "r1", T0)).await;
    let by = |unit, ms| CaseActor { unit, staff: lan, at: T0.plus_millis(ms) };
    ok(s.assign_tip(id, Some(lan), by(u.district, 1)).await);

    // Sent up to the province, the district keeping access.
    let up =
        TipTransfer { tip: id, to: u.province, keep: true, envelope: "{\"v\":1,\"n\":2}".into() };
    ok(s.transfer_tip(&up, by(u.district, 2)).await);
    let tip = ok(s.tip(id).await).unwrap_or_else(|| panic!("gone"));
    assert_eq!(tip.units, vec![u.district, u.province]);
    assert_eq!(tip.envelope, "{\"v\":1,\"n\":2}");
    assert_eq!(tip.summary.assignee, None, "the receiving unit assigns its own officer");
    // Again to the same unit: refused, nothing changed.
    let twice = s
        .transfer_tip(&TipTransfer { envelope: "{}".into(), ..up.clone() }, by(u.district, 3))
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    assert_eq!(ok(s.tip(id).await).map(|t| t.envelope), Some("{\"v\":1,\"n\":2}".into()));

    // The province passes it elsewhere and lets go.
    let away =
        TipTransfer { tip: id, to: u.elsewhere, keep: false, envelope: "{\"v\":1,\"n\":3}".into() };
    ok(s.transfer_tip(&away, by(u.province, 4)).await);
    let tip = ok(s.tip(id).await).unwrap_or_else(|| panic!("gone"));
    assert_eq!(tip.units, vec![u.district, u.elsewhere]);
    assert_eq!(listed(s, u.province, TipFilter::All, None, 10).await, vec![]);
    assert_eq!(listed(s, u.elsewhere, TipFilter::All, None, 10).await, vec![id]);

    // A unit that does not hold the tip cannot send it anywhere.
    let stranger = TipTransfer { tip: id, to: u.province, keep: false, envelope: "{}".into() };
    let refused = s.transfer_tip(&stranger, by(u.province, 5)).await;
    assert!(matches!(refused, Err(StoreError::NotFound(_))), "{refused:?}");
    let ghost = TipTransfer { to: ketnoi_core::AgencyId(9_999_999), ..stranger };
    let refused = s.transfer_tip(&ghost, by(u.elsewhere, 6)).await;
    assert!(matches!(refused, Err(StoreError::MissingReference(_))), "{refused:?}");

    let events = ok(s.tip_events(id).await);
    let moves: Vec<_> = events
        .iter()
        .filter(|e| e.kind == TipEventKind::Transferred)
        .map(|e| (e.agency, e.detail["to_unit"].as_i64(), e.detail["kept"].as_bool()))
        .collect();
    assert_eq!(
        moves,
        vec![
            (Some(u.district), Some(u.province.0), Some(true)),
            (Some(u.province), Some(u.elsewhere.0), Some(false)),
        ]
    );
}

conformance!(
    a_status_moves_only_from_the_status_the_officer_saw,
    assignment_names_an_officer_and_filters_the_list,
    notes_are_kept_sealed_in_order,
    an_extension_needs_a_second_officer_and_moves_the_deadline,
    overdue_cases_are_open_ones_past_their_deadline,
    a_transfer_moves_the_tip_and_its_envelope_in_one_step,
);

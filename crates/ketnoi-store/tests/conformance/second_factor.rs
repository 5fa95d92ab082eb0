//! Two-factor sign-in for staff (issue 20): enrolment confirms once, a time step is accepted once
//! (also when two uses race), recovery codes work once, and an agency's "required for all staff"
//! reaches the agencies below it.

use ketnoi_core::{AgencyId, DisplayName, NewStaff, Role, StaffId, Timestamp, Username};
use ketnoi_store::*;

use super::{agency, seed_areas};

async fn member(s: &dyn Store, name: &str) -> StaffId {
    let new = NewStaff {
        username: Username::parse(name).unwrap_or_else(|e| panic!("{e}")),
        display_name: DisplayName::parse("Cán bộ thử").unwrap_or_else(|e| panic!("{e}")),
        password_hash: "$argon2id$fake".to_owned(),
        platform_admin: false,
    };
    s.create_staff(&new).await.unwrap_or_else(|e| panic!("{e}")).id
}

fn hashes(prefix: &str) -> Vec<String> {
    (0..10).map(|i| format!("{prefix}-{i}")).collect()
}

async fn an_enrolment_is_confirmed_once_and_a_confirmed_secret_is_never_replaced(s: &dyn Store) {
    seed_areas(s).await;
    let lan = member(s, "canbo.lan").await;
    let now = Timestamp::now();
    assert_eq!(s.second_factor(lan).await.ok(), Some(None));
    assert_eq!(s.begin_second_factor(lan, "wrapped-1", now).await.ok(), Some(true));
    assert_eq!(s.begin_second_factor(lan, "wrapped-2", now).await.ok(), Some(true), "restart");
    let pending = s.second_factor(lan).await.ok().flatten();
    assert_eq!(pending.as_ref().map(|f| f.secret_wrapped.as_str()), Some("wrapped-2"));
    assert_eq!(pending.and_then(|f| f.confirmed_at), None);
    // Nothing confirmed yet: a step is not accepted.
    assert_eq!(s.accept_second_factor_step(lan, 100).await.ok(), Some(false));

    assert_eq!(s.confirm_second_factor(lan, 100, &hashes("a"), now).await.ok(), Some(true));
    assert_eq!(s.confirm_second_factor(lan, 101, &hashes("b"), now).await.ok(), Some(false));
    let confirmed = s.second_factor(lan).await.ok().flatten();
    assert_eq!(confirmed.as_ref().map(|f| (f.last_step, f.confirmed_at)), Some((100, Some(now))));
    assert_eq!(s.recovery_codes_left(lan).await.ok(), Some(10));
    // A confirmed secret is not overwritten by a new enrolment.
    assert_eq!(s.begin_second_factor(lan, "wrapped-3", now).await.ok(), Some(false));
    let kept = s.second_factor(lan).await.ok().flatten().map(|f| f.secret_wrapped);
    assert_eq!(kept.as_deref(), Some("wrapped-2"));

    assert_eq!(s.delete_second_factor(lan).await.ok(), Some(true));
    assert_eq!(s.second_factor(lan).await.ok(), Some(None));
    assert_eq!(s.recovery_codes_left(lan).await.ok(), Some(0));
    assert_eq!(s.delete_second_factor(lan).await.ok(), Some(false));
}

async fn a_time_step_is_accepted_once_even_when_two_uses_race(s: &dyn Store) {
    seed_areas(s).await;
    let lan = member(s, "canbo.lan").await;
    let now = Timestamp::now();
    s.begin_second_factor(lan, "w", now).await.unwrap_or_else(|e| panic!("{e}"));
    s.confirm_second_factor(lan, 100, &hashes("a"), now).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.accept_second_factor_step(lan, 100).await.ok(), Some(false), "the same step");
    assert_eq!(s.accept_second_factor_step(lan, 99).await.ok(), Some(false), "an older step");
    for step in 101..111 {
        let (a, b) = tokio::join!(
            s.accept_second_factor_step(lan, step),
            s.accept_second_factor_step(lan, step)
        );
        let passed = [a, b].into_iter().filter(|r| matches!(r, Ok(true))).count();
        assert_eq!(passed, 1, "step {step}: exactly one of two racing uses passes");
    }
    let last = s.second_factor(lan).await.ok().flatten().map(|f| f.last_step);
    assert_eq!(last, Some(110));
}

async fn a_recovery_code_works_once_and_a_wrong_one_changes_nothing(s: &dyn Store) {
    seed_areas(s).await;
    let lan = member(s, "canbo.lan").await;
    let binh = member(s, "canbo.binh").await;
    let now = Timestamp::now();
    s.begin_second_factor(lan, "w", now).await.unwrap_or_else(|e| panic!("{e}"));
    s.confirm_second_factor(lan, 1, &hashes("a"), now).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.use_recovery_code(lan, "wrong", now).await.ok(), Some(false));
    assert_eq!(s.use_recovery_code(binh, "a-3", now).await.ok(), Some(false), "not binh's");
    assert_eq!(s.recovery_codes_left(lan).await.ok(), Some(10));
    let (x, y) =
        tokio::join!(s.use_recovery_code(lan, "a-3", now), s.use_recovery_code(lan, "a-3", now));
    assert_eq!([x, y].into_iter().filter(|r| matches!(r, Ok(true))).count(), 1);
    assert_eq!(s.use_recovery_code(lan, "a-3", now).await.ok(), Some(false), "used");
    assert_eq!(s.recovery_codes_left(lan).await.ok(), Some(9));
    s.replace_recovery_codes(lan, &hashes("b")).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.recovery_codes_left(lan).await.ok(), Some(10));
    assert_eq!(s.use_recovery_code(lan, "a-4", now).await.ok(), Some(false), "old codes gone");
    assert_eq!(s.use_recovery_code(lan, "b-4", now).await.ok(), Some(true));
}

async fn an_agency_requiring_a_second_factor_binds_the_staff_below_it(s: &dyn Store) {
    seed_areas(s).await;
    let province = agency(s, "ca-ha-giang", "Công an tỉnh Hà Giang", "02", None).await;
    let district = agency(s, "ca-vi-xuyen", "Công an huyện Vị Xuyên", "002", Some(province)).await;
    let other: AgencyId = agency(s, "ca-ha-noi", "Công an Hà Nội", "01", None).await;
    let lan = member(s, "canbo.lan").await;
    let binh = member(s, "canbo.binh").await;
    s.grant_role(lan, district, Role::Viewer).await.unwrap_or_else(|e| panic!("{e}"));
    s.grant_role(binh, other, Role::Viewer).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.second_factor_required(province).await.ok(), Some(false), "off by default");
    assert_eq!(s.second_factor_required_for(lan).await.ok(), Some(false));
    let now = Timestamp::now();
    s.set_second_factor_required(province, true, now).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.second_factor_required(province).await.ok(), Some(true));
    assert_eq!(s.second_factor_required_for(lan).await.ok(), Some(true), "below the province");
    assert_eq!(s.second_factor_required_for(binh).await.ok(), Some(false), "elsewhere");
    s.set_second_factor_required(province, false, now).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.second_factor_required_for(lan).await.ok(), Some(false));
    assert!(matches!(
        s.set_second_factor_required(AgencyId(9999), true, now).await,
        Err(StoreError::MissingReference(_))
    ));
    assert_eq!(s.holds_tip_key(lan).await.ok(), Some(false));
}

async fn ending_a_members_sessions_keeps_the_one_named(s: &dyn Store) {
    seed_areas(s).await;
    let lan = member(s, "canbo.lan").await;
    let binh = member(s, "canbo.binh").await;
    let now = Timestamp::now();
    for (hash, who) in [("h1", lan), ("h2", lan), ("h3", lan), ("h4", binh)] {
        let new = NewSession {
            token_hash: hash.to_owned(),
            subject: Subject::Staff(who),
            kind: SessionKind::Cookie,
            label: String::new(),
            created_at: now,
            expires_at: None,
        };
        s.create_session(&new).await.unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(s.end_staff_sessions(lan, Some("h2")).await.ok(), Some(2));
    assert!(s.session("h1", now).await.ok().flatten().is_none());
    assert!(s.session("h2", now).await.ok().flatten().is_some());
    assert!(s.session("h4", now).await.ok().flatten().is_some(), "another member's stays");
}

conformance!(
    an_enrolment_is_confirmed_once_and_a_confirmed_secret_is_never_replaced,
    a_time_step_is_accepted_once_even_when_two_uses_race,
    a_recovery_code_works_once_and_a_wrong_one_changes_nothing,
    an_agency_requiring_a_second_factor_binds_the_staff_below_it,
    ending_a_members_sessions_keeps_the_one_named,
);

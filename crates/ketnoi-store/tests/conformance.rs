//! The storage conformance suite: every test here runs against SQLite and against PostgreSQL.
//!
//! PostgreSQL runs when `KETNOI_TEST_POSTGRES_URL` is set; each test then gets a schema of its
//! own, dropped afterwards. Without the variable the PostgreSQL half is skipped, unless `CI=true`,
//! where a missing PostgreSQL fails the run.

use ketnoi_core::{
    AccountKind, AgencyCode, AgencyId, AgencyKind, Area, AreaCode, CitizenId, DisplayName,
    NewAccount, NewAgency, NewStaff, Phone, Role, Slug, Timestamp, Username,
};
use ketnoi_store::*;

fn area(code: &str, name: &str, level: &str, parent: &str) -> Area {
    Area::parse(code, name, level, "", parent).unwrap_or_else(|e| panic!("{code}: {e}"))
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

/// Hà Giang → Vị Xuyên → Đạo Đức, and Hà Nội → Ba Đình beside it; children listed first.
async fn seed_areas(s: &dyn Store) {
    let areas = [
        area("00001", "Xã Đạo Đức", "commune", "002"),
        area("002", "Huyện Vị Xuyên", "district", "02"),
        area("02", "Tỉnh Hà Giang", "province", "VN"),
        area("00004", "Phường Ba Đình", "commune", "01"),
        area("01", "Thành phố Hà Nội", "province", "VN"),
        area("VN", "Việt Nam", "country", ""),
    ];
    assert_eq!(s.upsert_areas(&areas).await.unwrap_or_else(|e| panic!("{e}")), 6);
}

async fn agency(
    s: &dyn Store,
    code: &str,
    name: &str,
    area: &str,
    parent: Option<AgencyId>,
) -> AgencyId {
    let new = NewAgency::new(
        AgencyCode::parse(code).unwrap_or_else(|e| panic!("{e}")),
        name,
        AgencyKind::Police,
        self::code(area),
        parent,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    s.create_agency(&new).await.unwrap_or_else(|e| panic!("{e}")).id
}

async fn account(
    s: &dyn Store,
    slug: &str,
    name: &str,
    agency: AgencyId,
    area: &str,
) -> ketnoi_core::Account {
    let new = NewAccount::new(
        self::slug(slug),
        agency,
        name,
        "",
        AccountKind::Police,
        code(area),
        "Thứ Hai–Thứ Sáu",
        "0219 3826 123",
        "",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    s.create_account(&new).await.unwrap_or_else(|e| panic!("{e}"))
}

async fn areas_upsert_accepts_children_before_parents_and_walks_the_tree(s: &dyn Store) {
    seed_areas(s).await;
    assert_eq!(s.area_count().await.ok(), Some(6));
    let roots = s.area_children(None).await.unwrap_or_default();
    assert_eq!(roots.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(), vec!["VN"]);
    let provinces = s.area_children(Some(&code("VN"))).await.unwrap_or_default();
    assert_eq!(provinces.len(), 2);
    let up = s.area_ancestry(&code("00001")).await.unwrap_or_default();
    assert_eq!(
        up.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(),
        vec!["00001", "002", "02", "VN"]
    );
    // Upserting again renames rather than duplicating.
    s.upsert_areas(&[area("002", "Thị xã Vị Xuyên", "district", "02")]).await.ok();
    let renamed = s.area(&code("002")).await.ok().flatten().map(|a| a.name);
    assert_eq!(renamed.as_deref(), Some("Thị xã Vị Xuyên"));
    assert_eq!(s.area_count().await.ok(), Some(6));
}

async fn an_area_batch_with_a_missing_parent_changes_nothing(s: &dyn Store) {
    seed_areas(s).await;
    let batch =
        [area("00099", "Xã Mới", "commune", "02"), area("00098", "Xã Lạc", "commune", "77")];
    let err = s.upsert_areas(&batch).await.err();
    assert!(matches!(err, Some(StoreError::MissingReference(_))), "{err:?}");
    assert_eq!(s.area_count().await.ok(), Some(6));
    assert!(s.area(&code("00099")).await.ok().flatten().is_none());
}

async fn agencies_form_a_tree_and_codes_are_unique(s: &dyn Store) {
    seed_areas(s).await;
    let province = agency(s, "ca-ha-giang", "Công an tỉnh Hà Giang", "02", None).await;
    let district = agency(s, "ca-vi-xuyen", "Công an huyện Vị Xuyên", "002", Some(province)).await;
    let commune = agency(s, "ca-dao-duc", "Công an xã Đạo Đức", "00001", Some(district)).await;
    assert_eq!(s.agency_ancestry(commune).await.ok(), Some(vec![commune, district, province]));
    let below: Vec<AgencyId> =
        s.agency_subtree(district).await.unwrap_or_default().iter().map(|a| a.id).collect();
    assert_eq!(below, vec![district, commune]);
    assert_eq!(s.agencies().await.map(|a| a.len()).ok(), Some(3));

    let dup = NewAgency::new(
        AgencyCode::parse("ca-ha-giang").unwrap_or_else(|e| panic!("{e}")),
        "Trùng",
        AgencyKind::Other,
        code("02"),
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(s.create_agency(&dup).await, Err(StoreError::Conflict(_))));
    let orphan = NewAgency { parent: Some(AgencyId(9999)), ..dup.clone() };
    let orphan =
        NewAgency { code: AgencyCode::parse("mo-coi").unwrap_or_else(|e| panic!("{e}")), ..orphan };
    assert!(matches!(s.create_agency(&orphan).await, Err(StoreError::MissingReference(_))));
    let nowhere = NewAgency { area: code("999"), parent: None, ..orphan };
    assert!(matches!(s.create_agency(&nowhere).await, Err(StoreError::MissingReference(_))));
}

async fn directory_finds_names_without_diacritics_within_an_area_subtree(s: &dyn Store) {
    seed_areas(s).await;
    let province = agency(s, "ca-ha-giang", "Công an tỉnh Hà Giang", "02", None).await;
    let district = agency(s, "ca-vi-xuyen", "Công an huyện Vị Xuyên", "002", Some(province)).await;
    account(s, "ca-ha-giang", "Công an tỉnh Hà Giang", province, "02").await;
    account(s, "ca-vi-xuyen", "Công an huyện Vị Xuyên", district, "002").await;
    account(s, "ca-dao-duc", "Công an xã Đạo Đức", district, "00001").await;
    let hanoi = agency(s, "ca-ba-dinh", "Công an phường Ba Đình", "00004", None).await;
    account(s, "ca-ba-dinh", "Công an phường Ba Đình", hanoi, "00004").await;

    let search = |text: &str, area: Option<&str>| DirectoryQuery {
        text: Some(text.to_owned()),
        area: area.map(code),
        limit: 20,
        ..Default::default()
    };
    let slugs = |page: DirectoryPage| {
        page.accounts.iter().map(|a| a.slug.as_str().to_owned()).collect::<Vec<_>>()
    };

    let found = slugs(
        s.search_accounts(&search("cong an vi xuyen", None))
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(found, vec!["ca-vi-xuyen"]);
    // The area's name is part of what an account is found by.
    let by_area = slugs(
        s.search_accounts(&search("phuong ba dinh", None)).await.unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(by_area, vec!["ca-ba-dinh"]);

    let in_province = slugs(
        s.search_accounts(&search("cong an", Some("02"))).await.unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(in_province.len(), 3, "{in_province:?}");
    let in_district =
        slugs(s.search_accounts(&search("", Some("002"))).await.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(in_district.len(), 2, "{in_district:?}");
    let accented =
        slugs(s.search_accounts(&search("ĐẠO ĐỨC", None)).await.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(accented, vec!["ca-dao-duc"]);
    // A word must start a word: "uc" is inside "Đức" but begins nothing.
    let inside =
        slugs(s.search_accounts(&search("uc", None)).await.unwrap_or_else(|e| panic!("{e}")));
    assert!(inside.is_empty(), "{inside:?}");

    let page = s
        .search_accounts(&DirectoryQuery { limit: 2, ..Default::default() })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((page.accounts.len(), page.has_more), (2, true));
    let last = s
        .search_accounts(&DirectoryQuery { limit: 2, offset: 2, ..Default::default() })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((last.accounts.len(), last.has_more), (2, false));
}

async fn account_slugs_are_unique_and_verification_is_stored(s: &dyn Store) {
    seed_areas(s).await;
    let a = agency(s, "ca-ha-giang", "Công an tỉnh Hà Giang", "02", None).await;
    let acc = account(s, "ca-ha-giang", "Công an tỉnh Hà Giang", a, "02").await;
    assert!(!acc.verified);
    let again = NewAccount::new(
        slug("ca-ha-giang"),
        a,
        "Khác",
        "",
        AccountKind::Other,
        code("02"),
        "",
        "",
        "",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(s.create_account(&again).await, Err(StoreError::Conflict(_))));
    s.set_account_verified(acc.id, true).await.unwrap_or_else(|e| panic!("{e}"));
    let verified = s.account_by_slug(&slug("ca-ha-giang")).await.ok().flatten().map(|a| a.verified);
    assert_eq!(verified, Some(true));
    assert!(matches!(
        s.set_account_verified(ketnoi_core::AccountId(4242), true).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(s.accounts_of_agencies(&[a]).await.map(|v| v.len()).ok(), Some(1));
}

async fn following_is_idempotent_and_counts_followers(s: &dyn Store) {
    seed_areas(s).await;
    let a = agency(s, "ca-ha-giang", "Công an tỉnh Hà Giang", "02", None).await;
    let acc = account(s, "ca-ha-giang", "Công an tỉnh Hà Giang", a, "02").await;
    let now = Timestamp::now();
    let lan =
        s.citizen_for_phone(&phone("0912345678"), now).await.unwrap_or_else(|e| panic!("{e}"));
    let minh =
        s.citizen_for_phone(&phone("0987654321"), now).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.follow(lan.id, acc.id, now).await.ok(), Some(true));
    assert_eq!(s.follow(lan.id, acc.id, now).await.ok(), Some(false));
    assert_eq!(s.follow(minh.id, acc.id, now).await.ok(), Some(true));
    assert_eq!(followers(s, acc.id).await, Some(2));
    assert_eq!(s.is_following(lan.id, acc.id).await.ok(), Some(true));
    assert_eq!(s.followed_accounts(lan.id).await.map(|v| v.len()).ok(), Some(1));
    assert_eq!(s.unfollow(lan.id, acc.id).await.ok(), Some(true));
    assert_eq!(s.unfollow(lan.id, acc.id).await.ok(), Some(false));
    assert_eq!(followers(s, acc.id).await, Some(1));
    assert_eq!(s.is_following(lan.id, acc.id).await.ok(), Some(false));
    let ghost = s.follow(lan.id, ketnoi_core::AccountId(777), now).await;
    assert!(matches!(ghost, Err(StoreError::MissingReference(_))), "{ghost:?}");
    assert_eq!(followers(s, acc.id).await, Some(1));
}

async fn followers(s: &dyn Store, id: ketnoi_core::AccountId) -> Option<i64> {
    s.account(id).await.ok().flatten().map(|a| a.follower_count)
}

fn phone(s: &str) -> Phone {
    Phone::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

async fn a_phone_is_one_citizen(s: &dyn Store) {
    let now = Timestamp::now();
    let first =
        s.citizen_for_phone(&phone("0912345678"), now).await.unwrap_or_else(|e| panic!("{e}"));
    let again =
        s.citizen_for_phone(&phone("+84 912 345 678"), now).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.id, again.id);
    assert_eq!(s.citizen_count().await.ok(), Some(1));
    assert_eq!(
        s.citizen(first.id).await.ok().flatten().map(|c| c.phone),
        Some(phone("0912345678"))
    );
    assert!(s.citizen(CitizenId(first.id.0 + 100)).await.ok().flatten().is_none());
}

async fn staff_usernames_are_unique_and_roles_replace(s: &dyn Store) {
    seed_areas(s).await;
    let a = agency(s, "ca-ha-giang", "Công an tỉnh Hà Giang", "02", None).await;
    let b = agency(s, "ca-vi-xuyen", "Công an huyện Vị Xuyên", "002", Some(a)).await;
    let new = NewStaff {
        username: Username::parse("canbo.lan").unwrap_or_else(|e| panic!("{e}")),
        display_name: DisplayName::parse("Nguyễn Thị Lan").unwrap_or_else(|e| panic!("{e}")),
        password_hash: "$argon2id$fake".to_owned(),
        platform_admin: false,
    };
    let lan = s.create_staff(&new).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(s.create_staff(&new).await, Err(StoreError::Conflict(_))));
    let (found, hash) = s
        .staff_by_username(&new.username)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("missing"));
    assert_eq!((found.id, hash.as_str()), (lan.id, "$argon2id$fake"));
    s.grant_role(lan.id, a, Role::Viewer).await.unwrap_or_else(|e| panic!("{e}"));
    s.grant_role(lan.id, a, Role::Administrator).await.unwrap_or_else(|e| panic!("{e}"));
    s.grant_role(lan.id, b, Role::Officer).await.unwrap_or_else(|e| panic!("{e}"));
    let roles: Vec<(AgencyId, Role)> =
        s.grants(lan.id).await.unwrap_or_default().iter().map(|g| (g.agency, g.role)).collect();
    assert_eq!(roles, vec![(a, Role::Administrator), (b, Role::Officer)]);
    let on_b: Vec<(String, Role)> = s
        .agency_staff(b)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|(m, r)| (m.username.to_string(), r))
        .collect();
    assert_eq!(on_b, vec![(new.username.to_string(), Role::Officer)]);
    assert_eq!(s.revoke_role(lan.id, b).await.ok(), Some(true));
    assert!(s.agency_staff(b).await.unwrap_or_else(|e| panic!("{e}")).is_empty());
    assert_eq!(s.revoke_role(lan.id, b).await.ok(), Some(false));
    let bad = s.grant_role(lan.id, AgencyId(999), Role::Officer).await;
    assert!(matches!(bad, Err(StoreError::MissingReference(_))), "{bad:?}");
}

async fn a_one_time_code_is_single_use_expires_and_dies_after_five_wrong_tries(s: &dyn Store) {
    let p = phone("0912345678");
    let t0 = Timestamp(1_000_000);
    let ttl = t0.plus_millis(300_000);
    assert_eq!(s.check_otp(&p, "h1", t0, 5).await.ok(), Some(OtpOutcome::Missing));
    s.put_otp(&p, "h1", t0, ttl).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.check_otp(&p, "h1", t0.plus_millis(1000), 5).await.ok(),
        Some(OtpOutcome::Accepted)
    );
    assert_eq!(
        s.check_otp(&p, "h1", t0.plus_millis(2000), 5).await.ok(),
        Some(OtpOutcome::Missing)
    );

    s.put_otp(&p, "h2", t0, ttl).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.check_otp(&p, "h2", ttl, 5).await.ok(), Some(OtpOutcome::Expired));

    s.put_otp(&p, "h3", t0, ttl).await.unwrap_or_else(|e| panic!("{e}"));
    for remaining in (1..5).rev() {
        assert_eq!(s.check_otp(&p, "bad", t0, 5).await.ok(), Some(OtpOutcome::Wrong { remaining }));
    }
    assert_eq!(s.check_otp(&p, "bad", t0, 5).await.ok(), Some(OtpOutcome::Locked));
    // Dead: even the right code no longer works.
    assert_eq!(s.check_otp(&p, "h3", t0, 5).await.ok(), Some(OtpOutcome::Locked));
    // A new request starts afresh.
    s.put_otp(&p, "h4", t0, ttl).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.check_otp(&p, "h4", t0, 5).await.ok(), Some(OtpOutcome::Accepted));
}

async fn sessions_expire_and_can_be_ended(s: &dyn Store) {
    let t0 = Timestamp(5_000_000);
    let new = NewSession {
        token_hash: "abc".to_owned(),
        subject: Subject::Citizen(CitizenId(7)),
        kind: SessionKind::Cookie,
        label: "test".to_owned(),
        created_at: t0,
        expires_at: Some(t0.plus_millis(1000)),
    };
    s.create_session(&new).await.unwrap_or_else(|e| panic!("{e}"));
    let api = NewSession {
        token_hash: "def".to_owned(),
        subject: Subject::Account(ketnoi_core::AccountId(3)),
        kind: SessionKind::Api,
        expires_at: None,
        ..new.clone()
    };
    s.create_session(&api).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(s.create_session(&new).await, Err(StoreError::Conflict(_))));
    let live = s.session("abc", t0).await.ok().flatten().map(|x| x.subject);
    assert_eq!(live, Some(Subject::Citizen(CitizenId(7))));
    assert!(s.session("abc", t0.plus_millis(1000)).await.ok().flatten().is_none());
    let forever = s.session("def", Timestamp(i64::MAX / 2)).await.ok().flatten();
    assert_eq!(forever.map(|x| (x.subject, x.kind)), Some((api.subject, SessionKind::Api)));
    assert_eq!(s.purge_expired(t0.plus_millis(5000)).await.ok(), Some(1));
    assert_eq!(s.delete_session("def").await.ok(), Some(true));
    assert_eq!(s.delete_session("def").await.ok(), Some(false));
}

fn job(queue: &str, run_at: Timestamp, max_attempts: i64) -> NewJob {
    NewJob { queue: queue.to_owned(), payload: serde_json::json!({"n": 1}), run_at, max_attempts }
}

async fn jobs_lease_once_run_at_their_time_and_complete_with_their_attempt(s: &dyn Store) {
    let t0 = Timestamp(10_000_000);
    let later = s
        .enqueue(&job("webhook", t0.plus_millis(60_000), 3))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let now = s.enqueue(&job("webhook", t0, 3)).await.unwrap_or_else(|e| panic!("{e}"));
    s.enqueue(&job("other", t0, 3)).await.unwrap_or_else(|e| panic!("{e}"));

    let leased = s
        .lease("webhook", t0, 30_000)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("nothing leased"));
    assert_eq!((leased.id, leased.attempt, leased.state), (now, 1, JobState::Leased));
    assert_eq!(leased.payload, serde_json::json!({"n": 1}));
    // The other is not due yet, and the leased one is held.
    assert!(s.lease("webhook", t0, 30_000).await.ok().flatten().is_none());
    assert_eq!(s.complete(now, 2).await.ok(), Some(false), "a stale attempt may not complete");
    assert_eq!(s.complete(now, 1).await.ok(), Some(true));
    assert_eq!(s.complete(now, 1).await.ok(), Some(false));
    let due = s.lease("webhook", t0.plus_millis(60_000), 30_000).await.ok().flatten().map(|j| j.id);
    assert_eq!(due, Some(later));
}

async fn an_expired_lease_is_taken_again_and_fences_the_first_worker(s: &dyn Store) {
    let t0 = Timestamp(20_000_000);
    let id = s.enqueue(&job("q", t0, 5)).await.unwrap_or_else(|e| panic!("{e}"));
    let first = s.lease("q", t0, 1000).await.ok().flatten().map(|j| j.attempt);
    assert_eq!(first, Some(1));
    let second = s.lease("q", t0.plus_millis(1000), 1000).await.ok().flatten().map(|j| j.attempt);
    assert_eq!(second, Some(2));
    assert_eq!(s.complete(id, 1).await.ok(), Some(false));
    assert_eq!(s.fail(id, 1, "late", t0, t0).await.ok(), Some(None));
    assert_eq!(s.complete(id, 2).await.ok(), Some(true));
}

async fn failing_every_attempt_dead_letters_a_job_that_can_be_retried(s: &dyn Store) {
    let t0 = Timestamp(30_000_000);
    let id = s.enqueue(&job("q", t0, 2)).await.unwrap_or_else(|e| panic!("{e}"));
    let a1 = s.lease("q", t0, 1000).await.ok().flatten().map(|j| j.attempt).unwrap_or_default();
    let retry_at = t0.plus_millis(5000);
    assert_eq!(
        s.fail(id, a1, "503 from gateway", retry_at, t0).await.ok(),
        Some(Some(JobState::Ready))
    );
    assert!(s.lease("q", t0.plus_millis(4999), 1000).await.ok().flatten().is_none(), "retry waits");
    let a2 =
        s.lease("q", retry_at, 1000).await.ok().flatten().map(|j| j.attempt).unwrap_or_default();
    assert_eq!(a2, 2);
    assert_eq!(
        s.fail(id, a2, "timeout", retry_at, retry_at).await.ok(),
        Some(Some(JobState::Dead))
    );
    assert!(s.lease("q", retry_at.plus_millis(100_000), 1000).await.ok().flatten().is_none());
    let dead = s.dead_jobs("q", 10).await.unwrap_or_default();
    assert_eq!(
        dead.iter().map(|j| (j.id, j.last_error.clone())).collect::<Vec<_>>(),
        vec![(id, Some("timeout".to_owned()))]
    );
    assert_eq!(s.retry_dead(id, retry_at).await.ok(), Some(true));
    assert_eq!(s.retry_dead(id, retry_at).await.ok(), Some(false));
    let again = s.lease("q", retry_at, 1000).await.ok().flatten().map(|j| j.attempt);
    assert_eq!(again, Some(1));
}

async fn a_worker_dying_on_the_last_attempt_dead_letters_the_job(s: &dyn Store) {
    let t0 = Timestamp(40_000_000);
    let id = s.enqueue(&job("q", t0, 1)).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(s.lease("q", t0, 1000).await.ok().flatten().is_some());
    assert!(s.lease("q", t0.plus_millis(2000), 1000).await.ok().flatten().is_none());
    let state = s.job(id).await.ok().flatten().map(|j| j.state);
    assert_eq!(state, Some(JobState::Dead));
}

async fn ping_answers(s: &dyn Store) {
    assert!(s.ping().await.is_ok());
    assert!(["sqlite", "postgres"].contains(&s.backend()));
}

/// Declares each named `async fn(&dyn Store)` as a test on SQLite and a test on PostgreSQL.
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let (store, _dir) = ketnoi_store::testing::fresh_sqlite().await;
                    super::$name(&store).await;
                    store.close().await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some((store, _schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
                    super::$name(&store).await;
                    store.close().await;
                }
            )+
        }
    };
}

conformance!(
    ping_answers,
    areas_upsert_accepts_children_before_parents_and_walks_the_tree,
    an_area_batch_with_a_missing_parent_changes_nothing,
    agencies_form_a_tree_and_codes_are_unique,
    directory_finds_names_without_diacritics_within_an_area_subtree,
    account_slugs_are_unique_and_verification_is_stored,
    following_is_idempotent_and_counts_followers,
    a_phone_is_one_citizen,
    staff_usernames_are_unique_and_roles_replace,
    a_one_time_code_is_single_use_expires_and_dies_after_five_wrong_tries,
    sessions_expire_and_can_be_ended,
    jobs_lease_once_run_at_their_time_and_complete_with_their_attempt,
    an_expired_lease_is_taken_again_and_fences_the_first_worker,
    failing_every_attempt_dead_letters_a_job_that_can_be_retried,
    a_worker_dying_on_the_last_attempt_dead_letters_the_job,
);

#[path = "conformance/chat.rs"]
mod chat;

#[path = "conformance/bot.rs"]
mod bot;

#[path = "conformance/lookup.rs"]
mod lookup;

#[path = "conformance/tip.rs"]
mod tip;

#[path = "conformance/tip_case.rs"]
mod tip_case;

#[path = "conformance/news.rs"]
mod news;

#[path = "conformance/desk.rs"]
mod desk;

#[path = "conformance/inbox.rs"]
mod inbox;

#[path = "conformance/integration.rs"]
mod integration;

#[path = "conformance/webhook.rs"]
mod webhook;

#[path = "conformance/second_factor.rs"]
mod second_factor;

#[path = "conformance/audit.rs"]
mod audit;

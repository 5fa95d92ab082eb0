//! Lookup datasets (issue 6): datasets per account, numbered versions, publication now, later
//! or never, restoring, and what nodes load.

use ketnoi_core::{Slug, Timestamp};
use ketnoi_store::*;

use super::chat::{Fixture, fixture};

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

async fn dataset(s: &dyn Store, f: &Fixture, name: &str) -> LookupDataset {
    let new = NewLookupDataset {
        account: f.account.id,
        slug: slug(name),
        title: format!("Tra cứu {name}"),
        command: "diem".into(),
    };
    s.ensure_lookup_dataset(&new, Timestamp::now()).await.unwrap_or_else(|e| panic!("{e}"))
}

fn version(
    d: &LookupDataset,
    blob: &str,
    at: Timestamp,
    publication: Publication,
) -> NewLookupVersion {
    NewLookupVersion {
        dataset: d.id,
        spec: r#"{"key":"so_bao_danh"}"#.into(),
        blob_key: blob.into(),
        rows: 3,
        bytes: 120,
        created_by: None,
        at,
        publication,
    }
}

async fn add(s: &dyn Store, v: &NewLookupVersion) -> LookupVersion {
    s.add_lookup_version(v).await.unwrap_or_else(|e| panic!("{e}"))
}

async fn live(s: &dyn Store, f: &Fixture, name: &str) -> Option<i64> {
    s.lookup_dataset(f.account.id, &slug(name))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .and_then(|d| d.live_version)
}

async fn served(s: &dyn Store, d: &LookupDataset) -> ServedLookup {
    let all = s.served_lookups().await.unwrap_or_else(|e| panic!("{e}"));
    all.into_iter().find(|x| x.dataset.id == d.id).unwrap_or_else(|| panic!("not served"))
}

async fn a_dataset_is_made_once_per_account_and_slug_and_edited_in_place(s: &dyn Store) {
    let f = fixture(s).await;
    let first = dataset(s, &f, "diem-thi").await;
    let again = dataset(s, &f, "diem-thi").await;
    assert_eq!(first, again);
    assert_eq!(first.live_version, None);
    let other = NewLookupDataset {
        account: f.other_account.id,
        slug: slug("diem-thi"),
        title: "Khác".into(),
        command: String::new(),
    };
    let other =
        s.ensure_lookup_dataset(&other, Timestamp::now()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(other.id, first.id);

    let update = LookupDatasetUpdate {
        title: "Điểm thi tốt nghiệp".into(),
        command: "xem diem".into(),
        per_minute: Some(0),
    };
    s.update_lookup_dataset(first.id, &update, Timestamp::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let edited = s
        .lookup_dataset(f.account.id, &slug("diem-thi"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("gone"));
    assert_eq!(
        (edited.title.as_str(), edited.command.as_str(), edited.per_minute),
        ("Điểm thi tốt nghiệp", "xem diem", Some(0))
    );
    let missing =
        s.update_lookup_dataset(LookupDatasetId(9_999_999), &update, Timestamp::now()).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    let listed = s.lookup_datasets(f.account.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed, vec![edited]);
}

async fn versions_count_up_and_publish_now_later_or_never(s: &dyn Store) {
    let f = fixture(s).await;
    let d = dataset(s, &f, "diem-thi").await;
    let t0 = Timestamp::now();
    let v1 = add(s, &version(&d, "blobaaaa1", t0, Publication::Now)).await;
    assert_eq!((v1.version, v1.published_at, v1.publish_at), (1, Some(t0), None));
    assert_eq!(live(s, &f, "diem-thi").await, Some(1));

    let v2 = add(s, &version(&d, "blobaaaa2", t0.plus_millis(1), Publication::Draft)).await;
    assert_eq!((v2.version, v2.published_at, v2.publish_at), (2, None, None));
    assert_eq!(live(s, &f, "diem-thi").await, Some(1), "a draft changes nothing");

    let at = t0.plus_millis(60_000);
    let v3 = add(s, &version(&d, "blobaaaa3", t0.plus_millis(2), Publication::At(at))).await;
    assert_eq!((v3.version, v3.publish_at), (3, Some(at)));
    let now = served(s, &d).await;
    assert_eq!(now.account_slug, f.account.slug);
    assert_eq!(now.live.map(|v| v.version), Some(1));
    assert_eq!(now.next.map(|v| (v.version, v.blob_key)), Some((3, "blobaaaa3".to_owned())));

    // Not yet due: nothing moves.
    assert_eq!(
        s.publish_due_lookups(at.plus_millis(-1)).await.unwrap_or_else(|e| panic!("{e}")),
        0
    );
    assert_eq!(live(s, &f, "diem-thi").await, Some(1));
    // Due: it goes live, stamped with its scheduled moment, and only once however often asked.
    assert_eq!(s.publish_due_lookups(at).await.unwrap_or_else(|e| panic!("{e}")), 1);
    assert_eq!(s.publish_due_lookups(at.plus_millis(5)).await.unwrap_or_else(|e| panic!("{e}")), 0);
    assert_eq!(live(s, &f, "diem-thi").await, Some(3));
    let after = served(s, &d).await;
    assert_eq!(after.live.as_ref().map(|v| (v.version, v.published_at)), Some((3, Some(at))));
    assert_eq!(after.next, None);

    // A moment already past publishes at once.
    let v4 = add(s, &version(&d, "blobaaaa4", t0.plus_millis(3), Publication::At(t0))).await;
    assert_eq!((v4.version, v4.publish_at), (4, None));
    assert_eq!(live(s, &f, "diem-thi").await, Some(4));

    // Restoring an earlier version.
    s.publish_lookup_version(d.id, 1, t0.plus_millis(4)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(live(s, &f, "diem-thi").await, Some(1));
    let missing = s.publish_lookup_version(d.id, 99, t0).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    assert_eq!(live(s, &f, "diem-thi").await, Some(1), "a missing version changes nothing");

    let numbers: Vec<i64> = s
        .lookup_versions(d.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(numbers, vec![4, 3, 2, 1]);
}

async fn schedules_can_move_and_be_cancelled_and_the_last_due_wins(s: &dyn Store) {
    let f = fixture(s).await;
    let d = dataset(s, &f, "liet-si").await;
    let t0 = Timestamp::now();
    add(s, &version(&d, "blobbbbb1", t0, Publication::Draft)).await;
    add(s, &version(&d, "blobbbbb2", t0, Publication::Draft)).await;
    s.schedule_lookup_version(d.id, 1, Some(t0.plus_millis(1_000)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.schedule_lookup_version(d.id, 2, Some(t0.plus_millis(2_000)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(served(s, &d).await.next.map(|v| v.version), Some(1), "the soonest is next");
    // Both due: the one due last is live afterwards.
    assert_eq!(
        s.publish_due_lookups(t0.plus_millis(5_000)).await.unwrap_or_else(|e| panic!("{e}")),
        2
    );
    assert_eq!(live(s, &f, "liet-si").await, Some(2));

    add(s, &version(&d, "blobbbbb3", t0, Publication::At(t0.plus_millis(9_000)))).await;
    s.schedule_lookup_version(d.id, 3, None).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.publish_due_lookups(t0.plus_millis(10_000)).await.unwrap_or_else(|e| panic!("{e}")),
        0
    );
    assert_eq!(live(s, &f, "liet-si").await, Some(2), "a cancelled schedule never publishes");
    let missing = s.schedule_lookup_version(d.id, 42, None).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    let orphan = NewLookupVersion {
        dataset: LookupDatasetId(9_999_999),
        ..version(&d, "blobbbbb9", t0, Publication::Now)
    };
    let orphan = s.add_lookup_version(&orphan).await;
    assert!(matches!(orphan, Err(StoreError::MissingReference(_))), "{orphan:?}");
}

/// Regression: the datasets and their versions were read in two statements, so a node reading
/// while another published a due version could see the dataset still pointing at the old
/// version and the versions already switched, and lose the dataset until its next pass (a 404
/// on results day). Publishing and reading run side by side, many times.
async fn a_node_reading_while_a_version_goes_live_always_sees_the_dataset(s: &dyn Store) {
    let f = fixture(s).await;
    let d = dataset(s, &f, "diem-thi").await;
    add(s, &version(&d, "blob1", Timestamp::now(), Publication::Now)).await;
    for round in 0..80 {
        let due = Timestamp::now().plus_millis(1);
        add(s, &version(&d, &format!("blob{round}x"), Timestamp::now(), Publication::At(due)))
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        let publish = async {
            s.publish_due_lookups(Timestamp::now()).await.unwrap_or_else(|e| panic!("{e}"));
        };
        let read = async {
            for _ in 0..4 {
                let all = s.served_lookups().await.unwrap_or_else(|e| panic!("{e}"));
                let mine = all.iter().find(|x| x.dataset.id == d.id);
                let seen = mine.is_some_and(|x| x.live.is_some() || x.next.is_some());
                assert!(seen, "round {round}: the dataset has neither a live nor a next version");
                tokio::task::yield_now().await;
            }
        };
        tokio::join!(publish, read);
    }
}

conformance!(
    a_node_reading_while_a_version_goes_live_always_sees_the_dataset,
    a_dataset_is_made_once_per_account_and_slug_and_edited_in_place,
    versions_count_up_and_publish_now_later_or_never,
    schedules_can_move_and_be_cancelled_and_the_last_due_wins,
);

//! The same server on PostgreSQL (skipped without `KETNOI_TEST_POSTGRES_URL`, failing under
//! `CI=true`).

use std::sync::Arc;

use ketnoi_store::Store;
use serde_json::json;

use crate::helpers::start;

#[tokio::test]
async fn the_demo_platform_runs_on_postgresql() {
    let Some((store, schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
    let store: Arc<dyn Store> = Arc::new(store);
    let app = start(store, None, Box::new(schema), true).await;
    let (status, ready) = app.get("/readyz", None).await;
    assert_eq!((status, ready["database"].as_str()), (200, Some("postgres")));
    let (_, found) = app.get("/api/v1/accounts?q=cong%20an%20vi%20xuyen&area=08", None).await;
    assert_eq!(found["accounts"][0]["slug"], "ca-vi-xuyen", "{found}");
    let token = app.citizen_token("0987000002").await;
    let (status, follow) = app
        .send(reqwest::Method::PUT, "/api/v1/accounts/ca-vi-xuyen/follow", Some(&token), None)
        .await;
    assert_eq!((status, follow["following"].as_bool()), (200, Some(true)));
    let (_, mine) = app.get("/api/v1/me/follows", Some(&token)).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(4));
    let _ = json!(null);
}

/// Messaging on PostgreSQL, with attachments in the database (the multi-node layout): sends
/// under concurrent retries, live delivery, a photo stored without its location.
#[tokio::test]
async fn messaging_and_attachments_run_on_postgresql() {
    let Some((store, schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
    let pool_store = store.clone();
    let store: Arc<dyn Store> = Arc::new(store);
    let app = crate::helpers::start_with(store, None, Box::new(schema), true, |c| {
        c.blobs = ketnoi_server::BlobLocation::Database;
    })
    .await;
    let citizen = app.citizen_token("0912000001").await;
    let officer = app.staff_token_2fa("cavixuyen.canbo").await;
    let (mut screen, _) = ketnoi::live::LiveClient::connect(&app.base, &officer)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let send = |id: &'static str| {
        app.send(
            reqwest::Method::POST,
            "/api/v1/accounts/ca-vi-xuyen/messages",
            Some(&citizen),
            Some(json!({ "client_msg_id": id, "text": "Có người lạ vào xóm" })),
        )
    };
    let answers = futures_util::future::join_all((0..20).map(|_| send("pg-retry"))).await;
    assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1, "{answers:?}");
    assert!(answers.iter().all(|(s, b)| matches!(s, 200 | 201) && b["message"]["seq"] == 1));
    let frame =
        screen.frame(std::time::Duration::from_secs(10)).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((frame["seq"].as_i64(), frame["message"]["seq"].as_i64()), (Some(1), Some(1)));

    let photo = include_bytes!("../../../ketnoi-media/tests/fixtures/photo-gps.jpg").to_vec();
    let uploaded = app
        .client
        .post(app.url("/api/v1/accounts/ca-vi-xuyen/attachments?name=a.jpg"))
        .bearer_auth(&citizen)
        .header("content-type", "image/jpeg")
        .body(photo)
        .send()
        .await;
    let (status, attachment) = crate::helpers::answer(uploaded).await;
    assert_eq!(status, 201, "{attachment}");
    let url = attachment["url"].as_str().unwrap_or_default().to_owned();
    let fetched = app.client.get(app.url(&url)).bearer_auth(&officer).send().await;
    let bytes = fetched.unwrap_or_else(|e| panic!("{e}")).bytes().await.unwrap_or_default();
    assert!(bytes.starts_with(&[0xFF, 0xD8]) && !ketnoi_media::has_location_metadata(&bytes));
    // The bytes live in PostgreSQL, where every node finds them.
    let id = ketnoi_core::AttachmentId(attachment["id"].as_i64().unwrap_or_default());
    let record =
        app.store.attachment(id).await.ok().flatten().unwrap_or_else(|| panic!("recorded"));
    let in_database =
        ketnoi_store::BlobStore::get(&pool_store.blobs(), &record.attachment.blob_key).await;
    assert_eq!(in_database.ok().flatten().as_deref(), Some(&bytes[..]));
}

/// Two nodes on one PostgreSQL database with the CSV files in it: a version imported on one
/// and scheduled for a moment goes live on the other at that moment, without being told.
#[tokio::test]
async fn a_scheduled_lookup_version_goes_live_on_every_node() {
    let Some((store, schema)) = ketnoi_store::testing::fresh_postgres().await else { return };
    let store: Arc<dyn Store> = Arc::new(store);
    let fast = |c: &mut ketnoi_server::ServerConfig| {
        c.blobs = ketnoi_server::BlobLocation::Database;
        c.lookup_poll = std::time::Duration::from_millis(300);
        // The test asks every 25 ms, far faster than a citizen may.
        c.lookup_limits = ketnoi_lookup::guard::Limits::off();
    };
    let first = crate::helpers::start_with(store.clone(), None, Box::new(schema), true, fast).await;
    let second = crate::helpers::start_with(store.clone(), None, Box::new(()), false, fast).await;
    let path = "/api/v1/accounts/ubnd-vi-xuyen/lookups/liet-si/records/LS000001";
    let (status, before) = second.get(path, None).await;
    assert_eq!((status, before["version"].as_i64()), (200, Some(1)), "{before}");

    let account = store
        .account_by_slug(&"ubnd-vi-xuyen".parse().unwrap_or_else(|e| panic!("{e:?}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no account"));
    let moment = ketnoi_core::Timestamp::now().plus_millis(2_000);
    let csv = "ma_ho_so,ho_ten\nLS000001,Nguyễn Văn Đức (đã cập nhật)\n".as_bytes().to_vec();
    ketnoi_server::features::lookups::import::import(
        store.as_ref(),
        first.blobs.as_ref(),
        ketnoi_server::features::lookups::import::Import {
            account: account.id,
            dataset: "liet-si".parse().unwrap_or_else(|e| panic!("{e:?}")),
            title: String::new(),
            command: None,
            spec: ketnoi_lookup::dataset::Spec { key: "ma_ho_so".into(), ..Default::default() },
            bytes: csv,
            publication: ketnoi_store::Publication::At(moment),
            by: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"))
    .unwrap_or_else(|r| panic!("{r}"));

    let started = std::time::Instant::now();
    loop {
        let (status, now) = second.get(path, None).await;
        assert_eq!(status, 200, "{now}");
        let at = ketnoi_core::Timestamp::now();
        if now["version"].as_i64() == Some(2) {
            assert!(at >= moment, "live before its moment");
            assert_eq!(now["values"][1], "Nguyễn Văn Đức (đã cập nhật)");
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "never switched: {now}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let (_, on_first) = first.get(path, None).await;
    assert_eq!(on_first["version"].as_i64(), Some(2), "{on_first}");
}

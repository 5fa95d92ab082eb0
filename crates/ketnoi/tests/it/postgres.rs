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
    let officer = app.staff_token("cavixuyen.canbo").await;
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

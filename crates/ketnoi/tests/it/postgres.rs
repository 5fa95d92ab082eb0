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

//! The PostgreSQL test guard itself: dropping a test's schema must not hang on a session of the
//! test that is caught inside a transaction. Seen in the multi-node lookup test: a server's
//! background loop held a transaction open while the guard, blocking the test's only runtime
//! thread, waited for the schema's locks, and the run never ended.

use std::time::Duration;

use sqlx::Connection as _;

#[tokio::test]
async fn dropping_a_schema_ends_a_transaction_left_open_in_it() {
    let Some(admin) = ketnoi_store::testing::postgres_url() else { return };
    let (schema, url) = ketnoi_store::testing::PgSchema::create(&admin).await;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("CREATE TABLE held (id BIGINT)")
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A transaction that holds a lock on the table and then waits, as a task of a blocked
    // runtime would.
    sqlx::query("BEGIN").execute(&mut conn).await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("SELECT * FROM held").execute(&mut conn).await.unwrap_or_else(|e| panic!("{e}"));

    let dropped = tokio::task::spawn_blocking(move || drop(schema));
    let done = tokio::time::timeout(Duration::from_secs(15), dropped).await;
    assert!(done.is_ok(), "dropping the schema waited for the open transaction");

    // The session that held the lock was ended, and the schema is gone.
    assert!(sqlx::query("SELECT 1").execute(&mut conn).await.is_err(), "the session was not ended");
    let mut admin_conn =
        sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| panic!("{e}"));
    let left: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1",
    )
    .bind(url.rsplit("application_name=").next().unwrap_or_default())
    .fetch_one(&mut admin_conn)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left, 0, "the schema is still there");
}

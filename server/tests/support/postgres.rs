//! Fresh PostgreSQL databases for tests, made on the server of `TANDEM_TEST_POSTGRES`
//! (or this machine's) and named `tandem_test_…`; `scripts/test.sh` drops them at the end.

use sqlx::Connection;

/// The PostgreSQL server tests use: `TANDEM_TEST_POSTGRES` when set, else this machine's.
#[allow(dead_code)] // not every test crate that includes this module asks for the default
pub fn test_server() -> String {
    std::env::var("TANDEM_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A new, empty database on the server at `server_url`; returns its URL.
pub async fn fresh_database(server_url: &str) -> String {
    let name = format!("tandem_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(server_url).await.expect("the PostgreSQL test server is reachable");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("test database created");
    let (base, query) = server_url.split_once('?').map_or((server_url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

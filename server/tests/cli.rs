//! The `tandem` binary's subcommands.

use std::process::Command;

#[path = "support/postgres.rs"]
mod postgres;

fn tandem(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env("TANDEM_ADMIN_PASSWORD", "correct horse battery")
        .env_remove("RUST_LOG")
        .output()
        .expect("tandem runs")
}

#[tokio::test]
async fn migrate_creates_the_database_and_create_admin_makes_an_admin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/folder/tandem.db");
    let migrate = tandem(&db, &["migrate"]);
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    assert!(db.exists());

    // A second account made by the command is an admin too, unlike a second sign-up.
    for (email, name) in [("first@example.com", "First"), ("root@example.com", "Root")] {
        let out = tandem(&db, &["create-admin", "--email", email, "--name", name]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("created instance admin"));
    }
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_admin").fetch_one(&pool).await.unwrap();
    assert_eq!(admins, 2);

    let again = tandem(&db, &["create-admin", "--email", "root@example.com", "--name", "Again"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // The operator's switch for password sign-in, and its way back in.
    let setting = || async {
        sqlx::query_scalar::<_, String>("SELECT value FROM instance_settings WHERE key = 'password_sign_in'")
            .fetch_optional(&pool)
            .await
            .unwrap()
    };
    let off = tandem(&db, &["password-sign-in", "off"]);
    assert!(off.status.success(), "{}", String::from_utf8_lossy(&off.stderr));
    assert_eq!(setting().await.as_deref(), Some("off"));
    assert!(tandem(&db, &["password-sign-in", "on"]).status.success());
    assert_eq!(setting().await.as_deref(), Some("on"));
    assert!(!tandem(&db, &["password-sign-in", "maybe"]).status.success());
}

#[test]
fn an_unknown_database_url_is_refused_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("migrate")
        .env("DATABASE_URL", "mysql://127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL must start with sqlite: or postgres:"));
}

/// `tandem migrate` on PostgreSQL (the server of `TANDEM_TEST_POSTGRES`, or this
/// machine's), into a database made for this test.
#[tokio::test]
async fn migrate_applies_the_postgres_schema_and_is_idempotent() {
    use sqlx::Connection;
    let server = postgres::test_server();
    let url = postgres::fresh_database(&server).await;
    let name = url.rsplit('/').next().unwrap().to_owned();
    let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
    for _ in 0..2 {
        let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
            .arg("migrate")
            .env("DATABASE_URL", &url)
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    for table in ["events", "projects", "sessions", "tasks", "users"] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    db.close().await.unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
}

//! The `warmline` binary's commands, run as a user would.

use std::process::Command;

fn warmline(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_warmline"))
        .args(args)
        .env_clear()
        .env("DATABASE_URL", db)
        .env("LEAD_SECRET_KEY", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run warmline")
}

#[test]
fn migrate_admin_and_api_key_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("cli.db").display());
    let out = warmline(&db, &["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied (sqlite)"));

    let out = warmline(&db, &["admin", "create", "--email", "Boss@Example.com", "--password", "long enough pw"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("admin boss@example.com created"));
    let out = warmline(&db, &["admin", "create", "--email", "boss@example.com", "--password", "long enough pw"]);
    assert!(!out.status.success(), "duplicate admin must fail");

    let out = warmline(&db, &["apikey", "create", "--name", "crm"]);
    assert!(out.status.success());
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(key.starts_with("wl_") && key.len() > 40, "{key}");
    // only the hash is stored
    let raw = std::fs::read(dir.path().join("cli.db")).unwrap();
    let wal = std::fs::read(dir.path().join("cli.db-wal")).unwrap_or_default();
    let needle = key.as_bytes();
    assert!(!raw.windows(needle.len()).any(|w| w == needle) && !wal.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn a_bad_setting_stops_startup_with_one_clear_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_warmline"))
        .args(["serve"])
        .env_clear()
        .env("SMS_PROVIDER", "pigeon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("SMS_PROVIDER"), "{err}");
}

//! Throwaway databases for benchmarks: an SQLite file in a temporary directory, or a fresh
//! PostgreSQL database on the given server, dropped afterwards.

use super::{Db, Result};

/// A database that exists for one benchmark run. Call [`Scratch::drop_now`] when done.
pub struct Scratch {
    /// The URL to connect to (and to hand to a server process).
    pub url: String,
    admin: Option<(Db, String)>,
    dir: Option<std::path::PathBuf>,
}

impl Scratch {
    /// `server` is `None` (or `"sqlite"`) for SQLite, or a `postgres://` URL whose server gets
    /// a new database named after `label` and this process.
    pub async fn create(label: &str, server: Option<&str>) -> Result<Scratch> {
        match server.filter(|s| s.starts_with("postgres")) {
            Some(url) => {
                let name = format!("warmline_{label}_{}", std::process::id());
                let admin = Db::connect(url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(admin.pool()).await?;
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin.pool()).await?;
                let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
                Ok(Scratch { url: format!("{base}/{name}"), admin: Some((admin, name)), dir: None })
            }
            None => {
                let dir = std::env::temp_dir().join(format!("warmline-{label}-{}", std::process::id()));
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).map_err(|e| super::StoreError::Invalid(format!("{}: {e}", dir.display())))?;
                Ok(Scratch { url: format!("sqlite:{}", dir.join("bench.db").display()), admin: None, dir: Some(dir) })
            }
        }
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn label(&self) -> &'static str {
        if self.admin.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// Removes the database (its file, or `DROP DATABASE … WITH (FORCE)`).
    pub async fn drop_now(self) -> Result<()> {
        if let Some((admin, name)) = &self.admin {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(admin.pool()).await?;
            admin.close().await;
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        Ok(())
    }
}

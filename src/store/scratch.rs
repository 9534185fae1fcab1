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

/// First names for made-up contacts (60 of them).
pub const FIRST_NAMES: [&str; 60] = [
    "Ana", "Ben", "Cara", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivan", "Jade", "Kai", "Lena", "Milo", "Nora", "Omar", "Pia", "Quin", "Rosa", "Sam", "Tara", "Uma", "Vic",
    "Wes", "Xena", "Yara", "Zane", "Alma", "Bo", "Cy", "Dora", "Eli", "Faye", "Gil", "Hugo", "Iris", "Joel", "Kira", "Liam", "Maya", "Ned", "Olga", "Paul", "Rita", "Saul",
    "Tess", "Ugo", "Vera", "Walt", "Yuki", "Zoe", "Abe", "Bea", "Cole", "Dee", "Emil", "Flo", "Gwen", "Hal", "Ines", "Jon",
];
/// Last names for made-up contacts (80: with the first names, 4,800 combinations).
pub const LAST_NAMES: [&str; 80] = [
    "Garcia", "Martinez", "Lee", "Nguyen", "Smith", "Johnson", "Brown", "Davis", "Miller", "Wilson", "Moore", "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris",
    "Martin", "Thompson", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
    "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales",
    "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
    "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo",
];

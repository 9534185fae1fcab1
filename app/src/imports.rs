//! Browser CSV imports run as background jobs so the page can show progress.
//! The server's upload endpoint starts a job; the page polls [`ImportJobStatus`].

use serde::{Deserialize, Serialize};
use warmline::contact::ImportReport;
use warmline::csv_import::RowError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportPhase {
    Validating,
    Writing,
    /// Finished; `report` says what was imported.
    Done,
    /// Bad rows and "skip bad rows" was off: nothing imported, `errors` lists them.
    Rejected,
    /// The file could not be imported at all; `message` says why.
    Failed,
}

impl ImportPhase {
    pub fn finished(self) -> bool {
        matches!(self, ImportPhase::Done | ImportPhase::Rejected | ImportPhase::Failed)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportJobStatus {
    pub id: String,
    pub phase: ImportPhase,
    pub done: u64,
    pub total: u64,
    pub report: Option<ImportReport>,
    pub errors: Vec<RowError>,
    pub message: Option<String>,
}

#[cfg(feature = "ssr")]
pub use jobs::ImportJobs;

#[cfg(feature = "ssr")]
mod jobs {
    use super::*;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    use warmline::import_service::{run_import, ImportError, ImportRequest, Progress};
    use warmline::store::Db;
    use warmline::UserId;

    /// How long a finished job's status stays readable.
    const KEEP: Duration = Duration::from_secs(3600);

    struct Job {
        owner: UserId,
        status: ImportJobStatus,
        finished_at: Option<Instant>,
    }

    #[derive(Clone, Default)]
    pub struct ImportJobs {
        jobs: Arc<Mutex<HashMap<String, Job>>>,
    }

    impl ImportJobs {
        /// Starts an import in the background and returns its id.
        pub fn start(&self, db: Db, bytes: Vec<u8>, req: ImportRequest, owner: UserId) -> String {
            let (id, _) = warmline::auth::new_token("imp_");
            let status = ImportJobStatus { id: id.clone(), phase: ImportPhase::Validating, done: 0, total: 0, report: None, errors: vec![], message: None };
            {
                let mut jobs = self.jobs.lock().expect("jobs lock");
                jobs.retain(|_, j| j.finished_at.is_none_or(|t| t.elapsed() < KEEP));
                jobs.insert(id.clone(), Job { owner, status, finished_at: None });
            }
            let this = self.clone();
            let job_id = id.clone();
            tokio::spawn(async move {
                let progress = |p: Progress| {
                    this.update(&job_id, |s| match p {
                        Progress::Validating => s.phase = ImportPhase::Validating,
                        Progress::Writing { done, total } => {
                            s.phase = ImportPhase::Writing;
                            s.done = done;
                            s.total = total;
                        }
                    })
                };
                let result = run_import(&db, bytes, req, &progress).await;
                this.update(&job_id, |s| match result {
                    Ok(report) => {
                        s.phase = ImportPhase::Done;
                        s.errors = report.errors.clone();
                        s.report = Some(report);
                    }
                    Err(ImportError::BadRows(errors)) => {
                        s.phase = ImportPhase::Rejected;
                        s.message = Some(match errors.len() {
                            1 => "1 row has a problem, so nothing was imported.".to_string(),
                            n => format!("{n} rows have problems, so nothing was imported."),
                        });
                        s.errors = errors;
                    }
                    Err(ImportError::Store(e)) => {
                        tracing::error!(error = %e, "import failed while writing");
                        s.phase = ImportPhase::Failed;
                        s.message = Some("The import failed while saving; nothing was imported. Please try again.".into());
                    }
                    Err(e) => {
                        s.phase = ImportPhase::Failed;
                        s.message = Some(capitalize(&e.to_string()));
                    }
                });
                if let Some(j) = this.jobs.lock().expect("jobs lock").get_mut(&job_id) {
                    j.finished_at = Some(Instant::now());
                }
            });
            id
        }

        /// The status of a job started by `owner`.
        pub fn status(&self, id: &str, owner: UserId) -> Option<ImportJobStatus> {
            self.jobs.lock().expect("jobs lock").get(id).filter(|j| j.owner == owner).map(|j| j.status.clone())
        }

        fn update(&self, id: &str, f: impl FnOnce(&mut ImportJobStatus)) {
            if let Some(j) = self.jobs.lock().expect("jobs lock").get_mut(id) {
                f(&mut j.status);
            }
        }
    }

    fn capitalize(s: &str) -> String {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    }
}

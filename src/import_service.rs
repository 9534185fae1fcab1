//! Running a CSV import: validate every row off the async threads, then write the good rows
//! in one transaction. Shared by the browser upload and `POST /api/v1/contacts/import`.

use crate::contact::ImportReport;
use crate::csv_import::{validate, Field, ImportOptions};
use crate::phone::Region;
use crate::store::{imports, Db, StoreError};
use crate::UserId;

#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub list_name: String,
    pub filename: Option<String>,
    pub mapping: Option<Vec<Field>>,
    /// Import the good rows and report the bad ones, instead of importing nothing.
    pub skip_invalid: bool,
    pub region: Region,
    pub created_by: Option<UserId>,
}

/// Why an import did not happen: the core's one domain error (`BadRows` with every row's
/// problem, `Invalid` for an unreadable or empty file, or a storage failure).
pub type ImportError = crate::error::Error;

/// Progress as the import runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Validating,
    /// `done` of `total` rows written.
    Writing { done: u64, total: u64 },
}

/// Validates and imports `bytes`. All-or-nothing unless `skip_invalid` is set.
pub async fn run_import(
    db: &Db,
    bytes: Vec<u8>,
    req: ImportRequest,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<ImportReport, ImportError> {
    progress(Progress::Validating);
    let opts = ImportOptions { region: req.region, mapping: req.mapping.clone() };
    let validated = tokio::task::spawn_blocking(move || validate(&bytes, &opts))
        .await
        .map_err(|e| StoreError::Invalid(format!("validation task failed: {e}")))??;
    if validated.total == 0 {
        return Err(ImportError::Unreadable("the file has no contact rows".into()));
    }
    if !validated.errors.is_empty() && !req.skip_invalid {
        return Err(ImportError::BadRows(validated.errors));
    }
    let total = validated.rows.len() as u64;
    progress(Progress::Writing { done: 0, total });
    let batch = imports::ImportBatch {
        list_name: &req.list_name,
        filename: req.filename.as_deref(),
        rows: &validated.rows,
        skipped: &validated.errors,
        total_rows: validated.total,
        created_by: req.created_by,
    };
    let report = imports::import(db, batch, &|done| progress(Progress::Writing { done: done as u64, total })).await?;
    tracing::info!(imported = report.imported, created = report.created, skipped = report.skipped, list = %req.list_name, "csv import finished");
    Ok(report)
}

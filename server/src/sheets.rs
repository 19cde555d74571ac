//! `roster check`, `export` and `template`: the spreadsheet engine on the
//! command line, reading the directory from the database.

use app::import::tenant_columns::TenantColumn;
use crate::commands::find_tenant;
use anyhow::Context;
use app::import::write::{self, Format};
use app::import::{check_read, Code, Issue, Plan};
use app::sheet::{Limits, ReadError};
use app::commit::{commit, Batch, Committed};
use app::store::{self, Db};
use serde_json::json;
use std::io::Write;
use std::path::Path;

/// Exit status: 0 valid, 1 the file has errors, 2 it could not be read.
pub async fn check(db: &Db, tenant: &str, file: &Path, as_json: bool) -> anyhow::Result<u8> {
    // The file's bytes go once read: the check needs only the sheet.
    let sheet = read(file).and_then(|bytes| app::sheet::read(&bytes, &Limits::default()));
    let mut conn = db.pool.acquire().await?;
    let tenant = find_tenant(&mut conn, tenant).await?;
    let directory = store::directory::load(&mut conn, tenant.id, None).await?;
    let plan = check_read(&sheet, &directory);
    Ok(finish(&plan, &directory.tenant, as_json, false))
}

/// Exit status: 0 applied, 1 the file has errors (nothing applied), 2 it
/// could not be read or the command was wrong.
pub async fn import(db: &Db, tenant: &str, actor: &str, file: &Path, as_json: bool, batch_id: Option<String>) -> anyhow::Result<u8> {
    let bytes = read(file);
    let mut conn = db.pool.acquire().await?;
    let tenant = find_tenant(&mut conn, tenant).await?;
    let actor = store::users::admin(&mut conn, tenant.id, actor)
        .await?
        .with_context(|| format!("`{actor}` is not an active admin of {}", tenant.name))?;
    drop(conn);
    let key = batch_id.unwrap_or_else(|| format!("cli-{}-{}", std::process::id(), app::clock::now_nanos()));
    let name = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let sheet = bytes.as_ref().map_err(Clone::clone).and_then(|bytes| app::sheet::read(bytes, &Limits::default()));
    // Recorded in the history: the sheet's checksum, passwords left out.
    let checksum = match (&sheet, &bytes) {
        (Ok(sheet), _) => app::import::history_checksum(sheet),
        (Err(_), Ok(bytes)) => app::digest::checksum(bytes),
        (Err(_), Err(_)) => String::new(),
    };
    // The commit needs only the sheet (a million rows' file is 130 MB).
    drop(bytes);
    let batch = Batch { key: &key, file_name: &name, checksum, sheet, previewed: None, undoes: None };
    match commit(db, tenant.id, &actor, batch).await? {
        Committed::Applied { plan, .. } => Ok(finish(&plan, &tenant.name, as_json, true)),
        Committed::Refused(plan) => Ok(finish(&plan, &tenant.name, as_json, false)),
        Committed::Replayed { batch_id, summary } => {
            if as_json {
                println!("{}", json!({"summary": summary, "errors": [], "warnings": [], "applied": true}));
            } else {
                println!("Batch {key} was applied before (import {batch_id}); nothing was applied again.");
            }
            Ok(0)
        }
    }
}

/// Prints the outcome and returns the exit status.
fn finish(plan: &Plan, tenant: &str, as_json: bool, applied: bool) -> u8 {
    if as_json {
        println!("{}", report(plan, applied));
    } else {
        print_text(plan, tenant);
        if applied {
            println!("{}", plan.result_message());
        }
    }
    let unreadable = plan.errors.iter().any(|e| matches!(e.code, Code::FileUnreadable | Code::FileTooLarge));
    if unreadable { 2 } else if plan.is_valid() { 0 } else { 1 }
}

/// SPEC's JSON object for `check` and `import --json`.
pub fn report(plan: &Plan, applied: bool) -> serde_json::Value {
    json!({
        "summary": plan.summary(),
        "errors": plan.errors,
        "warnings": plan.warnings,
        "applied": applied,
    })
}

/// Warnings the text report lists before it only counts the rest.
const WARNINGS_SHOWN: usize = 100;

fn print_text(plan: &Plan, tenant: &str) {
    let s = plan.summary();
    println!("Checked against {tenant} (directory version {}).", plan.version);
    println!(
        "{} to add, {} to update, {} to delete, {} unchanged, {} roles to add, {} invitations to send.",
        s.added, s.updated, s.deleted, s.unchanged, s.roles_added, plan.invitations()
    );
    let line = |issue: &Issue| {
        let place = match (issue.row, &issue.column) {
            (Some(row), Some(column)) => format!("Row {row}, {column}"),
            (Some(row), None) => format!("Row {row}"),
            (None, Some(column)) => column.to_string(),
            (None, None) => "File".into(),
        };
        println!("  {place} [{}]: {}", issue.code.as_str(), issue.message);
    };
    if !plan.errors.is_empty() {
        println!("{} errors; nothing can be imported until they are fixed:", plan.errors.len());
        plan.errors.iter().for_each(line);
    }
    if !plan.warnings.is_empty() {
        // Every error counts; warnings are many in a big file, and --json has them all.
        println!("{} warnings:", plan.warnings.len());
        plan.warnings.iter().take(WARNINGS_SHOWN).for_each(line);
        if plan.warnings.len() > WARNINGS_SHOWN {
            println!("  … and {} more warnings (--json lists them all).", plan.warnings.len() - WARNINGS_SHOWN);
        }
    }
    if plan.is_valid() {
        println!("The file is valid.");
    }
}

pub async fn export(db: &Db, tenant: &str, format: Format, output: Option<&Path>) -> anyhow::Result<()> {
    let mut conn = db.pool.acquire().await?;
    let tenant = find_tenant(&mut conn, tenant).await?;
    let directory = store::directory::load(&mut conn, tenant.id, None).await?;
    emit(&write::export(&directory.users, &directory.columns, format)?, output)
}

/// The template with `own`, a tenant's columns (none for Roster's alone).
pub fn template(own: &[TenantColumn], format: Format, output: Option<&Path>) -> anyhow::Result<()> {
    emit(&write::template(format, own)?, output)
}

/// The template with the columns of the tenant named.
pub async fn tenant_template(db: &Db, tenant: &str, format: Format, output: Option<&Path>) -> anyhow::Result<()> {
    let mut conn = db.pool.acquire().await?;
    let tenant = find_tenant(&mut conn, tenant).await?;
    template(&store::columns::list(&mut conn, tenant.id).await?, format, output)
}

fn emit(bytes: &[u8], output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display())),
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}

/// A file that cannot be opened is reported like one that cannot be read:
/// a file-level `file_unreadable`, in JSON when asked for.
fn read(file: &Path) -> Result<Vec<u8>, ReadError> {
    std::fs::read(file).map_err(|error| ReadError::unreadable(format!("The file {} cannot be opened ({error}). Check its name and where it is.", file.display())))
}

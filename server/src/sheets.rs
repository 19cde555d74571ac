//! `roster check`, `export` and `template`: the spreadsheet engine on the
//! command line, reading the directory from the database.

use anyhow::Context;
use app::import::write::{self, Format};
use app::import::{check_file, Code, Issue, Plan};
use app::sheet::Limits;
use app::store::{self, Db};
use serde_json::json;
use std::io::Write;
use std::path::Path;

/// Exit status: 0 valid, 1 the file has errors, 2 it could not be read.
pub async fn check(db: &Db, tenant: &str, file: &Path, as_json: bool) -> anyhow::Result<u8> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut conn = db.pool.acquire().await?;
    let tenant = store::tenants::find(&mut conn, tenant).await.with_context(|| format!("organisation `{tenant}`"))?;
    let directory = store::directory::load(&mut conn, tenant.id, None).await?;
    let plan = check_file(&bytes, &Limits::default(), &directory);
    if as_json {
        println!("{}", report(&plan, false));
    } else {
        print_text(&plan, &directory.tenant);
    }
    let unreadable = plan.errors.iter().any(|e| matches!(e.code, Code::FileUnreadable | Code::FileTooLarge));
    Ok(if unreadable { 2 } else if plan.is_valid() { 0 } else { 1 })
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

fn print_text(plan: &Plan, tenant: &str) {
    let s = plan.summary();
    println!("Checked against {tenant} (directory version {}).", plan.version);
    println!(
        "{} to add, {} to update, {} to delete, {} unchanged, {} roles to add.",
        s.added, s.updated, s.deleted, s.unchanged, s.roles_added
    );
    let line = |issue: &Issue| {
        let place = match (issue.row, &issue.column) {
            (Some(row), Some(column)) => format!("Row {row}, {column}"),
            (Some(row), None) => format!("Row {row}"),
            (None, Some(column)) => column.clone(),
            (None, None) => "File".into(),
        };
        println!("  {place} [{}]: {}", issue.code.as_str(), issue.message);
    };
    if !plan.errors.is_empty() {
        println!("{} errors; nothing can be imported until they are fixed:", plan.errors.len());
        plan.errors.iter().for_each(line);
    }
    if !plan.warnings.is_empty() {
        println!("{} warnings:", plan.warnings.len());
        plan.warnings.iter().for_each(line);
    }
    if plan.is_valid() {
        println!("The file is valid.");
    }
}

pub async fn export(db: &Db, tenant: &str, format: Format, output: Option<&Path>) -> anyhow::Result<()> {
    let mut conn = db.pool.acquire().await?;
    let tenant = store::tenants::find(&mut conn, tenant).await.with_context(|| format!("organisation `{tenant}`"))?;
    let directory = store::directory::load(&mut conn, tenant.id, None).await?;
    emit(&write::export(&directory.users, format)?, output)
}

pub fn template(format: Format, output: Option<&Path>) -> anyhow::Result<()> {
    emit(&write::template(format)?, output)
}

fn emit(bytes: &[u8], output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display())),
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}

//! Defining a tenant's own columns, for the command line and the pages alike.

use crate::error::AppError;
use crate::store::{self, Db};
use engine::import::tenant_columns::{check_definition, TenantColumn};

/// Adds `column` to the tenant's columns once it clashes with none of them,
/// under the tenant's write lock. The directory's version moves on, so a
/// file checked before is checked again; the audit log names `actor`.
pub async fn define(db: &Db, tenant_id: i64, actor: &str, mut column: TenantColumn) -> Result<(), AppError> {
    column.name = column.name.trim().to_string();
    column.aliases.iter_mut().for_each(|alias| *alias = alias.trim().to_string());
    column.choices.iter_mut().for_each(|choice| *choice = choice.trim().to_string());
    column.default = column.default.map(|value| value.trim().to_string()).filter(|value| !value.is_empty());
    let mut tx = db.begin_directory_write(tenant_id).await?;
    let others = store::columns::list(&mut tx, tenant_id).await?;
    check_definition(&column, &others).map_err(AppError::Invalid)?;
    // Kept as the column spells it: `TRUE`, a choice in its own case.
    column.default = column.default.as_deref().and_then(|value| column.value(value).ok());
    store::columns::create(&mut tx, tenant_id, &column).await?;
    store::tenants::bump_version(&mut tx, tenant_id).await?;
    store::audit::record(&mut tx, tenant_id, actor, "column_created", &column.name).await?;
    tx.commit().await?;
    Ok(())
}

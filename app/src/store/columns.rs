//! A tenant's own columns: their definitions, in the order the files show them.

use super::StoreError;
use engine::import::columns::normalise;
use engine::import::tenant_columns::TenantColumn;
use sqlx::{AnyConnection, Row};

/// The tenant's columns, in their order.
pub async fn list(conn: &mut AnyConnection, tenant_id: i64) -> Result<Vec<TenantColumn>, StoreError> {
    let rows = sqlx::query("SELECT definition FROM tenant_columns WHERE tenant_id = $1 ORDER BY position, id").bind(tenant_id).fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("definition")?;
            serde_json::from_str(&text).map_err(|error| StoreError::Database(sqlx::Error::Decode(Box::new(error))))
        })
        .collect()
}

/// Adds a column after the tenant's others. The caller has checked the
/// definition against them, under the tenant's write lock.
pub async fn create(conn: &mut AnyConnection, tenant_id: i64, column: &TenantColumn) -> Result<(), StoreError> {
    let definition = serde_json::to_string(column).map_err(|error| StoreError::Database(sqlx::Error::Encode(Box::new(error))))?;
    sqlx::query(
        "INSERT INTO tenant_columns (tenant_id, position, name_key, definition)
         VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM tenant_columns WHERE tenant_id = $1), $2, $3)",
    )
    .bind(tenant_id)
    .bind(normalise(&column.name))
    .bind(definition)
    .execute(conn)
    .await?;
    Ok(())
}

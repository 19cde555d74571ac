//! Groups (teams). They exist before an import names them.

use super::StoreError;
use sqlx::AnyConnection;

/// Creates a group; `Ok(false)` when the tenant already has one of that name.
pub async fn create(conn: &mut AnyConnection, tenant_id: i64, name: &str) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        r#"INSERT INTO "groups" (tenant_id, name, name_key) VALUES ($1, $2, $3)
           ON CONFLICT (tenant_id, name_key) DO NOTHING"#,
    )
    .bind(tenant_id)
    .bind(name)
    .bind(name.to_lowercase())
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

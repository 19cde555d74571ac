//! Audit events for changes that are not imports (groups, roles, unlocking
//! an account), in the OWASP logging vocabulary that imports use too.

use sqlx::AnyConnection;

pub async fn record(conn: &mut AnyConnection, tenant_id: i64, actor: &str, event: &str, target: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_events (tenant_id, at, actor, event, target) VALUES ($1, $2, $3, $4, $5)")
        .bind(tenant_id)
        .bind(crate::clock::now())
        .bind(actor)
        .bind(event)
        .bind(target)
        .execute(conn)
        .await?;
    Ok(())
}

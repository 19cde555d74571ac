//! Loads a tenant's directory snapshot, the input of the import engine.

use crate::import::{Directory, DirectoryUser};
use sqlx::AnyConnection;
use sqlx::Row;
use std::collections::HashMap;

/// The columns of a user as the spreadsheet sees them, for [`user_from_row`].
pub(super) const USER_COLUMNS: &str = "u.id, u.user_id, u.email, u.first_name, u.last_name, u.title, u.phone, u.phone2,
    COALESCE(u.network_account, '') AS network_account,
    CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password,
    u.locale, u.access_level, u.active, COALESCE(m.user_id, '') AS manager, u.task_notification";
pub(super) const USER_TABLES: &str = "users u LEFT JOIN users m ON m.id = u.reports_to";

/// A user read with [`USER_COLUMNS`], without roles and groups yet.
pub(super) fn user_from_row(row: &sqlx::any::AnyRow) -> Result<DirectoryUser, sqlx::Error> {
    Ok(DirectoryUser {
        user_id: row.try_get("user_id")?,
        email: row.try_get("email")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        title: row.try_get("title")?,
        phone: row.try_get("phone")?,
        phone2: row.try_get("phone2")?,
        network_account: row.try_get("network_account")?,
        has_password: row.try_get::<i64, _>("has_password")? == 1,
        locale: row.try_get("locale")?,
        access: super::users::access_level(row)?,
        active: row.try_get::<i64, _>("active")? == 1,
        reports_to: row.try_get("manager")?,
        task_notification: row.try_get("task_notification")?,
        roles: Vec::new(),
        groups: Vec::new(),
    })
}

pub async fn load(conn: &mut AnyConnection, tenant_id: i64, acting_user: Option<String>) -> Result<Directory, sqlx::Error> {
    let tenant = sqlx::query("SELECT name, default_locale, min_password_length, version FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM {USER_TABLES} WHERE u.tenant_id = $1 ORDER BY u.id"))
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut at: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    let mut users = Vec::with_capacity(rows.len());
    for row in &rows {
        at.insert(row.try_get("id")?, users.len());
        users.push(user_from_row(row)?);
    }
    let memberships = [
        "SELECT ur.user_id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.tenant_id = $1",
        r#"SELECT ug.user_id, g.name FROM user_groups ug JOIN "groups" g ON g.id = ug.group_id WHERE g.tenant_id = $1"#,
    ];
    for (kind, query) in memberships.iter().enumerate() {
        for row in sqlx::query(query).bind(tenant_id).fetch_all(&mut *conn).await? {
            if let Some(&index) = at.get(&row.try_get::<i64, _>("user_id")?) {
                let name: String = row.try_get("name")?;
                let user = &mut users[index];
                if kind == 0 { user.roles.push(name) } else { user.groups.push(name) }
            }
        }
    }
    let roles = sqlx::query("SELECT name FROM roles WHERE tenant_id = $1 ORDER BY name").bind(tenant_id).fetch_all(&mut *conn).await?;
    let groups = sqlx::query(r#"SELECT name FROM "groups" WHERE tenant_id = $1 ORDER BY name"#).bind(tenant_id).fetch_all(&mut *conn).await?;
    Ok(Directory {
        version: tenant.try_get("version")?,
        tenant: tenant.try_get("name")?,
        default_locale: tenant.try_get("default_locale")?,
        min_password_length: tenant.try_get::<i64, _>("min_password_length")? as usize,
        acting_user,
        users,
        roles: roles.iter().map(|r| r.try_get("name")).collect::<Result<_, _>>()?,
        groups: groups.iter().map(|r| r.try_get("name")).collect::<Result<_, _>>()?,
    })
}

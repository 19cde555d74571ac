//! Loads a tenant's directory snapshot, the input of the import engine.

use super::Backend;
use crate::import::{Directory, DirectoryUser, Name};
use sqlx::AnyConnection;
use sqlx::Row;

/// The columns of a user as the spreadsheet sees them, for [`user_from_row`].
pub(super) const USER_COLUMNS: &str = "u.id, u.user_id, u.email, u.first_name, u.last_name, u.title, u.phone, u.phone2,
    COALESCE(u.network_account, '') AS network_account,
    CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password,
    u.locale, u.access_level, u.active, COALESCE(m.user_id, '') AS manager, u.task_notification, u.extra";
pub(super) const USER_TABLES: &str = "users u LEFT JOIN users m ON m.id = u.reports_to";

fn text(row: &sqlx::any::AnyRow, column: &str) -> Result<Name, sqlx::Error> {
    row.try_get::<&str, _>(column).map(Name::from)
}

/// A user read with [`USER_COLUMNS`], without roles and groups yet.
pub(super) fn user_from_row(row: &sqlx::any::AnyRow) -> Result<DirectoryUser, sqlx::Error> {
    Ok(DirectoryUser {
        user_id: text(row, "user_id")?,
        email: text(row, "email")?,
        first_name: text(row, "first_name")?,
        last_name: text(row, "last_name")?,
        title: text(row, "title")?,
        phone: text(row, "phone")?,
        phone2: text(row, "phone2")?,
        network_account: text(row, "network_account")?,
        has_password: row.try_get::<i64, _>("has_password")? == 1,
        locale: text(row, "locale")?,
        access: super::users::access_level(row)?,
        active: row.try_get::<i64, _>("active")? == 1,
        reports_to: text(row, "manager")?,
        task_notification: text(row, "task_notification")?,
        roles: Vec::new(),
        groups: Vec::new(),
        // Read by the caller, which knows the tenant's columns ([`super::columns::values_from_json`]).
        values: Vec::new(),
    })
}

/// A user as [`users_json`] lists them: the id, the spreadsheet's fields,
/// the values of the tenant's columns as stored, then roles and groups.
#[derive(serde::Deserialize)]
struct UserJson(
    i64, Name, Name, Name, Name, Name, Name, Name, Name,
    i64, Name, String, i64, Name, Name, String, Vec<Name>, Vec<Name>,
);

/// Every user of the tenant with their roles and groups, as one JSON array
/// that the database builds: one value to fetch, not one for each field of
/// each user, which is most of a big import's time in the lock.
fn users_json(backend: Backend) -> String {
    let fields = "u.id, u.user_id, u.email, u.first_name, u.last_name, u.title, u.phone, u.phone2,
        COALESCE(u.network_account, ''), CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END, u.locale,
        u.access_level, u.active, COALESCE(m.user_id, ''), u.task_notification, u.extra";
    match backend {
        // Users in the order of their ids (index `users_tenant`), each with
        // their memberships looked up in the primary keys of the link
        // tables: no sort, and no temporary index of every membership.
        Backend::Sqlite => {
            let names = |link: &str, table: &str, key: &str| {
                format!("json((SELECT json_group_array(t.name ORDER BY t.name_key) FROM {link} l JOIN {table} t ON t.id = l.{key} WHERE l.user_id = u.id))")
            };
            let (roles, groups) = (names("user_roles", "roles", "role_id"), names("user_groups", r#""groups""#, "group_id"));
            format!("SELECT json_group_array(json(one)) AS users FROM (SELECT json_array({fields}, {roles}, {groups}) AS one FROM {USER_TABLES} WHERE u.tenant_id = $1 ORDER BY u.id)")
        }
        // PostgreSQL groups the memberships once and joins them by hash.
        Backend::Postgres => {
            let names = |link: &str, table: &str, key: &str| {
                format!(
                    "LEFT JOIN (SELECT l.user_id, json_agg(t.name ORDER BY t.name_key) AS names FROM {link} l JOIN {table} t ON t.id = l.{key}
                                WHERE t.tenant_id = $1 GROUP BY l.user_id) {link}_of ON {link}_of.user_id = u.id"
                )
            };
            let (roles, groups) = (names("user_roles", "roles", "role_id"), names("user_groups", r#""groups""#, "group_id"));
            let one = format!("json_build_array({fields}, COALESCE(user_roles_of.names, '[]'), COALESCE(user_groups_of.names, '[]'))");
            format!("SELECT CAST(COALESCE(json_agg({one} ORDER BY u.id), '[]') AS TEXT) AS users FROM {USER_TABLES} {roles} {groups} WHERE u.tenant_id = $1")
        }
    }
}

pub async fn load(conn: &mut AnyConnection, tenant_id: i64, acting_user: Option<String>) -> Result<Directory, sqlx::Error> {
    Ok(load_with_ids(conn, tenant_id, acting_user).await?.directory)
}

/// A directory with the ids of its users and of the tenant's columns, each in the directory's order.
pub struct Loaded {
    pub directory: Directory,
    pub user_ids: Vec<i64>,
    pub column_ids: Vec<i64>,
}

/// The directory, and the ids of its users and columns.
pub async fn load_with_ids(conn: &mut AnyConnection, tenant_id: i64, acting_user: Option<String>) -> Result<Loaded, sqlx::Error> {
    let tenant = sqlx::query("SELECT name, default_locale, min_password_length, version FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_one(&mut *conn)
        .await?;
    let backend = if conn.backend_name() == "PostgreSQL" { Backend::Postgres } else { Backend::Sqlite };
    let text: String = sqlx::query(&users_json(backend)).bind(tenant_id).fetch_one(&mut *conn).await?.try_get("users")?;
    let rows: Vec<UserJson> = serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(e.into()))?;
    let columns = super::columns::list_with_ids(conn, tenant_id).await?;
    let mut ids = Vec::with_capacity(rows.len());
    let users = rows
        .into_iter()
        .map(|UserJson(id, user_id, email, first_name, last_name, title, phone, phone2, network_account, has_password, locale, access, active, reports_to, task_notification, extra, roles, groups)| {
            ids.push(id);
            Ok(DirectoryUser {
                user_id, email, first_name, last_name, title, phone, phone2, network_account,
                has_password: has_password == 1,
                locale,
                access: super::users::stored_access_level(&access)?,
                active: active == 1,
                reports_to, task_notification, roles, groups,
                values: super::columns::values_from_json(&extra, &columns),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let column_ids = columns.iter().map(|(id, _)| *id).collect();
    let roles = sqlx::query("SELECT name FROM roles WHERE tenant_id = $1 ORDER BY name").bind(tenant_id).fetch_all(&mut *conn).await?;
    let groups = sqlx::query(r#"SELECT name FROM "groups" WHERE tenant_id = $1 ORDER BY name"#).bind(tenant_id).fetch_all(&mut *conn).await?;
    let directory = Directory {
        version: tenant.try_get("version")?,
        tenant: tenant.try_get("name")?,
        default_locale: tenant.try_get("default_locale")?,
        min_password_length: tenant.try_get::<i64, _>("min_password_length")? as usize,
        acting_user,
        users,
        roles: roles.iter().map(|r| r.try_get("name")).collect::<Result<_, _>>()?,
        groups: groups.iter().map(|r| r.try_get("name")).collect::<Result<_, _>>()?,
        columns: columns.into_iter().map(|(_, column)| column).collect(),
        index: Default::default(),
    };
    Ok(Loaded { directory, user_ids: ids, column_ids })
}

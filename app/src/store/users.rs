//! Users as the sign-in and the operator's commands need them. The
//! spreadsheet engine and the commit path add their own queries later.

use super::{tenants::Tenant, StoreError};
use crate::domain::{access::AccessLevel, email::Email};
use crate::model::users::UserSummary;
use sqlx::AnyConnection;
use sqlx::Row;

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub access: AccessLevel,
    pub password_hash: Option<&'a str>,
}

/// Inserts one user; the user ID is the e-mail address, as SPEC says for a blank one.
pub async fn insert(
    conn: &mut AnyConnection,
    tenant: &Tenant,
    user: &NewUser<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    // The tenant's columns' defaults, as an import gives a new user them.
    let columns = super::columns::list_with_ids(conn, tenant.id).await?;
    let blanks: Vec<engine::import::Name> = columns.iter().map(|(_, column)| column.blank().into()).collect();
    let ids: Vec<i64> = columns.iter().map(|(id, _)| *id).collect();
    let row = sqlx::query(
        "INSERT INTO users (tenant_id, user_id, user_id_key, email, email_key, first_name, last_name,
                            password_hash, locale, access_level, active, created_at, updated_at, search, extra)
         VALUES ($1, $2, $3, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9, $10, $11)
         RETURNING id",
    )
    .bind(tenant.id)
    .bind(user.email.as_str())
    .bind(user.email.key())
    .bind(user.first_name.trim())
    .bind(user.last_name.trim())
    .bind(user.password_hash)
    .bind(&tenant.default_locale)
    .bind(user.access.as_str())
    .bind(now)
    .bind(crate::model::users::search_text(user.first_name.trim(), user.last_name.trim(), user.email.as_str(), user.email.as_str()))
    .bind(super::columns::values_json(&blanks, &ids))
    .fetch_one(&mut *conn)
    .await
    .map_err(|error| match StoreError::from(error) {
        // The user ID is the e-mail address here, and the databases disagree
        // on which of the two constraints they check first.
        StoreError::Conflict("This user ID") => StoreError::Conflict("This e-mail address"),
        other => other,
    })?;
    super::tenants::bump_version(conn, tenant.id).await?;
    Ok(row.try_get("id")?)
}

/// Whether any tenant has an admin; until one has, the first-run setup is open.
pub async fn admin_exists(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM users WHERE access_level = 'Admin' LIMIT 1) AS a")
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

pub struct Credentials {
    pub id: i64,
    pub password_hash: Option<String>,
    pub active: bool,
}

/// Everyone who signs in with this e-mail address or user ID, in any tenant.
pub async fn credentials(conn: &mut AnyConnection, login_key: &str) -> Result<Vec<Credentials>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, password_hash, active FROM users
         WHERE email_key = $1 OR user_id_key = $1 ORDER BY id LIMIT 20",
    )
    .bind(login_key)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Credentials {
                id: row.try_get("id")?,
                password_hash: row.try_get("password_hash")?,
                active: row.try_get::<i64, _>("active")? == 1,
            })
        })
        .collect()
}

/// One user of the tenant; a user of another tenant is simply not found.
pub async fn find(conn: &mut AnyConnection, tenant_id: i64, id: i64) -> Result<Option<UserSummary>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, user_id, email, first_name, last_name, access_level, active FROM users
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(UserSummary {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            email: row.try_get("email")?,
            first_name: row.try_get("first_name")?,
            last_name: row.try_get("last_name")?,
            access: access_level(&row)?,
            active: row.try_get::<i64, _>("active")? == 1,
        })
    })
    .transpose()
}

pub(crate) fn access_level(row: &sqlx::any::AnyRow) -> Result<AccessLevel, sqlx::Error> {
    stored_access_level(&row.try_get::<String, _>("access_level")?)
}

/// An access level as the database stores it.
pub(crate) fn stored_access_level(value: &str) -> Result<AccessLevel, sqlx::Error> {
    AccessLevel::parse(value).ok_or_else(|| sqlx::Error::Decode(format!("unknown access level {value}").into()))
}

/// The active admin of the tenant with this e-mail address: who an import runs as.
pub async fn admin(conn: &mut AnyConnection, tenant_id: i64, email: &str) -> Result<Option<super::imports::Actor>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, email, user_id FROM users
         WHERE tenant_id = $1 AND email_key = $2 AND access_level = 'Admin' AND active = 1",
    )
    .bind(tenant_id)
    .bind(email.trim().to_lowercase())
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(super::imports::Actor { id: row.try_get("id")?, email: row.try_get("email")?, user_id: row.try_get("user_id")?, session: None })
    })
    .transpose()
}

/// Gives a user a new password (already hashed).
pub async fn set_password(conn: &mut AnyConnection, id: i64, password_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// A user's stored password hash, and whether they sign in through the network instead.
pub async fn password_of(conn: &mut AnyConnection, id: i64) -> Result<(Option<String>, bool), sqlx::Error> {
    let row = sqlx::query("SELECT password_hash, network_account FROM users WHERE id = $1").bind(id).fetch_one(conn).await?;
    let network: Option<String> = row.try_get("network_account")?;
    Ok((row.try_get("password_hash")?, network.is_some_and(|n| !n.is_empty())))
}

/// How a user signs a message they cause (an invitation): name and address.
pub async fn signature(conn: &mut AnyConnection, id: i64) -> Result<String, sqlx::Error> {
    let row = sqlx::query("SELECT first_name, last_name, email FROM users WHERE id = $1").bind(id).fetch_one(conn).await?;
    let (first, last, email): (String, String, String) = (row.try_get("first_name")?, row.try_get("last_name")?, row.try_get("email")?);
    let name = format!("{first} {last}");
    Ok(format!("{} ({email})", name.trim()))
}

/// Someone a password link may go to.
pub struct LinkRecipient {
    pub id: i64,
    pub tenant_id: i64,
    pub tenant: String,
    pub first_name: String,
    pub user_id: String,
    pub email: String,
    pub has_password: bool,
}

/// The active users, in any tenant, with this e-mail address who sign in
/// with a password rather than through the network.
pub async fn link_recipients(conn: &mut AnyConnection, email_key: &str) -> Result<Vec<LinkRecipient>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.id, u.tenant_id, t.name AS tenant, u.first_name, u.user_id, u.email, CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password
         FROM users u JOIN tenants t ON t.id = u.tenant_id
         WHERE u.email_key = $1 AND u.active = 1 AND u.network_account IS NULL ORDER BY u.id LIMIT 20",
    )
    .bind(email_key)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(LinkRecipient {
                id: row.try_get("id")?,
                tenant_id: row.try_get("tenant_id")?,
                tenant: row.try_get("tenant")?,
                first_name: row.try_get("first_name")?,
                user_id: row.try_get("user_id")?,
                email: row.try_get("email")?,
                has_password: row.try_get::<i64, _>("has_password")? == 1,
            })
        })
        .collect()
}

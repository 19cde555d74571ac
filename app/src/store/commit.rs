//! Applies a checked batch in one transaction: every row or none. The batch
//! is checked again inside the transaction, against the directory as it is
//! then, with the writers of the tenant queued behind one lock.

use super::{directory, tenants::Tenant, StoreError};
use crate::auth::password_hash;
use crate::import::columns::Column;
use crate::import::plan::{Change, Summary};
use crate::import::{check_file, DirectoryUser, Plan};
use crate::sheet::Limits;
use crate::state::now;
use crate::store::{Backend, Db};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// One batch, as the admin confirmed it.
pub struct Batch<'a> {
    /// Chosen by the client; a second commit with the same key applies nothing.
    pub key: &'a str,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    /// The directory version and plan digest of the preview, if there was one.
    pub previewed: Option<(i64, String)>,
}

pub struct Actor {
    pub id: i64,
    pub email: String,
    pub user_id: String,
}

#[derive(Debug)]
pub enum Committed {
    Applied { batch_id: i64, plan: Box<Plan> },
    /// The same batch was committed before; nothing was applied again.
    Replayed { batch_id: i64, summary: Summary },
    /// The batch has errors; nothing changed.
    Refused(Box<Plan>),
}

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error("The directory changed since this file was checked, and the import would now do something else. Check the file again.")]
    Stale,
    #[error("This batch id was used before for a different file. Check the file again to get a new one.")]
    KeyReused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CommitError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

pub async fn commit(db: &Db, tenant: &Tenant, actor: &Actor, batch: &Batch<'_>, limits: &Limits) -> Result<Committed, CommitError> {
    let checksum: String = Sha256::digest(batch.bytes).iter().map(|b| format!("{b:02x}")).collect();
    // Passwords are hashed before the lock is taken, so that writers wait
    // only for writes, not for Argon2.
    let outside = {
        let mut conn = db.pool.acquire().await?;
        let directory = directory::load(&mut conn, tenant.id, Some(actor.user_id.clone())).await?;
        check_file(batch.bytes, limits, &directory)
    };
    let mut hashes = hash_passwords(&outside).await?;

    let mut tx = match db.backend {
        Backend::Sqlite => db.pool.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => {
            let mut tx = db.pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(tenant.id).execute(&mut *tx).await?;
            tx
        }
    };
    if let Some(row) = sqlx::query("SELECT id, checksum, added, updated, deleted, unchanged, roles_added FROM import_batches WHERE tenant_id = $1 AND batch_key = $2")
        .bind(tenant.id)
        .bind(batch.key)
        .fetch_optional(&mut *tx)
        .await?
    {
        if row.try_get::<String, _>("checksum")? != checksum {
            return Err(CommitError::KeyReused);
        }
        let count = |name: &str| row.try_get::<i64, _>(name).map(|n| n as usize);
        let summary = Summary {
            added: count("added")?,
            updated: count("updated")?,
            deleted: count("deleted")?,
            unchanged: count("unchanged")?,
            roles_added: count("roles_added")?,
        };
        return Ok(Committed::Replayed { batch_id: row.try_get("id")?, summary });
    }
    let directory = directory::load(&mut tx, tenant.id, Some(actor.user_id.clone())).await?;
    let plan = check_file(batch.bytes, limits, &directory);
    if !plan.is_valid() {
        return Ok(Committed::Refused(Box::new(plan)));
    }
    if let Some((version, digest)) = &batch.previewed {
        if *version != directory.version && *digest != plan.digest() {
            return Err(CommitError::Stale);
        }
    }
    for create in &plan.creates {
        if let (Some(password), false) = (&create.password, hashes.contains_key(&create.row)) {
            hashes.insert(create.row, password_hash::hash(password.clone()).await.map_err(|_| StoreError::NotFound("password hash"))?);
        }
    }
    let at = now();
    let batch_id = record_batch(&mut tx, tenant.id, actor, batch, &checksum, &plan, at).await?;
    apply(&mut tx, tenant.id, &plan, &hashes, at).await?;
    record_changes(&mut tx, tenant.id, batch_id, actor, &plan, at).await?;
    sqlx::query("UPDATE tenants SET version = version + 1 WHERE id = $1").bind(tenant.id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Committed::Applied { batch_id, plan: Box::new(plan) })
}

/// Argon2 on all cores: one blocking task per password.
async fn hash_passwords(plan: &Plan) -> Result<HashMap<u32, String>, CommitError> {
    let wanted = plan
        .creates
        .iter()
        .map(|c| (c.row, &c.password))
        .chain(plan.updates.iter().map(|u| (u.row, &u.password)))
        .filter_map(|(row, password)| password.clone().map(|p| (row, p)));
    let tasks: Vec<_> = wanted.map(|(row, password)| (row, tokio::spawn(password_hash::hash(password)))).collect();
    let mut hashes = HashMap::with_capacity(tasks.len());
    for (row, task) in tasks {
        let hash = task.await.map_err(|_| StoreError::NotFound("password hash"))?.map_err(|_| StoreError::NotFound("password hash"))?;
        hashes.insert(row, hash);
    }
    Ok(hashes)
}

async fn record_batch(
    conn: &mut AnyConnection,
    tenant_id: i64,
    actor: &Actor,
    batch: &Batch<'_>,
    checksum: &str,
    plan: &Plan,
    at: i64,
) -> Result<i64, StoreError> {
    let s = plan.summary();
    let row = sqlx::query(
        "INSERT INTO import_batches (tenant_id, batch_key, actor_user_id, actor_email, file_name, checksum,
                                     started_at, finished_at, status, added, updated, deleted, unchanged, roles_added)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 'applied', $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(tenant_id)
    .bind(batch.key)
    .bind(actor.id)
    .bind(&actor.email)
    .bind(batch.file_name)
    .bind(checksum)
    .bind(at)
    .bind(s.added as i64)
    .bind(s.updated as i64)
    .bind(s.deleted as i64)
    .bind(s.unchanged as i64)
    .bind(s.roles_added as i64)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// The writes, in dependency order: roles, new and changed users, then
/// managers and memberships (which need every user's id), then deletions.
async fn apply(conn: &mut AnyConnection, tenant_id: i64, plan: &Plan, hashes: &HashMap<u32, String>, at: i64) -> Result<(), StoreError> {
    for role in &plan.new_roles {
        sqlx::query("INSERT INTO roles (tenant_id, name, name_key) VALUES ($1, $2, $3)")
            .bind(tenant_id)
            .bind(role)
            .bind(role.to_lowercase())
            .execute(&mut *conn)
            .await?;
    }
    let mut ids = name_ids(conn, "SELECT id, user_id_key AS k FROM users WHERE tenant_id = $1", tenant_id).await?;
    for create in &plan.creates {
        let u = &create.user;
        let row = sqlx::query(
            "INSERT INTO users (tenant_id, user_id, user_id_key, email, email_key, first_name, last_name, title, phone, phone2,
                                network_account, network_account_key, password_hash, locale, access_level, active,
                                task_notification, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id",
        )
        .bind(tenant_id)
        .bind(&u.user_id)
        .bind(u.user_id.to_lowercase())
        .bind(&u.email)
        .bind(u.email.to_lowercase())
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(&u.title)
        .bind(&u.phone)
        .bind(&u.phone2)
        .bind(none_if_empty(&u.network_account))
        .bind(none_if_empty(&u.network_account.to_lowercase()))
        .bind(hashes.get(&create.row))
        .bind(&u.locale)
        .bind(u.access.as_str())
        .bind(i64::from(u.active))
        .bind(&u.task_notification)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?;
        ids.insert(u.user_id.to_lowercase(), row.try_get("id")?);
    }
    for update in &plan.updates {
        let u = &update.user;
        sqlx::query(
            "UPDATE users SET email = $2, email_key = $3, first_name = $4, last_name = $5, title = $6, phone = $7, phone2 = $8,
                              network_account = $9, network_account_key = $10, password_hash = COALESCE($11, password_hash),
                              locale = $12, access_level = $13, active = $14, task_notification = $15, updated_at = $16
             WHERE id = $1",
        )
        .bind(id_of(&ids, &u.user_id)?)
        .bind(&u.email)
        .bind(u.email.to_lowercase())
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(&u.title)
        .bind(&u.phone)
        .bind(&u.phone2)
        .bind(none_if_empty(&u.network_account))
        .bind(none_if_empty(&u.network_account.to_lowercase()))
        .bind(hashes.get(&update.row))
        .bind(&u.locale)
        .bind(u.access.as_str())
        .bind(i64::from(u.active))
        .bind(&u.task_notification)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    let roles = name_ids(conn, "SELECT id, name_key AS k FROM roles WHERE tenant_id = $1", tenant_id).await?;
    let groups = name_ids(conn, r#"SELECT id, name_key AS k FROM "groups" WHERE tenant_id = $1"#, tenant_id).await?;
    let touched = plan.creates.iter().map(|c| (&c.user, true)).chain(plan.updates.iter().map(|u| (&u.user, false)));
    for (user, new) in touched {
        let id = id_of(&ids, &user.user_id)?;
        let manager = if user.reports_to.is_empty() { None } else { Some(id_of(&ids, &user.reports_to)?) };
        sqlx::query("UPDATE users SET reports_to = $2 WHERE id = $1").bind(id).bind(manager).execute(&mut *conn).await?;
        set_memberships(conn, "user_roles", "role_id", id, &user.roles, &roles, new).await?;
        set_memberships(conn, "user_groups", "group_id", id, &user.groups, &groups, new).await?;
    }
    let deleted: Vec<i64> = plan.deletes.iter().map(|d| id_of(&ids, &d.user_id)).collect::<Result<_, _>>()?;
    // Deleted users may report to each other; unlink them first.
    for id in &deleted {
        sqlx::query("UPDATE users SET reports_to = NULL WHERE id = $1").bind(id).execute(&mut *conn).await?;
    }
    for id in &deleted {
        sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn set_memberships(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    user: i64,
    names: &[String],
    ids: &HashMap<String, i64>,
    new: bool,
) -> Result<(), StoreError> {
    if !new {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1")).bind(user).execute(&mut *conn).await?;
    }
    for name in names {
        let id = ids.get(&name.to_lowercase()).copied().ok_or(StoreError::NotFound("role or group"))?;
        sqlx::query(&format!("INSERT INTO {table} (user_id, {column}) VALUES ($1, $2)"))
            .bind(user)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The field-by-field history, and one audit event per changed user.
async fn record_changes(conn: &mut AnyConnection, tenant_id: i64, batch_id: i64, actor: &Actor, plan: &Plan, at: i64) -> Result<(), StoreError> {
    let mut entries: Vec<(u32, &str, &'static str, Vec<Change>)> = Vec::new();
    for create in &plan.creates {
        entries.push((create.row, &create.user.user_id, "create", created_fields(&create.user, create.password.is_some())));
    }
    for update in &plan.updates {
        entries.push((update.row, &update.user.user_id, "update", update.changes.clone()));
    }
    for delete in &plan.deletes {
        let change = Change { field: Column::UserId, old: delete.user_id.clone(), new: String::new() };
        entries.push((delete.row, &delete.user_id, "delete", vec![change]));
    }
    for (row, user, action, changes) in &entries {
        for change in changes {
            sqlx::query(
                "INSERT INTO import_changes (batch_id, row_number, user_key, action, field, old_value, new_value)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(batch_id)
            .bind(i64::from(*row))
            .bind(*user)
            .bind(*action)
            .bind(change.field.name())
            .bind(&change.old)
            .bind(&change.new)
            .execute(&mut *conn)
            .await?;
        }
        let authz = changes.iter().any(|c| matches!(c.field, Column::AccessLevel | Column::Roles | Column::Active));
        let event = match *action {
            "create" => "user_created",
            "delete" => "user_deleted",
            _ if authz => "authz_change",
            _ => "user_updated",
        };
        audit(conn, tenant_id, batch_id, &actor.email, event, user, at).await?;
    }
    audit(conn, tenant_id, batch_id, &actor.email, "batch_finished", &format!("batch {batch_id}"), at).await
}

async fn audit(conn: &mut AnyConnection, tenant_id: i64, batch_id: i64, actor: &str, event: &str, target: &str, at: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_events (tenant_id, at, actor, event, target, batch_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(tenant_id)
        .bind(at)
        .bind(actor)
        .bind(event)
        .bind(target)
        .bind(batch_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A new user's fields, as changes from nothing. The password shows as "set".
fn created_fields(user: &DirectoryUser, password: bool) -> Vec<Change> {
    let values = crate::import::write::export_row(user);
    let set = password.then(|| Change { field: Column::Password, old: String::new(), new: "set".into() });
    Column::ALL
        .iter()
        .zip(values)
        .filter(|(_, value)| !value.is_empty())
        .map(|(field, new)| Change { field: *field, old: String::new(), new })
        .chain(set)
        .collect()
}

async fn name_ids(conn: &mut AnyConnection, query: &str, tenant_id: i64) -> Result<HashMap<String, i64>, StoreError> {
    let rows = sqlx::query(query).bind(tenant_id).fetch_all(conn).await?;
    rows.iter().map(|r| Ok((r.try_get::<String, _>("k")?, r.try_get::<i64, _>("id")?))).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
}

fn id_of(ids: &HashMap<String, i64>, user_id: &str) -> Result<i64, StoreError> {
    ids.get(&user_id.to_lowercase()).copied().ok_or(StoreError::NotFound("user"))
}

fn none_if_empty(value: &str) -> Option<&str> {
    (!value.is_empty()).then_some(value)
}

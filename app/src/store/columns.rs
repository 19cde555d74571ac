//! A tenant's own columns: their definitions, in the order the files show them.

use super::rows::{cells, insert_rows, Cell};
use super::{Backend, StoreError};
use crate::model::users::SORTED;
use engine::import::columns::normalise;
use engine::import::tenant_columns::TenantColumn;
use sqlx::{AnyConnection, Row};

/// The tenant's columns, in their order.
pub async fn list(conn: &mut AnyConnection, tenant_id: i64) -> Result<Vec<TenantColumn>, StoreError> {
    Ok(list_with_ids(conn, tenant_id).await?.into_iter().map(|(_, column)| column).collect())
}

/// The tenant's columns, in their order, each with its id.
pub async fn list_with_ids(conn: &mut AnyConnection, tenant_id: i64) -> Result<Vec<(i64, TenantColumn)>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, definition FROM tenant_columns WHERE tenant_id = $1 ORDER BY position, id").bind(tenant_id).fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("definition")?;
            Ok((row.try_get("id")?, serde_json::from_str(&text).map_err(|error| sqlx::Error::Decode(Box::new(error)))?))
        })
        .collect()
}

/// The values of a user's own columns as stored: a JSON object by column id,
/// blank values left out.
pub fn values_json(values: &[engine::import::Name], ids: &[i64]) -> String {
    let object: serde_json::Map<String, serde_json::Value> =
        ids.iter().zip(values).filter(|(_, value)| !value.is_empty()).map(|(id, value)| (id.to_string(), value.as_str().into())).collect();
    serde_json::Value::Object(object).to_string()
}

/// The values [`values_json`] stored, in the order of `columns` (with
/// their ids): a value not stored is none, and for a boolean its default.
pub fn values_from_json(text: &str, columns: &[(i64, TenantColumn)]) -> Vec<engine::import::Name> {
    let stored: std::collections::HashMap<String, String> = serde_json::from_str(text).unwrap_or_default();
    columns
        .iter()
        .map(|(id, column)| stored.get(&id.to_string()).map_or_else(|| column.cleared().into(), |value| value.as_str().into()))
        .collect()
}

/// Adds a column after the tenant's others, with its index, and gives every
/// user a boolean's default. The caller has checked the definition against
/// them, under the tenant's write lock.
pub async fn create(conn: &mut AnyConnection, backend: Backend, tenant_id: i64, column: &TenantColumn) -> Result<(), StoreError> {
    let definition = serde_json::to_string(column).map_err(|error| StoreError::Database(sqlx::Error::Encode(Box::new(error))))?;
    let row = sqlx::query(
        "INSERT INTO tenant_columns (tenant_id, position, name_key, definition)
         VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM tenant_columns WHERE tenant_id = $1), $2, $3) RETURNING id",
    )
    .bind(tenant_id)
    .bind(normalise(&column.name))
    .bind(definition)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    // The tenant's rows alone (a partial index), so that no other tenant's writes keep it;
    // led by the tenant, so that SQLite, which has no statistics, prefers it to `users_tenant`.
    let value = held_value(backend, "extra", id);
    sqlx::query(&format!("CREATE INDEX users_column_{id} ON users (tenant_id, ({value}), id) WHERE tenant_id = {tenant_id}")).execute(&mut *conn).await?;
    give_booleans_their_default(conn, backend, tenant_id, id, column).await
}

/// Stores a boolean column's default in every user of the tenant without a
/// value in it, so that filters and sorts read every user's value as stored.
async fn give_booleans_their_default(conn: &mut AnyConnection, backend: Backend, tenant_id: i64, id: i64, column: &TenantColumn) -> Result<(), StoreError> {
    if column.kind != engine::import::tenant_columns::ValueKind::Boolean {
        return Ok(());
    }
    let with = match backend {
        Backend::Sqlite => format!("json_insert(extra, '$.\"{id}\"', $1)"),
        Backend::Postgres => format!("CAST(jsonb_build_object('{id}', CAST($1 AS TEXT)) || CAST(extra AS jsonb) AS TEXT)"),
    };
    let held = stored_value(backend, "extra", id);
    sqlx::query(&format!("UPDATE users SET extra = {with} WHERE tenant_id = $2 AND {held} IS NULL"))
        .bind(column.blank())
        .bind(tenant_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the definition of column `id`. The caller has checked it
/// against the tenant's others and their users' values, under the lock.
pub async fn update(conn: &mut AnyConnection, backend: Backend, tenant_id: i64, id: i64, column: &TenantColumn) -> Result<(), StoreError> {
    give_booleans_their_default(conn, backend, tenant_id, id, column).await?;
    let definition = serde_json::to_string(column).map_err(|error| StoreError::Database(sqlx::Error::Encode(Box::new(error))))?;
    sqlx::query("UPDATE tenant_columns SET name_key = $1, definition = $2 WHERE id = $3 AND tenant_id = $4")
        .bind(normalise(&column.name))
        .bind(definition)
        .bind(id)
        .bind(tenant_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The text of a user's value in column `id` within `extra` (a user's
/// `users.extra`), as SQL: NULL where none is stored.
pub(super) fn stored_value(backend: Backend, extra: &str, id: i64) -> String {
    match backend {
        Backend::Sqlite => format!("json_extract({extra}, '$.\"{id}\"')"),
        Backend::Postgres => format!("(CAST({extra} AS jsonb) ->> '{id}')"),
    }
}

/// As [`stored_value`], blank where none is stored (every user holds a
/// boolean's value), and no longer than [`SORTED`] characters: the
/// expression of the column's index (`users_column_ID`), which filters and
/// sorts use as it is written here. (A thousand characters of some scripts
/// are more than PostgreSQL keeps in an index entry.)
pub(super) fn held_value(backend: Backend, extra: &str, id: i64) -> String {
    format!("substr({}, 1, {SORTED})", whole_value(backend, extra, id))
}

/// As [`held_value`], however long.
pub(super) fn whole_value(backend: Backend, extra: &str, id: i64) -> String {
    format!("COALESCE({}, '')", stored_value(backend, extra, id))
}

/// The key `unique_values` keeps a value under: folded, and a long one as
/// its SHA-256, which databases index whatever its length.
pub(super) fn unique_key(value: &str) -> String {
    let folded = engine::import::fold(value);
    if folded.len() <= 256 { folded.into_owned() } else { engine::digest::checksum(folded.as_bytes()) }
}

/// Removes column `id` and every user's value in it.
pub async fn remove(conn: &mut AnyConnection, backend: Backend, tenant_id: i64, id: i64) -> Result<(), StoreError> {
    let without = match backend {
        Backend::Sqlite => format!("json_remove(extra, '$.\"{id}\"')"),
        Backend::Postgres => format!("CAST(CAST(extra AS jsonb) - '{id}' AS TEXT)"),
    };
    let held = stored_value(backend, "extra", id);
    sqlx::query(&format!("UPDATE users SET extra = {without} WHERE tenant_id = $1 AND {held} IS NOT NULL")).bind(tenant_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM unique_values WHERE column_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query(&format!("DROP INDEX IF EXISTS users_column_{id}")).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM tenant_columns WHERE id = $1 AND tenant_id = $2").bind(id).bind(tenant_id).execute(conn).await?;
    Ok(())
}

/// Gives every user of the tenant who holds `old` in column `id` the value `new` instead.
pub async fn rename_value(conn: &mut AnyConnection, backend: Backend, tenant_id: i64, id: i64, old: &str, new: &str) -> Result<(), StoreError> {
    let set = match backend {
        Backend::Sqlite => format!("json_set(extra, '$.\"{id}\"', $1)"),
        Backend::Postgres => format!("CAST(jsonb_set(CAST(extra AS jsonb), '{{{id}}}', to_jsonb(CAST($1 AS TEXT))) AS TEXT)"),
    };
    let held = stored_value(backend, "extra", id);
    sqlx::query(&format!("UPDATE users SET extra = {set} WHERE tenant_id = $2 AND {held} = $3"))
        .bind(new)
        .bind(tenant_id)
        .bind(old)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes again the folded values of column `id`, which the database keeps
/// unique, from `holders` (user id and value); none where the column is
/// not unique.
pub async fn index_unique(conn: &mut AnyConnection, backend: Backend, id: i64, holders: Vec<(i64, String)>) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM unique_values WHERE column_id = $1").bind(id).execute(&mut *conn).await?;
    let rows = holders.into_iter().map(move |(user, value)| cells![id, unique_key(&value), user]);
    insert_rows(conn, backend, "unique_values", &["column_id", "value_key", "user_id"], Box::new(rows)).await
}

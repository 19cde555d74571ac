//! The users list: filters, a sort on an indexed column, and keyset paging
//! (`WHERE (key, id) > (…)`), so that page 2,000 costs what page 1 costs.

use super::directory::{user_from_row, USER_COLUMNS, USER_TABLES};
use crate::model::users::{Cursor, Filter, Listed, ListQuery, Sort, UserPage};
use super::Backend;
use engine::import::tenant_columns::TenantColumn;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

enum Bind {
    Int(i64),
    Text(String),
}

/// A statement's text and its parameters, numbered in order of appearance
/// (SQLite numbers `$N` by where it first appears, PostgreSQL by N).
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn param(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        self.binds.iter().fold(sqlx::query(&self.text), |q, bind| match bind {
            Bind::Int(n) => q.bind(*n),
            Bind::Text(s) => q.bind(s.as_str()),
        })
    }
}

/// The tenant's columns, each with its id, which filters and sorts name.
type Own = [(i64, TenantColumn)];

/// The expression a sort orders by.
fn column(sort: Sort, backend: Backend, own: &Own) -> String {
    match sort {
        Sort::Own(id) => match own.iter().find(|(c, _)| *c == id) {
            Some((id, _)) => super::columns::held_value(backend, "u.extra", *id),
            // Never asked for: `read_rows` sorts by a column that is gone as by default.
            None => built_in_column(Sort::default()).into(),
        },
        built_in => built_in_column(built_in).into(),
    }
}

fn built_in_column(sort: Sort) -> &'static str {
    match sort {
        Sort::Own(_) => "''",
        Sort::LastName => "u.last_name",
        Sort::FirstName => "u.first_name",
        Sort::UserId => "u.user_id_key",
        Sort::Email => "u.email_key",
        Sort::Title => "u.title",
        Sort::AccessLevel => "u.access_level",
        Sort::Active => "u.active",
    }
}

/// How a query reads the users. `Walk` follows the sort's index and keeps
/// the users that match, which is quick when many do. `Pick` finds the
/// matches of the free text first, in the narrow (tenant, search) index,
/// then sorts those few: walking the index for a rare text would visit
/// every user.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    Walk,
    Pick,
    /// Counting needs no manager's name, so no join either.
    Count,
}

/// Below this many matches of a free text, [`Read::Pick`] is the quicker.
const FEW: i64 = 5_000;

/// `FROM … WHERE …` for the tenant's users that match `filter`, to be
/// read in the order of `sort` if any; `own` are the tenant's columns.
fn matching(tenant_id: i64, filter: &Filter, sort: Option<Sort>, read: Read, backend: Backend, own: &Own) -> Sql {
    let mut sql = Sql { text: String::new(), binds: Vec::new() };
    let tenant = sql.param(Bind::Int(tenant_id));
    let tables = if read == Read::Count && filter.manager.trim().is_empty() { "users u" } else { USER_TABLES };
    let mut text = format!(" FROM {tables} WHERE u.tenant_id = {tenant}");
    let q = filter.q.trim().to_lowercase();
    if !q.is_empty() {
        let like = sql.param(Bind::Text(super::contains_pattern(&q)));
        let test = format!("search LIKE {like} ESCAPE '\\'");
        text += &match read {
            Read::Pick => format!(" AND u.id IN (SELECT s.id FROM users s WHERE s.tenant_id = {tenant} AND s.{test})"),
            Read::Walk | Read::Count => format!(" AND u.{test}"),
        };
    }
    if let Some(level) = crate::domain::access::AccessLevel::parse(filter.access.trim()) {
        text += &format!(" AND u.access_level = {}", sql.param(Bind::Text(level.as_str().into())));
    }
    if let Some(active) = crate::import::fields::parse_bool(filter.active.trim()) {
        text += &format!(" AND u.active = {}", sql.param(Bind::Int(i64::from(active))));
    }
    for (name, table, link, key) in [
        (&filter.group, r#""groups""#, "user_groups", "group_id"),
        (&filter.role, "roles", "user_roles", "role_id"),
    ] {
        if !name.trim().is_empty() {
            let name = sql.param(Bind::Text(name.trim().to_lowercase()));
            text += &format!(
                " AND EXISTS (SELECT 1 FROM {link} l JOIN {table} t ON t.id = l.{key} WHERE l.user_id = u.id AND t.name_key = {name})"
            );
        }
    }
    if !filter.ids.trim().is_empty() {
        // Parsed numbers, so they go into the text without quoting; at most
        // [`Filter::MAX_IDS`], one bound value would be the slower way.
        let ids: Vec<String> = filter.id_list().iter().map(i64::to_string).collect();
        text += &format!(" AND u.id IN ({})", if ids.is_empty() { "NULL".into() } else { ids.join(", ") });
    }
    if !filter.manager.trim().is_empty() {
        text += &format!(" AND m.user_id_key = {}", sql.param(Bind::Text(filter.manager.trim().to_lowercase())));
    }
    for (id, value) in filter.own_values() {
        // A column removed since the address was made matches nobody.
        let Some((id, _)) = own.iter().find(|(c, _)| *c == id) else {
            text += " AND 1 = 0";
            continue;
        };
        // The indexed beginning first, for the index; then the whole value.
        let (held, whole) = (super::columns::held_value(backend, "u.extra", *id), super::columns::whole_value(backend, "u.extra", *id));
        let beginning = sql.param(Bind::Text(value.chars().take(crate::model::users::SORTED).collect()));
        text += &format!(" AND {held} = {beginning} AND {whole} = {}", sql.param(Bind::Text(value.to_string())));
    }
    if !filter.own_values().is_empty() || matches!(sort, Some(Sort::Own(_))) {
        // Written out, not bound: only so can SQLite use a column's index, which holds this tenant's users alone.
        text += &format!(" AND u.tenant_id = {tenant_id}");
    }
    sql.text = text;
    sql
}

/// The database's kind, and the tenant's columns with their ids, which
/// filters and sorts may name.
async fn context(conn: &mut AnyConnection, tenant_id: i64) -> Result<(Backend, Vec<(i64, TenantColumn)>), sqlx::Error> {
    let backend = if conn.backend_name() == "PostgreSQL" { Backend::Postgres } else { Backend::Sqlite };
    Ok((backend, super::columns::list_with_ids(conn, tenant_id).await?))
}

/// How many of the tenant's users match `filter`.
pub async fn total(conn: &mut AnyConnection, tenant_id: i64, filter: &Filter) -> Result<i64, sqlx::Error> {
    let (backend, own) = context(conn, tenant_id).await?;
    let mut count = matching(tenant_id, filter, None, Read::Count, backend, &own);
    count.text = format!("SELECT COUNT(*) AS n{}", count.text);
    count.query().fetch_one(&mut *conn).await?.try_get("n")
}

/// The User IDs of every user that matches `filter`, for changing them all at once.
pub async fn user_ids(conn: &mut AnyConnection, tenant_id: i64, filter: &Filter) -> Result<Vec<String>, sqlx::Error> {
    let (backend, own) = context(conn, tenant_id).await?;
    let mut sql = matching(tenant_id, filter, None, Read::Walk, backend, &own);
    sql.text = format!("SELECT u.user_id{} ORDER BY u.user_id_key", sql.text);
    sql.query().fetch_all(&mut *conn).await?.iter().map(|row| row.try_get("user_id")).collect()
}

/// One user of the tenant, with roles and groups.
pub async fn one(conn: &mut AnyConnection, tenant_id: i64, id: i64) -> Result<Option<crate::import::DirectoryUser>, sqlx::Error> {
    let query = ListQuery { filter: Filter { ids: id.to_string(), ..Filter::default() }, ..ListQuery::default() };
    Ok(rows(conn, tenant_id, &query, 1).await?.0.pop().map(|listed| listed.user))
}

pub async fn page(conn: &mut AnyConnection, tenant_id: i64, query: &ListQuery, size: i64) -> Result<UserPage, sqlx::Error> {
    let total = total(conn, tenant_id, &query.filter).await?;
    let read = if !query.filter.q.trim().is_empty() && total <= FEW { Read::Pick } else { Read::Walk };
    let (users, next, previous) = read_rows(conn, tenant_id, query, size, read).await?;
    let columns = super::columns::list_with_ids(conn, tenant_id).await?;
    Ok(UserPage { users, total, next, previous, columns })
}

/// One page of users, with the cursors of the next and previous pages.
pub async fn rows(
    conn: &mut AnyConnection,
    tenant_id: i64,
    query: &ListQuery,
    size: i64,
) -> Result<(Vec<Listed>, Option<Cursor>, Option<Cursor>), sqlx::Error> {
    read_rows(conn, tenant_id, query, size, Read::Walk).await
}

async fn read_rows(
    conn: &mut AnyConnection,
    tenant_id: i64,
    query: &ListQuery,
    size: i64,
    read: Read,
) -> Result<(Vec<Listed>, Option<Cursor>, Option<Cursor>), sqlx::Error> {
    let (backend, own) = context(conn, tenant_id).await?;
    // A column removed since the address was made: the list in its usual order.
    let query = &match query.sort {
        Sort::Own(id) if !own.iter().any(|(c, _)| *c == id) => ListQuery { sort: Sort::default(), after: None, before: None, ..query.clone() },
        _ => query.clone(),
    };
    let mut sql = matching(tenant_id, &query.filter, Some(query.sort), read, backend, &own);
    let key = column(query.sort, backend, &own);
    // Going back reads the previous page backwards, then turns it round.
    let backwards = query.before.is_some() && query.after.is_none();
    let ascending = query.descending == backwards;
    if let Some(cursor) = query.after.as_ref().or(query.before.as_ref()) {
        let value = match query.sort {
            Sort::Active => Bind::Int(cursor.key.parse().unwrap_or_default()),
            _ => Bind::Text(cursor.key.clone()),
        };
        let (value, id) = (sql.param(value), sql.param(Bind::Int(cursor.id)));
        let beyond = if ascending { ">" } else { "<" };
        sql.text += &format!(" AND ({key} {beyond} {value} OR ({key} = {value} AND u.id {beyond} {id}))");
    }
    let direction = if ascending { "ASC" } else { "DESC" };
    sql.text = format!("SELECT {USER_COLUMNS}{} ORDER BY {key} {direction}, u.id {direction} LIMIT {}", sql.text, size + 1);
    let rows = sql.query().fetch_all(&mut *conn).await?;
    let more = rows.len() as i64 > size;
    let listed = |row: &sqlx::any::AnyRow| {
        let mut user = user_from_row(row)?;
        user.values = super::columns::values_from_json(row.try_get("extra")?, &own);
        Ok(Listed { id: row.try_get("id")?, user, invitation: Default::default() })
    };
    let mut users = rows.iter().take(size as usize).map(listed).collect::<Result<Vec<_>, sqlx::Error>>()?;
    if backwards {
        users.reverse();
    }
    memberships(conn, &mut users).await?;
    let ids: Vec<i64> = users.iter().map(|l| l.id).collect();
    let mut invitations = super::links::invitations(conn, &ids, crate::clock::now()).await?;
    for listed in &mut users {
        listed.invitation = invitations.remove(&listed.id).unwrap_or_default();
    }
    let column_ids: Vec<i64> = own.iter().map(|(id, _)| *id).collect();
    let cursor = |listed: &Listed| Cursor { key: query.sort.key(&listed.user, &column_ids), id: listed.id };
    let (has_next, has_previous) = if backwards { (true, more) } else { (more, query.after.is_some()) };
    let next = users.last().filter(|_| has_next).map(cursor);
    let previous = users.first().filter(|_| has_previous).map(cursor);
    Ok((users, next, previous))
}

/// Fills in the roles and groups of the listed users.
async fn memberships(conn: &mut AnyConnection, users: &mut [Listed]) -> Result<(), sqlx::Error> {
    if users.is_empty() {
        return Ok(());
    }
    let at: HashMap<i64, usize> = users.iter().enumerate().map(|(i, l)| (l.id, i)).collect();
    let ids: Vec<String> = users.iter().map(|l| l.id.to_string()).collect();
    let ids = ids.join(", ");
    let queries = [
        format!("SELECT l.user_id, t.name FROM user_roles l JOIN roles t ON t.id = l.role_id WHERE l.user_id IN ({ids}) ORDER BY t.name"),
        format!(r#"SELECT l.user_id, t.name FROM user_groups l JOIN "groups" t ON t.id = l.group_id WHERE l.user_id IN ({ids}) ORDER BY t.name"#),
    ];
    for (kind, text) in queries.iter().enumerate() {
        for row in sqlx::query(text).fetch_all(&mut *conn).await? {
            let user = &mut users[at[&row.try_get::<i64, _>("user_id")?]].user;
            let name: crate::import::Name = row.try_get::<&str, _>("name")?.into();
            if kind == 0 { user.roles.push(name) } else { user.groups.push(name) }
        }
    }
    Ok(())
}

//! The writes of an applied batch, in its transaction: the batch's record,
//! the users, their memberships, the invitations and the history.

use super::rows::{cells, for_each_chunk, insert_rows, where_in, Cell, Cells, Counted};
use super::{Backend, StoreError};
use engine::domain::access::AccessLevel;
use engine::history::{ROLE_CREATED, ROLE_REMOVED};
use engine::import::columns::Column;
use engine::import::plan::{Change, Created, Field, Summary, Update};
use engine::import::tenant_columns::TenantColumn;
use engine::import::undo::describe;
use engine::import::{DirectoryUser, Folded, Name, Plan};
use crate::model::passwords::LinkKind;
use crate::model::users::search_text;
use rustc_hash::{FxHashMap, FxHashSet};
use sqlx::{AnyConnection, Row as _};
use std::collections::HashMap;

/// Who applies a batch.
pub struct Actor {
    pub id: i64,
    pub email: String,
    pub user_id: String,
    /// The hash of the session the batch came through, which outlives a
    /// change of the actor's own password; none from the command line.
    pub session: Option<String>,
}

/// What the history records of a batch besides its changes.
pub struct Recorded<'a> {
    pub key: &'a str,
    pub file_name: &'a str,
    pub checksum: &'a str,
    /// The import this batch undoes.
    pub undoes: Option<i64>,
}

/// A batch applied before under this key: its id, its checksum and what it did.
pub async fn applied_before(conn: &mut AnyConnection, tenant_id: i64, key: &str) -> Result<Option<(i64, String, Summary)>, StoreError> {
    let Some(row) = sqlx::query("SELECT id, checksum, added, updated, deleted, unchanged, roles_added FROM import_batches WHERE tenant_id = $1 AND batch_key = $2")
        .bind(tenant_id)
        .bind(key)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    let count = |name: &str| row.try_get::<i64, _>(name).map(|n| n as usize);
    let summary = Summary {
        added: count("added")?,
        updated: count("updated")?,
        deleted: count("deleted")?,
        unchanged: count("unchanged")?,
        roles_added: count("roles_added")?,
    };
    Ok(Some((row.try_get("id")?, row.try_get("checksum")?, summary)))
}

/// A valid plan, with its new users made again from their rows: what the writes take.
pub struct Planned<'a> {
    pub plan: &'a Plan,
    pub new_users: Vec<Created<'a>>,
    /// The roles an undo removes, as the directory names them.
    pub removed_roles: Vec<String>,
    /// The tenant's columns the plan was checked with, and their ids.
    pub columns: &'a [TenantColumn],
    pub column_ids: &'a [i64],
}

/// The batch's line in the history; returns its id.
pub async fn record_batch(
    conn: &mut AnyConnection,
    tenant_id: i64,
    actor: &Actor,
    batch: &Recorded<'_>,
    plan: &Plan,
    at: i64,
) -> Result<i64, StoreError> {
    let s = plan.summary();
    let row = sqlx::query(
        "INSERT INTO import_batches (tenant_id, batch_key, actor_user_id, actor_email, file_name, checksum,
                                     started_at, finished_at, status, added, updated, deleted, unchanged, roles_added, undoes_batch_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 'applied', $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(tenant_id)
    .bind(batch.key)
    .bind(actor.id)
    .bind(&actor.email)
    .bind(batch.file_name)
    .bind(batch.checksum)
    .bind(at)
    .bind(s.added as i64)
    .bind(s.updated as i64)
    .bind(s.deleted as i64)
    .bind(s.unchanged as i64)
    .bind(s.roles_added as i64)
    .bind(batch.undoes)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// The writes, in dependency order: roles, new users (managers first, each
/// with its manager), changed users, memberships, then deletions, and last
/// the roles an undo leaves unheld. Rows go
/// thousands a statement, not one round trip each.
/// Takes the tenant's users' ids by User ID and returns them with the new users'.
pub async fn apply<'a>(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant_id: i64,
    planned: &'a Planned<'a>,
    hashes: &'a HashMap<u32, String>,
    mut ids: Ids<'a>,
    at: i64,
) -> Result<Ids<'a>, StoreError> {
    let (plan, new_users) = (planned.plan, &planned.new_users);
    let roles: Vec<Cells> = plan.new_roles.iter().map(|role| cells![tenant_id, role.as_str(), role.to_lowercase()]).collect();
    insert_rows(conn, backend, "roles", &["tenant_id", "name", "name_key"], Box::new(roles.into_iter())).await?;
    // New users get their ids before they are written, so that each row
    // carries its manager's id: setting managers afterwards by UPDATE would
    // cost SQLite as much again as the insert (its foreign keys on users).
    let creates = managers_first(new_users);
    let new_ids = reserve_ids(conn, backend, creates.len()).await?;
    ids.extend(creates.iter().zip(&new_ids).map(|(c, id)| (Folded(&c.user.user_id), *id)));
    let manager_of = |u: &DirectoryUser| if u.reports_to.is_empty() { Ok(None) } else { id_of(&ids, &u.reports_to).map(Some) };
    let row = |mut cells: Cells<'a>, u: &'a DirectoryUser, row: u32, manager: Option<i64>, suffix: Cells<'a>| {
        cells.extend(field_values(u, hashes.get(&row), manager, planned.column_ids));
        cells.extend(suffix);
        cells.push(search_text(&u.first_name, &u.last_name, &u.user_id, &u.email).into());
        cells
    };
    // The managers' ids first, so that the rows can be made as they are written.
    let managers: Vec<Option<i64>> = creates.iter().map(|c| manager_of(&c.user)).collect::<Result<_, _>>()?;
    let users = creates.iter().zip(&new_ids).zip(managers).map(|((c, id), manager)| {
        let prefix = cells![*id, tenant_id, c.user.user_id.as_str(), c.user.user_id.as_str().to_lowercase()];
        row(prefix, &c.user, c.create.row, manager, cells![at, at])
    });
    // The databases check uniqueness row by row: the users whose address or
    // network account this batch gives to another let go of it first.
    // A key set aside is a space and the id: no address has a space.
    let [emails, networks] = handing_on(plan, new_users, &ids)?;
    where_in(conn, backend, "UPDATE users SET email_key = ' ' || CAST(id AS TEXT) WHERE id IN", &emails).await?;
    where_in(conn, backend, "UPDATE users SET network_account_key = NULL WHERE id IN", &networks).await?;
    let columns = [&["id", "tenant_id", "user_id", "user_id_key"][..], &FIELDS, &["created_at", "updated_at", "search"]].concat();
    insert_rows(conn, backend, "users", &columns, Box::new(users)).await?;
    let changed: Vec<(Cells, &[Change])> = plan
        .updates
        .iter()
        .map(|u| Ok((row(cells![id_of(&ids, &u.user.user_id)?], &u.user, u.row, manager_of(&u.user)?, cells![at]), &u.changes[..])))
        .collect::<Result<_, StoreError>>()?;
    update_users(conn, backend, changed).await?;

    let roles = names(conn, "SELECT id, name FROM roles WHERE tenant_id = $1", tenant_id).await?;
    let groups = names(conn, r#"SELECT id, name FROM "groups" WHERE tenant_id = $1"#, tenant_id).await?;
    let (roles, groups): (Ids, Ids) = (by_name(&roles), by_name(&groups));
    // Every new user's memberships; a changed user's only where the row
    // changes them (rewriting unchanged ones cost more than the update itself).
    let changes = |u: &Update, column: Column| u.changes.iter().any(|c| c.field == column);
    let touched = new_users.iter().map(|c| (&c.user, true, true, false));
    let touched = touched.chain(plan.updates.iter().map(|u| (&*u.user, changes(u, Column::Roles), changes(u, Column::Groups), true)));
    let (mut user_roles, mut user_groups) = (Vec::new(), Vec::new());
    let (mut roles_replaced, mut groups_replaced) = (Vec::new(), Vec::new());
    for (user, write_roles, write_groups, existing) in touched {
        let id = id_of(&ids, &user.user_id)?;
        let sides = [
            (write_roles, &user.roles, &roles, &mut user_roles, &mut roles_replaced),
            (write_groups, &user.groups, &groups, &mut user_groups, &mut groups_replaced),
        ];
        for (write, names, known, pairs, replaced) in sides {
            if !write {
                continue;
            }
            if existing {
                replaced.push(id);
            }
            for name in names {
                let other = known.get(&Folded(name)).copied().ok_or(StoreError::NotFound("role or group"))?;
                pairs.push(cells![id, other]);
            }
        }
    }
    where_in(conn, backend, "DELETE FROM user_roles WHERE user_id IN", &roles_replaced).await?;
    where_in(conn, backend, "DELETE FROM user_groups WHERE user_id IN", &groups_replaced).await?;
    insert_rows(conn, backend, "user_roles", &["user_id", "role_id"], Box::new(user_roles.into_iter())).await?;
    insert_rows(conn, backend, "user_groups", &["user_id", "group_id"], Box::new(user_groups.into_iter())).await?;

    let deleted: Vec<i64> = plan.deletes.iter().map(|d| id_of(&ids, &d.user.user_id)).collect::<Result<_, _>>()?;
    write_unique_values(conn, backend, planned, &ids, &deleted).await?;
    // Deleted users may report to each other; unlink them first.
    where_in(conn, backend, "UPDATE users SET reports_to = NULL WHERE id IN", &deleted).await?;
    where_in(conn, backend, "DELETE FROM users WHERE id IN", &deleted).await?;
    for role in &planned.removed_roles {
        // No user holds it now; the condition only makes sure of it.
        sqlx::query("DELETE FROM roles WHERE tenant_id = $1 AND name_key = $2 AND NOT EXISTS (SELECT 1 FROM user_roles l WHERE l.role_id = roles.id)")
            .bind(tenant_id)
            .bind(role.to_lowercase())
            .execute(&mut *conn)
            .await?;
    }
    Ok(ids)
}

/// What a changed user signed in with stops working: a new password or
/// address ends their sessions (but the one the acting admin works in) and the links
/// already sent, and a network account takes the place of their password.
/// A user made an admin loses the links sent before.
pub async fn end_old_credentials(conn: &mut AnyConnection, backend: Backend, plan: &Plan, ids: &Ids<'_>, actor: &Actor, at: i64) -> Result<(), StoreError> {
    let (mut ended, mut networked, mut promoted) = (Vec::new(), Vec::new(), Vec::new());
    for update in &plan.updates {
        // A change of case alone is the same address or account.
        let changed = |field: Column| update.changes.iter().any(|c| c.field == field && Folded(&c.old) != Folded(&c.new));
        let to_network = changed(Column::NetworkAccount) && !update.user.network_account.is_empty();
        // A link sent before, which an admin could have read in the outbox,
        // must not open an account that has become an admin's.
        if changed(Column::AccessLevel) && update.user.access == AccessLevel::Admin {
            promoted.push(id_of(ids, &update.user.user_id)?);
        }
        if to_network || changed(Column::Password) || changed(Column::Email) {
            let id = id_of(ids, &update.user.user_id)?;
            ended.push(id);
            if to_network {
                networked.push(id);
            }
        }
    }
    where_in(conn, backend, "UPDATE users SET password_hash = NULL WHERE id IN", &networked).await?;
    let links_ended: Vec<i64> = ended.iter().chain(&promoted).copied().collect();
    for statement in super::links::end_open(at) {
        where_in(conn, backend, &format!("{statement} IN"), &links_ended).await?;
    }
    // The actor keeps the session the batch came through, as after a change on the profile page.
    let own = ended.contains(&actor.id);
    ended.retain(|id| *id != actor.id);
    where_in(conn, backend, "DELETE FROM sessions WHERE user_id IN", &ended).await?;
    if own {
        super::sessions::delete_for_user(conn, actor.id, actor.session.as_deref()).await?;
    }
    Ok(())
}

/// The ids of the users, deleted or changed, whose e-mail address (first)
/// or network account (second) another user of the batch takes, which the
/// check allows.
fn handing_on(plan: &Plan, new_users: &[Created], ids: &Ids) -> Result<[Vec<i64>; 2], StoreError> {
    const KEYS: [Column; 2] = [Column::Email, Column::NetworkAccount];
    let deleted = plan.deletes.iter().flat_map(|d| [(0, &d.user.user_id, &d.user.email), (1, &d.user.user_id, &d.user.network_account)]);
    let changed = plan.updates.iter().flat_map(|u| {
        u.changes.iter().filter_map(|c| KEYS.iter().position(|key| c.field == *key).map(|key| (key, &u.user.user_id, &c.old)))
    });
    let old: Vec<(usize, &Name, &Name)> = deleted.chain(changed).filter(|(_, _, value)| !value.is_empty()).collect();
    let mut out = [Vec::new(), Vec::new()];
    if old.is_empty() {
        return Ok(out);
    }
    let mut taken: [FxHashSet<Folded>; 2] = Default::default();
    for user in new_users.iter().map(|c| &c.user).chain(plan.updates.iter().map(|u| &*u.user)) {
        taken[0].insert(Folded(&user.email));
        taken[1].insert(Folded(&user.network_account));
    }
    for (key, user_id, value) in old {
        if taken[key].contains(&Folded(value)) {
            out[key].push(id_of(ids, user_id)?);
        }
    }
    Ok(out)
}

/// The new users, each after any new user they report to, so that no chunk
/// names a manager that a later chunk writes (both databases check a
/// statement's own rows at its end). The plan has refused cycles; the
/// bound on a walk only keeps a bad plan from looping here.
fn managers_first<'a>(creates: &'a [Created<'a>]) -> Vec<&'a Created<'a>> {
    let index: FxHashMap<Folded, usize> = creates.iter().enumerate().map(|(i, c)| (Folded(&c.user.user_id), i)).collect();
    let manager = |i: usize| index.get(&Folded(&creates[i].user.reports_to)).copied();
    let mut depth: Vec<Option<usize>> = vec![None; creates.len()];
    for start in 0..creates.len() {
        let (mut path, mut at) = (Vec::new(), Some(start));
        while let Some(i) = at.filter(|&i| depth[i].is_none() && path.len() <= creates.len()) {
            path.push(i);
            at = manager(i);
        }
        let above = at.and_then(|i| depth[i]).map_or(0, |d| d + 1);
        for (step, i) in path.into_iter().rev().enumerate() {
            depth[i] = Some(above + step);
        }
    }
    let mut order: Vec<usize> = (0..creates.len()).collect();
    order.sort_by_key(|&i| depth[i]);
    order.into_iter().map(|i| &creates[i]).collect()
}

/// Ids for `count` new users. SQLite's writer holds the whole database
/// (`BEGIN IMMEDIATE`), so the ids after the highest ever given are free;
/// PostgreSQL hands them out from the table's sequence.
async fn reserve_ids(conn: &mut AnyConnection, backend: Backend, count: usize) -> Result<Vec<i64>, StoreError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    match backend {
        Backend::Sqlite => {
            let last: i64 = sqlx::query(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM users), 0),
                            COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'users'), 0)) AS last",
            )
            .fetch_one(conn)
            .await?
            .try_get("last")?;
            Ok((last + 1..=last + count as i64).collect())
        }
        Backend::Postgres => {
            let rows = sqlx::query("SELECT nextval(pg_get_serial_sequence('users', 'id')) AS id FROM generate_series(1, $1)")
                .bind(count as i64)
                .fetch_all(conn)
                .await?;
            Ok(rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?)
        }
    }
}

/// A message with a password link, made for the outbox.
pub struct Letter {
    pub user_id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub path: String,
    pub token_hash: String,
}

/// The new users' invitations, written with the batch: a batch that rolls
/// back sends nothing.
pub async fn queue_invitations(conn: &mut AnyConnection, backend: Backend, tenant_id: i64, letters: &[Letter], at: i64) -> Result<(), StoreError> {
    if letters.is_empty() {
        return Ok(());
    }
    let kind = LinkKind::Invitation;
    // Random keys written in order append to the key's index instead of
    // landing all over it.
    let mut links: Vec<(&str, i64)> = letters.iter().map(|l| (l.token_hash.as_str(), l.user_id)).collect();
    links.sort_unstable();
    let links = links.into_iter().map(|(hash, id)| cells![hash, id, kind.as_str(), at, at + kind.lifetime_secs()]);
    let columns = ["token_hash", "user_id", "kind", "created_at", "expires_at"];
    insert_rows(conn, backend, "password_links", &columns, Box::new(links)).await?;
    let letters = letters.iter().map(|l| {
        cells![tenant_id, l.user_id, kind.as_str(), l.recipient.as_str(), l.subject.as_str(), l.body.as_str(), l.path.as_str(), at, at]
    });
    let columns = ["tenant_id", "user_id", "kind", "recipient", "subject", "body", "link", "created_at", "next_attempt_at"];
    insert_rows(conn, backend, "outbox", &columns, Box::new(letters)).await
}

/// The unique columns' values once more, folded, where the database keeps
/// each value to one user: the rows of the deleted users and of the changed
/// values go first, then the new ones are written.
async fn write_unique_values(conn: &mut AnyConnection, backend: Backend, planned: &Planned<'_>, ids: &Ids<'_>, deleted: &[i64]) -> Result<(), StoreError> {
    let unique: Vec<(usize, i64)> = (planned.columns.iter().zip(planned.column_ids).enumerate())
        .filter(|(_, (column, _))| column.unique)
        .map(|(index, (_, id))| (index, *id))
        .collect();
    if unique.is_empty() {
        return Ok(());
    }
    let plan = planned.plan;
    let touches = |u: &Update| u.changes.iter().any(|c| unique.iter().any(|(index, _)| c.field == Field::Own(planned.columns[*index].name.as_str().into())));
    let changed: Vec<&DirectoryUser> = plan.updates.iter().filter(|u| touches(u)).map(|u| &*u.user).collect();
    let mut cleared: Vec<i64> = changed.iter().map(|u| id_of(ids, &u.user_id)).collect::<Result<_, _>>()?;
    cleared.extend_from_slice(deleted);
    where_in(conn, backend, "DELETE FROM unique_values WHERE user_id IN", &cleared).await?;
    let mut rows = Vec::new();
    for user in planned.new_users.iter().map(|c| &c.user).chain(changed) {
        let id = id_of(ids, &user.user_id)?;
        for (index, column_id) in &unique {
            let value = &user.values[*index];
            if !value.is_empty() {
                rows.push(cells![*column_id, super::columns::unique_key(value), id]);
            }
        }
    }
    insert_rows(conn, backend, "unique_values", &["column_id", "value_key", "user_id"], Box::new(rows.into_iter())).await
}

/// The columns an import writes for every new or changed user, in the
/// order of [`field_values`].
const FIELDS: [&str; 16] = [
    "email", "email_key", "first_name", "last_name", "title", "phone", "phone2", "network_account",
    "network_account_key", "password_hash", "locale", "access_level", "active", "task_notification", "reports_to", "extra",
];

/// `column_ids` are those of the tenant's columns, in the order of the user's values.
fn field_values<'a>(u: &'a DirectoryUser, password_hash: Option<&'a String>, manager: Option<i64>, column_ids: &[i64]) -> Cells<'a> {
    let network = (!u.network_account.is_empty()).then_some(u.network_account.as_str());
    cells![
        u.email.as_str(), u.email.as_str().to_lowercase(), u.first_name.as_str(), u.last_name.as_str(), u.title.as_str(),
        u.phone.as_str(), u.phone2.as_str(), network, network.map(str::to_lowercase), password_hash.map(String::as_str),
        u.locale.as_str(), u.access.as_str(), i64::from(u.active), u.task_notification.as_str(), manager,
        super::columns::values_json(&u.values, column_ids),
    ]
}

/// The columns of `users` that a change of `field` rewrites; memberships
/// and the columns that only steer an import rewrite none.
fn written_by(field: &Field) -> &'static [&'static str] {
    let Field::BuiltIn(field) = field else { return &["extra"] };
    match field {
        Column::Email => &["email", "email_key", "search"],
        Column::FirstName => &["first_name", "search"],
        Column::LastName => &["last_name", "search"],
        Column::Title => &["title"],
        Column::Phone => &["phone"],
        Column::Phone2 => &["phone2"],
        Column::NetworkAccount => &["network_account", "network_account_key"],
        Column::Password => &["password_hash"],
        Column::Locale => &["locale"],
        Column::AccessLevel => &["access_level"],
        Column::Active => &["active"],
        Column::ReportsTo => &["reports_to"],
        Column::TaskNotification => &["task_notification"],
        Column::Action | Column::UserId | Column::Roles | Column::Groups | Column::NotifyIfNew | Column::Tenant
        | Column::CopyFrom | Column::CopyRoles | Column::CopyGroups => &[],
    }
}

/// Changed users, each row `[id, FIELDS…, updated_at, search]` with the
/// changes it makes. Rows that change the same columns share a statement
/// that sets only those: setting every column made SQLite rewrite all
/// thirteen indexes of each row, even for a new title.
async fn update_users(conn: &mut AnyConnection, backend: Backend, rows: Vec<(Cells<'_>, &[Change])>) -> Result<(), StoreError> {
    let columns: Vec<&str> = FIELDS.iter().copied().chain(["updated_at", "search"]).collect();
    let mut groups: HashMap<Vec<usize>, Vec<Cells>> = HashMap::new();
    for (row, changes) in rows {
        let written = changes.iter().flat_map(|c| written_by(&c.field)).chain(&["updated_at"]);
        let mut set: Vec<usize> = written.filter_map(|name| columns.iter().position(|c| c == name)).collect();
        set.sort_unstable();
        set.dedup();
        groups.entry(set).or_default().push(row);
    }
    for (set, rows) in groups {
        // A chunk binds every column of its rows; `v.columnN` is the Nth.
        let sets: Vec<String> = set
            .iter()
            .map(|&i| {
                let (name, new) = (columns[i], format!("v.column{}", i + 2));
                if name == "password_hash" { format!("{name} = COALESCE({new}, {name})") } else { format!("{name} = {new}") }
            })
            .collect();
        let sets = sets.join(", ");
        let sql = |values: &str| format!("UPDATE users SET {sets} FROM (VALUES {values}) AS v WHERE users.id = v.column1");
        // Each set of columns has its own statement: not kept.
        for_each_chunk(conn, backend, 1 + columns.len(), Box::new(rows.into_iter()), sql, false).await?;
    }
    Ok(())
}

/// The field-by-field history, and one audit event per changed user.
pub async fn record_changes<'a>(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant_id: i64,
    batch_id: i64,
    actor: &'a Actor,
    planned: &'a Planned<'a>,
    at: i64,
) -> Result<(), StoreError> {
    let (plan, new_users) = (planned.plan, &planned.new_users);
    // One line a field changed; a created or deleted user's line describes
    // them whole; a role created or removed has a line with no row or user.
    let line = |row: Option<u32>, user: &'a str, action: &'static str, field: &'a str, old: Cell<'a>, new: Cell<'a>| {
        vec![Cell::from(batch_id), row.map(i64::from).into(), user.into(), action.into(), field.into(), old, new]
    };
    let (roles, user_id, own) = (Column::Roles.name(), Column::UserId.name(), planned.columns);
    let roles_created = plan.new_roles.iter().map(move |role| line(None, "", ROLE_CREATED, roles, "".into(), role.as_str().into()));
    let roles_removed = planned.removed_roles.iter().map(move |role| line(None, "", ROLE_REMOVED, roles, role.as_str().into(), "".into()));
    let created = new_users.iter().map(move |c| {
        line(Some(c.create.row), c.user.user_id.as_str(), "create", user_id, "".into(), describe(&c.user, c.create.password.is_some(), own).into())
    });
    let updated = plan.updates.iter().flat_map(move |u| {
        u.changes.iter().map(move |change| line(Some(u.row), u.user.user_id.as_str(), "update", change.field.name(), change.old.as_str().into(), change.new.as_str().into()))
    });
    let deleted = plan.deletes.iter().map(move |d| {
        line(Some(d.row), d.user.user_id.as_str(), "delete", user_id, describe(&d.user, d.user.has_password, own).into(), "".into())
    });
    let count = plan.new_roles.len() + plan.creates.len() + plan.updates.iter().map(|u| u.changes.len()).sum::<usize>() + plan.deletes.len() + planned.removed_roles.len();
    let rows = Counted { rows: roles_created.chain(created).chain(updated).chain(deleted).chain(roles_removed), left: count };
    let columns = ["batch_id", "row_number", "user_key", "action", "field", "old_value", "new_value"];
    insert_rows(conn, backend, "import_changes", &columns, Box::new(rows)).await?;

    // The batch's start, one event a user, the batch's end: all in the batch's
    // transaction, so that the log never shows a start without its end.
    let batch = format!("batch {batch_id}");
    let started = std::iter::once(("batch_started", batch.as_str()));
    let authz = |u: &Update| u.changes.iter().any(|c| [Column::AccessLevel, Column::Roles, Column::Active].iter().any(|column| c.field == *column));
    let created = new_users.iter().map(|c| ("user_created", c.user.user_id.as_str()));
    let updated = plan.updates.iter().map(|u| (if authz(u) { "authz_change" } else { "user_updated" }, u.user.user_id.as_str()));
    let deleted = plan.deletes.iter().map(|d| ("user_deleted", d.user.user_id.as_str()));
    let roles_removed = planned.removed_roles.iter().map(|role| ("role_deleted", role.as_str()));
    let finished = std::iter::once(("batch_finished", batch.as_str()));
    let events = started.chain(created).chain(updated).chain(deleted).chain(roles_removed).chain(finished);
    let events = events.map(move |(event, target)| cells![tenant_id, at, actor.email.as_str(), event, target, batch_id]);
    let left = 1 + plan.creates.len() + plan.updates.len() + plan.deletes.len() + planned.removed_roles.len() + 1;
    let columns = ["tenant_id", "at", "actor", "event", "target", "batch_id"];
    insert_rows(conn, backend, "audit_events", &columns, Box::new(Counted { rows: events, left })).await?;
    Ok(())
}

/// A change of one of the tenant's columns in many users at once (a choice
/// renamed, a column removed): one batch of the history, labelled `label`,
/// with a line for each user's value of `field`, old → new.
pub async fn record_column_change(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant_id: i64,
    actor: &Actor,
    label: &str,
    field: &str,
    changes: &[(&str, &str, &str)],
    at: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO import_batches (tenant_id, batch_key, actor_user_id, actor_email, file_name, checksum,
                                     started_at, finished_at, status, added, updated, deleted, unchanged, roles_added)
         VALUES ($1, $2, $3, $4, $5, '', $6, $6, 'applied', 0, $7, 0, 0, 0) RETURNING id",
    )
    .bind(tenant_id)
    .bind(format!("columns-{}", crate::clock::now_nanos()))
    .bind(actor.id)
    .bind(&actor.email)
    .bind(label)
    .bind(at)
    .bind(changes.len() as i64)
    .fetch_one(&mut *conn)
    .await?;
    let batch_id: i64 = row.try_get("id")?;
    let lines = changes.iter().map(|(user, old, new)| cells![batch_id, None::<i64>, *user, "update", field, *old, *new]);
    let columns = ["batch_id", "row_number", "user_key", "action", "field", "old_value", "new_value"];
    insert_rows(conn, backend, "import_changes", &columns, Box::new(lines)).await?;
    Ok(batch_id)
}

/// The names and ids a query gives.
async fn names(conn: &mut AnyConnection, query: &str, tenant_id: i64) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query(query).bind(tenant_id).fetch_all(conn).await?;
    rows.iter().map(|r| Ok((r.try_get("name")?, r.try_get("id")?))).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
}

fn by_name(names: &[(String, i64)]) -> Ids<'_> {
    names.iter().map(|(name, id)| (Folded(name), *id)).collect()
}

/// Ids by name, matched as the check matches names (whatever the case, with
/// no lower-cased copy): users' by User ID, roles' and groups' by name.
pub type Ids<'a> = FxHashMap<Folded<'a>, i64>;

pub fn id_of(ids: &Ids<'_>, user_id: &str) -> Result<i64, StoreError> {
    ids.get(&Folded(user_id)).copied().ok_or(StoreError::NotFound("user"))
}


#[cfg(test)]
mod tests {
    use super::*;
    use engine::import::plan::Create;
    use engine::import::Directory;

    fn create(user_id: &str, reports_to: &str) -> Created<'static> {
        let user = DirectoryUser { user_id: user_id.into(), reports_to: reports_to.into(), ..DirectoryUser::new(&Directory::default()) };
        let create = Box::leak(Box::new(Create { row: 0, reports_to: user.reports_to.clone(), password: None, invite: false }));
        Created { create, user }
    }

    #[test]
    fn new_users_come_after_the_new_managers_they_report_to() {
        // Written in this order, each of d, c and b would name a manager not written yet.
        let creates = [create("d", "C"), create("c", "b"), create("b", "a"), create("a", "existing"), create("e", "")];
        let order: Vec<&str> = managers_first(&creates).iter().map(|c| c.user.user_id.as_str()).collect();
        assert_eq!(order, ["a", "e", "b", "c", "d"]);
    }

    #[test]
    fn a_cycle_that_slipped_through_still_ends() {
        let creates = [create("a", "b"), create("b", "a")];
        assert_eq!(managers_first(&creates).len(), 2);
    }
}

//! Applies a checked batch in one transaction: every row or none. The batch
//! is checked again inside the transaction, against the directory as it is
//! then, with the writers of the tenant queued behind one lock.

use super::{directory, StoreError};
use crate::auth::password_hash;
use crate::domain::access::AccessLevel;
use crate::import::columns::Column;
use crate::import::plan::{created_all, Change, Created, Summary, Update};
use crate::import::columns::map_headings;
use crate::history::{ROLE_CREATED, ROLE_REMOVED};
use crate::import::undo::{describe, roles_left_unheld, with_removed_roles};
use crate::import::{check_read, DirectoryUser, Folded, Name, Plan};
use crate::passwords::{letters, LinkKind};
use crate::sheet::{ReadError, Sheet};
use crate::state::now;
use crate::store::{Backend, Db};
use crate::users::search_text;
use rustc_hash::{FxHashMap, FxHashSet};
use sqlx::{AnyConnection, Row as _};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

/// One batch, as the admin confirmed it.
pub struct Batch<'a> {
    /// Chosen by the client; a second commit with the same key applies nothing.
    pub key: &'a str,
    pub file_name: &'a str,
    /// The sheet's checksum without its passwords ([`crate::import::history_checksum`]).
    pub checksum: String,
    pub sheet: &'a Result<Sheet, ReadError>,
    /// The directory version and plan digest of the preview, if there was one.
    pub previewed: Option<(i64, String)>,
    /// The import this batch undoes.
    pub undoes: Option<Undoing<'a>>,
}

/// What an undo takes back besides its rows.
pub struct Undoing<'a> {
    pub batch_id: i64,
    /// The roles that import created: those no user holds after the undo go.
    pub created_roles: &'a [String],
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
    #[error("A password could not be hashed; nothing was imported. Please try again.")]
    Hashing,
    /// Found under the lock: another admin may have blocked or demoted this one meanwhile.
    #[error("You are no longer an active admin of this organisation; nothing was imported.")]
    NotAdmin,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CommitError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

pub async fn commit(db: &Db, tenant_id: i64, actor: &Actor, batch: &Batch<'_>) -> Result<Committed, CommitError> {
    let (sheet, checksum) = (batch.sheet, &batch.checksum);
    // Checked outside the lock (for passwords) and again inside it.
    let has_passwords = sheet.as_ref().is_ok_and(|s| map_headings(&s.headings).0.has(Column::Password));
    // Passwords are hashed before the lock is taken, so that writers wait
    // only for writes, not for Argon2. A file without passwords skips this.
    let hashes = if has_passwords {
        let mut conn = db.pool.acquire().await?;
        let directory = directory::load(&mut conn, tenant_id, Some(actor.user_id.clone())).await?;
        hash_passwords(&check_read(sheet, &directory)).await?
    } else {
        HashMap::new()
    };

    let mut tx = db.begin_directory_write(tenant_id).await?;
    if let Some(row) = sqlx::query("SELECT id, checksum, added, updated, deleted, unchanged, roles_added FROM import_batches WHERE tenant_id = $1 AND batch_key = $2")
        .bind(tenant_id)
        .bind(batch.key)
        .fetch_optional(&mut *tx)
        .await?
    {
        if row.try_get::<String, _>("checksum")? != *checksum {
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
    let (directory, user_ids) = directory::load_with_ids(&mut tx, tenant_id, Some(actor.user_id.clone())).await?;
    let admin = directory.users.iter().find(|u| Folded(&u.user_id) == Folded(&actor.user_id));
    if !admin.is_some_and(|u| u.active && u.access == AccessLevel::Admin) {
        return Err(CommitError::NotAdmin);
    }
    let plan = check_read(sheet, &directory);
    let sheet = match sheet {
        Ok(sheet) if plan.is_valid() => sheet,
        _ => return Ok(Committed::Refused(Box::new(plan))),
    };
    let new_users = created_all(&plan, sheet, &directory).ok_or(StoreError::NotFound("a new user's row"))?;
    let removed_roles = batch
        .undoes
        .as_ref()
        .map_or_else(Vec::new, |undoing| roles_left_unheld(undoing.created_roles, &directory, &plan, new_users.iter().map(|c| &c.user)));
    if let Some((version, digest)) = &batch.previewed {
        if *version != directory.version && *digest != with_removed_roles(plan.digest(sheet, &directory), &removed_roles) {
            return Err(CommitError::Stale);
        }
    }
    let planned = Planned { plan: &plan, new_users, removed_roles };
    // A password the check outside the lock did not see (its row changed
    // meaning since) is not hashed here, holding every writer up: check again.
    let mut passwords = plan.creates.iter().map(|c| (c.row, &c.password)).chain(plan.updates.iter().map(|u| (u.row, &u.password)));
    if passwords.any(|(row, password)| password.is_some() && !hashes.contains_key(&row)) {
        return Err(CommitError::Stale);
    }
    let at = now();
    let batch_id = record_batch(&mut tx, tenant_id, actor, batch, &plan, at).await?;
    let ids = directory.users.iter().zip(user_ids).map(|(user, id)| (Folded(&user.user_id), id)).collect();
    let ids = apply(&mut tx, db.backend, tenant_id, &planned, &hashes, ids, at).await?;
    end_old_credentials(&mut tx, db.backend, &plan, &ids, actor.id, at).await?;
    queue_invitations(&mut tx, db.backend, tenant_id, actor, &planned.new_users, &ids, at).await?;
    record_changes(&mut tx, db.backend, tenant_id, batch_id, actor, &planned, at).await?;
    super::tenants::bump_version(&mut tx, tenant_id).await?;
    tx.commit().await?;
    drop(planned);
    Ok(Committed::Applied { batch_id, plan: Box::new(plan) })
}

/// A valid plan, with its new users made again from their rows: what the writes take.
struct Planned<'a> {
    plan: &'a Plan,
    new_users: Vec<Created<'a>>,
    /// The roles an undo removes, as the directory names them.
    removed_roles: Vec<String>,
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
        let hash = task.await.map_err(|_| CommitError::Hashing)?.map_err(|_| CommitError::Hashing)?;
        hashes.insert(row, hash);
    }
    Ok(hashes)
}

async fn record_batch(
    conn: &mut AnyConnection,
    tenant_id: i64,
    actor: &Actor,
    batch: &Batch<'_>,
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
    .bind(&batch.checksum)
    .bind(at)
    .bind(s.added as i64)
    .bind(s.updated as i64)
    .bind(s.deleted as i64)
    .bind(s.unchanged as i64)
    .bind(s.roles_added as i64)
    .bind(batch.undoes.as_ref().map(|u| u.batch_id))
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// The writes, in dependency order: roles, new users (managers first, each
/// with its manager), changed users, memberships, then deletions, and last
/// the roles an undo leaves unheld. Rows go
/// thousands a statement, not one round trip each.
/// Takes the tenant's users' ids by User ID and returns them with the new users'.
async fn apply<'a>(
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
    // carries its manager's id: setting managers afterwards by UPDATE cost
    // SQLite as much again as the insert (its foreign keys on users).
    let creates = managers_first(new_users);
    let new_ids = reserve_ids(conn, backend, creates.len()).await?;
    ids.extend(creates.iter().zip(&new_ids).map(|(c, id)| (Folded(&c.user.user_id), *id)));
    let manager_of = |u: &DirectoryUser| if u.reports_to.is_empty() { Ok(None) } else { id_of(&ids, &u.reports_to).map(Some) };
    let row = |mut cells: Cells<'a>, u: &'a DirectoryUser, row: u32, manager: Option<i64>, suffix: Cells<'a>| {
        cells.extend(field_values(u, hashes.get(&row), manager));
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
/// address ends their sessions (but the acting admin's own) and the links
/// already sent, and a network account takes the place of their password.
async fn end_old_credentials(conn: &mut AnyConnection, backend: Backend, plan: &Plan, ids: &Ids<'_>, actor: i64, at: i64) -> Result<(), StoreError> {
    let (mut ended, mut networked) = (Vec::new(), Vec::new());
    for update in &plan.updates {
        // A change of case alone is the same address or account.
        let changed = |field: Column| update.changes.iter().any(|c| c.field == field && Folded(&c.old) != Folded(&c.new));
        let to_network = changed(Column::NetworkAccount) && !update.user.network_account.is_empty();
        if to_network || changed(Column::Password) || changed(Column::Email) {
            let id = id_of(ids, &update.user.user_id)?;
            ended.push(id);
            if to_network {
                networked.push(id);
            }
        }
    }
    where_in(conn, backend, "UPDATE users SET password_hash = NULL WHERE id IN", &networked).await?;
    for statement in crate::store::links::end_open(at) {
        where_in(conn, backend, &format!("{statement} IN"), &ended).await?;
    }
    ended.retain(|id| *id != actor);
    where_in(conn, backend, "DELETE FROM sessions WHERE user_id IN", &ended).await?;
    Ok(())
}

/// The ids of the users, deleted or changed, whose e-mail address (first)
/// or network account (second) another user of the batch takes, which the
/// check allows.
fn handing_on(plan: &Plan, new_users: &[Created], ids: &Ids) -> Result<[Vec<i64>; 2], StoreError> {
    const KEYS: [Column; 2] = [Column::Email, Column::NetworkAccount];
    let deleted = plan.deletes.iter().flat_map(|d| [(0, &d.user.user_id, &d.user.email), (1, &d.user.user_id, &d.user.network_account)]);
    let changed = plan.updates.iter().flat_map(|u| {
        u.changes.iter().filter_map(|c| KEYS.iter().position(|key| *key == c.field).map(|key| (key, &u.user.user_id, &c.old)))
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

/// An invitation for each new user with Notify If New, written with the
/// batch: a batch that rolls back sends nothing.
async fn queue_invitations(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant_id: i64,
    actor: &Actor,
    new_users: &[Created<'_>],
    ids: &Ids<'_>,
    at: i64,
) -> Result<(), StoreError> {
    let invited: Vec<&DirectoryUser> = new_users.iter().filter(|c| c.create.invite).map(|c| &c.user).collect();
    if invited.is_empty() {
        return Ok(());
    }
    let inviter = super::users::signature(conn, actor.id).await?;
    let tenant = super::tenants::name(conn, tenant_id).await?;
    let (mut links, mut letters) = (Vec::with_capacity(invited.len()), Vec::with_capacity(invited.len()));
    let kind = LinkKind::Invitation;
    for user in invited {
        let id = id_of(ids, &user.user_id)?;
        let letters::NewLink { path, token_hash } = letters::new_link();
        let to = letters::Addressee { id, first_name: &user.first_name, user_id: &user.user_id, email: &user.email };
        let (subject, body) = letters::letter(kind, &tenant, Some(&inviter), &to);
        links.push((token_hash, id));
        letters.push(cells![tenant_id, id, kind.as_str(), user.email.as_str(), subject, body, path, at, at]);
    }
    // Random keys written in order append to the key's index instead of
    // landing all over it.
    links.sort_unstable();
    let links: Vec<Cells> = links.into_iter().map(|(hash, id)| cells![hash, id, kind.as_str(), at, at + kind.lifetime_secs()]).collect();
    let columns = ["token_hash", "user_id", "kind", "created_at", "expires_at"];
    insert_rows(conn, backend, "password_links", &columns, Box::new(links.into_iter())).await?;
    let columns = ["tenant_id", "user_id", "kind", "recipient", "subject", "body", "link", "created_at", "next_attempt_at"];
    insert_rows(conn, backend, "outbox", &columns, Box::new(letters.into_iter())).await
}

/// Inserts many rows, as many bound values a statement as the database
/// takes. Rows sent as one JSON array a chunk cost SQLite more to take apart
/// (`->>` for every value) than the writes themselves; one statement a row
/// costs a round trip each.
/// The rows are made as they are written, a statement's worth at a time:
/// a million new users' rows made at once held a gigabyte.
async fn insert_rows<'a>(conn: &mut AnyConnection, backend: Backend, table: &str, columns: &[&str], rows: Rows<'a>) -> Result<(), StoreError> {
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let set_aside = set_indexes_aside(conn, backend, table, rows.len()).await?;
    for_each_chunk(conn, backend, columns.len(), rows, |values| format!("{head}{values}"), true).await?;
    for create in set_aside {
        sqlx::query(&create).execute(&mut *conn).await?;
    }
    Ok(())
}

/// SQLite keeps every index of a table in order as each row goes in, which
/// for rows that at least double the table costs more than building the
/// index afresh once they are in (one sort): 100,000 new users took 1.6 s
/// with the ten indexes of `users` kept up and 1.2 s with them rebuilt.
/// Such indexes are dropped here and built again by the caller inside the
/// same transaction, so a batch that fails leaves them as they were. The
/// indexes of UNIQUE constraints stay: they are the constraints. Returns the
/// statements that build the dropped ones again.
async fn set_indexes_aside(conn: &mut AnyConnection, backend: Backend, table: &str, adding: usize) -> Result<Vec<String>, StoreError> {
    // Small batches keep the indexes: dropping one makes every connection prepare its statements again.
    if backend != Backend::Sqlite || adding < 1_000 {
        return Ok(Vec::new());
    }
    let highest: Option<i64> = sqlx::query(&format!("SELECT MAX(rowid) AS n FROM {table}")).fetch_one(&mut *conn).await?.try_get("n")?;
    if adding as i64 <= highest.unwrap_or(0) {
        return Ok(Vec::new());
    }
    let indexes = sqlx::query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL")
        .bind(table.trim_matches('"'))
        .fetch_all(&mut *conn)
        .await?;
    let mut creates = Vec::with_capacity(indexes.len());
    for index in indexes {
        let name: String = index.try_get("name")?;
        sqlx::query(&format!(r#"DROP INDEX "{name}""#)).execute(&mut *conn).await?;
        creates.push(index.try_get("sql")?);
    }
    Ok(creates)
}

/// One value to write: an integer or a text, either maybe null (typed, as
/// PostgreSQL wants its nulls), the text borrowed from the batch where it can be.
enum Cell<'a> {
    Int(Option<i64>),
    Text(Option<Cow<'a, str>>),
}

type Cells<'a> = Vec<Cell<'a>>;

/// Rows to write, made as they are taken. Boxed: a server function's future
/// must be `Send`, which the compiler cannot show for the closures' own types.
type Rows<'a> = Box<dyn ExactSizeIterator<Item = Cells<'a>> + Send + 'a>;

/// Rows from an iterator that cannot tell its length (chained, flattened),
/// counted beforehand.
struct Counted<I> {
    rows: I,
    left: usize,
}

impl<I: Iterator> Iterator for Counted<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let row = self.rows.next()?;
        self.left = self.left.saturating_sub(1);
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<I: Iterator> ExactSizeIterator for Counted<I> {}

/// A row of anything that converts into a [`Cell`].
macro_rules! cells {
    ($($value:expr),* $(,)?) => { vec![$(Cell::from($value)),*] };
}
use cells;

impl From<i64> for Cell<'_> {
    fn from(value: i64) -> Self {
        Cell::Int(Some(value))
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(value: Option<i64>) -> Self {
        Cell::Int(value)
    }
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(value: &'a str) -> Self {
        Cell::Text(Some(Cow::Borrowed(value)))
    }
}

impl From<String> for Cell<'_> {
    fn from(value: String) -> Self {
        Cell::Text(Some(Cow::Owned(value)))
    }
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Cell::Text(value.map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Cell<'_> {
    fn from(value: Option<String>) -> Self {
        Cell::Text(value.map(Cow::Owned))
    }
}

/// The most values one statement binds (SQLite takes 32,766, PostgreSQL
/// 65,535). Statements this size are kept prepared (about 0.7 MB each in
/// SQLite, a quarter of one at its limit): preparing one again for each
/// chunk took 6% of an import's time, and smaller ones cost a round trip each.
const MAX_VALUES: usize = 8_192;

/// Runs the statement that `sql` makes of a `VALUES` list once per chunk of
/// rows, each row `columns` values long. With `keep`, full chunks'
/// statements stay prepared in the connection: for statements that are few
/// and always the same (one a table), not for those each batch makes anew.
async fn for_each_chunk<'a>(
    conn: &mut AnyConnection,
    backend: Backend,
    columns: usize,
    mut rows: Rows<'a>,
    sql: impl Fn(&str) -> String,
    keep: bool,
) -> Result<(), StoreError> {
    let (mut statement, mut chunk) = ((0, String::new()), Vec::new());
    loop {
        chunk.clear();
        let full = MAX_VALUES / columns;
        chunk.extend(rows.by_ref().take(full));
        if chunk.is_empty() {
            return Ok(());
        }
        if statement.0 != chunk.len() {
            statement = (chunk.len(), sql(&values_list(backend, columns, chunk.len())));
        }
        let mut query = sqlx::query(&statement.1).persistent(keep && chunk.len() == full);
        for cell in chunk.iter().flatten() {
            query = match cell {
                Cell::Int(value) => query.bind(*value),
                Cell::Text(value) => query.bind(value.as_deref()),
            };
        }
        query.execute(&mut *conn).await?;
    }
}

/// `(?, ?), (?, ?)` for SQLite, `($1, $2), ($3, $4)` for PostgreSQL: SQLite
/// looks numbered names up one by one, which thousands of them make slow.
fn values_list(backend: Backend, columns: usize, rows: usize) -> String {
    let mut list = String::with_capacity(rows * columns * 8);
    for at in 0..rows * columns {
        let separator = match (at % columns, at) {
            (_, 0) => "(",
            (0, _) => "), (",
            _ => ", ",
        };
        list.push_str(separator);
        match backend {
            Backend::Sqlite => list.push('?'),
            Backend::Postgres => write!(list, "${}", at + 1).expect("a String takes any text"),
        }
    }
    list.push(')');
    list
}

/// The columns an import writes for every new or changed user, in the
/// order of [`field_values`].
const FIELDS: [&str; 15] = [
    "email", "email_key", "first_name", "last_name", "title", "phone", "phone2", "network_account",
    "network_account_key", "password_hash", "locale", "access_level", "active", "task_notification", "reports_to",
];

fn field_values<'a>(u: &'a DirectoryUser, password_hash: Option<&'a String>, manager: Option<i64>) -> Cells<'a> {
    let network = (!u.network_account.is_empty()).then_some(u.network_account.as_str());
    cells![
        u.email.as_str(), u.email.as_str().to_lowercase(), u.first_name.as_str(), u.last_name.as_str(), u.title.as_str(),
        u.phone.as_str(), u.phone2.as_str(), network, network.map(str::to_lowercase), password_hash.map(String::as_str),
        u.locale.as_str(), u.access.as_str(), i64::from(u.active), u.task_notification.as_str(), manager,
    ]
}

/// The columns of `users` that a change of `field` rewrites; memberships
/// and the columns that only steer an import rewrite none.
fn written_by(field: Column) -> &'static [&'static str] {
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
        let written = changes.iter().flat_map(|c| written_by(c.field)).chain(&["updated_at"]);
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

/// `… WHERE column IN (ids)`: `statement` ends with `IN`.
async fn where_in(conn: &mut AnyConnection, backend: Backend, statement: &str, ids: &[i64]) -> Result<(), StoreError> {
    let rows = Box::new(ids.iter().map(|&id| cells![id]));
    for_each_chunk(conn, backend, 1, rows, |values| format!("{statement} (VALUES {values})"), true).await
}

/// The field-by-field history, and one audit event per changed user.
async fn record_changes<'a>(
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
    let line = |row: Option<u32>, user: &'a str, action: &'static str, field: Column, old: Cell<'a>, new: Cell<'a>| {
        vec![Cell::from(batch_id), row.map(i64::from).into(), user.into(), action.into(), field.name().into(), old, new]
    };
    let roles_created = plan.new_roles.iter().map(move |role| line(None, "", ROLE_CREATED, Column::Roles, "".into(), role.as_str().into()));
    let roles_removed = planned.removed_roles.iter().map(move |role| line(None, "", ROLE_REMOVED, Column::Roles, role.as_str().into(), "".into()));
    let created = new_users.iter().map(move |c| {
        line(Some(c.create.row), c.user.user_id.as_str(), "create", Column::UserId, "".into(), describe(&c.user, c.create.password.is_some()).into())
    });
    let updated = plan.updates.iter().flat_map(move |u| {
        u.changes.iter().map(move |change| line(Some(u.row), u.user.user_id.as_str(), "update", change.field, change.old.as_str().into(), change.new.as_str().into()))
    });
    let deleted = plan.deletes.iter().map(move |d| {
        line(Some(d.row), d.user.user_id.as_str(), "delete", Column::UserId, describe(&d.user, d.user.has_password).into(), "".into())
    });
    let count = plan.new_roles.len() + plan.creates.len() + plan.updates.iter().map(|u| u.changes.len()).sum::<usize>() + plan.deletes.len() + planned.removed_roles.len();
    let rows = Counted { rows: roles_created.chain(created).chain(updated).chain(deleted).chain(roles_removed), left: count };
    let columns = ["batch_id", "row_number", "user_key", "action", "field", "old_value", "new_value"];
    insert_rows(conn, backend, "import_changes", &columns, Box::new(rows)).await?;

    // The batch's start, one event a user, the batch's end: all in the batch's
    // transaction, so that the log never shows a start without its end.
    let batch = format!("batch {batch_id}");
    let started = std::iter::once(("batch_started", batch.as_str()));
    let authz = |u: &Update| u.changes.iter().any(|c| matches!(c.field, Column::AccessLevel | Column::Roles | Column::Active));
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
type Ids<'a> = FxHashMap<Folded<'a>, i64>;

fn id_of(ids: &Ids<'_>, user_id: &str) -> Result<i64, StoreError> {
    ids.get(&Folded(user_id)).copied().ok_or(StoreError::NotFound("user"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::plan::Create;
    use crate::import::Directory;

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
    fn values_lists_number_postgres_parameters_and_leave_sqlite_ones_bare() {
        assert_eq!(values_list(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(values_list(Backend::Postgres, 3, 1), "($1, $2, $3)");
        assert_eq!(values_list(Backend::Postgres, 1, 3), "($1), ($2), ($3)");
    }

    #[test]
    fn counted_rows_tell_how_many_are_left() {
        let mut rows = Counted { rows: (0..2).chain(5..6).flat_map(|i| [i, i]), left: 6 };
        assert_eq!(rows.len(), 6);
        rows.next();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows.collect::<Vec<_>>(), [0, 1, 1, 5, 5]);
    }

    #[test]
    fn a_cycle_that_slipped_through_still_ends() {
        let creates = [create("a", "b"), create("b", "a")];
        assert_eq!(managers_first(&creates).len(), 2);
    }
}

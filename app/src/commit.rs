//! Applying a checked batch, the use case behind every import, undo and
//! change from the users pages: every row or none. The batch is checked
//! again against the directory as it is then, with the writers of the tenant
//! queued behind one lock; passwords are hashed before the lock is taken.

use crate::auth::password_hash::{self, Capacity};
use crate::clock::now;
use crate::error::AppError;
use crate::model::import::Outcome;
use crate::model::passwords::LinkKind;
use crate::passwords::letters;
use crate::store::imports::{self, Ids, Letter, Planned, Recorded};
use crate::store::{self, Db, StoreError};
use engine::domain::access::AccessLevel;
use engine::import::columns::{map_headings, Column};
use engine::import::plan::{created_all, Created, Summary};
use engine::import::undo::{roles_left_unheld, with_removed_roles};
use engine::import::{check_read, Directory, DirectoryUser, Folded, Plan};
use engine::sheet::{ReadError, Sheet};
use sqlx::AnyConnection;
use std::collections::HashMap;

pub use crate::store::imports::Actor;

/// One batch, as the admin confirmed it.
pub struct Batch<'a> {
    /// Chosen by the client; a second commit with the same key applies nothing.
    pub key: &'a str,
    pub file_name: &'a str,
    /// The sheet's checksum without its passwords ([`engine::import::history_checksum`]).
    pub checksum: String,
    pub sheet: Result<Sheet, ReadError>,
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
    /// More commits of the tenant, or of the server, wait their turn than the queue holds.
    #[error("Another import is running for your organisation. Try again in a moment.")]
    Busy,
    #[error("A password could not be hashed; nothing was imported. Please try again.")]
    Hashing,
    #[error("The batch could not be checked; nothing was imported. Please try again.")]
    Checking,
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

/// Applies `batch` to the tenant as `actor`, all or nothing: every check
/// that needs no lock first, passwords hashed outside it, then the batch
/// checked again and written under the tenant's write lock.
pub async fn commit(db: &Db, tenant_id: i64, actor: &Actor, batch: Batch<'_>) -> Result<Committed, CommitError> {
    let _place = Place::take(&db.commits, tenant_id)?;
    let checksum = &batch.checksum;
    // Checked outside the lock (for passwords) and again inside it.
    let has_passwords = batch.sheet.as_ref().is_ok_and(|s| map_headings(&s.headings, &[]).0.has(Column::Password));
    // Passwords are hashed before the lock is taken, so that writers wait
    // only for writes, not for Argon2; and only once every check that needs
    // no lock has passed, so that a replayed, stale or refused batch, or one
    // from someone who is no admin, costs no hashing. A file without
    // passwords skips this.
    let (sheet, hashes) = if has_passwords {
        let mut conn = db.pool.acquire().await?;
        if let Some(replayed) = replayed(&mut conn, tenant_id, batch.key, checksum).await? {
            return Ok(replayed);
        }
        let directory = store::directory::load(&mut conn, tenant_id, Some(actor.user_id.clone())).await?;
        drop(conn);
        acting_admin(&directory, actor)?;
        let (sheet, directory, plan) = check_aside(batch.sheet, directory).await?;
        match &sheet {
            Ok(checked) if plan.is_valid() => {
                let new_users = created_all(&plan, checked, &directory).ok_or(StoreError::NotFound("a new user's row"))?;
                unchanged_since_preview(&batch.previewed, batch.undoes.as_ref(), &plan, checked, &directory, &new_users)?;
            }
            _ => return Ok(Committed::Refused(Box::new(plan))),
        }
        (sheet, hash_passwords(&plan).await?)
    } else {
        (batch.sheet, HashMap::new())
    };

    let mut tx = db.begin_directory_write(tenant_id).await?;
    if let Some(replayed) = replayed(&mut tx, tenant_id, batch.key, checksum).await? {
        return Ok(replayed);
    }
    let store::directory::Loaded { directory, user_ids, column_ids } = store::directory::load_with_ids(&mut tx, tenant_id, Some(actor.user_id.clone())).await?;
    acting_admin(&directory, actor)?;
    let (sheet, directory, plan) = check_aside(sheet, directory).await?;
    let sheet = match &sheet {
        Ok(sheet) if plan.is_valid() => sheet,
        _ => return Ok(Committed::Refused(Box::new(plan))),
    };
    let new_users = created_all(&plan, sheet, &directory).ok_or(StoreError::NotFound("a new user's row"))?;
    let removed_roles = unchanged_since_preview(&batch.previewed, batch.undoes.as_ref(), &plan, sheet, &directory, &new_users)?;
    let planned = Planned { plan: &plan, new_users, removed_roles, columns: &directory.columns, column_ids: &column_ids };
    // A password the check outside the lock did not see (its row changed
    // meaning since) is not hashed here, holding every writer up: check again.
    if passwords(&plan).any(|(row, _)| !hashes.contains_key(&row)) {
        return Err(CommitError::Stale);
    }
    let at = now();
    let recorded = Recorded { key: batch.key, file_name: batch.file_name, checksum, undoes: batch.undoes.as_ref().map(|u| u.batch_id) };
    let batch_id = imports::record_batch(&mut tx, tenant_id, actor, &recorded, &plan, at).await?;
    let ids = directory.users.iter().zip(user_ids).map(|(user, id)| (Folded(&user.user_id), id)).collect();
    let ids = imports::apply(&mut tx, db.backend, tenant_id, &planned, &hashes, ids, at).await?;
    imports::end_old_credentials(&mut tx, db.backend, &plan, &ids, actor, at).await?;
    let letters = invitations(&mut tx, tenant_id, actor, &planned.new_users, &ids).await?;
    imports::queue_invitations(&mut tx, db.backend, tenant_id, &letters, at).await?;
    imports::record_changes(&mut tx, db.backend, tenant_id, batch_id, actor, &planned, at).await?;
    store::tenants::bump_version(&mut tx, tenant_id).await?;
    tx.commit().await?;
    drop(planned);
    Ok(Committed::Applied { batch_id, plan: Box::new(plan) })
}

/// How many commits of one tenant may wait or run at once in this server,
/// one after the other under the tenant's lock: two admins at once both
/// get their turn; a script that sends its file again and again does not
/// pile up work (and a batch's memory) without end.
const PER_TENANT: usize = 4;
/// And of all tenants at once: each may hold a big batch in memory.
const SERVER_WIDE: usize = 16;

/// A commit's place in the queue, given back when it ends however it ends.
struct Place<'q> {
    queue: &'q Queue,
    tenant_id: i64,
}

type Queue = std::sync::Mutex<HashMap<i64, usize>>;

impl<'q> Place<'q> {
    /// A place, if the tenant's queue and the server's (`queue`: the
    /// commits by tenant) have room; else the commit is answered at once.
    fn take(queue: &'q Queue, tenant_id: i64) -> Result<Self, CommitError> {
        let mut waiting = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (tenant, all) = (waiting.get(&tenant_id).copied().unwrap_or(0), waiting.values().sum::<usize>());
        if tenant >= PER_TENANT || all >= SERVER_WIDE {
            return Err(CommitError::Busy);
        }
        waiting.insert(tenant_id, tenant + 1);
        Ok(Self { queue, tenant_id })
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        let mut waiting = self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = waiting.get_mut(&self.tenant_id) {
            *count -= 1;
            if *count == 0 {
                waiting.remove(&self.tenant_id);
            }
        }
    }
}

/// What the batch's key says: if a batch was applied under it already, the
/// same file replays it (nothing applied again), another is refused.
async fn replayed(conn: &mut AnyConnection, tenant_id: i64, key: &str, checksum: &str) -> Result<Option<Committed>, CommitError> {
    match imports::applied_before(conn, tenant_id, key).await? {
        Some((_, recorded, _)) if recorded != checksum => Err(CommitError::KeyReused),
        Some((batch_id, _, summary)) => Ok(Some(Committed::Replayed { batch_id, summary })),
        None => Ok(None),
    }
}

/// The actor must be an active admin in the directory as it is.
fn acting_admin(directory: &Directory, actor: &Actor) -> Result<(), CommitError> {
    let admin = directory.users.iter().find(|u| Folded(&u.user_id) == Folded(&actor.user_id));
    if admin.is_some_and(|u| u.active && u.access == AccessLevel::Admin) { Ok(()) } else { Err(CommitError::NotAdmin) }
}

/// Refuses a batch whose preview the directory has moved under in a way
/// that matters; else the roles an undo removes, which its digest covers.
fn unchanged_since_preview(
    previewed: &Option<(i64, String)>,
    undoing: Option<&Undoing<'_>>,
    plan: &Plan,
    sheet: &Sheet,
    directory: &Directory,
    new_users: &[Created<'_>],
) -> Result<Vec<String>, CommitError> {
    let removed_roles =
        undoing.map_or_else(Vec::new, |undoing| roles_left_unheld(undoing.created_roles, directory, plan, new_users.iter().map(|c| &c.user)));
    if let Some((version, digest)) = previewed {
        if *version != directory.version && *digest != with_removed_roles(plan.digest(sheet, directory), &removed_roles) {
            return Err(CommitError::Stale);
        }
    }
    Ok(removed_roles)
}

/// Checks the sheet against the directory on a blocking thread: a big
/// batch's check must not hold up the async workers that serve others.
async fn check_aside(sheet: Result<Sheet, ReadError>, directory: Directory) -> Result<(Result<Sheet, ReadError>, Directory, Plan), CommitError> {
    tokio::task::spawn_blocking(move || {
        let plan = check_read(&sheet, &directory);
        (sheet, directory, plan)
    })
    .await
    .map_err(|_| CommitError::Checking)
}

/// The passwords the plan sets, by row.
fn passwords(plan: &Plan) -> impl Iterator<Item = (u32, &String)> {
    let creates = plan.creates.iter().map(|c| (c.row, &c.password));
    creates.chain(plan.updates.iter().map(|u| (u.row, &u.password))).filter_map(|(row, password)| Some((row, password.as_ref()?)))
}

/// Argon2 on all cores: a task per password. The tasks are the request's:
/// when it ends (the client hung up, or a hash failed), those not yet
/// running are called off.
async fn hash_passwords(plan: &Plan) -> Result<HashMap<u32, String>, CommitError> {
    let mut tasks = tokio::task::JoinSet::new();
    for (row, password) in passwords(plan) {
        let password = password.clone();
        tasks.spawn(async move { (row, password_hash::hash_for(Capacity::Batches, password).await) });
    }
    let mut hashes = HashMap::with_capacity(tasks.len());
    while let Some(done) = tasks.join_next().await {
        let (row, hash) = done.map_err(|_| CommitError::Hashing)?;
        hashes.insert(row, hash.map_err(|_| CommitError::Hashing)?);
    }
    Ok(hashes)
}

/// An invitation for each new user with Notify If New, in the inviter's words.
async fn invitations(conn: &mut AnyConnection, tenant_id: i64, actor: &Actor, new_users: &[Created<'_>], ids: &Ids<'_>) -> Result<Vec<Letter>, StoreError> {
    let invited: Vec<&DirectoryUser> = new_users.iter().filter(|c| c.create.invite).map(|c| &c.user).collect();
    if invited.is_empty() {
        return Ok(Vec::new());
    }
    let inviter = store::users::signature(conn, actor.id).await?;
    let tenant = store::tenants::name(conn, tenant_id).await?;
    invited
        .into_iter()
        .map(|user| {
            let id = imports::id_of(ids, &user.user_id)?;
            let letters::NewLink { path, token_hash } = letters::new_link();
            let to = letters::Addressee { id, first_name: &user.first_name, user_id: &user.user_id, email: &user.email };
            let (subject, body) = letters::letter(LinkKind::Invitation, &tenant, Some(&inviter), &to);
            Ok(Letter { user_id: id, recipient: user.email.to_string(), subject, body, path, token_hash })
        })
        .collect()
}

/// What a commit means for the page, for imports and undos alike.
pub fn outcome(committed: Result<Committed, CommitError>) -> Result<Outcome, AppError> {
    match committed {
        Ok(Committed::Applied { batch_id, plan }) => Ok(Outcome::Applied { batch_id, message: plan.result_message(), replayed: false }),
        Ok(Committed::Replayed { batch_id, summary }) => Ok(Outcome::Applied { batch_id, message: summary.message(), replayed: true }),
        Ok(Committed::Refused(plan)) => Ok(Outcome::Refused { errors: plan.errors }),
        Err(error @ CommitError::Stale) => Err(AppError::Stale(error.to_string())),
        Err(CommitError::Busy) => Err(AppError::Busy),
        Err(CommitError::Checking) => {
            tracing::error!("the check of a batch on a blocking thread failed");
            Err(AppError::Internal)
        }
        Err(CommitError::Store(error)) => Err(error.into()),
        Err(error) => Err(AppError::Invalid(error.to_string())),
    }
}

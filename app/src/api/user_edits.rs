//! Changing users from the users pages: one user, or many at once. Every
//! change is a small batch in the import format, checked by the import
//! engine and applied by the commit path, so the rules, the messages, the
//! history and undo are those of an import.

use crate::error::AppError;
use crate::model::import::Outcome;
use crate::model::users::{BulkPlan, Filter, OneUser};
use engine::import::bulk::BulkAction;
use engine::import::DirectoryUser;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
#[cfg(feature = "ssr")]
use {super::signed_in, crate::model::users::NAMED, engine::domain::access::AccessLevel};

/// One user of the caller's tenant (admins, and managers read only).
#[server(endpoint = "user_detail")]
pub async fn user_detail(id: i64) -> Result<OneUser, AppError> {
    signed_in(AccessLevel::sees_directory, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        let user = ssr::one(&mut conn, me.tenant_id, id).await?;
        let reports = Filter { manager: user.user_id.to_string(), ..Filter::default() };
        let reports = crate::store::listing::user_ids(&mut conn, me.tenant_id, &reports).await?;
        let locked = ssr::locked(&state, &mut conn, id).await?;
        let invitation = crate::store::links::invitations(&mut conn, &[id], crate::clock::now()).await?.remove(&id).unwrap_or_default();
        let is_me = engine::import::fold(&user.user_id) == engine::import::fold(&me.user_id);
        let columns = crate::store::columns::list(&mut conn, me.tenant_id).await?;
        Ok(OneUser { id, is_me, user, reports, locked, invitation, columns })
    })
    .await
}

/// Creates a user (`id` none) or changes one, from a row of the import
/// format (`cells`, in the template's column order). `loaded` is the user as
/// the form showed them: if someone changed them since, nothing is saved,
/// rather than the form's old values written over the change. `columns`
/// names the organisation's columns the form was made with: if they changed
/// since, nothing is saved either, rather than values in the wrong columns.
#[server(endpoint = "save_user", input = Json)]
pub async fn save_user(id: Option<i64>, cells: Vec<String>, loaded: Option<DirectoryUser>, #[server(default)] columns: Vec<String>) -> Result<Outcome, AppError> {
    use engine::import::columns::Column;
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        let mut row = cells;
        let own: Vec<String> = crate::store::columns::list(&mut conn, me.tenant_id).await?.into_iter().map(|c| c.name).collect();
        if row.len() < Column::ALL.len() {
            return Err(AppError::Invalid("The form did not send every field; reload the page.".into()));
        }
        if row.len() != Column::ALL.len() + own.len() || columns != own {
            // The tenant's columns changed since the form was made.
            return Err(AppError::Stale(ssr::CHANGED_MEANWHILE.into()));
        }
        let (label, version) = match id {
            Some(id) => {
                let (version, user) = ssr::current(&mut conn, me.tenant_id, id).await?;
                if loaded.as_ref() != Some(&user) {
                    return Err(AppError::Stale(ssr::CHANGED_MEANWHILE.into()));
                }
                row[0] = "update".into();
                row[1] = user.user_id.to_string();
                (format!("Users page: {} edited", user.user_id), version)
            }
            None => {
                row[0] = "create".into();
                let name = if row[1].trim().is_empty() { row[2].trim() } else { row[1].trim() };
                (format!("Users page: {name} added"), crate::store::tenants::version(&mut conn, me.tenant_id).await?)
            }
        };
        drop(conn);
        ssr::apply(&state, &me, vec![row], label, ssr::Seen::Version(version)).await
    })
    .await
}

/// Blocks (`active` false) or unblocks a user.
#[server(endpoint = "set_user_active")]
pub async fn set_user_active(id: i64, active: bool) -> Result<Outcome, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        let (version, mut user) = ssr::current(&mut conn, me.tenant_id, id).await?;
        drop(conn);
        user.active = active;
        let label = format!("Users page: {} {}", user.user_id, if active { "unblocked" } else { "blocked" });
        ssr::apply(&state, &me, vec![engine::import::write::action_row("update", &user)], label, ssr::Seen::Version(version)).await
    })
    .await
}

#[server(endpoint = "delete_user")]
pub async fn delete_user(id: i64) -> Result<Outcome, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        let (version, user) = ssr::current(&mut conn, me.tenant_id, id).await?;
        drop(conn);
        let label = format!("Users page: {} deleted", user.user_id);
        ssr::apply(&state, &me, vec![engine::import::write::action_row("delete", &user)], label, ssr::Seen::Version(version)).await
    })
    .await
}

/// Sets a user's password, typed twice; the tenant's password rules apply.
#[server(endpoint = "set_user_password")]
pub async fn set_user_password(id: i64, password: String, again: String) -> Result<Outcome, AppError> {
    use engine::import::columns::Column;
    signed_in(AccessLevel::is_admin, |state, me| async move {
        if password != again {
            return Err(AppError::Invalid("The two passwords differ. Type the same password twice.".into()));
        }
        let mut conn = state.db.pool.acquire().await?;
        let (version, user) = ssr::current(&mut conn, me.tenant_id, id).await?;
        drop(conn);
        let mut row = engine::import::write::action_row("update", &user);
        let at = Column::ALL.iter().position(|c| *c == Column::Password).unwrap_or_default();
        row[at] = password;
        let label = format!("Users page: password of {} set", user.user_id);
        ssr::apply(&state, &me, vec![row], label, ssr::Seen::Version(version)).await
    })
    .await
}

/// Lifts the lock that failed sign-ins put on a user's account.
#[server(endpoint = "unlock_user")]
pub async fn unlock_user(id: i64) -> Result<(), AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        let user = ssr::one(&mut conn, me.tenant_id, id).await?;
        crate::store::throttle::clear(&mut conn, &crate::auth::sign_in::account_key(id)).await?;
        crate::store::audit::record(&mut conn, me.tenant_id, &me.email, "user_unlocked", &user.user_id).await?;
        Ok(())
    })
    .await
}

/// What [`bulk_apply`] would do to the selected users: the ticked ones
/// (`selection.ids`), or every user that matches the filter.
#[server(endpoint = "bulk_preview", input = Json)]
pub async fn bulk_preview(selection: Filter, action: BulkAction, name: String, #[server(default)] value: String) -> Result<BulkPlan, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let bulk = ssr::bulk(&state, &me, &selection, action, &name, &value).await?;
        let plan = engine::import::check_read(&bulk.sheet, &bulk.directory);
        // The batch's rows are the selected users in order: row n is user n − 2.
        let user_of = |row: Option<u32>| row.and_then(|r| bulk.user_ids.get((r as usize).checked_sub(2)?)).cloned().unwrap_or_default();
        let problems = plan.errors.iter().map(|e| format!("{}: {}", user_of(e.row), e.message)).collect();
        Ok(BulkPlan {
            count: bulk.user_ids.len(),
            users: bulk.user_ids.iter().take(NAMED).cloned().collect(),
            summary: plan.summary(),
            problems,
            version: plan.version,
            digest: bulk.sheet.as_ref().map(|sheet| plan.digest(sheet, &bulk.directory)).unwrap_or_default(),
        })
    })
    .await
}

/// Applies a change of many users that [`bulk_preview`] showed (its
/// `version` and `digest`), all or nothing.
#[server(endpoint = "bulk_apply", input = Json)]
pub async fn bulk_apply(
    selection: Filter,
    action: BulkAction,
    name: String,
    #[server(default)] value: String,
    version: i64,
    digest: String,
) -> Result<Outcome, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let bulk = ssr::bulk(&state, &me, &selection, action, &name, &value).await?;
        let label = action.describe(bulk.user_ids.len(), &bulk.name, value.trim());
        ssr::apply(&state, &me, bulk.rows, label, ssr::Seen::Preview(version, digest)).await
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::commit::{commit, outcome, Batch};
    use crate::model::session::SessionUser;
    use crate::state::AppState;
    use engine::import::write::headings;
    use engine::import::Directory;
    use engine::sheet::{Limits, ReadError, Sheet};
    use sqlx::pool::PoolConnection;

    type Conn = PoolConnection<sqlx::Any>;

    pub const CHANGED_MEANWHILE: &str = "Someone changed this user or the directory since this page was loaded, and nothing was saved. Reload the page to see the change, then try again.";

    /// The tenant's directory version, then one of its users. Read in this
    /// order, a change that lands in between makes the version old, never new.
    pub async fn current(conn: &mut Conn, tenant_id: i64, id: i64) -> Result<(i64, DirectoryUser), AppError> {
        let version = crate::store::tenants::version(conn, tenant_id).await?;
        Ok((version, one(conn, tenant_id, id).await?))
    }

    /// What a change from the users pages was made against.
    pub enum Seen {
        /// The preview of a change of many users: its version and plan
        /// digest. The same rows sent again for it apply once.
        Preview(i64, String),
        /// One user, read at this directory version: any change since
        /// refuses the batch, since the row holds every field as it was read.
        Version(i64),
    }

    /// A user of the tenant with their roles and groups; another tenant's is not found.
    pub async fn one(conn: &mut Conn, tenant_id: i64, id: i64) -> Result<DirectoryUser, AppError> {
        crate::store::listing::one(conn, tenant_id, id).await?.ok_or(AppError::NotFound)
    }

    /// Whether failed sign-ins have locked the account of user `id` for now.
    pub async fn locked(state: &AppState, conn: &mut Conn, id: i64) -> Result<bool, AppError> {
        let record = crate::store::throttle::get(conn, &crate::auth::sign_in::account_key(id)).await?;
        Ok(state.auth.throttle.locked_minutes(&record, crate::clock::now()).is_some())
    }

    /// A change of many users, as rows of a batch.
    pub struct Bulk {
        pub directory: Directory,
        /// The group or role, as the directory spells it.
        pub name: String,
        pub user_ids: Vec<String>,
        pub rows: Vec<Vec<String>>,
        pub sheet: Result<Sheet, ReadError>,
    }

    pub async fn bulk(state: &AppState, me: &SessionUser, selection: &Filter, action: BulkAction, name: &str, value: &str) -> Result<Bulk, AppError> {
        let mut conn = state.db.pool.acquire().await?;
        let user_ids = crate::store::listing::user_ids(&mut conn, me.tenant_id, selection).await?;
        if user_ids.is_empty() {
            return Err(AppError::Invalid("No users are selected. Tick some, or choose all that match the filter.".into()));
        }
        let directory = crate::store::directory::load(&mut conn, me.tenant_id, Some(me.user_id.clone())).await?;
        let (name, rows) = engine::import::bulk::rows(&directory, &user_ids, action, name, value).map_err(AppError::Invalid)?;
        let sheet = Sheet::from_rows(&headings(&directory.columns), &rows, &Limits::default());
        Ok(Bulk { directory, name, user_ids, rows, sheet })
    }

    /// Checks and applies rows of the import format as the signed-in admin,
    /// recorded in the history under `label`.
    pub async fn apply(state: &AppState, me: &SessionUser, rows: Vec<Vec<String>>, label: String, seen: Seen) -> Result<Outcome, AppError> {
        let columns = crate::store::columns::list(&mut *state.db.pool.acquire().await?, me.tenant_id).await?;
        if rows.iter().any(|row| row.len() != headings(&columns).len()) {
            // Made before a column was added or removed: the version the rows were read at is old too.
            return Err(AppError::Stale(CHANGED_MEANWHILE.into()));
        }
        let sheet = Sheet::from_rows(&headings(&columns), &rows, &Limits::default());
        let checksum = sheet.as_ref().map(engine::import::history_checksum).unwrap_or_default();
        let one_user = matches!(seen, Seen::Version(_));
        let (key, previewed) = match seen {
            Seen::Preview(version, digest) => (format!("users-page-{version}-{checksum}"), (version, digest)),
            // A key of its own: the checksum leaves passwords out, so two
            // admins setting two passwords at once would pass for one batch.
            // No digest matches the empty one, so any change since is stale.
            Seen::Version(version) => (format!("users-page-{version}-{checksum}-{}", crate::clock::now_nanos()), (version, String::new())),
        };
        let batch = Batch { key: &key, file_name: &label, checksum, sheet, previewed: Some(previewed), undoes: None };
        let actor = crate::api::acting(me.clone());
        match outcome(commit(&state.db, me.tenant_id, &actor, batch).await) {
            Err(AppError::Stale(_)) if one_user => Err(AppError::Stale(CHANGED_MEANWHILE.into())),
            other => other,
        }
    }
}

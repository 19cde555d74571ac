//! The database: one code path for SQLite and PostgreSQL through sqlx's `Any`
//! driver. Queries use `$1` placeholders, which both accept; only the
//! migrations differ.

pub mod audit;
pub mod columns;
pub mod directory;
pub mod groups;
pub mod history;
pub mod imports;
pub mod links;
pub mod listing;
pub mod outbox;
mod rows;
pub mod sessions;
pub mod tenants;
pub mod throttle;
pub mod users;

use crate::error::AppError;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::{AnyPool, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The commits waiting or running through this pool, by tenant, which
    /// the commit use case bounds; shared by its clones.
    pub commits: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<i64, usize>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule of the database said no; names what was taken.
    #[error("{0} is already taken")]
    Conflict(&'static str),
    #[error("there is no {0} of that name")]
    NotFound(&'static str),
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(what) => Self::Invalid(format!("{what} is already taken.")),
            StoreError::NotFound(_) => Self::NotFound,
            StoreError::Database(error) => error.into(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict(conflict_subject(db.message(), db.constraint()))
            }
            _ => Self::Database(error),
        }
    }
}

/// Maps a unique-constraint failure to words, in one place for both databases:
/// SQLite names the columns in its message, PostgreSQL names the constraint.
fn conflict_subject(message: &str, constraint: Option<&str>) -> &'static str {
    let text = format!("{message} {}", constraint.unwrap_or_default());
    [
        ("tenant_columns", "This column name"),
        ("email_key", "This e-mail address"),
        ("user_id_key", "This user ID"),
        ("network_account_key", "This network account"),
        ("tenants", "This organisation name"),
        ("user_roles", "This role membership"),
        ("user_groups", "This group membership"),
        ("roles", "This role name"),
        ("groups", "This group name"),
        ("installation", "The first-run setup"),
    ]
    .into_iter()
    .find(|(needle, _)| text.contains(needle))
    .map_or("This value", |(_, subject)| subject)
}

/// `%text%` for `LIKE … ESCAPE '\'`, the text's own `%`, `_` and `\` taken literally.
pub(crate) fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

impl Db {
    /// Connects, creating an SQLite file if needed, and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            let separator = if url.contains('?') { '&' } else { '?' };
            let url = if url.contains("mode=") {
                url.to_string()
            } else {
                format!("{url}{separator}mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL `{url}`: use sqlite://FILE or postgres://…").into(),
            ));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 20 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        configure_sqlite(conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let db = Self { pool, backend, commits: Default::default() };
        db.migrate().await?;
        Ok(db)
    }

    /// A transaction that writes: SQLite takes its write lock at the start,
    /// so that two writers queue instead of failing to upgrade a read lock.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// A transaction that changes a tenant's directory. Its writers queue
    /// behind each other (SQLite's write lock; on PostgreSQL a lock on the
    /// tenant), so that each reads what the one before it wrote.
    pub async fn begin_directory_write(&self, tenant_id: i64) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        self.begin_write_holding(sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(tenant_id)).await
    }

    /// A transaction that writes the sign-in counter `key`: attempts on one
    /// key queue behind each other. Two keys on PostgreSQL, a space apart
    /// from the tenants' one-key locks.
    pub async fn begin_counter_write(&self, key: &str) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        self.begin_write_holding(sqlx::query("SELECT pg_advisory_xact_lock(1, hashtext($1))").bind(key)).await
    }

    /// A write transaction that takes PostgreSQL's advisory `lock` first;
    /// SQLite's write lock holds everything already.
    async fn begin_write_holding<'q>(&self, lock: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            lock.execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator.run(&self.pool).await.map_err(|error| match error {
            sqlx::migrate::MigrateError::Execute(error) => error,
            other => sqlx::Error::Migrate(Box::new(other)),
        })
    }
}

/// WAL lets readers go on during an import; FULL sync makes a committed
/// import survive a power cut; the busy timeout makes writers queue, not fail.
async fn configure_sqlite(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 10000",
    ] {
        conn.execute(pragma).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_a_unique_violation_was_about_in_either_database() {
        let sqlite = "UNIQUE constraint failed: users.tenant_id, users.email_key";
        assert_eq!(conflict_subject(sqlite, None), "This e-mail address");
        assert_eq!(
            conflict_subject("duplicate key value", Some("users_tenant_id_user_id_key_key")),
            "This user ID"
        );
        assert_eq!(
            conflict_subject("UNIQUE constraint failed: groups.tenant_id, groups.name_key", None),
            "This group name"
        );
        assert_eq!(
            conflict_subject("UNIQUE constraint failed: user_groups.user_id, user_groups.group_id", None),
            "This group membership"
        );
        assert_eq!(conflict_subject("something else", None), "This value");
    }
}

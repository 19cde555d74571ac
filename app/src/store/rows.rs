//! Many rows in few statements: the bulk writes of a batch, as many bound
//! values a statement as the database takes.

use super::{Backend, StoreError};
use sqlx::{AnyConnection, Row as _};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Inserts many rows, as many bound values a statement as the database
/// takes. Rows sent as one JSON array a chunk cost SQLite more to take apart
/// (`->>` for every value) than the writes themselves; one statement a row
/// costs a round trip each.
/// The rows are made as they are written, a statement's worth at a time:
/// a million new users' rows made at once held a gigabyte.
pub async fn insert_rows<'a>(conn: &mut AnyConnection, backend: Backend, table: &str, columns: &[&str], rows: Rows<'a>) -> Result<(), StoreError> {
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
/// index afresh once they are in (one sort; BENCHMARKS.md has the figures).
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
pub enum Cell<'a> {
    Int(Option<i64>),
    Text(Option<Cow<'a, str>>),
}

pub type Cells<'a> = Vec<Cell<'a>>;

/// Rows to write, made as they are taken. Boxed: a server function's future
/// must be `Send`, which the compiler cannot show for the closures' own types.
pub type Rows<'a> = Box<dyn ExactSizeIterator<Item = Cells<'a>> + Send + 'a>;

/// Rows from an iterator that cannot tell its length (chained, flattened),
/// counted beforehand.
pub struct Counted<I> {
    pub rows: I,
    pub left: usize,
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
pub(crate) use cells;

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
/// 65,535). Statements this size stay prepared at a fraction of the memory
/// one at the limit would take: preparing one again for each chunk is a
/// noticeable share of an import, and smaller ones cost a round trip each.
const MAX_VALUES: usize = 8_192;

/// Runs the statement that `sql` makes of a `VALUES` list once per chunk of
/// rows, each row `columns` values long. With `keep`, full chunks'
/// statements stay prepared in the connection: for statements that are few
/// and always the same (one a table), not for those each batch makes anew.
pub async fn for_each_chunk<'a>(
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

/// `… WHERE column IN (ids)`: `statement` ends with `IN`.
pub async fn where_in(conn: &mut AnyConnection, backend: Backend, statement: &str, ids: &[i64]) -> Result<(), StoreError> {
    let rows = Box::new(ids.iter().map(|&id| cells![id]));
    for_each_chunk(conn, backend, 1, rows, |values| format!("{statement} (VALUES {values})"), true).await
}


#[cfg(test)]
mod tests {
    use super::*;

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

}

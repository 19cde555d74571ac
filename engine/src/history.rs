//! The import history as the engine sees it: a batch's changes, line by
//! line, which undo reads back and the history's download writes out.

use serde::{Deserialize, Serialize};

/// One change of a batch, field by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRow {
    /// The file's row; none for a role's line.
    pub row: Option<i64>,
    pub user: String,
    pub action: String,
    pub field: String,
    pub old: String,
    pub new: String,
}

/// The action of a history line for a role that an import created, and for
/// one that undoing it removed; such a line has no row or user.
pub const ROLE_CREATED: &str = "create_role";
pub const ROLE_REMOVED: &str = "remove_role";

/// Changes as CSV, formula cells neutralised, for the download, which
/// writes them a part at a time: the first part starts with a byte-order
/// mark (so that Excel reads the text as UTF-8) and the headings.
pub fn changes_csv(changes: &[ChangeRow], first: bool) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(if first { "\u{feff}".as_bytes().to_vec() } else { Vec::new() });
    if first {
        let _ = writer.write_record(["Row", "User", "Action", "Field", "Old value", "New value"]);
    }
    for change in changes {
        let row = change.row.map(|r| r.to_string()).unwrap_or_default();
        let cells = [row.as_str(), &change.user, &change.action, &change.field, &change.old, &change.new];
        let _ = writer.write_record(cells.map(|c| crate::sheet::neutralise(c).into_owned()));
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_neutralises_formulas() {
        let change = ChangeRow { row: Some(2), user: "u".into(), action: "update".into(), field: "Title".into(), old: "=1+1".into(), new: "x".into() };
        let csv = String::from_utf8(changes_csv(std::slice::from_ref(&change), true)).unwrap();
        assert!(csv.starts_with("\u{feff}Row,User,Action,Field,Old value,New value\n"));
        assert!(csv.contains("'=1+1"));
        let more = String::from_utf8(changes_csv(&[change], false)).unwrap();
        assert!(more.starts_with("2,u,update"), "a later part has no headings: {more}");
    }
}

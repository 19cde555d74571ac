//! A tenant's own columns (licences, a default context, flags, employee
//! numbers): their definitions, the rules that keep their names apart from
//! the built-in columns and from each other, and the reading of a cell by
//! the column's kind.

use super::columns::{column_of, normalise};
use super::directory::Name;
use super::fields::parse_bool;
use super::Folded;
use crate::sheet::longer_than;
use super::issue::Code;
use crate::domain::names::MAX_NAME;
use serde::{Deserialize, Serialize};

/// What a tenant column's cells hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Text,
    Boolean,
    Choice,
    Date,
}

impl ValueKind {
    pub const ALL: [ValueKind; 4] = [ValueKind::Text, ValueKind::Boolean, ValueKind::Choice, ValueKind::Date];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Boolean => "boolean",
            Self::Choice => "choice",
            Self::Date => "date",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// A text column's length limit unless its definition sets one.
pub const DEFAULT_MAX_LENGTH: usize = 100;
/// The longest limit a text column may set (1,000, as messages say).
pub const LONGEST_MAX_LENGTH: usize = 1_000;

/// Headings that Roster writes or will read besides its columns, which no
/// tenant column may take.
const RESERVED: [&str; 6] = ["Version", "Last Sign-In", "Must Change Password", "Change Password at Next Sign-In", "changePasswordAtNextLogin", "Error"];

/// One column of a tenant's own. Kept as JSON: a setting added later reads
/// as its default from definitions written before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantColumn {
    pub name: String,
    pub kind: ValueKind,
    /// A new user must get a value; an update may not clear it.
    #[serde(default)]
    pub required: bool,
    /// No two users hold the same value, compared without regard to case.
    #[serde(default)]
    pub unique: bool,
    /// Given to a new user whose file leaves the cell blank or lacks the column.
    #[serde(default)]
    pub default: Option<String>,
    /// For text: the most characters a value may have.
    #[serde(default = "default_max_length")]
    pub max_length: usize,
    /// For a choice: the allowed values, in the order the lists show them.
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub description: String,
}

fn default_max_length() -> usize {
    DEFAULT_MAX_LENGTH
}

impl TenantColumn {
    /// A column of `kind` with nothing else set.
    pub fn new(name: &str, kind: ValueKind) -> Self {
        Self {
            name: name.trim().to_string(),
            kind,
            required: false,
            unique: false,
            default: None,
            max_length: DEFAULT_MAX_LENGTH,
            choices: Vec::new(),
            aliases: Vec::new(),
            description: String::new(),
        }
    }

    /// A new user's value where the file gives none: the default, and for
    /// a boolean FALSE unless the default says otherwise.
    pub fn blank(&self) -> &str {
        match (&self.default, self.kind) {
            (Some(default), _) => default,
            (None, ValueKind::Boolean) => "FALSE",
            (None, _) => "",
        }
    }

    /// What a blank cell leaves in an existing user: no value, but a boolean
    /// goes back to its default.
    pub fn cleared(&self) -> &str {
        if self.kind == ValueKind::Boolean { self.blank() } else { "" }
    }

    /// Keeps the default as the column spells its values (`yes` as TRUE, a
    /// choice in its own case), once [`check_definition`] has passed it.
    pub fn settle_default(&mut self) {
        let settled = self.default.as_deref().map(|default| self.value(default.trim()).map_or_else(|_| default.to_string(), |value| value.to_string()));
        self.default = settled.filter(|default| !default.is_empty());
    }

    /// The value a filled cell (trimmed, not blank) stands for, as it is
    /// stored: `TRUE`/`FALSE`, a choice as the column spells it, a date as
    /// `YYYY-MM-DD`; or the problem's code and a message that says the fix.
    /// Kept in place when short, as nearly every value is: reading a cell allocates nothing.
    pub fn value(&self, cell: &str) -> Result<Name, (Code, String)> {
        match self.kind {
            ValueKind::Text if longer_than(cell, self.max_length) => Err((
                Code::TooLong,
                format!("{} has {} characters; at most {} fit. Shorten it.", self.name, cell.chars().count(), self.max_length),
            )),
            ValueKind::Text => Ok(cell.into()),
            ValueKind::Boolean => match parse_bool(cell) {
                Some(value) => Ok(Name::const_new(if value { "TRUE" } else { "FALSE" })),
                None => Err((Code::InvalidBoolean, format!("`{cell}` is not TRUE or FALSE (yes/no and 1/0 work too)."))),
            },
            ValueKind::Choice => match self.choices.iter().find(|choice| Folded(choice) == Folded(cell)) {
                Some(choice) => Ok(choice.as_str().into()),
                None => Err((Code::InvalidChoice, self.not_a_choice(cell))),
            },
            ValueKind::Date if is_date(cell) => Ok(cell.into()),
            ValueKind::Date => Err((Code::InvalidDate, format!("`{cell}` is not a date: write it as YYYY-MM-DD, for example 2026-12-31."))),
        }
    }

    /// Names the allowed values and the nearest to what was written.
    fn not_a_choice(&self, cell: &str) -> String {
        let nearest = self
            .choices
            .iter()
            .map(|choice| (choice, strsim::jaro_winkler(&cell.to_lowercase(), &choice.to_lowercase())))
            .max_by(|(_, a), (_, b)| a.total_cmp(b))
            .map(|(choice, _)| format!(" Did you mean {choice}?"))
            .unwrap_or_default();
        format!("`{cell}` is not one of the values of {}: {}.{nearest}", self.name, self.choices.join(", "))
    }

    /// The column's name and aliases, each as a heading matches them.
    pub(crate) fn keys(&self) -> impl Iterator<Item = (String, &str)> + '_ {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str)).map(|name| (normalise(name), name))
    }
}

/// Whether the cell is a calendar date `YYYY-MM-DD` that exists, every digit written.
fn is_date(cell: &str) -> bool {
    let bytes = cell.as_bytes();
    let number = |range: std::ops::Range<usize>| bytes[range].iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')));
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    match (number(0..4), number(5..7), number(8..10)) {
        (Some(year), Some(month), Some(day)) => chrono::NaiveDate::from_ymd_opt(year as i32, month, day).is_some(),
        _ => false,
    }
}

/// Checks a definition before it is kept: its name and aliases follow the
/// heading rules and clash with no built-in column or alias nor with the
/// tenant's `others` (the column itself left out when it is changed), and
/// its settings fit its kind. The message names the clash or the fix.
pub fn check_definition(column: &TenantColumn, others: &[TenantColumn]) -> Result<(), String> {
    for (key, name) in column.keys() {
        if key.is_empty() && name == column.name {
            return Err("A column needs a name: letters or digits, not only spaces, `_` or `-`.".into());
        }
        if key.is_empty() {
            return Err(format!("An alias of {} is blank: give it letters or digits, or leave it out.", column.name));
        }
        if name.starts_with(['=', '+', '-', '@']) {
            return Err(format!("`{name}` starts with {}, which a spreadsheet reads as a formula. Start it with a letter or digit.", &name[..1]));
        }
        if name.chars().count() > MAX_NAME {
            return Err(format!("The name `{name}` is longer than {MAX_NAME} characters."));
        }
        if let Some(built_in) = column_of(name) {
            return Err(format!("`{name}` is taken: a heading written so means Roster's own column {}. Choose another name.", built_in.name()));
        }
        if let Some(reserved) = RESERVED.iter().find(|reserved| normalise(reserved) == key) {
            return Err(format!("`{name}` is taken: Roster writes or reads a heading {reserved} itself. Choose another name."));
        }
        if let Some(other) = others.iter().find(|other| other.keys().any(|(taken, _)| taken == key)) {
            return Err(format!("`{name}` is taken by the column {}. Choose another name.", other.name));
        }
    }
    let keys: Vec<(String, &str)> = column.keys().collect();
    if let Some((_, twice)) = keys.iter().enumerate().find_map(|(at, (key, name))| keys[..at].iter().any(|(earlier, _)| earlier == key).then_some((key, name))) {
        return Err(format!("The column {} gives `{twice}` twice among its name and aliases: leave one out.", column.name));
    }
    match column.kind {
        ValueKind::Choice if column.choices.is_empty() => return Err(format!("The choice column {} needs its values, for example \"A|B|C\".", column.name)),
        ValueKind::Choice => {
            let mut seen: Vec<String> = Vec::new();
            for choice in &column.choices {
                let folded = choice.trim().to_lowercase();
                if folded.is_empty() || seen.contains(&folded) {
                    return Err(format!("The values of {} must be neither blank nor given twice: `{choice}`.", column.name));
                }
                seen.push(folded);
            }
        }
        _ if !column.choices.is_empty() => return Err(format!("Only a choice column has values; {} is {}.", column.name, column.kind.as_str())),
        _ => {}
    }
    if column.kind == ValueKind::Text && !(1..=LONGEST_MAX_LENGTH).contains(&column.max_length) {
        return Err(format!("The maximum length of {} is {}: a text column's is at least 1 and at most 1,000 characters.", column.name, column.max_length));
    }
    if column.kind != ValueKind::Text && column.max_length != DEFAULT_MAX_LENGTH {
        return Err(format!("Only a text column has a maximum length; {} is {}.", column.name, column.kind.as_str()));
    }
    if column.unique && column.kind == ValueKind::Boolean {
        return Err(format!("The boolean column {} cannot be unique: it has only two values.", column.name));
    }
    if let Some(default) = &column.default {
        column.value(default.trim()).map_err(|(_, why)| format!("The default of {} is not a value it takes: {why}", column.name))?;
        if column.unique {
            return Err(format!("The unique column {} cannot have a default: every new user would get the same value.", column.name));
        }
    }
    Ok(())
}

/// The users (by place in `values`, each user's value in the column) whose
/// value the change of definition `was` → `column` would break: a value it
/// no longer takes (a choice gone, a shorter limit, another kind), none
/// where it becomes required, or a value another user holds too where it
/// becomes unique.
pub fn in_the_way(was: &TenantColumn, column: &TenantColumn, values: &[&str]) -> Vec<usize> {
    let (now_required, now_unique) = (column.required && !was.required, column.unique && !was.unique);
    let mut holders: rustc_hash::FxHashMap<super::Folded, Vec<usize>> = rustc_hash::FxHashMap::default();
    let mut found: Vec<usize> = Vec::new();
    for (at, value) in values.iter().enumerate() {
        if value.is_empty() {
            if now_required {
                found.push(at);
            }
        } else if column.value(value).is_err() {
            found.push(at);
        } else if now_unique {
            holders.entry(super::Folded(value)).or_default().push(at);
        }
    }
    found.extend(holders.into_values().filter(|users| users.len() > 1).flatten());
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(name: &str, choices: &[&str]) -> TenantColumn {
        TenantColumn { choices: choices.iter().map(|c| c.to_string()).collect(), ..TenantColumn::new(name, ValueKind::Choice) }
    }

    #[test]
    fn each_kind_reads_its_cells_and_names_the_fix_for_a_bad_one() {
        let flag = TenantColumn::new("Lone Working", ValueKind::Boolean);
        assert_eq!(flag.value("yes"), Ok("TRUE".into()));
        assert_eq!(flag.value("0"), Ok("FALSE".into()));
        assert_eq!(flag.value("maybe").unwrap_err().0, Code::InvalidBoolean);

        let context = choice("Default Context", &["Head Office", "Field"]);
        assert_eq!(context.value("head office"), Ok("Head Office".into()), "kept as the column spells it");
        let (code, message) = context.value("Feild").unwrap_err();
        assert_eq!(code, Code::InvalidChoice);
        assert!(message.contains("Head Office, Field") && message.contains("Did you mean Field?"), "{message}");

        let started = TenantColumn::new("Start Date", ValueKind::Date);
        assert_eq!(started.value("2026-02-28"), Ok("2026-02-28".into()));
        for bad in ["2026-02-30", "2026-2-3", "28/02/2026", "2026-13-01"] {
            assert_eq!(started.value(bad).unwrap_err().0, Code::InvalidDate, "{bad}");
        }

        let number = TenantColumn { max_length: 5, ..TenantColumn::new("Employee Number", ValueKind::Text) };
        assert_eq!(number.value("E-123"), Ok("E-123".into()));
        let (code, message) = number.value("E-12345").unwrap_err();
        assert_eq!(code, Code::TooLong);
        assert!(message.contains("at most 5"), "{message}");
    }

    #[test]
    fn names_may_clash_with_no_built_in_column_alias_or_other_column() {
        let events = TenantColumn::new("Events", ValueKind::Boolean);
        assert_eq!(check_definition(&events, &[]), Ok(()));
        let surname = TenantColumn::new("sur_name", ValueKind::Text);
        assert!(check_definition(&surname, &[]).unwrap_err().contains("Last Name"), "an alias of Last Name, spelt otherwise");
        let again = TenantColumn { aliases: vec!["EVENTS".into()], ..TenantColumn::new("Event Licence", ValueKind::Boolean) };
        assert!(check_definition(&again, &[events.clone()]).unwrap_err().contains("taken by the column Events"));
        let twice = TenantColumn { aliases: vec!["lone-working".into()], ..TenantColumn::new("Lone Working", ValueKind::Boolean) };
        assert!(check_definition(&twice, &[]).unwrap_err().contains("twice"));
        assert!(check_definition(&TenantColumn::new(" _- ", ValueKind::Text), &[]).is_err());
        for reserved in ["version", "Last Sign In", "Error", "change_password_at_next_sign_in"] {
            assert!(check_definition(&TenantColumn::new(reserved, ValueKind::Text), &[]).unwrap_err().contains("itself"), "{reserved}");
        }
        assert!(check_definition(&TenantColumn::new("=SUM(A1)", ValueKind::Text), &[]).unwrap_err().contains("formula"));
        let blank_alias = TenantColumn { aliases: vec!["  ".into()], ..TenantColumn::new("Badge", ValueKind::Text) };
        assert!(check_definition(&blank_alias, &[]).unwrap_err().contains("alias of Badge is blank"));
    }

    #[test]
    fn a_definition_kept_before_a_setting_existed_still_reads() {
        let kept: TenantColumn = serde_json::from_str(r#"{"name":"Events","kind":"boolean"}"#).unwrap();
        assert_eq!(kept, TenantColumn::new("Events", ValueKind::Boolean));
    }

    #[test]
    fn settings_must_fit_the_kind() {
        assert!(check_definition(&choice("Default Context", &[]), &[]).unwrap_err().contains("needs its values"));
        assert!(check_definition(&choice("Default Context", &["A", "a"]), &[]).is_err(), "a value given twice");
        let with_values = TenantColumn { choices: vec!["A".into()], ..TenantColumn::new("Flag", ValueKind::Boolean) };
        assert!(check_definition(&with_values, &[]).is_err());
        let long = TenantColumn { max_length: 1_001, ..TenantColumn::new("Notes", ValueKind::Text) };
        assert!(check_definition(&long, &[]).unwrap_err().contains("at most 1,000"));
        let limited_flag = TenantColumn { max_length: 5, ..TenantColumn::new("Flag", ValueKind::Boolean) };
        assert!(check_definition(&limited_flag, &[]).unwrap_err().contains("Only a text column"));
        let unique_flag = TenantColumn { unique: true, ..TenantColumn::new("Flag", ValueKind::Boolean) };
        assert!(check_definition(&unique_flag, &[]).is_err());
        let bad_default = TenantColumn { default: Some("Elsewhere".into()), ..choice("Default Context", &["Head Office"]) };
        assert!(check_definition(&bad_default, &[]).unwrap_err().contains("not one of the values"));
        let good_default = TenantColumn { default: Some("head office".into()), ..choice("Default Context", &["Head Office"]) };
        assert_eq!(check_definition(&good_default, &[]), Ok(()));
        let unique_default = TenantColumn { unique: true, default: Some("E1".into()), ..TenantColumn::new("Employee Number", ValueKind::Text) };
        assert!(check_definition(&unique_default, &[]).is_err());
    }

    #[test]
    fn a_changed_definition_names_the_users_whose_values_it_would_break() {
        let values = ["Field", "", "head office", "Remote", "Field"];
        let was = choice("Default Context", &["Head Office", "Field", "Remote"]);
        let context = choice("Default Context", &["Head Office", "Field"]);
        assert_eq!(in_the_way(&was, &context, &values), [3], "Remote is no longer a value");
        let required = TenantColumn { required: true, ..context.clone() };
        assert_eq!(in_the_way(&was, &required, &values), [1, 3]);
        assert_eq!(in_the_way(&required, &required, &values), [3], "a user without a value was in nobody's way before either");
        let unique = TenantColumn { unique: true, ..context };
        assert_eq!(in_the_way(&was, &unique, &values), [0, 3, 4], "Field twice");
        let text = TenantColumn::new("Code", ValueKind::Text);
        let shorter = TenantColumn { max_length: 5, ..text.clone() };
        assert_eq!(in_the_way(&text, &shorter, &["E1", "E12345", ""]), [1]);
        assert!(in_the_way(&text, &TenantColumn::new("Code", ValueKind::Date), &["2026-01-01", ""]).is_empty());
    }

    #[test]
    fn kinds_read_back_from_their_names() {
        for kind in ValueKind::ALL {
            assert_eq!(ValueKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ValueKind::parse(" Choice "), Some(ValueKind::Choice));
        assert_eq!(ValueKind::parse("number"), None);
    }
}

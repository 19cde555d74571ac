//! The benchmark's directory and files, shared by `benches/check.rs` and
//! `examples/repeat_check.rs`.

use engine::import::{Directory, DirectoryUser};

pub fn user(i: usize) -> DirectoryUser {
    DirectoryUser {
        user_id: format!("user{i}").into(),
        email: format!("user{i}@example.org").into(),
        first_name: format!("First{i}").into(),
        last_name: format!("Last{i}").into(),
        title: "Engineer".into(),
        phone: format!("+44 20 {:07}", i % 10_000_000).into(),
        has_password: true,
        reports_to: if i > 0 { format!("user{}", i / 10).into() } else { Default::default() },
        roles: vec!["Sales".into()],
        groups: vec!["Team A".into()],
        // Locale en-GB, access User, active, notified by e-mail.
        ..DirectoryUser::new(&Directory::default())
    }
}

pub fn directory(users: usize) -> Directory {
    Directory {
        version: 1,
        tenant: "Acme".into(),
        roles: vec!["Sales".into()],
        groups: vec!["Team A".into()],
        users: (0..users).map(user).collect(),
        ..Directory::default()
    }
}

/// `rows` rows of 12 columns, each for a different user: the even rows
/// update the existing users (each once), the others create new ones, and
/// so do the even rows once every existing user has had one. Everyone
/// reports to an existing user.
pub fn csv(rows: usize, existing: usize) -> Vec<u8> {
    let mut out = String::from("Action,User ID,Email,First Name,Last Name,Title,Phone,Locale,Access Level,Active,Reports To,Roles\n");
    for i in 0..rows {
        let n = if i % 2 == 0 && i / 2 < existing { i / 2 } else { existing + i };
        out.push_str(&format!(
            ",user{n},user{n}@example.org,First{n},Last{n},Senior Engineer,+44 20 {:07},en-GB,User,TRUE,user{},Sales|Support\n",
            n % 10_000_000,
            n / 10 % existing
        ));
    }
    out.into_bytes()
}

/// The organisation's own columns of the budget: two booleans, a choice, a
/// date and a unique text.
pub fn own_columns() -> Vec<engine::import::tenant_columns::TenantColumn> {
    use engine::import::tenant_columns::{TenantColumn, ValueKind};
    let context = TenantColumn { choices: vec!["Head Office".into(), "Field".into(), "Remote".into()], ..TenantColumn::new("Default Context", ValueKind::Choice) };
    let number = TenantColumn { unique: true, ..TenantColumn::new("Employee Number", ValueKind::Text) };
    vec![TenantColumn::new("Lone Working", ValueKind::Boolean), TenantColumn::new("Events", ValueKind::Boolean), context, TenantColumn::new("Start Date", ValueKind::Date), number]
}

/// User `i`'s values in [`own_columns`].
fn own_values(i: usize) -> [String; 5] {
    let flag = |on: bool| if on { "TRUE" } else { "FALSE" }.to_string();
    let context = ["Head Office", "Field", "Remote"][i % 3].to_string();
    [flag(i % 2 == 0), flag(i % 3 == 0), context, format!("20{:02}-{:02}-{:02}", i % 30, i % 12 + 1, i % 28 + 1), format!("E{i:07}")]
}

/// [`directory`] with [`own_columns`], every user holding a value in each.
pub fn directory_with_own(users: usize) -> Directory {
    let mut directory = Directory { columns: own_columns(), ..directory(users) };
    for (i, user) in directory.users.iter_mut().enumerate() {
        user.values = own_values(i).into_iter().map(Into::into).collect();
    }
    directory
}

/// [`csv`] with a cell for each of [`own_columns`], as an HR system's
/// export would give them: each user's values as the directory has them,
/// but for a third of the updates, whose Default Context changes.
pub fn csv_with_own(rows: usize, existing: usize) -> Vec<u8> {
    let plain = String::from_utf8(csv(rows, existing)).unwrap_or_default();
    let mut lines = plain.lines();
    let mut out = format!("{},Lone Working,Events,Default Context,Start Date,Employee Number\n", lines.next().unwrap_or_default());
    for (i, line) in lines.enumerate() {
        let n = if i % 2 == 0 && i / 2 < existing { i / 2 } else { existing + i };
        let mut values = own_values(n);
        if n % 3 == 0 {
            values[2] = "Field".into();
        }
        out.push_str(&format!("{line},{}\n", values.join(",")));
    }
    out.into_bytes()
}

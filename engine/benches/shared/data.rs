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

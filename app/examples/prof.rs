use app::domain::access::AccessLevel;
use app::import::{check, Directory, DirectoryUser};
use app::sheet::{read, Limits};
use std::time::Instant;
fn user(i: usize) -> DirectoryUser {
    DirectoryUser {
        user_id: format!("user{i}"),
        email: format!("user{i}@example.org"),
        first_name: format!("First{i}"),
        last_name: format!("Last{i}"),
        title: "Engineer".into(),
        phone: format!("+44 20 {:07}", i % 10_000_000),
        phone2: String::new(),
        network_account: String::new(),
        has_password: true,
        locale: "en-GB".into(),
        access: AccessLevel::User,
        active: true,
        reports_to: if i > 0 { format!("user{}", i / 10) } else { String::new() },
        task_notification: "Email".into(),
        roles: vec!["Sales".into()],
        groups: vec!["Team A".into()],
    }
}

fn directory(users: usize) -> Directory {
    Directory {
        version: 1,
        tenant: "Acme".into(),
        roles: vec!["Sales".into()],
        groups: vec!["Team A".into()],
        users: (0..users).map(user).collect(),
        ..Directory::default()
    }
}

/// `rows` rows of 12 columns: half update existing users, half create new ones.
fn csv(rows: usize, existing: usize) -> Vec<u8> {
    let mut out = String::from("Action,User ID,Email,First Name,Last Name,Title,Phone,Locale,Access Level,Active,Reports To,Roles\n");
    for i in 0..rows {
        let n = if i % 2 == 0 { i / 2 % existing } else { existing + i };
        out.push_str(&format!(
            ",user{n},user{n}@example.org,First{n},Last{n},Senior Engineer,+44 20 {:07},en-GB,User,TRUE,user{},Sales|Support\n",
            n % 10_000_000,
            n / 10
        ));
    }
    out.into_bytes()
}
fn main() {
    let existing = directory(100_000);
    let file = csv(100_000, 100_000);
    let limits = Limits::default();
    for _ in 0..3 {
        let t = Instant::now();
        let sheet = read(&file, &limits).unwrap();
        let t1 = t.elapsed();
        let plan = check(&sheet, &existing);
        let t2 = t.elapsed();
        println!("read {:?} check {:?} errors {} warnings {}", t1, t2 - t1, plan.errors.len(), plan.warnings.len());
    }
}

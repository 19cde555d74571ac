//! Properties of the engine over arbitrary directories: what Roster exports
//! imports back as no change at all, and independent rows plan the same in
//! any order.

use engine::domain::access::AccessLevel;
use engine::import::write::{self, Format};
use engine::import::plan::created;
use engine::import::tenant_columns::{TenantColumn, ValueKind};
use engine::import::{check, check_file, Directory, DirectoryUser, Name};
use engine::sheet::Limits;
use proptest::prelude::*;

/// Free text as an admin might type it: unicode, commas, quotes, line
/// breaks inside, and formula-like starts. Trimmed, as Roster stores it.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-zÀ-ÿ一-龥0-9 ,;\"'=+@\\-\\n|]{{0,{max}}}"))
        .unwrap()
        .prop_map(|s| s.trim().to_string())
}

/// A tenant's own columns, one or more of each kind.
fn own_columns() -> Vec<TenantColumn> {
    let choice = TenantColumn { choices: vec!["Head Office".into(), "Field".into(), "Remote".into()], ..TenantColumn::new("Default Context", ValueKind::Choice) };
    let flag = TenantColumn { default: Some("TRUE".into()), ..TenantColumn::new("Events", ValueKind::Boolean) };
    let number = TenantColumn { unique: true, max_length: 12, ..TenantColumn::new("Employee Number", ValueKind::Text) };
    vec![TenantColumn::new("Lone Working", ValueKind::Boolean), flag, choice, TenantColumn::new("Start Date", ValueKind::Date), number, TenantColumn::new("Notes", ValueKind::Text)]
}

/// Values for [`own_columns`]: any of each kind, blank where a kind allows it.
fn own_values(index: usize) -> impl Strategy<Value = Vec<Name>> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(proptest::sample::select(vec!["Head Office", "Field", "Remote"])),
        proptest::option::of((1900i32..2100, 1u32..=12, 1u32..=28)),
        any::<bool>(),
        text(40),
    )
        .prop_map(move |(lone, events, context, date, numbered, notes)| {
            let flag = |on: bool| Name::from(if on { "TRUE" } else { "FALSE" });
            let date = date.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")).unwrap_or_default();
            let number = if numbered { format!("E-{index}") } else { String::new() };
            vec![flag(lone), flag(events), context.unwrap_or_default().into(), date.into(), number.into(), notes.into()]
        })
}

fn user(index: usize) -> impl Strategy<Value = DirectoryUser> {
    (
        text(20),
        text(20).prop_filter("a last name", |s| !s.is_empty()),
        text(30),
        proptest::option::of("\\+?[1-9][0-9]{6,12}"),
        any::<bool>(),
        prop_oneof![Just(AccessLevel::Admin), Just(AccessLevel::Manager), Just(AccessLevel::User)],
        any::<bool>(),
        proptest::sample::subsequence(vec!["Sales", "Ops", "R&D"], 0..=3),
        proptest::sample::subsequence(vec!["Team A", "Team B"], 0..=2),
        proptest::sample::select(vec!["en-GB", "fr-FR", "de-DE"]),
        own_values(index),
    )
        .prop_map(move |(first, last, title, phone, network, access, active, roles, groups, locale, values)| DirectoryUser {
            user_id: format!("user.{index}").into(),
            email: format!("User.{index}@Example.org").into(),
            first_name: first.into(),
            last_name: last.into(),
            title: title.into(),
            phone: phone.unwrap_or_default().into(),
            phone2: Default::default(),
            network_account: if network { format!("ACME\\u{index}").into() } else { Default::default() },
            has_password: !network,
            locale: locale.into(),
            access,
            active,
            reports_to: Default::default(),
            task_notification: if active { "Email" } else { "OFF" }.into(),
            roles: roles.into_iter().map(Into::into).collect(),
            groups: groups.into_iter().map(Into::into).collect(),
            values,
        })
}

fn directory() -> impl Strategy<Value = Directory> {
    (1usize..12)
        .prop_flat_map(|n| ((0..n).map(user).collect::<Vec<_>>(), proptest::collection::vec(any::<prop::sample::Index>(), n)))
        .prop_map(|(mut users, managers)| {
            // Each user may report to one listed before them: no cycles.
            for (i, pick) in managers.iter().enumerate().skip(1) {
                if i % 2 == 0 {
                    users[i].reports_to = users[pick.index(i)].user_id.clone();
                }
            }
            Directory {
                version: 3,
                tenant: "Acme".into(),
                roles: vec!["Sales".into(), "Ops".into(), "R&D".into()],
                groups: vec!["Team A".into(), "Team B".into()],
                users,
                columns: own_columns(),
                ..Directory::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn an_exported_directory_imports_back_without_changes(directory in directory(), xlsx in any::<bool>()) {
        let format = if xlsx { Format::Xlsx } else { Format::Csv };
        let file = write::export(&directory.users, &directory.columns, format).unwrap();
        let plan = check_file(&file, &Limits::default(), &directory);
        prop_assert!(plan.is_valid(), "{:?}", plan.errors);
        prop_assert!(plan.creates.is_empty() && plan.deletes.is_empty());
        prop_assert!(plan.updates.is_empty(), "{:?}", plan.updates.iter().map(|u| &u.changes).collect::<Vec<_>>());
        prop_assert_eq!(plan.unchanged.len(), directory.users.len());
    }

    #[test]
    fn independent_rows_plan_the_same_in_any_order(directory in directory(), seed in any::<u64>()) {
        // Export as if the users were new: every row is an independent create.
        let new = Directory { users: vec![], ..directory.clone() };
        let users: Vec<DirectoryUser> = directory.users.iter().cloned().map(|mut u| { u.reports_to.clear(); u }).collect();
        let mut shuffled = users.clone();
        let len = shuffled.len();
        for i in 0..len {
            shuffled.swap(i, (seed as usize).wrapping_add(i * 7919) % len);
        }
        let plan = |users: &[DirectoryUser]| {
            let sheet = engine::sheet::read(&write::export(users, &new.columns, Format::Csv).unwrap(), &Limits::default()).unwrap();
            let plan = check(&sheet, &new);
            let mut created: Vec<String> = created(&plan, &sheet, &new).map(|c| format!("{:?}", c.user)).collect();
            created.sort();
            (plan.summary(), created, plan.errors.len())
        };
        prop_assert_eq!(plan(&users), plan(&shuffled));
    }
}

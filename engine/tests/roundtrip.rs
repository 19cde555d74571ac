//! Properties of the engine over arbitrary directories: what Roster exports
//! imports back as no change at all, and independent rows plan the same in
//! any order.

use engine::domain::access::AccessLevel;
use engine::import::write::{self, Format};
use engine::import::plan::created;
use engine::import::{check, check_file, Directory, DirectoryUser};
use engine::sheet::Limits;
use proptest::prelude::*;

/// Free text as an admin might type it: unicode, commas, quotes, line
/// breaks inside, and formula-like starts. Trimmed, as Roster stores it.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-zÀ-ÿ一-龥0-9 ,;\"'=+@\\-\\n|]{{0,{max}}}"))
        .unwrap()
        .prop_map(|s| s.trim().to_string())
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
    )
        .prop_map(move |(first, last, title, phone, network, access, active, roles, groups, locale)| DirectoryUser {
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
                ..Directory::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn an_exported_directory_imports_back_without_changes(directory in directory(), xlsx in any::<bool>()) {
        let format = if xlsx { Format::Xlsx } else { Format::Csv };
        let file = write::export(&directory.users, format).unwrap();
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
            let sheet = engine::sheet::read(&write::export(users, Format::Csv).unwrap(), &Limits::default()).unwrap();
            let plan = check(&sheet, &new);
            let mut created: Vec<String> = created(&plan, &sheet, &new).map(|c| format!("{:?}", c.user)).collect();
            created.sort();
            (plan.summary(), created, plan.errors.len())
        };
        prop_assert_eq!(plan(&users), plan(&shuffled));
    }
}

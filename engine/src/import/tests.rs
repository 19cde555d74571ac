//! The rules, end to end: CSV text in, plan out.

use super::*;
use crate::domain::access::AccessLevel;
use crate::sheet::Limits;

fn user(user_id: &str, email: &str) -> DirectoryUser {
    DirectoryUser {
        user_id: user_id.into(),
        email: email.into(),
        first_name: "First".into(),
        last_name: "Last".into(),
        title: Default::default(),
        phone: "+44 20 7946 0000".into(),
        phone2: Default::default(),
        network_account: Default::default(),
        has_password: true,
        locale: "en-GB".into(),
        access: AccessLevel::User,
        active: true,
        reports_to: Default::default(),
        task_notification: "Email".into(),
        roles: vec![],
        groups: vec![],
        values: vec![],
    }
}

/// Acme: admin `ann` (who runs the import), `bob` reporting to ann, `cat`.
fn acme() -> Directory {
    let mut ann = user("ann", "ann@acme.test");
    ann.access = AccessLevel::Admin;
    let mut bob = user("bob", "bob@acme.test");
    bob.reports_to = "ann".into();
    bob.roles = vec!["Sales".into()];
    bob.groups = vec!["Team A".into()];
    Directory {
        version: 7,
        tenant: "Acme".into(),
        acting_user: Some("ann".into()),
        users: vec![ann, bob, user("cat", "cat@acme.test")],
        roles: vec!["Sales".into()],
        groups: vec!["Team A".into(), "Team B".into()],
        ..Directory::default()
    }
}

fn run(csv: &str) -> Plan {
    check_file(csv.as_bytes(), &Limits::default(), &acme())
}

/// The users a plan of `csv` creates, made from their rows.
fn new_users(csv: &str) -> Vec<DirectoryUser> {
    let (sheet, directory) = (sheet::read(csv.as_bytes(), &Limits::default()).unwrap(), acme());
    let plan = check(&sheet, &directory);
    let users: Vec<plan::Created> = plan::created(&plan, &sheet, &directory).collect();
    assert_eq!(Some(&users), plan::created_all(&plan, &sheet, &directory).as_ref(), "made in order or on every core alike");
    users.into_iter().map(|c| c.user).collect()
}

fn codes(plan: &Plan) -> Vec<(Option<u32>, Code)> {
    plan.errors.iter().map(|i| (i.row, i.code)).collect()
}

#[test]
fn a_mixed_file_plans_adds_updates_deletes_and_new_roles() {
    let plan = run("Action,User ID,Email,Last Name,Phone,Roles,Password,Reports To\n\
                    ,dan,dan@acme.test,Doe,0123456789,Sales|Support,Secret123,bob\n\
                    ,bob,bob@acme.test,Last,+44 20 7946 0000,Sales;Ops,,\n\
                    delete,cat,cat@acme.test,,,,,\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
    assert_eq!(plan.summary(), Summary { added: 1, updated: 1, deleted: 1, unchanged: 0, roles_added: 2 });
    assert_eq!(plan.new_roles, ["Ops", "Support"]);
    let update = &plan.updates[0];
    let fields: Vec<_> = update.changes.iter().map(|c| (c.field.name(), c.old.as_str(), c.new.as_str())).collect();
    assert_eq!(fields, [("Reports To", "ann", ""), ("Roles", "Sales", "Ops|Sales")]);
    assert_eq!(plan.creates[0].reports_to, "bob");
    assert_eq!(plan.result_message(), "Users Loaded successfully. 1 Added, 1 Updated, 1 Deleted, 2 Roles Added.");
    assert_eq!(plan.version, 7);
}

#[test]
fn blank_action_creates_new_users_and_updates_existing_ones_and_delete_is_case_insensitive() {
    let plan = run("Transaction,Email,Surname\n,new@acme.test,New\n,cat@acme.test,Renamed\nDELETE,bob@acme.test,\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
    assert_eq!((plan.creates.len(), plan.updates.len(), plan.deletes.len()), (1, 1, 1));
}

#[test]
fn create_of_an_existing_user_and_update_of_a_missing_one_are_errors() {
    let plan = run("Action,Email,Last Name\ncreate,cat@acme.test,X\nupdate,nobody@acme.test,Y\ndelete,ghost@acme.test,\n");
    assert_eq!(codes(&plan), [(Some(2), Code::AlreadyExists), (Some(3), Code::NotFound), (Some(4), Code::NotFound)]);
    assert!(plan.errors[0].message.contains("cat@acme.test"));
}

#[test]
fn duplicates_in_the_file_and_in_the_directory() {
    let plan = run("User ID,Email,Last Name,Network Account\n\
                    x1,x@acme.test,X,ACME\\x\n\
                    x1,y@acme.test,Y,\n\
                    x2,x@acme.test,Z,\n\
                    x3,cat@acme.test,C,\n\
                    x4,X4@acme.test,D,acme\\X\n");
    assert_eq!(
        codes(&plan),
        [(Some(3), Code::DuplicateInFile), (Some(4), Code::DuplicateInFile), (Some(5), Code::AlreadyExists), (Some(6), Code::DuplicateInFile)]
    );
    assert!(plan.errors[0].message.contains("row 2"));
}

#[test]
fn a_user_named_by_user_id_and_again_by_e_mail_is_a_duplicate() {
    let plan = run("Action,User ID,Email,Last Name,Title\n\
                    ,bob,robert@acme.test,Bob,A\n\
                    ,,bob@acme.test,Bob,B\n\
                    delete,cat,,,\n\
                    update,,cat@acme.test,Cat,C\n");
    assert_eq!(codes(&plan), [(Some(3), Code::DuplicateInFile), (Some(5), Code::DuplicateInFile)]);
    assert!(plan.errors[0].message.contains("row 2"), "{}", plan.errors[0].message);
    assert_eq!(plan.errors[1].column.as_deref(), Some("Email"));
}

#[test]
fn a_new_user_s_address_is_their_user_id_only_if_short_and_nobody_else_s() {
    let mut directory = acme();
    directory.users[2].user_id = "kim@acme.test".into();
    let long = format!("{}@acme.test", "k".repeat(60));
    let file = format!("Email,Last Name\nkim@acme.test,Kim\n{long},Long\nnew@acme.test,New\n");
    let plan = check_file(file.as_bytes(), &Limits::default(), &directory);
    assert_eq!(codes(&plan), [(Some(2), Code::InvalidUserId), (Some(3), Code::InvalidUserId)]);
    assert!(plan.errors.iter().all(|i| i.column.as_deref() == Some("User ID")));
    assert!(plan.errors[0].message.contains("cat@acme.test"), "{}", plan.errors[0].message);
    assert_eq!(plan.creates.len(), 1);
}

#[test]
fn an_email_freed_by_the_same_file_may_be_reused() {
    let plan = run("Action,User ID,Email,Last Name\nupdate,cat,cat.new@acme.test,\ncreate,cat2,cat@acme.test,Cat\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
    let plan = run("Action,User ID,Email,Last Name\ndelete,cat,cat@acme.test,\ncreate,cat2,cat@acme.test,Cat\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
}

#[test]
fn an_update_may_keep_its_own_address_but_not_take_another_users() {
    let mut directory = acme();
    directory.users[1].network_account = "ACME\\bob".into();
    let check = |csv: &str| check_file(format!("User ID,Email,Last Name,Network Account,Reports To\n{csv}").as_bytes(), &Limits::default(), &directory);
    let plan = check("cat,BOB@acme.test,Cat,acme\\BOB,\n");
    let columns: Vec<_> = plan.errors.iter().map(|i| (i.row, i.code, i.column.as_deref().unwrap_or(""))).collect();
    assert_eq!(columns, [(Some(2), Code::AlreadyExists, "Email"), (Some(2), Code::AlreadyExists, "Network Account")]);
    // Bob keeps his own; Cat takes Ann's address, which Ann's row frees; Dan names Ann by her new one.
    let plan = check("bob,bob@acme.test,Bob,ACME\\bob,\n\
                      cat,ANN@acme.test,Cat,,\n\
                      ann,ann.new@acme.test,Ann,,\n\
                      dan,dan@acme.test,Doe,,ann.new@acme.test\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
    assert_eq!(plan.creates[0].reports_to, "ann");
}

#[test]
fn managers_must_exist_not_be_oneself_and_not_form_cycles() {
    let plan = run("User ID,Email,Last Name,Reports To\n\
                    d1,d1@acme.test,D,nobody\n\
                    d2,d2@acme.test,D,d2\n\
                    d3,d3@acme.test,D,d4@acme.test\n\
                    d4,d4@acme.test,D,d3\n\
                    ann,ann@acme.test,Last,bob\n");
    assert_eq!(
        codes(&plan),
        [(Some(2), Code::UnknownManager), (Some(3), Code::SelfReference), (Some(4), Code::ManagerCycle), (Some(5), Code::ManagerCycle), (Some(6), Code::ManagerCycle)]
    );
    assert!(plan.errors[2].message.contains("d3 → d4 → d3"), "{}", plan.errors[2].message);
}

#[test]
fn a_manager_created_later_in_the_file_is_found() {
    let plan = run("User ID,Email,Last Name,Reports To\nd1,d1@acme.test,D,boss\nboss,boss@acme.test,B,\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
}

#[test]
fn deleting_a_manager_needs_their_reports_moved_in_the_same_file() {
    let plan = run("Action,User ID,Email,Last Name,Reports To\ndelete,ann,ann@acme.test,,\n");
    assert!(codes(&plan).contains(&(Some(2), Code::HasReports)));
    let mut directory = acme();
    directory.acting_user = Some("cat".into());
    let keep = check_file(b"Action,User ID,Email,Last Name,Reports To\ndelete,ann,ann@acme.test,,\n", &Limits::default(), &directory);
    assert_eq!(codes(&keep), [(Some(2), Code::HasReports)]);
    assert!(keep.errors[0].message.starts_with("bob still report"), "{}", keep.errors[0].message);
    let moved = check_file(
        b"Action,User ID,Email,Last Name,Reports To\ndelete,ann,ann@acme.test,,\nupdate,bob,bob@acme.test,,cat\n",
        &Limits::default(),
        &directory,
    );
    assert!(moved.is_valid(), "{:?}", moved.errors);
}

#[test]
fn the_acting_admin_cannot_lock_themselves_out() {
    for file in [
        "Action,User ID,Email,Last Name\ndelete,ann,ann@acme.test,\n",
        "User ID,Email,Last Name,Active\nann,ann@acme.test,Last,FALSE\n",
        "User ID,Email,Last Name,Access Level\nann,ann@acme.test,Last,User\n",
        "User ID,Email,Last Name,Network Account\nann,ann@acme.test,Last,ACME\\ann\n",
    ] {
        assert!(run(file).errors.iter().any(|e| e.code == Code::SelfLockout), "{file}");
    }
}

#[test]
fn roles_to_add_are_listed_once_in_their_first_spelling() {
    let plan = run("User ID,Email,Last Name,Roles\n\
                    n1,n1@acme.test,N,OPS|Audit|Zed\n\
                    n2,n2@acme.test,N,ops\n\
                    n3,n3@acme.test,N,Sales;audit\n\
                    n4,n4@acme.test,N,Ops\n\
                    n5,n5@acme.test,N,Ops|New\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
    assert_eq!(plan.new_roles, ["Audit", "New", "OPS", "Zed"]);
}

#[test]
fn groups_must_exist_and_roles_are_created() {
    let file = "Email,Last Name,Groups,Role Names,Notify If New\nn@acme.test,N,team a|Nowhere,Sales;Brand-New,TRUE\n";
    let plan = run(file);
    assert_eq!(codes(&plan), [(Some(2), Code::UnknownGroup)]);
    assert!(plan.errors[0].message.contains("`Nowhere`"));
    assert_eq!(new_users(file)[0].groups, ["Team A"]);
    assert_eq!(new_users(file)[0].roles, ["Sales", "Brand-New"]);
    assert_eq!(plan.new_roles, ["Brand-New"]);
}

#[test]
fn the_tenant_column_must_name_the_admins_own_tenant() {
    let plan = run("Tenant,Email,Last Name\nacme,a@acme.test,A\nGlobex,b@acme.test,B\nA-cme,c@acme.test,C\n ACME ,d@acme.test,D\n");
    assert_eq!(codes(&plan), [(Some(3), Code::OtherTenant), (Some(4), Code::OtherTenant)], "a name with other punctuation is another tenant");
}

#[test]
fn copy_from_copies_roles_and_groups_of_an_existing_user() {
    let file = "Email,Last Name,Copy From,Copy Roles,Copy Groups\nn@acme.test,N,bob,TRUE,yes\nm@acme.test,M,ghost,TRUE,\n";
    assert_eq!(codes(&run(file)), [(Some(3), Code::UnknownCopySource)]);
    let users = new_users(file);
    assert_eq!((&users[0].roles, &users[0].groups), (&vec!["Sales".into()], &vec!["Team A".into()]));
}

#[test]
fn a_network_account_user_may_not_have_a_password() {
    let plan = run("Email,Last Name,Network Account,Password\nn@acme.test,N,ACME\\n,Secret123\n");
    assert_eq!(codes(&plan), [(Some(2), Code::PasswordNotAllowed)]);
}

#[test]
fn a_new_user_needs_a_last_name() {
    let plan = run("Email,Last Name\nn@acme.test,\n");
    assert_eq!(codes(&plan), [(Some(2), Code::Required)]);
}

#[test]
fn warnings_for_unchanged_rows_and_new_users_without_phone_or_sign_in() {
    let plan = run("User ID,Email,Last Name,Phone\ncat,cat@acme.test,Last,+44 20 7946 0000\nnew,new@acme.test,New,\n");
    assert!(plan.is_valid());
    let warnings: Vec<_> = plan.warnings.iter().map(|w| (w.row, w.code)).collect();
    assert_eq!(warnings, [(Some(2), Code::Unchanged), (Some(3), Code::NoPhone), (Some(3), Code::NoSignIn)]);
    assert_eq!(plan.summary().unchanged, 1);
    assert!(plan.warnings[2].message.contains("give a password, set Notify If New to TRUE"), "{}", plan.warnings[2].message);
    // Each row's warning is where it is, in the same words: shared, not copied
    // for each of the hundreds of thousands of rows a file can have.
    assert!(plan.warnings.iter().all(|w| matches!(w.message, std::borrow::Cow::Borrowed(_))));
}

#[test]
fn a_password_change_is_shown_without_the_password() {
    let plan = run("User ID,Email,Last Name,Password\ncat,cat@acme.test,Last,NewPass123\n");
    let change = &plan.updates[0].changes[0];
    assert_eq!((change.field.name(), change.old.as_str(), change.new.as_str()), ("Password", "", "set"));
    assert!(!serde_json::to_string(&plan.errors).unwrap().contains("NewPass123"));
}

#[test]
fn heading_problems_are_all_reported_together() {
    let plan = run("Emial,Last Name,Last Name,Shoe Size\nx,y,z,w\n");
    let found: Vec<_> = plan.errors.iter().map(|i| (i.code, i.column.as_deref().unwrap_or_default())).collect();
    assert_eq!(
        found,
        [
            (Code::MissingColumn, "Email"),
            (Code::UnknownColumn, "Emial"),
            (Code::DuplicateColumn, "Last Name"),
            (Code::UnknownColumn, "Shoe Size"),
        ]
    );
}

#[test]
fn a_value_without_a_heading_is_reported_past_the_last_heading_or_under_a_blank_one() {
    for (file, column) in [("Email,Last Name\na@acme.test,A,stray\n", 3), ("Email,,Last Name\na@acme.test,stray,A\n", 2)] {
        let plan = run(file);
        assert_eq!(codes(&plan), [(Some(2), Code::UnknownColumn)], "{file:?}");
        assert!(plan.errors[0].message.contains(&format!("column {column},")), "{}", plan.errors[0].message);
    }
}

#[test]
fn an_empty_file_and_a_file_of_headings_are_empty() {
    for file in ["", "Email,Last Name\n", "Email,Last Name\n,\n\n"] {
        let plan = run(file);
        assert_eq!(codes(&plan), [(None, Code::EmptyFile)], "{file:?}");
        assert_eq!(plan.result_message(), "Users file is empty");
    }
}

#[test]
fn a_file_that_only_deletes_needs_no_last_name_column() {
    let plan = run("Action,Email\ndelete,cat@acme.test\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
    assert_eq!(plan.deletes[0].user.user_id, "cat");
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let plan = run("Email,Last Name,Phone\nbad,A,12\nalso-bad,B,34\n");
    assert_eq!(plan.errors.len(), 4);
}

#[test]
fn a_paced_check_steps_through_every_pass_and_plans_the_same() {
    let mut file = String::from("Email,Last Name\n");
    for i in 0..10_000 {
        file.push_str(&format!("u{i}@acme.test,U\n"));
    }
    let sheet = crate::sheet::read(file.as_bytes(), &Limits::default()).unwrap();
    let mut record = crate::pace::Record::default();
    let plan = crate::pace::straight(check_paced(&sheet, &acme(), &mut record));
    assert_eq!(plan, check(&sheet, &acme()));
    let steps = record.0;
    // Seven passes over 10,000 rows, a step every 256 rows, but for those
    // that work in parallel chunks natively (in the browser, chunks of 256):
    // parsing, uniqueness with the file's names, managers, and the plan.
    let passes = |count: usize, every: usize| count * (10_000 / every);
    let least = passes(2, crate::pace::ROWS_A_STEP) + passes(4, crate::parallel::CHUNK);
    assert!(steps.len() >= least, "{} steps, {least} expected", steps.len());
    assert!(steps.windows(2).all(|w| w[0].0 < w[1].0 && w[1].0 <= w[1].1), "steps go forward, never past the total");
    assert!(steps.last().unwrap().0 * 10 >= steps.last().unwrap().1 * 9, "the last step is near the end: {:?}", steps.last());
}

#[test]
fn notify_if_new_invites_new_users_who_sign_in_with_a_password() {
    let plan = run(
        "Email,Last Name,Phone,Notify If New,Network Account\n\
         a@acme.test,A,0123 456789,TRUE,\nb@acme.test,B,0123 456789,FALSE,\nc@acme.test,C,0123 456789,TRUE,ACME\\c\n",
    );
    assert!(plan.is_valid(), "{:?}", plan.errors);
    let invited: Vec<bool> = plan.creates.iter().map(|c| c.invite).collect();
    assert_eq!(invited, [true, false, false], "a network account has no password to set");
    assert_eq!(plan.invitations(), 1);
    let warnings: Vec<_> = plan.warnings.iter().map(|w| (w.row, w.code)).collect();
    assert_eq!(warnings, [(Some(3), Code::NoSignIn)], "B has neither a password nor an invitation");
}

#[test]
fn a_directory_is_indexed_on_its_first_check_and_a_changed_one_afresh() {
    let mut directory = acme();
    assert!(directory.index.get(&directory.users, &[]).is_none());
    let file = "User ID,Email,Last Name\nBOB,bob@acme.test,Bobbins\n";
    let first = check_file(file.as_bytes(), &Limits::default(), &directory);
    assert_eq!(first.updates.len(), 1, "{first:?}");
    assert!(directory.index.get(&directory.users, &[]).is_some(), "kept after the first check");
    assert!(directory.clone().index.get(&directory.users, &[]).is_none(), "a copy starts without it");
    assert_eq!(check_file(file.as_bytes(), &Limits::default(), &directory), first, "the kept index finds the same users");
    // A user added after the first check is found all the same.
    directory.users.push(user("dan", "dan@acme.test"));
    let plan = check_file(b"User ID,Email,Last Name\ndan,DAN@acme.test,Dan\n", &Limits::default(), &directory);
    assert!(plan.creates.is_empty() && plan.updates.len() == 1, "{plan:?}");
}

#[test]
fn folded_keys_match_as_fold_does_whatever_the_case() {
    use std::collections::HashSet;
    let pairs = [("Ann.Lee@Example.org", "ann.lee@example.org"), ("ÉMILE", "émile"), ("\u{212A}elvin", "kelvin"), ("a-long-name-past-thirty-two-bytes-X", "A-LONG-NAME-PAST-THIRTY-TWO-BYTES-x"),
        // Past eight bytes, non-ASCII in a middle word and in the last one only.
        ("Ann.Lee-ÉMILE@Example.org", "ann.lee-émile@example.org"), ("Ann.Lee-É", "ann.lee-é")];
    for (a, b) in pairs {
        assert_eq!(fold(a), fold(b));
        assert_eq!(Folded(a), Folded(b));
        let set: HashSet<Folded> = [Folded(a), Folded(b)].into_iter().collect();
        assert_eq!(set.len(), 1, "{a} and {b} hash alike");
    }
    assert_ne!(Folded("ann"), Folded("anna"));
    assert_ne!(Folded("émile"), Folded("emile"));
}

#[test]
fn capitals_are_lowered_eight_bytes_at_once_and_nothing_else_changes() {
    for byte in 0..=u8::MAX {
        for lane in 0..8 {
            let mut bytes = *b"mIxEd-7~";
            bytes[lane] = byte;
            let expected: Vec<u8> = bytes.iter().map(|b| b.to_ascii_lowercase()).collect();
            assert_eq!(super::lower_ascii(u64::from_le_bytes(bytes)).to_le_bytes().as_slice(), expected, "byte {byte:#x} in lane {lane}");
        }
    }
    // Keys of every length hash alike in any case, and apart from their prefixes.
    let hash = |text: &str| std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, Folded(text));
    let name = "Ann.Lee-Smith@Example.ORG";
    for end in 0..=name.len() {
        assert_eq!(hash(&name[..end]), hash(&name[..end].to_lowercase()), "{}", &name[..end]);
        assert_ne!(hash(&name[..end]), hash(&format!("{}\0", &name[..end])));
    }
}

#[test]
fn the_digest_tells_apart_plans_that_differ_in_any_value() {
    let file = "User ID,Email,Last Name,Phone,Roles,Groups\ncy,cy@acme.test,Cy,0123 456789,Sales,Team A\nbob,bob@acme.test,Bob,0123 456789,Ops,\n";
    let digest = |file: &str, directory: &Directory, change: &str| {
        let sheet = sheet::read(file.as_bytes(), &Limits::default()).unwrap();
        let mut plan = check(&sheet, directory);
        assert!(plan.is_valid(), "{:?}", plan.errors);
        if !change.is_empty() {
            plan.updates[0].changes[0].new = change.into();
        }
        plan.digest(&sheet, directory)
    };
    let plan = digest(file, &acme(), "");
    assert_eq!(plan, digest(file, &acme(), ""), "the same plan, the same digest");
    // A new user's values come from the directory as well as the row.
    let sales_renamed = Directory { roles: vec!["SALES".into()], ..acme() };
    let other_locale = Directory { default_locale: "fr-FR".into(), ..acme() };
    let digests: std::collections::HashSet<String> = [
        plan,
        digest(file, &sales_renamed, ""),
        digest(file, &other_locale, ""),
        digest(&file.replace(",Cy,", ",Cyd,"), &acme(), ""),
        digest(file, &acme(), "Opz"),
    ]
    .into();
    assert_eq!(digests.len(), 5);
}

#[test]
fn rows_checked_in_parallel_chunks_keep_the_order_of_the_file() {
    // Three chunks of new users; the last third repeats the first, and each
    // new user reports to the one before, across the chunks' borders.
    let third = crate::parallel::CHUNK;
    let mut file = String::from("Email,Last Name,Phone,Notify If New,Reports To\n");
    for i in 0..3 * third {
        let manager = if i % third == 0 { String::new() } else { format!("u{}@acme.test", i % third - 1) };
        file.push_str(&format!("u{}@acme.test,U,0123 456789,TRUE,{manager}\n", i % (2 * third)));
    }
    let plan = run(&file);
    let rows = |plan: &[Issue]| plan.iter().map(|i| i.row.unwrap_or(0)).collect::<Vec<_>>();
    let repeats: Vec<u32> = (2 * third + 2..3 * third + 2).map(|row| row as u32).collect();
    assert_eq!(rows(&plan.errors), repeats, "every repeat, in order");
    assert!(plan.errors.iter().enumerate().all(|(i, e)| e.code == Code::DuplicateInFile && e.message.contains(&format!("row {} already", i + 2))));
    let created: Vec<u32> = plan.creates.iter().map(|c| c.row).collect();
    assert_eq!(new_users(&file).len(), 2 * third, "every new user made again from their row");
    assert_eq!(created, (2..2 * third as u32 + 2).collect::<Vec<_>>(), "new users in the file's order");
    assert_eq!(plan.creates[third + 5].reports_to, "u4@acme.test", "a manager from the chunk before");
}

#[test]
fn a_row_s_problems_keep_their_order_across_parallel_chunks() {
    // Uniqueness and managers are checked a chunk at a time: the two rows
    // on each side of a chunk's border share an e-mail address and name a
    // manager nobody is.
    let chunk = crate::parallel::CHUNK as u32;
    let mut file = String::from("User ID,Email,Last Name,Phone,Notify If New,Reports To\n");
    for i in 0..chunk + 2 {
        let (email, manager) = if i + 2 >= chunk { ("same@acme.test".to_string(), "nobody") } else { (format!("u{i}@acme.test"), "") };
        file.push_str(&format!("id{i},{email},U,0123 456789,TRUE,{manager}\n"));
    }
    let plan = run(&file);
    let (first, last) = (chunk, chunk + 3);
    let mut expected = vec![(Some(first), Code::UnknownManager)];
    for row in first + 1..=last {
        expected.extend([(Some(row), Code::DuplicateInFile), (Some(row), Code::UnknownManager)]);
    }
    assert_eq!(codes(&plan), expected, "by row, and in a row uniqueness before the manager");
    assert!(plan.errors[1].message.contains(&format!("row {first}")), "{}", plan.errors[1].message);
}

#[test]
fn the_digest_is_made_in_steps_and_comes_out_the_same() {
    struct Count(usize);
    impl crate::pace::Pace for Count {
        fn step(&mut self, _done: usize, _total: usize) -> crate::pace::Wait<'_> {
            self.0 += 1;
            Box::pin(std::future::ready(()))
        }
    }
    let mut file = String::from("Email,Last Name\n");
    (0..1000).for_each(|i| file.push_str(&format!("u{i}@acme.test,U\n")));
    let (sheet, directory) = (sheet::read(file.as_bytes(), &Limits::default()).unwrap(), acme());
    let plan = check(&sheet, &directory);
    let mut steps = Count(0);
    let paced = crate::pace::straight(plan.digest_paced(&sheet, &directory, &mut steps));
    assert_eq!(paced, plan.digest(&sheet, &directory));
    assert_eq!(steps.0, 3, "a step every 256 new users");
}

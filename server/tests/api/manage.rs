//! Changing users from the users pages: one at a time and many at once,
//! through the import's rules and into the history; groups and roles; and
//! who may do any of it.

use crate::helpers::*;
use app::model::import::Outcome;
use app::model::groups::{Kind, Named};
use app::import::columns::Column;
use app::model::users::{BulkPlan, OneUser};
use app::model::users::UserPage;
use serde_json::{json, Value};

/// A user's database id, found by User ID (or e-mail) through the list.
async fn id_of(app: &TestApp, session: &str, login: &str) -> i64 {
    let query = json!({ "query": { "filter": { "q": login }, "sort": "UserId", "descending": false, "after": null, "before": null } });
    let page: UserPage = serde_json::from_str(&app.call_json("list_users", &query, Some(session)).await.body).unwrap();
    page.users.iter().find(|l| l.user.user_id == login || l.user.email == login).unwrap_or_else(|| panic!("{login} listed")).id
}

/// A row of the import format with these cells filled in.
fn cells(set: &[(Column, &str)]) -> Vec<String> {
    let mut row = vec![String::new(); Column::ALL.len()];
    for (column, value) in set {
        row[Column::ALL.iter().position(|c| c == column).unwrap()] = value.to_string();
    }
    row
}

fn outcome(reply: &Reply) -> Outcome {
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

fn refused_codes(reply: &Reply) -> Vec<String> {
    match outcome(reply) {
        Outcome::Refused { errors } => errors.iter().map(|e| e.code.as_str().to_string()).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn detail(app: &TestApp, session: &str, id: i64) -> OneUser {
    let reply = app.call("user_detail", &[("id", &id.to_string())], Some(session)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

async fn latest_batch(app: &TestApp, session: &str) -> Value {
    let list = app.call("list_batches", &[], Some(session)).await.json();
    list[0].clone()
}

#[tokio::test]
async fn one_user_is_added_edited_given_a_password_blocked_and_deleted_each_as_a_batch_of_one() {
    for db in acme_and_other(&["Sales"]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let new = cells(&[(Column::UserId, "kim"), (Column::Email, "kim@acme.test"), (Column::LastName, "Kim"), (Column::Groups, "sales")]);
        let added = app.call_json("save_user", &json!({ "id": null, "cells": new }), Some(&ann)).await;
        assert!(matches!(outcome(&added), Outcome::Applied { .. }), "{}: {}", db.label, added.body);
        assert_eq!(latest_batch(&app, &ann).await["file_name"], "Users page: kim added");
        let kim = id_of(&app, &ann, "kim").await;
        let shown = detail(&app, &ann, kim).await;
        assert_eq!(shown.user.groups, ["Sales"], "{}: the group's own spelling", db.label);

        let mut edited = app::import::write::export_row(&shown.user);
        edited[Column::ALL.iter().position(|c| *c == Column::Title).unwrap()] = "Chef".into();
        let saved = app.call_json("save_user", &json!({ "id": kim, "cells": edited, "loaded": shown.user }), Some(&ann)).await;
        assert!(matches!(outcome(&saved), Outcome::Applied { .. }), "{}", saved.body);
        let batch = latest_batch(&app, &ann).await;
        assert_eq!((batch["file_name"].as_str(), batch["updated"].as_i64()), (Some("Users page: kim edited"), Some(1)));
        let changes = app.call("get_batch", &[("id", &batch["id"].to_string())], Some(&ann)).await.json();
        assert_eq!(changes["changes"][0]["field"], "Title");
        assert_eq!((changes["changes"][0]["old"].as_str(), changes["changes"][0]["new"].as_str()), (Some(""), Some("Chef")));

        let id = kim.to_string();
        let differ = app.call("set_user_password", &[("id", &id), ("password", "Kitchen 2026"), ("again", "Kitchen 2027")], Some(&ann)).await;
        assert_eq!(differ.status, 400, "{}", differ.body);
        let weak = app.call("set_user_password", &[("id", &id), ("password", "short"), ("again", "short")], Some(&ann)).await;
        assert_eq!(refused_codes(&weak), ["weak_password"]);
        let set = app.call("set_user_password", &[("id", &id), ("password", "Kitchen 2026"), ("again", "Kitchen 2026")], Some(&ann)).await;
        assert!(matches!(outcome(&set), Outcome::Applied { .. }));
        let batch = latest_batch(&app, &ann).await;
        let changes = app.call("get_batch", &[("id", &batch["id"].to_string())], Some(&ann)).await;
        assert!(!changes.body.contains("Kitchen") && !batch.to_string().contains("Kitchen"), "{}: the password is never shown", db.label);
        let login = app.call("login", &[("email", "kim"), ("password", "Kitchen 2026")], None).await;
        assert_eq!(login.status, 200, "{}: kim signs in with the new password", db.label);

        assert!(matches!(outcome(&app.call("set_user_active", &[("id", &id), ("active", "false")], Some(&ann)).await), Outcome::Applied { .. }));
        assert!(!detail(&app, &ann, kim).await.user.active);
        let blocked = app.call("login", &[("email", "kim"), ("password", "Kitchen 2026")], None).await;
        assert_eq!(blocked.status, 401, "{}: a blocked user cannot sign in", db.label);
        assert!(matches!(outcome(&app.call("set_user_active", &[("id", &id), ("active", "true")], Some(&ann)).await), Outcome::Applied { .. }));

        assert!(matches!(outcome(&app.call("delete_user", &[("id", &id)], Some(&ann)).await), Outcome::Applied { .. }));
        assert_eq!(app.call("user_detail", &[("id", &id)], Some(&ann)).await.status, 404);
        assert_eq!(latest_batch(&app, &ann).await["deleted"], 1);
    }
}

#[tokio::test]
async fn a_bad_field_is_refused_with_the_import_message_and_nothing_changes() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let before = scalar(&db, "SELECT version FROM tenants WHERE name = 'Acme'").await;
        let bad = cells(&[(Column::Email, "not-an-address"), (Column::LastName, "X"), (Column::Phone, "12")]);
        let reply = app.call_json("save_user", &json!({ "id": null, "cells": bad }), Some(&ann)).await;
        let mut codes = refused_codes(&reply);
        codes.sort();
        assert_eq!(codes, ["invalid_email", "invalid_phone"], "{}", db.label);
        let taken = cells(&[(Column::Email, "BOB@acme.test"), (Column::LastName, "X")]);
        let reply = app.call_json("save_user", &json!({ "id": null, "cells": taken }), Some(&ann)).await;
        assert!(refused_codes(&reply).contains(&"already_exists".to_string()) || refused_codes(&reply).contains(&"duplicate_in_file".to_string()), "{}", reply.body);
        assert_eq!(scalar(&db, "SELECT version FROM tenants WHERE name = 'Acme'").await, before, "{}: nothing changed", db.label);
        let short = app.call_json("save_user", &json!({ "id": null, "cells": ["x"] }), Some(&ann)).await;
        assert_eq!(short.status, 400);
    }
}

#[tokio::test]
async fn a_password_set_by_an_admin_ends_the_users_sessions_and_a_network_account_their_password() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let bob_session = app.sign_in("bob@acme.test").await;
        let bob = id_of(&app, &ann, "bob@acme.test").await.to_string();
        let dir = tempfile::tempdir().unwrap();
        // A change of case alone is the same address: the session goes on.
        let recased = saved(&dir, "recased.csv", "User ID,Email,Last Name\nbob@acme.test,Bob@acme.test,Tester\n");
        assert!(roster(&db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", &recased], "").status.success());
        assert_eq!(app.whoami(&bob_session).await.as_deref(), Some("Bob@acme.test"), "{}", db.label);
        let set = app.call("set_user_password", &[("id", &bob), ("password", "Kitchen 2026"), ("again", "Kitchen 2026")], Some(&ann)).await;
        assert!(matches!(outcome(&set), Outcome::Applied { .. }), "{}", set.body);
        assert_eq!(app.whoami(&bob_session).await, None, "{}: the session from before the new password ended", db.label);
        assert_eq!(app.whoami(&ann).await.as_deref(), Some("ann@acme.test"), "the admin's own session stays");
        let login = [("email", "bob@acme.test"), ("password", "Kitchen 2026")];
        assert_eq!(app.call("login", &login, None).await.status, 200);

        let file = saved(&dir, "network.csv", "User ID,Email,Last Name,Network Account\nbob@acme.test,bob@acme.test,Tester,ACME\\bob\n");
        let out = roster(&db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", &file], "");
        assert!(out.status.success(), "{}: {out:?}", db.label);
        assert_ne!(app.call("login", &login, None).await.status, 200, "{}: moved to the network, Bob's password no longer signs him in", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email_key = 'bob@acme.test' AND password_hash IS NULL").await, 1);
    }
}

#[tokio::test]
async fn an_admin_who_sets_their_own_password_keeps_only_the_session_they_set_it_in() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let here = app.sign_in("ann@acme.test").await;
        let elsewhere = app.sign_in("ann@acme.test").await;
        let ann = id_of(&app, &here, "ann@acme.test").await.to_string();
        let set = app.call("set_user_password", &[("id", &ann), ("password", "Kitchen 2026"), ("again", "Kitchen 2026")], Some(&here)).await;
        assert!(matches!(outcome(&set), Outcome::Applied { .. }), "{}", set.body);
        assert_eq!(app.whoami(&here).await.as_deref(), Some("ann@acme.test"), "{}: the session the password was set in stays", db.label);
        assert_eq!(app.whoami(&elsewhere).await, None, "{}: another session of the admin's ends", db.label);

        // From the command line there is no session of the admin's to keep.
        let again = app.sign_in_with("ann@acme.test", "Kitchen 2026").await;
        let dir = tempfile::tempdir().unwrap();
        let file = saved(&dir, "own.csv", "User ID,Email,Last Name,Password\nann@acme.test,ann@acme.test,Admin,Kitchen 2027\n");
        let out = roster(&db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", &file], "");
        assert!(out.status.success(), "{}: {out:?}", db.label);
        assert_eq!(app.whoami(&again).await, None, "{}", db.label);
    }
}

#[tokio::test]
async fn a_form_saved_after_someone_else_changed_the_user_changes_nothing() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let bob = id_of(&app, &ann, "bob@acme.test").await;
        let shown = detail(&app, &ann, bob).await;
        // Another admin blocks Bob while Ann's form is open.
        assert!(matches!(outcome(&app.call("set_user_active", &[("id", &bob.to_string()), ("active", "false")], Some(&ann)).await), Outcome::Applied { .. }));
        let mut edited = app::import::write::export_row(&shown.user);
        edited[Column::ALL.iter().position(|c| *c == Column::Title).unwrap()] = "Chef".into();
        let saved = app.call_json("save_user", &json!({ "id": bob, "cells": edited, "loaded": shown.user }), Some(&ann)).await;
        assert_eq!(saved.status, 409, "{}: {}", db.label, saved.body);
        assert!(saved.body.contains("Reload the page"), "{}", saved.body);
        let now = detail(&app, &ann, bob).await.user;
        assert_eq!((now.active, now.title.as_str()), (false, ""), "{}: the block stands and the form's values were not written", db.label);
        // Sent with the user as they are now, the same edit is saved.
        let saved = app.call_json("save_user", &json!({ "id": bob, "cells": edited, "loaded": now }), Some(&ann)).await;
        assert!(matches!(outcome(&saved), Outcome::Applied { .. }), "{}", saved.body);
        assert!(detail(&app, &ann, bob).await.user.active, "the form's own Active was sent");
    }
}

#[tokio::test]
async fn an_admin_cannot_block_demote_or_delete_themselves_so_the_last_admin_stays() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let me = id_of(&app, &ann, "ann@acme.test").await;
        let shown = detail(&app, &ann, me).await;
        assert!(shown.is_me);
        let id = me.to_string();
        assert_eq!(refused_codes(&app.call("set_user_active", &[("id", &id), ("active", "false")], Some(&ann)).await), ["self_lockout"]);
        assert_eq!(refused_codes(&app.call("delete_user", &[("id", &id)], Some(&ann)).await), ["self_lockout"]);
        let mut demoted = app::import::write::export_row(&shown.user);
        demoted[Column::ALL.iter().position(|c| *c == Column::AccessLevel).unwrap()] = "User".into();
        assert_eq!(refused_codes(&app.call_json("save_user", &json!({ "id": me, "cells": demoted, "loaded": shown.user }), Some(&ann)).await), ["self_lockout"]);
        let everyone = json!({ "selection": {}, "action": "Delete", "name": "" });
        let preview: BulkPlan = serde_json::from_str(&app.call_json("bulk_preview", &everyone, Some(&ann)).await.body).unwrap();
        assert!(preview.problems.iter().any(|p| p.starts_with("ann@acme.test: ")), "{}: {:?}", db.label, preview.problems);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE access_level = 'Admin' AND active = 1 AND tenant_id = (SELECT id FROM tenants WHERE name = 'Acme')").await, 1);
    }
}

#[tokio::test]
async fn many_users_change_together_from_ticks_or_a_filter_and_the_export_of_ticks_holds_just_them() {
    for db in acme_and_other(&["Sales", "Ops"]).await {
        let mut csv = String::from("User ID,Email,Last Name,Groups,Roles,Reports To\nboss,boss@acme.test,Boss,,,\n");
        for i in 0..30 {
            csv += &format!("u{i:02},u{i:02}@acme.test,U,{},{},{}\n", if i < 10 { "Sales" } else { "" }, if i % 2 == 0 { "Audit" } else { "" }, if i == 29 { "boss" } else { "" });
        }
        let dir = tempfile::tempdir().unwrap();
        let path = saved(&dir, "u.csv", csv);
        assert!(roster(&db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", &path], "").status.success());
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;

        let sales = json!({ "group": "Sales" });
        let preview = |selection: Value, action: &str, name: &str| {
            let (app, ann) = (&app, &ann);
            let body = json!({ "selection": selection, "action": action, "name": name });
            async move {
                let reply = app.call_json("bulk_preview", &body, Some(ann)).await;
                assert_eq!(reply.status, 200, "{}", reply.body);
                serde_json::from_str::<BulkPlan>(&reply.body).unwrap()
            }
        };
        let apply = |selection: Value, action: &str, name: &str, p: &BulkPlan| {
            let (app, ann) = (&app, &ann);
            let body = json!({ "selection": selection, "action": action, "name": name, "version": p.version, "digest": p.digest });
            async move { outcome(&app.call_json("bulk_apply", &body, Some(ann)).await) }
        };
        let p = preview(sales.clone(), "AddToGroup", "ops").await;
        assert_eq!((p.count, p.summary.updated, p.problems.len()), (10, 10, 0), "{}", db.label);
        assert_eq!(p.users[0], "u00");
        let Outcome::Applied { batch_id, .. } = apply(sales.clone(), "AddToGroup", "ops", &p).await else { panic!() };
        let Outcome::Applied { batch_id: again, replayed, .. } = apply(sales.clone(), "AddToGroup", "ops", &p).await else { panic!() };
        assert_eq!((again, replayed), (batch_id, true), "{}: confirming twice applies once", db.label);
        assert_eq!(latest_batch(&app, &ann).await["file_name"], "Users page: add 10 users to group Ops");
        let count = |filter: Value| {
            let (app, ann) = (&app, &ann);
            async move {
                let body = json!({ "query": { "filter": filter, "sort": "UserId", "descending": false, "after": null, "before": null } });
                serde_json::from_str::<UserPage>(&app.call_json("list_users", &body, Some(ann)).await.body).unwrap().total
            }
        };
        assert_eq!(count(json!({ "group": "Ops" })).await, 10);

        let p = preview(json!({ "role": "Audit" }), "RemoveFromRole", "AUDIT").await;
        assert!(matches!(apply(json!({ "role": "Audit" }), "RemoveFromRole", "AUDIT", &p).await, Outcome::Applied { .. }));
        assert_eq!(count(json!({ "role": "Audit" })).await, 0);
        let unknown = app.call_json("bulk_preview", &json!({ "selection": sales, "action": "AddToGroup", "name": "Nope" }), Some(&ann)).await;
        assert_eq!(unknown.status, 400, "{}", unknown.body);

        // Ticked users: the boss keeps a report, so deleting only the boss is refused.
        let (boss, u28, u29) = (id_of(&app, &ann, "boss").await, id_of(&app, &ann, "u28").await, id_of(&app, &ann, "u29").await);
        let ticked = json!({ "ids": format!("{boss},{u28}") });
        let p = preview(ticked.clone(), "Delete", "").await;
        assert_eq!(p.count, 2);
        assert!(p.problems.iter().any(|m| m.starts_with("boss: ")), "{:?}", p.problems);
        let refused = apply(ticked.clone(), "Delete", "", &p).await;
        assert!(matches!(refused, Outcome::Refused { .. }), "{}: {refused:?}", db.label);
        let csv = app.get(&format!("/users/export.csv?ids={boss},{u29}"), Some(&ann)).await.body;
        assert_eq!(csv.lines().count(), 3, "{}: headings and the two ticked users\n{csv}", db.label);
        let ticked = json!({ "ids": format!("{boss},{u28},{u29}") });
        let p = preview(ticked.clone(), "Delete", "").await;
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert!(matches!(apply(ticked, "Delete", "", &p).await, Outcome::Applied { .. }));
        assert_eq!(count(json!({})).await, 2 + 28, "{}: ann, bob and u00 … u27", db.label);
    }
}

#[tokio::test]
async fn groups_and_roles_are_created_renamed_and_deleted_with_their_members_counted() {
    for db in acme_and_other(&["Sales"]).await {
        let csv = "User ID,Email,Last Name,Groups,Roles\nkim,kim@acme.test,Kim,Sales,Audit\n";
        let dir = tempfile::tempdir().unwrap();
        let path = saved(&dir, "k.csv", csv);
        assert!(roster(&db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", &path], "").status.success());
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let names = |kind: Kind| {
            let (app, ann) = (&app, &ann);
            async move { serde_json::from_str::<Vec<Named>>(&app.call_json("list_names", &json!({ "kind": kind }), Some(ann)).await.body).unwrap() }
        };
        let version = || scalar(&db, "SELECT version FROM tenants WHERE name = 'Acme'");

        assert_eq!(app.call_json("create_group", &json!({ "name": "Ops" }), Some(&ann)).await.status, 200);
        assert_eq!(app.call_json("create_group", &json!({ "name": "ops" }), Some(&ann)).await.status, 400, "{}: names are unique in any case", db.label);
        assert_eq!(app.call_json("create_group", &json!({ "name": "a|b" }), Some(&ann)).await.status, 400);
        let groups = names(Kind::Group).await;
        assert_eq!(groups.iter().map(|g| (g.name.as_str(), g.members)).collect::<Vec<_>>(), [("Ops", 0), ("Sales", 1)]);

        let before = version().await;
        let sales = groups[1].id;
        assert_eq!(app.call_json("rename_name", &json!({ "kind": "Group", "id": sales, "name": "Ops" }), Some(&ann)).await.status, 400);
        assert_eq!(app.call_json("rename_name", &json!({ "kind": "Group", "id": sales, "name": "Sales EMEA" }), Some(&ann)).await.status, 200);
        assert!(version().await > before, "{}: a file checked before must be checked again", db.label);
        let kim = id_of(&app, &ann, "kim").await;
        assert_eq!(detail(&app, &ann, kim).await.user.groups, ["Sales EMEA"]);

        let roles = names(Kind::Role).await;
        assert_eq!((roles[0].name.as_str(), roles[0].members), ("Audit", 1));
        let audit = roles[0].id;
        assert_eq!(app.call_json("rename_name", &json!({ "kind": "Role", "id": audit, "name": "Two words" }), Some(&ann)).await.status, 400);
        assert_eq!(app.call_json("delete_name", &json!({ "kind": "Role", "id": audit }), Some(&ann)).await.status, 400, "{}: a role in use stays", db.label);
        assert_eq!(app.call_json("delete_name", &json!({ "kind": "Group", "id": sales }), Some(&ann)).await.status, 200, "{}: a group goes, its members leave it", db.label);
        assert!(detail(&app, &ann, kim).await.user.groups.is_empty());
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE event IN ('group_created', 'group_renamed', 'group_deleted')").await, 3);
    }
}

#[tokio::test]
async fn an_admin_unlocks_an_account_that_failed_sign_ins_locked() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        for _ in 0..5 {
            app.call("login", &[("email", "bob@acme.test"), ("password", "wrong password 1")], None).await;
        }
        assert_eq!(app.call("login", &[("email", "bob@acme.test"), ("password", PASSWORD)], None).await.status, 429);
        let bob = id_of(&app, &ann, "bob@acme.test").await;
        assert!(detail(&app, &ann, bob).await.locked, "{}", db.label);
        assert_eq!(app.call("unlock_user", &[("id", &bob.to_string())], Some(&ann)).await.status, 200);
        assert!(!detail(&app, &ann, bob).await.locked);
        assert_eq!(app.call("login", &[("email", "bob@acme.test"), ("password", PASSWORD)], None).await.status, 200, "{}", db.label);
    }
}

#[tokio::test]
async fn another_organisation_finds_nothing_and_only_admins_change_anything() {
    for db in acme_and_other(&["Sales"]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let bob_id = id_of(&app, &ann, "bob@acme.test").await;
        let sales = serde_json::from_str::<Vec<Named>>(&app.call_json("list_names", &json!({ "kind": "Group" }), Some(&ann)).await.body).unwrap()[0].id;
        let zed = app.sign_in("zed@other.test").await;
        let id = bob_id.to_string();
        let row = cells(&[(Column::Email, "bob@acme.test"), (Column::LastName, "Taken")]);
        for (who, session, status) in [("zed of Other", &zed, 404), ("bob, a user", &app.sign_in("bob@acme.test").await, 403)] {
            let answers = [
                app.call("user_detail", &[("id", &id)], Some(session)).await,
                app.call_json("save_user", &json!({ "id": bob_id, "cells": row }), Some(session)).await,
                app.call("set_user_active", &[("id", &id), ("active", "false")], Some(session)).await,
                app.call("delete_user", &[("id", &id)], Some(session)).await,
                app.call("set_user_password", &[("id", &id), ("password", "Stolen pass 1"), ("again", "Stolen pass 1")], Some(session)).await,
                app.call("unlock_user", &[("id", &id)], Some(session)).await,
                app.call_json("rename_name", &json!({ "kind": "Group", "id": sales, "name": "Mine" }), Some(session)).await,
                app.call_json("delete_name", &json!({ "kind": "Group", "id": sales }), Some(session)).await,
            ];
            for (i, reply) in answers.iter().enumerate() {
                assert_eq!(reply.status, status, "{}: {who}, call {i}: {}", db.label, reply.body);
            }
        }
        // Another tenant's ids select nobody; its own list holds only its own names.
        let theirs = app.call_json("bulk_preview", &json!({ "selection": { "ids": id }, "action": "Delete", "name": "" }), Some(&zed)).await;
        assert_eq!(theirs.status, 400, "{}", theirs.body);
        let listed = app.call_json("list_names", &json!({ "kind": "Group" }), Some(&zed)).await.body;
        assert_eq!(listed, "[]");
        let manager_can_look = {
            person(&db, "Acme", "max@acme.test", "Manager");
            let max = app.sign_in("max@acme.test").await;
            (app.call("user_detail", &[("id", &id)], Some(&max)).await.status, app.call("delete_user", &[("id", &id)], Some(&max)).await.status)
        };
        assert_eq!(manager_can_look, (200, 403), "{}: a manager looks, and changes nothing", db.label);
        assert_eq!(app.call("user_detail", &[("id", &id)], None).await.status, 401);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'bob@acme.test' AND active = 1").await, 1);
    }
}

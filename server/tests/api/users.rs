//! The users list: keyset paging in every sort, filters, tenant isolation,
//! and the export of a filter.

use crate::helpers::*;
use app::model::users::{ListQuery, Sort, UserPage, PAGE_SIZE};
use serde_json::json;
use std::collections::HashSet;

/// Imports `count` users named so that sorts have ties: u000 … with five last names.
fn add_users(db: &TestDb, from: usize, count: usize, extra: &str) {
    let mut csv = String::from("User ID,Email,First Name,Last Name,Title,Access Level,Active,Groups,Roles,Reports To\n");
    for i in from..from + count {
        let (last, level, active) = (["Ng", "Lee", "Kim", "Ray", "Orr"][i % 5], ["User", "Manager"][i % 2], ["TRUE", "FALSE"][usize::from(i % 7 == 0)]);
        let group = if i % 3 == 0 { "Sales" } else { "" };
        let role = if i % 4 == 0 { "Audit" } else { "" };
        let manager = if i % 10 == 5 { "ann@acme.test" } else { "" };
        csv += &format!("u{i:03},u{i:03}@acme.test,F{},{last},T{},{level},{active},{group},{role},{manager}\n", i % 9, i % 4);
    }
    csv += extra;
    let dir = tempfile::tempdir().unwrap();
    let path = saved(&dir, "users.csv", csv);
    let out = roster(db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", &path], "");
    assert!(out.status.success(), "{}: {}", db.label, String::from_utf8_lossy(&out.stdout));
}

async fn page(app: &TestApp, session: &str, query: &ListQuery) -> UserPage {
    let reply = app.call_json("list_users", &json!({ "query": query }), Some(session)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

#[tokio::test]
async fn paging_shows_every_user_once_in_order_for_every_sort_both_ways_even_while_users_are_added() {
    for db in acme_and_other(&["Sales"]).await {
        add_users(&db, 0, 2 * PAGE_SIZE as usize + 7, "");
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        for sort in Sort::ALL {
            for descending in [false, true] {
                let mut query = ListQuery { sort, descending, ..ListQuery::default() };
                let mut seen = Vec::new();
                let mut pages = Vec::new();
                loop {
                    let page = page(&app, &ann, &query).await;
                    if sort == Sort::Title && !descending && pages.len() == 1 {
                        // Users added while someone pages: every earlier user still shows once.
                        add_users(&db, 500, 3, "");
                    }
                    seen.extend(page.users.iter().map(|l| (sort.key(&l.user, &[]), l.id)));
                    pages.push(page.clone());
                    match page.next {
                        Some(next) => query.after = Some(next),
                        None => break,
                    }
                }
                let mut expected = seen.clone();
                expected.sort();
                if descending {
                    expected.reverse();
                }
                assert_eq!(seen, expected, "{}: {sort:?} descending={descending} is in order", db.label);
                let unique: HashSet<i64> = seen.iter().map(|(_, id)| *id).collect();
                assert_eq!(unique.len(), seen.len(), "{}: no user twice", db.label);
                assert!(seen.len() as i64 >= pages[0].total, "{}: {sort:?} every user", db.label);

                if sort == Sort::Title && !descending {
                    continue; // the pages changed under the walk
                }
                // Back from the last page, page by page, gives the same pages.
                let mut back = ListQuery { sort, descending, before: pages.last().unwrap().previous.clone(), ..ListQuery::default() };
                for expected in pages.iter().rev().skip(1) {
                    let page = page(&app, &ann, &back).await;
                    let ids = |p: &UserPage| p.users.iter().map(|l| l.id).collect::<Vec<_>>();
                    assert_eq!(ids(&page), ids(expected), "{}: {sort:?} back", db.label);
                    back.before = page.previous;
                }
            }
        }
    }
}

#[tokio::test]
async fn filters_match_text_access_level_active_group_role_and_manager() {
    for db in acme_and_other(&["Sales"]).await {
        add_users(&db, 0, 40, "");
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let count = |filter: serde_json::Value| {
            let (app, ann) = (&app, &ann);
            async move {
                let reply = app.call_json("list_users", &json!({ "query": { "filter": filter, "sort": "LastName", "descending": false, "after": null, "before": null } }), Some(ann)).await;
                assert_eq!(reply.status, 200, "{}", reply.body);
                serde_json::from_str::<UserPage>(&reply.body).unwrap().total
            }
        };
        assert_eq!(count(json!({})).await, 42, "{}: ann, bob and 40", db.label);
        assert_eq!(count(json!({ "q": "U01" })).await, 10, "{}: u010 … u019, any case", db.label);
        assert_eq!(count(json!({ "q": "100%" })).await, 0, "a % is a character, not a wildcard");
        assert_eq!(count(json!({ "access": "Manager" })).await, 20);
        assert_eq!(count(json!({ "active": "FALSE" })).await, 6, "u000, u007 … u035");
        assert_eq!(count(json!({ "group": "sales" })).await, 14);
        assert_eq!(count(json!({ "role": "Audit" })).await, 10);
        assert_eq!(count(json!({ "manager": "ANN@acme.test" })).await, 4);
        assert_eq!(count(json!({ "group": "Sales", "access": "Manager" })).await, 7);
    }
}

#[tokio::test]
async fn each_organisation_sees_only_its_users_and_a_user_sees_none() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let zed = app.sign_in("zed@other.test").await;
        let theirs = page(&app, &zed, &ListQuery::default()).await;
        assert_eq!(theirs.users.iter().map(|l| l.user.email.as_str()).collect::<Vec<_>>(), ["zed@other.test"], "{}", db.label);
        let bob = app.sign_in("bob@acme.test").await;
        assert_eq!(app.call_json("list_users", &json!({ "query": ListQuery::default() }), Some(&bob)).await.status, 403);
        assert_eq!(app.call_json("list_users", &json!({ "query": ListQuery::default() }), None).await.status, 401);
        assert_eq!(app.get("/users/export.csv", Some(&bob)).await.status, 403);
        assert_eq!(app.get("/users/export.xlsx", None).await.status, 401);
        let csv = app.get("/users/export.csv", Some(&zed)).await;
        assert!(csv.body.contains("zed@other.test") && !csv.body.contains("acme.test"), "{}", db.label);
    }
}

#[tokio::test]
async fn the_export_of_a_filter_holds_exactly_those_users_and_imports_back_unchanged() {
    for db in acme_and_other(&["Sales"]).await {
        add_users(&db, 0, 12_000, "");
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let csv = app.get("/users/export.csv?group=Sales", Some(&ann)).await;
        assert_eq!(csv.status, 200);
        let lines: Vec<&str> = csv.body.lines().collect();
        assert!(lines[0].starts_with("\u{feff}Action,User ID,Email"), "{}", lines[0]);
        assert_eq!(lines.len() - 1, 4_000, "{}: one row per user in Sales, across export parts", db.label);
        assert!(lines[1..].iter().all(|l| l.contains(",Sales,")));

        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("sales.csv", csv.body.into_bytes()),
            ("all.xlsx", app.http.get(format!("{}/users/export.xlsx", app.base)).header("cookie", format!("roster_session={ann}")).send().await.unwrap().bytes().await.unwrap().to_vec()),
        ] {
            let path = saved(&dir, name, bytes);
            let out = roster(&db, &["check", "--tenant", "Acme", &path, "--json"], "");
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let s = &report["summary"];
            assert_eq!((s["added"].as_i64(), s["updated"].as_i64(), s["deleted"].as_i64()), (Some(0), Some(0), Some(0)), "{}: {name} {report}", db.label);
            let expected = if name == "sales.csv" { 4_000 } else { 12_002 };
            assert_eq!(s["unchanged"].as_i64(), Some(expected), "{}: {name}", db.label);
        }
    }
}

//! The import page's server functions: the directory snapshot and the
//! commit of a checked batch, called over HTTP in CBOR as the page calls them.

use crate::helpers::*;
use app::api::import::CommitImport;
use app::model::import::{Outcome, Upload};
use app::error::AppError;
use app::import::snapshot::Snapshot;
use app::import::{check, Code, Directory};
use app::pace::{straight, Straight};
use app::sheet::{read, Limits, Parts};

async fn snapshot(app: &TestApp, session: &str) -> Directory {
    let (status, body) = app.cbor("import_snapshot", None::<&()>, Some(session)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    straight(Snapshot(body).decode(&mut Straight)).expect("a snapshot of the directory")
}

/// What the page sends for `csv` after checking it against `directory`.
fn upload(key: &str, csv: &str, directory: &Directory) -> Upload {
    let sheet = read(csv.as_bytes(), &Limits::default()).unwrap();
    let plan = check(&sheet, directory);
    Upload { key: key.into(), file_name: "people.csv".into(), version: plan.version, digest: plan.digest(&sheet, directory), sheet: sheet.to_parts() }
}

async fn commit(app: &TestApp, upload: Upload, session: Option<&str>) -> Result<Outcome, (u16, AppError)> {
    let (status, body) = app.cbor("commit_import", Some(&CommitImport { upload }), session).await;
    if status == 200 {
        Ok(serde_json::from_slice(&body).expect("a JSON outcome"))
    } else {
        Err((status, serde_json::from_slice(&body).unwrap_or_else(|_| panic!("{status}: {}", String::from_utf8_lossy(&body)))))
    }
}

const NEW_USER: &str = "User ID,Email,Last Name,Roles\ncyd,cyd@acme.test,Cole,Support\n";

#[tokio::test]
async fn a_checked_batch_is_applied_once_and_its_id_cannot_carry_another_file() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let directory = snapshot(&app, &ann).await;
        assert_eq!(directory.tenant, "Acme");
        assert_eq!(directory.acting_user.as_deref(), Some("ann@acme.test"), "{}", db.label);
        assert_eq!(directory.users.len(), 2, "{}: only Acme's users", db.label);

        let applied = commit(&app, upload("b1", NEW_USER, &directory), Some(&ann)).await.unwrap();
        let Outcome::Applied { batch_id, message, replayed: false } = applied else { panic!("{}: {applied:?}", db.label) };
        assert_eq!(message, "Users Loaded successfully. 1 Added, 0 Updated, 0 Deleted, 1 Roles Added.");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'cyd@acme.test'").await, 1);

        let again = commit(&app, upload("b1", NEW_USER, &directory), Some(&ann)).await.unwrap();
        assert_eq!(again, Outcome::Applied { batch_id, message, replayed: true }, "{}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_batches").await, 1, "applied once");

        let other = upload("b1", "Email,Last Name\ndee@acme.test,Dee\n", &snapshot(&app, &ann).await);
        let (status, error) = commit(&app, other, Some(&ann)).await.unwrap_err();
        assert_eq!(status, 400);
        assert!(error.to_string().contains("batch id was used before"), "{error}");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'dee@acme.test'").await, 0);
    }
}

#[tokio::test]
async fn a_preview_of_a_directory_that_changed_since_is_refused_and_changes_nothing() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let before = snapshot(&app, &ann).await;
        let previewed = upload("p1", "Email,Last Name,Title\nbob@acme.test,Tester,Engineer\n", &before);
        // Meanwhile another admin gives Bob another title.
        let meanwhile = upload("p2", "Email,Last Name,Title\nbob@acme.test,Tester,Director\n", &before);
        assert!(matches!(commit(&app, meanwhile, Some(&ann)).await, Ok(Outcome::Applied { .. })));

        let (status, error) = commit(&app, previewed, Some(&ann)).await.unwrap_err();
        assert_eq!((status, matches!(error, AppError::Stale(_))), (409, true), "{}: {error}", db.label);
        assert!(error.to_string().contains("Check the file again"));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE title = 'Director'").await, 1, "{}", db.label);

        // Checked again against the new directory, it goes through.
        let fresh = upload("p3", "Email,Last Name,Title\nbob@acme.test,Tester,Engineer\n", &snapshot(&app, &ann).await);
        assert!(matches!(commit(&app, fresh, Some(&ann)).await, Ok(Outcome::Applied { .. })));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE title = 'Engineer'").await, 1);
    }
}

#[tokio::test]
async fn only_admins_commit_and_only_into_their_own_organisation() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let directory = snapshot(&app, &ann).await;

        let (status, _) = app.cbor("import_snapshot", None::<&()>, None).await;
        assert_eq!(status, 401, "{}", db.label);
        let bob = app.sign_in("bob@acme.test").await;
        let (status, _) = app.cbor("import_snapshot", None::<&()>, Some(&bob)).await;
        assert_eq!(status, 403, "{}", db.label);
        let (status, _) = commit(&app, upload("u1", NEW_USER, &directory), Some(&bob)).await.unwrap_err();
        assert_eq!(status, 403, "{}: a user cannot commit", db.label);
        let (status, _) = commit(&app, upload("u2", NEW_USER, &directory), None).await.unwrap_err();
        assert_eq!(status, 401);

        // Another organisation's admin sees only their own users and cannot reach Acme's.
        let zed = app.sign_in("zed@other.test").await;
        let theirs = snapshot(&app, &zed).await;
        assert_eq!(theirs.users.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(), ["zed@other.test"]);
        let reach = upload("z1", "Action,Email\ndelete,bob@acme.test\n", &directory);
        let refused = commit(&app, reach, Some(&zed)).await.unwrap();
        let Outcome::Refused { errors } = refused else { panic!("{}: {refused:?}", db.label) };
        assert_eq!(errors[0].code, Code::NotFound);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'bob@acme.test'").await, 1);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'cyd@acme.test'").await, 0);
    }
}

#[tokio::test]
async fn a_damaged_or_invalid_batch_is_refused_with_the_errors_the_page_would_show() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let directory = snapshot(&app, &ann).await;

        let mut damaged = upload("d1", NEW_USER, &directory);
        damaged.sheet = Parts { ends: vec![u32::MAX], ..damaged.sheet };
        let Ok(Outcome::Refused { errors }) = commit(&app, damaged, Some(&ann)).await else { panic!("{}", db.label) };
        assert_eq!(errors[0].code, Code::FileUnreadable);

        let invalid = upload("d2", "Email,Last Name\nnot-an-address,Lee\n", &directory);
        let Ok(Outcome::Refused { errors }) = commit(&app, invalid, Some(&ann)).await else { panic!("{}", db.label) };
        assert_eq!((errors[0].row, errors[0].code), (Some(2), Code::InvalidEmail));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_batches").await, 0, "{}: nothing recorded", db.label);
    }
}

#[tokio::test]
async fn only_an_admins_batch_may_be_larger_than_a_few_megabytes() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let bob = app.sign_in("bob@acme.test").await;
        let big = || {
            let mut upload = upload("big", NEW_USER, &Directory::default());
            upload.file_name = "x".repeat(5 << 20);
            CommitImport { upload }
        };
        // Refused before the body is read, with the answer the function would give.
        for (who, session, status) in [("nobody", None, 401), ("bob, a user", Some(bob.as_str()), 403)] {
            assert_eq!(app.declared("commit_import", 5 << 20, session), status, "{}: {who}", db.label);
        }
        assert_eq!(app.declared("login", 5 << 20, None), 413, "{}", db.label);
        let (status, body) = app.cbor("commit_import", Some(&big()), Some(&ann)).await;
        assert_eq!(status, 200, "{}: {}", db.label, String::from_utf8_lossy(&body[..body.len().min(300)]));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'cyd@acme.test'").await, 1);
    }
}

#[tokio::test]
async fn two_servers_on_one_database_act_as_one() {
    for db in acme_and_other(&[]).await {
        let (one, two) = (spawn(&db, &[]), spawn(&db, &[]));
        // A session made on one works on the other; signing out on one ends it on both.
        let ann = one.sign_in("ann@acme.test").await;
        assert_eq!(two.whoami(&ann).await.as_deref(), Some("ann@acme.test"), "{}", db.label);
        assert_eq!(two.call("logout", &[], Some(&ann)).await.status, 200);
        assert_eq!(one.whoami(&ann).await, None, "{}: signed out on the other server", db.label);

        // Two imports of one tenant, checked against the same directory and
        // sent to the two servers at once, are applied one after the other.
        let ann = one.sign_in("ann@acme.test").await;
        let directory = snapshot(&one, &ann).await;
        let xia = upload("x1", "Email,Last Name\nxia@acme.test,Xi\n", &directory);
        let yan = upload("x2", "Email,Last Name\nyan@acme.test,Yu\n", &directory);
        let (a, b) = tokio::join!(commit(&one, xia, Some(&ann)), commit(&two, yan, Some(&ann)));
        for outcome in [a, b] {
            assert!(matches!(outcome, Ok(Outcome::Applied { replayed: false, .. })), "{}: {outcome:?}", db.label);
        }
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email_key IN ('xia@acme.test', 'yan@acme.test')").await, 2);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_batches").await, 2, "{}", db.label);
        let version = scalar(&db, "SELECT version FROM tenants WHERE name = 'Acme'").await;
        assert_eq!(version, directory.version + 2, "{}: each batch moved the directory on once", db.label);
    }
}

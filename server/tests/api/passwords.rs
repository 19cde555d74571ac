//! Invitations and password links: sent with the batch or not at all, used
//! once, refused once expired; the forgotten-password answer that tells
//! nothing; changing one's own password; and who may send links.

use crate::helpers::*;
use crate::smtp::{token_in, Receiver};
use app::model::passwords::{LinkKind, LinkState, Outbox};

fn import(db: &TestDb, csv: &str) -> std::process::Output {
    run_on_file(db, "import", csv)
}

/// `roster check` or `roster import` (as ann) of this CSV, in Acme.
fn run_on_file(db: &TestDb, command: &str, csv: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(&dir, "users.csv", csv);
    let mut args = vec![command, "--tenant", "Acme"];
    if command == "import" {
        args.extend(["--as", "ann@acme.test"]);
    }
    args.push(&path);
    roster(db, &args, "")
}

async fn link_state(app: &TestApp, token: &str) -> LinkState {
    let reply = app.call("password_link", &[("token", token)], None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

async fn set_by_link(app: &TestApp, token: &str, password: &str) -> Reply {
    app.call("set_password_by_link", &[("token", token), ("password", password), ("password_confirm", password)], None).await
}

fn recipient(message: &str) -> &str {
    message.lines().find_map(|l| l.strip_prefix("To: ")).unwrap_or_default()
}

#[tokio::test]
async fn an_import_invites_each_new_user_once_and_a_refused_import_sends_nothing() {
    for db in acme_and_other(&[]).await {
        let smtp = Receiver::start().await;
        let app = spawn(&db, &["--smtp-url", &smtp.url]);
        let refused = import(&db, "Email,Last Name,Notify If New\nnew1@acme.test,One,TRUE\nnot-an-address,Two,TRUE\n");
        assert_eq!(refused.status.code(), Some(1), "{}: {refused:?}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox").await, 0, "{}: a refused batch writes no message", db.label);

        let file = "Email,First Name,Last Name,Notify If New,Password\n\
                    kim@acme.test,Kim,Kim,TRUE,\nlee@acme.test,Lee,Lee,TRUE,\nmo@acme.test,Mo,Mo,FALSE,Kitchen 2026\n";
        let checked = String::from_utf8(run_on_file(&db, "check", file).stdout).unwrap();
        assert!(checked.contains("3 to add, 0 to update, 0 to delete, 0 unchanged, 0 roles to add, 2 invitations to send."), "{checked}");
        let done = import(&db, file);
        assert!(done.status.success(), "{}: {done:?}", db.label);
        let mut messages = smtp.expect(2).await;
        messages.sort_by_key(|m| recipient(m).to_string());
        assert_eq!(messages.iter().map(|m| recipient(m)).collect::<Vec<_>>(), ["kim@acme.test", "lee@acme.test"], "{}", db.label);
        assert!(messages[0].contains("Subject: Your Acme account on Roster"), "{}", messages[0]);
        assert!(messages[0].contains("Tester (ann@acme.test) created an account for you in Acme"), "names who invited: {}", messages[0]);
        assert!(messages[0].contains(&format!("{}/password/", app.base)), "{}", messages[0]);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND link IS NULL").await, 2, "{}: sent links are not kept", db.label);

        // The link works once, and signs the new user in.
        let kim = token_in(&messages[0]);
        assert!(matches!(link_state(&app, &kim).await, LinkState::Open { kind: LinkKind::Invitation, .. }));
        let weak = set_by_link(&app, &kim, "short").await;
        assert_eq!(weak.status, 400, "{}", weak.body);
        let set = set_by_link(&app, &kim, "Kimchi 2026").await;
        assert_eq!(set.status, 200, "{}: {}", db.label, set.body);
        let session = set.session().expect("signed in");
        assert_eq!(app.whoami(&session).await.as_deref(), Some("kim@acme.test"));
        assert_eq!(set_by_link(&app, &kim, "Another 2026").await.status, 400, "{}: a link works once", db.label);
        assert_eq!(link_state(&app, &kim).await, LinkState::Used);
        let signed_in = app.call("login", &[("email", "kim@acme.test"), ("password", "Kimchi 2026")], None).await;
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);

        // An expired link is refused, and its owner can ask for a new one.
        let lee = token_in(&messages[1]);
        sql(&db, "UPDATE password_links SET expires_at = 1 WHERE user_id = (SELECT id FROM users WHERE email_key = 'lee@acme.test')").await;
        assert_eq!(link_state(&app, &lee).await, LinkState::Expired);
        assert_eq!(set_by_link(&app, &lee, "Leeks 2026 ok").await.status, 400, "{}: expired", db.label);
        let renewed = app.call("renew_password_link", &[("token", &lee)], None).await;
        assert_eq!(renewed.status, 200, "{}", renewed.body);
        let messages = smtp.expect(3).await;
        let fresh = token_in(&messages[2]);
        assert_ne!(fresh, lee);
        assert_eq!(set_by_link(&app, &fresh, "Leeks 2026 ok").await.status, 200, "{}: the new link works", db.label);

        let ann = app.sign_in("ann@acme.test").await;
        let users: app::model::users::UserPage = serde_json::from_str(
            &app.call_json("list_users", &serde_json::json!({ "query": { "filter": {}, "sort": "UserId", "descending": false, "after": null, "before": null } }), Some(&ann)).await.body,
        )
        .unwrap();
        let state = |email: &str| users.users.iter().find(|l| l.user.email == email).map(|l| l.invitation.label());
        assert_eq!((state("kim@acme.test"), state("mo@acme.test")), (Some("accepted"), Some("not invited")), "{}", db.label);
    }
}

#[tokio::test]
async fn forgotten_password_answers_alike_for_known_and_unknown_addresses_and_is_rate_limited() {
    for db in acme_and_other(&[]).await {
        let smtp = Receiver::start().await;
        let app = spawn(&db, &["--smtp-url", &smtp.url]);
        let known = app.call("forgot_password", &[("email", "Bob@Acme.test")], None).await;
        let unknown = app.call("forgot_password", &[("email", "nobody@acme.test")], None).await;
        assert_eq!((known.status, unknown.status), (200, 200), "{}", known.body);
        assert_eq!(known.body, unknown.body, "{}: the answer tells nothing", db.label);
        let messages = smtp.expect(1).await;
        assert!(recipient(&messages[0]) == "bob@acme.test" && messages[0].contains("Subject: Set a new Roster password"));

        let token = token_in(&messages[0]);
        assert!(matches!(link_state(&app, &token).await, LinkState::Open { kind: LinkKind::Reset, .. }));
        let old = app.sign_in("bob@acme.test").await;
        assert_eq!(set_by_link(&app, &token, "Bobsleigh 2026").await.status, 200);
        assert_eq!(app.call("current_user", &[], Some(&old)).await.body, "null", "{}: a reset ends the old sessions", db.label);
        assert_eq!(app.call("login", &[("email", "bob@acme.test"), ("password", PASSWORD)], None).await.status, 401);

        // Three requests an address in a quarter of an hour, known or not.
        for email in ["bob@acme.test", "nobody@acme.test"] {
            let mut answers = Vec::new();
            for _ in 0..3 {
                answers.push(app.call("forgot_password", &[("email", email)], None).await.status);
            }
            assert_eq!(answers, [200, 200, 429], "{}: {email}", db.label);
        }
        assert_eq!(link_state(&app, &"0".repeat(64)).await, LinkState::Unknown);
    }
}

#[tokio::test]
async fn a_user_changes_their_own_password_and_their_other_sessions_end() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let (here, elsewhere) = (app.sign_in("bob@acme.test").await, app.sign_in("bob@acme.test").await);
        let change = |current: &'static str, new: &'static str| {
            let here = here.clone();
            let app = &app;
            async move {
                app.call("change_password", &[("current", current), ("password", new), ("password_confirm", new)], Some(&here)).await
            }
        };
        for _ in 0..4 {
            assert_eq!(change("wrong guess 1", "Bobsleigh 2026").await.status, 400, "{}: the current password is needed", db.label);
        }
        // The fifth try, with the right password, reaches the account's limit and lifts it again.
        assert_eq!(change(PASSWORD, "weak").await.status, 400);
        assert_eq!(change(PASSWORD, "Bobsleigh 2026").await.status, 200, "{}", db.label);
        assert_eq!(app.whoami(&here).await.as_deref(), Some("bob@acme.test"), "{}: this session goes on", db.label);
        assert_eq!(app.call("current_user", &[], Some(&elsewhere)).await.body, "null", "{}: the others end", db.label);
        let signed_in = app.call("login", &[("email", "bob@acme.test"), ("password", "Bobsleigh 2026")], None).await;
        assert_eq!(signed_in.status, 200);
        assert_eq!(app.call("change_password", &[("current", "x"), ("password", "y"), ("password_confirm", "y")], None).await.status, 401);
    }
}

#[tokio::test]
async fn the_outbox_never_shows_a_link_to_an_admins_account() {
    for db in acme_and_other(&[]).await {
        person(&db, "Acme", "ada@acme.test", "Admin");
        let app = spawn(&db, &[]);
        for email in ["ann@acme.test", "bob@acme.test"] {
            assert_eq!(app.call("forgot_password", &[("email", email)], None).await.status, 200);
        }
        // The links are written after the answer, so that it takes as long for any address.
        for _ in 0..100 {
            if scalar(&db, "SELECT COUNT(*) FROM outbox").await == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let ada = app.sign_in("ada@acme.test").await;
        let outbox: Outbox = serde_json::from_str(&app.call("outbox_messages", &[], Some(&ada)).await.body).unwrap();
        let body = |to: &str| outbox.messages.iter().find(|m| m.recipient == to).map(|m| m.body.clone()).unwrap_or_default();
        assert!(!body("ann@acme.test").contains("/password/"), "{}: another admin could take Ann's account over: {}", db.label, body("ann@acme.test"));
        assert!(body("ann@acme.test").contains("only to their own mailbox"), "{}", body("ann@acme.test"));
        assert!(body("bob@acme.test").contains(&format!("{}/password/", app.base)), "{}: a user's link waits for the admin to hand over", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE recipient = 'ann@acme.test' AND link IS NOT NULL").await, 1, "kept for the mail server");
    }
}

#[tokio::test]
async fn a_link_sent_before_a_user_became_an_admin_no_longer_opens_the_account() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let bob = scalar(&db, "SELECT id FROM users WHERE email_key = 'bob@acme.test'").await.to_string();
        assert_eq!(app.call("send_password_link", &[("id", &bob)], Some(&ann)).await.status, 200);
        let outbox: Outbox = serde_json::from_str(&app.call("outbox_messages", &[], Some(&ann)).await.body).unwrap();
        let read_by_an_admin = token_in(&outbox.messages[0].body);
        assert!(matches!(link_state(&app, &read_by_an_admin).await, LinkState::Open { .. }));
        assert!(import(&db, "User ID,Email,Last Name,Access Level\nbob@acme.test,bob@acme.test,Tester,Admin\n").status.success());
        assert_eq!(link_state(&app, &read_by_an_admin).await, LinkState::Expired, "{}: Bob is an admin now", db.label);
    }
}

#[tokio::test]
async fn only_an_admin_of_the_users_tenant_sends_links_and_sees_the_outbox() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        assert!(import(&db, "Email,Last Name,Notify If New\nkim@acme.test,Kim,TRUE\n").status.success());
        let (ann, bob, zed) = (app.sign_in("ann@acme.test").await, app.sign_in("bob@acme.test").await, app.sign_in("zed@other.test").await);
        let kim = scalar(&db, "SELECT id FROM users WHERE email_key = 'kim@acme.test'").await.to_string();

        let outbox: Outbox = serde_json::from_str(&app.call("outbox_messages", &[], Some(&ann)).await.body).unwrap();
        assert!(!outbox.sending, "{}: no SMTP configured", db.label);
        assert_eq!(outbox.messages.len(), 1);
        assert!(outbox.messages[0].body.contains(&format!("{}/password/", app.base)), "the waiting link, for the admin to hand over");
        let other: Outbox = serde_json::from_str(&app.call("outbox_messages", &[], Some(&zed)).await.body).unwrap();
        assert!(other.messages.is_empty(), "{}: another tenant's outbox is apart", db.label);
        assert_eq!(app.call("outbox_messages", &[], Some(&bob)).await.status, 403);

        assert_eq!(app.call("send_password_link", &[("id", &kim)], Some(&bob)).await.status, 403);
        assert_eq!(app.call("send_password_link", &[("id", &kim)], Some(&zed)).await.status, 404, "{}: not found in another tenant", db.label);
        assert_eq!(app.call("send_password_link", &[("id", &kim)], None).await.status, 401);
        let first = token_in(&outbox.messages[0].body);
        let resent = app.call("send_password_link", &[("id", &kim)], Some(&ann)).await;
        assert_eq!(resent.status, 200, "{}", resent.body);
        assert!(resent.body.contains("invitation"), "{}", resent.body);
        assert_eq!(link_state(&app, &first).await, LinkState::Expired, "{}: a resent invitation ends the old link", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'").await, 1, "{}: the message with the ended link is not sent", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND link IS NULL").await, 1);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE link IS NOT NULL").await, 1, "{}: the ended link is not kept", db.label);
        let newest: Outbox = serde_json::from_str(&app.call("outbox_messages", &[], Some(&ann)).await.body).unwrap();
        assert_eq!(set_by_link(&app, &token_in(&newest.messages[0].body), "Kimchi 2026").await.status, 200);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox WHERE link IS NOT NULL").await, 0, "{}: nor the used one", db.label);
    }
}

use crate::helpers::*;
use app::error::AppError;

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_answer() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let app = spawn(&db, &[]);
        let wrong = app.call("login", &[("email", "ann@acme.test"), ("password", "wrong password 1")], None).await;
        let unknown = app.call("login", &[("email", "nobody@acme.test"), ("password", PASSWORD)], None).await;
        assert_eq!((wrong.status, wrong.error()), (401, AppError::BadCredentials), "{}", db.label);
        assert_eq!((unknown.status, unknown.body.clone()), (wrong.status, wrong.body.clone()), "{}", db.label);
        assert!(wrong.session().is_none() && unknown.session().is_none());
    }
}

#[tokio::test]
async fn signs_in_by_email_or_user_id_with_a_strict_http_only_cookie() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let app = spawn(&db, &[]);
        let reply = app.call("login", &[("email", " ANN@Acme.test "), ("password", PASSWORD)], None).await;
        assert_eq!(reply.status, 200, "{}: {}", db.label, reply.body);
        let cookie = reply.set_cookie().unwrap();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(!cookie.contains("Secure"), "plain HTTP gets no Secure cookie: {cookie}");
        let token = reply.session().unwrap();
        assert_eq!(app.whoami(&token).await.as_deref(), Some("ann@acme.test"));

        let behind_tls = app
            .post("login", &[("email", "ann@acme.test"), ("password", PASSWORD)], None, &[("x-forwarded-proto", "https")])
            .await;
        assert!(behind_tls.set_cookie().unwrap().contains("; Secure"));
    }
}

#[tokio::test]
async fn a_blocked_user_cannot_sign_in_and_loses_open_sessions() {
    for db in databases().await {
        person(&db, "Acme", "bob@acme.test", "User");
        person(&db, "Acme", "cy@acme.test", "User");
        let app = spawn(&db, &[]);
        let token = app.sign_in("bob@acme.test").await;
        sql(&db, "UPDATE users SET active = 0 WHERE email_key IN ('bob@acme.test', 'cy@acme.test')").await;
        // Bob's right password and a wrong one for Cy, attempt by attempt,
        // up to the one that locks: the answers cannot be told apart.
        for attempt in 1..=5 {
            let right = app.call("login", &[("email", "bob@acme.test"), ("password", PASSWORD)], None).await;
            let wrong = app.call("login", &[("email", "cy@acme.test"), ("password", "not the password")], None).await;
            assert_eq!((right.status, &right.body), (wrong.status, &wrong.body), "{}: attempt {attempt}", db.label);
            let expected = if attempt < 5 { (401, AppError::BadCredentials) } else { (429, AppError::Locked { minutes: 15 }) };
            assert_eq!((right.status, right.error()), expected, "{}: attempt {attempt}", db.label);
            assert!(right.session().is_none());
        }
        assert_eq!(app.whoami(&token).await, None, "the open session ends too");
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_against_the_right_password() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        person(&db, "Acme", "cat@acme.test", "User");
        let app = spawn(&db, &[]);
        let mut last = None;
        for _ in 0..5 {
            last = Some(app.call("login", &[("email", "ann@acme.test"), ("password", "guess 12345")], None).await);
        }
        let last = last.unwrap();
        assert_eq!((last.status, last.error()), (429, AppError::Locked { minutes: 15 }), "{}", db.label);
        let right = app.call("login", &[("email", "ann@acme.test"), ("password", PASSWORD)], None).await;
        assert_eq!(right.error(), AppError::Locked { minutes: 15 });
        assert!(right.session().is_none());
        // Another account from the same address is not locked by this one.
        app.sign_in("cat@acme.test").await;
        let ann = scalar(&db, "SELECT id FROM users WHERE email_key = 'ann@acme.test'").await;
        assert!(scalar(&db, &format!("SELECT COUNT(*) FROM login_throttle WHERE key = 'account-id:{ann}' AND locked_until > 0")).await == 1);
    }
}

#[tokio::test]
async fn an_attempt_from_a_locked_address_counts_nothing_against_the_account() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let app = spawn(&db, &[]);
        sql(&db, "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES ('address:127.0.0.1', 0, 0, 99999999999)").await;
        let reply = app.call("login", &[("email", "ann@acme.test"), ("password", "guess 12345")], None).await;
        assert_eq!(reply.status, 429, "{}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM login_throttle WHERE key LIKE 'account-id:%'").await, 0, "{}", db.label);
    }
}

#[tokio::test]
async fn guesses_sent_all_at_once_are_each_counted_before_they_are_checked() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let app = spawn(&db, &[]);
        let passwords: Vec<String> = (0..12).map(|i| format!("guess {i}")).collect();
        let forms: Vec<[(&str, &str); 2]> = passwords.iter().map(|p| [("email", "ann@acme.test"), ("password", p.as_str())]).collect();
        let replies = futures::future::join_all(forms.iter().map(|form| app.call("login", form, None))).await;
        let checked = replies.iter().filter(|r| r.error() == AppError::BadCredentials).count();
        assert!(checked < 5, "{}: {checked} guesses were checked, more than the account's limit", db.label);
        let right = app.call("login", &[("email", "ann@acme.test"), ("password", PASSWORD)], None).await;
        assert_eq!(right.error(), AppError::Locked { minutes: 15 }, "{}", db.label);
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_counted_not_the_proxy() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let wrong = [("email", "ann@acme.test"), ("password", "guess 12345")];
        let forwarded = [("x-forwarded-for", "1.1.1.1, 203.0.113.7")];
        let behind = spawn(&db, &["--trusted-proxy", "127.0.0.1"]);
        assert_eq!(behind.post("login", &wrong, None, &forwarded).await.status, 401);
        drop(behind);
        let open = spawn(&db, &[]);
        assert_eq!(open.post("login", &wrong, None, &forwarded).await.status, 401);
        let keys = "SELECT COUNT(*) FROM login_throttle WHERE key IN ('address:203.0.113.7', 'address:127.0.0.1') AND failures = 1";
        assert_eq!(scalar(&db, keys).await, 2, "{}: the forwarded client, then (proxy not trusted) the peer", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM login_throttle WHERE key = 'address:1.1.1.1'").await, 0, "what the client wrote itself");
    }
}

#[tokio::test]
async fn the_lock_is_shared_by_every_server_on_the_database() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let first = spawn(&db, &[]);
        let second = spawn(&db, &[]);
        for app in [&first, &second, &first, &second, &first] {
            app.call("login", &[("email", "ann@acme.test"), ("password", "guess 12345")], None).await;
        }
        let reply = second.call("login", &[("email", "ann@acme.test"), ("password", PASSWORD)], None).await;
        assert_eq!(reply.error(), AppError::Locked { minutes: 15 }, "{}", db.label);
    }
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_absolute_limit() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let idle = spawn(&db, &["--session-idle-secs", "1"]);
        let token = idle.sign_in("ann@acme.test").await;
        assert!(idle.whoami(&token).await.is_some());
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        assert_eq!(idle.whoami(&token).await, None, "{}: idle session must end", db.label);

        let capped = spawn(&db, &["--session-max-secs", "2"]);
        let token = capped.sign_in("ann@acme.test").await;
        for _ in 0..2 {
            tokio::time::sleep(std::time::Duration::from_millis(800)).await;
            assert!(capped.whoami(&token).await.is_some(), "busy session lives until its limit");
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(capped.whoami(&token).await, None, "{}: session past its limit must end", db.label);
    }
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let app = spawn(&db, &[]);
        let token = app.sign_in("ann@acme.test").await;
        let reply = app.call("logout", &[], Some(&token)).await;
        assert_eq!(reply.status, 200);
        assert!(reply.set_cookie().unwrap().contains("Max-Age=0"));
        assert_eq!(app.whoami(&token).await, None, "{}: a copied cookie is useless after sign-out", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM sessions").await, 0);
    }
}

#[tokio::test]
async fn each_sign_in_gets_a_fresh_session_and_ends_the_one_it_came_with() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let app = spawn(&db, &[]);
        let planted = "f".repeat(64);
        let reply = app.call("login", &[("email", "ann@acme.test"), ("password", PASSWORD)], Some(&planted)).await;
        let first = reply.session().unwrap();
        assert_ne!(first, planted);
        let again = app.call("login", &[("email", "ann@acme.test"), ("password", PASSWORD)], Some(&first)).await;
        let second = again.session().unwrap();
        assert_ne!(second, first);
        assert_eq!(app.whoami(&first).await, None, "{}", db.label);
        assert!(app.whoami(&second).await.is_some());
    }
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_anything_happens() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let app = spawn(&db, &[]);
        let form = [("email", "ann@acme.test"), ("password", PASSWORD)];
        let token = app.sign_in("ann@acme.test").await;
        let cases: [&[(&str, &str)]; 2] = [&[("origin", "https://evil.example")], &[("sec-fetch-site", "cross-site")]];
        for headers in cases {
            let login = app.post("login", &form, None, headers).await;
            assert_eq!(login.status, 403, "{}: {headers:?}", db.label);
            assert!(login.session().is_none());
            let logout = app.post("logout", &[], Some(&token), headers).await;
            assert_eq!(logout.status, 403);
        }
        assert!(app.whoami(&token).await.is_some(), "the refused sign-out changed nothing");
        let same_origin = app.post("login", &form, None, &[("origin", &app.base.clone()), ("sec-fetch-site", "same-origin")]).await;
        assert_eq!(same_origin.status, 200);
    }
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let hashes = scalar(&db, "SELECT COUNT(*) FROM users WHERE password_hash LIKE '$argon2id$v=19$m=19456,t=2,p=1$%'").await;
        assert_eq!(hashes, 1, "{}", db.label);
    }
}

#[tokio::test]
async fn an_account_has_one_lock_whether_named_by_address_or_user_id() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let dir = tempfile::tempdir().unwrap();
        let file = saved(&dir, "cat.csv", format!("User ID,Email,Last Name,Password\ncat,cat@acme.test,Cat,{PASSWORD}\n"));
        assert!(roster(&db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", &file], "").status.success());
        let app = spawn(&db, &[]);
        for login in ["cat@acme.test", "cat", "CAT@acme.test", "Cat"] {
            assert_eq!(app.call("login", &[("email", login), ("password", "guess 12345")], None).await.status, 401, "{}", db.label);
        }
        let fifth = app.call("login", &[("email", "cat"), ("password", "guess 12345")], None).await;
        assert_eq!(fifth.error(), AppError::Locked { minutes: 15 }, "{}: five guesses in all, not five a spelling", db.label);
        let right = app.call("login", &[("email", "cat@acme.test"), ("password", PASSWORD)], None).await;
        assert_eq!(right.error(), AppError::Locked { minutes: 15 });
    }
}

#[tokio::test]
async fn another_tenants_account_with_the_same_address_neither_clears_nor_shows_a_lock() {
    for db in acme_and_other(&[]).await {
        // Zed, admin of Other, gives a user of his the address of Acme's admin.
        let copy = ["user", "create", "--tenant", "Other", "--email", "ann@acme.test", "--last-name", "Copy"];
        assert!(roster(&db, &copy, "Copy pass 2026\n").status.success());
        let (acme_ann, other_ann) = (
            scalar(&db, "SELECT u.id FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.name = 'Acme' AND u.email_key = 'ann@acme.test'").await,
            scalar(&db, "SELECT u.id FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.name = 'Other' AND u.email_key = 'ann@acme.test'").await,
        );
        let app = spawn(&db, &[]);
        let zed = app.sign_in("zed@other.test").await;
        // Signing in to the copy, however often, counts nothing against Acme's account.
        for _ in 0..6 {
            app.sign_in_with("ann@acme.test", "Copy pass 2026").await;
        }
        let failures = format!("SELECT COUNT(*) FROM login_throttle WHERE key = 'account-id:{acme_ann}' AND failures > 0");
        assert_eq!(scalar(&db, &failures).await, 0, "{}", db.label);
        for _ in 0..5 {
            app.call("login", &[("email", "ann@acme.test"), ("password", "guess 12345")], None).await;
        }
        let locked = |id: i64| format!("SELECT COUNT(*) FROM login_throttle WHERE key = 'account-id:{id}' AND locked_until > 0");
        assert_eq!(scalar(&db, &locked(acme_ann)).await, 1, "{}", db.label);

        // Unlocking his own user, or signing in as her, lifts only that account's lock.
        assert_eq!(app.call("unlock_user", &[("id", &other_ann.to_string())], Some(&zed)).await.status, 200);
        assert_eq!(scalar(&db, &locked(acme_ann)).await, 1, "{}: Acme's lock holds", db.label);
        let detail = app.call("user_detail", &[("id", &other_ann.to_string())], Some(&zed)).await;
        assert_eq!(detail.json()["locked"], false, "{}: his user's page shows his user's lock only", db.label);
        let copy = app.sign_in_with("ann@acme.test", "Copy pass 2026").await;
        assert_eq!(app.call("current_user", &[], Some(&copy)).await.json()["tenant"], "Other", "{}: the copy, Acme's account being locked", db.label);
        let owner = app.call("login", &[("email", "ann@acme.test"), ("password", PASSWORD)], None).await;
        assert_eq!(owner.error(), AppError::Locked { minutes: 15 }, "{}: Acme's owner is told of the lock, not of a wrong password", db.label);
        assert_eq!(scalar(&db, &locked(acme_ann)).await, 1, "{}: a sign-in to the copy leaves Acme's lock alone", db.label);
        assert_eq!(app.call("unlock_user", &[("id", &acme_ann.to_string())], Some(&zed)).await.status, 404, "another tenant's user is not found");
    }
}

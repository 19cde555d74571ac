use crate::helpers::*;
use app::error::AppError;

async fn two_tenants() -> Vec<(TestDb, TestApp)> {
    let mut all = Vec::new();
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        person(&db, "Acme", "max@acme.test", "Manager");
        person(&db, "Acme", "una@acme.test", "User");
        person(&db, "Globex", "gus@globex.test", "Admin");
        let app = spawn(&db, &[]);
        all.push((db, app));
    }
    all
}

#[tokio::test]
async fn another_tenants_user_is_indistinguishable_from_a_missing_one() {
    for (db, app) in two_tenants().await {
        let token = app.sign_in("ann@acme.test").await;
        let own = scalar(&db, "SELECT id FROM users WHERE email_key = 'max@acme.test'").await.to_string();
        let foreign = scalar(&db, "SELECT id FROM users WHERE email_key = 'gus@globex.test'").await.to_string();
        let missing = (scalar(&db, "SELECT MAX(id) FROM users").await + 1000).to_string();

        let mine = app.call("get_user", &[("id", &own)], Some(&token)).await;
        assert_eq!(mine.status, 200, "{}", db.label);
        assert_eq!(mine.json()["email"], "max@acme.test");

        let theirs = app.call("get_user", &[("id", &foreign)], Some(&token)).await;
        let nothing = app.call("get_user", &[("id", &missing)], Some(&token)).await;
        assert_eq!((theirs.status, theirs.error()), (404, AppError::NotFound), "{}", db.label);
        assert_eq!((theirs.status, theirs.body), (nothing.status, nothing.body));
    }
}

#[tokio::test]
async fn server_functions_check_the_session_and_the_access_level() {
    for (db, app) in two_tenants().await {
        let id = scalar(&db, "SELECT id FROM users WHERE email_key = 'ann@acme.test'").await.to_string();
        let anonymous = app.call("get_user", &[("id", &id)], None).await;
        assert_eq!((anonymous.status, anonymous.error()), (401, AppError::Unauthenticated), "{}", db.label);

        let user = app.sign_in("una@acme.test").await;
        let refused = app.call("get_user", &[("id", &id)], Some(&user)).await;
        assert_eq!((refused.status, refused.error()), (403, AppError::Forbidden));

        let manager = app.sign_in("max@acme.test").await;
        assert_eq!(app.call("get_user", &[("id", &id)], Some(&manager)).await.status, 200);
    }
}

#[tokio::test]
async fn pages_follow_the_access_levels() {
    for (db, app) in two_tenants().await {
        let anonymous = app.page("/users", None).await;
        assert_eq!(anonymous.status, 302, "{}", db.label);
        assert_eq!(anonymous.headers["location"], "/login");

        let user = app.sign_in("una@acme.test").await;
        assert_eq!(app.page("/import", Some(&user)).await.status, 403);
        assert_eq!(app.page("/users", Some(&user)).await.status, 403);
        let profile = app.page("/profile", Some(&user)).await;
        assert_eq!(profile.status, 200);
        assert!(profile.body.contains("una@acme.test"));
        assert!(!profile.body.contains(">Import<"), "a user's navigation has no Import link");

        let manager = app.sign_in("max@acme.test").await;
        assert_eq!(app.page("/users", Some(&manager)).await.status, 200);
        assert_eq!(app.page("/groups", Some(&manager)).await.status, 403);

        let admin = app.sign_in("ann@acme.test").await;
        for path in ["/users", "/import", "/history", "/groups"] {
            let page = app.page(path, Some(&admin)).await;
            assert_eq!(page.status, 200, "{path}");
            assert!(page.body.contains(">Import<"));
        }
        let home = app.page("/", Some(&admin)).await;
        assert_eq!((home.status, home.headers["location"].to_str().unwrap()), (302, "/users"));
        assert_eq!(app.page("/no-such-page", Some(&admin)).await.status, 404);
    }
}

#[tokio::test]
async fn responses_carry_security_headers() {
    for (_db, app) in two_tenants().await {
        let page = app.page("/login", None).await;
        assert_eq!(page.headers["x-content-type-options"], "nosniff");
        // A page's scripts run only from here or with this response's nonce, which its hydration script carries.
        let policy = page.headers["content-security-policy"].to_str().unwrap().to_string();
        let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the policy");
        assert!(page.body.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the policy's nonce");
        for directive in ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "'wasm-unsafe-eval'"] {
            assert!(policy.contains(directive), "{directive}: {policy}");
        }
        assert!(!policy.contains("script-src 'self' 'unsafe-inline'"), "{policy}");
        let again = app.page("/login", None).await.headers["content-security-policy"].to_str().unwrap().to_string();
        assert_ne!(again, policy, "a fresh nonce for each response");
        let answer = app.call("current_user", &[], None).await;
        assert_eq!(answer.headers["content-security-policy"], "frame-ancestors 'none'", "what is not a page is not framed either");
        assert_eq!(page.headers["referrer-policy"], "same-origin");
        assert_eq!(page.headers["cache-control"], "no-store", "a page is not kept by the browser or a proxy");
        let ann = app.sign_in("ann@acme.test").await;
        for path in ["/users", "/users/export.csv", "/history"] {
            assert_eq!(app.page(path, Some(&ann)).await.headers["cache-control"], "no-store", "{path}");
        }
        assert_eq!(app.call("current_user", &[], Some(&ann)).await.headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));

    }
}

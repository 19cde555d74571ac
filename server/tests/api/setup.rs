use crate::helpers::*;
use app::error::AppError;

fn form<'a>(organisation: &'a str, email: &'a str, password: &'a str, confirm: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("organisation", organisation),
        ("email", email),
        ("first_name", "Ann"),
        ("last_name", "Lee"),
        ("password", password),
        ("password_confirm", confirm),
    ]
}

#[tokio::test]
async fn first_run_setup_creates_the_tenant_and_admin_exactly_once() {
    for db in databases().await {
        let app = spawn(&db, &[]);
        assert_eq!(app.call("needs_setup", &[], None).await.body, "true", "{}", db.label);
        let home = app.page("/", None).await;
        assert_eq!((home.status, home.headers["location"].to_str().unwrap()), (302, "/setup"));
        assert_eq!(app.page("/setup", None).await.status, 200);

        let done = app.call("setup", &form("Acme", "ann@acme.test", PASSWORD, PASSWORD), None).await;
        assert_eq!(done.status, 200, "{}: {}", db.label, done.body);
        let token = done.session().expect("the new admin is signed in");
        assert_eq!(app.whoami(&token).await.as_deref(), Some("ann@acme.test"));

        assert_eq!(app.call("needs_setup", &[], None).await.body, "false");
        let again = app.call("setup", &form("Evil", "eve@evil.test", PASSWORD, PASSWORD), None).await;
        assert_eq!((again.status, again.error()), (404, AppError::NotFound));
        assert_eq!(app.page("/setup", None).await.status, 404, "the page is gone");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM tenants").await, 1);
    }
}

#[tokio::test]
async fn setup_explains_what_to_fix_and_creates_nothing_meanwhile() {
    for db in databases().await {
        let app = spawn(&db, &[]);
        let cases = [
            (form("Acme", "ann@acme", PASSWORD, PASSWORD), "name@example.com"),
            (form("Acme", "ann@acme.test", PASSWORD, "other 12345"), "type the same password twice"),
            (form("Acme", "ann@acme.test", "short1", "short1"), "at least 8 characters"),
            (form("  ", "ann@acme.test", PASSWORD, PASSWORD), "name of the organisation"),
        ];
        for (fields, hint) in cases {
            let reply = app.call("setup", &fields, None).await;
            assert_eq!(reply.status, 400, "{}", db.label);
            let AppError::Invalid(message) = reply.error() else { panic!("{}", reply.body) };
            assert!(message.contains(hint), "{message}");
            assert!(!message.contains(PASSWORD), "a password is never echoed");
        }
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users").await, 0);
    }
}

#[tokio::test]
async fn an_admin_created_on_the_command_line_closes_the_setup() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let app = spawn(&db, &[]);
        assert_eq!(app.call("needs_setup", &[], None).await.body, "false", "{}", db.label);
        let home = app.page("/", None).await;
        assert_eq!(home.headers["location"], "/login");
    }
}

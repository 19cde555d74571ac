use crate::helpers::*;

#[tokio::test]
async fn operators_create_tenants_admins_and_groups() {
    for db in databases().await {
        let tenant = roster(&db, &["tenant", "create", "Acme Ltd"], "");
        assert!(tenant.status.success(), "{}: {tenant:?}", db.label);
        let admin = roster(&db, &["admin", "create", "--tenant", "acme ltd", "--email", "Ann@Acme.test"], &format!("{PASSWORD}\n"));
        assert!(admin.status.success(), "{admin:?}");
        assert!(String::from_utf8_lossy(&admin.stdout).contains("Created Admin Ann@Acme.test in Acme Ltd"));

        let groups = roster(&db, &["group", "create", "--tenant", "Acme Ltd", "Sales", "Support"], "");
        assert!(groups.status.success(), "{groups:?}");
        let again = roster(&db, &["group", "create", "--tenant", "Acme Ltd", "SALES"], "");
        assert!(again.status.success());
        assert!(String::from_utf8_lossy(&again.stdout).contains("exists already"));
        assert_eq!(scalar(&db, r#"SELECT COUNT(*) FROM "groups""#).await, 2);

        let app = spawn(&db, &[]);
        let token = app.sign_in("ann@acme.test").await;
        assert_eq!(app.whoami(&token).await.as_deref(), Some("Ann@Acme.test"));
    }
}

#[tokio::test]
async fn mistakes_exit_with_status_2_and_say_what_is_wrong() {
    for db in databases().await {
        roster(&db, &["tenant", "create", "Acme"], "");
        let cases: [(&[&str], &str, &str); 7] = [
            (&["frobnicate"], "", "unrecognized subcommand"),
            (&["serve", "--addr", "not-an-address"], "", "invalid value"),
            (&["admin", "create", "--tenant", "Acme"], "", "--email"),
            (&["admin", "create", "--tenant", "Nowhere", "--email", "a@b.test"], "x\n", "Nowhere"),
            (&["admin", "create", "--tenant", "Acme", "--email", "not-an-email"], "", "not a valid e-mail address"),
            (&["admin", "create", "--tenant", "Acme", "--email", "a@b.test"], "short\n", "at least 8 characters"),
            (&["tenant", "create", "ACME"], "", "already taken"),
        ];
        for (args, stdin, says) in cases {
            let out = roster(&db, args, stdin);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{}: {args:?}: {stderr}", db.label);
            assert!(stderr.contains(says), "{args:?}: {stderr}");
        }
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users").await, 0, "nothing was created");
    }
}

#[tokio::test]
async fn the_database_itself_keeps_addresses_and_names_unique_per_tenant() {
    for db in databases().await {
        person(&db, "Acme", "ann@acme.test", "Admin");
        let twin = roster(
            &db,
            &["user", "create", "--tenant", "Acme", "--email", "ANN@acme.TEST", "--last-name", "Twin"],
            &format!("{PASSWORD}\n"),
        );
        assert_eq!(twin.status.code(), Some(2), "{}", db.label);
        let stderr = String::from_utf8_lossy(&twin.stderr);
        assert!(stderr.contains("e-mail address is already taken"), "{}: {stderr}", db.label);
        // Another tenant may have the same address.
        person(&db, "Globex", "ann@acme.test", "User");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users").await, 2);

        let duplicate_group = "INSERT INTO \"groups\" (tenant_id, name, name_key) VALUES (1, 'Ops', 'ops')";
        sql(&db, duplicate_group).await;
        let refused = sqlx::query(duplicate_group).execute(&mut connect(&db).await).await;
        assert!(refused.is_err());
    }
}

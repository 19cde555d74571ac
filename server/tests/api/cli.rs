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

#[tokio::test]
async fn operators_define_a_tenants_own_columns_and_list_them() {
    for db in databases().await {
        roster(&db, &["tenant", "create", "Acme"], "");
        roster(&db, &["tenant", "create", "Globex"], "");
        let version = "SELECT version FROM tenants WHERE name = 'Acme'";
        let before = scalar(&db, version).await;
        let lone = roster(&db, &["column", "create", "--tenant", "Acme", "--kind", "boolean", "--description", "Licensed for Lone Working", "Lone Working"], "");
        assert!(lone.status.success(), "{}: {lone:?}", db.label);
        assert!(String::from_utf8_lossy(&lone.stdout).contains("Created column Lone Working in Acme"));
        let context = [
            "column", "create", "--tenant", "acme", "--kind", "choice", "--choices", "Head Office|Field", "--required",
            "--default", "head office", "--alias", "Context", "Default Context",
        ];
        let context = roster(&db, &context, "");
        assert!(context.status.success(), "{context:?}");
        assert!(scalar(&db, version).await > before, "{}: a preview checked before the columns is stale", db.label);

        let refused: [(&[&str], &str); 7] = [
            (&["--kind", "text", "Surname"], "Last Name"),
            (&["--kind", "boolean", "lone_working"], "taken by the column Lone Working"),
            (&["--kind", "text", "--alias", "CONTEXT", "Place"], "taken by the column Default Context"),
            (&["--kind", "choice", "Region"], "needs its values"),
            (&["--kind", "number", "Badge"], "not a kind of column"),
            (&["--kind", "choice", "--choices", "North|South", "--default", "East", "Region"], "not one of the values"),
            (&["--kind", "text", "--max-length", "5000", "Notes"], "at most 1,000"),
        ];
        for (args, says) in refused {
            let out = roster(&db, &[&["column", "create", "--tenant", "Acme"], args].concat(), "");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{}: {args:?}: {stderr}", db.label);
            assert!(stderr.contains(says), "{args:?}: {stderr}");
        }
        let nowhere = roster(&db, &["column", "create", "--tenant", "Nowhere", "--kind", "text", "Badge"], "");
        assert!(String::from_utf8_lossy(&nowhere.stderr).contains("Nowhere"));

        let listed = roster(&db, &["column", "list", "--tenant", "Acme", "--json"], "");
        assert!(listed.status.success(), "{listed:?}");
        let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
        assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
        assert_eq!(listed[0]["name"], "Lone Working");
        assert_eq!(listed[0]["kind"], "boolean");
        assert_eq!(listed[1]["choices"], serde_json::json!(["Head Office", "Field"]));
        assert_eq!(listed[1]["default"], "Head Office", "kept as the column spells it");
        assert_eq!(listed[1]["required"], true);
        let text = roster(&db, &["column", "list", "--tenant", "Acme"], "");
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("Default Context: choice; required; default Head Office; values Head Office|Field; also Context"), "{text}");

        // Another tenant's columns are its own, and its names are free there.
        let other = roster(&db, &["column", "list", "--tenant", "Globex"], "");
        assert!(String::from_utf8_lossy(&other.stdout).contains("Globex has no columns of its own."));
        let same_name = roster(&db, &["column", "create", "--tenant", "Globex", "--kind", "text", "Lone Working"], "");
        assert!(same_name.status.success(), "{same_name:?}");
    }
}

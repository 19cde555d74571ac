use crate::helpers::*;
use serde_json::json;

fn lone_working() -> serde_json::Value {
    json!({ "column": { "name": "Lone Working", "kind": "boolean", "description": "Licensed for Lone Working" } })
}

#[tokio::test]
async fn admins_define_their_own_tenants_columns_and_nobody_else_can() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        let (ann, bob, zed) = (app.sign_in("ann@acme.test").await, app.sign_in("bob@acme.test").await, app.sign_in("zed@other.test").await);
        assert_eq!(app.call_json("create_column", &lone_working(), None).await.status, 401, "{}", db.label);
        assert_eq!(app.call_json("create_column", &lone_working(), Some(&bob)).await.status, 403, "{}: a user defines nothing", db.label);
        assert_eq!(app.call("list_columns", &[], Some(&bob)).await.status, 403);

        let created = app.call_json("create_column", &lone_working(), Some(&ann)).await;
        assert_eq!(created.status, 200, "{}: {}", db.label, created.body);
        let clash = json!({ "column": { "name": "Events", "kind": "boolean", "aliases": ["lone-working"] } });
        let refused = app.call_json("create_column", &clash, Some(&ann)).await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(refused.error().to_string().contains("taken by the column Lone Working"), "{}", refused.body);

        let listed = app.call("list_columns", &[], Some(&ann)).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        assert_eq!(listed.json()[0]["name"], "Lone Working");
        assert_eq!(listed.json().as_array().map(Vec::len), Some(1));
        let theirs = app.call("list_columns", &[], Some(&zed)).await;
        assert_eq!(theirs.json(), json!([]), "{}: another tenant's columns are apart", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE event = 'column_created' AND actor = 'ann@acme.test'").await, 1);
    }
}

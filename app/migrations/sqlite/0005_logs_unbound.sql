-- The import history's lines and the audit events are a log: written once,
-- in the transaction of the batch they describe, and never deleted. Foreign
-- keys would only let a delete take the log with it, and cost a check for
-- every line of the largest imports. SQLite drops a foreign key by building
-- the table again.
CREATE TABLE import_changes_unbound (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL,
    row_number INTEGER,
    user_key TEXT NOT NULL,
    action TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
INSERT INTO import_changes_unbound SELECT id, batch_id, row_number, user_key, action, field, old_value, new_value FROM import_changes;
DROP TABLE import_changes;
ALTER TABLE import_changes_unbound RENAME TO import_changes;
CREATE INDEX import_changes_batch ON import_changes (batch_id);

CREATE TABLE audit_events_unbound (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    target TEXT NOT NULL,
    batch_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_events_unbound SELECT id, tenant_id, at, actor, event, target, batch_id, detail FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_unbound RENAME TO audit_events;
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, at);

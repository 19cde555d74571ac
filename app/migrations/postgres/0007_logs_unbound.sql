-- The import history's lines and the audit events are a log: written once,
-- in the transaction of the batch they describe, and never deleted. Foreign
-- keys would only let a delete take the log with it, and cost a check for
-- every line of the largest imports (100,000 new users write 200,000 lines).
ALTER TABLE import_changes DROP CONSTRAINT import_changes_batch_id_fkey;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_tenant_id_fkey;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_batch_id_fkey;

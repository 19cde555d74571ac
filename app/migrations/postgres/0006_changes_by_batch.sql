-- A batch's changes are read a page at a time, in the order they were
-- written (SQLite's index on batch_id holds the row id already).
CREATE INDEX import_changes_batch_id ON import_changes (batch_id, id);
DROP INDEX import_changes_batch;

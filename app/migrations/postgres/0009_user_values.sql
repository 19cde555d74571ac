-- The values of a tenant's own columns, one JSON object a user keyed by the
-- column's id (`{"12":"TRUE","13":"Field"}`, blank values left out): read
-- with the user and written in the same row, so that neither loading the
-- directory nor a batch's writes gain a row per value.
ALTER TABLE users ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';

-- The values of unique columns once more, folded, so that the database
-- refuses a second holder whatever the application does.
CREATE TABLE unique_values (
    column_id BIGINT NOT NULL REFERENCES tenant_columns(id) ON DELETE CASCADE,
    value_key TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (column_id, value_key)
);
CREATE INDEX unique_values_user ON unique_values (user_id);

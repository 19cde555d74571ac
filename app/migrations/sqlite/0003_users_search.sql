-- The users list's free-text search reads one column, kept lower-cased by
-- the writers (`app::users::search_text`), instead of lower-casing four
-- columns of every row at every search.
ALTER TABLE users ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE users SET search = lower(first_name || ' ' || last_name || ' ' || user_id || ' ' || email);
CREATE INDEX users_search ON users (tenant_id, search);

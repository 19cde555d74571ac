-- A tenant's users in the order of their ids, as the import reads them
-- (`app::store::directory`): without it, SQLite took them in the order of
-- another index, row by row from all over the table, and sorted them.
CREATE INDEX users_tenant ON users (tenant_id);

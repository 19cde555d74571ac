-- The users list sorts by each of these within a tenant; the id breaks ties
-- and carries the keyset paging.
CREATE INDEX users_list_last_name ON users (tenant_id, last_name, id);
CREATE INDEX users_list_first_name ON users (tenant_id, first_name, id);
CREATE INDEX users_list_title ON users (tenant_id, title, id);
CREATE INDEX users_list_access_level ON users (tenant_id, access_level, id);
CREATE INDEX users_list_active ON users (tenant_id, active, id);

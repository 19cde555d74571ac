-- A tenant's own columns. The definition is kept whole as JSON (the
-- engine's `TenantColumn`): it is read whole, never queried by its parts;
-- the name's key keeps two columns of a tenant apart.
CREATE TABLE tenant_columns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name_key TEXT NOT NULL,
    definition TEXT NOT NULL,
    UNIQUE (tenant_id, name_key)
);

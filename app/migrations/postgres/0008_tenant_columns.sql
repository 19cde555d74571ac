-- A tenant's own columns. The definition is kept whole as JSON (the
-- engine's `TenantColumn`): it is read whole, never queried by its parts;
-- the name's key keeps two columns of a tenant apart.
CREATE TABLE tenant_columns (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name_key TEXT NOT NULL,
    definition TEXT NOT NULL,
    UNIQUE (tenant_id, name_key)
);

-- Tenants and their directory. Keys (`*_key`) hold the lower-cased form that
-- uniqueness is checked on, so the rules are the same in SQLite and PostgreSQL.

CREATE TABLE installation (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    set_up_at BIGINT NOT NULL
);

CREATE TABLE tenants (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    default_locale TEXT NOT NULL DEFAULT 'en-GB',
    min_password_length BIGINT NOT NULL DEFAULT 8,
    -- Bumped by every change to the directory; a preview is checked against it.
    version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    user_id_key TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    phone2 TEXT NOT NULL DEFAULT '',
    network_account TEXT,
    network_account_key TEXT,
    password_hash TEXT,
    locale TEXT NOT NULL,
    access_level TEXT NOT NULL CHECK (access_level IN ('Admin', 'Manager', 'User')),
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    reports_to BIGINT REFERENCES users(id),
    task_notification TEXT NOT NULL DEFAULT 'Email' CHECK (task_notification IN ('OFF', 'Email')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, email_key),
    UNIQUE (tenant_id, user_id_key),
    UNIQUE (tenant_id, network_account_key)
);
CREATE INDEX users_email_key ON users (email_key);
CREATE INDEX users_user_id_key ON users (user_id_key);
CREATE INDEX users_reports_to ON users (reports_to);
CREATE INDEX users_admins ON users (access_level) WHERE access_level = 'Admin';

CREATE TABLE roles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    UNIQUE (tenant_id, name_key)
);

CREATE TABLE "groups" (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    UNIQUE (tenant_id, name_key)
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role ON user_roles (role_id);

CREATE TABLE user_groups (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group ON user_groups (group_id);

-- Only the SHA-256 of a session token is stored: a copy of the database
-- does not let anyone sign in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins per account (`account:<login>`) and per address (`address:<ip>`).
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE import_batches (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    batch_key TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    actor_email TEXT NOT NULL,
    file_name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    status TEXT NOT NULL,
    added BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    deleted BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    roles_added BIGINT NOT NULL DEFAULT 0,
    undoes_batch_id BIGINT REFERENCES import_batches(id),
    UNIQUE (tenant_id, batch_key)
);

CREATE TABLE import_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id BIGINT NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
    row_number BIGINT,
    user_key TEXT NOT NULL,
    action TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX import_changes_batch ON import_changes (batch_id);

CREATE TABLE audit_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT REFERENCES tenants(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    target TEXT NOT NULL,
    batch_id BIGINT REFERENCES import_batches(id) ON DELETE SET NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, at);

CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

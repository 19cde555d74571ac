-- Links that let a user set their password: invitations for new users and
-- resets for forgotten passwords. Only the SHA-256 of a link's token is
-- kept, so a copy of the database holds no usable link.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reset')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX password_links_user ON password_links (user_id, created_at);

-- An outbox message about a user goes with the user. Its link (a path with
-- the token) is kept only until the message is sent.
ALTER TABLE outbox ADD COLUMN user_id INTEGER REFERENCES users(id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN link TEXT;
CREATE INDEX outbox_user ON outbox (user_id);
CREATE INDEX outbox_tenant ON outbox (tenant_id, id);

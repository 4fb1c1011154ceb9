-- Taking access away (README, "Security"): tokens that expire and show when they were
-- last used, users that can be disabled, and the admin audit log. Also the binding of
-- a channel user to its rating channel and id prefix (issue 15, item 13).

-- expires_at: null never expires. last_used_at is written when the API resolves the
-- token past its in-memory cache, so it is exact to the cache's lifetime (30 s).
ALTER TABLE api_tokens
    ADD COLUMN expires_at   timestamptz,
    ADD COLUMN last_used_at timestamptz;
CREATE INDEX api_tokens_username ON api_tokens (username);

-- A disabled user's tokens and sessions stop at once; disabling is reversible, so
-- nothing is deleted. password_changed_at is informational.
ALTER TABLE users
    ADD COLUMN disabled_at         timestamptz,
    ADD COLUMN password_changed_at timestamptz;

-- A channel user (a rating source) bound to one channel submits ratings of that
-- channel only, with ids that begin with its prefix; no one else may use an id in
-- another's prefix, so no source can take (block) or probe another's ids. Both are
-- empty for users created before this rule: they keep the old behaviour until an
-- admin binds them.
ALTER TABLE users
    ADD COLUMN channel          text NOT NULL DEFAULT '',
    ADD COLUMN rating_id_prefix text NOT NULL DEFAULT '',
    ADD CHECK (channel = '' OR role = 'channel'),
    ADD CHECK (rating_id_prefix = '' OR channel <> '');

-- Who did what to which user, token, department, calendar day, sampling rule or
-- setting, and when. Append-only: no code path updates or deletes a row.
CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,   -- username (bootstrap-admin for the configured token)
    action  text NOT NULL,   -- e.g. user.create, token.revoke, calendar.put
    target  text NOT NULL,   -- e.g. user:alice, token:12, department:320100-SCJG
    detail  jsonb NOT NULL DEFAULT '{}' -- never a password, token or phone
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Ticket actions are idempotent per caller: an Idempotency-Key remembers which
-- request it was first used for (a digest of ticket, action and body) and, once
-- known, the answer given, so a retry returns that answer instead of acting again.
CREATE TABLE idempotency_keys (
    username      text        NOT NULL,
    key           text        NOT NULL,
    ticket_number text        NOT NULL,
    action        text        NOT NULL,
    fingerprint   bytea       NOT NULL,
    status        int,                   -- NULL while the first request is in flight
    body          bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- rectify's schema: ratings, tickets and their audit trail, users, notifications.
-- Tickets are a projection of each rectification workflow's state, written by its
-- activities; `version` only grows, so a retried or late write never goes backwards.

CREATE TABLE departments (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    username        text PRIMARY KEY,
    password_hash   text NOT NULL,
    role            text NOT NULL CHECK (role IN ('admin','supervisor','callcenter','department','channel')),
    department_code text REFERENCES departments(code),
    display_name    text NOT NULL DEFAULT '',
    failed_logins   int NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'department') = (department_code IS NOT NULL))
);

CREATE TABLE api_tokens (
    id          bigserial PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE, -- sha256 of the token; the token itself is shown once
    username    text NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE ratings (
    id                text PRIMARY KEY,
    body_hash         bytea NOT NULL, -- of the request as sent, to tell a retry from a conflicting reuse
    channel           text NOT NULL,
    level             text NOT NULL,
    negative          boolean NOT NULL,
    rated_at          timestamptz NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now(),
    department_code   text NOT NULL, -- not a foreign key: unknown departments are accepted
    service_item_code text NOT NULL DEFAULT '',
    staff_id          text NOT NULL DEFAULT '',
    hall_code         text NOT NULL DEFAULT '',
    case_no           text NOT NULL DEFAULT '',
    region_code       text NOT NULL DEFAULT '',
    aspects           text[] NOT NULL DEFAULT '{}',
    comment           text NOT NULL DEFAULT '',
    citizen_name      text NOT NULL DEFAULT '',
    citizen_phone     text NOT NULL DEFAULT '',
    citizen_anonymous boolean NOT NULL DEFAULT true,
    excluded          boolean NOT NULL DEFAULT false, -- an appeal was upheld: out of statistics
    submitted_by      text NOT NULL DEFAULT ''
);
CREATE INDEX ratings_department_rated_at ON ratings (department_code, rated_at);

CREATE SEQUENCE ticket_number_seq;

CREATE TABLE tickets (
    number            text PRIMARY KEY,
    rating_id         text NOT NULL UNIQUE REFERENCES ratings(id),
    status            text NOT NULL,
    resolution        text NOT NULL DEFAULT '',
    department_code   text NOT NULL DEFAULT '',
    round             int NOT NULL DEFAULT 1,
    stage_started_at  timestamptz,
    due_at            timestamptz,
    overdue           boolean NOT NULL DEFAULT false,
    escalation_level  int NOT NULL DEFAULT 0,
    pending_request   jsonb,
    call_attempts     int NOT NULL DEFAULT 0,
    call_task         boolean NOT NULL DEFAULT false,
    report            text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    closed_at         timestamptz,
    version           int NOT NULL DEFAULT 0,
    workflow_started  boolean NOT NULL DEFAULT false -- false until the workflow's first write lands (store.ApplyChange); the reconciler starts these
);
CREATE INDEX tickets_department_status ON tickets (department_code, status);
CREATE INDEX tickets_status ON tickets (status, created_at);
CREATE INDEX tickets_open_overdue ON tickets (due_at) WHERE overdue AND status <> 'closed';
CREATE INDEX tickets_not_started ON tickets (created_at) WHERE NOT workflow_started;

CREATE TABLE ticket_events (
    ticket_number   text NOT NULL REFERENCES tickets(number),
    seq             int NOT NULL, -- assigned by the workflow, so a retried write is a no-op
    type            text NOT NULL,
    actor           text NOT NULL,
    actor_role      text NOT NULL DEFAULT '',
    at              timestamptz NOT NULL,
    note            text NOT NULL DEFAULT '',
    department_code text NOT NULL DEFAULT '',
    round           int NOT NULL DEFAULT 1,
    data            jsonb,
    PRIMARY KEY (ticket_number, seq)
);
CREATE INDEX ticket_events_type_at ON ticket_events (type, at);

-- The outbox: written in the same transaction as the state that causes a message,
-- delivered at least once by the dispatcher with idempotency_key for the gateway.
CREATE TABLE notifications (
    id               bigserial PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    ticket_number    text NOT NULL DEFAULT '',
    kind             text NOT NULL, -- survey_sms | reminder | overdue | escalation | urge | extension_decided ...
    channel          text NOT NULL, -- sms | department | supervisors
    recipient        text NOT NULL, -- a phone (sms) or a department code
    body             text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempts         int NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    last_error       text NOT NULL DEFAULT ''
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX notifications_ticket ON notifications (ticket_number);

CREATE TABLE survey_tokens (
    token_hash     bytea PRIMARY KEY, -- sha256 of the token in the SMS link
    ticket_number  text NOT NULL REFERENCES tickets(number),
    round          int NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ticket_number, round)
);

CREATE TABLE calendar_overrides (
    date        date PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('holiday','workday')),
    name        text NOT NULL DEFAULT '',
    updated_by  text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Browser sign-in: sessions behind an HttpOnly cookie, and the audit of call-center
-- staff revealing a citizen's phone number.

-- A session is found by the hash of its cookie value, so a database read does not
-- hand out usable cookies. It ends at expires_at, or earlier after idle_timeout
-- without a request.
CREATE TABLE sessions (
    id_hash       bytea PRIMARY KEY, -- sha256 of the cookie value
    username      text NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    csrf_token    text NOT NULL,     -- sent back in forms and the X-CSRF-Token header
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    idle_timeout  interval NOT NULL,
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_username ON sessions (username);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Each time a call-center user shows a citizen's full phone number. Kept apart from
-- ticket_events, whose (ticket, seq) keys belong to the ticket's workflow.
CREATE TABLE phone_reveals (
    id             bigserial PRIMARY KEY,
    rating_id      text NOT NULL REFERENCES ratings(id),
    ticket_number  text REFERENCES tickets(number), -- null for a rating without a ticket
    username       text NOT NULL,
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_reveals_ticket ON phone_reveals (ticket_number, at);

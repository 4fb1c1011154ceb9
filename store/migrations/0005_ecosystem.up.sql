-- Connections to the systems around rectify (issue 8): delivery receipts from the
-- SMS gateway, and the webhook events of the external 12345 platform, kept so that
-- a retried event is answered without acting twice.

ALTER TABLE notifications
    ADD COLUMN delivery_status   text NOT NULL DEFAULT '', -- '' no receipt yet | delivered | failed | expired | rejected
    ADD COLUMN delivery_detail   text NOT NULL DEFAULT '', -- the gateway's code or reason, for operators
    ADD COLUMN delivery_at       timestamptz,              -- when the gateway says it happened
    ADD COLUMN gateway_message_id text NOT NULL DEFAULT '';

CREATE TABLE webhook_events (
    source        text NOT NULL, -- '12345'
    event_id      text NOT NULL, -- the sender's id of the event: its idempotency key
    ticket_number text NOT NULL DEFAULT '',
    type          text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, event_id)
);

-- rectify:no-transaction
-- The notice centre and group robots (issue 17 items 1 and 2). Run statement by
-- statement, each safe to repeat, so that the outbox's new index is built
-- CONCURRENTLY: the notifications table takes every transition's messages and
-- must not stop taking writes while a big one is indexed.

-- Who has read which notice: per user, so each clerk of a department has their
-- own unread count. A notice taken back before it was sent (a replaced
-- transition) takes its reads with it.
CREATE TABLE IF NOT EXISTS notice_reads (
    username         text NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    notification_id  bigint NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    read_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, notification_id)
);

-- A department's and the supervisors' notices are listed by recipient, newest first.
CREATE INDEX CONCURRENTLY IF NOT EXISTS notifications_recipient ON notifications (channel, recipient, id DESC);

-- A department's optional group robot (企业微信 group robot or 钉钉 custom robot).
-- webhook_url and secret are credentials: the API and pages never return them,
-- only a masked form. recent_sends holds the times of the robot's last sends
-- (at most the per-minute limit), the sliding window of its rate limit, shared
-- by every dispatcher.
CREATE TABLE IF NOT EXISTS department_robots (
    department_code  text PRIMARY KEY REFERENCES departments(code) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('wecom','dingtalk')),
    webhook_url      text NOT NULL,
    secret           text NOT NULL DEFAULT '',
    recent_sends     timestamptz[] NOT NULL DEFAULT '{}',
    updated_by       text NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL DEFAULT now()
);

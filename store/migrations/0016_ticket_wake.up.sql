-- The deadline sweeper (issue 18): a RectificationV3 ticket has no workflow timers.
-- Each of its writes stores the instant of its next deadline (reminder, due,
-- level-2 escalation: domain.NextDeadline) as wake_at, and the sweeper signals the
-- workflows of open tickets whose wake_at has passed. NULL: nothing to wake for
-- (no running stage, closed, or a ticket of an older workflow type, whose timers
-- wake it). The partial index holds only the open tickets that wait for one.

ALTER TABLE tickets ADD COLUMN wake_at timestamptz;

CREATE INDEX tickets_wake_at ON tickets (wake_at) WHERE wake_at IS NOT NULL AND status <> 'closed';

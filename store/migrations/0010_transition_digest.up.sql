-- A ticket's (ticket, seq) event key is assigned by its workflow, but a workflow
-- task lost after its write committed can be retried along another path (a timer
-- fired meanwhile) and give the same seq to a different transition. The digest of
-- the transition's content tells a repeat of the same write from a different one;
-- the effects remember the seq that caused them, so a replaced transition's
-- unsent messages and unused survey link can be taken back.
ALTER TABLE ticket_events ADD COLUMN digest bytea; -- NULL: written before this column
ALTER TABLE notifications ADD COLUMN event_seq int;
ALTER TABLE survey_tokens ADD COLUMN event_seq int;

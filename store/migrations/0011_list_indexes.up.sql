-- rectify:no-transaction
-- Indexes that match the ticket lists: they sort by number (newest first) and
-- filter by department, by status, on open tickets, or by a number / rating id
-- prefix (the overdue lists have theirs since 0003: tickets_open_overdue_number).
-- Built CONCURRENTLY so that a big tickets table keeps taking writes; such a
-- migration runs statement by statement, outside a transaction, and each
-- statement is safe to run again. (A build that failed half
-- way leaves an INVALID index that IF NOT EXISTS keeps: drop it by hand.)
CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_department_number ON tickets (department_code, number);
CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_status_number ON tickets (status, number);
CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_open_number ON tickets (number) WHERE status <> 'closed';
-- LIKE 'prefix%' can use a plain btree only under the C collation.
CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_number_prefix ON tickets (number text_pattern_ops);
CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_rating_prefix ON tickets (rating_id text_pattern_ops);

-- Statistics (量化分析), maintained incrementally so that no request ever scans the
-- ratings. Definitions of every metric: the stats package's doc comment.
--
-- How it stays current, all inside the writers' own transactions:
--   ratings INSERT      -> one statement-level trigger appends the statement's rows
--                          to stats_delta (append-only: no shared row is locked, so
--                          concurrent ingestion never queues on a hot counter);
--   ticket_events INSERT-> a row trigger recomputes the ticket's facts
--                          (stats_tickets) and appends the difference to stats_delta;
--   ratings.excluded    -> a row trigger takes the rating and its ticket's facts out
--                          (an upheld appeal) or back in.
-- stats_fold() moves stats_delta into the daily and monthly rollups in one
-- transaction, so any snapshot sees each delta exactly once: readers add the
-- not-yet-folded deltas to the rollups and are exact to the last committed rating.
--
-- Days are Asia/Shanghai calendar days. A ticket's figures belong to its rating's
-- day and slice (the cohort of ratings given in the period).

-- Working days for "average rectification working days": exceptions to
-- Monday–Friday. Seeded from lunar-go v1.4.7 (2019–2027); the stats package
-- upserts newer years from the calendar package; calendar_overrides win.
CREATE TABLE stats_calendar (
    date    date PRIMARY KEY,
    working boolean NOT NULL
);
INSERT INTO stats_calendar (date, working) VALUES
    -- 2019
    ('2019-01-01',false), ('2019-02-02',true), ('2019-02-03',true), ('2019-02-04',false), ('2019-02-05',false), ('2019-02-06',false),
    ('2019-02-07',false), ('2019-02-08',false), ('2019-02-09',false), ('2019-02-10',false), ('2019-04-05',false), ('2019-04-06',false),
    ('2019-04-07',false), ('2019-04-28',true), ('2019-05-01',false), ('2019-05-02',false), ('2019-05-03',false), ('2019-05-04',false),
    ('2019-05-05',true), ('2019-06-07',false), ('2019-06-08',false), ('2019-06-09',false), ('2019-09-13',false), ('2019-09-14',false),
    ('2019-09-15',false), ('2019-09-29',true), ('2019-10-01',false), ('2019-10-02',false), ('2019-10-03',false), ('2019-10-04',false),
    ('2019-10-05',false), ('2019-10-06',false), ('2019-10-07',false), ('2019-10-12',true),
    -- 2020
    ('2020-01-01',false), ('2020-01-19',true), ('2020-01-24',false), ('2020-01-25',false), ('2020-01-26',false), ('2020-01-27',false),
    ('2020-01-28',false), ('2020-01-29',false), ('2020-01-30',false), ('2020-01-31',false), ('2020-02-01',false), ('2020-02-02',false),
    ('2020-04-04',false), ('2020-04-05',false), ('2020-04-06',false), ('2020-04-26',true), ('2020-05-01',false), ('2020-05-02',false),
    ('2020-05-03',false), ('2020-05-04',false), ('2020-05-05',false), ('2020-05-09',true), ('2020-06-25',false), ('2020-06-26',false),
    ('2020-06-27',false), ('2020-06-28',true), ('2020-09-27',true), ('2020-10-01',false), ('2020-10-02',false), ('2020-10-03',false),
    ('2020-10-04',false), ('2020-10-05',false), ('2020-10-06',false), ('2020-10-07',false), ('2020-10-08',false), ('2020-10-10',true),
    -- 2021
    ('2021-01-01',false), ('2021-01-02',false), ('2021-01-03',false), ('2021-02-07',true), ('2021-02-11',false), ('2021-02-12',false),
    ('2021-02-13',false), ('2021-02-14',false), ('2021-02-15',false), ('2021-02-16',false), ('2021-02-17',false), ('2021-02-20',true),
    ('2021-04-03',false), ('2021-04-04',false), ('2021-04-05',false), ('2021-04-25',true), ('2021-05-01',false), ('2021-05-02',false),
    ('2021-05-03',false), ('2021-05-04',false), ('2021-05-05',false), ('2021-05-08',true), ('2021-06-12',false), ('2021-06-13',false),
    ('2021-06-14',false), ('2021-09-18',true), ('2021-09-19',false), ('2021-09-20',false), ('2021-09-21',false), ('2021-09-26',true),
    ('2021-10-01',false), ('2021-10-02',false), ('2021-10-03',false), ('2021-10-04',false), ('2021-10-05',false), ('2021-10-06',false),
    ('2021-10-07',false), ('2021-10-09',true),
    -- 2022
    ('2022-01-01',false), ('2022-01-02',false), ('2022-01-03',false), ('2022-01-29',true), ('2022-01-30',true), ('2022-01-31',false),
    ('2022-02-01',false), ('2022-02-02',false), ('2022-02-03',false), ('2022-02-04',false), ('2022-02-05',false), ('2022-02-06',false),
    ('2022-04-02',true), ('2022-04-03',false), ('2022-04-04',false), ('2022-04-05',false), ('2022-04-24',true), ('2022-04-30',false),
    ('2022-05-01',false), ('2022-05-02',false), ('2022-05-03',false), ('2022-05-04',false), ('2022-05-07',true), ('2022-06-03',false),
    ('2022-06-04',false), ('2022-06-05',false), ('2022-09-10',false), ('2022-09-11',false), ('2022-09-12',false), ('2022-10-01',false),
    ('2022-10-02',false), ('2022-10-03',false), ('2022-10-04',false), ('2022-10-05',false), ('2022-10-06',false), ('2022-10-07',false),
    ('2022-10-08',true), ('2022-10-09',true), ('2022-12-31',false),
    -- 2023
    ('2023-01-01',false), ('2023-01-02',false), ('2023-01-21',false), ('2023-01-22',false), ('2023-01-23',false), ('2023-01-24',false),
    ('2023-01-25',false), ('2023-01-26',false), ('2023-01-27',false), ('2023-01-28',true), ('2023-01-29',true), ('2023-04-05',false),
    ('2023-04-23',true), ('2023-04-29',false), ('2023-04-30',false), ('2023-05-01',false), ('2023-05-02',false), ('2023-05-03',false),
    ('2023-05-06',true), ('2023-06-22',false), ('2023-06-23',false), ('2023-06-24',false), ('2023-06-25',true), ('2023-09-29',false),
    ('2023-09-30',false), ('2023-10-01',false), ('2023-10-02',false), ('2023-10-03',false), ('2023-10-04',false), ('2023-10-05',false),
    ('2023-10-06',false), ('2023-10-07',true), ('2023-10-08',true), ('2023-12-30',false), ('2023-12-31',false),
    -- 2024
    ('2024-01-01',false), ('2024-02-04',true), ('2024-02-10',false), ('2024-02-11',false), ('2024-02-12',false), ('2024-02-13',false),
    ('2024-02-14',false), ('2024-02-15',false), ('2024-02-16',false), ('2024-02-17',false), ('2024-02-18',true), ('2024-04-04',false),
    ('2024-04-05',false), ('2024-04-06',false), ('2024-04-07',true), ('2024-04-28',true), ('2024-05-01',false), ('2024-05-02',false),
    ('2024-05-03',false), ('2024-05-04',false), ('2024-05-05',false), ('2024-05-11',true), ('2024-06-08',false), ('2024-06-09',false),
    ('2024-06-10',false), ('2024-09-14',true), ('2024-09-15',false), ('2024-09-16',false), ('2024-09-17',false), ('2024-09-29',true),
    ('2024-10-01',false), ('2024-10-02',false), ('2024-10-03',false), ('2024-10-04',false), ('2024-10-05',false), ('2024-10-06',false),
    ('2024-10-07',false), ('2024-10-12',true),
    -- 2025
    ('2025-01-01',false), ('2025-01-26',true), ('2025-01-28',false), ('2025-01-29',false), ('2025-01-30',false), ('2025-01-31',false),
    ('2025-02-01',false), ('2025-02-02',false), ('2025-02-03',false), ('2025-02-04',false), ('2025-02-08',true), ('2025-04-04',false),
    ('2025-04-05',false), ('2025-04-06',false), ('2025-04-27',true), ('2025-05-01',false), ('2025-05-02',false), ('2025-05-03',false),
    ('2025-05-04',false), ('2025-05-05',false), ('2025-05-31',false), ('2025-06-01',false), ('2025-06-02',false), ('2025-09-28',true),
    ('2025-10-01',false), ('2025-10-02',false), ('2025-10-03',false), ('2025-10-04',false), ('2025-10-05',false), ('2025-10-06',false),
    ('2025-10-07',false), ('2025-10-08',false), ('2025-10-11',true),
    -- 2026
    ('2026-01-01',false), ('2026-01-02',false), ('2026-01-03',false), ('2026-01-04',true), ('2026-02-14',true), ('2026-02-15',false),
    ('2026-02-16',false), ('2026-02-17',false), ('2026-02-18',false), ('2026-02-19',false), ('2026-02-20',false), ('2026-02-21',false),
    ('2026-02-22',false), ('2026-02-23',false), ('2026-02-28',true), ('2026-04-04',false), ('2026-04-05',false), ('2026-04-06',false),
    ('2026-05-01',false), ('2026-05-02',false), ('2026-05-03',false), ('2026-05-04',false), ('2026-05-05',false), ('2026-05-09',true),
    ('2026-06-19',false), ('2026-06-20',false), ('2026-06-21',false), ('2026-09-20',true), ('2026-09-25',false), ('2026-09-26',false),
    ('2026-09-27',false), ('2026-10-01',false), ('2026-10-02',false), ('2026-10-03',false), ('2026-10-04',false), ('2026-10-05',false),
    ('2026-10-06',false), ('2026-10-07',false), ('2026-10-10',true),
    -- 2027
    ('2027-01-01',false), ('2027-01-02',false), ('2027-01-03',false), ('2027-01-31',true), ('2027-02-05',false), ('2027-02-06',false),
    ('2027-02-07',false), ('2027-02-08',false), ('2027-02-09',false), ('2027-02-10',false), ('2027-02-11',false), ('2027-02-12',false),
    ('2027-02-13',false), ('2027-02-14',true), ('2027-04-03',false), ('2027-04-04',false), ('2027-04-05',false), ('2027-05-01',false),
    ('2027-05-02',false), ('2027-05-03',false), ('2027-05-04',false), ('2027-05-05',false), ('2027-05-08',true), ('2027-06-09',false),
    ('2027-09-15',false), ('2027-09-26',true), ('2027-10-01',false), ('2027-10-02',false), ('2027-10-03',false), ('2027-10-04',false),
    ('2027-10-05',false), ('2027-10-06',false), ('2027-10-07',false), ('2027-10-09',true);

CREATE FUNCTION stats_is_working(d date) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT o.kind = 'workday' FROM calendar_overrides o WHERE o.date = d),
        (SELECT c.working FROM stats_calendar c WHERE c.date = d),
        extract(isodow FROM d) < 6)
$$;

-- Working days d with day(a) < d <= day(b), as calendar.WorkingDaysBetween counts
-- them: the day of receipt does not count, the day of the report does.
CREATE FUNCTION stats_working_days(a timestamptz, b timestamptz) RETURNS int LANGUAGE sql STABLE AS $$
    SELECT count(*)::int
    FROM generate_series((a AT TIME ZONE 'Asia/Shanghai')::date + 1,
                         least((b AT TIME ZONE 'Asia/Shanghai')::date, (a AT TIME ZONE 'Asia/Shanghai')::date + 3660),
                         interval '1 day') AS g(d)
    WHERE stats_is_working(g.d::date)
$$;

-- The counters every rollup row carries. Ticket counters are tickets, not events:
-- "returned" is the number of tickets returned at least once.
--   very_satisfied .. very_dissatisfied  ratings per level (tickets = the last two)
--   real_name          negative ratings by a real-name citizen with a phone (回访 base)
--   rectified          tickets resolved at least once
--   rectified_on_time  rectified, and every resolve by its rectify-stage deadline
--   followed_up        the citizen was reached at least once (survey or call)
--   satisfied_after_followup  closed as satisfied at a follow-up
--   returned, extended, reopened  tickets with at least one such event
--   overdue            open and overdue now
--   rect_working_days  sum over rectified tickets of working days to the first resolve
-- No key and no index: appending costs the writer one heap row; stats_fold takes
-- rows by ctid.
CREATE TABLE stats_delta (
    day                      date NOT NULL,
    department_code          text NOT NULL,
    service_item_code        text NOT NULL,
    channel                  text NOT NULL,
    region_code              text NOT NULL,
    staff_id                 text NOT NULL,
    aspects                  text[] NOT NULL,
    very_satisfied           int NOT NULL DEFAULT 0,
    satisfied                int NOT NULL DEFAULT 0,
    basically_satisfied      int NOT NULL DEFAULT 0,
    dissatisfied             int NOT NULL DEFAULT 0,
    very_dissatisfied        int NOT NULL DEFAULT 0,
    real_name                int NOT NULL DEFAULT 0,
    rectified                int NOT NULL DEFAULT 0,
    rectified_on_time        int NOT NULL DEFAULT 0,
    followed_up              int NOT NULL DEFAULT 0,
    satisfied_after_followup int NOT NULL DEFAULT 0,
    returned                 int NOT NULL DEFAULT 0,
    extended                 int NOT NULL DEFAULT 0,
    reopened                 int NOT NULL DEFAULT 0,
    overdue                  int NOT NULL DEFAULT 0,
    rect_working_days        int NOT NULL DEFAULT 0
);

-- The rollups: one row per (dimension, day or month, department, key). dim is
-- department (key ''), service_item, channel, region, staff or aspect; every row
-- keeps its department so department users can be limited to their own. Keys
-- compare bytewise (COLLATE "C": cheaper, and codes need no linguistic order);
-- pages keep room so that folding updates counters in place (HOT).
CREATE TABLE stats_daily (
    dim                      text COLLATE "C" NOT NULL,
    day                      date NOT NULL,
    department_code          text COLLATE "C" NOT NULL,
    key                      text COLLATE "C" NOT NULL,
    very_satisfied           int NOT NULL,
    satisfied                int NOT NULL,
    basically_satisfied      int NOT NULL,
    dissatisfied             int NOT NULL,
    very_dissatisfied        int NOT NULL,
    real_name                int NOT NULL,
    rectified                int NOT NULL,
    rectified_on_time        int NOT NULL,
    followed_up              int NOT NULL,
    satisfied_after_followup int NOT NULL,
    returned                 int NOT NULL,
    extended                 int NOT NULL,
    reopened                 int NOT NULL,
    overdue                  int NOT NULL,
    rect_working_days        int NOT NULL,
    PRIMARY KEY (dim, day, department_code, key)
) WITH (fillfactor = 80);

-- Whole months before stats_watermark.through, each row the sum of its month's
-- daily rows. The current month lives in stats_daily only, so folding today's
-- ratings touches one rollup, not two; stats_fold closes a month once it is over.
CREATE TABLE stats_monthly (LIKE stats_daily) WITH (fillfactor = 80);
ALTER TABLE stats_monthly RENAME COLUMN day TO month; -- the first day of the month
ALTER TABLE stats_monthly ADD PRIMARY KEY (dim, month, department_code, key);

CREATE TABLE stats_watermark (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    through date NOT NULL -- the first day of the first month not in stats_monthly
);
INSERT INTO stats_watermark (through) VALUES (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date);

-- One row per ticket: its facts so far, and the slice of its rating.
CREATE TABLE stats_tickets (
    ticket_number            text PRIMARY KEY,
    day                      date NOT NULL,
    department_code          text NOT NULL,
    service_item_code        text NOT NULL,
    channel                  text NOT NULL,
    region_code              text NOT NULL,
    staff_id                 text NOT NULL,
    aspects                  text[] NOT NULL,
    excluded                 boolean NOT NULL,
    created_at               timestamptz NOT NULL,
    rect_due                 timestamptz, -- the rectify deadline as last seen while rectifying
    first_resolved_at        timestamptz,
    rectified                boolean NOT NULL DEFAULT false,
    late                     boolean NOT NULL DEFAULT false, -- some resolve came after its deadline
    followed_up              boolean NOT NULL DEFAULT false,
    satisfied_after_followup boolean NOT NULL DEFAULT false,
    returned                 boolean NOT NULL DEFAULT false,
    extended                 boolean NOT NULL DEFAULT false,
    reopened                 boolean NOT NULL DEFAULT false,
    overdue                  boolean NOT NULL DEFAULT false,
    rect_working_days        int NOT NULL DEFAULT 0
);

-- Settings supervisors may change: the score weights, best level first, and the
-- red/black list's minimum volume.
CREATE TABLE stats_settings (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    weights    numeric[] NOT NULL DEFAULT '{10,8,6,3,0}',
    min_total  int NOT NULL DEFAULT 30,
    updated_by text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO stats_settings DEFAULT VALUES;

-- One delta row per rating, not grouped: the slice is nearly unique per rating, so
-- grouping would only add cost to every insert (measured: ~6% of single-row
-- ingestion); stats_fold groups.
CREATE FUNCTION stats_ratings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_delta (day, department_code, service_item_code, channel, region_code, staff_id, aspects,
        very_satisfied, satisfied, basically_satisfied, dissatisfied, very_dissatisfied, real_name)
    SELECT (r.rated_at AT TIME ZONE 'Asia/Shanghai')::date, r.department_code, r.service_item_code, r.channel,
           r.region_code, r.staff_id, r.aspects,
           (r.level = 'very_satisfied')::int, (r.level = 'satisfied')::int, (r.level = 'basically_satisfied')::int,
           (r.level = 'dissatisfied')::int, (r.level = 'very_dissatisfied')::int,
           (r.negative AND r.citizen_phone <> '' AND NOT r.citizen_anonymous)::int
    FROM stats_new_ratings r
    WHERE NOT r.excluded;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_ratings_inserted AFTER INSERT ON ratings
    REFERENCING NEW TABLE AS stats_new_ratings
    FOR EACH STATEMENT EXECUTE FUNCTION stats_ratings_inserted();

-- stats_ticket_delta appends what a ticket adds now (cur) minus what it added before
-- (was); either may be NULL.
CREATE FUNCTION stats_ticket_delta(cur stats_tickets, was stats_tickets) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s stats_tickets := coalesce(cur, was);
BEGIN
    INSERT INTO stats_delta (day, department_code, service_item_code, channel, region_code, staff_id, aspects,
        rectified, rectified_on_time, followed_up, satisfied_after_followup, returned, extended, reopened,
        overdue, rect_working_days)
    VALUES (s.day, s.department_code, s.service_item_code, s.channel, s.region_code, s.staff_id, s.aspects,
        coalesce(cur.rectified::int, 0) - coalesce(was.rectified::int, 0),
        coalesce((cur.rectified AND NOT cur.late)::int, 0) - coalesce((was.rectified AND NOT was.late)::int, 0),
        coalesce(cur.followed_up::int, 0) - coalesce(was.followed_up::int, 0),
        coalesce(cur.satisfied_after_followup::int, 0) - coalesce(was.satisfied_after_followup::int, 0),
        coalesce(cur.returned::int, 0) - coalesce(was.returned::int, 0),
        coalesce(cur.extended::int, 0) - coalesce(was.extended::int, 0),
        coalesce(cur.reopened::int, 0) - coalesce(was.reopened::int, 0),
        coalesce(cur.overdue::int, 0) - coalesce(was.overdue::int, 0),
        coalesce(cur.rect_working_days, 0) - coalesce(was.rect_working_days, 0));
END $$;

-- Every ticket transition writes one event in the same transaction as its snapshot
-- (store.ApplyChange updates the ticket first), so the ticket row read here is the
-- state after the event.
CREATE FUNCTION stats_ticket_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was stats_tickets;
    f   stats_tickets;
    t   record;
    due timestamptz;
BEGIN
    SELECT * INTO was FROM stats_tickets WHERE ticket_number = NEW.ticket_number FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO stats_tickets (ticket_number, day, department_code, service_item_code, channel, region_code,
            staff_id, aspects, excluded, created_at)
        SELECT tk.number, (r.rated_at AT TIME ZONE 'Asia/Shanghai')::date, r.department_code, r.service_item_code,
               r.channel, r.region_code, r.staff_id, r.aspects, r.excluded, tk.created_at
        FROM tickets tk JOIN ratings r ON r.id = tk.rating_id
        WHERE tk.number = NEW.ticket_number
        RETURNING * INTO was;
    END IF;
    f := was;
    SELECT tk.status, tk.resolution, tk.overdue, tk.due_at INTO t FROM tickets tk WHERE tk.number = NEW.ticket_number;
    IF t.status = 'rectifying' THEN
        f.rect_due := t.due_at;
    END IF;
    CASE NEW.type
    WHEN 'resolved' THEN
        -- The deadline the report answers: recorded in the event when the workflow
        -- provides it, else the one last seen while rectifying. Statistics must
        -- never fail a transition: an unreadable value counts as absent.
        BEGIN
            due := (NEW.data ->> 'due_at')::timestamptz;
        EXCEPTION WHEN others THEN
            due := NULL;
        END;
        due := coalesce(due, was.rect_due);
        f.rectified := true;
        IF due IS NULL OR NEW.at > due THEN
            f.late := true;
        END IF;
        IF f.first_resolved_at IS NULL THEN
            f.first_resolved_at := NEW.at;
            f.rect_working_days := stats_working_days(f.created_at, NEW.at);
        END IF;
    WHEN 'returned' THEN
        f.returned := true;
    WHEN 'extension_approved' THEN
        f.extended := true;
    WHEN 'survey_answered', 'call_logged' THEN
        IF NEW.data -> 'reached' = 'true'::jsonb THEN
            f.followed_up := true;
        END IF;
        IF NEW.data -> 'reopened' = 'true'::jsonb THEN
            f.reopened := true;
        END IF;
    ELSE
        NULL;
    END CASE;
    f.satisfied_after_followup := t.resolution = 'satisfied';
    f.overdue := t.overdue AND t.status <> 'closed';
    IF f IS DISTINCT FROM was THEN
        UPDATE stats_tickets SET rect_due = f.rect_due, first_resolved_at = f.first_resolved_at,
            rectified = f.rectified, late = f.late, followed_up = f.followed_up,
            satisfied_after_followup = f.satisfied_after_followup, returned = f.returned, extended = f.extended,
            reopened = f.reopened, overdue = f.overdue, rect_working_days = f.rect_working_days
        WHERE ticket_number = f.ticket_number;
        IF NOT f.excluded THEN
            PERFORM stats_ticket_delta(f, was);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_ticket_event AFTER INSERT ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION stats_ticket_event();

-- An upheld appeal takes the rating, and its ticket's figures, out of statistics.
CREATE FUNCTION stats_rating_excluded() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s int := CASE WHEN NEW.excluded THEN -1 ELSE 1 END;
    f stats_tickets;
BEGIN
    INSERT INTO stats_delta (day, department_code, service_item_code, channel, region_code, staff_id, aspects,
        very_satisfied, satisfied, basically_satisfied, dissatisfied, very_dissatisfied, real_name)
    VALUES ((NEW.rated_at AT TIME ZONE 'Asia/Shanghai')::date, NEW.department_code, NEW.service_item_code,
        NEW.channel, NEW.region_code, NEW.staff_id, NEW.aspects,
        s * (NEW.level = 'very_satisfied')::int, s * (NEW.level = 'satisfied')::int,
        s * (NEW.level = 'basically_satisfied')::int, s * (NEW.level = 'dissatisfied')::int,
        s * (NEW.level = 'very_dissatisfied')::int,
        s * (NEW.negative AND NEW.citizen_phone <> '' AND NOT NEW.citizen_anonymous)::int);
    UPDATE stats_tickets SET excluded = NEW.excluded
    WHERE ticket_number = (SELECT number FROM tickets WHERE rating_id = NEW.id)
    RETURNING * INTO f;
    IF FOUND THEN
        IF NEW.excluded THEN
            PERFORM stats_ticket_delta(NULL, f);
        ELSE
            PERFORM stats_ticket_delta(f, NULL);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_rating_excluded AFTER UPDATE OF excluded ON ratings
    FOR EACH ROW WHEN (OLD.excluded IS DISTINCT FROM NEW.excluded)
    EXECUTE FUNCTION stats_rating_excluded();

-- stats_fold closes the months before today's, then moves up to batch deltas into
-- the rollups, and returns how many it moved. Folders take turns (advisory lock);
-- the deltas leave and the rollups grow in one transaction. today is a parameter
-- for tests.
CREATE FUNCTION stats_fold(batch int, today date DEFAULT (now() AT TIME ZONE 'Asia/Shanghai')::date)
RETURNS int LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
    n       int;
    upto    date; -- stats_watermark.through
BEGIN
    PERFORM pg_advisory_xact_lock(7332205);
    SELECT w.through INTO upto FROM stats_watermark w;
    WHILE upto < date_trunc('month', today)::date LOOP
        INSERT INTO stats_monthly
        SELECT dim, upto, department_code, key,
            sum(very_satisfied), sum(satisfied), sum(basically_satisfied), sum(dissatisfied),
            sum(very_dissatisfied), sum(real_name), sum(rectified), sum(rectified_on_time),
            sum(followed_up), sum(satisfied_after_followup), sum(returned), sum(extended),
            sum(reopened), sum(overdue), sum(rect_working_days)
        FROM stats_daily
        WHERE day >= upto AND day < (upto + interval '1 month')::date
        GROUP BY dim, department_code, key;
        upto := (upto + interval '1 month')::date;
        UPDATE stats_watermark SET through = upto;
    END LOOP;
    WITH d AS (
        DELETE FROM stats_delta
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM stats_delta LIMIT batch))
        RETURNING *
    ), e AS (
        SELECT v.dim, v.key, d.* FROM d CROSS JOIN LATERAL (VALUES
            ('department', ''), ('service_item', d.service_item_code), ('channel', d.channel),
            ('region', d.region_code), ('staff', d.staff_id)) AS v(dim, key)
        UNION ALL
        SELECT 'aspect', a.aspect, d.* FROM d CROSS JOIN LATERAL (SELECT DISTINCT unnest(d.aspects)) AS a(aspect)
    ), g AS (
        SELECT e.dim, e.day, e.department_code, e.key,
            sum(e.very_satisfied)::int AS very_satisfied, sum(e.satisfied)::int AS satisfied,
            sum(e.basically_satisfied)::int AS basically_satisfied, sum(e.dissatisfied)::int AS dissatisfied,
            sum(e.very_dissatisfied)::int AS very_dissatisfied, sum(e.real_name)::int AS real_name,
            sum(e.rectified)::int AS rectified, sum(e.rectified_on_time)::int AS rectified_on_time,
            sum(e.followed_up)::int AS followed_up, sum(e.satisfied_after_followup)::int AS satisfied_after_followup,
            sum(e.returned)::int AS returned, sum(e.extended)::int AS extended, sum(e.reopened)::int AS reopened,
            sum(e.overdue)::int AS overdue, sum(e.rect_working_days)::int AS rect_working_days
        FROM e GROUP BY 1, 2, 3, 4
    ), daily AS (
        INSERT INTO stats_daily AS x SELECT * FROM g ORDER BY 1, 2, 3, 4
        ON CONFLICT (dim, day, department_code, key) DO UPDATE SET
            very_satisfied = x.very_satisfied + excluded.very_satisfied, satisfied = x.satisfied + excluded.satisfied,
            basically_satisfied = x.basically_satisfied + excluded.basically_satisfied,
            dissatisfied = x.dissatisfied + excluded.dissatisfied,
            very_dissatisfied = x.very_dissatisfied + excluded.very_dissatisfied, real_name = x.real_name + excluded.real_name,
            rectified = x.rectified + excluded.rectified, rectified_on_time = x.rectified_on_time + excluded.rectified_on_time,
            followed_up = x.followed_up + excluded.followed_up,
            satisfied_after_followup = x.satisfied_after_followup + excluded.satisfied_after_followup,
            returned = x.returned + excluded.returned, extended = x.extended + excluded.extended,
            reopened = x.reopened + excluded.reopened, overdue = x.overdue + excluded.overdue,
            rect_working_days = x.rect_working_days + excluded.rect_working_days
        RETURNING 1
    ), monthly AS (
        INSERT INTO stats_monthly AS x
        SELECT g.dim, date_trunc('month', g.day)::date, g.department_code, g.key,
            sum(g.very_satisfied), sum(g.satisfied), sum(g.basically_satisfied), sum(g.dissatisfied),
            sum(g.very_dissatisfied), sum(g.real_name), sum(g.rectified), sum(g.rectified_on_time),
            sum(g.followed_up), sum(g.satisfied_after_followup), sum(g.returned), sum(g.extended),
            sum(g.reopened), sum(g.overdue), sum(g.rect_working_days)
        FROM g WHERE g.day < upto
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (dim, month, department_code, key) DO UPDATE SET
            very_satisfied = x.very_satisfied + excluded.very_satisfied, satisfied = x.satisfied + excluded.satisfied,
            basically_satisfied = x.basically_satisfied + excluded.basically_satisfied,
            dissatisfied = x.dissatisfied + excluded.dissatisfied,
            very_dissatisfied = x.very_dissatisfied + excluded.very_dissatisfied, real_name = x.real_name + excluded.real_name,
            rectified = x.rectified + excluded.rectified, rectified_on_time = x.rectified_on_time + excluded.rectified_on_time,
            followed_up = x.followed_up + excluded.followed_up,
            satisfied_after_followup = x.satisfied_after_followup + excluded.satisfied_after_followup,
            returned = x.returned + excluded.returned, extended = x.extended + excluded.extended,
            reopened = x.reopened + excluded.reopened, overdue = x.overdue + excluded.overdue,
            rect_working_days = x.rect_working_days + excluded.rect_working_days
        RETURNING 1
    )
    SELECT count(*) INTO n FROM d;
    RETURN n;
END $$;

-- stats_rebuild recomputes the rollups from the ratings and the tickets' facts,
-- discarding pending deltas: for bulk loads (rectify seed) and repairs. Writers
-- wait meanwhile (their triggers would race the rebuild); readers wait for the
-- commit. One statement per dimension keeps each aggregation's memory bounded;
-- rows go in key order so that a range of days is a range of pages.
CREATE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql SET work_mem = '256MB' AS $$
DECLARE
    upto   date := date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date;
    dim    text;
    key    text;
    source text := $q$
        SELECT (r.rated_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.department_code, r.service_item_code,
               r.channel, r.region_code, r.staff_id, r.aspects,
               (r.level = 'very_satisfied')::int AS very_satisfied, (r.level = 'satisfied')::int AS satisfied,
               (r.level = 'basically_satisfied')::int AS basically_satisfied,
               (r.level = 'dissatisfied')::int AS dissatisfied, (r.level = 'very_dissatisfied')::int AS very_dissatisfied,
               (r.negative AND r.citizen_phone <> '' AND NOT r.citizen_anonymous)::int AS real_name,
               0 AS rectified, 0 AS rectified_on_time, 0 AS followed_up, 0 AS satisfied_after_followup,
               0 AS returned, 0 AS extended, 0 AS reopened, 0 AS overdue, 0 AS rect_working_days
        FROM ratings r WHERE NOT r.excluded
        UNION ALL
        SELECT f.day, f.department_code, f.service_item_code, f.channel, f.region_code, f.staff_id, f.aspects,
               0, 0, 0, 0, 0, 0,
               f.rectified::int, (f.rectified AND NOT f.late)::int, f.followed_up::int, f.satisfied_after_followup::int,
               f.returned::int, f.extended::int, f.reopened::int, f.overdue::int, f.rect_working_days
        FROM stats_tickets f WHERE NOT f.excluded$q$;
BEGIN
    PERFORM pg_advisory_xact_lock(7332205);
    LOCK TABLE ratings, tickets, ticket_events IN SHARE MODE;
    TRUNCATE stats_delta, stats_daily, stats_monthly;
    UPDATE stats_watermark SET through = upto;
    FOREACH dim IN ARRAY ARRAY['department', 'service_item', 'channel', 'region', 'staff', 'aspect'] LOOP
        key := CASE dim WHEN 'department' THEN '''''' WHEN 'service_item' THEN 's.service_item_code'
            WHEN 'channel' THEN 's.channel' WHEN 'region' THEN 's.region_code' WHEN 'staff' THEN 's.staff_id'
            ELSE 'a.aspect' END;
        EXECUTE format($q$
            INSERT INTO stats_daily
            SELECT %L, s.day, s.department_code, %s,
                sum(very_satisfied), sum(satisfied), sum(basically_satisfied), sum(dissatisfied),
                sum(very_dissatisfied), sum(real_name), sum(rectified), sum(rectified_on_time),
                sum(followed_up), sum(satisfied_after_followup), sum(returned), sum(extended),
                sum(reopened), sum(overdue), sum(rect_working_days)
            FROM (%s) s %s
            GROUP BY 2, 3, 4 ORDER BY 2, 3, 4$q$, dim, key, source,
            CASE WHEN dim = 'aspect' THEN 'CROSS JOIN LATERAL (SELECT DISTINCT unnest(s.aspects)) AS a(aspect)' ELSE '' END);
    END LOOP;
    INSERT INTO stats_monthly
    SELECT d.dim, date_trunc('month', d.day)::date, d.department_code, d.key,
        sum(d.very_satisfied), sum(d.satisfied), sum(d.basically_satisfied), sum(d.dissatisfied),
        sum(d.very_dissatisfied), sum(d.real_name), sum(d.rectified), sum(d.rectified_on_time),
        sum(d.followed_up), sum(d.satisfied_after_followup), sum(d.returned), sum(d.extended),
        sum(d.reopened), sum(d.overdue), sum(d.rect_working_days)
    FROM stats_daily d WHERE d.day < upto
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
END $$;

-- The overdue list (GET /api/v1/tickets?overdue=true, newest first, keyset paged on
-- the number) reads its page straight off these, however long the backlog: with
-- tickets_open_overdue (on due_at) it had to fetch and sort every overdue ticket.
CREATE INDEX tickets_open_overdue_number ON tickets (number) WHERE overdue AND status <> 'closed';
CREATE INDEX tickets_open_overdue_department ON tickets (department_code, number) WHERE overdue AND status <> 'closed';

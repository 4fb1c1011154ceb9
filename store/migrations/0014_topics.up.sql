-- Topics (话题): the terms citizens write in rating comments, counted like the other
-- statistics so that GET /api/v1/stats/topics never scans the ratings. The topics
-- package's doc comment says what is counted and how.
--
-- Chinese segmentation runs in Go (gse), so it cannot run in the writer's
-- transaction without putting a dictionary on the request's path. Instead:
--   ratings INSERT -> one statement-level trigger appends the ids of the rows with
--                     a comment to topic_queue (append-only, like stats_delta);
--   topics.Drain   -> (the worker, every second) takes a batch off the queue,
--                     segments the comments once, writes rating_terms and adds to
--                     topic_daily, all in one transaction;
--   ratings.excluded -> a row trigger takes a segmented rating's terms out of
--                     topic_daily (an upheld appeal) or puts them back; a queued
--                     one is counted as it is when drained.
-- Readers add the queued ratings, segmented in memory, so answers are exact to the
-- last committed rating even when the worker lags.

-- What an admin adds to the built-in dictionary: a term the segmenter must keep
-- whole (kind 'term') or a word never to count (kind 'stop'). Applies to comments
-- segmented after the change.
CREATE TABLE topic_words (
    word       text PRIMARY KEY CHECK (char_length(word) BETWEEN 2 AND 20),
    kind       text NOT NULL CHECK (kind IN ('term', 'stop')),
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Ratings with a comment not segmented yet. Drain takes any batch; the index
-- serves the exclusion trigger's look-up.
CREATE TABLE topic_queue (
    rating_id text NOT NULL
);
CREATE INDEX topic_queue_rating ON topic_queue (rating_id);

CREATE FUNCTION topic_ratings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO topic_queue (rating_id) SELECT r.id FROM topic_new_ratings r WHERE r.comment <> '';
    RETURN NULL;
END $$;
CREATE TRIGGER topic_ratings_inserted AFTER INSERT ON ratings
    REFERENCING NEW TABLE AS topic_new_ratings
    FOR EACH STATEMENT EXECUTE FUNCTION topic_ratings_inserted();

-- One row per rating and term it mentions, with the rating's slice copied so that
-- examples and "ratings mentioning X" read one index. term '' is the rating itself
-- (every commented rating has it): the staff and halls praised most, with examples.
-- sentiment: 'positive' (very_satisfied, satisfied), 'neutral'
-- (basically_satisfied), 'negative' (dissatisfied, very_dissatisfied).
CREATE TABLE rating_terms (
    rating_id         text NOT NULL,
    term              text NOT NULL,
    rated_at          timestamptz NOT NULL,
    department_code   text NOT NULL,
    service_item_code text NOT NULL,
    hall_code         text NOT NULL,
    staff_id          text NOT NULL,
    sentiment         text NOT NULL,
    PRIMARY KEY (rating_id, term)
);
-- Newest first per term, the sentiment filtered on the way: a term's latest
-- examples are a few index entries whatever the sentiment asked (with sentiment in
-- the key, "every level" had to fetch and sort all the period's mentions).
CREATE INDEX rating_terms_term ON rating_terms (term, rated_at DESC);
CREATE INDEX rating_terms_department ON rating_terms (department_code, term, rated_at DESC);
CREATE INDEX rating_terms_staff ON rating_terms (staff_id, rated_at DESC) WHERE term = '' AND staff_id <> '';
CREATE INDEX rating_terms_hall ON rating_terms (hall_code, rated_at DESC) WHERE term = '' AND hall_code <> '';

-- Ratings mentioning each term per Asia/Shanghai day, slice and sentiment. dim:
-- 'all' (department_code and key ''), 'department' (key ''), 'service_item',
-- 'hall' (key the code; department_code the rating's), and 'staff' for term ''
-- only. Excluded ratings are not counted.
CREATE TABLE topic_daily (
    dim             text NOT NULL,
    department_code text NOT NULL,
    key             text NOT NULL,
    sentiment       text NOT NULL,
    day             date NOT NULL,
    term            text NOT NULL,
    n               int NOT NULL,
    PRIMARY KEY (dim, department_code, key, sentiment, day, term)
);
CREATE INDEX topic_daily_key ON topic_daily (dim, key, sentiment, day) WHERE dim IN ('service_item', 'hall', 'staff');

-- topic_count adds s (1 or -1) for each of a rating's terms: used by the exclusion
-- trigger; Drain adds the same rows, grouped, from Go.
CREATE FUNCTION topic_count(rid text, s int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO topic_daily AS x (dim, department_code, key, sentiment, day, term, n)
    SELECT v.dim, v.dept, v.key, t.sentiment, (t.rated_at AT TIME ZONE 'Asia/Shanghai')::date, t.term, s
    FROM rating_terms t CROSS JOIN LATERAL (VALUES
        ('all', '', ''), ('department', t.department_code, ''),
        ('service_item', t.department_code, t.service_item_code), ('hall', t.department_code, t.hall_code),
        ('staff', t.department_code, t.staff_id)) AS v(dim, dept, key)
    WHERE t.rating_id = rid
      AND (v.dim NOT IN ('service_item', 'hall', 'staff') OR v.key <> '')
      AND (v.dim <> 'staff' OR t.term = '')
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (dim, department_code, key, sentiment, day, term) DO UPDATE SET n = x.n + excluded.n;
END $$;

-- A rating still queued is counted as it is when drained, so only segmented ones
-- change here. Locking its queue row settles the race with a drain under way:
-- while a drainer holds the row (it has taken the rating), this waits for its
-- commit and then sees the terms it wrote; a row not taken yet is locked here,
-- so a drainer skips it until this commits and then reads the new excluded.
-- (The drainer locks no ratings rows: a row lock would write every tuple again.)
CREATE FUNCTION topic_rating_excluded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM topic_queue q WHERE q.rating_id = NEW.id FOR UPDATE) THEN
        RETURN NULL;
    END IF;
    PERFORM topic_count(NEW.id, CASE WHEN NEW.excluded THEN -1 ELSE 1 END);
    RETURN NULL;
END $$;
CREATE TRIGGER topic_rating_excluded AFTER UPDATE OF excluded ON ratings
    FOR EACH ROW WHEN (OLD.excluded IS DISTINCT FROM NEW.excluded AND NEW.comment <> '')
    EXECUTE FUNCTION topic_rating_excluded();

-- The comments already stored are segmented by the worker like new ones.
INSERT INTO topic_queue (rating_id) SELECT id FROM ratings WHERE comment <> '';

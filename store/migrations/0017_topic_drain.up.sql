-- A cheaper drain (issue 20): segmenting and counting a rating cost the database
-- about half of what storing it did, mostly index entries (rating_terms carries
-- five indexes, topic_daily two). This migration stops writing the rows no read
-- ever asks for.
--
-- The term '' stands for the rating itself. It is read in one place only:
-- MostPraised, the staff and halls with the most positive commented ratings
-- (topic_daily/topic_monthly dims 'staff' and 'hall', sentiment 'positive'; its
-- examples from rating_terms' staff and hall indexes). Every other read asks for
-- term <> ''. So the drainer writes '' only there: into the rollups for dims
-- 'staff' and 'hall' of positive ratings, into rating_terms for positive
-- ratings with a staff member or a hall. The rest goes, and topic_count (the
-- exclusion trigger's counting) follows the same rule.
DELETE FROM topic_daily WHERE term = '' AND NOT (dim IN ('staff', 'hall') AND sentiment = 'positive');
DELETE FROM topic_monthly WHERE term = '' AND NOT (dim IN ('staff', 'hall') AND sentiment = 'positive');
DELETE FROM rating_terms WHERE term = '' AND NOT (sentiment = 'positive' AND (staff_id <> '' OR hall_code <> ''));

-- Room on each page for the counts the drainer adds to today's rows again and
-- again, so such an update stays on its page (a HOT update) and writes no index
-- entry. Applies to pages written from now on.
ALTER TABLE topic_daily SET (fillfactor = 85);

-- The rollup rows a segmented rating counts in, under that rule: what
-- topic_count adds or takes out when an appeal is upheld or withdrawn.
CREATE FUNCTION topic_keys(rid text) RETURNS TABLE (dim text, dept text, key text, sentiment text, day date, term text)
LANGUAGE sql STABLE AS $$
    SELECT v.dim, v.dept, v.key, t.sentiment, (t.rated_at AT TIME ZONE 'Asia/Shanghai')::date, t.term
    FROM rating_terms t CROSS JOIN LATERAL (VALUES
        ('all', '', '', t.term <> ''),
        ('department', t.department_code, '', t.term <> ''),
        ('service_item', t.department_code, t.service_item_code, t.term <> '' AND t.service_item_code <> ''),
        ('hall', t.department_code, t.hall_code, t.hall_code <> '' AND (t.term <> '' OR t.sentiment = 'positive')),
        ('staff', t.department_code, t.staff_id, t.staff_id <> '' AND t.term = '' AND t.sentiment = 'positive')
    ) AS v(dim, dept, key, counted)
    WHERE t.rating_id = rid AND v.counted
$$;

CREATE OR REPLACE FUNCTION topic_count(rid text, s int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    w date;
BEGIN
    SELECT through INTO w FROM topic_watermark FOR SHARE; -- see 0015
    WITH k AS (SELECT * FROM topic_keys(rid) ORDER BY 1, 2, 3, 4, 5, 6),
    d AS (INSERT INTO topic_daily AS x (dim, department_code, key, sentiment, day, term, n)
          SELECT k.*, s FROM k ORDER BY 1, 2, 3, 4, 5, 6
          ON CONFLICT (dim, department_code, key, sentiment, day, term) DO UPDATE SET n = x.n + excluded.n)
    INSERT INTO topic_monthly AS x (dim, department_code, key, sentiment, month, term, n)
    SELECT k.dim, k.dept, k.key, k.sentiment, date_trunc('month', k.day)::date, k.term, s FROM k WHERE k.day < w
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (dim, department_code, key, sentiment, month, term) DO UPDATE SET n = x.n + excluded.n;
END $$;

-- The rollups' second index, (dim, key, sentiment, day) over every service-item,
-- hall and staff row, served one read: a service item's or a hall's topics
-- without a department. It cost the drainer an index entry for two thirds of
-- the rows it writes. The primary key now leads with (dim, key), which serves
-- that read and every other one of Top ('all' and 'department' have key ''), and
-- MostPraised gets a small index of its own over the rows of the empty term.
ALTER TABLE topic_daily DROP CONSTRAINT topic_daily_pkey;
ALTER TABLE topic_daily ADD PRIMARY KEY (dim, key, department_code, sentiment, day, term);
DROP INDEX topic_daily_key;
CREATE INDEX topic_daily_praise ON topic_daily (dim, department_code, day) WHERE term = '';

ALTER TABLE topic_monthly DROP CONSTRAINT topic_monthly_pkey;
ALTER TABLE topic_monthly ADD PRIMARY KEY (dim, key, department_code, sentiment, month, term);
DROP INDEX topic_monthly_key;
CREATE INDEX topic_monthly_praise ON topic_monthly (dim, department_code, month) WHERE term = '';

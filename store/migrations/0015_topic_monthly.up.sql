-- Topics by month: a year's topics read twelve monthly rows per term and slice
-- instead of 365 daily ones (issue 20: a one-year, all-departments read took 1-2.4 s
-- at 1 M ratings summing topic_daily).
--
-- As stats_monthly does for the statistics, topic_monthly holds whole months
-- before topic_watermark.through only: the current month lives in topic_daily
-- alone, so the drainer's steady work (today's ratings) touches one rollup, not
-- two. A month is closed (added up from topic_daily) by topic_close_months, which
-- the drainer calls once the month is over. What still changes a closed month (a
-- late rating drained, an upheld appeal) is added to both rollups, under a share
-- lock on the watermark row that closing takes exclusively, so a change is either
-- in the days a close adds up or added to the month itself, never both or neither.
-- Readers read closed whole months from here and the other days from topic_daily.

CREATE TABLE topic_monthly (
    dim             text NOT NULL,
    department_code text NOT NULL,
    key             text NOT NULL,
    sentiment       text NOT NULL,
    month           date NOT NULL, -- the first day of the month (Asia/Shanghai)
    term            text NOT NULL,
    n               int NOT NULL,
    PRIMARY KEY (dim, department_code, key, sentiment, month, term)
);
CREATE INDEX topic_monthly_key ON topic_monthly (dim, key, sentiment, month) WHERE dim IN ('service_item', 'hall', 'staff');

CREATE TABLE topic_watermark (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    through date NOT NULL -- the first day of the first month not in topic_monthly
);
INSERT INTO topic_watermark (through) VALUES (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date);

INSERT INTO topic_monthly (dim, department_code, key, sentiment, month, term, n)
SELECT dim, department_code, key, sentiment, date_trunc('month', day)::date, term, sum(n)
FROM topic_daily WHERE day < (SELECT through FROM topic_watermark)
GROUP BY 1, 2, 3, 4, 5, 6;

-- topic_close_months adds up every month before the current one not closed yet
-- and moves the watermark; it waits for drains and appeals under way (their share
-- lock) and returns at once when there is nothing to close.
CREATE FUNCTION topic_close_months() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    w   date;
    cur date := date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date;
BEGIN
    SELECT through INTO w FROM topic_watermark FOR UPDATE;
    IF w >= cur THEN
        RETURN;
    END IF;
    INSERT INTO topic_monthly AS x (dim, department_code, key, sentiment, month, term, n)
    SELECT dim, department_code, key, sentiment, date_trunc('month', day)::date, term, sum(n)
    FROM topic_daily WHERE day >= w AND day < cur
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (dim, department_code, key, sentiment, month, term) DO UPDATE SET n = x.n + excluded.n;
    UPDATE topic_watermark SET through = cur;
END $$;

-- The exclusion trigger's counting, now also into a closed month.
CREATE OR REPLACE FUNCTION topic_count(rid text, s int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    w date;
BEGIN
    SELECT through INTO w FROM topic_watermark FOR SHARE;
    WITH r AS (
        SELECT v.dim, v.dept, v.key, t.sentiment, (t.rated_at AT TIME ZONE 'Asia/Shanghai')::date AS day, t.term
        FROM rating_terms t CROSS JOIN LATERAL (VALUES
            ('all', '', ''), ('department', t.department_code, ''),
            ('service_item', t.department_code, t.service_item_code), ('hall', t.department_code, t.hall_code),
            ('staff', t.department_code, t.staff_id)) AS v(dim, dept, key)
        WHERE t.rating_id = rid
          AND (v.dim NOT IN ('service_item', 'hall', 'staff') OR v.key <> '')
          AND (v.dim <> 'staff' OR t.term = '')
    ), daily AS (
        INSERT INTO topic_daily AS x (dim, department_code, key, sentiment, day, term, n)
        SELECT dim, dept, key, sentiment, day, term, s FROM r ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (dim, department_code, key, sentiment, day, term) DO UPDATE SET n = x.n + excluded.n
    )
    INSERT INTO topic_monthly AS x (dim, department_code, key, sentiment, month, term, n)
    SELECT dim, dept, key, sentiment, date_trunc('month', day)::date, term, s FROM r WHERE day < w
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (dim, department_code, key, sentiment, month, term) DO UPDATE SET n = x.n + excluded.n;
END $$;

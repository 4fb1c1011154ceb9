-- Satisfaction call-backs on finished service cases (办件满意度回访): cases reported
-- by service systems, the sampling rules that pick some of them, and the call-back
-- queue the call center works through. Rules are in package campaigns.

-- "A case its citizen already rated is not called" looks ratings up by case
-- (queries repeat the predicate so the planner can use this partial index).
CREATE INDEX ratings_case_no ON ratings (case_no) WHERE case_no <> '';

-- Every version of the rules is kept: a case names the version that decided it.
CREATE TABLE sampling_rules (
    version     int PRIMARY KEY,
    rules       jsonb NOT NULL,
    updated_by  text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cases (
    case_no           text PRIMARY KEY, -- the idempotency key of intake
    body_hash         bytea NOT NULL,   -- to tell a retry from a conflicting reuse
    service_item_code text NOT NULL,
    service_item_name text NOT NULL DEFAULT '',
    department_code   text NOT NULL,    -- not a foreign key, as for ratings
    hall_code         text NOT NULL DEFAULT '',
    channel           text NOT NULL DEFAULT '',
    region_code       text NOT NULL DEFAULT '',
    finished_at       timestamptz NOT NULL,
    applicant_name    text NOT NULL DEFAULT '',
    applicant_phone   text NOT NULL DEFAULT '', -- personal data: call center only, never logged
    received_at       timestamptz NOT NULL DEFAULT now(),
    submitted_by      text NOT NULL DEFAULT '',
    rules_version     int NOT NULL,     -- the rule set that sampled it (0: the defaults)
    sampled           boolean NOT NULL, -- picked by the rules
    status            text NOT NULL CHECK (status IN ('not_sampled','waiting','released','skipped')),
    skip_reason       text NOT NULL DEFAULT '',
    decided_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_waiting ON cases (finished_at, case_no) WHERE status = 'waiting';
CREATE INDEX cases_department_finished ON cases (department_code, finished_at);
CREATE INDEX cases_released_phone ON cases (applicant_phone) WHERE status = 'released';

-- The call-back queue. One row per case at most (case_no is unique), so no re-run
-- of the release can call a case twice.
CREATE TABLE callbacks (
    id            bigserial PRIMARY KEY,
    case_no       text NOT NULL UNIQUE REFERENCES cases(case_no),
    team          text NOT NULL,
    finished_at   timestamptz NOT NULL, -- the case's, to order the queue by age
    released_at   timestamptz NOT NULL,
    release_day   date NOT NULL,        -- in Asia/Shanghai: counts against the team's daily cap
    status        text NOT NULL CHECK (status IN ('queued','reached','dropped','cancelled')), -- cancelled: the citizen rated meanwhile
    attempts      int NOT NULL DEFAULT 0,
    max_attempts  int NOT NULL,
    next_call_at  timestamptz NOT NULL,
    rating_id     text REFERENCES ratings(id), -- the hotline rating a reached call registered
    closed_at     timestamptz
);
CREATE INDEX callbacks_queue ON callbacks (finished_at, id) WHERE status = 'queued';
CREATE INDEX callbacks_team_day ON callbacks (release_day, team);
CREATE INDEX callbacks_released_at ON callbacks (released_at);
CREATE INDEX callbacks_rating ON callbacks (rating_id) WHERE rating_id IS NOT NULL;

-- Each call made, numbered per call-back: a retried log of the same attempt is a no-op.
CREATE TABLE callback_attempts (
    callback_id  bigint NOT NULL REFERENCES callbacks(id),
    attempt      int NOT NULL,
    reached      boolean NOT NULL,
    note         text NOT NULL DEFAULT '',
    called_by    text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (callback_id, attempt)
);

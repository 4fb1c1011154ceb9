-- The call-back queue and call page show a case's applicant phone in full to the
-- call center, before any rating exists: those reveals are audited by case.
ALTER TABLE phone_reveals
    ALTER COLUMN rating_id DROP NOT NULL,
    ADD COLUMN case_no text REFERENCES cases(case_no),
    ADD CONSTRAINT phone_reveals_subject CHECK (rating_id IS NOT NULL OR case_no IS NOT NULL);
CREATE INDEX phone_reveals_case ON phone_reveals (case_no, at) WHERE case_no IS NOT NULL;

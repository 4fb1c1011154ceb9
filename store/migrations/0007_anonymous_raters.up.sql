-- An anonymous rater's name and phone are kept nowhere (README, "Security"): the
-- citizen chose anonymity, the call center does not call anonymous raters, and no
-- rule requires the data. Rows stored before this rule lose them; the CHECK keeps
-- any writer, present or future, from storing them again.
UPDATE ratings SET citizen_name = '', citizen_phone = ''
WHERE citizen_anonymous AND (citizen_name <> '' OR citizen_phone <> '');

ALTER TABLE ratings ADD CONSTRAINT ratings_anonymous_unnamed
    CHECK (NOT citizen_anonymous OR (citizen_name = '' AND citizen_phone = ''));

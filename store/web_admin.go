package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// UserRow is a user as the admin pages list them.
type UserRow struct {
	domain.User
	LockedUntil *time.Time
	Tokens      int // live API tokens
	CreatedAt   time.Time
}

// ListUsersPage pages through users by name, after the name `after`.
func (s *Store) ListUsersPage(ctx context.Context, after string, limit int) (us []UserRow, next string, err error) {
	defer wrap(&err, "store.ListUsersPage")
	rows, err := s.pool.Query(ctx, `
		SELECT u.username, u.role, coalesce(u.department_code, ''), u.display_name, u.disabled_at IS NOT NULL,
		       CASE WHEN u.locked_until > now() THEN u.locked_until END,
		       (SELECT count(*) FROM api_tokens t WHERE t.username = u.username AND t.revoked_at IS NULL
		          AND (t.expires_at IS NULL OR t.expires_at > now())),
		       u.created_at
		FROM users u WHERE u.username > $1 ORDER BY u.username LIMIT $2`, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	us, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (UserRow, error) {
		var u UserRow
		err := row.Scan(&u.Username, &u.Role, &u.DepartmentCode, &u.DisplayName, &u.Disabled, &u.LockedUntil, &u.Tokens, &u.CreatedAt)
		return u, err
	})
	if err != nil {
		return nil, "", err
	}
	if len(us) > limit {
		us = us[:limit]
		next = us[len(us)-1].Username
	}
	return us, next, nil
}

// ListDepartmentsPage pages through departments by code, after the code `after`.
func (s *Store) ListDepartmentsPage(ctx context.Context, after string, limit int) (ds []domain.Department, next string, err error) {
	defer wrap(&err, "store.ListDepartmentsPage")
	rows, err := s.pool.Query(ctx, `SELECT code, name FROM departments WHERE code > $1 ORDER BY code LIMIT $2`, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	ds, err = pgx.CollectRows(rows, pgx.RowToStructByPos[domain.Department])
	if err != nil {
		return nil, "", err
	}
	if len(ds) > limit {
		ds = ds[:limit]
		next = ds[len(ds)-1].Code
	}
	return ds, next, nil
}

// PhoneReveal is one audit row: who saw a citizen's full phone number, and when.
type PhoneReveal struct {
	Username string
	At       time.Time
}

// RecordPhoneReveal writes the audit row before a rating's number is shown, in a
// page or through the API.
func (s *Store) RecordPhoneReveal(ctx context.Context, ratingID, username string) (err error) {
	defer wrap(&err, "store.RecordPhoneReveal")
	_, err = s.pool.Exec(ctx, `INSERT INTO phone_reveals (rating_id, ticket_number, username)
		SELECT $1, (SELECT number FROM tickets WHERE rating_id = $1), $2`, ratingID, username)
	return err
}

// RecordCaseReveals writes one audit row per case before its applicant's number
// is shown in the call-back queue or on a call page.
func (s *Store) RecordCaseReveals(ctx context.Context, caseNos []string, username string) (err error) {
	defer wrap(&err, "store.RecordCaseReveals")
	if len(caseNos) == 0 {
		return nil
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO phone_reveals (case_no, username) SELECT unnest($1::text[]), $2`,
		caseNos, username)
	return err
}

// PhoneReveals lists a ticket's reveals, newest first.
func (s *Store) PhoneReveals(ctx context.Context, ticket string, limit int) (rs []PhoneReveal, err error) {
	defer wrap(&err, "store.PhoneReveals")
	rows, err := s.pool.Query(ctx, `SELECT username, at FROM phone_reveals WHERE ticket_number = $1 ORDER BY at DESC, id DESC LIMIT $2`,
		ticket, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PhoneReveal])
}

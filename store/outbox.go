package store

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// ListNotifications returns a ticket's messages (or the latest ones), newest first.
func (s *Store) ListNotifications(ctx context.Context, ticket string, limit int) (ns []Notification, err error) {
	defer wrap(&err, "store.ListNotifications")
	rows, err := s.pool.Query(ctx, `
		SELECT id, idempotency_key, ticket_number, kind, channel, recipient, body, created_at, attempts, sent_at, last_error
		FROM notifications WHERE ($1 = '' OR ticket_number = $1) ORDER BY id DESC LIMIT $2`, ticket, limit)
	if err != nil {
		return nil, err
	}
	ns, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Notification])
	for i := range ns {
		ns[i].Body = RedactSurveyLinks(ns[i].Body) // a message not yet sent is no more readable than a sent one
	}
	return ns, err
}

// surveyLinkToken is the token part of a survey link, /s/{token}, in a message.
var surveyLinkToken = regexp.MustCompile(`/s/[A-Za-z0-9_-]{43}`)

// RedactedSurveyLink replaces the token of a survey link in every message kept
// after its hand-off to the gateway, and in every listing.
const RedactedSurveyLink = "/s/[已发送]"

// RedactSurveyLinks removes the survey tokens from a message body. The link is
// the citizen's credential: the raw token exists only until the SMS is handed
// to the gateway (issue 15 item 3); the database, its backups and the admins'
// listing keep a body that cannot answer the survey.
func RedactSurveyLinks(body string) string {
	return surveyLinkToken.ReplaceAllLiteralString(body, RedactedSurveyLink)
}

// DeliverDue hands up to limit due messages to send, one transaction each, so a
// message is marked sent only after the gateway accepted it (at least once). Failed
// sends are retried later with backoff; nothing is ever dropped.
func (s *Store) DeliverDue(ctx context.Context, limit int, send func(context.Context, Notification) error) (sent int, err error) {
	defer wrap(&err, "store.DeliverDue")
	for i := 0; i < limit; i++ {
		done := false
		err := s.Transact(ctx, func(tx pgx.Tx) error {
			var n Notification
			err := tx.QueryRow(ctx, `
				SELECT id, idempotency_key, ticket_number, kind, channel, recipient, body, created_at, attempts
				FROM notifications WHERE sent_at IS NULL AND next_attempt_at <= now()
				ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`).Scan(
				&n.ID, &n.IdempotencyKey, &n.TicketNumber, &n.Kind, &n.Channel, &n.Recipient, &n.Body, &n.CreatedAt, &n.Attempts)
			if errors.Is(err, pgx.ErrNoRows) {
				done = true
				return nil
			}
			if err != nil {
				return err
			}
			if serr := send(ctx, n); serr != nil {
				backoff := time.Duration(1<<min(n.Attempts, 10)) * time.Second
				_, err = tx.Exec(ctx, `UPDATE notifications SET attempts = attempts + 1, last_error = $2,
					next_attempt_at = now() + $3::interval WHERE id = $1`, n.ID, serr.Error(), backoff)
				return err
			}
			sent++
			_, err = tx.Exec(ctx, `UPDATE notifications SET attempts = attempts + 1, sent_at = now(), last_error = '',
				body = $2 WHERE id = $1`, n.ID, RedactSurveyLinks(n.Body))
			return err
		})
		if err != nil || done {
			return sent, err
		}
	}
	return sent, nil
}

// SurveyTokenInfo is a stored survey token's state.
type SurveyTokenInfo struct {
	TicketNumber string
	RatingID     string
	Round        int
	ExpiresAt    time.Time
	Used         bool
	Report       string
	Department   string
}

// LookupSurveyToken finds a token by its hash.
func (s *Store) LookupSurveyToken(ctx context.Context, hash []byte) (i SurveyTokenInfo, err error) {
	var used *time.Time
	err = s.pool.QueryRow(ctx, `
		SELECT st.ticket_number, t.rating_id, st.round, st.expires_at, st.used_at, t.report, coalesce(d.name, t.department_code)
		FROM survey_tokens st JOIN tickets t ON t.number = st.ticket_number
		LEFT JOIN departments d ON d.code = t.department_code
		WHERE st.token_hash = $1`, hash).Scan(&i.TicketNumber, &i.RatingID, &i.Round, &i.ExpiresAt, &used, &i.Report, &i.Department)
	if errors.Is(err, pgx.ErrNoRows) {
		return i, domain.ErrNotFound
	}
	i.Used = used != nil
	return i, err
}

package store

import (
	"context"
	"errors"
	"regexp"
	"sync"
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

// Outbox delivery settings (DeliverDue).
const (
	// DeliverParallel is how many sends run at once per dispatcher: deadlines fall
	// at 18:00 on working days, so reminders and escalations come in bursts, and a
	// gateway's latency, not the database, bounds a serial dispatcher.
	DeliverParallel = 32
	// DeliverLease is how long a claimed message is not due for other dispatchers.
	// One send is cut off well within it (sendTimeout), so two dispatchers (two
	// worker processes) never send a message at the same time; a dispatcher that
	// dies leaves its claims to be taken again when the lease ends.
	DeliverLease = 2 * time.Minute
	sendTimeout  = DeliverLease / 4
)

// DeliverDue claims up to limit due messages and hands them to send, at most
// DeliverParallel at a time. A message is marked sent only after the gateway
// accepted it (at least once; gateways dedupe on the idempotency key). Failed
// sends are retried later with backoff; nothing is ever dropped.
//
// No transaction is held during a send: the claim is one short statement
// (FOR UPDATE SKIP LOCKED, so concurrent dispatchers claim disjoint batches) that
// moves next_attempt_at a lease ahead, and each outcome is one more.
func (s *Store) DeliverDue(ctx context.Context, limit int, send func(context.Context, Notification) error) (sent int, err error) {
	defer wrap(&err, "store.DeliverDue")
	rows, err := s.pool.Query(ctx, `
		UPDATE notifications n SET next_attempt_at = now() + $2::interval
		FROM (SELECT id FROM notifications WHERE sent_at IS NULL AND next_attempt_at <= now()
		      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
		WHERE n.id = due.id
		RETURNING n.id, n.idempotency_key, n.ticket_number, n.kind, n.channel, n.recipient, n.body, n.created_at, n.attempts`,
		limit, DeliverLease)
	if err != nil {
		return 0, err
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Notification, error) {
		var n Notification
		err := row.Scan(&n.ID, &n.IdempotencyKey, &n.TicketNumber, &n.Kind, &n.Channel, &n.Recipient, &n.Body, &n.CreatedAt, &n.Attempts)
		return n, err
	})
	if err != nil {
		return 0, err
	}
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		slots = make(chan struct{}, DeliverParallel)
	)
	for _, n := range batch {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			ok, err := s.deliverOne(ctx, n, send)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				sent++
			}
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	return sent, first
}

// deliverOne sends one claimed message and records the outcome. The outcome is
// written even if ctx ended meanwhile: a send that happened must be marked.
func (s *Store) deliverOne(ctx context.Context, n Notification, send func(context.Context, Notification) error) (bool, error) {
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	serr := send(sctx, n)
	cancel()
	wctx := context.WithoutCancel(ctx)
	var wait *Deferred
	if errors.As(serr, &wait) {
		// Not a failure: the message waits its turn (a robot's rate limit).
		_, err := s.pool.Exec(wctx, `UPDATE notifications SET last_error = $2, next_attempt_at = $3
			WHERE id = $1 AND sent_at IS NULL`, n.ID, wait.Error(), wait.Until)
		return false, err
	}
	var skip *Skipped
	if errors.As(serr, &skip) {
		_, err := s.pool.Exec(wctx, `UPDATE notifications SET attempts = attempts + 1, sent_at = now(), last_error = $2
			WHERE id = $1 AND sent_at IS NULL`, n.ID, skip.Error())
		return false, err
	}
	if serr != nil {
		backoff := time.Duration(1<<min(n.Attempts, 10)) * time.Second
		_, err := s.pool.Exec(wctx, `UPDATE notifications SET attempts = attempts + 1, last_error = $2,
			next_attempt_at = now() + $3::interval WHERE id = $1 AND sent_at IS NULL`, n.ID, serr.Error(), backoff)
		return false, err
	}
	_, err := s.pool.Exec(wctx, `UPDATE notifications SET attempts = attempts + 1, sent_at = now(), last_error = '',
		body = $2 WHERE id = $1 AND sent_at IS NULL`, n.ID, RedactSurveyLinks(n.Body))
	return err == nil, err
}

// SurveyTokenInfo is a stored survey token's state.
type SurveyTokenInfo struct {
	TicketNumber string
	RatingID     string
	Round        int
	ExpiresAt    time.Time
	Used         bool
	Over         bool // the ticket has left this round's follow-up (a call answered it, a new round began)
	Report       string
	Department   string
}

// LookupSurveyToken finds a token by its hash.
func (s *Store) LookupSurveyToken(ctx context.Context, hash []byte) (i SurveyTokenInfo, err error) {
	var used *time.Time
	err = s.pool.QueryRow(ctx, `
		SELECT st.ticket_number, t.rating_id, st.round, st.expires_at, st.used_at,
		       st.round <> t.round OR t.status <> 'following_up', t.report, coalesce(d.name, t.department_code)
		FROM survey_tokens st JOIN tickets t ON t.number = st.ticket_number
		LEFT JOIN departments d ON d.code = t.department_code
		WHERE st.token_hash = $1`, hash).Scan(&i.TicketNumber, &i.RatingID, &i.Round, &i.ExpiresAt, &used, &i.Over, &i.Report, &i.Department)
	if errors.Is(err, pgx.ErrNoRows) {
		return i, domain.ErrNotFound
	}
	i.Used = used != nil
	return i, err
}

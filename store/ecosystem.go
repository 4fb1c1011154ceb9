package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// OpsCounts are the gauges operators watch, read in one round trip.
type OpsCounts struct {
	TicketsByStatus map[domain.Status]int
	OverdueOpen     int           // open tickets past their deadline (escalated)
	OutboxBacklog   int           // messages not yet accepted by their gateway
	OutboxFailing   int           // of those, messages whose last attempt failed
	OutboxOldest    time.Duration // age of the oldest unsent message
}

// OpsCounts counts tickets by status, overdue open tickets and the outbox backlog.
// The overdue and backlog counts read partial indexes; the status count reads the
// (status, created_at) index, which is why the caller caches it.
func (s *Store) OpsCounts(ctx context.Context) (oc OpsCounts, err error) {
	defer wrap(&err, "store.OpsCounts")
	oc.TicketsByStatus = map[domain.Status]int{}
	for _, st := range domain.Statuses {
		oc.TicketsByStatus[st] = 0
	}
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM tickets GROUP BY status`)
	if err != nil {
		return oc, err
	}
	for rows.Next() {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return oc, err
		}
		oc.TicketsByStatus[domain.Status(st)] = n
	}
	if err := rows.Err(); err != nil {
		return oc, err
	}
	var oldest float64
	err = s.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM tickets WHERE overdue AND status <> 'closed'),
		       count(*), count(*) FILTER (WHERE attempts > 0),
		       coalesce(extract(epoch FROM now() - min(created_at)), 0)
		FROM notifications WHERE sent_at IS NULL`).Scan(&oc.OverdueOpen, &oc.OutboxBacklog, &oc.OutboxFailing, &oldest)
	oc.OutboxOldest = time.Duration(oldest * float64(time.Second))
	return oc, err
}

// Receipt is an SMS gateway's report on one message.
type Receipt struct {
	IdempotencyKey   string    // the key rectify sent the message with
	Status           string    // delivered | failed | expired | rejected
	Detail           string    // the gateway's code or reason
	At               time.Time // when it happened, by the gateway's clock
	GatewayMessageID string
}

// RecordReceipt stores a delivery receipt on its message. A receipt older than the
// one stored is ignored (gateways retry and reorder); an unknown key is
// domain.ErrNotFound.
func (s *Store) RecordReceipt(ctx context.Context, r Receipt) (err error) {
	defer wrap(&err, "store.RecordReceipt")
	tag, err := s.pool.Exec(ctx, `
		UPDATE notifications SET delivery_status = $2, delivery_detail = $3, delivery_at = $4,
			gateway_message_id = CASE WHEN $5 = '' THEN gateway_message_id ELSE $5 END
		WHERE idempotency_key = $1 AND channel = 'sms' AND (delivery_at IS NULL OR delivery_at <= $4)`,
		r.IdempotencyKey, r.Status, r.Detail, r.At, r.GatewayMessageID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notifications WHERE idempotency_key = $1 AND channel = 'sms')`,
		r.IdempotencyKey).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return domain.ErrNotFound
	}
	return nil // a newer receipt is already stored
}

// Delivery is a message's delivery state as far as rectify knows it.
type Delivery struct {
	SentAt *time.Time // accepted by the gateway
	Status string     // from the last receipt; "" before any
	Detail string
	At     *time.Time
}

// DeliveryOf returns the delivery state of the message with the key.
func (s *Store) DeliveryOf(ctx context.Context, key string) (d Delivery, err error) {
	defer wrap(&err, "store.DeliveryOf")
	err = s.pool.QueryRow(ctx, `SELECT sent_at, delivery_status, delivery_detail, delivery_at
		FROM notifications WHERE idempotency_key = $1`, key).Scan(&d.SentAt, &d.Status, &d.Detail, &d.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, domain.ErrNotFound
	}
	return d, err
}

// WebhookSeen reports whether an event from source was already acted on.
func (s *Store) WebhookSeen(ctx context.Context, source, eventID string) (seen bool, err error) {
	defer wrap(&err, "store.WebhookSeen")
	err = s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_events WHERE source = $1 AND event_id = $2)`,
		source, eventID).Scan(&seen)
	return seen, err
}

// RecordWebhook remembers an event that was acted on.
func (s *Store) RecordWebhook(ctx context.Context, source, eventID, ticket, typ string) (err error) {
	defer wrap(&err, "store.RecordWebhook")
	_, err = s.pool.Exec(ctx, `INSERT INTO webhook_events (source, event_id, ticket_number, type)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, source, eventID, ticket, typ)
	return err
}

// PlatformOrder is a ticket as the external 12345 platform receives it: the
// rating's content without the citizen's phone (rectify runs the follow-up).
type PlatformOrder struct {
	Number         string     `json:"ticket_number"`
	RatingID       string     `json:"rating_id"`
	Round          int        `json:"round"`
	DepartmentCode string     `json:"department_code"`
	DepartmentName string     `json:"department_name,omitempty"`
	DueAt          *time.Time `json:"due_at"`
	Level          string     `json:"level"`
	Channel        string     `json:"channel"`
	RatedAt        time.Time  `json:"rated_at"`
	domain.Service
	Aspects     []string `json:"aspects"`
	Comment     string   `json:"comment,omitempty"`
	CitizenName string   `json:"citizen_name,omitempty"` // empty for anonymous raters
	Anonymous   bool     `json:"anonymous"`
}

// PlatformOrderOf reads the rating behind a ticket for pushing; round, department
// and deadline come from the workflow, which knows them as of the dispatch.
func (s *Store) PlatformOrderOf(ctx context.Context, number string) (o PlatformOrder, err error) {
	defer wrap(&err, "store.PlatformOrderOf")
	err = s.pool.QueryRow(ctx, `
		SELECT t.number, r.id, r.level, r.channel, r.rated_at, r.service_item_code, r.staff_id, r.hall_code,
		       r.case_no, r.region_code, r.aspects, r.comment,
		       CASE WHEN r.citizen_anonymous THEN '' ELSE r.citizen_name END, r.citizen_anonymous
		FROM tickets t JOIN ratings r ON r.id = t.rating_id WHERE t.number = $1`, number).Scan(
		&o.Number, &o.RatingID, &o.Level, &o.Channel, &o.RatedAt, &o.ServiceItemCode, &o.StaffID, &o.HallCode,
		&o.CaseNo, &o.RegionCode, &o.Aspects, &o.Comment, &o.CitizenName, &o.Anonymous)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, domain.ErrNotFound
	}
	return o, err
}

// DepartmentName is a department's name, "" when it is not registered.
func (s *Store) DepartmentName(ctx context.Context, code string) (name string, err error) {
	err = s.pool.QueryRow(ctx, `SELECT name FROM departments WHERE code = $1`, code).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// PendingMigrations lists the embedded migrations the database has not applied,
// for `rectify doctor`.
func (s *Store) PendingMigrations(ctx context.Context) (pending []string, err error) {
	defer wrap(&err, "store.PendingMigrations")
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	v, err := schemaVersion(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.version > v {
			pending = append(pending, m.name)
		}
	}
	return pending, nil
}

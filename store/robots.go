package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// Robot is a department's group robot: where its messages go and the secret that
// signs them. WebhookURL and Secret are credentials: only the robot sender reads
// them; the API and pages show Masked.
type Robot struct {
	DepartmentCode string
	Kind           string // wecom | dingtalk
	WebhookURL     string
	Secret         string // dingtalk: the 加签 secret; wecom: none
	UpdatedBy      string
	UpdatedAt      time.Time
}

// RobotKinds are the group robots rectify can post to.
var RobotKinds = []string{"wecom", "dingtalk"}

// SetRobot creates or replaces a department's robot. An empty Secret keeps the
// stored one while the kind stays the same (the pages never show it, so an admin
// who changes only the address need not type it again).
// An unknown department is domain.ErrNotFound.
func (s *Store) SetRobot(ctx context.Context, r Robot) (err error) {
	defer wrap(&err, "store.SetRobot")
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO department_robots (department_code, kind, webhook_url, secret, updated_by, updated_at)
		SELECT code, $2, $3, $4, $5, now() FROM departments WHERE code = $1
		ON CONFLICT (department_code) DO UPDATE SET kind = excluded.kind, webhook_url = excluded.webhook_url,
			secret = CASE WHEN excluded.secret = '' AND excluded.kind = department_robots.kind
			                 THEN department_robots.secret ELSE excluded.secret END,
			updated_by = excluded.updated_by, updated_at = now()`,
		r.DepartmentCode, r.Kind, r.WebhookURL, r.Secret, r.UpdatedBy)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return domain.E(domain.KindNotFound, "not_found", "department %s not found", r.DepartmentCode)
	}
	return nil
}

// DeleteRobot removes a department's robot; there being none is domain.ErrNotFound.
// Messages already in the outbox for it are then not sent (RobotSender).
func (s *Store) DeleteRobot(ctx context.Context, department string) (err error) {
	defer wrap(&err, "store.DeleteRobot")
	tag, err := s.pool.Exec(ctx, `DELETE FROM department_robots WHERE department_code = $1`, department)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// GetRobot returns a department's robot with its credentials, for the sender
// and for masking; none is domain.ErrNotFound.
func (s *Store) GetRobot(ctx context.Context, department string) (r Robot, err error) {
	defer wrap(&err, "store.GetRobot")
	err = s.pool.QueryRow(ctx, `SELECT department_code, kind, webhook_url, secret, updated_by, updated_at
		FROM department_robots WHERE department_code = $1`, department).
		Scan(&r.DepartmentCode, &r.Kind, &r.WebhookURL, &r.Secret, &r.UpdatedBy, &r.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.ErrNotFound
	}
	return r, err
}

// ListRobots returns every department's robot, by department code. Callers mask
// the credentials before showing anything.
func (s *Store) ListRobots(ctx context.Context) (rs []Robot, err error) {
	defer wrap(&err, "store.ListRobots")
	rows, err := s.pool.Query(ctx, `SELECT department_code, kind, webhook_url, secret, updated_by, updated_at
		FROM department_robots ORDER BY department_code`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Robot])
}

// ReserveRobotSend takes one send from a robot's rate limit: at most perWindow
// sends in any window (the platforms allow about 20 a minute per robot). The
// window slides over the robot's last sends, kept in the database, so every
// dispatcher of every process shares it. Without a free slot it returns false
// and when the next one frees up: the message waits, it is not dropped.
func (s *Store) ReserveRobotSend(ctx context.Context, department string, perWindow int, window time.Duration) (ok bool, retryAt time.Time, err error) {
	defer wrap(&err, "store.ReserveRobotSend")
	if perWindow < 1 {
		return false, time.Time{}, fmt.Errorf("perWindow %d", perWindow)
	}
	// recent_sends[k] is the send perWindow sends back once this one is added:
	// it must have left the window.
	err = s.pool.QueryRow(ctx, `
		WITH r AS (SELECT recent_sends AS s, cardinality(recent_sends) AS n FROM department_robots
		           WHERE department_code = $1 FOR UPDATE),
		     upd AS (UPDATE department_robots d SET recent_sends = (r.s || clock_timestamp())[greatest(r.n + 2 - $2, 1):]
		             FROM r WHERE d.department_code = $1 AND (r.n < $2 OR r.s[r.n + 1 - $2] <= clock_timestamp() - $3::interval)
		             RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM upd), coalesce((SELECT r.s[r.n + 1 - $2] + $3::interval FROM r WHERE r.n >= $2), now())`,
		department, perWindow, window).Scan(&ok, &retryAt)
	return ok, retryAt, err
}

// Deferred is a send that must wait, not fail: DeliverDue puts the message back
// until Until without counting an attempt (a robot's rate limit).
type Deferred struct {
	Until  time.Time
	Reason string
}

func (d *Deferred) Error() string { return "deferred: " + d.Reason }

// Skipped is a message that is not to be sent any more (its robot was removed):
// DeliverDue marks it done with the reason, so it is neither retried nor lost
// from the operators' listing.
type Skipped struct{ Reason string }

func (s *Skipped) Error() string { return "not sent: " + s.Reason }

// RobotHealth is what `rectify doctor` reports about group robots.
type RobotHealth struct {
	Robots    int    // departments with a robot
	Failing   int    // robot messages not yet sent after at least one failed attempt
	LastError string // the newest of their errors (never the webhook address)
}

// CheckRobots reads RobotHealth.
func (s *Store) CheckRobots(ctx context.Context) (h RobotHealth, err error) {
	defer wrap(&err, "store.CheckRobots")
	err = s.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM department_robots),
		       count(*), coalesce((array_agg(last_error ORDER BY id DESC))[1], '')
		FROM notifications WHERE channel = 'robot' AND sent_at IS NULL AND attempts > 0`).
		Scan(&h.Robots, &h.Failing, &h.LastError)
	return h, err
}

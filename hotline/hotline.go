// Package hotline connects rectify to a province's 12345 hotline work-order
// platform (ticketing.mode external). rectify pushes each dispatched ticket to the
// platform's REST endpoint; the platform reports what the department did (sign,
// return, extension, resolution) back through a signed webhook, which the API turns
// into the same ticket actions the built-in workbench sends. The wire format, for
// the platform's engineers, is docs/12345-integration.md.
package hotline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"rectify/hmacsig"
	"rectify/store"
	"rectify/telemetry"
)

// Client pushes work orders to the platform.
type Client struct {
	URL     string // the platform's work-order endpoint (ticketing.external_url)
	Secret  string // ticketing.webhook_secret: signs pushes and verifies webhooks
	HTTP    *http.Client
	Metrics *telemetry.Metrics // nil: not counted
	Now     func() time.Time   // nil: time.Now
}

// New returns a client with timeout per attempt.
func New(url, secret string, timeout time.Duration, m *telemetry.Metrics) *Client {
	return &Client{URL: url, Secret: secret, HTTP: &http.Client{Timeout: timeout}, Metrics: m}
}

// ErrRefused is a push the platform answered with a 4xx that no retry can fix
// (bad request, bad signature, unknown department): an operator must look.
var ErrRefused = errors.New("the 12345 platform refused the work order")

// WorkOrder is the body of a push.
type WorkOrder struct {
	Event string `json:"event"` // "dispatched": a new work order, or a new round of one
	store.PlatformOrder
}

// Push sends one work order. key is its idempotency key (the ticket number and the
// dispatch event's sequence number): the platform must treat a repeated key as the
// same order, since a push whose answer was lost is sent again.
func (c *Client) Push(ctx context.Context, key string, o store.PlatformOrder) (err error) {
	defer func() { c.count(err) }()
	body, err := json.Marshal(WorkOrder{Event: "dispatched", PlatformOrder: o})
	if err != nil {
		return err
	}
	status, err := hmacsig.Post(ctx, c.HTTP, c.URL, c.Secret, key, body, c.Now)
	if err != nil {
		return fmt.Errorf("push %s: %w", key, err)
	}
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return fmt.Errorf("push %s: platform answered %d", key, status)
	}
	return fmt.Errorf("push %s: platform answered %d: %w", key, status, ErrRefused)
}

func (c *Client) count(err error) {
	if c.Metrics == nil {
		return
	}
	result := "ok"
	switch {
	case errors.Is(err, ErrRefused):
		result = "refused"
	case err != nil:
		result = "retry"
	}
	c.Metrics.PlatformPushes.WithLabelValues(result).Inc()
}

// Event is one webhook call from the platform: what a department did on the
// platform's side, to be applied to the ticket in rectify.
type Event struct {
	EventID        string     `json:"event_id"`      // unique per event: a retried event is applied once
	TicketNumber   string     `json:"ticket_number"` // rectify's number, as pushed
	Type           string     `json:"type"`          // sign | return | extension | resolve
	DepartmentCode string     `json:"department_code,omitempty"`
	Operator       string     `json:"operator,omitempty"`     // who did it on the platform, for the audit trail
	Reason         string     `json:"reason,omitempty"`       // return, extension
	WorkingDays    int        `json:"working_days,omitempty"` // extension
	Report         string     `json:"report,omitempty"`       // resolve
	OccurredAt     *time.Time `json:"occurred_at,omitempty"`
}

// Event types, and the ticket action each one becomes.
var EventActions = map[string]string{
	"sign":      "sign",
	"return":    "return",
	"extension": "request_extension",
	"resolve":   "resolve",
}

package notify

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

// HTTPSender hands SMS messages to an HTTP gateway (sms.mode http). The text is
// rendered by Renderer (one template per notification kind); the gateway gets
// the kind as "template" too, for providers that must match registered templates.
// Receipts come back to POST /api/v1/webhooks/sms-receipts naming the message by
// its id. Failures are retried by the outbox with backoff (store.DeliverDue).
type HTTPSender struct {
	URL    string // sms.url
	Secret string // sms.secret: signs each request (X-Rectify-Signature)
	HTTP   *http.Client
	Now    func() time.Time // nil: time.Now
}

// SMS is the body posted to the gateway.
type SMS struct {
	ID           string `json:"id"` // the idempotency key, also sent as Idempotency-Key; receipts name it
	To           string `json:"to"`
	Template     string `json:"template"` // survey | extension | …: the notification kind
	Text         string `json:"text"`
	TicketNumber string `json:"ticket_number,omitempty"`
}

// NewHTTPSender returns a sender with timeout per attempt.
func NewHTTPSender(url, secret string, timeout time.Duration) *HTTPSender {
	return &HTTPSender{URL: url, Secret: secret, HTTP: &http.Client{Timeout: timeout}}
}

// Send posts one message. A 2xx or 409 (the gateway already has this id) counts as
// accepted. Errors never carry the phone number or the gateway's answer, which may
// echo it: they are stored in the outbox and shown to operators.
func (s *HTTPSender) Send(ctx context.Context, n store.Notification) error {
	body, err := json.Marshal(SMS{ID: n.IdempotencyKey, To: n.Recipient, Template: n.Kind, Text: n.Body, TicketNumber: n.TicketNumber})
	if err != nil {
		return err
	}
	status, err := hmacsig.Post(ctx, s.HTTP, s.URL, s.Secret, n.IdempotencyKey, body, s.Now)
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	if status/100 == 2 || status == http.StatusConflict {
		return nil
	}
	return fmt.Errorf("sms gateway answered %d", status)
}

// Router sends SMS messages through SMS, group-robot copies through Robot, and
// every other channel (department and supervisor notices, read in the
// workbench's notice centre) through Other, counting results.
type Router struct {
	SMS     Sender
	Robot   Sender // channel "robot": group robots; nil: Other
	Other   Sender
	Metrics *telemetry.Metrics // nil: not counted
}

func (r Router) Send(ctx context.Context, n store.Notification) error {
	s := r.Other
	if n.Channel == "sms" {
		s = r.SMS
	} else if n.Channel == "robot" && r.Robot != nil {
		s = r.Robot
	}
	err := s.Send(ctx, n)
	var (
		wait *store.Deferred
		skip *store.Skipped
	)
	if r.Metrics != nil && !errors.As(err, &wait) { // a deferred send is neither sent nor failed
		result := "sent"
		if errors.As(err, &skip) {
			result = "skipped" // its robot was removed
		} else if err != nil {
			result = "failed"
		}
		r.Metrics.Notifications.WithLabelValues(n.Channel, result).Inc()
	}
	return err
}

var (
	_ Sender = (*HTTPSender)(nil)
	_ Sender = Router{}
)

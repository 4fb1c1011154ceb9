package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/hmacsig"
	"rectify/hotline"
	"rectify/store"
	"rectify/workflows"
)

// Webhooks carry no bearer token: the systems calling them sign each body with a
// shared secret (hmacsig). A webhook whose secret is not configured does
// not exist (404), so a builtin deployment exposes nothing.

// verified reads the body and checks its signature.
func (s *Server) verified(c echo.Context, source, secret string) ([]byte, error) {
	if secret == "" {
		return nil, domain.ErrNotFound
	}
	b, err := readBody(c)
	if err != nil {
		return nil, err
	}
	// The signature window is wall-clock time, whatever clock the API runs on.
	if err := hmacsig.Verify(secret, c.Request().Header, b, time.Now()); err != nil {
		s.webhookResult(source, "bad_signature")
		return nil, domain.E(domain.KindUnauthorized, "bad_signature", "webhook signature: %v", err)
	}
	return b, nil
}

func (s *Server) webhookResult(source, result string) {
	if m := s.Ecosystem.Metrics; m != nil {
		m.Webhooks.WithLabelValues(source, result).Inc()
	}
}

// platformWebhook applies an event of the external 12345 platform to its ticket as
// the action the built-in workbench would send, by the ticket's department.
func (s *Server) platformWebhook(c echo.Context) (err error) {
	const source = "12345"
	ctx := c.Request().Context()
	b, err := s.verified(c, source, s.Ecosystem.PlatformSecret)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			s.webhookResult(source, "error_"+fmt.Sprint(domain.KindOf(err).HTTPStatus()))
		}
	}()
	var ev hotline.Event
	if err := unmarshalStrict(b, &ev); err != nil {
		return err
	}
	action, q, err := platformAction(ev)
	if err != nil {
		return err
	}
	ref, err := s.Store.GetTicketRef(ctx, ev.TicketNumber)
	if err != nil {
		return err
	}
	if seen, err := s.Store.WebhookSeen(ctx, source, ev.EventID); err != nil {
		return err
	} else if seen {
		s.webhookResult(source, "duplicate")
		return c.JSON(http.StatusOK, map[string]any{"status": "duplicate", "ticket_number": ref.Number})
	}
	if ev.DepartmentCode != "" && ev.DepartmentCode != ref.DepartmentCode {
		return domain.E(domain.KindConflict, "department_mismatch",
			"the ticket is with department %q, not %q", ref.DepartmentCode, ev.DepartmentCode)
	}
	q.Actor.DepartmentCode = ref.DepartmentCode
	start := time.Now()
	err = s.Engine.Act(ctx, ref, action, q)
	s.Ecosystem.Metrics.ObserveAction(action, "webhook", statusOrOK(err), time.Since(start))
	if err != nil {
		s.Log.WarnContext(ctx, "12345 webhook event not applied", "event_id", ev.EventID, "ticket", ref.Number,
			"workflow_id", workflows.WorkflowID(ref.RatingID), "type", ev.Type, "err", err)
		return err
	}
	if err := s.Store.RecordWebhook(ctx, source, ev.EventID, ref.Number, ev.Type); err != nil {
		// Applied but not remembered: a retry of this event would be refused by the
		// ticket's state (409) rather than applied twice.
		s.Log.WarnContext(ctx, "12345 webhook event applied but not recorded", "event_id", ev.EventID, "err", err)
	}
	s.webhookResult(source, "applied")
	out := map[string]any{"status": "applied", "ticket_number": ref.Number}
	if t, err := s.Store.GetTicket(ctx, ref.Number); err == nil {
		out["ticket_status"] = t.Status
	}
	return c.JSON(http.StatusOK, out)
}

func statusOrOK(err error) int {
	if err == nil {
		return http.StatusOK
	}
	return domain.KindOf(err).HTTPStatus()
}

// platformAction checks an event and turns it into its ticket action. The actor is
// the department user of the platform; the workflow checks the state rules.
func platformAction(ev hotline.Event) (string, workflows.ActionRequest, error) {
	var fs []domain.FieldError
	bad := func(field, msg string) { fs = append(fs, domain.FieldError{Field: field, Message: msg}) }
	text := func(field, v string, max int, required bool) {
		switch {
		case strings.TrimSpace(v) == "" && required:
			bad(field, "required")
		case len([]rune(v)) > max:
			bad(field, fmt.Sprintf("at most %d characters", max))
		}
	}
	text("event_id", ev.EventID, 128, true)
	text("ticket_number", ev.TicketNumber, 64, true)
	text("operator", ev.Operator, 64, false)
	if strings.IndexFunc(ev.Operator+ev.EventID, unicode.IsControl) >= 0 {
		bad("operator", "must not contain control characters")
	}
	action, known := hotline.EventActions[ev.Type]
	if !known {
		bad("type", "must be one of sign, return, extension, resolve")
	}
	actor := "12345"
	if ev.Operator != "" {
		actor = "12345:" + ev.Operator
	}
	q := workflows.ActionRequest{Actor: domain.Actor{Username: actor, Role: domain.RoleDepartment}}
	switch ev.Type {
	case "sign":
	case "return":
		text("reason", ev.Reason, maxComment, true)
		q.Note = ev.Reason
	case "extension":
		text("reason", ev.Reason, maxComment, true)
		if ev.WorkingDays < 1 {
			bad("working_days", "required, at least 1")
		}
		q.Note, q.WorkingDays = ev.Reason, ev.WorkingDays
	case "resolve":
		text("report", ev.Report, maxComment, true)
		q.Note = ev.Report
	}
	if fs != nil {
		return "", q, domain.Invalid("invalid_event", fs)
	}
	return action, q, nil
}

// receiptsIn is the SMS gateway's receipts body.
type receiptsIn struct {
	Receipts []struct {
		ID        string     `json:"id"`
		Status    string     `json:"status"`
		Detail    string     `json:"detail"`
		At        *time.Time `json:"at"`
		MessageID string     `json:"message_id"`
	} `json:"receipts"`
}

var receiptStatuses = map[string]bool{"delivered": true, "failed": true, "expired": true, "rejected": true}

// smsReceipts records delivery receipts on their messages. An unknown id is
// reported back, not refused: the gateway should not retry it.
func (s *Server) smsReceipts(c echo.Context) error {
	const source = "sms"
	ctx := c.Request().Context()
	b, err := s.verified(c, source, s.Ecosystem.SMSSecret)
	if err != nil {
		return err
	}
	var in receiptsIn
	if err := unmarshalStrict(b, &in); err != nil {
		return err
	}
	var fs []domain.FieldError
	if in.Receipts == nil {
		fs = append(fs, domain.FieldError{Field: "receipts", Message: "required"})
	}
	if len(in.Receipts) > maxBatch {
		fs = append(fs, domain.FieldError{Field: "receipts", Message: fmt.Sprintf("at most %d", maxBatch)})
	}
	for i, r := range in.Receipts {
		if r.ID == "" {
			fs = append(fs, domain.FieldError{Field: fmt.Sprintf("receipts[%d].id", i), Message: "required"})
		}
		if !receiptStatuses[r.Status] {
			fs = append(fs, domain.FieldError{Field: fmt.Sprintf("receipts[%d].status", i), Message: "must be one of delivered, failed, expired, rejected"})
		}
		if len([]rune(r.Detail)) > 500 || len(r.MessageID) > 128 {
			fs = append(fs, domain.FieldError{Field: fmt.Sprintf("receipts[%d]", i), Message: "detail at most 500 characters, message_id at most 128"})
		}
	}
	if fs != nil {
		s.webhookResult(source, "invalid")
		return domain.Invalid("invalid_receipts", fs)
	}
	recorded, unknown := 0, []string{}
	for _, r := range in.Receipts {
		at := time.Now()
		if r.At != nil {
			at = *r.At
		}
		err := s.Store.RecordReceipt(ctx, store.Receipt{IdempotencyKey: r.ID, Status: r.Status, Detail: r.Detail, At: at,
			GatewayMessageID: r.MessageID})
		switch {
		case errors.Is(err, domain.ErrNotFound):
			unknown = append(unknown, r.ID)
		case err != nil:
			s.webhookResult(source, "error")
			return err
		default:
			recorded++
		}
	}
	s.webhookResult(source, "recorded")
	return c.JSON(http.StatusOK, map[string]any{"recorded": recorded, "unknown": unknown})
}

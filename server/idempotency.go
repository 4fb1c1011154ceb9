package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
	"rectify/workflows"
)

// IdempotencyHeader makes a ticket action safe to retry (API.md, Additions).
const IdempotencyHeader = "Idempotency-Key"

// idempotencyKey reads the header: absent is "", present it must be 1–128
// visible ASCII characters, so it can be logged and stored as is.
func idempotencyKey(c echo.Context) (string, error) {
	k := c.Request().Header.Get(IdempotencyHeader)
	if k == "" {
		return "", nil
	}
	bad := len(k) > 128
	for i := 0; i < len(k) && !bad; i++ {
		bad = k[i] < 0x21 || k[i] > 0x7e
	}
	if bad {
		return "", &domain.Error{Kind: domain.KindBadRequest, Code: "bad_idempotency_key",
			Message: "Idempotency-Key: must be 1 to 128 visible ASCII characters",
			Fields:  []domain.FieldError{{Field: IdempotencyHeader, Message: "must be 1 to 128 visible ASCII characters"}}}
	}
	return k, nil
}

// actionFingerprint identifies the request a key was first used for: the same
// ticket, action and body (decoded, so spacing and field order do not matter).
func actionFingerprint(number, action string, in actionIn) []byte {
	b, _ := json.Marshal(in) // a struct of pointers to plain values: cannot fail
	h := sha256.New()
	h.Write([]byte(number + "\x00" + action + "\x00"))
	h.Write(b)
	return h.Sum(nil)
}

// updateIDOf maps a caller's key to the workflow Update ID, so Temporal too
// applies the action once even when the first request's answer was lost.
func updateIDOf(username, key string) string {
	sum := sha256.Sum256([]byte(username + "\x00" + key))
	return "idem-" + hex.EncodeToString(sum[:16])
}

// actOnce performs an action under an Idempotency-Key: a repeat gets the first
// answer; a repeat whose first request has no answer yet (in flight, or its
// process died) sends the same Update ID, which Temporal deduplicates.
func (s *Server) actOnce(c echo.Context, ref store.TicketRef, action, key string, in actionIn, q workflows.ActionRequest) error {
	ctx := c.Request().Context()
	u := userOf(c)
	ans, err := s.Store.ClaimIdempotencyKey(ctx, store.IdempotentRequest{Username: u.Username, Key: key,
		TicketNumber: ref.Number, Action: action, Fingerprint: actionFingerprint(ref.Number, action, in)})
	if err != nil {
		return err
	}
	if ans.Status != 0 {
		c.Response().Header().Set("Idempotent-Replayed", "true")
		return c.JSONBlob(ans.Status, ans.Body)
	}
	// The answer is stored even if the caller has gone: that is when it matters.
	save := func(status int, body []byte) {
		if err := s.Store.SaveIdempotentAnswer(context.WithoutCancel(ctx), u.Username, key,
			store.IdempotentAnswer{Status: status, Body: body}); err != nil {
			s.Log.Warn("idempotency answer not stored", "ticket", ref.Number, "err", err)
		}
	}
	if err := s.Engine.ActOnce(ctx, ref, action, updateIDOf(u.Username, key), q); err != nil {
		// A refusal is an answer; an outage is not (the retry should try again).
		if de, ok := domain.AsError(err); ok && de.Kind != domain.KindUnavailable && de.Kind != domain.KindInternal {
			var body errorBody
			body.Error.Code, body.Error.Message, body.Error.Fields = de.Code, de.Message, de.Fields
			b, _ := json.Marshal(body)
			save(statusOf[de.Kind], b)
		}
		return err
	}
	t, err := s.Store.GetTicket(ctx, ref.Number)
	if err != nil {
		return err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	save(http.StatusOK, b)
	return c.JSONBlob(http.StatusOK, b)
}

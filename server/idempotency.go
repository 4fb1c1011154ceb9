package server

import (
	"github.com/labstack/echo/v4"

	"rectify/domain"
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

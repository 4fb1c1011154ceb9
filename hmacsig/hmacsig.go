// Package hmacsig signs and verifies the HTTP bodies rectify exchanges with the
// systems around it (the 12345 platform, SMS gateways): HMAC-SHA256 over the
// timestamp and the raw body, so a body cannot be altered and a captured request
// cannot be replayed outside a few minutes. docs/12345-integration.md describes it
// for the other side.
package hmacsig

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed request.
const (
	HeaderTimestamp = "X-Rectify-Timestamp" // Unix seconds
	HeaderSignature = "X-Rectify-Signature" // "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body))
)

// MaxSkew is how far a request's timestamp may be from the receiver's clock.
const MaxSkew = 5 * time.Minute

var (
	ErrMissing  = errors.New("missing signature or timestamp header")
	ErrStale    = errors.New("timestamp outside the allowed window")
	ErrMismatch = errors.New("signature does not match")
)

// Sign returns the signature header value for body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// SetHeaders signs body into h, as sent at now.
func SetHeaders(h http.Header, secret string, now time.Time, body []byte) {
	ts := now.Unix()
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Sign(secret, ts, body))
}

// Verify checks the signature of body received at now.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	tsText, sig := h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if tsText == "" || sig == "" {
		return ErrMissing
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrMissing
	}
	if d := now.Sub(time.Unix(ts, 0)); d > MaxSkew || d < -MaxSkew {
		return ErrStale
	}
	want := Sign(secret, ts, body)
	if !strings.HasPrefix(sig, "sha256=") || !hmac.Equal([]byte(sig), []byte(want)) {
		return ErrMismatch
	}
	return nil
}

// Post sends body as a signed JSON POST with its idempotency key and returns the
// answer's status; the answer's body is read (up to 64 KiB, so the connection is
// reused) and dropped: it may echo what was sent. now nil: time.Now.
func Post(ctx context.Context, c *http.Client, url, secret, key string, body []byte, now func() time.Time) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Idempotency-Key", key)
	if now == nil {
		now = time.Now
	}
	SetHeaders(req.Header, secret, now(), body)
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	return res.StatusCode, nil
}

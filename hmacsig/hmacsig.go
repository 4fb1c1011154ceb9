// Package hmacsig signs and verifies the HTTP bodies rectify exchanges with the
// systems around it (the 12345 platform, SMS gateways): HMAC-SHA256 over the
// timestamp and the raw body, so a body cannot be altered and a captured request
// cannot be replayed outside a few minutes. docs/12345-integration.md describes it
// for the other side.
package hmacsig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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

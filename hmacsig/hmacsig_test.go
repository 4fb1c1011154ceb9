package hmacsig

import (
	"net/http"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	const secret = "0123456789abcdef"
	now := time.Unix(1_790_000_000, 0)
	body := []byte(`{"a":1}`)
	signed := func(at time.Time, secret string, body []byte) http.Header {
		h := http.Header{}
		SetHeaders(h, secret, at, body)
		return h
	}
	tests := []struct {
		name string
		h    http.Header
		body []byte
		want error
	}{
		{"valid", signed(now, secret, body), body, nil},
		{"within skew", signed(now.Add(-4*time.Minute), secret, body), body, nil},
		{"stale", signed(now.Add(-6*time.Minute), secret, body), body, ErrStale},
		{"future", signed(now.Add(6*time.Minute), secret, body), body, ErrStale},
		{"other secret", signed(now, "another-secret-0000", body), body, ErrMismatch},
		{"altered body", signed(now, secret, body), []byte(`{"a":2}`), ErrMismatch},
		{"no headers", http.Header{}, body, ErrMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(secret, tt.h, tt.body, now); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

// The worked example of docs/12345-integration.md, checked against openssl there.
func TestSignDocumentedExample(t *testing.T) {
	body := `{"event_id":"EV-20261125-0001","ticket_number":"GD20261125000123","type":"sign","operator":"张三"}`
	got := Sign("change-me-to-a-long-random-secret", 1795600000, []byte(body))
	want := "sha256=7723efb8695b3c34f6d71034397e84672164631197a1af5081f262adc8f13a72"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

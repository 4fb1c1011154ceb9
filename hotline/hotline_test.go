package hotline

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"rectify/hmacsig"
	"rectify/store"
)

func TestPushClassifiesAnswers(t *testing.T) {
	tests := []struct {
		status      int
		wantErr     bool
		wantRefused bool
	}{
		{200, false, false},
		{201, false, false},
		{408, true, false},
		{429, true, false},
		{500, true, false},
		{503, true, false},
		{400, true, true},
		{401, true, true},
		{422, true, true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			var gotKey string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if err := hmacsig.Verify("secret-0123456789", r.Header, b, time.Now()); err != nil {
					t.Errorf("signature: %v", err)
				}
				gotKey = r.Header.Get("Idempotency-Key")
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			c := New(srv.URL, "secret-0123456789", time.Second, nil)
			err := c.Push(context.Background(), "GD1:3", store.PlatformOrder{Number: "GD1"})
			if (err != nil) != tt.wantErr || errors.Is(err, ErrRefused) != tt.wantRefused {
				t.Errorf("Push = %v, want error %v, refused %v", err, tt.wantErr, tt.wantRefused)
			}
			if gotKey != "GD1:3" {
				t.Errorf("Idempotency-Key %q, want GD1:3", gotKey)
			}
		})
	}
}

func TestPushUnreachableIsRetryable(t *testing.T) {
	c := New("http://127.0.0.1:1/orders", "secret-0123456789", time.Second, nil)
	err := c.Push(context.Background(), "GD1:1", store.PlatformOrder{})
	if err == nil || errors.Is(err, ErrRefused) {
		t.Errorf("Push to nowhere = %v, want a retryable error", err)
	}
}

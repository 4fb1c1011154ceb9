package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"rectify/store"
)

func TestHTTPSenderAnswers(t *testing.T) {
	tests := []struct {
		status  int
		wantErr bool
	}{{200, false}, {202, false}, {409, false}, {429, true}, {500, true}, {400, true}}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(`{"error":"bad number 13812345678"}`))
			}))
			defer srv.Close()
			s := NewHTTPSender(srv.URL, "secret-0123456789", time.Second)
			err := s.Send(context.Background(), store.Notification{IdempotencyKey: "GD1:4:survey:0", Channel: "sms",
				Kind: "survey", Recipient: "13812345678", Body: "text"})
			if (err != nil) != tt.wantErr {
				t.Errorf("Send = %v, want error %v", err, tt.wantErr)
			}
			// The error is stored in the outbox and shown to operators: never the phone.
			if err != nil && strings.Contains(err.Error(), "13812345678") {
				t.Errorf("error %q carries the phone number", err)
			}
		})
	}
}

// The router sends only SMS to the gateway.
func TestRouterSendsSMSToGateway(t *testing.T) {
	var sms, other []string
	r := Router{SMS: senderFunc(func(n store.Notification) { sms = append(sms, n.Kind) }),
		Other: senderFunc(func(n store.Notification) { other = append(other, n.Kind) })}
	for _, n := range []store.Notification{{Channel: "sms", Kind: "survey"}, {Channel: "department", Kind: "dispatched"},
		{Channel: "supervisors", Kind: "overdue"}} {
		if err := r.Send(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(sms, ",") != "survey" || strings.Join(other, ",") != "dispatched,overdue" {
		t.Errorf("gateway got %v, others %v", sms, other)
	}
}

type senderFunc func(store.Notification)

func (f senderFunc) Send(_ context.Context, n store.Notification) error { f(n); return nil }

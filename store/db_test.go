package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/store"
)

// Issue 16 item 7: a pool size given in the database URL is kept; without one
// the pool gets the 16 connections the API and worker need together.
func TestOpenKeepsConfiguredPoolSize(t *testing.T) {
	_, dbURL := testdb.NewWithURL(t)
	sep := "?"
	if strings.Contains(dbURL, "?") {
		sep = "&"
	}
	for _, c := range []struct {
		url  string
		want int32
	}{{dbURL + sep + "pool_max_conns=4", 4}, {dbURL + sep + "pool_max_conns=40", 40}, {dbURL, 16}} {
		st, err := store.Open(context.Background(), c.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Pool().Config().MaxConns; got != c.want {
			t.Errorf("%s: MaxConns %d, want %d", c.url[strings.Index(c.url, "?")+1:], got, c.want)
		}
		st.Close()
	}
}

// Issue 16 item 7: ticket numbers keep text order (the order lists page by) when
// the sequence passes 999,999 and 9,999,999.
func TestTicketNumbersKeepTextOrder(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	var prev string
	for _, at := range []int64{999_998, 9_999_998} {
		if _, err := st.Pool().Exec(ctx, `SELECT setval('ticket_number_seq', $1)`, at); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			res := testdb.Rate(t, st, domain.Rating{ID: fmt.Sprintf("ORDER-%d-%d", at, i), Channel: domain.ChannelHall,
				Level: domain.VeryDissatisfied, Negative: true, RatedAt: time.Now(), DepartmentCode: "D-A",
				Aspects: []string{"attitude"}})
			n := res[0].Ticket.Number
			if prev != "" && n <= prev {
				t.Errorf("ticket %s sorts before the earlier %s", n, prev)
			}
			prev = n
		}
	}
	ts, _, err := st.ListTickets(ctx, store.TicketFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 6 || ts[0].Number != prev {
		t.Errorf("the list starts with %s, want the newest %s", ts[0].Number, prev)
	}
}

// Idempotency-Keys expire: a key older than the lifetime is deleted, a fresh one
// stays, and the deleted key is a first use again.
func TestExpireIdempotencyKeys(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	req := func(key string) store.IdempotentRequest {
		return store.IdempotentRequest{Username: "scjg", Key: key, TicketNumber: "GD1", Action: "sign", Fingerprint: []byte{1}}
	}
	for _, k := range []string{"old", "new"} {
		if _, err := st.ClaimIdempotencyKey(ctx, req(k)); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveIdempotentAnswer(ctx, "scjg", k, store.IdempotentAnswer{Status: 200, Body: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Pool().Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key='old'`); err != nil {
		t.Fatal(err)
	}
	n, err := st.ExpireIdempotencyKeys(ctx, store.IdempotencyKeyLifetime)
	if err != nil || n != 1 {
		t.Fatalf("expired %d (%v), want 1", n, err)
	}
	if a, err := st.ClaimIdempotencyKey(ctx, req("old")); err != nil || a.Status != 0 {
		t.Errorf("expired key: answer %+v (%v), want a first use", a, err)
	}
	if a, err := st.ClaimIdempotencyKey(ctx, req("new")); err != nil || a.Status != 200 {
		t.Errorf("fresh key: answer %+v (%v), want the stored 200", a, err)
	}
}

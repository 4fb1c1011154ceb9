package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"rectify/domain"
	"rectify/internal/testenv"
	"rectify/store"
)

// Issue 16 item 7: a pool size given in the database URL is kept; without one
// the pool gets the 16 connections the API and worker need together.
func TestOpenKeepsConfiguredPoolSize(t *testing.T) {
	_, dbURL := testenv.NewDatabase(t)
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
	st, _ := testenv.NewDatabase(t)
	ctx := context.Background()
	var prev string
	for _, at := range []int64{999_998, 9_999_998} {
		if _, err := st.Pool().Exec(ctx, `SELECT setval('ticket_number_seq', $1)`, at); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			id := fmt.Sprintf("ORDER-%d-%d", at, i)
			h := sha256.Sum256([]byte(id))
			res, err := st.CreateRatings(ctx, []store.NewRating{{BodyHash: h[:], Rating: domain.Rating{ID: id,
				Channel: domain.ChannelHall, Level: domain.VeryDissatisfied, Negative: true, RatedAt: time.Now(),
				DepartmentCode: "D-A", Aspects: []string{"attitude"}}}})
			if err != nil {
				t.Fatal(err)
			}
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

package store_test

import (
	"context"
	"testing"
	"time"

	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/store"
)

// BenchmarkApplyChange is the cost of one transition's write (snapshot and event),
// to weigh the content check ApplyChange makes before writing (issue 16 item 1).
func BenchmarkApplyChange(b *testing.B) {
	st := testdb.New(b)
	ctx := context.Background()
	if err := st.UpsertDepartment(ctx, domain.Department{Code: "D-A", Name: "甲局"}); err != nil {
		b.Fatal(err)
	}
	res := testdb.Rate(b, st, domain.Rating{ID: "B-1", Channel: domain.ChannelHall, Level: domain.VeryDissatisfied,
		Negative: true, RatedAt: time.Now(), DepartmentCode: "D-A", Aspects: []string{"attitude"}})
	number := res[0].Ticket.Number
	now := time.Now()
	i := 0
	for b.Loop() {
		i++
		t := domain.Ticket{Number: number, RatingID: "B-1", Status: domain.StatusAwaitingSign, DepartmentCode: "D-A",
			Round: 1, CreatedAt: now, UpdatedAt: now, Version: i}
		if err := st.ApplyChange(ctx, store.Change{Ticket: t, Event: domain.Event{Seq: i, Type: "urged", Actor: "sup",
			At: now, Round: 1, DepartmentCode: "D-A", Note: "快"}}); err != nil {
			b.Fatal(err)
		}
	}
}

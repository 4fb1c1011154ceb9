package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"rectify/calendar"
	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/store"
)

// TestWorkFilterLightIsTheDeadlineRule: the inbox's 即将到期 and 已超期 tabs
// (WorkFilter.Light, SQL) hold exactly the tickets domain.DeadlineOf colours
// yellow and red, whatever the status, deadline and overdue flag.
func TestWorkFilterLightIsTheDeadlineRule(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	cal := calendar.New(loc, 18*time.Hour)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc) // a Wednesday
	if err := st.CreateDepartment(ctx, domain.Department{Code: "D", Name: "甲局"}); err != nil {
		t.Fatal(err)
	}
	dues := []*time.Time{nil}
	for _, d := range []time.Time{
		now.Add(-48 * time.Hour), now.Add(-time.Minute), now, now.Add(time.Hour),
		time.Date(2026, 11, 25, 18, 0, 0, 0, loc), time.Date(2026, 11, 26, 18, 0, 0, 0, loc), // today's and tomorrow's end
		time.Date(2026, 11, 26, 18, 0, 1, 0, loc), time.Date(2026, 11, 27, 18, 0, 0, 0, loc), time.Date(2026, 12, 1, 18, 0, 0, 0, loc),
	} {
		d := d
		dues = append(dues, &d)
	}
	want := map[domain.Light]int{}
	i := 0
	for _, status := range domain.Statuses {
		for _, due := range dues {
			for _, overdue := range []bool{false, true} {
				i++
				res := testdb.Rate(t, st, domain.Rating{ID: fmt.Sprintf("R%d", i), Channel: domain.ChannelHall,
					Level: domain.Dissatisfied, Negative: true, RatedAt: now.Add(-72 * time.Hour), DepartmentCode: "D", Aspects: []string{}})
				if _, err := st.Pool().Exec(ctx, `UPDATE tickets SET status = $2, due_at = $3, overdue = $4 WHERE number = $1`,
					res[0].Ticket.Number, string(status), due, overdue); err != nil {
					t.Fatal(err)
				}
				want[domain.DeadlineOf(cal, domain.Ticket{Status: status, DueAt: due, Overdue: overdue}, now).Light]++
			}
		}
	}
	if want[domain.LightRed] == 0 || want[domain.LightYellow] == 0 {
		t.Fatalf("the cases cover no red or no yellow: %v", want)
	}
	for _, l := range []domain.Light{domain.LightRed, domain.LightYellow} {
		f := store.WorkFilter{DepartmentCode: "D", Light: l, Now: now, Soon: domain.DueSoonBy(cal, now)}
		n, err := st.CountWork(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if n != want[l] {
			t.Errorf("%s: the SQL counts %d tickets, the rule %d", l, n, want[l])
		}
		f.Limit = 1000
		items, _, err := st.ListWork(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if got := domain.DeadlineOf(cal, it.Ticket, now).Light; got != l {
				t.Errorf("%s list holds %s %v overdue=%v, which the rule calls %s", l, it.Status, it.DueAt, it.Overdue, got)
			}
		}
	}
}

package stats_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/stats"
	"rectify/store"
)

// The data set, by hand. Days are Asia/Shanghai; Spring Festival 2026 is 02-15..02-23
// off with Saturday 02-14 and Saturday 02-28 worked.
//
//	id  dept  level                rated_at (+08)        item ch      staff aspects             citizen
//	A1  D-A   very_satisfied       01-31 23:59:59        I1   hall    S1    attitude            -
//	A2  D-A   satisfied            02-01 00:00:00        I1   web     S2    guide, attitude     -
//	A3  D-A   basically_satisfied  02-15 10:00           I2   mobile  S1    -                   -
//	A4  D-A   dissatisfied         02-02 09:00           I1   hall    S1    attitude, handling  real name
//	A5  D-A   very_dissatisfied    02-03 09:00           I2   hotline S2    result              real name
//	A6  D-A   dissatisfied         02-28 23:59:59        I1   kiosk   S1    -                   anonymous
//	A7  D-A   dissatisfied         03-01 00:00:00        I1   hall    S1    attitude            real name
//	B1  D-B   satisfied            02-10 12:00           J1   web     T1    -                   -
//	B2  D-B   dissatisfied         02-10 13:00           J1   hall    T1    handling            real name
//	B3  D-B   very_satisfied       01-15 12:00           J1   web     T1    -                   -
//
// Tickets (created_at set to the rating's time):
//
//	A4: signed 02-02 10:00 (due 02-09 18:00), resolved 02-04 15:00 (on time, 2 working
//	    days: 02-03, 02-04), survey answered satisfied -> closed satisfied.
//	A5: signed 02-03 10:00 (due 02-10 18:00), overdue 02-10 18:00, resolved 02-25 10:00
//	    (late; 11 working days: 02-04..06, 09..13, 14 (调休), 24, 25), survey answered
//	    dissatisfied -> round 2 (reopened), signed 02-26, resolved 02-27 (on time),
//	    call reached satisfied -> closed satisfied. Not on time: round 1 was late.
//	A6: returned by D-A, dispatched again, signed 03-02 09:00 (due 03-09 18:00),
//	    extension approved (due 03-12 18:00), resolved 03-10 12:00 with due_at in the
//	    event (on time only thanks to the extension; 7 working days from 02-28
//	    23:59:59: 03-02..06, 09, 10), anonymous -> closed no_followup.
//	A7: appeal upheld -> closed, rating excluded: out of every figure.
//	B2: signed 02-10 14:00 (due 02-13 18:00), overdue 02-13 18:00 -> open, overdue now.
func TestStatsFromHandCheckedData(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	svc := &stats.Service{DB: st.Pool()}
	testdb.TwoDepartments(t, st)
	h := &harness{t: t, st: st, tickets: map[string]*ticket{}}
	realName := &domain.Citizen{Name: "张三", Phone: "13800000000"}
	anonymous := &domain.Citizen{Anonymous: true}
	// One batch (one statement for the trigger), then single ratings.
	h.rate(
		rating("A1", "D-A", domain.VerySatisfied, "2026-01-31T23:59:59+08:00", "I1", domain.ChannelHall, "S1", nil, "attitude"),
		rating("A2", "D-A", domain.Satisfied, "2026-02-01T00:00:00+08:00", "I1", domain.ChannelWeb, "S2", nil, "guide", "attitude"),
		rating("A3", "D-A", domain.BasicallySatisfied, "2026-02-15T10:00:00+08:00", "I2", domain.ChannelMobile, "S1", nil),
		rating("A4", "D-A", domain.Dissatisfied, "2026-02-02T09:00:00+08:00", "I1", domain.ChannelHall, "S1", realName, "attitude", "handling"),
	)
	h.rate(rating("A5", "D-A", domain.VeryDissatisfied, "2026-02-03T09:00:00+08:00", "I2", domain.ChannelHotline, "S2", realName, "result"))
	h.rate(rating("A6", "D-A", domain.Dissatisfied, "2026-02-28T23:59:59+08:00", "I1", domain.ChannelKiosk, "S1", anonymous))
	h.rate(rating("A7", "D-A", domain.Dissatisfied, "2026-03-01T00:00:00+08:00", "I1", domain.ChannelHall, "S1", realName, "attitude"))
	h.rate(
		rating("B1", "D-B", domain.Satisfied, "2026-02-10T12:00:00+08:00", "J1", domain.ChannelWeb, "T1", nil),
		rating("B2", "D-B", domain.Dissatisfied, "2026-02-10T13:00:00+08:00", "J1", domain.ChannelHall, "T1", realName, "handling"),
		rating("B3", "D-B", domain.VerySatisfied, "2026-01-15T12:00:00+08:00", "J1", domain.ChannelWeb, "T1", nil),
	)

	a4 := h.tickets["A4"]
	h.step(a4, "dispatched", "2026-02-02T09:00:01+08:00", nil, func(t *domain.Ticket) { t.DueAt = at("2026-02-03T18:00:00+08:00") })
	h.step(a4, "signed", "2026-02-02T10:00:00+08:00", nil, rectifying("2026-02-09T18:00:00+08:00"))
	h.step(a4, "resolved", "2026-02-04T15:00:00+08:00", nil, followingUp)
	h.step(a4, "survey_answered", "2026-02-05T09:00:00+08:00", map[string]any{"reached": true, "level": "satisfied"}, closed(domain.ResolutionSatisfied))

	a5 := h.tickets["A5"]
	h.step(a5, "dispatched", "2026-02-03T09:00:01+08:00", nil, func(t *domain.Ticket) { t.DueAt = at("2026-02-04T18:00:00+08:00") })
	h.step(a5, "signed", "2026-02-03T10:00:00+08:00", nil, rectifying("2026-02-10T18:00:00+08:00"))
	h.step(a5, "overdue", "2026-02-10T18:00:00+08:00", nil, func(t *domain.Ticket) { t.Overdue, t.EscalationLevel = true, 1 })
	h.step(a5, "resolved", "2026-02-25T10:00:00+08:00", nil, followingUp)
	h.step(a5, "survey_answered", "2026-02-25T20:00:00+08:00", map[string]any{"reached": true, "level": "dissatisfied", "reopened": true},
		func(t *domain.Ticket) {
			t.Round, t.Status, t.DueAt = 2, domain.StatusAwaitingSign, at("2026-02-26T18:00:00+08:00")
		})
	h.step(a5, "signed", "2026-02-26T09:00:00+08:00", nil, rectifying("2026-03-05T18:00:00+08:00"))
	h.step(a5, "resolved", "2026-02-27T09:00:00+08:00", nil, followingUp)
	h.step(a5, "call_logged", "2026-02-27T15:00:00+08:00", map[string]any{"reached": true, "level": "satisfied"}, closed(domain.ResolutionSatisfied))

	a6 := h.tickets["A6"]
	h.step(a6, "dispatched", "2026-02-28T23:59:59+08:00", nil, func(t *domain.Ticket) { t.DueAt = at("2026-03-02T18:00:00+08:00") })
	h.step(a6, "returned", "2026-03-01T10:00:00+08:00", map[string]any{"department_code": "D-A"}, func(t *domain.Ticket) {
		t.Status, t.DepartmentCode, t.DueAt = domain.StatusPendingDispatch, "", nil
	})
	h.step(a6, "dispatched", "2026-03-01T11:00:00+08:00", map[string]any{"department_code": "D-A"}, func(t *domain.Ticket) {
		t.Status, t.DepartmentCode, t.DueAt = domain.StatusAwaitingSign, "D-A", at("2026-03-02T18:00:00+08:00")
	})
	h.step(a6, "signed", "2026-03-02T09:00:00+08:00", nil, rectifying("2026-03-09T18:00:00+08:00"))
	h.step(a6, "extension_requested", "2026-03-03T09:00:00+08:00", map[string]any{"working_days": 3}, nil)
	h.step(a6, "extension_approved", "2026-03-03T10:00:00+08:00", map[string]any{"working_days": 3},
		func(t *domain.Ticket) { t.DueAt = at("2026-03-12T18:00:00+08:00") })
	h.step(a6, "resolved", "2026-03-10T12:00:00+08:00", map[string]any{"due_at": "2026-03-12T18:00:00+08:00"}, closed(domain.ResolutionNoFollowup))

	a7 := h.tickets["A7"]
	h.step(a7, "dispatched", "2026-03-01T00:00:01+08:00", nil, func(t *domain.Ticket) { t.DueAt = at("2026-03-02T18:00:00+08:00") })
	h.step(a7, "appealed", "2026-03-01T09:00:00+08:00", nil, nil)
	h.exclude = true
	h.step(a7, "appeal_upheld", "2026-03-02T09:00:00+08:00", nil, closed(domain.ResolutionAppealUpheld))
	h.exclude = false

	b2 := h.tickets["B2"]
	h.step(b2, "dispatched", "2026-02-10T13:00:01+08:00", nil, func(t *domain.Ticket) { t.DueAt = at("2026-02-11T18:00:00+08:00") })
	h.step(b2, "signed", "2026-02-10T14:00:00+08:00", nil, rectifying("2026-02-13T18:00:00+08:00"))
	h.step(b2, "overdue", "2026-02-13T18:00:00+08:00", nil, func(t *domain.Ticket) { t.Overdue, t.EscalationLevel = true, 1 })

	feb := filter("2026-02-01", "2026-02-28", "")
	wantFebA := stats.Metrics{
		Total:   5,
		ByLevel: stats.ByLevel{Satisfied: 1, BasicallySatisfied: 1, Dissatisfied: 2, VeryDissatisfied: 1},
		// A2, A3 of A2..A6; (8+6+3+3+0)/5
		SatisfactionRate: 2.0 / 5, NegativeRate: 3.0 / 5, Score: 4,
		Tickets: 3, Rectified: 3, RectifiedOnTime: 2, RealNameTickets: 2, FollowedUp: 2, SatisfiedAfterFollowup: 2,
		Overdue: 0, Returns: 1, Extensions: 1, Reopened: 1,
		RectificationRate: 1, OnTimeRate: 2.0 / 3, FollowupRate: 1, SatisfiedAfterFollowupRate: 1,
		AvgRectifyWorkingDays: (2 + 11 + 7) / 3.0, ReturnRate: 1.0 / 3, ExtensionRate: 1.0 / 3, ReopenRate: 1.0 / 3,
	}
	wantFebB := stats.Metrics{
		Total: 2, ByLevel: stats.ByLevel{Satisfied: 1, Dissatisfied: 1},
		SatisfactionRate: 0.5, NegativeRate: 0.5, Score: 5.5,
		Tickets: 1, RealNameTickets: 1, Overdue: 1,
	}

	// Everything is still in stats_delta: the answers must already be exact, and
	// stay the same with part, then all, of it folded into the daily rollup (as if
	// today were in February), and once the months are closed into the monthly one.
	if _, err := st.Pool().Exec(ctx, `UPDATE stats_watermark SET through = '2026-01-01'`); err != nil {
		t.Fatal(err)
	}
	for _, phase := range []string{"pending", "partly folded", "folded in February", "months closed", "rebuilt"} {
		switch phase {
		case "partly folded":
			h.fold(`SELECT stats_fold(9, '2026-02-15')`)
			if n, err := svc.Pending(ctx); err != nil || n == 0 {
				t.Fatalf("after folding 9: %d pending, %v", n, err)
			}
		case "folded in February":
			h.fold(`SELECT stats_fold(1000, '2026-02-20')`)
			h.fold(`SELECT 1 WHERE (SELECT through FROM stats_watermark) = '2026-02-01'`)
		case "rebuilt": // from the ratings and the tickets' facts, as after a bulk load
			if err := svc.Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
		case "months closed":
			if _, err := svc.Fold(ctx); err != nil {
				t.Fatal(err)
			}
			h.fold(`SELECT 1 WHERE (SELECT through FROM stats_watermark) = date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date
				AND (SELECT count(*) FROM stats_monthly WHERE month = '2026-02-01') > 0`)
		}
		if phase != "pending" && phase != "partly folded" {
			if n, err := svc.Pending(ctx); err != nil || n != 0 {
				t.Fatalf("%s: %d pending, %v", phase, n, err)
			}
		}
		t.Run(phase+"/departments February", func(t *testing.T) {
			rows := h.table(svc, stats.Department, feb)
			checkRows(t, rows, map[string]stats.Metrics{"D-A": wantFebA, "D-B": wantFebB})
			if rows[0].DepartmentName != "甲局" {
				t.Errorf("name = %q, want 甲局", rows[0].DepartmentName)
			}
		})
		t.Run(phase+"/midnight edges", func(t *testing.T) {
			cases := []struct {
				from, to string
				want     map[string]int64 // department -> total
			}{
				{"2026-01-31", "2026-01-31", map[string]int64{"D-A": 1}},           // A1 at 23:59:59
				{"2026-02-01", "2026-02-01", map[string]int64{"D-A": 1}},           // A2 at 00:00:00
				{"2026-01-31", "2026-03-01", map[string]int64{"D-A": 6, "D-B": 2}}, // daily edges + February; A7 excluded
				{"2026-03-01", "2026-03-01", map[string]int64{}},                   // only A7, excluded
				{"2026-01-01", "2026-12-31", map[string]int64{"D-A": 6, "D-B": 3}}, // whole months only
				{"2026-02-02", "2026-02-03", map[string]int64{"D-A": 2}},           // A4, A5
				{"2026-02-28", "2026-02-28", map[string]int64{"D-A": 1}},           // A6 at 23:59:59
				{"2026-02-11", "2026-02-14", map[string]int64{}},                   // nothing
				{"2026-01-15", "2026-01-15", map[string]int64{"D-B": 1}},           // B3
				{"2025-12-01", "2026-01-30", map[string]int64{"D-B": 1}},           // across a year
				{"2026-01-16", "2026-02-09", map[string]int64{"D-A": 4}},           // A1, A2, A4, A5
				{"2026-02-01", "2026-03-31", map[string]int64{"D-A": 5, "D-B": 2}}, // two whole months
				{"2026-02-10", "2026-02-10", map[string]int64{"D-B": 2}},           // B1, B2
				{"2026-02-16", "2026-02-27", map[string]int64{}},                   // nothing
				{"2026-02-15", "2026-02-15", map[string]int64{"D-A": 1}},           // A3
				{"2026-03-02", "2026-06-30", map[string]int64{}},                   // tickets' later events do not move their rating's day
				{"2026-02-01", "2026-02-28", map[string]int64{"D-A": 5, "D-B": 2}}, // February
				{"2026-01-31", "2026-02-28", map[string]int64{"D-A": 6, "D-B": 2}}, // one edge day before
				{"2026-02-01", "2026-03-01", map[string]int64{"D-A": 5, "D-B": 2}}, // one edge day after, A7 excluded
				{"2026-01-01", "2026-01-31", map[string]int64{"D-A": 1, "D-B": 1}}, // January
			}
			for _, c := range cases {
				got := map[string]int64{}
				for _, r := range h.table(svc, stats.Department, filter(c.from, c.to, "")) {
					got[r.DepartmentCode] = r.Total
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s..%s: totals %v, want %v", c.from, c.to, got, c.want)
				}
			}
		})
		t.Run(phase+"/one department", func(t *testing.T) {
			checkRows(t, h.table(svc, stats.Department, filter("2026-02-01", "2026-02-28", "D-B")), map[string]stats.Metrics{"D-B": wantFebB})
		})
		t.Run(phase+"/dimensions", func(t *testing.T) {
			cases := []struct {
				dim  stats.Dim
				f    stats.Filter
				want map[string]stats.Counts // "dept/key" -> counts
			}{
				{stats.Channel, feb, map[string]stats.Counts{
					"/hall":    {ByLevel: lv(0, 0, 0, 2, 0), RealName: 2, Rectified: 1, RectifiedOnTime: 1, FollowedUp: 1, SatisfiedAfterFollowup: 1, Overdue: 1, RectWorkingDays: 2},
					"/web":     {ByLevel: lv(0, 2, 0, 0, 0)},
					"/mobile":  {ByLevel: lv(0, 0, 1, 0, 0)},
					"/hotline": {ByLevel: lv(0, 0, 0, 0, 1), RealName: 1, Rectified: 1, FollowedUp: 1, SatisfiedAfterFollowup: 1, Reopened: 1, RectWorkingDays: 11},
					"/kiosk":   {ByLevel: lv(0, 0, 0, 1, 0), Rectified: 1, RectifiedOnTime: 1, Returned: 1, Extended: 1, RectWorkingDays: 7},
				}},
				{stats.Aspect, feb, map[string]stats.Counts{
					"/attitude": {ByLevel: lv(0, 1, 0, 1, 0), RealName: 1, Rectified: 1, RectifiedOnTime: 1, FollowedUp: 1, SatisfiedAfterFollowup: 1, RectWorkingDays: 2},
					"/guide":    {ByLevel: lv(0, 1, 0, 0, 0)},
					"/handling": {ByLevel: lv(0, 0, 0, 2, 0), RealName: 2, Rectified: 1, RectifiedOnTime: 1, FollowedUp: 1, SatisfiedAfterFollowup: 1, Overdue: 1, RectWorkingDays: 2},
					"/result":   {ByLevel: lv(0, 0, 0, 0, 1), RealName: 1, Rectified: 1, FollowedUp: 1, SatisfiedAfterFollowup: 1, Reopened: 1, RectWorkingDays: 11},
				}},
				{stats.ServiceItem, filter("2026-01-01", "2026-03-31", "D-A"), map[string]stats.Counts{
					"D-A/I1": {ByLevel: lv(1, 1, 0, 2, 0), RealName: 1, Rectified: 2, RectifiedOnTime: 2, FollowedUp: 1, SatisfiedAfterFollowup: 1, Returned: 1, Extended: 1, RectWorkingDays: 9},
					"D-A/I2": {ByLevel: lv(0, 0, 1, 0, 1), RealName: 1, Rectified: 1, FollowedUp: 1, SatisfiedAfterFollowup: 1, Reopened: 1, RectWorkingDays: 11},
				}},
				{stats.Staff, feb, map[string]stats.Counts{
					"D-A/S1": {ByLevel: lv(0, 0, 1, 2, 0), RealName: 1, Rectified: 2, RectifiedOnTime: 2, FollowedUp: 1, SatisfiedAfterFollowup: 1, Returned: 1, Extended: 1, RectWorkingDays: 9},
					"D-A/S2": {ByLevel: lv(0, 1, 0, 0, 1), RealName: 1, Rectified: 1, FollowedUp: 1, SatisfiedAfterFollowup: 1, Reopened: 1, RectWorkingDays: 11},
					"D-B/T1": {ByLevel: lv(0, 1, 0, 1, 0), RealName: 1, Overdue: 1},
				}},
				{stats.Region, filter("2026-01-01", "2026-01-31", ""), map[string]stats.Counts{
					"/320102": {ByLevel: lv(1, 0, 0, 0, 0)},
					"/320104": {ByLevel: lv(1, 0, 0, 0, 0)},
				}},
			}
			for _, c := range cases {
				got := map[string]stats.Counts{}
				for _, r := range h.table(svc, c.dim, c.f) {
					got[r.DepartmentCode+"/"+r.Key] = r.Counts
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s %v:\n got %+v\nwant %+v", c.dim, c.f, got, c.want)
				}
			}
		})
		t.Run(phase+"/trends", func(t *testing.T) {
			cases := []struct {
				p    stats.Period
				f    stats.Filter
				want map[string]int64 // period start -> total
			}{
				{stats.Daily, filter("2026-01-31", "2026-02-03", "D-A"), map[string]int64{"2026-01-31": 1, "2026-02-01": 1, "2026-02-02": 1, "2026-02-03": 1}},
				{stats.Daily, filter("2026-02-09", "2026-02-11", ""), map[string]int64{"2026-02-09": 0, "2026-02-10": 2, "2026-02-11": 0}},
				// 02-01 is a Sunday: its week began on Monday 01-26.
				{stats.Weekly, filter("2026-01-31", "2026-02-08", ""), map[string]int64{"2026-01-26": 2, "2026-02-02": 2}},
				{stats.Monthly, filter("2026-01-15", "2026-03-01", ""), map[string]int64{"2026-01-01": 2, "2026-02-01": 7, "2026-03-01": 0}},
				{stats.Monthly, filter("2026-01-16", "2026-03-31", "D-B"), map[string]int64{"2026-01-01": 0, "2026-02-01": 2, "2026-03-01": 0}},
			}
			for _, c := range cases {
				pts, err := svc.Trend(ctx, c.p, c.f, stats.DefaultWeights)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int64{}
				for _, p := range pts {
					got[p.Start.Format(time.DateOnly)] = p.Total
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s %v: %v, want %v", c.p, c.f, got, c.want)
				}
			}
		})
		t.Run(phase+"/ranking", func(t *testing.T) {
			score, _ := stats.RankMetric("score")
			r, err := svc.Rank(ctx, score, feb, stats.DefaultWeights, 3, 10)
			if err != nil {
				t.Fatal(err)
			}
			if r.Ranked != 1 || r.Unranked != 1 || len(r.Red) != 1 || r.Red[0].DepartmentCode != "D-A" || len(r.Black) != 0 {
				t.Errorf("min volume 3: %+v", r)
			}
			r, err = svc.Rank(ctx, score, feb, stats.DefaultWeights, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			// D-B scores 5.5, D-A 4.
			if len(r.Red) != 1 || r.Red[0].DepartmentCode != "D-B" || len(r.Black) != 1 || r.Black[0].DepartmentCode != "D-A" {
				t.Errorf("min volume 1: red %+v black %+v", r.Red, r.Black)
			}
		})
	}
}

func checkRows(t *testing.T, rows []stats.Row, want map[string]stats.Metrics) {
	t.Helper()
	got := map[string]stats.Metrics{}
	for _, r := range rows {
		got[r.DepartmentCode] = r.Metrics
	}
	for code, w := range want {
		if g, ok := got[code]; !ok {
			t.Errorf("%s: missing", code)
		} else if g != w {
			t.Errorf("%s:\n got %+v\nwant %+v", code, g, w)
		}
	}
	for code := range got {
		if _, ok := want[code]; !ok {
			t.Errorf("%s: unexpected row %+v", code, got[code])
		}
	}
}

func lv(vs, s, bs, d, vd int64) [5]int64 { return [5]int64{vs, s, bs, d, vd} }

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func filter(from, to, dept string) stats.Filter {
	return stats.Filter{From: day(from), To: day(to), Department: dept}
}

func rating(id, dept string, l domain.Level, ratedAt, item string, ch domain.Channel, staff string, c *domain.Citizen, aspects ...string) store.NewRating {
	region := "320102"
	if dept == "D-B" {
		region = "320104"
	}
	if aspects == nil {
		aspects = []string{}
	}
	r := testdb.Rating(domain.Rating{
		ID: id, Channel: ch, Level: l, RatedAt: *at(ratedAt), DepartmentCode: dept,
		Service: domain.Service{ServiceItemCode: item, StaffID: staff, RegionCode: region}, Aspects: aspects, Citizen: c, Negative: l.Negative(),
	})
	r.SubmittedBy = "test"
	return r
}

type ticket struct {
	t   domain.Ticket
	seq int
}

type harness struct {
	t       *testing.T
	st      *store.Store
	tickets map[string]*ticket // by rating id
	exclude bool
}

// rate stores ratings in one call and backdates their tickets to the rating time.
func (h *harness) rate(rs ...store.NewRating) {
	h.t.Helper()
	ctx := context.Background()
	res, err := h.st.CreateRatings(ctx, rs)
	if err != nil {
		h.t.Fatal(err)
	}
	for i, r := range res {
		if r.Outcome != store.Created {
			h.t.Fatalf("%s: outcome %v", rs[i].ID, r.Outcome)
		}
		if r.Ticket == nil {
			continue
		}
		created := rs[i].RatedAt
		if _, err := h.st.Pool().Exec(ctx, `UPDATE tickets SET created_at = $2 WHERE number = $1`, r.Ticket.Number, created); err != nil {
			h.t.Fatal(err)
		}
		h.tickets[rs[i].ID] = &ticket{t: domain.Ticket{Number: r.Ticket.Number, RatingID: rs[i].ID, Round: 1,
			Status: domain.StatusAwaitingSign, DepartmentCode: rs[i].DepartmentCode, CreatedAt: created}}
	}
}

// step writes one transition as the workflow would: the snapshot after it, and its event.
func (h *harness) step(tk *ticket, typ, when string, data map[string]any, change func(*domain.Ticket)) {
	h.t.Helper()
	now := *at(when)
	round := tk.t.Round
	if change != nil {
		change(&tk.t)
	}
	tk.seq++
	tk.t.Version++
	tk.t.UpdatedAt = now
	if tk.t.Status == domain.StatusClosed && tk.t.ClosedAt == nil {
		tk.t.ClosedAt, tk.t.DueAt = &now, nil
	}
	err := h.st.ApplyChange(context.Background(), store.Change{Ticket: tk.t, ExcludeRating: h.exclude, Event: domain.Event{
		Seq: tk.seq, Type: typ, Actor: "test", At: now, DepartmentCode: tk.t.DepartmentCode, Round: round, Data: data}})
	if err != nil {
		h.t.Fatal(err)
	}
}

// fold runs a statement that must return a row.
func (h *harness) fold(q string) {
	h.t.Helper()
	var x int
	if err := h.st.Pool().QueryRow(context.Background(), q).Scan(&x); err != nil {
		h.t.Fatalf("%s: %v", q, err)
	}
}

func (h *harness) table(svc *stats.Service, dim stats.Dim, f stats.Filter) []stats.Row {
	h.t.Helper()
	rows, err := svc.Table(context.Background(), dim, f, stats.DefaultWeights)
	if err != nil {
		h.t.Fatal(err)
	}
	return rows
}

func rectifying(due string) func(*domain.Ticket) {
	return func(t *domain.Ticket) {
		t.Status, t.DueAt, t.Overdue, t.EscalationLevel = domain.StatusRectifying, at(due), false, 0
	}
}

func followingUp(t *domain.Ticket) {
	t.Status, t.Overdue, t.EscalationLevel = domain.StatusFollowingUp, false, 0
	t.DueAt = at("2026-12-31T18:00:00+08:00") // the survey stage's deadline: not the rectify one
}

func closed(r domain.Resolution) func(*domain.Ticket) {
	return func(t *domain.Ticket) { t.Status, t.Resolution = domain.StatusClosed, r }
}

func TestFilterSpanIsShanghaiDays(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	from, to := stats.Filter{From: d("2026-03-01"), To: d("2026-03-02")}.Span()
	if want := time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC); !from.Equal(want) {
		t.Errorf("from %v, want %v", from, want)
	}
	if want := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC); !to.Equal(want) {
		t.Errorf("to %v, want %v (the end of 2 March in Shanghai)", to, want)
	}
}

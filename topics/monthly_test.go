package topics_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/topics"
)

// Reads over long periods take closed whole months from topic_monthly
// (migration 0015) and the rest from topic_daily; the answers must be those of
// reading every day from topic_daily. Ratings spread over eight months are
// drained (the months before the current one are closed already, so the drain
// adds to both rollups), then many periods and slices are read both ways; again
// after upheld appeals in closed months, and after months are closed anew from
// the daily rollup (the watermark moved back, as when the worker was down).
func TestMonthlyRollupMatchesDaily(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	db := st.Pool()
	svc := &topics.Service{DB: db}
	comments := readComments(t)
	rnd := rand.New(rand.NewPCG(20, 15))
	today := time.Now().In(shanghai(t))
	var ids []string
	var rs []domain.Rating
	for i := 0; i < 900; i++ {
		id := fmt.Sprintf("M%d", i)
		ids = append(ids, id)
		c := comments[rnd.IntN(len(comments))]
		dept := fmt.Sprintf("D-%d", rnd.IntN(3))
		at := today.Add(-time.Duration(rnd.Int64N(int64(240 * 24 * time.Hour))))
		rs = append(rs, domain.Rating{ID: id, Channel: domain.ChannelHall,
			Level: c.level, Negative: c.level.Negative(), RatedAt: at, DepartmentCode: dept,
			Service: domain.Service{ServiceItemCode: dept + "-SX" + fmt.Sprint(rnd.IntN(3)), HallCode: dept + "-H" + fmt.Sprint(rnd.IntN(2)),
				StaffID: dept + "-S" + fmt.Sprint(rnd.IntN(4))}, Comment: c.text})
	}
	testdb.Rate(t, st, rs...)
	drain := func() {
		t.Helper()
		if _, err := svc.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	drain()
	var months int
	if err := db.QueryRow(ctx, `SELECT count(DISTINCT month) FROM topic_monthly`).Scan(&months); err != nil {
		t.Fatal(err)
	}
	if months < 6 {
		t.Fatalf("topic_monthly holds %d months after the drain, want the 7 or 8 closed ones", months)
	}

	day := func(t time.Time) time.Time { y, m, d := t.Date(); return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	end := day(today)
	monthStart := func(back int) time.Time {
		return time.Date(end.Year(), end.Month()-time.Month(back), 1, 0, 0, 0, 0, time.UTC)
	}
	periods := [][2]time.Time{
		{end.AddDate(-1, 0, 1), end},                                     // a year to today
		{end.AddDate(0, 0, -29), end},                                    // 30 days
		{monthStart(5), monthStart(2).AddDate(0, 0, -1)},                 // three whole closed months
		{monthStart(4).AddDate(0, 0, 9), monthStart(1).AddDate(0, 0, 3)}, // partial edges
		{monthStart(6).AddDate(0, 0, 14), end},                           // into the open month
		{monthStart(3), monthStart(3).AddDate(0, 0, 14)},                 // half a month
		{monthStart(2), monthStart(2).AddDate(0, 1, -1)},                 // one whole month
	}
	sup := domain.User{Role: domain.RoleSupervisor}
	var filters []topics.Filter
	for _, p := range periods {
		for _, sent := range []topics.Sentiment{"", topics.Negative, topics.Positive} {
			for _, sl := range []topics.Filter{{}, {Department: "D-1"}, {Department: "D-2", ServiceItem: "D-2-SX1"},
				{Hall: "D-0-H1"}, {Department: "D-0", Hall: "D-0-H0"}} {
				sl.From, sl.To, sl.Sentiment, sl.Viewer, sl.Limit = p[0], p[1], sent, sup, 30
				filters = append(filters, sl)
			}
		}
	}
	type answer struct {
		Top    []string
		Staff  []string
		Halls  []string
		nTerms int
	}
	read := func(f topics.Filter) answer {
		t.Helper()
		ts, err := svc.Top(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var a answer
		for _, x := range ts {
			a.Top = append(a.Top, fmt.Sprintf("%s %d/%d", x.Term, x.Count, x.PreviousCount))
		}
		a.nTerms = len(ts)
		for dim, out := range map[string]*[]string{"staff": &a.Staff, "hall": &a.Halls} {
			ps, err := svc.MostPraised(ctx, dim, f, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				*out = append(*out, fmt.Sprintf("%s %d", p.Key, p.Count))
			}
		}
		return a
	}
	compare := func(stage string) {
		t.Helper()
		counted := 0
		for _, f := range filters {
			monthly := read(f)
			restore := topics.DailyReadsOnly()
			daily := read(f)
			restore()
			if !slices.Equal(monthly.Top, daily.Top) || !slices.Equal(monthly.Staff, daily.Staff) ||
				!slices.Equal(monthly.Halls, daily.Halls) {
				t.Errorf("%s: %s..%s %+v:\nmonthly %v\ndaily   %v", stage, f.From.Format(time.DateOnly), f.To.Format(time.DateOnly),
					f, monthly, daily)
			}
			counted += monthly.nTerms
		}
		if counted == 0 {
			t.Fatalf("%s: no filter found any term", stage)
		}
		// And the rollups themselves: each closed month is the sum of its days.
		var diff int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM (
				(SELECT dim, department_code, key, sentiment, date_trunc('month', day)::date, term, sum(n)
				 FROM topic_daily WHERE day < (SELECT through FROM topic_watermark) GROUP BY 1, 2, 3, 4, 5, 6
				 EXCEPT SELECT dim, department_code, key, sentiment, month, term, n FROM topic_monthly)
				UNION ALL
				(SELECT dim, department_code, key, sentiment, month, term, n FROM topic_monthly
				 EXCEPT SELECT dim, department_code, key, sentiment, date_trunc('month', day)::date, term, sum(n)
				 FROM topic_daily WHERE day < (SELECT through FROM topic_watermark) GROUP BY 1, 2, 3, 4, 5, 6)) d`).
			Scan(&diff); err != nil {
			t.Fatal(err)
		}
		if diff != 0 {
			t.Errorf("%s: %d topic_monthly rows differ from the sum of their days", stage, diff)
		}
	}
	compare("drained")

	// Upheld appeals (the exclusion trigger) on ratings of closed months, one
	// put back.
	for _, id := range ids[:60] {
		if _, err := db.Exec(ctx, `UPDATE ratings SET excluded = true WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(ctx, `UPDATE ratings SET excluded = false WHERE id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	compare("appeals upheld")

	// The worker was down for three month ends: the months close from the daily
	// rollup at the next drain, ratings queued meanwhile included.
	if _, err := db.Exec(ctx, `UPDATE topic_watermark SET through = (through - interval '3 months')::date;
		DELETE FROM topic_monthly WHERE month >= (SELECT through FROM topic_watermark)`); err != nil {
		t.Fatal(err)
	}
	var late []domain.Rating
	for i := 0; i < 50; i++ {
		c := comments[i%len(comments)]
		late = append(late, domain.Rating{ID: fmt.Sprintf("L%d", i), Channel: domain.ChannelHall,
			Level: c.level, Negative: c.level.Negative(), RatedAt: today.AddDate(0, -i%5, -i), DepartmentCode: "D-1",
			Service: domain.Service{HallCode: "D-0-H1"}, Comment: c.text})
	}
	testdb.Rate(t, st, late...)
	compare("queued, months not closed")
	drain()
	var through time.Time
	if err := db.QueryRow(ctx, `SELECT through FROM topic_watermark`).Scan(&through); err != nil {
		t.Fatal(err)
	}
	if want := monthStart(0); !through.Equal(want) {
		t.Errorf("watermark %s after the drain, want %s", through.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	compare("months closed again")
}

type comment struct {
	level domain.Level
	text  string
}

func readComments(t *testing.T) []comment {
	t.Helper()
	f, err := os.Open("testdata/comments.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cs []comment
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		g, c, ok := strings.Cut(sc.Text(), "|")
		if !ok || strings.HasPrefix(g, "#") {
			continue
		}
		l := map[string]domain.Level{"n": domain.Dissatisfied, "p": domain.VerySatisfied, "m": domain.BasicallySatisfied}[g]
		cs = append(cs, comment{l, c})
	}
	return cs
}

func shanghai(t *testing.T) *time.Location {
	z, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"rectify/calendar"
	"rectify/stats"
	"rectify/store"
)

// generator makes the ratings day by day, oldest first, so ids and ticket
// numbers grow with time as live ones do.
type generator struct {
	o    Options
	w    *world
	cal  *calendar.Calendar
	rng  *rand.Rand
	base int64 // the first reserved ticket number

	ratings, tickets, events int
}

func (g *generator) run(ctx context.Context, out chan<- chunk, progress func(r, t, e int)) error {
	days, counts := g.days()
	var c chunk
	send := func() error {
		select {
		case out <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
		progress(g.ratings, g.tickets, g.events)
		c = chunk{}
		return nil
	}
	for i, day := range days {
		for _, at := range g.times(day, counts[i]) {
			g.rating(&c, at)
			if len(c.ratings) >= g.o.Chunk {
				if err := send(); err != nil {
					return err
				}
			}
		}
	}
	if len(c.ratings) > 0 {
		return send()
	}
	return nil
}

// days spreads the ratings over the days: working days are busy, weekends and
// holidays quiet, with a slow growth and some noise.
func (g *generator) days() ([]time.Time, []int) {
	last := stats.Day(g.o.Now)
	days := make([]time.Time, g.o.Days)
	weights := make([]float64, g.o.Days)
	var sum float64
	for i := range days {
		d := last.AddDate(0, 0, i-g.o.Days+1)
		days[i] = d
		local := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, stats.Zone)
		w := 1.0
		if ok, err := g.cal.IsWorkingDay(local); err == nil && !ok {
			w = 0.25
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				w = 0.12 // a public holiday
			}
		} else if err != nil && (d.Weekday() == time.Saturday || d.Weekday() == time.Sunday) {
			w = 0.25
		}
		w *= (0.85 + 0.3*float64(i)/float64(g.o.Days)) * (0.9 + 0.2*g.rng.Float64())
		weights[i] = w
		sum += w
	}
	// Largest remainders, so the counts add up to exactly o.Ratings.
	counts := make([]int, len(days))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(days))
	left := g.o.Ratings
	for i, w := range weights {
		x := float64(g.o.Ratings) * w / sum
		counts[i] = int(x)
		left -= counts[i]
		rems[i] = rem{i, x - float64(counts[i])}
	}
	sort.Slice(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; k < left; k++ {
		counts[rems[k%len(rems)].i]++
	}
	return days, counts
}

// times gives n moments of day, sorted: most in office hours, none after now.
func (g *generator) times(day time.Time, n int) []time.Time {
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, stats.Zone)
	limit := 24 * time.Hour
	if end := g.o.Now.Sub(start); end < limit {
		limit = end
	}
	ts := make([]time.Time, n)
	for i := range ts {
		var off time.Duration
		if g.rng.Float64() < 0.85 {
			off = 8*time.Hour + 30*time.Minute + time.Duration(g.rng.Float64()*float64(9*time.Hour))
		} else {
			off = 7*time.Hour + time.Duration(g.rng.Float64()*float64(16*time.Hour))
		}
		if off >= limit {
			off = time.Duration(g.rng.Float64() * float64(limit))
		}
		ts[i] = start.Add(off.Truncate(time.Second))
	}
	sort.Slice(ts, func(a, b int) bool { return ts[a].Before(ts[b]) })
	return ts
}

var levels = []string{"very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"}

// rating adds one rating, and for a negative one its ticket and events.
func (g *generator) rating(c *chunk, at time.Time) {
	rng := g.rng
	g.ratings++
	id := fmt.Sprintf("%s%09d", g.o.IDPrefix, g.ratings)
	d := g.w.pick(rng)
	ch := channelNames[weighted(rng, channelWeights)]
	negative := rng.Float64() < d.negRate
	level := levels[weighted(rng, []float64{62, 28, 10})]
	if negative {
		level = levels[3+weighted(rng, []float64{65, 35})]
	}
	item := d.items[int(float64(len(d.items))*math.Pow(rng.Float64(), 2))]
	staff, hall, caseNo := "", "", ""
	if ch == "hall" || (ch == "web" && rng.Float64() < 0.3) {
		staff = d.staff[int(float64(len(d.staff))*math.Pow(rng.Float64(), 1.5))]
	}
	if ch == "hall" || ch == "kiosk" {
		hall = d.halls[rng.IntN(len(d.halls))]
	}
	if ch != "hotline" {
		caseNo = fmt.Sprintf("BJ%s%07d", at.Format("20060102"), rng.IntN(10_000_000))
	}
	var aspects []string
	switch {
	case negative:
		aspects = pickAspects(rng, negAspectWeights, 1+rng.IntN(3))
	case rng.Float64() < 0.3:
		aspects = pickAspects(rng, posAspectWeights, 1)
	default:
		aspects = []string{}
	}
	comment := ""
	if negative {
		comment = complaints[rng.IntN(len(complaints))]
	} else if rng.Float64() < 0.1 {
		comment = praises[rng.IntN(len(praises))]
	}
	name, phone, anonymous := "", "", true
	if real := 0.4; (negative && rng.Float64() < 0.65) || (!negative && rng.Float64() < real) {
		name = string(surnames[rng.IntN(len(surnames))]) + []string{"先生", "女士"}[rng.IntN(2)]
		phone = fmt.Sprintf("1%d%09d", 3+rng.IntN(7), rng.IntN(1_000_000_000))
		anonymous = false
	}
	excluded := false
	if negative {
		excluded = g.ticket(c, id, at, d, !anonymous)
	}
	c.ratings = append(c.ratings, []any{id, bodyHash(id), ch, level, negative, at, at.Add(time.Duration(rng.IntN(3000)) * time.Millisecond),
		d.code, item, staff, hall, caseNo, d.regions[rng.IntN(len(d.regions))], aspects, comment, name, phone,
		anonymous, excluded, "seed-" + ch})
}

func pickAspects(rng *rand.Rand, ws []float64, n int) []string {
	seen := map[int]bool{}
	var out []string
	for len(out) < n {
		i := weighted(rng, ws)
		if !seen[i] {
			seen[i] = true
			out = append(out, aspectNames[i])
		}
	}
	return out
}

// ticket simulates the negative rating's ticket and reports whether an appeal
// against the rating was upheld.
func (g *generator) ticket(c *chunk, ratingID string, ratedAt time.Time, d *department, reach bool) bool {
	created := ratedAt.Add(time.Duration(1+g.rng.IntN(4)) * time.Second)
	number := "GD" + created.In(stats.Zone).Format("20060102") + store.TicketNumberSuffix(g.base+int64(g.tickets))
	g.tickets++
	l := &life{rng: g.rng, cal: g.cal, now: g.o.Now, w: g.w, d: d, reach: reach}
	l.t.number, l.t.ratingID = number, ratingID
	l.run(created, g.rng.Float64() >= 0.01) // 1%: the department was not registered yet
	t := l.t
	c.tickets = append(c.tickets, []any{t.number, t.ratingID, t.status, t.resolution, t.dept, t.round, t.stageStarted,
		t.due, t.overdue, t.escalation, t.pending, t.callAttempts, t.callTask, t.report, t.created, t.updated, t.closed,
		t.version, true})
	for _, e := range l.events {
		c.events = append(c.events, []any{t.number, e.seq, e.typ, e.actor, e.role, e.at, e.note, e.dept, e.round, e.data})
	}
	g.events += len(l.events)
	return l.upheld
}

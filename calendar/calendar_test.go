package calendar

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo
)

var cst = MustZone("Asia/Shanghai")

func newCal(t *testing.T) *Calendar {
	t.Helper()
	return New(cst, 18*time.Hour)
}

// at parses "2006-01-02 15:04" in Asia/Shanghai.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// day parses "2006-01-02" as noon in Asia/Shanghai.
func day(t testing.TB, s string) time.Time {
	t.Helper()
	return at(t, s+" 12:00")
}

func checkWorking(t *testing.T, c *Calendar, want map[string]bool) {
	t.Helper()
	for d, w := range want {
		got, err := c.IsWorkingDay(day(t, d))
		if err != nil {
			t.Errorf("IsWorkingDay(%s): %v", d, err)
			continue
		}
		if got != w {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", d, got, w)
		}
	}
}

func TestIsWorkingDay2026(t *testing.T) {
	c := newCal(t)
	checkWorking(t, c, map[string]bool{
		// ordinary week
		"2026-03-09": true, "2026-03-13": true, "2026-03-14": false, "2026-03-15": false,
		// Spring Festival: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked
		"2026-02-13": true, "2026-02-14": true, "2026-02-15": false, "2026-02-16": false,
		"2026-02-20": false, "2026-02-23": false, "2026-02-24": true, "2026-02-28": true,
		"2026-03-01": false,
		// Labour Day as HolidayUtil v1.4.7 has it: 05-01..05-05 off, Sat 05-09
		// worked. Sunday 04-26 is NOT a 调休 day in the data (May 1 is a
		// Friday, so the 2026 notice needs only one make-up day).
		"2026-04-26": false, "2026-04-30": true, "2026-05-01": false, "2026-05-04": false,
		"2026-05-05": false, "2026-05-06": true, "2026-05-09": true, "2026-05-10": false,
		// National Day: 10-01..10-07 off, Sun 09-20 and Sat 10-10 worked
		"2026-09-20": true, "2026-09-30": true, "2026-10-01": false, "2026-10-07": false,
		"2026-10-08": true, "2026-10-10": true, "2026-10-11": false,
		// year ends
		"2026-12-31": true, "2027-01-01": false, "2027-01-04": true,
	})
}

// TestLabourDay2026Data pins the raw HolidayUtil entries so a dependency bump
// that changes them is noticed.
func TestLabourDay2026Data(t *testing.T) {
	days, source, err := newCal(t).Year(2026)
	if err != nil {
		t.Fatal(err)
	}
	if source != BuiltinSource {
		t.Errorf("source = %q, want %q", source, BuiltinSource)
	}
	var got []string
	for _, d := range days {
		if d.Date >= "2026-04-20" && d.Date <= "2026-05-15" {
			got = append(got, d.Date+" "+string(d.Kind)+" "+d.Name)
		}
	}
	want := []string{
		"2026-05-01 holiday 劳动节", "2026-05-02 holiday 劳动节", "2026-05-03 holiday 劳动节",
		"2026-05-04 holiday 劳动节", "2026-05-05 holiday 劳动节", "2026-05-09 workday 劳动节",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Labour Day 2026:\n got %q\nwant %q", got, want)
	}
	for i := 1; i < len(days); i++ {
		if days[i-1].Date >= days[i].Date {
			t.Errorf("Year not sorted at %s", days[i].Date)
		}
	}
}

func TestDeadline(t *testing.T) {
	c := newCal(t)
	tests := []struct {
		name string
		from time.Time
		n    int
		want string
	}{
		{"plain weekday", at(t, "2026-03-09 10:00"), 1, "2026-03-10 18:00"},
		{"over weekend", at(t, "2026-03-12 10:00"), 3, "2026-03-17 18:00"},
		{"receipt day never counts", at(t, "2026-03-09 08:00"), 5, "2026-03-16 18:00"},
		{"Spring Festival: Sat 02-14 is worked", at(t, "2026-02-13 10:00"), 1, "2026-02-14 18:00"},
		{"Spring Festival skipped", at(t, "2026-02-13 10:00"), 2, "2026-02-24 18:00"},
		{"Spring Festival: Sat 02-28 is worked", at(t, "2026-02-26 10:00"), 2, "2026-02-28 18:00"},
		{"Labour Day skipped", at(t, "2026-04-30 10:00"), 1, "2026-05-06 18:00"},
		{"Labour Day: Sat 05-09 worked", at(t, "2026-05-08 10:00"), 1, "2026-05-09 18:00"},
		{"Labour Day: Sun 04-26 not worked", at(t, "2026-04-24 10:00"), 1, "2026-04-27 18:00"},
		{"National Day: Sun 09-20 worked", at(t, "2026-09-18 10:00"), 1, "2026-09-20 18:00"},
		{"National Day skipped", at(t, "2026-09-30 10:00"), 1, "2026-10-08 18:00"},
		{"National Day: Sat 10-10 worked", at(t, "2026-10-09 10:00"), 1, "2026-10-10 18:00"},
		{"mid-autumn + National Day, 15 days", at(t, "2026-09-21 10:00"), 15, "2026-10-19 18:00"},
		{"year end into 2027", at(t, "2026-12-31 10:00"), 1, "2027-01-04 18:00"},
		{"year end, 3 days", at(t, "2026-12-30 10:00"), 3, "2027-01-05 18:00"},
		{"received on a holiday", at(t, "2026-10-03 10:00"), 1, "2026-10-08 18:00"},
		{"received after end of day at 20:00", at(t, "2026-03-09 20:00"), 1, "2026-03-10 18:00"},
		// Given in UTC: 2026-02-12 16:05 UTC is Friday 02-13 00:05 in Shanghai.
		{"just after midnight CST, given in UTC", time.Date(2026, 2, 12, 16, 5, 0, 0, time.UTC), 1, "2026-02-14 18:00"},
		// 2026-02-13 12:00 UTC is Friday 02-13 20:00 in Shanghai.
		{"evening CST, given in UTC", time.Date(2026, 2, 13, 12, 0, 0, 0, time.UTC), 1, "2026-02-14 18:00"},
		// 2026-03-08 23:30 UTC is already Monday 03-09 07:30 in Shanghai.
		{"UTC Sunday is CST Monday", time.Date(2026, 3, 8, 23, 30, 0, 0, time.UTC), 1, "2026-03-10 18:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Deadline(tt.from, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if want := at(t, tt.want); !got.Equal(want) || got.Location() != cst {
				t.Errorf("Deadline(%v, %d) = %v, want %v", tt.from, tt.n, got, want)
			}
		})
	}
}

func TestShift(t *testing.T) {
	c := newCal(t)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-11 10:00", 0, "2026-03-11 18:00"},
		{"2026-03-14 10:00", 0, "2026-03-14 18:00"}, // n == 0: own day, even a Saturday
		{"2026-03-11 10:00", -1, "2026-03-10 18:00"},
		{"2026-03-09 10:00", -1, "2026-03-06 18:00"},
		{"2026-02-24 10:00", -1, "2026-02-14 18:00"}, // back over Spring Festival onto the worked Saturday
		{"2026-02-24 10:00", -2, "2026-02-13 18:00"},
		{"2026-10-08 18:00", -1, "2026-09-30 18:00"},
		{"2026-10-08 18:00", -8, "2026-09-20 18:00"}, // 09-30..09-28, 09-24..09-21, then Sun 09-20
		{"2027-01-04 09:00", -1, "2026-12-31 18:00"},
	}
	for _, tt := range tests {
		got, err := c.Shift(at(t, tt.from), tt.n)
		if err != nil {
			t.Errorf("Shift(%s, %d): %v", tt.from, tt.n, err)
			continue
		}
		if want := at(t, tt.want); !got.Equal(want) {
			t.Errorf("Shift(%s, %d) = %v, want %v", tt.from, tt.n, got, want)
		}
	}
}

// Extending a stage by k days is Stage(from, n+k); that relies on shifting
// from a working-day end composing additively, for either sign.
func TestShiftComposes(t *testing.T) {
	c := newCal(t)
	start := at(t, "2026-02-13 18:00") // a working-day end
	for n := -30; n <= 30; n++ {
		for _, k := range []int{-12, -3, -1, 1, 2, 5, 12} {
			mid, err := c.Shift(start, n)
			if err != nil {
				t.Fatal(err)
			}
			got, err1 := c.Shift(mid, k)
			want, err2 := c.Shift(start, n+k)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if !got.Equal(want) {
				t.Errorf("Shift(Shift(t,%d),%d) = %v, Shift(t,%d) = %v", n, k, got, n+k, want)
			}
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := newCal(t)
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-03-09 10:00", "2026-03-09 17:00", 0},
		{"2026-03-10 10:00", "2026-03-09 17:00", 0},
		{"2026-03-09 23:00", "2026-03-10 01:00", 1},
		{"2026-03-06 10:00", "2026-03-09 10:00", 1},
		{"2026-02-13 10:00", "2026-02-28 10:00", 6},   // 02-14, 02-24..27, 02-28
		{"2026-09-30 10:00", "2026-10-10 10:00", 3},   // 10-08, 10-09, 10-10
		{"2026-01-01 00:00", "2027-01-01 00:00", 248}, // 261 weekdays - 19 weekday holidays + 6 调休
	}
	for _, tt := range tests {
		got, err := c.WorkingDaysBetween(at(t, tt.a), at(t, tt.b))
		if err != nil || got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
	}
}

func TestNoData(t *testing.T) {
	c := newCal(t)
	from := at(t, "2035-03-06 10:00")
	if _, err := c.Deadline(from, 1); !errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), "2035") {
		t.Errorf("Deadline in 2035: err = %v, want ErrNoData naming 2035", err)
	}
	if _, err := c.IsWorkingDay(from); !errors.Is(err, ErrNoData) {
		t.Errorf("IsWorkingDay in 2035: err = %v, want ErrNoData", err)
	}
	if _, _, err := c.Year(2035); !errors.Is(err, ErrNoData) {
		t.Errorf("Year(2035): err = %v, want ErrNoData", err)
	}
	if _, err := c.WorkingDaysBetween(at(t, "2027-12-01 10:00"), at(t, "2028-01-10 10:00")); !errors.Is(err, ErrNoData) {
		t.Errorf("WorkingDaysBetween into 2028: err = %v, want ErrNoData", err)
	}
	// Data ends in 2027: a deadline running into 2028 must fail, not guess.
	if _, err := c.Deadline(at(t, "2027-12-30 10:00"), 2); !errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), "2028") {
		t.Errorf("Deadline into 2028: err = %v, want ErrNoData naming 2028", err)
	}
	for _, extreme := range []time.Time{time.Unix(1<<62, 0), time.Unix(-1<<62, 0), {}} {
		if _, err := c.Deadline(extreme, 1); !errors.Is(err, ErrNoData) {
			t.Errorf("Deadline(%v): err = %v, want ErrNoData", extreme, err)
		}
	}
	// 2001 only lists 2002's 调休 days, no holiday: not a data year.
	for year, want := range map[int]bool{2001: false, 2002: true, 2026: true, 2027: true, 2028: false, 0: false, -5: false, 10000: false} {
		if got := c.HasData(year); got != want {
			t.Errorf("HasData(%d) = %v, want %v", year, got, want)
		}
	}
}

func TestOverrides(t *testing.T) {
	c := newCal(t)
	err := c.SetOverrides([]Day{
		{Date: "2026-03-11", Kind: Holiday, Name: "weekday made holiday"},
		{Date: "2026-03-14", Kind: Workday, Name: "Saturday made working"},
		{Date: "2026-10-08", Kind: Workday, Name: "built-in? no, plain weekday"},
		{Date: "2026-10-07", Kind: Workday, Name: "built-in holiday overridden"},
		{Date: "2035-01-01", Kind: Holiday, Name: "元旦"},
		{Date: "2035-01-06", Kind: Workday, Name: "调休"},
		{Date: "2036-01-05", Kind: Workday, Name: "stray 调休 only"},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkWorking(t, c, map[string]bool{
		"2026-03-10": true, "2026-03-11": false, "2026-03-14": true, "2026-03-15": false,
		"2026-10-06": false, "2026-10-07": true,
		// 2035 has data through the Holiday override: weekdays by default.
		"2035-01-01": false, "2035-01-02": true, "2035-01-06": true, "2035-01-07": false, "2035-06-04": true,
	})
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-10 09:00", 1, "2026-03-12 18:00"},
		{"2026-03-13 09:00", 1, "2026-03-14 18:00"},
		{"2026-10-06 09:00", 1, "2026-10-07 18:00"},
		{"2034-12-31 09:00", 1, "2035-01-02 18:00"}, // 2034 has no data but is not counted
		{"2035-01-05 09:00", 1, "2035-01-06 18:00"},
	}
	for _, tt := range tests {
		got, err := c.Deadline(at(t, tt.from), tt.n)
		if err != nil || !got.Equal(at(t, tt.want)) {
			t.Errorf("Deadline(%s, %d) = %v, %v; want %s", tt.from, tt.n, got, err, tt.want)
		}
	}
	if _, err := c.IsWorkingDay(day(t, "2036-01-05")); !errors.Is(err, ErrNoData) {
		t.Errorf("2036 with only a Workday override: err = %v, want ErrNoData", err)
	}

	days, source, err := c.Year(2035)
	if err != nil || source != "overrides" || len(days) != 2 || days[0].Date != "2035-01-01" {
		t.Errorf("Year(2035) = %v, %q, %v", days, source, err)
	}
	days, source, err = c.Year(2026)
	if err != nil || source != BuiltinSource+" + overrides" {
		t.Fatalf("Year(2026) source = %q, %v", source, err)
	}
	for _, d := range days {
		if d.Date == "2026-10-07" && d.Kind != Workday {
			t.Errorf("Year(2026) lists %v, override should win", d)
		}
	}

	// Invalid input is refused and leaves the previous overrides in place.
	for _, bad := range [][]Day{
		{{Date: "2026-3-11", Kind: Holiday}},
		{{Date: "2026-02-30", Kind: Holiday}},
		{{Date: "2026-03-11", Kind: "off"}},
		{{Date: "2026-03-11", Kind: Holiday}, {Date: "2026-03-11", Kind: Workday}},
	} {
		if err := c.SetOverrides(bad); err == nil {
			t.Errorf("SetOverrides(%v) accepted", bad)
		}
	}
	checkWorking(t, c, map[string]bool{"2026-03-11": false})

	// Replacing clears the old set.
	if err := c.SetOverrides(nil); err != nil {
		t.Fatal(err)
	}
	checkWorking(t, c, map[string]bool{"2026-03-11": true, "2026-03-14": false})
	if c.HasData(2035) {
		t.Error("HasData(2035) after clearing overrides")
	}
}

func TestEndOfDayConfigurable(t *testing.T) {
	for _, tt := range []struct {
		eod  time.Duration
		want string
	}{
		{18 * time.Hour, "2026-03-10 18:00"},
		{17*time.Hour + 30*time.Minute, "2026-03-10 17:30"},
		{0, "2026-03-10 00:00"},
	} {
		c := New(cst, tt.eod)
		got, err := c.Deadline(at(t, "2026-03-09 20:00"), 1)
		if err != nil || !got.Equal(at(t, tt.want)) {
			t.Errorf("endOfDay %v: got %v, %v; want %s", tt.eod, got, err, tt.want)
		}
	}
	// A day is the calendar's location's day: in UTC, 2026-03-09 20:00 CST is
	// 12:00 on 03-09 as well, but 2026-03-10 02:00 CST is still 03-09 in UTC.
	c := New(time.UTC, 10*time.Hour)
	got, err := c.Deadline(at(t, "2026-03-10 02:00"), 1)
	if want := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC); err != nil || !got.Equal(want) {
		t.Errorf("UTC calendar: got %v, %v; want %v", got, err, want)
	}
	if c.Location() != time.UTC {
		t.Error("Location")
	}
}

func TestOutOfRange(t *testing.T) {
	c := newCal(t)
	from := at(t, "2026-03-09 10:00")
	for _, n := range []int{0, -1} {
		if _, err := c.Deadline(from, n); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("Deadline(n=%d): err = %v, want ErrOutOfRange", n, err)
		}
	}
	for _, n := range []int{MaxDays + 1, -MaxDays - 1, 1 << 40} {
		if _, err := c.Shift(from, n); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("Shift(n=%d): err = %v, want ErrOutOfRange", n, err)
		}
	}
	if _, err := c.WorkingDaysBetween(from, from.AddDate(50, 0, 0)); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("WorkingDaysBetween over 50 years: err = %v", err)
	}
}

func TestStage(t *testing.T) {
	c := newCal(t)
	from := at(t, "2026-09-29 10:00") // Tuesday before National Day
	ptr := func(v time.Time) *time.Time { return &v }
	tm := func(s string) *time.Time { return ptr(at(t, s)) }
	tests := []struct {
		name   string
		s      Schedule
		n      int
		remind *time.Time
		due    time.Time
		esc    time.Time
	}{
		{"default policy", Schedule{Cal: c, Policy: DefaultPolicy()}, 2,
			tm("2026-09-30 18:00"), at(t, "2026-10-08 18:00"), at(t, "2026-10-10 18:00")},
		{"no reminder", Schedule{Cal: c, Policy: Policy{EscalateAfter: 2}}, 2,
			nil, at(t, "2026-10-08 18:00"), at(t, "2026-10-10 18:00")},
		{"reminder would be before from", Schedule{Cal: c, Policy: Policy{RemindBefore: 3, EscalateAfter: 1}}, 2,
			nil, at(t, "2026-10-08 18:00"), at(t, "2026-10-09 18:00")},
		{"reminder on from's own day, later", Schedule{Cal: c, Policy: DefaultPolicy()}, 1,
			tm("2026-09-29 18:00"), at(t, "2026-09-30 18:00"), at(t, "2026-10-09 18:00")},
		{"extension is n+k", Schedule{Cal: c, Policy: DefaultPolicy()}, 2 + 3,
			tm("2026-10-10 18:00"), at(t, "2026-10-12 18:00"), at(t, "2026-10-14 18:00")},
		// Compressed: one calendar day = 2s. Due is 9d8h after from -> 18.667s,
		// reminder 1d8h -> 2.667s, level 2 11d8h -> 22.667s.
		{"compressed 2s/day", Schedule{Cal: c, Compressed: 2 * time.Second, Policy: DefaultPolicy()}, 2,
			ptr(from.Add(2667 * time.Millisecond)),
			from.Add(18667 * time.Millisecond), from.Add(22667 * time.Millisecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.s.Stage(from, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if !got.DueAt.Equal(tt.due) || !got.Escalate2At.Equal(tt.esc) {
				t.Errorf("due, esc = %v, %v; want %v, %v", got.DueAt, got.Escalate2At, tt.due, tt.esc)
			}
			switch {
			case (got.RemindAt == nil) != (tt.remind == nil):
				t.Errorf("RemindAt = %v, want %v", got.RemindAt, tt.remind)
			case got.RemindAt != nil && !got.RemindAt.Equal(*tt.remind):
				t.Errorf("RemindAt = %v, want %v", *got.RemindAt, *tt.remind)
			}
		})
	}

	// Compressed keeps holidays: a stage over National Day lasts longer than
	// the same stage in an ordinary week.
	s := Schedule{Cal: c, Compressed: 2 * time.Second, Policy: DefaultPolicy()}
	holiday, _ := s.Stage(from, 2)
	plain, _ := s.Stage(at(t, "2026-03-10 10:00"), 2)
	if hd, pd := holiday.DueAt.Sub(from), plain.DueAt.Sub(at(t, "2026-03-10 10:00")); hd <= pd {
		t.Errorf("compressed holiday stage %v not longer than plain %v", hd, pd)
	}

	for name, bad := range map[string]Schedule{
		"nil calendar": {Policy: DefaultPolicy()},
		"negative":     {Cal: c, Policy: Policy{RemindBefore: -1}},
		"negative cmp": {Cal: c, Compressed: -time.Second},
	} {
		if _, err := bad.Stage(from, 2); err == nil {
			t.Errorf("%s: Stage accepted", name)
		}
	}
	if _, err := (Schedule{Cal: c}).Stage(from, 0); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("Stage(n=0): err = %v", err)
	}
	// Level 2 beyond the data horizon fails loudly.
	if _, err := (Schedule{Cal: c, Policy: DefaultPolicy()}).Stage(at(t, "2027-12-29 10:00"), 2); !errors.Is(err, ErrNoData) {
		t.Errorf("Stage into 2028: err = %v, want ErrNoData", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := newCal(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				if i%2 == 0 {
					_ = c.SetOverrides([]Day{{Date: "2026-03-11", Kind: Holiday}})
				}
				if _, err := c.Deadline(at(t, "2026-03-02 10:00").AddDate(0, 0, j), 10); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

// BuiltinSource must name the lunar-go version go.mod requires. (Test
// binaries carry no dependency build info, so read go.mod itself.)
func TestBuiltinSourceMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Skip("go.mod not found:", err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/6tail/lunar-go" {
			if want := "lunar-go " + f[1]; BuiltinSource != want {
				t.Errorf("BuiltinSource = %q, go.mod requires %q", BuiltinSource, want)
			}
			return
		}
	}
	t.Error("go.mod does not require github.com/6tail/lunar-go")
}

func TestNewPanicsOnBadConfig(t *testing.T) {
	for name, f := range map[string]func(){
		"nil loc": func() { New(nil, 18*time.Hour) },
		"24h":     func() { New(cst, 24*time.Hour) },
		"neg":     func() { New(cst, -time.Minute) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func FuzzDeadline(f *testing.F) {
	f.Add(int64(1771000000), 3, uint16(18*60))  // 2026-02-14 00:26 CST, Spring Festival
	f.Add(int64(1790000000), 10, uint16(17*60)) // 2026-09-21 22:13 CST, before National Day
	f.Add(int64(1798700000), 1, uint16(0))      // 2026-12-31 14:53 CST
	f.Add(int64(2050000000), 1, uint16(600))    // 2034-12-18: no data
	f.Add(int64(1700000000), 0, uint16(1439))   // invalid n
	f.Add(int64(1700000000), 4000, uint16(60))  // n too large
	f.Fuzz(func(t *testing.T, sec int64, n int, eodMin uint16) {
		eod := time.Duration(eodMin%(24*60)) * time.Minute
		c := New(cst, eod)
		// Fold into 1999..2030 so most inputs reach real data (and the
		// no-data years on both sides); extreme times are in TestNoData.
		const lo, span = 915148800, 32 * 365 * 86400 // 1999-01-01 UTC
		from := time.Unix(lo+((sec%span)+span)%span, 0).UTC()
		got, err := c.Deadline(from, n)
		if n < 1 || n > MaxDays {
			if !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("Deadline(%v, %d): err = %v, want ErrOutOfRange", from, n, err)
			}
			return
		}
		if err != nil {
			if !errors.Is(err, ErrNoData) {
				t.Fatalf("Deadline(%v, %d): unexpected error %v", from, n, err)
			}
			return
		}
		if !got.After(from) {
			t.Fatalf("Deadline(%v, %d) = %v, not after from", from, n, got)
		}
		local := got.In(cst)
		if h, m, s := local.Clock(); time.Duration(h)*time.Hour+time.Duration(m)*time.Minute+time.Duration(s)*time.Second != eod || local.Nanosecond() != 0 {
			t.Fatalf("Deadline(%v, %d) = %v, not at end of day %v", from, n, local, eod)
		}
		if ok, err := c.IsWorkingDay(got); err != nil || !ok {
			t.Fatalf("Deadline(%v, %d) = %v, not a working day (%v)", from, n, local, err)
		}
		if k, err := c.WorkingDaysBetween(from, got); err != nil || k != n {
			t.Fatalf("WorkingDaysBetween(%v, %v) = %d, %v; want %d", from, got, k, err, n)
		}
	})
}

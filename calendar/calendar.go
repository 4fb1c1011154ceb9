// Package calendar is the Chinese working-day (工作日) calendar used for
// rectification deadlines.
//
// A working day is Monday–Friday, minus statutory holidays, plus adjusted
// working days (调休) on weekends. The built-in data comes from
// github.com/6tail/lunar-go HolidayUtil, which lists only holidays and 调休
// days; weekends are computed here. Admin overrides (SetOverrides) win over
// the built-in data, so next year's schedule, published by the State Council
// each November, can be entered without a release.
//
// Years without data. A year "has data" when HolidayUtil lists at least one
// holiday (not just a 调休 working day) in it, or when the overrides contain
// at least one day of kind Holiday in it. A single Workday override is not
// enough because every real schedule has holidays (元旦 at least): a lone
// 调休 entry is a stray or partial entry, and treating its year as complete
// would silently give weekends-only answers. For the same reason the built-in
// 2001, which only carries the 调休 days of 2002's New Year, has no data.
// Asking about any day of a year without data returns an error wrapping
// ErrNoData that names the year, even for a day that has an override.
//
// Time. Dates are calendar days in the Calendar's location (Asia/Shanghai in
// production); "the end" of a day is the wall-clock time endOfDay after
// midnight on it. Deadline(from, n) is the end of the n-th working day after
// the day of from, so the day of receipt never counts and the last day counts
// in full. Loops are bounded: |n| may not exceed MaxDays.
//
// Compressed time. For demos and end-to-end tests, Schedule.Compressed sets
// the wall-clock length of one calendar day (e.g. 2s). Stage first computes
// the real reminder, due and escalation times r, then maps each to
// from + (r - from) * Compressed / 24h, rounding the offset to milliseconds.
// Weekends and holidays therefore stretch a stage exactly as in real time,
// only faster, and a demo shows the same relative timing as production.
package calendar

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Kind says whether a listed day is a day off or a working day.
type Kind string

const (
	Holiday Kind = "holiday"
	Workday Kind = "workday"
)

// Day is one exception to the Monday–Friday rule.
type Day struct {
	Date string // "2006-01-02"
	Kind Kind
	Name string
}

// DateLayout is the format of Day.Date.
const DateLayout = "2006-01-02"

// BuiltinSource names the built-in data; keep it in step with go.mod
// (a test compares it with the build info).
const BuiltinSource = "lunar-go v1.4.7"

// MaxDays bounds every working-day count and scan so bad input cannot hang.
const MaxDays = 3660

var (
	ErrNoData = errors.New("calendar: no holiday data for year")
	// ErrOutOfRange reports a working-day count (or span) outside what the
	// API accepts: n < 1 for Deadline, |n| > MaxDays, or spans too long.
	ErrOutOfRange = errors.New("calendar: working-day count out of range")
)

// Calendar answers working-day questions. It is safe for concurrent use.
type Calendar struct {
	loc      *time.Location
	endOfDay time.Duration
	ov       atomic.Pointer[overrides] // immutable snapshot, swapped whole
}

type overrides struct {
	days      map[string]Day // by date
	dataYears map[int]bool   // years with at least one Holiday override
	years     map[int]bool   // years with any override (for Year's source)
}

// MustZone loads the named time zone and panics when it is unknown: for the
// package-level zones (Asia/Shanghai) that nothing can run without.
func MustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// New returns a Calendar for loc whose days end endOfDay after midnight
// (e.g. 18*time.Hour). It panics on a nil loc or an endOfDay outside
// [0, 24h): both are configuration bugs that would otherwise shift every
// deadline silently.
func New(loc *time.Location, endOfDay time.Duration) *Calendar {
	if loc == nil {
		panic("calendar: nil location")
	}
	if endOfDay < 0 || endOfDay >= 24*time.Hour {
		panic(fmt.Sprintf("calendar: endOfDay %v outside [0, 24h)", endOfDay))
	}
	c := &Calendar{loc: loc, endOfDay: endOfDay}
	c.ov.Store(&overrides{})
	return c
}

// Location returns the time zone the calendar's days are in.
func (c *Calendar) Location() *time.Location { return c.loc }

// SetOverrides replaces all overrides at once. On error nothing changes.
func (c *Calendar) SetOverrides(days []Day) error {
	o := &overrides{days: map[string]Day{}, dataYears: map[int]bool{}, years: map[int]bool{}}
	for _, d := range days {
		t, err := time.Parse(DateLayout, d.Date)
		if err != nil {
			return fmt.Errorf("calendar: override date %q: %w", d.Date, err)
		}
		if d.Kind != Holiday && d.Kind != Workday {
			return fmt.Errorf("calendar: override %s: kind %q is not %q or %q", d.Date, d.Kind, Holiday, Workday)
		}
		if _, dup := o.days[d.Date]; dup {
			return fmt.Errorf("calendar: override %s given twice", d.Date)
		}
		o.days[d.Date] = d
		o.years[t.Year()] = true
		if d.Kind == Holiday {
			o.dataYears[t.Year()] = true
		}
	}
	c.ov.Store(o)
	return nil
}

// HasData reports whether working days can be computed for year.
func (c *Calendar) HasData(year int) bool {
	return hasData(c.ov.Load(), year)
}

func hasData(o *overrides, year int) bool {
	return o.dataYears[year] || builtinYear(year).hasHoliday
}

// Year lists the exceptions to Monday–Friday in year: the built-in data
// merged with the overrides (an override replaces the built-in entry for its
// date), sorted by date. Overrides are always listed, even one restating the
// default, so admins see what they set.
func (c *Calendar) Year(year int) ([]Day, string, error) {
	o := c.ov.Load()
	if !hasData(o, year) {
		return nil, "", noData(year)
	}
	merged := map[string]Day{}
	b := builtinYear(year)
	for k, d := range b.days {
		merged[k] = d
	}
	prefix := fmt.Sprintf("%04d-", year)
	for k, d := range o.days {
		if k[:5] == prefix {
			merged[k] = d
		}
	}
	days := make([]Day, 0, len(merged))
	for _, d := range merged {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	source := BuiltinSource
	switch {
	case len(b.days) == 0:
		source = "overrides"
	case o.years[year]:
		source += " + overrides"
	}
	return days, source, nil
}

// IsWorkingDay reports whether the calendar day of date (in the calendar's
// location) is a working day.
func (c *Calendar) IsWorkingDay(date time.Time) (bool, error) {
	return c.working(c.ov.Load(), c.civil(date))
}

// Shift returns the end of the n-th working day after (n > 0) or before
// (n < 0) the calendar day of t; the day of t itself is never counted.
// n == 0 returns the end of t's own day, working or not.
func (c *Calendar) Shift(t time.Time, n int) (time.Time, error) {
	if n > MaxDays || n < -MaxDays {
		return time.Time{}, fmt.Errorf("%w: %d working days (max %d)", ErrOutOfRange, n, MaxDays)
	}
	o := c.ov.Load() // one snapshot for the whole walk
	day := c.civil(t)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	// Even with pathological overrides a data year keeps some working days;
	// the scan cap only guards against a calendar with none at all.
	for scanned := 0; n > 0; scanned++ {
		if scanned > 3*MaxDays {
			return time.Time{}, fmt.Errorf("%w: no working day within %d days", ErrOutOfRange, scanned)
		}
		day = day.AddDate(0, 0, step)
		ok, err := c.working(o, day)
		if err != nil {
			return time.Time{}, err
		}
		if ok {
			n--
		}
	}
	return c.endOf(day), nil
}

// Deadline is the end of the n-th working day after the day of from
// (n >= 1): receipt day excluded, last day counted in full.
func (c *Calendar) Deadline(from time.Time, n int) (time.Time, error) {
	if n < 1 {
		return time.Time{}, fmt.Errorf("%w: deadline of %d working days", ErrOutOfRange, n)
	}
	return c.Shift(from, n)
}

// WorkingDaysBetween counts working days d with day(a) < d <= day(b); 0 when
// day(b) <= day(a). Spans beyond 2*MaxDays calendar days are refused.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) (int, error) {
	o := c.ov.Load()
	from, to := c.civil(a), c.civil(b)
	if to.Sub(from) > 2*MaxDays*24*time.Hour {
		return 0, fmt.Errorf("%w: span %s..%s too long", ErrOutOfRange, from.Format(DateLayout), to.Format(DateLayout))
	}
	count := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		ok, err := c.working(o, d)
		if err != nil {
			return 0, err
		}
		if ok {
			count++
		}
	}
	return count, nil
}

// civil returns the calendar day of t in the calendar's location, as midnight
// UTC so that day arithmetic is free of DST and zone effects.
func (c *Calendar) civil(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// endOf gives the wall-clock end of a civil day in the calendar's location.
// Passing endOfDay as nanoseconds lets time.Date normalise it to a wall-clock
// time, so 18h means 18:00 even on a DST-change day.
func (c *Calendar) endOf(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, int(c.endOfDay), c.loc)
}

func (c *Calendar) working(o *overrides, day time.Time) (bool, error) {
	if !hasData(o, day.Year()) {
		return false, noData(day.Year())
	}
	key := day.Format(DateLayout)
	if d, ok := o.days[key]; ok {
		return d.Kind == Workday, nil
	}
	if d, ok := builtinYear(day.Year()).days[key]; ok {
		return d.Kind == Workday, nil
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday, nil
}

func noData(year int) error { return fmt.Errorf("%w %d", ErrNoData, year) }

// builtinData is HolidayUtil's list for one year, read once: HolidayUtil
// scans a 20 KB string on every call, too slow for day-by-day loops.
type builtinData struct {
	days       map[string]Day
	hasHoliday bool
}

var builtinCache sync.Map // year -> *builtinData

func builtinYear(year int) *builtinData {
	if year < 1 || year > 9999 { // HolidayUtil keys are 4-digit years
		return &builtinData{} // not cached, so odd input cannot grow the cache
	}
	if v, ok := builtinCache.Load(year); ok {
		return v.(*builtinData)
	}
	b := &builtinData{days: map[string]Day{}}
	for e := HolidayUtil.GetHolidaysByYear(year).Front(); e != nil; e = e.Next() {
		h := e.Value.(*HolidayUtil.Holiday)
		d := Day{Date: h.GetDay(), Kind: Holiday, Name: h.GetName()}
		if h.IsWork() {
			d.Kind = Workday
		} else {
			b.hasHoliday = true
		}
		b.days[d.Date] = d
	}
	v, _ := builtinCache.LoadOrStore(year, b)
	return v.(*builtinData)
}

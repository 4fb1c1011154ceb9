package campaigns

import (
	"errors"
	"fmt"
	"time"
)

// WorkingDays is the part of the working-day calendar the calling window needs;
// *calendar.Calendar has it.
type WorkingDays interface {
	IsWorkingDay(date time.Time) (bool, error)
	Location() *time.Location
}

// Window says whether citizens may be called at a moment, and until when, or
// from when.
type Window struct {
	Open  bool
	Until time.Time // Open: when today's window closes
	Next  time.Time // closed: when the next window opens
}

// windowSearchDays bounds the search for the next calling day: the longest
// holiday run is nine days, so a month without one means broken calendar data.
const windowSearchDays = 31

// WindowAt is the calling window at now: calls only within CallingHours, and only
// on working days (调休 Saturdays included, holidays excluded) unless
// CallOnNonWorkingDays. A year without holiday data is an error, never a guess.
func (r Rules) WindowAt(cal WorkingDays, now time.Time) (w Window, err error) {
	start, end, err := r.CallingHours.bounds()
	if err != nil {
		return Window{}, err
	}
	loc := cal.Location()
	local := now.In(loc)
	y, m, d := local.Date()
	for i := 0; i <= windowSearchDays; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		if !r.CallOnNonWorkingDays {
			ok, err := cal.IsWorkingDay(day)
			if err != nil {
				return Window{}, fmt.Errorf("campaigns: calling window: %w", err)
			}
			if !ok {
				continue
			}
		}
		// Nanoseconds since midnight, so the wall clock is right even on a DST day.
		from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, int(start), loc)
		until := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, int(end), loc)
		switch {
		case now.Before(from):
			return Window{Next: from}, nil
		case now.Before(until):
			return Window{Open: true, Until: until}, nil
		}
	}
	return Window{}, fmt.Errorf("campaigns: no calling day within %d days of %s", windowSearchDays, local.Format("2006-01-02"))
}

// NextRelease is when the campaign should release again after releasing at now,
// w being the window at now: after interval while the window stays open and the
// teams have room (full false), otherwise when the next window opens.
func (r Rules) NextRelease(cal WorkingDays, w Window, now time.Time, interval time.Duration, full bool) (time.Time, error) {
	if !w.Open {
		return w.Next, nil
	}
	if next := now.Add(interval); !full && next.Before(w.Until) {
		return next, nil
	}
	nw, err := r.WindowAt(cal, w.Until)
	return nw.Next, err
}

// bounds parses the window into offsets from midnight.
func (h Hours) bounds() (start, end time.Duration, err error) {
	parse := func(s string, allow24 bool) (time.Duration, error) {
		if allow24 && s == "24:00" {
			return 24 * time.Hour, nil
		}
		t, err := time.Parse("15:04", s)
		if err != nil {
			return 0, fmt.Errorf("%q is not HH:MM", s)
		}
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
	}
	if start, err = parse(h.Start, false); err != nil {
		return 0, 0, err
	}
	if end, err = parse(h.End, true); err != nil {
		return 0, 0, err
	}
	if end <= start {
		return 0, 0, errors.New("end must be after start")
	}
	return start, end, nil
}

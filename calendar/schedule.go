package calendar

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Policy sets when a stage reminds and escalates, in working days. The zero
// value means no reminder and level 2 right at due; use DefaultPolicy for the
// usual settings.
type Policy struct {
	RemindBefore  int // working days before due; 0 = no reminder
	EscalateAfter int // working days after due for level 2
}

// DefaultPolicy reminds one working day before due and escalates to level 2
// two working days after it.
func DefaultPolicy() Policy { return Policy{RemindBefore: 1, EscalateAfter: 2} }

// Schedule turns working-day limits into wall-clock times, optionally
// compressed for demos (see the package doc).
type Schedule struct {
	Cal        *Calendar
	Compressed time.Duration // 0 = real time; else wall-clock length of one calendar day
	Policy     Policy
}

// StageTimes are the wall-clock times of one stage.
type StageTimes struct {
	RemindAt    *time.Time // nil: no reminder, or it would be at or before from
	DueAt       time.Time
	Escalate2At time.Time
}

// Stage computes the reminder, due and level-2 times of a stage starting at
// from with a limit of n working days. An extension by k working days is
// Stage(from, n+k).
func (s Schedule) Stage(from time.Time, n int) (StageTimes, error) {
	if s.Cal == nil {
		return StageTimes{}, errors.New("calendar: schedule without calendar")
	}
	if s.Compressed < 0 || s.Policy.RemindBefore < 0 || s.Policy.EscalateAfter < 0 {
		return StageTimes{}, fmt.Errorf("%w: negative schedule setting (compressed %v, policy %+v)", ErrOutOfRange, s.Compressed, s.Policy)
	}
	due, err := s.Cal.Deadline(from, n)
	if err != nil {
		return StageTimes{}, err
	}
	esc, err := s.Cal.Shift(due, s.Policy.EscalateAfter)
	if err != nil {
		return StageTimes{}, err
	}
	st := StageTimes{DueAt: s.compress(from, due), Escalate2At: s.compress(from, esc)}
	if s.Policy.RemindBefore > 0 {
		r, err := s.Cal.Shift(due, -s.Policy.RemindBefore)
		switch {
		case errors.Is(err, ErrNoData):
			// Every day between from and due was checked by Deadline, so the
			// walk only meets a year without data at or before from's day: the
			// reminder would be moot, and failing the whole stage is worse.
		case err != nil:
			return StageTimes{}, err
		default:
			if r = s.compress(from, r); r.After(from) {
				st.RemindAt = &r
			}
		}
	}
	return st, nil
}

// compress maps a real time r (not before from) onto the compressed clock.
// float64 because (r-from)*Compressed overflows int64 nanoseconds; the result
// is rounded to milliseconds anyway.
func (s Schedule) compress(from, r time.Time) time.Time {
	if s.Compressed == 0 {
		return r
	}
	ms := float64(r.Sub(from)) * float64(s.Compressed) / float64(24*time.Hour) / float64(time.Millisecond)
	return from.Add(time.Duration(math.Round(ms)) * time.Millisecond).In(s.Cal.Location())
}

package campaigns

import (
	"errors"
	"testing"
	"time"

	"rectify/calendar"
)

var shanghai = calendar.MustZone("Asia/Shanghai")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// The calling window on the 2026 calendar: National Day 10-01..10-07 off with
// Sunday 09-20 and Saturday 10-10 worked (调休); Spring Festival 02-15..02-23 off
// with Saturdays 02-14 and 02-28 worked.
func TestWindowAt(t *testing.T) {
	cal := calendar.New(shanghai, 18*time.Hour)
	r := Default() // 09:00–20:00, working days only
	open := func(until string) Window { return Window{Open: true, Until: at(until)} }
	closed := func(next string) Window { return Window{Next: at(next)} }
	tests := []struct {
		name string
		now  time.Time
		want Window
	}{
		{"Monday before nine", at("2026-03-02 08:59"), closed("2026-03-02 09:00")},
		{"Monday at nine", at("2026-03-02 09:00"), open("2026-03-02 20:00")},
		{"Monday evening", at("2026-03-02 19:59"), open("2026-03-02 20:00")},
		{"Monday at eight pm", at("2026-03-02 20:00"), closed("2026-03-03 09:00")},
		{"Friday night skips the weekend", at("2026-03-06 21:00"), closed("2026-03-09 09:00")},
		{"ordinary Saturday", at("2026-03-07 10:00"), closed("2026-03-09 09:00")},
		{"Friday before a 调休 Saturday", at("2026-10-09 20:30"), closed("2026-10-10 09:00")},
		{"调休 Saturday is a calling day", at("2026-10-10 10:00"), open("2026-10-10 20:00")},
		{"调休 Sunday before National Day", at("2026-09-20 15:00"), open("2026-09-20 20:00")},
		{"eve of National Day", at("2026-09-30 20:30"), closed("2026-10-08 09:00")},
		{"National Day holiday", at("2026-10-01 10:00"), closed("2026-10-08 09:00")},
		{"调休 Saturday before Spring Festival", at("2026-02-14 09:30"), open("2026-02-14 20:00")},
		{"Spring Festival", at("2026-02-16 11:00"), closed("2026-02-24 09:00")},
		{"hours are Shanghai's whatever the input zone", time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), open("2026-03-02 20:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.WindowAt(cal, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if got.Open != tt.want.Open || !got.Until.Equal(tt.want.Until) || !got.Next.Equal(tt.want.Next) {
				t.Errorf("WindowAt(%s) = %+v, want %+v", tt.now.In(shanghai).Format("Mon 2006-01-02 15:04"), got, tt.want)
			}
		})
	}
}

func TestWindowNonWorkingDaysConfigured(t *testing.T) {
	cal := calendar.New(shanghai, 18*time.Hour)
	r := Default()
	r.CallOnNonWorkingDays = true
	r.CallingHours = Hours{Start: "10:00", End: "24:00"}
	wantWindow(t, r, cal, "2026-10-01 23:30", Window{Open: true, Until: at("2026-10-02 00:00")}) // National Day itself
	wantWindow(t, r, cal, "2026-10-03 09:00", Window{Next: at("2026-10-03 10:00")})              // a holiday Saturday
}

// wantWindow checks r's window at now (Shanghai) on cal.
func wantWindow(t *testing.T, r Rules, cal *calendar.Calendar, now string, want Window) {
	t.Helper()
	got, err := r.WindowAt(cal, at(now))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("WindowAt(%s) = %+v, want %+v", now, got, want)
	}
}

func TestWindowAdminOverride(t *testing.T) {
	cal := calendar.New(shanghai, 18*time.Hour)
	// An admin declares a Monday a holiday: nobody is called that day.
	if err := cal.SetOverrides([]calendar.Day{{Date: "2026-03-02", Kind: calendar.Holiday, Name: "test"}}); err != nil {
		t.Fatal(err)
	}
	wantWindow(t, Default(), cal, "2026-03-02 10:00", Window{Next: at("2026-03-03 09:00")})
}

func TestWindowYearWithoutData(t *testing.T) {
	cal := calendar.New(shanghai, 18*time.Hour)
	_, err := Default().WindowAt(cal, time.Date(2099, 5, 4, 10, 0, 0, 0, shanghai))
	if !errors.Is(err, calendar.ErrNoData) {
		t.Fatalf("err = %v, want calendar.ErrNoData: a year without data is never guessed", err)
	}
}

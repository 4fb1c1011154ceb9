package integration

import (
	"net/http"
	"net/url"
	"rectify/internal/apitest"
	"strings"
	"testing"
	"time"
)

type calendarYear struct {
	Year   int    `json:"year"`
	Source string `json:"source"`
	Days   []struct {
		Date string `json:"date"`
		Kind string `json:"kind"`
		Name string `json:"name"`
	} `json:"days"`
}

func (c calendarYear) kind(date string) string {
	for _, d := range c.Days {
		if d.Date == date {
			return d.Kind
		}
	}
	return ""
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Issue 3's calendar API: the year's exceptions, deadlines across National Day,
// 422 for a year without data, and admin overrides that apply at once.
func TestCalendarAPI(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	deadline := func(t *testing.T, token, from string, n string) apitest.Reply {
		t.Helper()
		q := url.Values{"from": {from}, "working_days": {n}}
		return a.with(t).do("GET", "/api/v1/calendar/deadline?"+q.Encode(), token, nil)
	}
	dueAt := func(t *testing.T, from string, n string) time.Time {
		t.Helper()
		var out struct {
			DueAt string `json:"due_at"`
		}
		deadline(t, tm.deptA, from, n).Want(t, http.StatusOK).Decode(t, &out)
		return mustTime(t, out.DueAt)
	}

	t.Run("2026 lists National Day and its adjusted working day", func(t *testing.T) {
		a := a.with(t)
		var y calendarYear
		a.do("GET", "/api/v1/calendar/2026", tm.deptA, nil).Want(t, http.StatusOK).Decode(t, &y)
		for date, want := range map[string]string{"2026-10-01": "holiday", "2026-10-07": "holiday", "2026-10-10": "workday",
			"2026-09-20": "workday", "2026-02-14": "workday", "2026-02-17": "holiday", "2026-10-09": ""} {
			if got := y.kind(date); got != want {
				t.Errorf("%s: kind %q, want %q", date, got, want)
			}
		}
		if y.Year != 2026 || y.Source == "" {
			t.Errorf("year %d source %q", y.Year, y.Source)
		}
	})
	t.Run("deadline across National Day", func(t *testing.T) {
		for _, c := range []struct{ from, n, want string }{
			{"2026-09-30T10:00:00+08:00", "1", "2026-10-08T18:00:00+08:00"},
			{"2026-09-30T02:00:00Z", "1", "2026-10-08T18:00:00+08:00"}, // the same instant in UTC
			{"2026-09-30T20:00:00Z", "1", "2026-10-08T18:00:00+08:00"}, // already 10-01 in Shanghai
			{"2026-10-08T09:00:00+08:00", "2", "2026-10-10T18:00:00+08:00"},
			{"2026-12-31T10:00:00+08:00", "1", "2027-01-04T18:00:00+08:00"},
		} {
			if got, want := dueAt(t, c.from, c.n), mustTime(t, c.want); !got.Equal(want) {
				t.Errorf("deadline(%s, %s) = %s, want %s", c.from, c.n, got, want)
			}
		}
	})
	t.Run("a year without data is 422", func(t *testing.T) {
		a := a.with(t)
		a.do("GET", "/api/v1/calendar/2035", tm.deptA, nil).WantError(t, http.StatusUnprocessableEntity, "calendar_no_data")
		deadline(t, tm.deptA, "2035-03-01T10:00:00+08:00", "1").WantError(t, http.StatusUnprocessableEntity, "calendar_no_data")
		deadline(t, tm.deptA, "2027-12-30T10:00:00+08:00", "5").WantError(t, http.StatusUnprocessableEntity, "calendar_no_data")
	})
	t.Run("bad parameters are 400", func(t *testing.T) {
		a := a.with(t)
		deadline(t, tm.deptA, "yesterday", "1").WantError(t, http.StatusBadRequest, "bad_parameter", "from")
		deadline(t, tm.deptA, "2026-09-30T10:00:00+08:00", "0").WantError(t, http.StatusBadRequest, "bad_parameter", "working_days")
		a.do("GET", "/api/v1/calendar/next", tm.deptA, nil).WantError(t, http.StatusBadRequest, "bad_parameter")
	})
	t.Run("an override moves deadlines until it is deleted", func(t *testing.T) {
		a := a.with(t)
		const from = "2026-11-30T10:00:00+08:00"
		if got, want := dueAt(t, from, "1"), mustTime(t, "2026-12-01T18:00:00+08:00"); !got.Equal(want) {
			t.Fatalf("before the override: %s, want %s", got, want)
		}
		a.do("PUT", "/api/v1/calendar/days/2026-12-01", tm.supervisor, map[string]string{"kind": "holiday", "name": "测试"}).WantError(t, http.StatusForbidden, "forbidden")
		a.do("PUT", "/api/v1/calendar/days/2026-12-01", admin, map[string]string{"kind": "dayoff"}).WantError(t, http.StatusUnprocessableEntity, "invalid_calendar_day", "kind")
		a.do("PUT", "/api/v1/calendar/days/2026-12-01", admin, map[string]string{"kind": "holiday", "name": "测试假日"}).Want(t, http.StatusOK)

		if got, want := dueAt(t, from, "1"), mustTime(t, "2026-12-02T18:00:00+08:00"); !got.Equal(want) {
			t.Fatalf("with 2026-12-01 a holiday: %s, want %s", got, want)
		}
		var y calendarYear
		a.do("GET", "/api/v1/calendar/2026", tm.deptA, nil).Want(t, http.StatusOK).Decode(t, &y)
		if y.kind("2026-12-01") != "holiday" || !strings.Contains(y.Source, "override") {
			t.Fatalf("2026 after the override: 2026-12-01 is %q, source %q", y.kind("2026-12-01"), y.Source)
		}

		a.do("DELETE", "/api/v1/calendar/days/2026-12-01", tm.deptA, nil).WantError(t, http.StatusForbidden, "forbidden")
		a.do("DELETE", "/api/v1/calendar/days/2026-12-01", admin, nil).Want(t, http.StatusNoContent)
		if got, want := dueAt(t, from, "1"), mustTime(t, "2026-12-01T18:00:00+08:00"); !got.Equal(want) {
			t.Fatalf("after deleting the override: %s, want %s", got, want)
		}
		a.do("GET", "/api/v1/calendar/2026", tm.deptA, nil).Want(t, http.StatusOK).Decode(t, &y)
		if y.kind("2026-12-01") != "" {
			t.Fatalf("2026-12-01 still listed as %q after the delete", y.kind("2026-12-01"))
		}
		a.do("DELETE", "/api/v1/calendar/days/2026-12-01", admin, nil).WantError(t, http.StatusNotFound, "not_found")
	})
	t.Run("a year gains data from a holiday override", func(t *testing.T) {
		a := a.with(t)
		a.do("PUT", "/api/v1/calendar/days/2035-01-01", admin, map[string]string{"kind": "holiday", "name": "元旦"}).Want(t, http.StatusOK)
		var y calendarYear
		a.do("GET", "/api/v1/calendar/2035", tm.deptA, nil).Want(t, http.StatusOK).Decode(t, &y)
		if y.kind("2035-01-01") != "holiday" {
			t.Fatalf("2035 after adding 元旦: %+v", y)
		}
	})
}

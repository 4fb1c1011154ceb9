package web

import (
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

// light is a deadline as the lists show it: green (time enough), yellow (due
// within one working day), red (overdue), with the countdown in working days.
type light struct {
	Color string // green | yellow | red | none
	Text  string
	Due   string
}

func (w *Web) lightOf(l Lang, t domain.Ticket, now time.Time) light {
	if !t.Open() || t.DueAt == nil {
		return light{Color: "none", Text: l.T("light.none")}
	}
	due := *t.DueAt
	lt := light{Due: l.T("light.due", w.fmtTime(due))}
	if t.Overdue || now.After(due) {
		lt.Color = "red"
		n, err := w.Calendar.WorkingDaysBetween(due, now)
		if err != nil || n == 0 {
			lt.Text = l.T("light.red0")
		} else {
			lt.Text = l.T("light.red", n)
		}
		return lt
	}
	n, err := w.Calendar.WorkingDaysBetween(now, due)
	switch {
	case err != nil:
		lt.Color, lt.Text = "green", lt.Due
	case n == 0:
		lt.Color, lt.Text = "yellow", l.T("light.today")
	case n == 1:
		lt.Color, lt.Text = "yellow", l.T("light.yellow1")
	default:
		lt.Color, lt.Text = "green", l.T("light.green", n)
	}
	return lt
}

// row is one ticket of a list.
type row struct {
	store.WorkItem
	Light light
	Urges int // supervisors' urges (催办) this round: a badge beside the number
}

func (w *Web) rows(l Lang, items []store.WorkItem) []row {
	now := w.Now()
	rs := make([]row, len(items))
	for i, it := range items {
		rs[i] = row{WorkItem: it, Light: w.lightOf(l, it.Ticket, now)}
	}
	return rs
}

// dueSoon is the end of the next working day: a ticket due before it is yellow.
func (w *Web) dueSoon(now time.Time) time.Time {
	t, err := w.Calendar.Shift(now, 1)
	if err != nil {
		return now.Add(24 * time.Hour)
	}
	return t
}

// pager links to the next page of a list and back to its first.
type pager struct {
	Next  string // URL of the next page, empty on the last
	First string // URL of the first page, empty on it
}

func pagerOf(c echo.Context, next string) pager {
	q := c.QueryParams()
	var p pager
	if q.Get("cursor") != "" {
		first := cloneValues(q)
		first.Del("cursor")
		p.First = c.Request().URL.Path + "?" + first.Encode()
	}
	if next != "" {
		n := cloneValues(q)
		n.Set("cursor", next)
		p.Next = c.Request().URL.Path + "?" + n.Encode()
	}
	return p
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// tab is one section of a workbench, with its count when cheap to know.
type tab struct {
	Key    string
	Label  string
	Count  int
	Active bool
	URL    string
}

// list is a paginated list of tickets under tabs.
type list struct {
	Tabs  []tab
	Help  string
	Rows  []row
	Pager pager
	Tab   string
}

// loadList fills l with f's page; the cursor comes from the request.
func (w *Web) loadList(c echo.Context, lang Lang, f store.WorkFilter) ([]row, pager, error) {
	f.Limit, f.Cursor = w.Policy.PageSize, c.QueryParam("cursor")
	items, next, err := w.Store.ListWork(c.Request().Context(), f)
	if err != nil {
		return nil, pager{}, err
	}
	rs := w.rows(lang, items)
	if err := w.countUrges(c, rs); err != nil {
		return nil, pager{}, err
	}
	return rs, pagerOf(c, next), nil
}

// countUrges fills in how often each open ticket of a page was urged, in one query.
func (w *Web) countUrges(c echo.Context, rs []row) error {
	var open []string
	for _, r := range rs {
		if r.Open() {
			open = append(open, r.Number)
		}
	}
	if len(open) == 0 {
		return nil
	}
	n, err := w.Store.UrgeCounts(c.Request().Context(), open)
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].Urges = n[rs[i].Number]
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

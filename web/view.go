package web

import (
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

// light is a deadline as the lists show it, by domain.DeadlineOf (the one
// rule for lights, countdowns and the inbox's tabs): green (time enough), yellow
// (due by the end of the next working day), red (overdue), none (not a
// department's stage), with the countdown in working days.
type light struct {
	Color string // green | yellow | red | none
	Text  string
	Due   string
}

func (w *Web) lightOf(l Lang, t domain.Ticket, now time.Time) light {
	d := domain.DeadlineOf(w.Calendar, t, now)
	if d.Light == domain.LightNone {
		return light{Color: "none", Text: l.T("light.none")}
	}
	lt := light{Color: string(d.Light), Due: l.T("light.due", w.fmtTime(*t.DueAt))}
	if d.Light == domain.LightRed {
		d.Days = w.overdueDays(*t.DueAt, now) // the overdue board's count, compressed days included
	}
	switch {
	case d.Days < 0:
		lt.Text = lt.Due
	case d.Light == domain.LightRed && d.Days == 0:
		lt.Text = l.T("light.red0")
	case d.Light == domain.LightRed:
		lt.Text = l.T("light.red", d.Days)
	case d.Days == 0:
		lt.Text = l.T("light.today")
	case d.Days == 1:
		lt.Text = l.T("light.yellow1")
	default:
		lt.Text = l.T("light.green", d.Days)
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

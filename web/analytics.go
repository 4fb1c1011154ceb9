package web

import (
	"context"
	"html/template"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/campaigns"
	"rectify/domain"
	"rectify/stats"
)

// analyticsView is the statistics page (量化分析): filters, the department table
// (each department drills down to its tickets), the red and black lists, a trend
// and the aspects named in negative ratings, drawn with Apache ECharts
// (static/echarts.min.js, Apache-2.0, static/echarts-LICENSE.txt). Every table
// links to the API's CSV and Excel exports of the same figures.
type analyticsView struct {
	From, To, Dept, Period string
	DeptFixed              bool         // a department user: their own department only
	Query                  template.URL // from, to and department, for the export links
	Rows                   []stats.Row
	Ranking                *stats.Ranking
	ListNames              []string                  // "red", "black"
	Lists                  map[string][]stats.Placed // the ranking's lists by name
	Aspects                []stats.Row
	Callbacks              []callbackRow // per department, of cases finished in the period
	CallbackTotal          *callbackRow  // when there is more than one department
	CallbackMonth          string        // a department user's: the one ended month shown (YYYY-MM)
	Chart                  analyticsChart
	Departments            []domain.Department
	Topics                 *topicsSection // 差评热点, 好评经验 (analytics_topics.go)
}

// MinCases is the fewest cases in a month for which a department sees its sampling.
func (v *analyticsView) MinCases() int { return campaigns.MinCases }

// Pct shows a rate as a percentage.
func (v *analyticsView) Pct(x float64) string { return pct(x) }

// PctOf shows a rate as a percentage, or "–" when its base is 0: nothing to divide.
func (v *analyticsView) PctOf(x float64, base int64) string {
	if base == 0 {
		return "–"
	}
	return pct(x)
}

// NumOf shows a mean with two decimals, or "–" when its base is 0.
func (v *analyticsView) NumOf(x float64, base int64) string {
	if base == 0 {
		return "–"
	}
	return num(x)
}

// Num shows a mean with two decimals.
func (v *analyticsView) Num(x float64) string { return num(x) }

func pct(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" }
func num(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// callbackRow is one line of the call-back table, its cells in the header's order.
type callbackRow struct {
	Code, Label string
	Cells       []string
}

func newCallbackRow(code, label string, f campaigns.Figures) callbackRow {
	undefined := "–" // nothing to divide by
	rate := func(x *float64) string {
		if x == nil {
			return undefined
		}
		return pct(*x)
	}
	mean := func(x *float64) string {
		if x == nil {
			return undefined
		}
		return num(*x)
	}
	n := strconv.Itoa
	if f.Suppressed { // too few cases this month for a department to see the sampling
		n = func(int) string { return undefined }
	}
	return callbackRow{Code: code, Label: label, Cells: []string{n(f.Cases), n(f.Sampled), n(f.Called), rate(f.Coverage),
		n(f.Reached), rate(f.ReachRate), n(f.Dropped), n(f.CalledBack.Ratings), rate(f.CalledBack.SatisfactionRate),
		mean(f.CalledBack.Score), n(f.SelfSubmitted.Ratings), rate(f.SelfSubmitted.SatisfactionRate), mean(f.SelfSubmitted.Score)}}
}

// analyticsChart is what static/analytics.js draws.
type analyticsChart struct {
	Labels  map[string]string `json:"labels"`
	Periods []string          `json:"periods"`
	Total   []int64           `json:"total"`
	Sat     []*float64        `json:"satisfaction_rate"` // null: no ratings that period, a gap in the line
	Neg     []*float64        `json:"negative_rate"`
	Aspects []string          `json:"aspects"`
	AspNeg  []int64           `json:"aspect_negative"`
}

// HasTrend reports whether any period has a rating: an empty chart is not drawn.
func (c analyticsChart) HasTrend() bool {
	for _, n := range c.Total {
		if n > 0 {
			return true
		}
	}
	return false
}

// analytics needs its route in Register:
//
//	route(http.MethodGet, "/analytics", w.analytics, domain.RoleSupervisor, domain.RoleAdmin, domain.RoleDepartment)
func (w *Web) analytics(c echo.Context) error {
	ctx := c.Request().Context()
	p := w.newPage(c, "analytics", nil)
	p.Title = p.L.T("an.title")
	u := sessionOf(c).User
	today := stats.Day(w.Now())
	v, f := w.analyticsFilter(c, p, u, today)
	set, err := w.stats.Settings(ctx)
	if err != nil {
		return w.fail(c, err)
	}
	if err := w.analyticsTables(ctx, &v, f, set); err != nil {
		return w.fail(c, err)
	}
	if err := w.analyticsTrend(ctx, &v, f, set, p.L); err != nil {
		return w.fail(c, err)
	}
	depts, err := w.Store.ListDepartments(ctx)
	if err != nil {
		return w.fail(c, err)
	}
	if !v.DeptFixed {
		v.Departments = depts
	}
	if err := w.analyticsCallbacks(ctx, &v, u, f, today, depts, p.L); err != nil {
		return w.fail(c, err)
	}
	if v.Topics, err = w.topicsSection(ctx, u, f, p.L); err != nil {
		return w.fail(c, err)
	}
	p.Data = &v
	return w.render(c, 200, "analytics", p)
}

// analyticsFilter reads the page's filter: the last 30 days by default, a
// department user's own department only. A bad range falls back to the default
// with a message on p.
func (w *Web) analyticsFilter(c echo.Context, p *page, u domain.User, today time.Time) (analyticsView, stats.Filter) {
	v := analyticsView{To: today.Format(time.DateOnly), From: today.AddDate(0, 0, -29).Format(time.DateOnly),
		Dept: c.QueryParam("department_code"), Period: c.QueryParam("period")}
	if s := c.QueryParam("from"); s != "" {
		v.From = s
	}
	if s := c.QueryParam("to"); s != "" {
		v.To = s
	}
	if v.Period != "week" && v.Period != "month" {
		v.Period = "day"
	}
	if dept, all := u.TicketScope(); !all {
		v.Dept, v.DeptFixed = dept, true
	} else if v.Dept != "" {
		if errs := w.resolveDeptField(c.Request().Context(), p.L, &v.Dept); errs != nil {
			p.Errors = append(p.Errors, errs...)
		}
	}
	from, err1 := time.Parse(time.DateOnly, v.From)
	to, err2 := time.Parse(time.DateOnly, v.To)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > stats.MaxDays*24*time.Hour {
		p.Errors = append(p.Errors, p.L.T("an.bad_dates"))
		from, to = today.AddDate(0, 0, -29), today
		v.From, v.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	}
	q := url.Values{"from": {v.From}, "to": {v.To}}
	if v.Dept != "" && !v.DeptFixed {
		q.Set("department_code", v.Dept)
	}
	v.Query = template.URL(q.Encode()) // encoded here, so safe as it stands
	return v, stats.Filter{From: from, To: to, Department: v.Dept}
}

// analyticsTables reads the department and aspect tables and, for a view of
// every department, the red and black lists.
func (w *Web) analyticsTables(ctx context.Context, v *analyticsView, f stats.Filter, set stats.Settings) (err error) {
	if v.Rows, err = w.stats.Table(ctx, stats.Department, f, set.Weights); err != nil {
		return err
	}
	if v.Aspects, err = w.stats.Table(ctx, stats.Aspect, f, set.Weights); err != nil {
		return err
	}
	sort.SliceStable(v.Aspects, func(i, j int) bool { return v.Aspects[i].Tickets > v.Aspects[j].Tickets })
	if v.DeptFixed || v.Dept != "" {
		return nil
	}
	score, _ := stats.RankMetric("score")
	r, err := w.stats.Rank(ctx, score, f, set.Weights, set.MinVolume, 10)
	if err != nil {
		return err
	}
	v.Ranking = &r
	v.ListNames, v.Lists = []string{"red", "black"}, map[string][]stats.Placed{"red": r.Red, "black": r.Black}
	return nil
}

// analyticsTrend fills the charts: the trend by v.Period, and the aspects named
// in negative ratings (analyticsTables read them).
func (w *Web) analyticsTrend(ctx context.Context, v *analyticsView, f stats.Filter, set stats.Settings, l Lang) error {
	pts, err := w.stats.Trend(ctx, stats.Period(v.Period), f, set.Weights)
	if err != nil {
		return err
	}
	v.Chart.Labels = map[string]string{"total": l.T("an.chart.total"), "sat": l.T("an.chart.sat"),
		"neg": l.T("an.chart.neg"), "aspects": l.T("an.chart.aspects")}
	for _, pt := range pts {
		v.Chart.Periods = append(v.Chart.Periods, pt.Start.Format(time.DateOnly))
		v.Chart.Total = append(v.Chart.Total, pt.Total)
		sat, neg := pt.SatisfactionRate, pt.NegativeRate
		if pt.Total == 0 {
			v.Chart.Sat, v.Chart.Neg = append(v.Chart.Sat, nil), append(v.Chart.Neg, nil)
		} else {
			v.Chart.Sat, v.Chart.Neg = append(v.Chart.Sat, &sat), append(v.Chart.Neg, &neg)
		}
	}
	for _, a := range v.Aspects {
		if a.Tickets > 0 {
			label := a.Key
			if l != En {
				label = stats.Label(stats.Aspect, a.Key)
			}
			v.Chart.Aspects = append(v.Chart.Aspects, label)
			v.Chart.AspNeg = append(v.Chart.AspNeg, a.Tickets)
		}
	}
	return nil
}

// analyticsCallbacks fills the call-back table: per department, of the cases
// finished in the period, as /api/v1/stats/callbacks counts them; a department
// user's of one ended month, as the API answers them (campaigns/disclosure.go).
func (w *Web) analyticsCallbacks(ctx context.Context, v *analyticsView, u domain.User, f stats.Filter, today time.Time, depts []domain.Department, l Lang) error {
	r, err := campaigns.ReportFor(ctx, w.Store, u, f, today)
	if err != nil {
		return err
	}
	if r.Month {
		v.CallbackMonth = r.From.Format("2006-01")
	}
	names := map[string]string{}
	for _, d := range depts {
		names[d.Code] = d.Name
	}
	for _, fig := range r.Departments {
		label := names[fig.DepartmentCode]
		if label == "" {
			label = fig.DepartmentCode
		}
		v.Callbacks = append(v.Callbacks, newCallbackRow(fig.DepartmentCode, label, fig))
	}
	if len(r.Departments) > 1 {
		row := newCallbackRow("", l.T("an.all"), r.Total)
		v.CallbackTotal = &row
	}
	return nil
}

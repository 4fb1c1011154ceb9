package web

import (
	"fmt"
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
	Topics                 *topicsSection    // 差评热点, 好评经验 (analytics_topics.go)
	T                      map[string]string // the page's words in the reader's language
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

var analyticsWords = map[string][2]string{
	"from": {"开始日期", "From"}, "to": {"结束日期", "To"}, "dept": {"部门", "Department"},
	"period": {"趋势粒度", "Trend by"}, "day": {"日", "day"}, "week": {"周", "week"}, "month": {"月", "month"},
	"apply": {"查询", "Apply"}, "trend": {"趋势", "Trend"}, "by_dept": {"按部门", "By department"},
	"export": {"导出", "Export"}, "total": {"评价数", "Ratings"}, "sat": {"好评率", "Satisfaction"},
	"neg": {"差评率", "Negative"}, "score": {"综合得分", "Score"}, "tickets": {"差评工单", "Tickets"},
	"rect": {"整改率", "Rectified"}, "ontime": {"按期整改率", "On time"}, "followup": {"回访率", "Followed up"},
	"satafter": {"整改满意率", "Satisfied after"}, "days": {"平均整改工作日", "Avg. working days"},
	"returns": {"退单", "Returns"}, "ext": {"延期", "Extensions"}, "reopened": {"重新交办", "Reopened"},
	"overdue": {"当前超期", "Overdue now"}, "red": {"红榜", "Red list (best)"}, "black": {"黑榜", "Black list (worst)"},
	"rank": {"名次", "Place"}, "min": {"评价数不足 %d 的部门不参与排名", "Departments with fewer than %d ratings are not ranked"},
	"aspects": {"差评涉及内容", "Aspects named in negative ratings"}, "aspect": {"评价内容", "Aspect"},
	"none": {"所选范围内没有评价。", "No ratings in this range."}, "tickets_link": {"查看工单", "tickets"},
	"cb": {"办件满意度回访", "Satisfaction call-backs on finished cases"},
	"cb_month": {"本部门的回访数字按已结束的整月提供，当前显示 %s；当月办结少于 %d 件时不显示抽样与拨打数字（避免推知哪件办件会被回访）。",
		"Your department's call-back figures are given for whole months that have ended; shown: %s. With fewer than %d cases finished in the month, sampling and call figures are withheld (so no case's sampling can be inferred)."},
	"cb_note": {"按办结时间统计；回访覆盖率 = 已拨打 / 应回访，接通率 = 接通 / 已拨打；自主评价为同一部门同期未经回访的评价。",
		"By case finishing time; coverage = called / sampled, reach rate = reached / called; self-submitted are the same departments' other ratings of the period."},
	"cb_cases": {"办结件", "Finished cases"}, "cb_sampled": {"应回访", "Sampled"}, "cb_called": {"已拨打", "Called"},
	"cb_coverage": {"回访覆盖率", "Coverage"}, "cb_reached": {"接通", "Reached"}, "cb_reach": {"接通率", "Reach rate"},
	"cb_dropped": {"未接通放弃", "Dropped"}, "cb_ratings": {"回访评价", "Call-back ratings"},
	"cb_sat": {"回访好评率", "Call-back satisfaction"}, "cb_score": {"回访得分", "Call-back score"},
	"self_ratings": {"自主评价", "Self-submitted"}, "self_sat": {"自主好评率", "Self-submitted satisfaction"},
	"self_score": {"自主评价得分", "Self-submitted score"}, "all": {"合计", "All"},
	"cb_none": {"所选范围内没有办结件。", "No finished cases in this range."},
	"no_data": {"暂无数据", "No data"},
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
	zh := p.L != En
	t := func(zhs, en string) string {
		if zh {
			return zhs
		}
		return en
	}
	p.Title = t("量化分析", "Analytics")
	words := map[string]string{}
	for k, w := range analyticsWords {
		words[k] = t(w[0], w[1])
	}
	u := sessionOf(c).User
	today := stats.Day(w.Now())
	v := analyticsView{To: today.Format(time.DateOnly), From: today.AddDate(0, 0, -29).Format(time.DateOnly),
		Dept: c.QueryParam("department_code"), Period: c.QueryParam("period"), T: words}
	if s := c.QueryParam("from"); s != "" {
		v.From = s
	}
	if s := c.QueryParam("to"); s != "" {
		v.To = s
	}
	if v.Period != "week" && v.Period != "month" {
		v.Period = "day"
	}
	if u.Role == domain.RoleDepartment {
		v.Dept, v.DeptFixed = u.DepartmentCode, true
	} else if v.Dept != "" {
		if errs := w.resolveDeptField(ctx, p.L, &v.Dept); errs != nil {
			p.Errors = append(p.Errors, errs...)
		}
	}
	from, err1 := time.Parse(time.DateOnly, v.From)
	to, err2 := time.Parse(time.DateOnly, v.To)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > stats.MaxDays*24*time.Hour {
		p.Errors = append(p.Errors, t("日期范围无效：请用 2026-01-31 这样的日期，结束不早于开始。",
			"Invalid dates: use dates like 2026-01-31, the end not before the start."))
		from, to = today.AddDate(0, 0, -29), today
		v.From, v.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	}
	q := url.Values{"from": {v.From}, "to": {v.To}}
	if v.Dept != "" && !v.DeptFixed {
		q.Set("department_code", v.Dept)
	}
	v.Query = template.URL(q.Encode()) // encoded here, so safe as it stands
	svc := &stats.Service{DB: w.Store.Pool()}
	set, err := svc.Settings(ctx)
	if err != nil {
		return w.fail(c, err)
	}
	f := stats.Filter{From: from, To: to, Department: v.Dept}
	if v.Rows, err = svc.Table(ctx, stats.Department, f, set.Weights); err != nil {
		return w.fail(c, err)
	}
	if v.Aspects, err = svc.Table(ctx, stats.Aspect, f, set.Weights); err != nil {
		return w.fail(c, err)
	}
	sort.SliceStable(v.Aspects, func(i, j int) bool { return v.Aspects[i].Tickets > v.Aspects[j].Tickets })
	if !v.DeptFixed && v.Dept == "" {
		score, _ := stats.RankMetric("score")
		r, err := svc.Rank(ctx, score, f, set.Weights, set.MinVolume, 10)
		if err != nil {
			return w.fail(c, err)
		}
		v.Ranking = &r
		v.ListNames, v.Lists = []string{"red", "black"}, map[string][]stats.Placed{"red": r.Red, "black": r.Black}
		words["min"] = fmt.Sprintf(words["min"], r.MinVolume)
	}
	pts, err := svc.Trend(ctx, stats.Period(v.Period), f, set.Weights)
	if err != nil {
		return w.fail(c, err)
	}
	v.Chart.Labels = map[string]string{"total": t("评价数", "Ratings"), "sat": t("好评率", "Satisfaction"),
		"neg": t("差评率", "Negative rate"), "aspects": t("差评涉及内容", "Aspects in negative ratings")}
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
			if zh {
				label = stats.Label(stats.Aspect, a.Key)
			}
			v.Chart.Aspects = append(v.Chart.Aspects, label)
			v.Chart.AspNeg = append(v.Chart.AspNeg, a.Tickets)
		}
	}
	cbFilter := f
	if v.DeptFixed { // as the API answers department users (campaigns/disclosure.go)
		cbFilter.From, cbFilter.To = campaigns.DepartmentMonth(f.To, today)
		v.CallbackMonth = cbFilter.From.Format("2006-01")
	}
	cbFrom, cbTo := cbFilter.Span() // cases by their finishing time, as /api/v1/stats/callbacks counts them
	counts, err := campaigns.CountsOf(ctx, w.Store, cbFrom, cbTo, v.Dept)
	if err != nil {
		return w.fail(c, err)
	}
	depts, err := w.Store.ListDepartments(ctx)
	if err != nil {
		return w.fail(c, err)
	}
	names := map[string]string{}
	for _, d := range depts {
		names[d.Code] = d.Name
	}
	figs, total := campaigns.Report(counts)
	for _, f := range figs {
		if v.DeptFixed {
			f = campaigns.ForDepartment(f)
		}
		label := names[f.DepartmentCode]
		if label == "" {
			label = f.DepartmentCode
		}
		v.Callbacks = append(v.Callbacks, newCallbackRow(f.DepartmentCode, label, f))
	}
	if len(figs) > 1 {
		r := newCallbackRow("", words["all"], total)
		v.CallbackTotal = &r
	}
	if !v.DeptFixed {
		v.Departments = depts
	}
	if v.Topics, err = w.topicsSection(ctx, u, f, zh); err != nil {
		return w.fail(c, err)
	}
	p.Data = &v
	return w.render(c, 200, "analytics", p)
}

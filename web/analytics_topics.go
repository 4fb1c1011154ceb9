package web

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/stats"
	"rectify/topics"
)

// topicsSection is the analytics page's 差评热点 and 好评经验 (package topics):
// the terms citizens write most in negative and in positive ratings, with their
// change from the previous period of the same length, the staff and halls
// praised most, and example comments, masked as the API masks them. Its markup
// is templates/analytics/topics.html; static/topics.js draws the bars.
type topicsSection struct {
	Negative, Positive []topics.Topic
	Staff, Halls       []topics.Praised
	Query              template.URL // from, to, department: for the exports and the term links
	Chart              topicsChart
	T                  map[string]string
}

// topicTable is one section's table of terms.
type topicTable struct {
	T         map[string]string
	Rows      []topics.Topic
	Query     template.URL
	Sentiment string
	Change    bool // show the previous period and the change
}

// Hot is 差评热点's table.
func (s *topicsSection) Hot() topicTable {
	return topicTable{T: s.T, Rows: s.Negative, Query: s.Query, Sentiment: string(topics.Negative), Change: true}
}

// Good is 好评经验's table of terms.
func (s *topicsSection) Good() topicTable {
	return topicTable{T: s.T, Rows: s.Positive, Query: s.Query, Sentiment: string(topics.Positive)}
}

// praisedList is the staff or the halls praised most.
type praisedList struct {
	ID, Title, Header string
	Rows              []topics.Praised
}

// Lists are the staff and the halls praised most.
func (s *topicsSection) Lists() []praisedList {
	return []praisedList{{"staff", s.T["staff"], s.T["staff_id"], s.Staff}, {"halls", s.T["halls"], s.T["hall"], s.Halls}}
}

// topicsChart is what static/topics.js draws: two horizontal bar charts.
type topicsChart struct {
	Labels   map[string]string `json:"labels"`
	NegTerms []string          `json:"negative_terms"`
	NegNow   []int64           `json:"negative_count"`
	NegPrev  []int64           `json:"negative_previous"`
	PosTerms []string          `json:"positive_terms"`
	PosNow   []int64           `json:"positive_count"`
}

var topicsWords = map[string][2]string{
	"hot":       {"差评热点", "Problems in negative ratings"},
	"hot_hint":  {"差评评价中提到最多的词，与上一同长周期相比；↑ 为上升。点击词语查看提到它的评价。", "Terms most mentioned in negative ratings, against the previous period of the same length; ↑ rising. Click a term for the ratings that mention it."},
	"good":      {"好评经验", "What praise is for"},
	"good_hint": {"好评（非常满意、满意）评价中提到最多的词，以及获得带评语好评最多的工作人员和大厅。", "Terms most mentioned in positive ratings (very satisfied, satisfied), and the staff and halls with the most positive comments."},
	"term":      {"话题", "Term"}, "count": {"提及评价数", "Ratings"}, "prev": {"上期", "Previous"},
	"change": {"变化", "Change"}, "examples": {"评价示例", "Examples"}, "rising": {"上升", "rising"},
	"staff": {"好评最多的工作人员", "Staff praised most"}, "halls": {"好评最多的大厅", "Halls praised most"},
	"staff_id": {"工作人员编号", "Staff"}, "hall": {"大厅", "Hall"}, "praise": {"带评语好评", "Positive comments"},
	"export": {"导出", "Export"}, "none": {"所选范围内没有评语。", "No comments in this range."},
	"now": {"本期", "This period"},
}

// topicsSection reads both sections for the analytics page's filter.
func (w *Web) topicsSection(ctx context.Context, u domain.User, f stats.Filter, zh bool) (*topicsSection, error) {
	t := func(k string) string {
		if zh {
			return topicsWords[k][0]
		}
		return topicsWords[k][1]
	}
	sec := &topicsSection{T: map[string]string{}}
	for k := range topicsWords {
		sec.T[k] = t(k)
	}
	svc := &topics.Service{DB: w.Store.Pool()}
	tf := topics.Filter{From: f.From, To: f.To, Department: f.Department, Limit: 10, Viewer: u}
	var err error
	tf.Sentiment = topics.Negative
	if sec.Negative, err = svc.Top(ctx, tf); err != nil {
		return nil, err
	}
	tf.Sentiment = topics.Positive
	if sec.Positive, err = svc.Top(ctx, tf); err != nil {
		return nil, err
	}
	if sec.Staff, err = svc.MostPraised(ctx, "staff", tf, 5); err != nil {
		return nil, err
	}
	if sec.Halls, err = svc.MostPraised(ctx, "hall", tf, 5); err != nil {
		return nil, err
	}
	q := url.Values{"from": {f.From.Format(time.DateOnly)}, "to": {f.To.Format(time.DateOnly)}}
	if f.Department != "" && u.Role != domain.RoleDepartment {
		q.Set("department_code", f.Department)
	}
	sec.Query = template.URL(q.Encode())
	sec.Chart.Labels = map[string]string{"now": t("now"), "prev": t("prev"), "hot": t("hot"), "good": t("good")}
	for _, x := range sec.Negative {
		sec.Chart.NegTerms = append(sec.Chart.NegTerms, x.Term)
		sec.Chart.NegNow = append(sec.Chart.NegNow, x.Count)
		sec.Chart.NegPrev = append(sec.Chart.NegPrev, x.PreviousCount)
	}
	for _, x := range sec.Positive {
		sec.Chart.PosTerms = append(sec.Chart.PosTerms, x.Term)
		sec.Chart.PosNow = append(sec.Chart.PosNow, x.Count)
	}
	return sec, nil
}

// mentionsView is the list behind a term: the latest ratings mentioning it.
type mentionsView struct {
	Term, Sentiment, From, To, Dept string
	Mentions                        []topics.Mention
	Back                            string
	T                               map[string]string
}

var mentionsWords = map[string][2]string{
	"title": {"提到“%s”的评价", "Ratings mentioning “%s”"}, "when": {"评价时间", "Rated"},
	"level": {"评价等级", "Level"}, "dept": {"部门", "Department"}, "comment": {"评语", "Comment"},
	"back": {"返回量化分析", "Back to analytics"}, "none": {"没有提到该词的评价。", "No rating mentions this term."},
	"hint": {"最近 100 条；电话、证件号等已隐去。", "The latest 100; phone and ID numbers are hidden."},
	"anon": {"匿名", "anonymous"},
}

// analyticsMentions lists the ratings of the analytics filter whose comment
// mentions ?term=, newest first; department users see their own only.
func (w *Web) analyticsMentions(c echo.Context) error {
	ctx := c.Request().Context()
	p := w.newPage(c, "analytics", nil)
	zh := p.L != En
	words := map[string]string{}
	for k, v := range mentionsWords {
		if zh {
			words[k] = v[0]
		} else {
			words[k] = v[1]
		}
	}
	u := sessionOf(c).User
	today := stats.Day(w.Now())
	v := mentionsView{Term: c.QueryParam("term"), Sentiment: c.QueryParam("sentiment"), Dept: c.QueryParam("department_code"),
		From: c.QueryParam("from"), To: c.QueryParam("to"), T: words}
	from, err1 := time.Parse(time.DateOnly, v.From)
	to, err2 := time.Parse(time.DateOnly, v.To)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > stats.MaxDays*24*time.Hour {
		from, to = today.AddDate(0, 0, -29), today
		v.From, v.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	}
	dept, ok := u.DepartmentScope(v.Dept)
	if !ok {
		return w.fail(c, domain.ErrForbidden)
	}
	v.Dept = dept
	f := topics.Filter{From: from, To: to, Department: v.Dept, Viewer: u}
	switch topics.Sentiment(v.Sentiment) {
	case topics.Negative, topics.Positive:
		f.Sentiment = topics.Sentiment(v.Sentiment)
	default:
		v.Sentiment = ""
	}
	p.Title = fmt.Sprintf(words["title"], v.Term)
	back := url.Values{"from": {v.From}, "to": {v.To}}
	if v.Dept != "" && u.Role != domain.RoleDepartment {
		back.Set("department_code", v.Dept)
	}
	v.Back = "/analytics?" + back.Encode() + "#topics"
	if v.Term != "" {
		var err error
		if v.Mentions, err = (&topics.Service{DB: w.Store.Pool()}).Mentions(ctx, f, v.Term, 100); err != nil {
			return w.fail(c, err)
		}
	}
	p.Data = &v
	return w.render(c, 200, "analytics_mentions", p)
}

package web

import (
	"context"
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
	L                  Lang
}

// topicTable is one section's table of terms.
type topicTable struct {
	L         Lang
	Rows      []topics.Topic
	Query     template.URL
	Sentiment string
	Change    bool // show the previous period and the change
}

// Hot is 差评热点's table.
func (s *topicsSection) Hot() topicTable {
	return topicTable{L: s.L, Rows: s.Negative, Query: s.Query, Sentiment: string(topics.Negative), Change: true}
}

// Good is 好评经验's table of terms.
func (s *topicsSection) Good() topicTable {
	return topicTable{L: s.L, Rows: s.Positive, Query: s.Query, Sentiment: string(topics.Positive)}
}

// praisedList is the staff or the halls praised most.
type praisedList struct {
	ID, Title, Header string
	Rows              []topics.Praised
}

// Lists are the staff and the halls praised most.
func (s *topicsSection) Lists() []praisedList {
	return []praisedList{{"staff", s.L.T("an.topics.staff"), s.L.T("an.topics.staff_id"), s.Staff},
		{"halls", s.L.T("an.topics.halls"), s.L.T("an.topics.hall"), s.Halls}}
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

// topicsSection reads both sections for the analytics page's filter.
func (w *Web) topicsSection(ctx context.Context, u domain.User, f stats.Filter, l Lang) (*topicsSection, error) {
	sec, svc := &topicsSection{L: l}, w.topics
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
	sec.Chart.Labels = map[string]string{"now": l.T("an.topics.now"), "prev": l.T("an.topics.prev"),
		"hot": l.T("an.topics.hot"), "good": l.T("an.topics.good")}
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
}

// analyticsMentions lists the ratings of the analytics filter whose comment
// mentions ?term=, newest first; department users see their own only.
func (w *Web) analyticsMentions(c echo.Context) error {
	ctx := c.Request().Context()
	p := w.newPage(c, "analytics", nil)
	u := sessionOf(c).User
	today := stats.Day(w.Now())
	v := mentionsView{Term: c.QueryParam("term"), Sentiment: c.QueryParam("sentiment"), Dept: c.QueryParam("department_code"),
		From: c.QueryParam("from"), To: c.QueryParam("to")}
	from, err1 := time.Parse(time.DateOnly, v.From)
	to, err2 := time.Parse(time.DateOnly, v.To)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > stats.MaxDays*24*time.Hour {
		from, to = today.AddDate(0, 0, -29), today
		v.From, v.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	}
	if u.Role == domain.RoleDepartment {
		if v.Dept != "" && v.Dept != u.DepartmentCode {
			return w.fail(c, domain.ErrForbidden)
		}
		v.Dept = u.DepartmentCode
	}
	f := topics.Filter{From: from, To: to, Department: v.Dept, Viewer: u}
	switch topics.Sentiment(v.Sentiment) {
	case topics.Negative, topics.Positive:
		f.Sentiment = topics.Sentiment(v.Sentiment)
	default:
		v.Sentiment = ""
	}
	p.Title = p.L.T("an.mentions.title", v.Term)
	back := url.Values{"from": {v.From}, "to": {v.To}}
	if v.Dept != "" && u.Role != domain.RoleDepartment {
		back.Set("department_code", v.Dept)
	}
	v.Back = "/analytics?" + back.Encode() + "#topics"
	if v.Term != "" {
		var err error
		if v.Mentions, err = w.topics.Mentions(ctx, f, v.Term, 100); err != nil {
			return w.fail(c, err)
		}
	}
	p.Data = &v
	return w.render(c, 200, "analytics_mentions", p)
}

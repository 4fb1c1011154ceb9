package stats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"rectify/domain"
)

// Counts are the additive counters of one rollup row or any sum of them; every
// metric is derived from them.
type Counts struct {
	ByLevel                [5]int64 // in domain.Levels order, best first
	RealName               int64
	Rectified              int64
	RectifiedOnTime        int64
	FollowedUp             int64
	SatisfiedAfterFollowup int64
	Returned               int64
	Extended               int64
	Reopened               int64
	Overdue                int64
	RectWorkingDays        int64
}

// counterColumns are the rollup columns, in the order of Counts' fields.
const counterColumns = `very_satisfied, satisfied, basically_satisfied, dissatisfied, very_dissatisfied, real_name,
	rectified, rectified_on_time, followed_up, satisfied_after_followup, returned, extended, reopened, overdue,
	rect_working_days`

// deltaCounterColumns are the same columns of stats_delta d.
const deltaCounterColumns = `d.very_satisfied, d.satisfied, d.basically_satisfied, d.dissatisfied, d.very_dissatisfied,
	d.real_name, d.rectified, d.rectified_on_time, d.followed_up, d.satisfied_after_followup, d.returned, d.extended,
	d.reopened, d.overdue, d.rect_working_days`

// counterSums sums every counter column, as bigint.
const counterSums = `sum(very_satisfied)::bigint, sum(satisfied)::bigint, sum(basically_satisfied)::bigint,
	sum(dissatisfied)::bigint, sum(very_dissatisfied)::bigint, sum(real_name)::bigint, sum(rectified)::bigint,
	sum(rectified_on_time)::bigint, sum(followed_up)::bigint, sum(satisfied_after_followup)::bigint,
	sum(returned)::bigint, sum(extended)::bigint, sum(reopened)::bigint, sum(overdue)::bigint,
	sum(rect_working_days)::bigint`

func (c *Counts) scanTargets() []any {
	return []any{&c.ByLevel[0], &c.ByLevel[1], &c.ByLevel[2], &c.ByLevel[3], &c.ByLevel[4], &c.RealName,
		&c.Rectified, &c.RectifiedOnTime, &c.FollowedUp, &c.SatisfiedAfterFollowup, &c.Returned, &c.Extended,
		&c.Reopened, &c.Overdue, &c.RectWorkingDays}
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	for i := range c.ByLevel {
		c.ByLevel[i] += o.ByLevel[i]
	}
	c.RealName += o.RealName
	c.Rectified += o.Rectified
	c.RectifiedOnTime += o.RectifiedOnTime
	c.FollowedUp += o.FollowedUp
	c.SatisfiedAfterFollowup += o.SatisfiedAfterFollowup
	c.Returned += o.Returned
	c.Extended += o.Extended
	c.Reopened += o.Reopened
	c.Overdue += o.Overdue
	c.RectWorkingDays += o.RectWorkingDays
}

// Total is the number of ratings.
func (c Counts) Total() int64 {
	var n int64
	for _, v := range c.ByLevel {
		n += v
	}
	return n
}

// Negative is the number of negative ratings, which is also the number of tickets.
func (c Counts) Negative() int64 { return c.ByLevel[3] + c.ByLevel[4] }

// Weights score the levels, best first.
type Weights [5]float64

// DefaultWeights is the common 10/8/6/3/0 scale.
var DefaultWeights = Weights{10, 8, 6, 3, 0}

// Validate checks the weights are finite, within 0..100 and never rise as the
// level falls.
func (w Weights) Validate() error {
	for i, v := range w {
		if !(v >= 0 && v <= 100) {
			return fmt.Errorf("weight of %s must be between 0 and 100", domain.Levels[i])
		}
		if i > 0 && v > w[i-1] {
			return fmt.Errorf("weight of %s may not exceed that of %s", domain.Levels[i], domain.Levels[i-1])
		}
	}
	return nil
}

// ByLevel is the count per level, in the contract's shape.
type ByLevel struct {
	VerySatisfied      int64 `json:"very_satisfied"`
	Satisfied          int64 `json:"satisfied"`
	BasicallySatisfied int64 `json:"basically_satisfied"`
	Dissatisfied       int64 `json:"dissatisfied"`
	VeryDissatisfied   int64 `json:"very_dissatisfied"`
}

// Metrics are the figures of one row, as API.md names them. Rates are fractions in
// [0, 1]; in Go a rate with a base of 0 is 0 (rankings compare them), in JSON it
// is null (see MarshalJSON).
type Metrics struct {
	Total                      int64   `json:"total"`
	ByLevel                    ByLevel `json:"by_level"`
	SatisfactionRate           float64 `json:"satisfaction_rate" base:"Total"`
	NegativeRate               float64 `json:"negative_rate" base:"Total"`
	Score                      float64 `json:"score" base:"Total"`
	Tickets                    int64   `json:"tickets"`
	Rectified                  int64   `json:"rectified"`
	RectifiedOnTime            int64   `json:"rectified_on_time"`
	RealNameTickets            int64   `json:"real_name_tickets"`
	FollowedUp                 int64   `json:"followed_up"`
	SatisfiedAfterFollowup     int64   `json:"satisfied_after_followup"`
	Overdue                    int64   `json:"overdue"`
	Returns                    int64   `json:"returns"`
	Extensions                 int64   `json:"extensions"`
	Reopened                   int64   `json:"reopened"`
	RectificationRate          float64 `json:"rectification_rate" base:"Tickets"`
	OnTimeRate                 float64 `json:"on_time_rate" base:"Tickets"`
	FollowupRate               float64 `json:"followup_rate" base:"RealNameTickets"`
	SatisfiedAfterFollowupRate float64 `json:"satisfied_after_followup_rate" base:"FollowedUp"`
	AvgRectifyWorkingDays      float64 `json:"avg_rectify_working_days" base:"Rectified"`
	ReturnRate                 float64 `json:"return_rate" base:"Tickets"`
	ExtensionRate              float64 `json:"extension_rate" base:"Tickets"`
	ReopenRate                 float64 `json:"reopen_rate" base:"Tickets"`
}

// Metrics derives the figures from the counters.
func (c Counts) Metrics(w Weights) Metrics {
	total, tickets := c.Total(), c.Negative()
	var weighted float64
	for i, n := range c.ByLevel {
		weighted += w[i] * float64(n)
	}
	m := Metrics{
		Total: total,
		ByLevel: ByLevel{VerySatisfied: c.ByLevel[0], Satisfied: c.ByLevel[1], BasicallySatisfied: c.ByLevel[2],
			Dissatisfied: c.ByLevel[3], VeryDissatisfied: c.ByLevel[4]},
		SatisfactionRate:       ratio(c.ByLevel[0]+c.ByLevel[1]+c.ByLevel[2], total),
		NegativeRate:           ratio(tickets, total),
		Tickets:                tickets,
		Rectified:              c.Rectified,
		RectifiedOnTime:        c.RectifiedOnTime,
		RealNameTickets:        c.RealName,
		FollowedUp:             c.FollowedUp,
		SatisfiedAfterFollowup: c.SatisfiedAfterFollowup,
		Overdue:                c.Overdue,
		Returns:                c.Returned,
		Extensions:             c.Extended,
		Reopened:               c.Reopened,

		RectificationRate:          ratio(c.Rectified, tickets),
		OnTimeRate:                 ratio(c.RectifiedOnTime, tickets),
		FollowupRate:               ratio(c.FollowedUp, c.RealName),
		SatisfiedAfterFollowupRate: ratio(c.SatisfiedAfterFollowup, c.FollowedUp),
		AvgRectifyWorkingDays:      ratio(c.RectWorkingDays, c.Rectified),
		ReturnRate:                 ratio(c.Returned, tickets),
		ExtensionRate:              ratio(c.Extended, tickets),
		ReopenRate:                 ratio(c.Reopened, tickets),
	}
	if total > 0 {
		m.Score = weighted / float64(total)
	}
	return m
}

// MarshalJSON writes the metrics in their fields' order, with every rate or mean
// whose base is 0 as null, as API.md says: a day without ratings has no 好评率,
// and a chart must show a gap there, not a 0% (issue 17 item 8). A figure's base
// is the count its base tag names, next to the figure's own definition.
func (m Metrics) MarshalJSON() ([]byte, error) {
	v := reflect.ValueOf(m)
	b := []byte{'{'}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if i > 0 {
			b = append(b, ',')
		}
		b = append(strconv.AppendQuote(b, f.Tag.Get("json")), ':') // the names are plain ASCII
		if base := f.Tag.Get("base"); base != "" && v.FieldByName(base).Int() == 0 {
			b = append(b, "null"...)
			continue
		}
		x, err := json.Marshal(v.Field(i).Interface())
		if err != nil {
			return nil, err
		}
		b = append(b, x...)
	}
	return append(b, '}'), nil
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Row is one line of a statistics table: a department, or a key within one
// dimension, with its figures.
type Row struct {
	Dim            Dim
	DepartmentCode string // empty for dimensions summed across departments
	DepartmentName string
	Key            string // the service item, channel, region, staff id or aspect
	Counts         Counts
	Metrics
}

// MarshalJSON writes the row's identity under its dimension's names, then the
// metrics: {"department_code", "department_name", "service_item_code", ...}.
func (r Row) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	field := func(name, v string) {
		k, _ := json.Marshal(name)
		s, _ := json.Marshal(v)
		b.Write(k)
		b.WriteByte(':')
		b.Write(s)
		b.WriteByte(',')
	}
	if r.Dim.perDepartment() {
		field("department_code", r.DepartmentCode)
		field("department_name", r.DepartmentName)
	}
	if r.Dim != Department {
		field(r.Dim.keyField(), r.Key)
	}
	m, err := json.Marshal(r.Metrics)
	if err != nil {
		return nil, err
	}
	b.Write(m[1:]) // the metrics object without its opening brace
	return b.Bytes(), nil
}

package bench

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"
)

// Rating is the body of POST /api/v1/ratings as a channel sends it.
type Rating struct {
	ID              string    `json:"id"`
	Channel         string    `json:"channel"`
	Level           string    `json:"level"`
	RatedAt         time.Time `json:"rated_at"`
	DepartmentCode  string    `json:"department_code"`
	ServiceItemCode string    `json:"service_item_code,omitempty"`
	StaffID         string    `json:"staff_id,omitempty"`
	HallCode        string    `json:"hall_code,omitempty"`
	CaseNo          string    `json:"case_no,omitempty"`
	RegionCode      string    `json:"region_code,omitempty"`
	Aspects         []string  `json:"aspects,omitempty"`
	Comment         string    `json:"comment,omitempty"`
	Citizen         *Citizen  `json:"citizen,omitempty"`
}

// Citizen is the rater.
type Citizen struct {
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	Anonymous bool   `json:"anonymous"`
}

var (
	channels   = []string{"web", "hall", "mobile", "kiosk", "hotline"}
	positive   = []string{"very_satisfied", "satisfied", "basically_satisfied"}
	aspectSets = [][]string{{"handling"}, {"attitude", "competence"}, {"queueing", "guide", "result"}, nil}
)

// NewRating makes the i-th rating of a run: one in negEvery is negative (0: none
// is, 1: all are), from a real-name citizen with a phone so that its ticket can be
// followed up by a call.
func NewRating(prefix string, i, negEvery int, at time.Time) Rating {
	r := Rating{
		ID:              fmt.Sprintf("%s-%08d", prefix, i),
		Channel:         channels[i%len(channels)],
		Level:           positive[i%len(positive)],
		RatedAt:         at.Add(-time.Duration(i%3600) * time.Second).Truncate(time.Second),
		DepartmentCode:  Department,
		ServiceItemCode: fmt.Sprintf("SI-%04d", i%500),
		StaffID:         fmt.Sprintf("S%05d", i%2000),
		HallCode:        "HALL-01",
		CaseNo:          fmt.Sprintf("CASE-%s-%08d", prefix, i),
		RegionCode:      "320102",
		Aspects:         aspectSets[i%len(aspectSets)],
		Comment:         "窗口办理顺利，工作人员态度很好。",
		Citizen:         &Citizen{Name: "张三", Phone: fmt.Sprintf("138%08d", i%100000000), Anonymous: i%7 == 0},
	}
	if negEvery > 0 && i%negEvery == 0 {
		r.Level, r.Comment = "dissatisfied", "排队时间太长，材料被退回两次。"
		r.Citizen.Anonymous = false
	}
	return r
}

// Negative says whether the rating opens a ticket.
func (r Rating) Negative() bool { return r.Level == "dissatisfied" || r.Level == "very_dissatisfied" }

// Body is the JSON request body.
func (r Rating) Body() []byte {
	b, _ := json.Marshal(r)
	return b
}

// Hash stands in for the body hash rectify stores, so the baseline writes as many bytes.
func (r Rating) Hash() []byte {
	h := sha256.Sum256(r.Body())
	return h[:]
}

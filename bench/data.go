package bench

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"rectify/domain"
	"rectify/services"
	"time"
)

// Rating is the body of POST /api/v1/ratings as a channel sends it: the API's
// own services.RatingInput, so the bench cannot drift from what rectify takes.
type Rating struct{ services.RatingInput }

var (
	channels   = domain.Channels
	positive   = []domain.Level{domain.VerySatisfied, domain.Satisfied, domain.BasicallySatisfied}
	aspectSets = [][]string{{"handling"}, {"attitude", "competence"}, {"queueing", "guide", "result"}, nil}
)

// NewRating makes the i-th rating of a run: one in negEvery is negative (0: none
// is, 1: all are), from a real-name citizen with a phone so that its ticket can be
// followed up by a call.
func NewRating(prefix string, i, negEvery int, at time.Time) Rating {
	ratedAt := at.Add(-time.Duration(i%3600) * time.Second).Truncate(time.Second)
	r := Rating{services.RatingInput{
		ID:             fmt.Sprintf("%s-%08d", prefix, i),
		Channel:        channels[i%len(channels)],
		Level:          positive[i%len(positive)],
		RatedAt:        &ratedAt,
		DepartmentCode: Department,
		Service: domain.Service{ServiceItemCode: fmt.Sprintf("SI-%04d", i%500), StaffID: fmt.Sprintf("S%05d", i%2000),
			HallCode: "HALL-01", CaseNo: fmt.Sprintf("CASE-%s-%08d", prefix, i), RegionCode: "320102"},
		Aspects: aspectSets[i%len(aspectSets)],
		Comment: "窗口办理顺利，工作人员态度很好。",
		Citizen: &domain.Citizen{Name: "张三", Phone: fmt.Sprintf("138%08d", i%100000000), Anonymous: i%7 == 0},
	}}
	if negEvery > 0 && i%negEvery == 0 {
		r.Level, r.Comment = domain.Dissatisfied, "排队时间太长，材料被退回两次。"
		r.Citizen.Anonymous = false
	}
	return r
}

// Negative says whether the rating opens a ticket.
func (r Rating) Negative() bool { return r.Level.Negative() }

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

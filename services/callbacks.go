package services

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"rectify/campaigns"
	"rectify/domain"
	"rectify/store"
)

// Satisfaction call-backs on finished service cases (办件满意度回访): the call
// center logs its calls; a reached call's answer is registered as a hotline
// rating of the case's department, stored and started as a submitted rating is,
// so a negative answer opens one ticket and its workflow.

// CallLog is one call, as POST /api/v1/callbacks/{id}/log names its fields.
type CallLog struct {
	Reached *bool        `json:"reached"`
	Attempt int          `json:"attempt,omitempty"` // the call's number (1, 2, ...): makes a retried log safe
	Level   domain.Level `json:"level,omitempty"`
	Aspects []string     `json:"aspects,omitempty"`
	Comment string       `json:"comment,omitempty"`
	Note    string       `json:"note,omitempty"` // the operator's own note on the call
}

// Validate checks a call on its own, before the call-back is read.
func (in CallLog) Validate() error {
	var fs []domain.FieldError
	bad := func(field, msg string) { fs = append(fs, domain.FieldError{Field: field, Message: msg}) }
	if in.Reached == nil {
		bad("reached", "required")
	}
	if in.Attempt < 0 {
		bad("attempt", "must be a call number from 1")
	}
	if len([]rune(in.Note)) > MaxComment {
		bad("note", fmt.Sprintf("at most %d characters", MaxComment))
	}
	if in.Reached != nil && !*in.Reached {
		if in.Level != "" {
			bad("level", "only for a reached call")
		}
		if len(in.Aspects) > 0 || in.Comment != "" {
			bad("comment", "only for a reached call")
		}
	}
	if in.Reached != nil && *in.Reached && in.Level == "" {
		bad("level", "required when reached")
	}
	if fs != nil {
		return domain.Invalid("invalid_call", fs)
	}
	return nil
}

// Log records a call of call-back id by the call center. The same log again
// (a retried request) changes nothing and answers the same.
func (c *Callbacks) Log(ctx context.Context, actor domain.User, id int64, in CallLog) (store.Callback, error) {
	if actor.Role != domain.RoleCallCenter {
		return store.Callback{}, domain.ErrForbidden
	}
	if id < 1 {
		return store.Callback{}, domain.ErrNotFound
	}
	if err := in.Validate(); err != nil {
		return store.Callback{}, err
	}
	cb, err := c.Store.GetCallback(ctx, id)
	if err != nil {
		return store.Callback{}, err
	}
	now := c.Now()
	a := store.NewCallAttempt{CallbackID: id, Attempt: in.Attempt, Reached: *in.Reached, Note: in.Note,
		CalledBy: actor.Username, At: now}
	if *in.Reached {
		if cb.Status != "queued" && cb.Status != "reached" { // a reached one may be the retry of this very log
			return store.Callback{}, store.ErrCallbackClosed
		}
		if a.RatingID, err = c.registerAnswer(ctx, cb, in, actor, now); err != nil {
			return store.Callback{}, err
		}
	} else {
		rules, err := campaigns.CurrentRules(ctx, c.Store)
		if err != nil {
			return store.Callback{}, err
		}
		a.RetryAfter = rules.RetryAfter()
	}
	out, _, err := c.Store.LogCallAttempt(ctx, a)
	return out, err
}

// registerAnswer stores the citizen's answer as a hotline rating linked to the
// case and returns its id. The same answer again is the same rating; another
// answer to an answered call-back is a conflict.
func (c *Callbacks) registerAnswer(ctx context.Context, cb store.Callback, in CallLog, actor domain.User, now time.Time) (string, error) {
	rin := RatingInput{ID: campaigns.CallbackRatingID(cb.CaseNo), Channel: domain.ChannelHotline, Level: in.Level,
		DepartmentCode: cb.DepartmentCode, Service: domain.Service{ServiceItemCode: cb.ServiceItemCode, HallCode: cb.HallCode,
			CaseNo: cb.CaseNo, RegionCode: cb.RegionCode}, Aspects: in.Aspects, Comment: in.Comment,
		Citizen: &domain.Citizen{Name: cb.Applicant.Name, Phone: cb.Applicant.Phone}}
	r, err := rin.Validate(now)
	if err != nil {
		if de, ok := domain.AsError(err); ok {
			return "", domain.Invalid("invalid_call", de.Fields)
		}
		return "", err
	}
	// The hash leaves out the time: a retried log is the same answer.
	b, _ := json.Marshal(struct {
		CaseNo  string       `json:"case_no"`
		Level   domain.Level `json:"level"`
		Aspects []string     `json:"aspects"`
		Comment string       `json:"comment"`
	}{cb.CaseNo, r.Level, r.Aspects, r.Comment})
	h := sha256.Sum256(b)
	rs := []store.NewRating{{Rating: r, BodyHash: h[:], SubmittedBy: actor.Username}}
	res, err := c.ratings.Save(ctx, rs)
	if err != nil {
		return "", err
	}
	if res[0].Outcome == store.Conflict {
		return "", domain.E(domain.KindConflict, "callback_conflict",
			"call-back %d was already answered with another level, aspects or comment", cb.ID)
	}
	return r.ID, nil
}

// QueueQuery selects a page of the call-back queue.
type QueueQuery struct {
	Team   string
	All    bool // resting call-backs too (an unanswered call, waiting to be tried again); false: only those due now
	Limit  int
	Cursor string // from the previous page
	// Reveal: the call center's rows carry applicants' numbers (each reveal
	// audited); otherwise, and for every other role, they are masked.
	Reveal bool
}

// CallingWindow says whether citizens may be called now.
type CallingWindow struct {
	Open    bool       `json:"open"`
	Until   *time.Time `json:"until,omitempty"` // open: when today's window closes
	Next    *time.Time `json:"next,omitempty"`  // closed: when the next one opens
	Problem string     `json:"problem,omitempty"`
}

// Queue is a page of queued call-backs and the calling window.
type Queue struct {
	Callbacks []store.Callback
	Next      string // the cursor of the following page; "" on the last
	Window    CallingWindow
}

// Queue lists queued call-backs, oldest case first, with the calling window
// (a year without holiday data: Window.Problem says so).
func (c *Callbacks) Queue(ctx context.Context, actor domain.User, q QueueQuery) (Queue, error) {
	switch actor.Role {
	case domain.RoleCallCenter, domain.RoleSupervisor, domain.RoleAdmin:
	default:
		return Queue{}, domain.ErrForbidden
	}
	now := c.Now()
	f := store.CallbackFilter{Team: q.Team, Cursor: q.Cursor, Limit: q.Limit, DueBy: &now}
	if q.All {
		f.DueBy = nil
	}
	rules, err := campaigns.CurrentRules(ctx, c.Store)
	if err != nil {
		return Queue{}, err
	}
	cbs, next, err := c.Store.CallbackQueue(ctx, f)
	if err != nil {
		return Queue{}, err
	}
	if cbs == nil {
		cbs = []store.Callback{}
	}
	if q.Reveal && actor.Role.SeesPhones() {
		var shown []string
		for _, cb := range cbs {
			if cb.Applicant.Phone != "" {
				shown = append(shown, cb.CaseNo)
			}
		}
		if err := c.Store.RecordCaseReveals(ctx, shown, actor.Username); err != nil {
			return Queue{}, err // no audit row, no number
		}
	} else {
		for i := range cbs {
			if p := cbs[i].Applicant.Phone; p != "" {
				cbs[i].Applicant.Phone = domain.MaskPhone(p)
			}
		}
	}
	out := Queue{Callbacks: cbs, Next: next}
	if cw, err := rules.WindowAt(c.Calendar, now); err != nil {
		out.Window.Problem = err.Error()
	} else {
		out.Window.Open = cw.Open
		if cw.Open {
			out.Window.Until = &cw.Until
		} else {
			out.Window.Next = &cw.Next
		}
	}
	return out, nil
}

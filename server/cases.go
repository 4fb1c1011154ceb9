package server

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/campaigns"
	"rectify/domain"
	"rectify/services"
	"rectify/stats"
	"rectify/store"
	"rectify/workflows"
)

// Satisfaction call-backs on finished service cases (办件满意度回访): service
// systems report finished cases, the campaign workflow releases a sample of them
// into the call-back queue, and the call center logs its calls; a reached call is
// registered as a hotline rating through the same path as POST /api/v1/ratings.

// routeCases registers the call-back endpoints on the /api/v1 group.
func (s *Server) routeCases(api *echo.Group) {
	reporters := []domain.Role{domain.RoleChannel, domain.RoleAdmin}
	supervisors := []domain.Role{domain.RoleSupervisor, domain.RoleAdmin}
	api.POST("/cases", s.createCase, allow(reporters...), limit(maxBody))
	api.POST("/cases/batch", s.createCaseBatch, allow(reporters...), limit(maxBatchBody))
	api.GET("/callbacks", s.callbackQueue, allow(domain.RoleCallCenter, domain.RoleSupervisor, domain.RoleAdmin))
	api.POST("/callbacks/:id/log", s.logCallback, allow(domain.RoleCallCenter), limit(maxBody))
	api.GET("/sampling-rules", s.getSamplingRules, allow(supervisors...))
	api.PUT("/sampling-rules", s.putSamplingRules, allow(supervisors...), limit(maxBody))
	api.GET("/stats/callbacks", s.callbackStats, allow(domain.RoleSupervisor, domain.RoleAdmin, domain.RoleDepartment))
}

// caseIn is the body of POST /api/v1/cases.
type caseIn struct {
	CaseNo          string         `json:"case_no"`
	ServiceItemCode string         `json:"service_item_code"`
	ServiceItemName string         `json:"service_item_name,omitempty"`
	DepartmentCode  string         `json:"department_code"`
	HallCode        string         `json:"hall_code,omitempty"`
	Channel         domain.Channel `json:"channel,omitempty"` // where the case was handled
	RegionCode      string         `json:"region_code,omitempty"`
	FinishedAt      *time.Time     `json:"finished_at"`
	Applicant       *applicantIn   `json:"applicant,omitempty"`
}

type applicantIn struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// caseOut deliberately leaves out whether the case was sampled: the department
// that reports it must not learn which citizens will be called.
type caseOut struct {
	CaseNo string `json:"case_no"`
}

func (in caseIn) validate(now time.Time, by string) (store.NewCase, error) {
	var fs domain.FieldErrors
	bad, code := fs.Bad, fs.Code
	code("case_no", in.CaseNo, true)
	code("service_item_code", in.ServiceItemCode, true)
	code("department_code", in.DepartmentCode, true)
	code("hall_code", in.HallCode, false)
	if n := len([]rune(in.ServiceItemName)); n > 200 {
		bad("service_item_name", "at most 200 characters")
	}
	if in.Channel != "" && !in.Channel.Valid() {
		bad("channel", "must be one of web, hall, mobile, kiosk, hotline")
	}
	fs.Region("region_code", in.RegionCode)
	switch {
	case in.FinishedAt == nil:
		bad("finished_at", "required")
	case in.FinishedAt.After(now.Add(clockSkew)):
		bad("finished_at", "must not be in the future")
	case in.FinishedAt.Year() < 2000:
		bad("finished_at", "must be after 2000-01-01")
	}
	var a applicantIn
	if in.Applicant != nil {
		a = *in.Applicant
		fs.Person("applicant", a.Name, a.Phone)
	}
	if fs != nil {
		return store.NewCase{}, domain.Invalid("invalid_case", fs)
	}
	b, _ := json.Marshal(in) // re-encoded: key order and white space do not make a conflict
	h := sha256.Sum256(b)
	return store.NewCase{CaseNo: in.CaseNo, ServiceItemCode: in.ServiceItemCode, ServiceItemName: in.ServiceItemName,
		DepartmentCode: in.DepartmentCode, HallCode: in.HallCode, Channel: string(in.Channel), RegionCode: in.RegionCode,
		FinishedAt: *in.FinishedAt, ApplicantName: a.Name, ApplicantPhone: a.Phone, BodyHash: h[:], SubmittedBy: by}, nil
}

func parseCase(b []byte, now time.Time, by string) (store.NewCase, error) {
	var in caseIn
	if err := unmarshalStrict(b, &in); err != nil {
		return store.NewCase{}, err
	}
	return in.validate(now, by)
}

func (s *Server) createCase(c echo.Context) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	nc, err := parseCase(b, s.clock(), userOf(c).Username)
	if err != nil {
		return err
	}
	res, err := campaigns.Intake(c.Request().Context(), s.Store, []store.NewCase{nc})
	if err != nil {
		return err
	}
	switch res[0] {
	case store.Conflict:
		return domain.E(domain.KindConflict, "case_conflict", "case %s was already reported with a different body", nc.CaseNo)
	case store.Duplicate:
		return c.JSON(http.StatusOK, caseOut{CaseNo: nc.CaseNo})
	}
	return c.JSON(http.StatusCreated, caseOut{CaseNo: nc.CaseNo})
}

type caseBatchIn struct {
	Cases []json.RawMessage `json:"cases"`
}

type caseBatchResult struct {
	CaseNo string        `json:"case_no"`
	Status int           `json:"status"`
	Error  *errorPayload `json:"error,omitempty"`
}

// createCaseBatch answers one result per input, in order, as the ratings batch
// does: invalid items are refused one by one, the valid ones stored together.
func (s *Server) createCaseBatch(c echo.Context) error {
	var in caseBatchIn
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if err := batchSize("cases", in.Cases); err != nil {
		return err
	}
	now, by := s.clock(), userOf(c).Username
	results := make([]caseBatchResult, len(in.Cases))
	var (
		valid []store.NewCase
		where []int              // valid[k] answers results[where[k]]
		first = map[string]int{} // case number -> index in valid, to fold repeats within the batch
		same  = map[int]int{}    // results index -> the valid index it repeats
	)
	for i, raw := range in.Cases {
		nc, err := parseCase(raw, now, by)
		if err != nil {
			results[i] = caseBatchResult{CaseNo: keyOf(raw, "case_no"), Status: http.StatusUnprocessableEntity, Error: payload(err)}
			continue
		}
		results[i].CaseNo = nc.CaseNo
		if k, ok := first[nc.CaseNo]; ok {
			if string(valid[k].BodyHash) != string(nc.BodyHash) {
				results[i].Status = http.StatusConflict
				results[i].Error = &errorPayload{Code: "case_conflict", Message: "the same case_no appears earlier in this batch with a different body"}
			} else {
				same[i] = k
			}
			continue
		}
		first[nc.CaseNo] = len(valid)
		valid = append(valid, nc)
		where = append(where, i)
	}
	res, err := campaigns.Intake(c.Request().Context(), s.Store, valid)
	if err != nil {
		return err
	}
	status := map[store.Outcome]int{store.Created: http.StatusCreated, store.Duplicate: http.StatusOK, store.Conflict: http.StatusConflict}
	for k, o := range res {
		r := &results[where[k]]
		r.Status = status[o]
		if o == store.Conflict {
			r.Error = &errorPayload{Code: "case_conflict", Message: "already reported with a different body"}
		}
	}
	for i, k := range same {
		results[i] = results[where[k]]
		if results[i].Status == http.StatusCreated {
			results[i].Status = http.StatusOK
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"results": results})
}

// callbackQueue lists queued call-backs, oldest case first. By default only those
// whose next call is due; due=false adds those resting after an unanswered call.
// The call center reads the numbers it calls (services.Callbacks.Queue).
func (s *Server) callbackQueue(c echo.Context) error {
	q := services.QueueQuery{Team: c.QueryParam("team"), Cursor: c.QueryParam("cursor"), Reveal: true}
	var fs []domain.FieldError
	q.Limit = intParam(c, "limit", 50, 1, 500, &fs)
	q.All = !boolParam(c, "due", true, &fs)
	if fs != nil {
		return badParams(fs)
	}
	out, err := s.Services.Callbacks.Queue(c.Request().Context(), userOf(c), q)
	var nc *string
	if out.Next != "" {
		nc = &out.Next
	}
	return answer(c, http.StatusOK, map[string]any{"callbacks": out.Callbacks, "next_cursor": nc, "calling_window": out.Window}, err)
}

// logCallback records a call (services.Callbacks.Log). A reached call's answer
// becomes a hotline rating of the case's department, stored and started as POST
// /api/v1/ratings does, so a negative answer opens one ticket and its workflow.
func (s *Server) logCallback(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return domain.ErrNotFound
	}
	var in services.CallLog
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	out, err := s.Services.Callbacks.Log(c.Request().Context(), userOf(c), id, in)
	return answer(c, http.StatusOK, out, err)
}

// putSamplingRules replaces the whole rule set. Fields left out keep their
// defaults; version, when sent, must be the current version (a lost update is 409).
func (s *Server) putSamplingRules(c echo.Context) error {
	r := campaigns.Default()
	r.Version = -1 // tells "version sent" from "not sent"
	if err := decodeStrict(c, &r); err != nil {
		return err
	}
	var ifVersion *int
	if r.Version != -1 {
		ifVersion = &r.Version
	}
	r = r.Normalize()
	if err := r.Validate(); err != nil {
		return err
	}
	out, err := campaigns.SaveRules(c.Request().Context(), s.Store, r, ifVersion, userOf(c).Username)
	if err != nil {
		return err
	}
	if err := s.audit(c, "sampling_rules.put", "sampling_rules", out); err != nil {
		return err
	}
	// Wake the campaign so the new caps and hours apply now. It is a nudge: the
	// campaign re-reads the rules on its own within minutes anyway.
	if s.Engine != nil && s.Temporal != nil {
		if err := s.Temporal.SignalWorkflow(c.Request().Context(), workflows.CampaignWorkflowID(s.Engine.TaskQueue), "",
			workflows.SignalCampaignWake, nil); err != nil {
			s.Log.Info("call-back campaign not woken", "err", err)
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getSamplingRules(c echo.Context) error {
	r, err := campaigns.CurrentRules(c.Request().Context(), s.Store)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// callbackStats serves the call-back figures per department for cases finished
// in the days of the statistics filter, with the same departments' self-submitted
// ratings of that time beside them. Department users see their own department only.
func (s *Server) callbackStats(c echo.Context) error {
	f, err := statsFilter(c, s.clock())
	if err != nil {
		return err
	}
	r, err := campaigns.ReportFor(c.Request().Context(), s.Store, userOf(c), f, stats.Day(s.clock()))
	if err != nil {
		return err
	}
	granularity := "day"
	if r.Month {
		granularity = "month"
	}
	return c.JSON(http.StatusOK, map[string]any{"from": r.From.Format(time.DateOnly), "to": r.To.Format(time.DateOnly),
		"granularity": granularity, "departments": r.Departments, "total": r.Total})
}

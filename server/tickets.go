package server

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
	"rectify/workflows"
)

func (s *Server) getTicket(c echo.Context) error {
	t, err := s.Store.GetTicket(c.Request().Context(), c.Param("number"))
	if err != nil {
		return err
	}
	if !userOf(c).SeesTicket(t.DepartmentCode) {
		return domain.ErrNotFound
	}
	return c.JSON(http.StatusOK, t)
}

func (s *Server) listTickets(c echo.Context) error {
	u := userOf(c)
	f := store.TicketFilter{Status: domain.Status(c.QueryParam("status")), DepartmentCode: c.QueryParam("department_code"),
		Cursor: c.QueryParam("cursor"), Limit: 50}
	var fs []domain.FieldError
	if f.Status != "" && !f.Status.Valid() {
		fs = append(fs, domain.FieldError{Field: "status", Message: "unknown status"})
	}
	switch c.QueryParam("overdue") {
	case "", "false":
	case "true":
		f.OnlyOverdue = true
	default:
		fs = append(fs, domain.FieldError{Field: "overdue", Message: "must be true or false"})
	}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			fs = append(fs, domain.FieldError{Field: "limit", Message: "must be 1 to 500"})
		}
		f.Limit = n
	}
	if fs != nil {
		return &domain.Error{Kind: domain.KindBadRequest, Code: "bad_parameter", Message: fs[0].Field + ": " + fs[0].Message, Fields: fs}
	}
	if dept, all := u.TicketScope(); !all {
		if f.DepartmentCode != "" && f.DepartmentCode != dept {
			return c.JSON(http.StatusOK, map[string]any{"tickets": []domain.Ticket{}, "next_cursor": nil})
		}
		f.DepartmentCode = dept
	}
	ts, next, err := s.Store.ListTickets(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []domain.Ticket{}
	}
	var cursor any
	if next != "" {
		cursor = next
	}
	return c.JSON(http.StatusOK, map[string]any{"tickets": ts, "next_cursor": cursor})
}

// actionIn is the union of the action bodies of API.md's table.
type actionIn struct {
	DepartmentCode *string       `json:"department_code"`
	Note           *string       `json:"note"`
	Reason         *string       `json:"reason"`
	Report         *string       `json:"report"`
	WorkingDays    *int          `json:"working_days"`
	Approve        *bool         `json:"approve"`
	Uphold         *bool         `json:"uphold"`
	Comment        *string       `json:"comment"`
	Reached        *bool         `json:"reached"`
	Level          *domain.Level `json:"level"`
}

// actionRoles says who may take each action (API.md's table).
var actionRoles = map[string][]domain.Role{
	workflows.ActionDispatch:         {domain.RoleCallCenter, domain.RoleSupervisor},
	workflows.ActionSign:             {domain.RoleDepartment},
	workflows.ActionReturn:           {domain.RoleDepartment},
	workflows.ActionRequestExtension: {domain.RoleDepartment},
	workflows.ActionDecideExtension:  {domain.RoleSupervisor},
	workflows.ActionAppeal:           {domain.RoleDepartment},
	workflows.ActionDecideAppeal:     {domain.RoleSupervisor},
	workflows.ActionResolve:          {domain.RoleDepartment},
	workflows.ActionLogCall:          {domain.RoleCallCenter},
	workflows.ActionUrge:             {domain.RoleSupervisor},
	workflows.ActionClose:            {domain.RoleSupervisor},
}

// actionFields lists, per action, the body fields it takes; any other is refused.
var actionFields = map[string][]string{
	workflows.ActionDispatch:         {"department_code", "note"},
	workflows.ActionSign:             {},
	workflows.ActionReturn:           {"reason"},
	workflows.ActionRequestExtension: {"working_days", "reason"},
	workflows.ActionDecideExtension:  {"approve", "comment"},
	workflows.ActionAppeal:           {"reason"},
	workflows.ActionDecideAppeal:     {"uphold", "comment"},
	workflows.ActionResolve:          {"report"},
	workflows.ActionLogCall:          {"reached", "level", "note"},
	workflows.ActionUrge:             {"note"},
	workflows.ActionClose:            {"reason"},
}

func (in actionIn) present() []string {
	var fs []string
	add := func(name string, set bool) {
		if set {
			fs = append(fs, name)
		}
	}
	add("department_code", in.DepartmentCode != nil)
	add("note", in.Note != nil)
	add("reason", in.Reason != nil)
	add("report", in.Report != nil)
	add("working_days", in.WorkingDays != nil)
	add("approve", in.Approve != nil)
	add("uphold", in.Uphold != nil)
	add("comment", in.Comment != nil)
	add("reached", in.Reached != nil)
	add("level", in.Level != nil)
	return fs
}

// request turns the body into the workflow's ActionRequest, checking the fields
// the HTTP contract requires; the state rules are the workflow's.
func (in actionIn) request(action string, actor domain.Actor) (workflows.ActionRequest, error) {
	q := workflows.ActionRequest{Actor: actor}
	var fs []domain.FieldError
	for _, f := range in.present() {
		if !slices.Contains(actionFields[action], f) {
			fs = append(fs, domain.FieldError{Field: f, Message: "not taken by " + action})
		}
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	need := func(field string, ok bool) {
		if !ok {
			fs = append(fs, domain.FieldError{Field: field, Message: "required"})
		}
	}
	switch action {
	case workflows.ActionDispatch:
		q.DepartmentCode, q.Note = str(in.DepartmentCode), str(in.Note)
		need("department_code", q.DepartmentCode != "")
	case workflows.ActionReturn, workflows.ActionAppeal, workflows.ActionClose:
		q.Note = str(in.Reason)
		need("reason", q.Note != "")
	case workflows.ActionRequestExtension:
		q.Note = str(in.Reason)
		need("reason", q.Note != "")
		need("working_days", in.WorkingDays != nil)
		if in.WorkingDays != nil {
			q.WorkingDays = *in.WorkingDays
		}
	case workflows.ActionDecideExtension:
		need("approve", in.Approve != nil)
		q.Approve, q.Note = in.Approve != nil && *in.Approve, str(in.Comment)
	case workflows.ActionDecideAppeal:
		need("uphold", in.Uphold != nil)
		q.Approve, q.Note = in.Uphold != nil && *in.Uphold, str(in.Comment)
	case workflows.ActionResolve:
		q.Note = str(in.Report)
		need("report", q.Note != "")
	case workflows.ActionLogCall:
		need("reached", in.Reached != nil)
		q.Reached, q.Note = in.Reached != nil && *in.Reached, str(in.Note)
		if in.Level != nil {
			q.Level = *in.Level
			if !q.Level.Valid() {
				fs = append(fs, domain.FieldError{Field: "level", Message: "must be one of the five levels"})
			}
		}
		if q.Reached && in.Level == nil {
			need("level", false)
		}
	case workflows.ActionUrge:
		q.Note = str(in.Note)
		need("note", q.Note != "")
	}
	if fs != nil {
		return q, domain.Invalid("invalid_action", fs)
	}
	return q, nil
}

// act performs one ticket action through the ticket's workflow and answers with the
// ticket as written: the workflow's Update returns only after its write committed.
func (s *Server) act(c echo.Context) error {
	ctx := c.Request().Context()
	u := userOf(c)
	action := c.Param("action")
	roles, known := actionRoles[action]
	if !known {
		return domain.E(domain.KindNotFound, "unknown_action", "no action %q", action)
	}
	ref, err := s.Store.GetTicketRef(ctx, c.Param("number"))
	if err != nil {
		return err
	}
	if !u.SeesTicket(ref.DepartmentCode) {
		return domain.ErrNotFound
	}
	if !slices.Contains(roles, u.Role) {
		return domain.ErrForbidden
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var in actionIn
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	q, err := in.request(action, u.Actor())
	if err != nil {
		return err
	}
	if action == workflows.ActionDispatch {
		code, ok, err := s.departmentCode(ctx, q.DepartmentCode)
		if err != nil {
			return err
		}
		q.DepartmentCode = code
		if !ok {
			return domain.Invalid("invalid_action", []domain.FieldError{{Field: "department_code", Message: "unknown department"}})
		}
	}
	if key != "" {
		return s.actOnce(c, ref, action, key, in, q)
	}
	if err := s.Engine.Act(ctx, ref, action, q); err != nil {
		return err
	}
	t, err := s.Store.GetTicket(ctx, ref.Number)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

type ticketData struct {
	Ticket      domain.Ticket
	Rating      domain.Rating
	DeptName    string
	Phone       string // masked unless a call-center user revealed it
	Revealed    bool
	CanReveal   bool
	Light       light
	Actions     actions
	Departments []domain.Department
	Levels      []domain.Level
	Reveals     []store.PhoneReveal
	Form        map[string]string // what was entered, when a form comes back refused
	Rounds      []timelineRound   // the 办理记录, round by round
	Names       map[string]string // display names of the people the page names, by username
	Wait        string            // why the ticket waits for a supervisor, if it does
}

// Name is a person's display name, or their username.
func (d ticketData) Name(username string) string { return nameOr(d.Names, username) }

// actions are the forms the page offers: what the user's role may do in the
// ticket's state. It only decides what to show; the API decides what happens.
type actions struct {
	Sign, Return, Extension, Appeal, Resolve, DecideExtension, DecideAppeal, LogCall, Dispatch, Urge, Close bool
}

func (a actions) Any() bool {
	return a.Sign || a.Return || a.Extension || a.Appeal || a.Resolve || a.DecideExtension || a.DecideAppeal ||
		a.LogCall || a.Dispatch || a.Urge || a.Close
}

func actionsFor(u domain.User, t domain.Ticket) actions {
	var a actions
	st, pending := t.Status, t.PendingRequest
	in := func(ss ...domain.Status) bool {
		for _, s := range ss {
			if st == s {
				return true
			}
		}
		return false
	}
	dispatchable := in(domain.StatusPendingDispatch, domain.StatusAwaitingSupervisor)
	switch u.Role {
	case domain.RoleDepartment:
		if u.DepartmentCode != t.DepartmentCode {
			return a
		}
		a.Sign = in(domain.StatusAwaitingSign)
		a.Return = in(domain.StatusAwaitingSign, domain.StatusRectifying)
		a.Appeal = a.Return && pending == nil
		a.Extension = in(domain.StatusRectifying) && pending == nil
		a.Resolve = in(domain.StatusRectifying)
	case domain.RoleCallCenter:
		a.LogCall = in(domain.StatusFollowingUp)
		a.Dispatch = dispatchable
	case domain.RoleSupervisor:
		a.Dispatch = dispatchable
		a.DecideExtension = t.Open() && pending != nil && pending.Type == domain.RequestExtension
		a.DecideAppeal = t.Open() && pending != nil && pending.Type == domain.RequestAppeal
		a.Urge, a.Close = t.Open(), t.Open()
	}
	return a
}

func (w *Web) ticketShow(c echo.Context) error {
	return w.renderTicket(c, http.StatusOK, nil, false, nil)
}

// renderTicket shows a ticket; errs and form come back from a refused action.
func (w *Web) renderTicket(c echo.Context, status int, errs []string, reveal bool, form map[string]string) error {
	ctx := c.Request().Context()
	u := sessionOf(c).User
	t, err := w.Store.GetTicket(ctx, c.Param("number"))
	if err != nil {
		return w.fail(c, err)
	}
	if !u.SeesTicket(t.DepartmentCode) {
		return w.fail(c, domain.ErrNotFound)
	}
	r, err := w.Store.GetRating(ctx, t.RatingID)
	if err != nil {
		return w.fail(c, err)
	}
	ds, err := w.Store.ListDepartments(ctx)
	if err != nil {
		return w.fail(c, err)
	}
	p := w.newPage(c, ticketSection(c, u), nil)
	p.Title = p.L.T("ticket.title", t.Number)
	p.Errors = errs
	d := ticketData{Ticket: t, Rating: r, Light: w.lightOf(p.L, t, w.Now()), Actions: actionsFor(u, t),
		Levels: domain.Levels, Form: form}
	depts := map[string]string{}
	for _, dep := range ds {
		depts[dep.Code] = dep.Name
		if dep.Code == t.DepartmentCode {
			d.DeptName = dep.Name
		}
	}
	if d.Rounds, d.Names, err = w.timelineFor(ctx, p.L, t, depts, u); err != nil {
		return w.fail(c, err)
	}
	d.Wait = waitReason(p.L, t, d.Actions)
	if d.Actions.Dispatch {
		d.Departments = ds
	}
	if r.Citizen != nil && r.Citizen.Phone != "" {
		d.Phone = domain.MaskPhone(r.Citizen.Phone)
		d.CanReveal = u.Role.SeesPhones()
		if reveal && u.Role.SeesPhones() {
			d.Phone, d.Revealed = r.Citizen.Phone, true
		}
	}
	if u.Role == domain.RoleSupervisor || u.Role == domain.RoleAdmin {
		if d.Reveals, err = w.Store.PhoneReveals(ctx, t.Number, 20); err != nil {
			return w.fail(c, err)
		}
	}
	p.Data = d
	return w.render(c, status, "ticket", p)
}

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

// actions are the forms the page offers, by action name: what the user may do
// to the ticket now, by the one rule table (domain.User.CanAct). They only
// decide what to show; the service and the workflow decide what happens.
type actions map[string]bool

// Any reports whether the page offers any action.
func (a actions) Any() bool {
	for _, ok := range a {
		if ok {
			return true
		}
	}
	return false
}

func actionsFor(u domain.User, t domain.Ticket) actions {
	a := actions{}
	for _, name := range domain.ActionNames() {
		a[name] = u.CanAct(name, t)
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
	t, err := w.Services.Tickets.Get(ctx, u, c.Param("number"))
	if err != nil {
		return w.fail(c, err)
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
	if d.Actions[domain.ActionDispatch] {
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

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

type usersData struct {
	Users       []store.UserRow
	Pager       pager
	Form        map[string]string
	Roles       []domain.Role
	Departments []domain.Department
	NewToken    string // shown once, right after it is issued
	TokenUser   string
}

// adminUsers lists users with their lockouts and tokens, and the form to add one.
func (w *Web) adminUsers(c echo.Context) error {
	return w.renderUsers(c, http.StatusOK, nil, nil, usersData{})
}

func (w *Web) renderUsers(c echo.Context, status int, errs []string, form map[string]string, d usersData) error {
	ctx := c.Request().Context()
	var err error
	var next string
	if d.Users, next, err = w.Store.ListUsersPage(ctx, c.QueryParam("cursor"), w.Policy.PageSize); err != nil {
		return w.fail(c, err)
	}
	if d.Departments, err = w.Store.ListDepartments(ctx); err != nil {
		return w.fail(c, err)
	}
	d.Pager, d.Form, d.Roles = pagerOf(c, next), form, domain.Roles
	p := w.newPage(c, "users", nil)
	p.Title, p.Errors = p.L.T("admin.users"), errs
	p.Data = d
	return w.render(c, status, "admin_users", p)
}

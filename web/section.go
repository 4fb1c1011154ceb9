package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// The section a ticket was opened from. A ticket page belongs to whichever list
// led to it: a clerk who opened it from 本单位工单 is still in that section, not
// in 工单查询 (issue 17 item 12). Lists remember themselves in a cookie for the
// browser session, which survives the action forms' post-and-redirect that a
// Referer would not.
const sectionCookie = "rectify_section"

// sections are the lists a ticket can be opened from, with the roles whose
// navigation shows each.
var sections = map[string][]domain.Role{
	"dept":      {domain.RoleDepartment},
	"call":      {domain.RoleCallCenter},
	"callbacks": {domain.RoleCallCenter},
	"sup":       {domain.RoleSupervisor, domain.RoleAdmin},
	"tickets":   {domain.RoleAdmin, domain.RoleSupervisor, domain.RoleCallCenter, domain.RoleDepartment},
}

// rememberSection notes a list page as the section later ticket pages belong to.
func rememberSection(c echo.Context, nav string) {
	if _, ok := sections[nav]; ok {
		setCookie(c, sectionCookie, nav, "/", 0, http.SameSiteLaxMode)
	}
}

// ticketSection is the navigation entry a ticket page highlights: the list the
// user came from, else their own workbench, else 工单查询.
func ticketSection(c echo.Context, u domain.User) string {
	allowed := func(nav string) bool {
		for _, r := range sections[nav] {
			if r == u.Role {
				return true
			}
		}
		return false
	}
	if ck, err := c.Cookie(sectionCookie); err == nil && allowed(ck.Value) {
		return ck.Value
	}
	switch u.Role {
	case domain.RoleDepartment:
		return "dept"
	case domain.RoleCallCenter:
		return "call"
	case domain.RoleSupervisor:
		return "sup"
	}
	return "tickets"
}

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/store"
)

type auditData struct {
	Entries []store.AuditEntry
	Pager   pager
}

// adminAudit lists the admin audit log, newest first, a page at a time.
func (w *Web) adminAudit(c echo.Context) error {
	es, next, err := w.Store.ListAudit(c.Request().Context(), c.QueryParam("cursor"), w.Policy.PageSize)
	if err != nil {
		return w.fail(c, err)
	}
	p := w.newPage(c, "audit", nil)
	p.Title = p.L.T("admin.audit")
	p.Data = auditData{Entries: es, Pager: pagerOf(c, next)}
	return w.render(c, http.StatusOK, "admin_audit", p)
}

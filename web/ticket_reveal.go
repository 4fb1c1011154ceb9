package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// ticketReveal shows a call-center user the citizen's full number, after writing
// the audit row. It answers the POST with the page itself: the number is never in
// a URL, a redirect or a log.
func (w *Web) ticketReveal(c echo.Context) error {
	ctx := c.Request().Context()
	ref, err := w.Store.GetTicketRef(ctx, c.Param("number"))
	if err != nil {
		return w.fail(c, err)
	}
	if !sessionOf(c).User.Role.SeesPhones() {
		return w.fail(c, domain.ErrForbidden)
	}
	if err := w.Store.RecordPhoneReveal(ctx, ref.RatingID, sessionOf(c).User.Username); err != nil {
		return w.fail(c, err)
	}
	return w.renderTicket(c, http.StatusOK, nil, true, nil)
}

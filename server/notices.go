package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
)

// The notice centre's API over services.Notices: each role reads its own
// notices; admins keep the operators' view of the whole outbox (phones masked,
// survey links redacted), and mark the supervisors' notices like a supervisor.

func (s *Server) listNotifications(c echo.Context) error {
	u := userOf(c)
	var fs []domain.FieldError
	def := 50
	if u.Role == domain.RoleAdmin {
		def = 200
	}
	var q services.NoticeQuery
	q.Limit = intParam(c, "limit", def, 1, 200, &fs)
	if v := c.QueryParam("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			fs = append(fs, domain.FieldError{Field: "cursor", Message: "must be a cursor from next_cursor"})
		}
		q.Cursor = n
	}
	q.UnreadOnly = boolParam(c, "unread", false, &fs)
	if fs != nil {
		return badParams(fs)
	}
	ctx, notices := c.Request().Context(), s.Services.Notices
	q.TicketNumber = c.QueryParam("ticket_number")
	var list any
	var next *string
	if u.Role == domain.RoleAdmin { // the outbox, every channel, in the same envelope
		ns, err := notices.Outbox(ctx, u, q.TicketNumber, q.Limit)
		if err != nil {
			return err
		}
		list = ns
	} else {
		p, err := notices.List(ctx, u, q)
		if err != nil {
			return err
		}
		list = p.Notices
		if p.Next != 0 {
			n := strconv.FormatInt(p.Next, 10)
			next = &n
		}
	}
	n, err := notices.Unread(ctx, u) // an admin's own: the supervisors' notices
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"notifications": list, "unread_count": n, "next_cursor": next})
}

// markNoticeRead is POST /api/v1/notifications/{id}/read → 204. A notice the
// caller does not read is 404.
func (s *Server) markNoticeRead(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	return answerEmpty(c, s.Services.Notices.MarkRead(c.Request().Context(), userOf(c), id))
}

// markAllNoticesRead is POST /api/v1/notifications/read-all → {"marked": n}.
func (s *Server) markAllNoticesRead(c echo.Context) error {
	n, err := s.Services.Notices.MarkAllRead(c.Request().Context(), userOf(c))
	return answer(c, http.StatusOK, map[string]int{"marked": n}, err)
}

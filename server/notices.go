package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

// The notice centre's API. Each role reads its own notices (domain.User.
// NoticeScope): a department its department's, about the tickets it may see;
// supervisors the supervisors'. Read marks are per user. Admins keep the
// operators' view of the whole outbox (phones masked, survey links redacted),
// and mark the supervisors' notices like a supervisor.

func (s *Server) listNotifications(c echo.Context) error {
	u := userOf(c)
	var fs []domain.FieldError
	def := 50
	if u.Role == domain.RoleAdmin {
		def = 200
	}
	limit := intParam(c, "limit", def, 1, 200, &fs)
	var cursor int64
	if v := c.QueryParam("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			fs = append(fs, domain.FieldError{Field: "cursor", Message: "must be a cursor from next_cursor"})
		}
		cursor = n
	}
	unread := false
	switch c.QueryParam("unread") {
	case "", "false":
	case "true":
		unread = true
	default:
		fs = append(fs, domain.FieldError{Field: "unread", Message: "must be true or false"})
	}
	if fs != nil {
		return badParams(fs)
	}
	if u.Role == domain.RoleAdmin {
		return s.listOutbox(c, u, limit)
	}
	out := map[string]any{"notifications": []store.Notice{}, "unread_count": 0, "next_cursor": nil}
	channel, recipient, ok := u.NoticeScope()
	if !ok { // the call center has no notices of its own
		return c.JSON(http.StatusOK, out)
	}
	ctx := c.Request().Context()
	ns, next, err := s.Store.ListNotices(ctx, store.NoticeFilter{Username: u.Username, Channel: channel, Recipient: recipient,
		TicketNumber: c.QueryParam("ticket_number"), UnreadOnly: unread, Limit: limit, Cursor: cursor})
	if err != nil {
		return err
	}
	n, err := s.Store.CountUnreadNotices(ctx, u.Username, channel, recipient)
	if err != nil {
		return err
	}
	if ns != nil {
		out["notifications"] = ns
	}
	out["unread_count"] = n
	if next != 0 {
		out["next_cursor"] = strconv.FormatInt(next, 10)
	}
	return c.JSON(http.StatusOK, out)
}

// listOutbox is the admins' listing of outbound messages, every channel, in
// the same envelope; unread_count is the admin's own (the supervisors' notices).
func (s *Server) listOutbox(c echo.Context, u domain.User, limit int) error {
	ctx := c.Request().Context()
	ns, err := s.Store.ListNotifications(ctx, c.QueryParam("ticket_number"), limit)
	if err != nil {
		return err
	}
	for i := range ns {
		if ns[i].Channel == "sms" {
			ns[i].Recipient = domain.MaskPhone(ns[i].Recipient)
		}
	}
	if ns == nil {
		ns = []store.Notification{}
	}
	channel, recipient, _ := u.NoticeScope()
	n, err := s.Store.CountUnreadNotices(ctx, u.Username, channel, recipient)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"notifications": ns, "unread_count": n, "next_cursor": nil})
}

// markNoticeRead is POST /api/v1/notifications/{id}/read → 204. A notice the
// caller does not read is 404.
func (s *Server) markNoticeRead(c echo.Context) error {
	u := userOf(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	channel, recipient, ok := u.NoticeScope()
	if err != nil || id < 1 || !ok {
		return domain.ErrNotFound
	}
	if err := s.Store.MarkNoticeRead(c.Request().Context(), u.Username, channel, recipient, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// markAllNoticesRead is POST /api/v1/notifications/read-all → {"marked": n}.
func (s *Server) markAllNoticesRead(c echo.Context) error {
	u := userOf(c)
	channel, recipient, ok := u.NoticeScope()
	if !ok {
		return c.JSON(http.StatusOK, map[string]int{"marked": 0})
	}
	n, err := s.Store.MarkAllNoticesRead(c.Request().Context(), u.Username, channel, recipient)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"marked": n})
}

package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
	"rectify/store"
)

func (s *Server) getTicket(c echo.Context) error {
	t, err := s.Services.Tickets.Get(c.Request().Context(), userOf(c), c.Param("number"))
	if err != nil {
		return err
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
	ts, next, err := s.Services.Tickets.List(c.Request().Context(), u, f)
	if err != nil {
		return err
	}
	var cursor any
	if next != "" {
		cursor = next
	}
	return c.JSON(http.StatusOK, map[string]any{"tickets": ts, "next_cursor": cursor})
}

// act performs one ticket action (services.Tickets.Act) and answers with the
// ticket as written. The caller's right to act is judged before the form of
// their request: a caller who may not act learns nothing from a bad body.
func (s *Server) act(c echo.Context) error {
	ctx := c.Request().Context()
	u, number, action := userOf(c), c.Param("number"), c.Param("action")
	var in services.ActionInput
	key, err := idempotencyKey(c)
	if err == nil {
		err = decodeOptional(c, &in)
	}
	if err != nil {
		if _, _, aerr := s.Services.Tickets.Authorize(ctx, u, number, action); aerr != nil {
			return aerr
		}
		return err
	}
	in.IdempotencyKey = key
	res, err := s.Services.Tickets.Act(ctx, u, number, action, in)
	switch {
	case err != nil:
		return err
	case res.Replayed:
		c.Response().Header().Set("Idempotent-Replayed", "true")
		return c.JSONBlob(res.Answer.Status, res.Answer.Body)
	case res.Answer != nil:
		return c.JSONBlob(res.Answer.Status, res.Answer.Body)
	}
	return c.JSON(http.StatusOK, res.Ticket)
}

package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/calendar"
	"rectify/domain"
)

func calendarError(err error) error {
	if errors.Is(err, calendar.ErrNoData) {
		return domain.Invalid("calendar_no_data", []domain.FieldError{{Field: "date", Message: err.Error()}})
	}
	if errors.Is(err, calendar.ErrOutOfRange) {
		return domain.Invalid("calendar_out_of_range", []domain.FieldError{{Field: "working_days", Message: err.Error()}})
	}
	return err
}

func (s *Server) calendarYear(c echo.Context) error {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 1900 || year > 2200 {
		return domain.E(domain.KindBadRequest, "bad_parameter", "year: must be a year like 2026")
	}
	days, source, err := s.Calendar.Year(year)
	if err != nil {
		return calendarError(err)
	}
	type dayOut struct {
		Date string `json:"date"`
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	out := make([]dayOut, len(days))
	for i, d := range days {
		out[i] = dayOut{Date: d.Date, Kind: string(d.Kind), Name: d.Name}
	}
	return c.JSON(http.StatusOK, map[string]any{"year": year, "source": source, "days": out})
}

func (s *Server) deadline(c echo.Context) error {
	from, err := time.Parse(time.RFC3339, c.QueryParam("from"))
	if err != nil {
		return &domain.Error{Kind: domain.KindBadRequest, Code: "bad_parameter", Message: "from: must be an RFC 3339 time",
			Fields: []domain.FieldError{{Field: "from", Message: "must be an RFC 3339 time"}}}
	}
	n, err := strconv.Atoi(c.QueryParam("working_days"))
	if err != nil || n < 1 || n > 365 {
		return &domain.Error{Kind: domain.KindBadRequest, Code: "bad_parameter", Message: "working_days: must be 1 to 365",
			Fields: []domain.FieldError{{Field: "working_days", Message: "must be 1 to 365"}}}
	}
	due, err := s.Calendar.Deadline(from, n)
	if err != nil {
		return calendarError(err)
	}
	return c.JSON(http.StatusOK, map[string]string{"due_at": due.Format(time.RFC3339)})
}

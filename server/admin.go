package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
)

// Administration's API: departments, users and their access, robots and the
// calendar's overrides. Each handler parses, calls one services.Admin method and
// renders its answer; the rules are the service's.

var codePattern = services.CodePattern // letters, digits, _ . -, up to 64

func (s *Server) createDepartment(c echo.Context) error {
	var d domain.Department
	if err := decodeStrict(c, &d); err != nil {
		return err
	}
	d, err := s.Services.Admin.CreateDepartment(c.Request().Context(), userOf(c), d)
	return answer(c, http.StatusCreated, d, err)
}

func (s *Server) listDepartments(c echo.Context) error {
	ds, err := s.Services.Admin.Departments(c.Request().Context())
	return answer(c, http.StatusOK, map[string]any{"departments": ds}, err)
}

func (s *Server) createUser(c echo.Context) error {
	var nu services.NewUser
	if err := decodeStrict(c, &nu); err != nil {
		return err
	}
	u, err := s.Services.Admin.CreateUser(c.Request().Context(), userOf(c), nu)
	return answer(c, http.StatusCreated, u, err)
}

func (s *Server) listUsers(c echo.Context) error {
	us, err := s.Services.Admin.Users(c.Request().Context(), userOf(c))
	return answer(c, http.StatusOK, map[string]any{"users": us}, err)
}

func (s *Server) getRobot(c echo.Context) error {
	r, err := s.Services.Admin.Robot(c.Request().Context(), userOf(c), c.Param("code"))
	return answer(c, http.StatusOK, r, err)
}

func (s *Server) putRobot(c echo.Context) error {
	var in services.RobotInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	r, err := s.Services.Admin.PutRobot(c.Request().Context(), userOf(c), c.Param("code"), in)
	return answer(c, http.StatusOK, r, err)
}

func (s *Server) deleteRobot(c echo.Context) error {
	return answerEmpty(c, s.Services.Admin.DeleteRobot(c.Request().Context(), userOf(c), c.Param("code")))
}

// listRobots is GET /api/v1/robots (admin): every department's robot, masked.
func (s *Server) listRobots(c echo.Context) error {
	rs, err := s.Services.Admin.Robots(c.Request().Context(), userOf(c))
	return answer(c, http.StatusOK, map[string]any{"robots": rs}, err)
}

// putCalendarDay stores an override and applies it at once to deadlines computed from
// now on; running timers keep theirs (see README: calendar overrides).
func (s *Server) putCalendarDay(c echo.Context) error {
	if err := services.CheckCalendarDate(c.Param("date")); err != nil {
		return err
	}
	var in struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	d, err := s.Services.Admin.PutCalendarDay(c.Request().Context(), userOf(c),
		services.CalendarDay{Date: c.Param("date"), Kind: in.Kind, Name: in.Name})
	return answer(c, http.StatusOK, map[string]string{"date": d.Date, "kind": d.Kind, "name": d.Name}, err)
}

func (s *Server) deleteCalendarDay(c echo.Context) error {
	return answerEmpty(c, s.Services.Admin.DeleteCalendarDay(c.Request().Context(), userOf(c), c.Param("date")))
}

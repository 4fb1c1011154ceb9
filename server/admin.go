package server

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"rectify/domain"
)

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

func (s *Server) createDepartment(c echo.Context) error {
	var d domain.Department
	if err := decodeStrict(c, &d); err != nil {
		return err
	}
	var fs []domain.FieldError
	if !codePattern.MatchString(d.Code) {
		fs = append(fs, domain.FieldError{Field: "code", Message: "required: letters, digits, _ . -, up to 64"})
	}
	if n := len([]rune(strings.TrimSpace(d.Name))); n == 0 || n > 200 {
		fs = append(fs, domain.FieldError{Field: "name", Message: "required, up to 200 characters"})
	}
	if fs != nil {
		return domain.Invalid("invalid_department", fs)
	}
	if err := s.Store.CreateDepartment(c.Request().Context(), d); err != nil {
		return err
	}
	if err := s.audit(c, "department.create", "department:"+d.Code, map[string]string{"name": d.Name}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) listDepartments(c echo.Context) error {
	ds, err := s.Store.ListDepartments(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"departments": ds})
}

type newUser struct {
	Username       string      `json:"username"`
	Password       string      `json:"password"`
	Role           domain.Role `json:"role"`
	DepartmentCode string      `json:"department_code"`
	DisplayName    string      `json:"display_name"`
	// For role channel: the channel and id prefix its ratings must carry (sources.go).
	Channel        domain.Channel `json:"channel"`
	RatingIDPrefix string         `json:"rating_id_prefix"`
}

func (s *Server) createUser(c echo.Context) error {
	ctx := c.Request().Context()
	var nu newUser
	if err := decodeStrict(c, &nu); err != nil {
		return err
	}
	var fs []domain.FieldError
	if !codePattern.MatchString(nu.Username) {
		fs = append(fs, domain.FieldError{Field: "username", Message: "required: letters, digits, _ . -, up to 64"})
	}
	if len(nu.Password) < 8 || len(nu.Password) > 72 { // bcrypt reads at most 72 bytes
		fs = append(fs, domain.FieldError{Field: "password", Message: "must be 8 to 72 bytes"})
	}
	if !nu.Role.Valid() {
		fs = append(fs, domain.FieldError{Field: "role", Message: "must be one of admin, supervisor, callcenter, department, channel"})
	}
	switch {
	case nu.Role == domain.RoleDepartment && nu.DepartmentCode == "":
		fs = append(fs, domain.FieldError{Field: "department_code", Message: "required for role department"})
	case nu.Role != domain.RoleDepartment && nu.DepartmentCode != "":
		fs = append(fs, domain.FieldError{Field: "department_code", Message: "only for role department"})
	case nu.DepartmentCode != "":
		code, ok, err := s.departmentCode(ctx, nu.DepartmentCode)
		if err != nil {
			return err
		}
		nu.DepartmentCode = code
		if !ok {
			fs = append(fs, domain.FieldError{Field: "department_code", Message: "unknown department"})
		}
	}
	fs = append(fs, checkBinding(nu)...)
	if fs != nil {
		return domain.Invalid("invalid_user", fs)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(nu.Password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	u := domain.User{Username: nu.Username, Role: nu.Role, DepartmentCode: nu.DepartmentCode, DisplayName: nu.DisplayName,
		Channel: nu.Channel, RatingIDPrefix: nu.RatingIDPrefix}
	if err := s.Store.CreateUser(ctx, u, string(hash)); err != nil {
		return err
	}
	s.Services.Ratings.SourcesChanged()
	if err := s.audit(c, "user.create", "user:"+u.Username, map[string]string{"role": string(u.Role),
		"department_code": u.DepartmentCode, "channel": string(u.Channel), "rating_id_prefix": u.RatingIDPrefix}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) listUsers(c echo.Context) error {
	us, err := s.Store.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": us})
}

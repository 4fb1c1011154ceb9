package server

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// checkInput refuses path parameters, query strings and form fields that are not
// valid UTF-8 or hold a NUL character, before any handler or query sees them:
// they are bad input, 400, not a database error (issue 15 item 9). JSON bodies
// are checked where they are read (readBody).
func checkInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for i, v := range c.ParamValues() {
			if !cleanText(v) {
				name := "path"
				if names := c.ParamNames(); i < len(names) {
					name = names[i]
				}
				return badInput(name)
			}
		}
		r := c.Request()
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return domain.E(domain.KindBadRequest, "bad_parameter", "the query string is not well-formed")
		}
		if err := cleanValues(q); err != nil {
			return err
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); mt == "application/x-www-form-urlencoded" {
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					return domain.E(domain.KindTooLarge, "body_too_large", "request body over %d bytes", tooBig.Limit)
				}
				return domain.E(domain.KindBadRequest, "bad_request", "the form is not well-formed")
			}
			if err := cleanValues(r.PostForm); err != nil {
				return err
			}
		}
		return next(c)
	}
}

func cleanValues(vs url.Values) error {
	for k, list := range vs {
		if !cleanText(k) {
			return badInput("(name)")
		}
		for _, v := range list {
			if !cleanText(v) {
				return badInput(k)
			}
		}
	}
	return nil
}

func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func badInput(field string) error {
	return &domain.Error{Kind: domain.KindBadRequest, Code: "bad_parameter", Message: field + ": not valid UTF-8 or holds a NUL",
		Fields: []domain.FieldError{{Field: field, Message: "not valid UTF-8 or holds a NUL"}}}
}

// dataException says whether err is Postgres refusing a value (SQLSTATE class
// 22: an impossible date, bad text encoding, a number out of range). Input is
// checked before it is stored, so this is the safety net: 422, not a 500.
func dataException(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22")
}

package server

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// unescapeParams decodes percent-escapes in path parameters. Echo v4 routes on
// the raw path whenever the client escaped it differently from Go's default (a
// rating id with ';', ',' or '/' sent as %3B, %2C, %2F, as url.PathEscape and
// every other client library does) and then hands the parameter over still
// escaped: GET /api/v1/ratings/{id} would not find a rating just stored.
func unescapeParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.RawPath != "" {
			vals := c.ParamValues()
			out := make([]string, len(vals))
			for i, v := range vals {
				if u, err := url.PathUnescape(v); err == nil {
					out[i] = u
				} else {
					out[i] = v
				}
			}
			c.SetParamValues(out...)
		}
		return next(c)
	}
}

// boolParam reads a true/false query parameter; absent, it is def.
func boolParam(c echo.Context, name string, def bool, fs *[]domain.FieldError) bool {
	switch c.QueryParam(name) {
	case "":
		return def
	case "true":
		return true
	case "false":
		return false
	}
	*fs = append(*fs, domain.FieldError{Field: name, Message: "must be true or false"})
	return def
}

package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// The API answers what its document says (issue 16 item 11): a wrong method on
// an API path is 405 with Allow, a body that is not JSON is 415, and null where
// the document does not allow it is 422.

// apiCatchAll are the routes echo registers for the /api/v1 group's middleware:
// they match any method and answer 404.
var apiCatchAll = []string{"/api/v1", "/api/v1/*"}

// strictAPI refuses non-JSON bodies on the API, and answers 405 instead of the
// group catch-all's 404 when the path exists with other methods.
func strictAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !strings.HasPrefix(r.URL.Path, "/api/v1/") {
			return next(c)
		}
		if ct := r.Header.Get(echo.HeaderContentType); ct != "" && r.ContentLength != 0 && !isJSON(ct) {
			return echo.ErrUnsupportedMediaType // the error handler's unsupported_media_type
		}
		// Routing is done before middleware runs: the group's catch-all matched,
		// so no route has this method; 405 comes before authentication, as it
		// does for /healthz.
		if slices.Contains(apiCatchAll, c.Path()) {
			if allowed := methodsFor(c.Echo(), r); len(allowed) > 0 {
				c.Response().Header().Set(echo.HeaderAllow, strings.Join(allowed, ", "))
				return echo.ErrMethodNotAllowed
			}
		}
		return next(c)
	}
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == echo.MIMEApplicationJSON || strings.HasSuffix(mt, "+json"))
}

// methodsFor lists the methods r's path is served with, other than the catch-all.
func methodsFor(e *echo.Echo, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		c := e.NewContext(r, nil)
		e.Router().Find(m, r.URL.Path, c)
		if p := c.Path(); p != "" && !slices.Contains(apiCatchAll, p) {
			out = append(out, m)
		}
	}
	return out
}

// nullableRequestFields are the request fields the document marks nullable (the
// sampling rules' maps and lists, where null means "none"); paths name array
// elements "[]". Every other null in a request body is 422.
var nullableRequestFields = map[string]bool{
	"department_shares": true, "service_item_shares": true, "always_call_items": true,
	"teams": true, "teams[].department_codes": true,
}

// refuseNulls is 422 naming every null in b the document does not allow.
// encoding/json would read null as "absent", so a client validating against the
// document and the server would disagree.
func refuseNulls(b []byte) error {
	if !bytes.Contains(b, []byte("null")) {
		return nil
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil // the strict decode names the syntax error
	}
	var fields []domain.FieldError
	var walk func(path, shape string, v any)
	walk = func(path, shape string, v any) {
		switch x := v.(type) {
		case nil:
			if !nullableRequestFields[shape] {
				fields = append(fields, domain.FieldError{Field: path, Message: "must not be null"})
			}
		case map[string]any:
			for k, e := range x {
				walk(join(path, k), join(shape, k), e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), shape+"[]", e)
			}
		}
	}
	if m, ok := v.(map[string]any); ok {
		for k, e := range m {
			walk(k, k, e)
		}
	} else if _, isArray := v.([]any); isArray {
		walk("", "", v)
	}
	if len(fields) == 0 {
		return nil
	}
	slices.SortFunc(fields, func(a, b domain.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return domain.Invalid("null_value", fields)
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

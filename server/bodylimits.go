package server

import (
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// Body ceilings for every route, API and pages alike (issue 15 item 1). A route's
// own limit(n) may narrow its ceiling further, never widen it.
const (
	maxLoginBody  = 4 << 10  // username, password, CSRF token and next: a few hundred bytes
	maxSurveyForm = 16 << 10 // a level and a comment of at most 2000 characters
	maxPageForm   = 64 << 10 // the staff pages' forms
)

// batchRoutes take bodies up to maxBatchBody; every other API route maxBody.
var batchRoutes = map[string]bool{
	"/api/v1/ratings/batch":         true,
	"/api/v1/cases/batch":           true,
	"/api/v1/webhooks/sms-receipts": true,
}

// bodyCeiling is the largest body route (its template) accepts.
func bodyCeiling(route string) int64 {
	switch {
	case route == "/login":
		return maxLoginBody
	case route == "/s/:token":
		return maxSurveyForm
	case batchRoutes[route]:
		return maxBatchBody
	case strings.HasPrefix(route, "/api/"):
		return maxBody
	}
	return maxPageForm
}

// limitBodies gives every request its route's body ceiling, refuses multipart
// bodies (no page or endpoint takes an upload, and Go spools their parts to temp
// files), and removes whatever multipart form a handler parsed anyway. Clean-up
// is needed because instrument replaces the request (WithContext): net/http only
// cleans up the form of the request it handed in, so a parsed copy's temp files
// would stay on disk.
func limitBodies(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); strings.HasPrefix(mt, "multipart/") {
			return echo.ErrUnsupportedMediaType
		}
		n := bodyCeiling(c.Path())
		if r.ContentLength > n {
			return domain.E(domain.KindTooLarge, "body_too_large", "request body over %d bytes", n)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
		defer func() {
			if f := c.Request().MultipartForm; f != nil {
				_ = f.RemoveAll()
			}
		}()
		return next(c)
	}
}

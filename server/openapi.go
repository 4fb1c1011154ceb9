package server

import (
	"embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// OpenAPI is the API's OpenAPI 3 document, served at /api/openapi.yaml. The
// contract test (internal/testenv/contract.go) checks every response the
// integration tests receive against it, so it cannot drift from the code.
//
//go:embed openapi.yaml
var OpenAPI []byte

// The reference page renders OpenAPI with Redoc, vendored in apidocs/ (no CDN).
//
//go:embed apidocs/index.html apidocs/redoc.standalone.js
var apidocs embed.FS

// Redoc styles with inline styles and builds its search worker from a blob.
const docsCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"

func (s *Server) routeDocs(e *echo.Echo) {
	e.GET("/api/openapi.yaml", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/yaml", OpenAPI)
	})
	e.GET("/api/docs", func(c echo.Context) error { return serveDoc(c, "apidocs/index.html", "text/html; charset=utf-8") })
	e.GET("/api/docs/redoc.standalone.js", func(c echo.Context) error {
		return serveDoc(c, "apidocs/redoc.standalone.js", "text/javascript; charset=utf-8")
	})
}

func serveDoc(c echo.Context, name, contentType string) error {
	b, err := apidocs.ReadFile(name)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", docsCSP)
	h.Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, contentType, b)
}

package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// securityHeaders sets the headers every response carries. The default CSP is the
// strictest (the API serves JSON, which loads nothing); pages replace it with their
// own (package web's render). HSTS is sent only on requests that arrived over TLS
// or through a proxy saying X-Forwarded-Proto: https, so a plain-HTTP development
// server never pins itself; behind TLS it is always on.
func securityHeaders() echo.MiddlewareFunc {
	secure := middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0", // the old XSS auditor is gone or harmful; CSP does the job
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "no-referrer",
		HSTSMaxAge:            63072000, // two years
		ContentSecurityPolicy: DefaultCSP,
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := secure(next)
		return func(c echo.Context) error {
			hd := c.Response().Header()
			hd.Set("Cross-Origin-Opener-Policy", "same-origin")
			hd.Set("Cross-Origin-Resource-Policy", "same-origin")
			hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
			return h(c)
		}
	}
}

// DefaultCSP is the Content-Security-Policy of every response that does not set
// its own.
const DefaultCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

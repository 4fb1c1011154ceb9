package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// How long each kind of request may take to arrive and to be answered (issue 15
// item 10: only ReadHeaderTimeout was set, and a slow body to /login held its
// connection for as long as the client liked). The http.Server's own timeouts
// (HTTPServer) are the outer bounds; routeDeadlines sets each request's, by route.
var (
	readSmall  = 10 * time.Second  // forms and JSON bodies of at most 256 KB
	readBatch  = 60 * time.Second  // batches of up to 16 MB from a channel's server
	writeSmall = 30 * time.Second  // pages and API answers
	writeLarge = 120 * time.Second // statistics exports (CSV, xlsx), which are built before they are sent
)

// Outer bounds for the http.Server, at least the longest per-route deadline.
const (
	headerTimeout = 10 * time.Second
	idleTimeout   = 120 * time.Second
)

// HTTPServer is the server for h with read, write and idle timeouts; per-route
// deadlines (routeDeadlines) narrow them.
func HTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: headerTimeout,
		ReadTimeout: readBatch + headerTimeout, WriteTimeout: writeLarge + headerTimeout, IdleTimeout: idleTimeout}
}

// routeDeadlines gives each request the read and write deadlines of its route.
func routeDeadlines(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		route := c.Path()
		read, write := readSmall, writeSmall
		if batchRoutes[route] {
			read = readBatch
		}
		if route == "/api/v1/stats/:name" && strings.Contains(c.Param("name"), ".") {
			write = writeLarge
		}
		rc := http.NewResponseController(c.Response().Writer)
		now := time.Now()
		// Not supported by test recorders; a real connection always is.
		_ = rc.SetReadDeadline(now.Add(read))
		_ = rc.SetWriteDeadline(now.Add(write))
		return next(c)
	}
}

package testenv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"rectify/server"
)

// The contract test: every request an integration test sends through a System's
// HTTP server, and the response it gets, is checked against the API's OpenAPI
// document (server/openapi.yaml). The document, not the tests, is what other
// systems build against; this keeps it true.
//
// What counts as a breach:
//   - a response whose status, content type or body the document does not allow;
//   - a request the document refuses that the server accepted (2xx or 3xx): the
//     document is stricter than the code, and a client reading it would be misled;
//   - a request to an API path the document does not list that was not answered
//     404 or 405.
//
// A request the document refuses that the server also refused is fine: tests of
// bad input do that on purpose. Browser pages (package web) are not part of the
// API and are not checked.

var contract struct {
	once   sync.Once
	router routers.Router
	err    error
}

// Decoders for the document's non-JSON media types that kin-openapi lacks.
func init() {
	for _, ct := range []string{"text/html", "text/javascript"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", openapi3filter.FileBodyDecoder)
}

func contractRouter() (routers.Router, error) {
	contract.once.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(server.OpenAPI)
		if err != nil {
			contract.err = fmt.Errorf("server/openapi.yaml: %w", err)
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			contract.err = fmt.Errorf("server/openapi.yaml is not a valid OpenAPI document: %w", err)
			return
		}
		// Served paths are absolute; the document's server URL is "/".
		contract.router, contract.err = gorillamux.NewRouter(doc)
	})
	return contract.router, contract.err
}

// Contract wraps h so that every exchange is checked against the OpenAPI
// document; a breach fails tb.
func Contract(tb testing.TB, h http.Handler) http.Handler {
	tb.Helper()
	router, err := contractRouter()
	if err != nil {
		tb.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "contract: reading the request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		check := r.Clone(context.WithoutCancel(r.Context()))
		rec := &teeWriter{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if msg := breach(router, check, body, rec); msg != "" {
			tb.Errorf("contract (server/openapi.yaml): %s %s → %d: %s", r.Method, r.URL.RequestURI(), rec.status(), msg)
		}
	})
}

// breach returns what in the exchange the document does not allow, or "".
func breach(router routers.Router, r *http.Request, reqBody []byte, rec *teeWriter) string {
	if r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return ""
	}
	status := rec.status()
	route, params, err := router.FindRoute(r)
	if err != nil {
		if !isAPIPath(r.URL.Path) || status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return ""
		}
		return "the document has no such operation (" + err.Error() + ")"
	}
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	ctx := context.Background()
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && status < 400 {
		return "the server accepted a request the document refuses: " + oneLine(err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: rec.Header(),
		Body: io.NopCloser(bytes.NewReader(rec.body.Bytes())), Options: &openapi3filter.Options{MultiError: true,
			IncludeResponseStatus: true}}
	if status == http.StatusNoContent || status == http.StatusNotModified {
		out.Options.ExcludeResponseBody = true
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return "response: " + oneLine(err) + " — body: " + excerpt(rec.body.Bytes())
	}
	return ""
}

// isAPIPath reports whether a path is the API's (package web's pages are not).
func isAPIPath(p string) bool {
	switch p {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(p, "/api/")
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

func excerpt(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// teeWriter passes the response through and keeps a copy of it.
type teeWriter struct {
	http.ResponseWriter
	code int
	body bytes.Buffer
}

func (t *teeWriter) WriteHeader(code int) {
	if t.code == 0 {
		t.code = code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.code == 0 {
		t.code = http.StatusOK
	}
	t.body.Write(b)
	return t.ResponseWriter.Write(b)
}

func (t *teeWriter) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

func (t *teeWriter) status() int {
	if t.code == 0 {
		return http.StatusOK
	}
	return t.code
}

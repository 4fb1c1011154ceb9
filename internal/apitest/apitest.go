// Package apitest is the tests' one client of rectify's JSON API: a request with
// a bearer token and a JSON (or raw) body, the reply read whole, and the checks
// every API test makes of it (status, decoding, the contract's error body). It
// imports nothing of rectify, so any package's tests can use it: against a
// started system (internal/testenv) or an in-process handler (Client.Handler).
package apitest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// Client sends requests to one API: over HTTP to URL, or, with Handler set, in
// process through it.
type Client struct {
	TB      testing.TB
	URL     string       // base URL of the server ("" with Handler)
	Handler http.Handler // serves requests in process when set
}

// Reply is an HTTP response, read whole.
type Reply struct {
	Method, Path string
	Status       int
	Header       http.Header
	Raw          []byte
}

func (r Reply) String() string {
	return fmt.Sprintf("%s %s → %d %s", r.Method, r.Path, r.Status, strings.TrimSpace(string(r.Raw)))
}

// Do sends one request. body is nil, raw bytes (string or []byte), or a value to
// encode as JSON; token is the bearer token ("" for none); header adds headers
// (a signature, say).
func (c Client) Do(method, path, token string, body any, header ...http.Header) Reply {
	c.TB.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.TB.Fatalf("encode body of %s %s: %v", method, path, err)
		}
		raw = j
	}
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(raw))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, rd)
	if err != nil {
		c.TB.Fatal(err)
	}
	for _, h := range header {
		for k, v := range h {
			req.Header[k] = v
		}
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r := Reply{Method: method, Path: path}
	if c.Handler != nil {
		rec := httptest.NewRecorder()
		c.Handler.ServeHTTP(rec, req)
		r.Status, r.Header, r.Raw = rec.Code, rec.Header(), rec.Body.Bytes()
		return r
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.TB.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	r.Status, r.Header = resp.StatusCode, resp.Header
	if r.Raw, err = io.ReadAll(resp.Body); err != nil {
		c.TB.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return r
}

// Want fails the test unless the reply has the status.
func (r Reply) Want(tb testing.TB, status int) Reply {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("want %d, got %s", status, r)
	}
	return r
}

// Decode reads the JSON body into v.
func (r Reply) Decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Raw, v); err != nil {
		tb.Fatalf("%s: body is not the JSON expected: %v", r, err)
	}
}

// Object is the JSON body as a map.
func (r Reply) Object(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.Decode(tb, &m)
	return m
}

// ErrorBody is the contract's error body.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

// FieldNames are the fields the error names.
func (e ErrorBody) FieldNames() []string {
	var fs []string
	for _, f := range e.Error.Fields {
		fs = append(fs, f.Field)
	}
	return fs
}

// WantError checks the status and that the body is the contract's error, and
// only that, with code and a message; fields, when given, must each be named.
func (r Reply) WantError(tb testing.TB, status int, code string, fields ...string) ErrorBody {
	tb.Helper()
	r.Want(tb, status)
	var top map[string]json.RawMessage
	r.Decode(tb, &top)
	if len(top) != 1 || top["error"] == nil {
		tb.Fatalf("%s: error body must be {\"error\": {...}} only", r)
	}
	var e ErrorBody
	r.Decode(tb, &e)
	if e.Error.Code != code || e.Error.Message == "" {
		tb.Fatalf("%s: want error code %q with a message", r, code)
	}
	for _, f := range fields {
		if !slices.Contains(e.FieldNames(), f) {
			tb.Fatalf("%s: want field %q named, got %v", r, f, e.FieldNames())
		}
	}
	return e
}

// Department registers a department with the admin token.
func (c Client) Department(admin, code, name string) {
	c.TB.Helper()
	c.Do("POST", "/api/v1/departments", admin, map[string]string{"code": code, "name": name}).Want(c.TB, http.StatusCreated)
}

// User creates a user (of dept, for department staff; "" for none) with the
// admin token and returns a fresh API token of it.
func (c Client) User(admin, username, role, dept string) string {
	c.TB.Helper()
	body := map[string]string{"username": username, "password": "correct-horse-battery", "role": role}
	if dept != "" {
		body["department_code"] = dept
	}
	c.Do("POST", "/api/v1/users", admin, body).Want(c.TB, http.StatusCreated)
	var tok struct {
		Token string `json:"token"`
	}
	c.Do("POST", "/api/v1/users/"+username+"/tokens", admin, nil).Want(c.TB, http.StatusCreated).Decode(c.TB, &tok)
	if tok.Token == "" {
		c.TB.Fatalf("no token issued for %s", username)
	}
	return tok.Token
}

// Eventually retries check every 50ms until it passes or timeout ends.
func Eventually(tb testing.TB, timeout time.Duration, what string, check func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

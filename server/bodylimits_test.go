package server_test

import (
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"rectify/server"
	"rectify/store"
	"rectify/web"
)

// publicSite is the API and the pages over real HTTP with no database behind
// them: enough for requests refused before anything is read.
func publicSite(t *testing.T) *httptest.Server {
	t.Helper()
	st := &store.Store{}
	log := slog.New(slog.DiscardHandler)
	s := server.New(server.Deps{Store: st, Log: log, BootstrapAdminToken: "bodylimit-admin-token-0123456789"})
	web.Register(s.Echo, web.Deps{Store: st, Log: log})
	ts := httptest.NewServer(s.Echo)
	t.Cleanup(ts.Close)
	return ts
}

// multipartBody streams a form with one file part of size bytes.
func multipartBody(size int64) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("username", "admin")
		fw, err := mw.CreateFormFile("f", "big.bin")
		if err == nil { // else the server hung up already
			_, err = io.CopyN(fw, zeros{}, size)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Oversized and multipart bodies to the public forms leave nothing in the temp
// folder (issue 15 item 1: three 40 MB posts used to leave 380 MB of
// /tmp/multipart-* behind) and are refused, with or without a Content-Length.
func TestOversizedBodiesLeaveNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where mime/multipart spools file parts
	ts := publicSite(t)
	token := "not-a-token" // refused without a database, after the form is read
	const size = 40 << 20
	for _, path := range []string{"/login", "/s/" + token, "/api/v1/surveys/" + token, "/api/v1/ratings"} {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s chunked=%v", path, chunked), func(t *testing.T) {
				body, ct := multipartBody(size)
				req, _ := http.NewRequest(http.MethodPost, ts.URL+path, body)
				req.Header.Set("Content-Type", ct)
				if !chunked {
					req.ContentLength = size + 400 // near enough: the server refuses on the header
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					// The server may close the connection before the client finished sending.
					t.Logf("client: %v", err)
				} else {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusUnsupportedMediaType && res.StatusCode != http.StatusRequestEntityTooLarge {
						t.Errorf("status %d, want 413 or 415", res.StatusCode)
					}
				}
				ts.CloseClientConnections() // let the handler finish before the folder is read
				left, _ := os.ReadDir(tmp)
				if len(left) != 0 {
					t.Errorf("temp folder holds %d entries after the request, e.g. %s", len(left), left[0].Name())
				}
			})
		}
	}
}

// Every route has a ceiling: a sign-in form over a few KB is refused even when it
// is not multipart, and a request body to a page that takes none too.
func TestBodyCeilings(t *testing.T) {
	ts := publicSite(t)
	for _, tt := range []struct {
		path string
		size int
	}{
		{"/login", 5 << 10},
		{"/s/not-a-token", 20 << 10},
		{"/logout", 100 << 10},
	} {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+tt.path, strings.NewReader("username="+strings.Repeat("a", tt.size)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with %d bytes: status %d, want 413", tt.path, tt.size, res.StatusCode)
		}
	}
}

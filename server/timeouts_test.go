package server

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A body that trickles in is cut off at its route's read deadline (issue 15 item
// 10: a slow body to /login was still open after 67 s).
func TestSlowBodyIsCutOff(t *testing.T) {
	old := readSmall
	readSmall = 300 * time.Millisecond
	t.Cleanup(func() { readSmall = old })
	ts := httptest.NewServer(bare(t).Echo)
	defer ts.Close()

	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	_, err = conn.Write([]byte("POST /api/v1/ratings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + testAdmin +
		"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":"))
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		res.Body.Close()
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("status %d, want a 4xx", res.StatusCode)
		}
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server still waits for the body after 5 s")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cut off after %s, want about the route's 300 ms", d)
	}
}

// The server itself bounds every phase, so a route without its own deadline
// cannot hold a connection either.
func TestHTTPServerTimeouts(t *testing.T) {
	s := HTTPServer(":0", http.NotFoundHandler())
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": s.ReadHeaderTimeout, "ReadTimeout": s.ReadTimeout,
		"WriteTimeout": s.WriteTimeout, "IdleTimeout": s.IdleTimeout} {
		if d <= 0 || d > 5*time.Minute {
			t.Errorf("%s = %s, want set and at most minutes", name, d)
		}
	}
	if s.ReadTimeout < readBatch || s.WriteTimeout < writeLarge {
		t.Errorf("outer bounds %s/%s are below the longest route's %s/%s", s.ReadTimeout, s.WriteTimeout, readBatch, writeLarge)
	}
}

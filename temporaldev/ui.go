package temporaldev

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// UI is Temporal's Web UI for the in-process server, as `temporal server
// start-dev` serves it: the ui-server module embeds the built assets.
type UI struct {
	srv  *uiserver.Server
	done chan struct{}
}

// StartUI serves the Web UI on addr, which must be a loopback address: the UI
// can read every workflow's inputs (ticket numbers, notes) and has no sign-in.
func StartUI(addr, temporalAddr, namespace string) (*UI, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("temporal UI: address: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("temporal UI: %q is not a loopback address; the UI has no sign-in", addr)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("temporal UI: bad port in %q", addr)
	}
	// ui-server's Start exits the process (Logger.Fatal) on a busy port.
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("temporal UI: %w", err)
	}
	l.Close()
	srv := uiserver.NewServer(server_options.WithConfigProvider(&uiconfig.Config{
		TemporalGRPCAddress: temporalAddr,
		Host:                host,
		Port:                port,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		HideLogs:            true,
		CORS:                uiconfig.CORS{CookieInsecure: true}, // plain HTTP on loopback
	}))
	u := &UI{srv: srv, done: make(chan struct{})}
	go func() { defer close(u.done); _ = srv.Start() }()
	// Return once it answers, so the printed URL works at once.
	for range 50 {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return u, nil
		}
		select {
		case <-u.done:
			return nil, errors.New("temporal UI: stopped at start")
		case <-time.After(100 * time.Millisecond):
		}
	}
	u.Stop()
	return nil, fmt.Errorf("temporal UI: %s did not answer", addr)
}

// Stop closes the UI's listener.
func (u *UI) Stop() {
	u.srv.Stop()
	<-u.done
}

package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"go.temporal.io/server/temporaltest"

	"rectify/internal/testenv"
)

// binary is the rectify binary built once for the package's process tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rectify-faults-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// A private path, not bin/rectify: other people's builds must not swap the
	// binary under a running test.
	binary = filepath.Join(dir, "rectify")
	build := exec.Command("go", "build", "-o", binary, "rectify/cmd/rectify")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "faults: building rectify:", err)
		os.Exit(1)
	}
	code := m.Run()
	if ts != nil {
		ts.Stop()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var (
	tsOnce sync.Once
	ts     *temporaltest.TestServer
)

// temporal is the in-process Temporal server shared by the in-process tests,
// started on first use (the process tests bring their own).
func temporal() *temporaltest.TestServer {
	tsOnce.Do(func() { ts = testenv.StartTemporal() })
	return ts
}

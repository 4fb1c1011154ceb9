package workflows

import (
	"os"
	"testing"
)

// harnessV2 runs the time-skipping tests against RectificationV2, and harnessV3
// (with harnessV2) against RectificationV3: TestMain runs every test of the
// package once for each workflow type, since all three run tickets.
var harnessV2, harnessV3 bool

// HarnessV2 lets the external tests that need a real server run only in the first
// pass.
var HarnessV2 = &harnessV2

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		harnessV2 = true
		code = m.Run()
	}
	if code == 0 {
		harnessV3 = true
		code = m.Run()
	}
	os.Exit(code)
}

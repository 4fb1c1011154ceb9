package campaigns_test

import (
	"os"
	"testing"

	"go.temporal.io/server/temporaltest"

	"rectify/internal/testenv"
)

// ts is the package's one Temporal server; each integration test gets its own
// database and task queue on it (and so its own campaign workflow).
var ts *temporaltest.TestServer

func TestMain(m *testing.M) {
	ts = testenv.StartTemporal()
	code := m.Run()
	ts.Stop()
	os.Exit(code)
}

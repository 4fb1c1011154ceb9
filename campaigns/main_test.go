package campaigns_test

import (
	"testing"

	"go.temporal.io/server/temporaltest"

	"rectify/internal/testenv"
)

// ts is the package's one Temporal server; each integration test gets its own
// database and task queue on it (and so its own campaign workflow).
var ts *temporaltest.TestServer

func TestMain(m *testing.M) { testenv.Main(m, &ts) }

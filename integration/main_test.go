package integration

import (
	"flag"
	"testing"

	"go.temporal.io/server/temporaltest"

	"rectify/internal/testenv"
	"rectify/topics"
)

// ts is the package's one Temporal server; every test gets its own task queue and
// database on it through testenv.NewSystem.
var ts *temporaltest.TestServer

func TestMain(m *testing.M) {
	flag.Parse()
	// The tests mostly wait for compressed-time timers, not for CPU: let more of
	// them wait together than GOMAXPROCS would, unless -parallel says otherwise.
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "8")
	}
	topics.Default.Preload() // TestTopicsFromPostedComments must not wait for it (segment.go)
	testenv.Main(m, &ts)
}

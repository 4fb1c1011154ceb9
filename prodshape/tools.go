//go:build tools

// The production shape runs a real Temporal server built from the module go.mod
// pins; importing its commands here keeps them (and their dependencies) in go.mod.
package prodshape

import (
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)

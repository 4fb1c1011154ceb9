//go:build release

package main

import "github.com/spf13/cobra"

// devCommands is empty in a release build: no `dev`, `bench` or in-process
// Temporal (dev.go), so neither the Temporal server nor SQLite is linked in.
func devCommands() []*cobra.Command { return nil }

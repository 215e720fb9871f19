//go:build mage

package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/Gleipnir-Technology/nixos-systems/internal/app"
	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
)

// init checks the command line against app.CommandLine before mage parses
// it: a value that cannot be right (-timeout=-5s, -name=, an argument too
// many) is refused here, with the flag, the value and the fix, before any
// target runs, rather than after a droplet was made or with mage's terse
// answer.
func init() {
	err := app.CommandLine.Check(os.Args[1:], os.Getenv)
	var cerr *cmdline.Error
	if errors.As(err, &cerr) {
		fmt.Fprintln(os.Stderr, "Error:", cerr)
		os.Exit(cerr.ExitStatus())
	}
}

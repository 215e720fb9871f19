package images

import (
	"context"
	"io"
	"os"
	"os/exec"
	"time"
)

// Command is one external program to run and where its output goes.
type Command struct {
	Name   string
	Args   []string
	Stdout io.Writer
	Stderr io.Writer
}

// Runner runs external programs. Build and Publish take one so tests can
// check the exact argv without Nix or a static host.
type Runner interface {
	Run(ctx context.Context, cmd Command) error
}

// ExecRunner runs commands with os/exec.
type ExecRunner struct{}

// stopGrace is how long a program has to exit after an interrupt before it
// is killed.
const stopGrace = 10 * time.Second

// Run runs cmd until it exits or ctx ends. Ending ctx interrupts the program
// rather than killing it, so rsync can keep its partial upload for the next
// run (--partial) and nix can stop its builders cleanly.
func (ExecRunner) Run(ctx context.Context, c Command) error {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Stdout, cmd.Stderr = c.Stdout, c.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopGrace
	return cmd.Run()
}

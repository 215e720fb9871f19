// Package runner runs local programs — nix, rsync, nixos-anywhere — and
// stops them, and what they started, when their context ends.
package runner

import (
	"cmp"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Command is one external program to run and where its output goes. It
// gets no input unless its runner is Interactive.
type Command struct {
	Name string
	Args []string
	// Env holds NAME=value variables the command gets on top of this
	// process's environment, replacing a variable of the same name; nil
	// leaves the environment as it is.
	Env    []string
	Stdout io.Writer
	Stderr io.Writer
}

// Runner runs a command until it exits or ctx ends. The routes take one so
// tests can check the exact argv without Nix, rsync or a static host.
type Runner interface {
	Run(ctx context.Context, cmd Command) error
}

// DefaultGrace is how long a stopped command has to clean up before it is
// killed. It ends well before mage's compiled main exits, 5 s after a
// Ctrl-C: a command in a session of its own (nixos-anywhere, deploy-rs, nix)
// would otherwise outlive the target, which nothing would stop after that.
const DefaultGrace = 3 * time.Second

// ExecRunner runs commands as child processes, each (unless Interactive) in a session (and so a
// process group) of its own: stopping one then also stops the ssh and nix
// processes it started, and without a terminal an ssh that would prompt for
// a password fails instead of waiting for an answer nobody sees.
type ExecRunner struct {
	// Stop is the signal the command's process group gets when ctx ends, so
	// that it can clean up; 0 = SIGTERM.
	Stop syscall.Signal
	// Grace is how long a stopped command has to exit before its process
	// group is killed; 0 = DefaultGrace.
	Grace time.Duration
	// Interactive keeps the command on the caller's terminal, in the
	// caller's process group, so an ssh inside it can still ask for a
	// passphrase or a new host key; Ctrl-C at the terminal reaches the
	// whole group, and Stop goes to the command alone.
	Interactive bool
}

// Run runs c until it exits or ctx ends. Ending ctx sends Stop to the
// command's process group, and SIGKILL to what is left of it after Grace.
func (r ExecRunner) Run(ctx context.Context, c Command) error {
	stop := cmp.Or(r.Stop, syscall.SIGTERM)
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Stdout, cmd.Stderr = c.Stdout, c.Stderr
	if c.Env != nil {
		// exec uses the last of duplicate names.
		cmd.Env = append(os.Environ(), c.Env...)
	}
	if r.Interactive {
		cmd.Stdin = os.Stdin
		cmd.Cancel = func() error { return cmd.Process.Signal(stop) }
	} else {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, stop) }
	}
	// After the grace period exec kills the leader and stops waiting for
	// output that a straggler still holds open.
	cmd.WaitDelay = cmp.Or(r.Grace, DefaultGrace)
	err := cmd.Run()
	if ctx.Err() != nil && cmd.Process != nil && !r.Interactive {
		_ = signalGroup(cmd.Process.Pid, syscall.SIGKILL)
	}
	return err
}

// signalGroup signals the process group led by pid, a session leader.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

package anywhere

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// ExecRunner runs commands as child processes, each in a session (and so a
// process group) of its own: stopping nixos-anywhere then also stops the ssh
// and nix processes it started, and without a terminal an ssh that would
// prompt for a password fails instead of waiting for an answer nobody sees.
type ExecRunner struct {
	// Grace is how long a stopped command has between SIGTERM and SIGKILL;
	// 0 = 10s. nixos-anywhere uses it to delete its temporary directory,
	// which holds a copy of the SSH private key.
	Grace time.Duration
}

// Run runs argv until it exits or ctx ends, with no input. Ending ctx sends
// SIGTERM to the command's process group, and SIGKILL to what is left of it
// after the grace period.
func (r ExecRunner) Run(ctx context.Context, argv []string, stdout, stderr io.Writer) error {
	grace := r.Grace
	if grace == 0 {
		grace = 10 * time.Second
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, syscall.SIGTERM) }
	// After the grace period exec kills the leader and stops waiting for
	// output that a straggler still holds open.
	cmd.WaitDelay = grace
	err := cmd.Run()
	if ctx.Err() != nil && cmd.Process != nil {
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

package runner

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestExecRunnerOutputAndExitStatus(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := ExecRunner{}.Run(context.Background(), Command{Name: "sh", Args: []string{"-c", "echo out; echo err >&2; exit 3"}, Stdout: &stdout, Stderr: &stderr})
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("error = %v, want exit status 3", err)
	}
	if stdout.String() != "out\n" || stderr.String() != "err\n" {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

func TestExecRunnerMissingProgram(t *testing.T) {
	err := ExecRunner{}.Run(context.Background(), Command{Name: "no-such-program-here"})
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("missing program: err = %v, want exec.ErrNotFound", err)
	}
}

// A stopped command gets SIGTERM by default, so nixos-anywhere can delete
// its copy of the private key, and its whole process group gets it.
func TestExecRunnerStopsProcessGroupGracefully(t *testing.T) {
	script := `trap 'echo cleaned up; exit 143' TERM; sleep 30 & echo $!; wait`
	out, pid, done, cancel := startScript(t, ExecRunner{}, script)

	cancel()
	waitDone(t, done, 5*time.Second)
	if !strings.Contains(out.String(), "cleaned up") {
		t.Errorf("the shell's TERM trap did not run; output %q", out.String())
	}
	sshtest.WaitGone(t, pid)
}

// What ignores the stop signal is killed after the grace period, child
// processes too.
func TestExecRunnerKillsWhatIgnoresStop(t *testing.T) {
	script := `trap '' TERM; sleep 30 & echo $!; wait`
	_, pid, done, cancel := startScript(t, ExecRunner{Grace: 200 * time.Millisecond}, script)

	start := time.Now()
	cancel()
	err := waitDone(t, done, 5*time.Second)
	if err == nil || err.Error() != "signal: killed" {
		t.Errorf("error = %v, want the shell killed", err)
	}
	if elapsed := time.Since(start); elapsed < 200*time.Millisecond {
		t.Errorf("killed after %s, before the grace period", elapsed)
	}
	sshtest.WaitGone(t, pid)
}

// startScript runs script with r and returns its output, the pid its first
// line names (of a sleep it started), the channel its result arrives on, and the cancel that stops it.
func startScript(t *testing.T, r ExecRunner, script string) (*sshtest.Buffer, int, chan error, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	out := &sshtest.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- r.Run(ctx, Command{Name: "sh", Args: []string{"-c", script}, Stdout: out, Stderr: out})
	}()
	line := strings.TrimSuffix(out.WaitFor(t, "\n"), "\n")
	pid, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("pid line %q: %v", line, err)
	}
	// A signal that reaches the forked shell before it has become sleep
	// would be taken by the shell's trap and lost at the exec.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if comm, _ := os.ReadFile("/proc/" + line + "/comm"); string(comm) == "sleep\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d did not become sleep within 5s", pid)
		}
	}
	return out, pid, done, cancel
}

func waitDone(t *testing.T, done chan error, limit time.Duration) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("Run still running %s after cancel", limit)
		return nil
	}
}

package anywhere

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestExecRunnerOutputAndExitStatus(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := ExecRunner{}.Run(context.Background(), []string{"sh", "-c", "echo out; echo err >&2; exit 3"}, &stdout, &stderr)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("error = %v, want exit status 3", err)
	}
	if stdout.String() != "out\n" || stderr.String() != "err\n" {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

// A stopped command gets SIGTERM first, so nixos-anywhere can delete its
// copy of the private key, and its whole process group gets it.
func TestExecRunnerStopsProcessGroupGracefully(t *testing.T) {
	script := `trap 'echo cleaned up; exit 143' TERM; sleep 30 & echo $!; wait`
	out, pid, done, cancel := startScript(t, ExecRunner{}, script)

	cancel()
	waitDone(t, done, 5*time.Second)
	if !strings.Contains(out.String(), "cleaned up") {
		t.Errorf("the shell's TERM trap did not run; output %q", out.String())
	}
	waitGone(t, pid)
}

// What ignores SIGTERM is killed after the grace period, child processes too.
func TestExecRunnerKillsWhatIgnoresTerm(t *testing.T) {
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
	waitGone(t, pid)
}

// startScript runs script with r and returns its output, the pid its first
// line names, the channel its result arrives on, and the cancel that stops it.
func startScript(t *testing.T, r ExecRunner, script string) (*lockedBuffer, int, chan error, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, []string{"sh", "-c", script}, out, out) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no pid line in 5s; output %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	line, _, _ := strings.Cut(out.String(), "\n")
	pid, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("pid line %q: %v", line, err)
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

// waitGone waits until pid has exited; a zombie nobody reaps counts as gone.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return
		}
		if fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])); len(fields) > 0 && fields[0] == "Z" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("child process %d still running 5s after Run returned", pid)
		}
	}
}

// lockedBuffer collects the output the command's goroutines write while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

// Env adds to the environment the command inherits, and a name it gives
// replaces the inherited value.
func TestExecRunnerEnv(t *testing.T) {
	t.Setenv("RUNNER_TEST_KEPT", "kept")
	t.Setenv("RUNNER_TEST_SET", "inherited")
	script := `printf '%s|%s|%s' "$RUNNER_TEST_KEPT" "$RUNNER_TEST_SET" "${RUNNER_TEST_NEW-unset}"`
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{nil, "kept|inherited|unset"},
		{[]string{"RUNNER_TEST_SET=replaced", "RUNNER_TEST_NEW=a\nb c"}, "kept|replaced|a\nb c"},
	} {
		var out bytes.Buffer
		if err := (ExecRunner{}).Run(context.Background(), Command{Name: "sh", Args: []string{"-c", script}, Env: tc.env, Stdout: &out}); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("Env %q: the command saw %q, want %q", tc.env, out.String(), tc.want)
		}
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
	sshtest.Await(t, done, "Run to return after cancel")
	if !strings.Contains(out.String(), "cleaned up") {
		t.Errorf("the shell's TERM trap did not run; output %q", out.String())
	}
	sshtest.WaitGone(t, pid)
}

// What outlives the stop signal is killed after the grace period, child
// processes too: the shell here takes the signal and goes on, and its
// child ignores it.
func TestExecRunnerKillsWhatIgnoresStop(t *testing.T) {
	script := `trap 'echo stop signal taken' TERM; (trap '' TERM; exec sleep 30) & echo $!; while :; do wait; done`
	out, pid, done, cancel := startScript(t, ExecRunner{Grace: 200 * time.Millisecond}, script)

	cancel()
	// The shell was still there to take the stop signal: it was not killed
	// instead of being signalled, but after.
	out.WaitFor(t, "stop signal taken\n")
	err := sshtest.Await(t, done, "Run to return after the grace period")
	if err == nil || err.Error() != "signal: killed" {
		t.Errorf("error = %v, want the shell killed", err)
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
	sshtest.Eventually(t, fmt.Sprintf("process %d to become sleep", pid), func() bool {
		comm, _ := os.ReadFile("/proc/" + line + "/comm")
		return string(comm) == "sleep\n"
	})
	return out, pid, done, cancel
}

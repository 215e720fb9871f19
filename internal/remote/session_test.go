package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestOutput(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	c := mustDial(t, s.Host, trusted(t, s))
	ctx := context.Background()

	// The server is this machine, so it must agree with a local uname.
	want, err := exec.Command("uname", "-m").Output()
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Output(ctx, "uname -m")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("uname -m (-want +got):\n%s", diff)
	}

	meminfo, err := c.Output(ctx, "cat /proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(meminfo, []byte("MemTotal:")) {
		t.Errorf("cat /proc/meminfo = %.100q..., want it to start with MemTotal:", meminfo)
	}

	// stderr of a command that succeeds is not part of its output.
	got, err = c.Output(ctx, "echo out; echo noise >&2")
	if err != nil || string(got) != "out\n" {
		t.Errorf("Output = %q, %v; want \"out\\n\"", got, err)
	}
}

func TestNonZeroExit(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	c := mustDial(t, s.Host, trusted(t, s))
	const cmd = "echo out; echo first >&2; echo last >&2; exit 3"

	for name, run := range map[string]func() error{
		"Output": func() error { _, err := c.Output(context.Background(), cmd); return err },
		"Stream": func() error { return c.Stream(context.Background(), cmd, nil, nil) },
	} {
		err := run()
		var exit *ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("%s: %v, want an ExitError", name, err)
		}
		if diff := cmp.Diff(&ExitError{Cmd: cmd, Status: 3, Stderr: "first\nlast\n"}, exit); diff != "" {
			t.Errorf("%s error (-want +got):\n%s", name, diff)
		}
		if want := `remote command "` + cmd + `" exited 3: last`; err.Error() != want {
			t.Errorf("%s message = %q, want %q", name, err, want)
		}
	}
}

func TestStreamDeliversOutputLive(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	c := mustDial(t, s.Host, trusted(t, s))
	// The command waits for a file the test creates only after it has seen
	// the first line: it passes only if output arrives while the command runs.
	flag := filepath.Join(t.TempDir(), "go-on")
	cmd := fmt.Sprintf("echo first; while [ ! -e %s ]; do sleep 0.01; done; echo second >&2; echo third", flag)
	stdout := &sshtest.Buffer{}
	var stderr bytes.Buffer

	done := make(chan error, 1)
	go func() { done <- c.Stream(context.Background(), cmd, stdout, &stderr) }()
	stdout.WaitFor(t, "first\n")
	if err := os.WriteFile(flag, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	if err := sshtest.Await(t, done, "Stream to return"); err != nil {
		t.Fatal(err)
	}
	if got := stdout.String(); got != "first\nthird\n" {
		t.Errorf("stdout = %q", got)
	}
	if got := stderr.String(); got != "second\n" {
		t.Errorf("stderr = %q", got)
	}
}

func TestStreamKeepsOrderOfLongOutput(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	c := mustDial(t, s.Host, trusted(t, s))
	var want strings.Builder
	for i := 1; i <= 100000; i++ {
		fmt.Fprintln(&want, i)
	}
	var got bytes.Buffer

	if err := c.Stream(context.Background(), "seq 1 100000", &got, nil); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("seq output differs: %d bytes, want %d", got.Len(), want.Len())
	}
}

// shells are the sshd setups the cancelling tests run against: a shell that
// starts at once, and one that, like a login shell with slow startup files,
// takes a second to start and locks while it does, so a session cut while
// it starts fails the test.
var shells = map[string]sshtest.Options{
	"fast shell": {},
	"slow shell": {SlowShell: true, ShellStartup: time.Second},
}

// withEachShell runs test, in parallel, against a server of each of shells
// and a client logged in to it.
func withEachShell(t *testing.T, test func(t *testing.T, c *Client)) {
	t.Parallel()
	for name, opts := range shells {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := sshtest.StartWith(t, opts)
			test(t, mustDial(t, s.Host, trusted(t, s)))
		})
	}
}

func TestCancelEndsRemoteCommand(t *testing.T) {
	withEachShell(t, func(t *testing.T, c *Client) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stdout := &sshtest.Buffer{}

		done := make(chan error, 1)
		// exec keeps the shell's pid, which the test then watches on this machine.
		go func() { done <- c.Stream(ctx, "echo $$; exec sleep 30", stdout, nil) }()
		line := stdout.WaitFor(t, "\n")
		pid, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil {
			t.Fatalf("pid line %q: %v", line, err)
		}
		cancel()

		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Stream: %v, want context.Canceled", err)
		}
		sshtest.WaitGone(t, pid) // the remote sleep
		// The connection outlives a cancelled command.
		if out, err := c.Output(context.Background(), "echo ok"); err != nil || string(out) != "ok\n" {
			t.Errorf("Output after cancel = %q, %v", out, err)
		}
	})
}

func TestOutputDeadline(t *testing.T) {
	withEachShell(t, func(t *testing.T, c *Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()

		// The command would outlive any test: only the deadline can end it.
		_, err := c.Output(ctx, "sleep 3600")

		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Output: %v, want context.DeadlineExceeded", err)
		}
		if _, err := c.Output(ctx, "true"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Output with an expired context: %v, want context.DeadlineExceeded", err)
		}
	})
}

// Cancelling returns at once, even while the shell is still reading its
// startup files, and the command is ended once the shell has started,
// without cutting the shell midway.
func TestCancelWhileShellStarts(t *testing.T) {
	t.Parallel()
	s := sshtest.StartWith(t, sshtest.Options{SlowShell: true})
	c := mustDial(t, s.Host, trusted(t, s))
	s.HoldStartups(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &sshtest.Buffer{}
	done := make(chan error, 1)
	go func() { done <- c.Stream(ctx, "echo started; exec sleep 3600", stdout, nil) }()
	shell := s.WaitStarting(t)

	cancel()

	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Stream: %v, want context.Canceled", err)
	}
	if now := s.Starting(); now != shell {
		t.Fatalf("after Stream returned, the starting shell is %d, want %d still starting", now, shell)
	}
	s.ReleaseStartups(t)
	sshtest.WaitGone(t, shell) // the shell became the sleep, which the kill ended
	if out, err := c.Output(context.Background(), "echo ok"); err != nil || string(out) != "ok\n" {
		t.Errorf("Output after cancel = %q, %v", out, err)
	}
	if got := stdout.String(); got != "" {
		t.Errorf("Stream wrote %q after it returned", got)
	}
}

// Close lets a shell that is starting finish before it ends the connection:
// cut midway, the shell would die holding its startup lock, which fails
// the test when it ends.
func TestCloseWaitsForStartingShell(t *testing.T) {
	t.Parallel()
	s := sshtest.StartWith(t, sshtest.Options{SlowShell: true})
	c := mustDial(t, s.Host, trusted(t, s))
	s.HoldStartups(t)
	ran := make(chan error, 1)
	// cat ends when the closed connection closes its input.
	go func() { ran <- c.Stream(context.Background(), "cat", nil, nil) }()
	shell := s.WaitStarting(t)
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	<-c.closing

	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while shell %d was starting", err, shell)
	default:
	}
	if _, err := c.Output(context.Background(), "true"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("a command after Close began: %v, want net.ErrClosed", err)
	}
	s.ReleaseStartups(t)
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	<-ran
	sshtest.WaitGone(t, shell)
}

func TestShellPID(t *testing.T) {
	long := strings.Repeat("x", pidSearchLimit+1)
	for _, tc := range []struct {
		name   string
		writes []string
		pid    int64
		rest   string
	}{
		{"pid line then output", []string{"remote-shell-pid 42\nwarning\n"}, 42, "warning\n"},
		{"pid line split across writes", []string{"remote-she", "ll-pid 4", "2\nwarn", "ing\n"}, 42, "warning\n"},
		{"startup noise first", []string{"Could not chdir to home directory\nremote-shell-pid 7\nrest"}, 7, "Could not chdir to home directory\nrest"},
		{"no pid line", []string{"fish: $$ is not supported\n", "unterminated"}, 0, "fish: $$ is not supported\nunterminated"},
		{"pid line too late", []string{long, "\nremote-shell-pid 9\n"}, 0, long + "\nremote-shell-pid 9\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rest bytes.Buffer
			s := &shellPID{next: &rest, reported: make(chan struct{})}
			for _, w := range tc.writes {
				if n, err := s.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if err := s.stopSearch(nil); err != nil { // as run does once stderr ends
				t.Fatal(err)
			}
			if got := s.pid.Load(); got != tc.pid {
				t.Errorf("pid = %d, want %d", got, tc.pid)
			}
			if diff := cmp.Diff(tc.rest, rest.String()); diff != "" {
				t.Errorf("passed on (-want +got):\n%s", diff)
			}
		})
	}
}

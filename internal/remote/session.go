package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/ssh"
)

// stderrKept bounds the stderr an ExitError carries: a failing nix build can
// write megabytes, and only its end explains the failure.
const stderrKept = 64 << 10

// Output runs cmd with the user's shell, which must be a POSIX one (sh,
// bash, dash, zsh), and returns its stdout. A command that exits non-zero
// fails with *ExitError carrying its stderr. Cancelling ctx returns at once
// with an error wrapping ctx's; the command's process group on the server is
// then sent SIGTERM in the background, once its shell has started (see
// Client.Close).
func (c *Client) Output(ctx context.Context, cmd string) ([]byte, error) {
	var stdout bytes.Buffer
	if err := c.run(ctx, cmd, &stdout, io.Discard); err != nil {
		return nil, err
	}
	return stdout.Bytes(), nil
}

// Stream runs cmd like Output does, copying its output to stdout and stderr
// (nil discards) as it arrives; nothing is written to them once Stream has
// returned. A command that exits non-zero fails with *ExitError.
func (c *Client) Stream(ctx context.Context, cmd string, stdout, stderr io.Writer) error {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	return c.run(ctx, cmd, stdout, stderr)
}

// pidPrefix starts the line with which the shell running a command first
// reports its pid on stderr; run takes that line back out.
const pidPrefix = "remote-shell-pid "

func (c *Client) run(ctx context.Context, cmd string, stdout, stderr io.Writer) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("run %q on %s: %w", cmd, c.target, context.Cause(ctx))
	}
	if !c.hold() {
		return fmt.Errorf("run %q on %s: %w", cmd, c.target, net.ErrClosed)
	}
	session, err := c.ssh.NewSession()
	if err != nil {
		c.release()
		return fmt.Errorf("run %q on %s: %w", cmd, c.target, c.lostOr(err))
	}

	tail := &tailBuffer{max: stderrKept}
	out := &gate{w: stdout}
	errOut := &gate{w: io.MultiWriter(stderr, tail)}
	shell := &shellPID{next: errOut, reported: make(chan struct{})}
	session.Stdout, session.Stderr = out, shell
	// sshd starts the shell as the leader of a new process group, so its pid
	// names the group that cancelling has to end. The line also tells when
	// the shell has read its startup files.
	if err := session.Start(`echo "` + pidPrefix + `$$" >&2; ` + cmd); err != nil {
		session.Close()
		c.release()
		return fmt.Errorf("run %q on %s: %w", cmd, c.target, c.lostOr(err))
	}
	done := make(chan error, 1)  // the session's end, for run
	ended := make(chan struct{}) // the session's end, for watch
	go func() {
		done <- session.Wait()
		close(ended)
	}()
	cancelled := make(chan struct{})
	go c.watch(session, shell, ended, cancelled)

	select {
	case err = <-done:
		// A shell that never reported its pid leaves stderr held back.
		if err := shell.stopSearch(nil); err != nil {
			return fmt.Errorf("run %q on %s: %w", cmd, c.target, err)
		}
	case <-ctx.Done():
		// Nothing reaches the caller's writers once this returns.
		out.shut()
		errOut.shut()
		close(cancelled)
		return fmt.Errorf("run %q on %s: %w", cmd, c.target, context.Cause(ctx))
	}

	var exit *ssh.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		return &ExitError{Cmd: cmd, Status: exit.ExitStatus(), Stderr: tail.String()}
	default:
		return fmt.Errorf("run %q on %s: %w", cmd, c.target, c.lostOr(err))
	}
}

// watch holds the connection open while the session's shell starts, and
// ends a cancelled command. A session cut while its shell reads its startup
// files can kill that shell midway, leaving behind what it holds (a shell
// that locks its history file then hangs every later login), so a session
// is closed only once its shell has reported its pid or the session ended.
func (c *Client) watch(session *ssh.Session, shell *shellPID, ended, cancelled <-chan struct{}) {
	defer c.release()
	defer session.Close()
	select {
	case <-shell.reported:
	case <-ended:
		return
	}
	select {
	case <-cancelled:
	default:
		select {
		case <-cancelled:
		case <-ended:
			return
		case <-c.closing:
			return // the shell has started; Close may cut the command
		}
	}
	select {
	case <-ended:
		return // its pid may be another's by now
	default:
	}
	if pid := shell.pid.Load(); pid != 0 {
		c.killGroup(pid)
	}
}

// killGroup sends SIGTERM to a cancelled command's process group from a
// second session, which it lets run to its end for the same reason watch
// does. Closing the command's channel is not enough: sshd lets a command
// without a terminal outlive it, and it refuses signal requests on root
// logins.
func (c *Client) killGroup(pid int64) {
	session, err := c.ssh.NewSession()
	if err != nil {
		return // the connection is gone, and the command's users see why
	}
	defer session.Close()
	_ = session.Run(fmt.Sprintf("kill -TERM -%d", pid)) // dash's kill takes no --
}

// shellPID takes the shell's pid line out of stderr and passes the rest on.
// What sshd or the shell's startup files print can come before it, so the
// line is looked for within the first few KiB. x/crypto writes stderr from a
// single goroutine.
type shellPID struct {
	next     io.Writer
	head     []byte        // held back while the pid line is looked for
	passed   int           // bytes passed on while looking
	reported chan struct{} // closed once the search is over
	pid      atomic.Int64  // 0 unless the pid line was found
}

// pidSearchLimit is how far into stderr the pid line is looked for.
const pidSearchLimit = 4 << 10

func (s *shellPID) Write(p []byte) (int, error) {
	select {
	case <-s.reported:
		return s.next.Write(p)
	default:
	}
	s.head = append(s.head, p...)
	var out []byte
	for {
		end := bytes.IndexByte(s.head, '\n')
		if end < 0 {
			break
		}
		line := s.head[:end+1]
		s.head = s.head[end+1:]
		if pid, ok := parsePIDLine(line); ok {
			s.pid.Store(pid)
			return len(p), s.stopSearch(out)
		}
		out = append(out, line...)
		s.passed += len(line)
	}
	if s.passed+len(s.head) >= pidSearchLimit {
		return len(p), s.stopSearch(out)
	}
	return len(p), s.pass(out)
}

// stopSearch passes out and whatever is held back on, and ends the search.
// Once stderr has ended run calls it with nothing, to pass on the rest.
func (s *shellPID) stopSearch(out []byte) error {
	select {
	case <-s.reported:
		return nil
	default:
	}
	close(s.reported)
	out = append(out, s.head...)
	s.head = nil
	return s.pass(out)
}

func (s *shellPID) pass(out []byte) error {
	if len(out) == 0 {
		return nil
	}
	_, err := s.next.Write(out)
	return err
}

func parsePIDLine(line []byte) (int64, bool) {
	digits, ok := bytes.CutPrefix(bytes.TrimSuffix(line, []byte("\n")), []byte(pidPrefix))
	if !ok {
		return 0, false
	}
	pid, err := strconv.ParseInt(string(digits), 10, 64)
	return pid, err == nil && pid > 0
}

// gate passes writes on until shut, then discards them, so a command
// abandoned on cancellation cannot write into the caller's buffers
// afterwards, while its output is still read: its shell's pid line is
// still needed, and a command whose output is not read blocks.
type gate struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (g *gate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return len(p), nil
	}
	return g.w.Write(p)
}

func (g *gate) shut() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.buf) }

package anywhere

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// execRunner runs nixos-anywhere for real. Stopping it sends SIGTERM, on
// which nixos-anywhere deletes its temporary directory, which holds a copy
// of the SSH private key, within the runner's grace period.
var execRunner = runner.ExecRunner{Stop: syscall.SIGTERM}

// Install runs argv (from Command) with r, copying its output to log and
// noting each phase it enters there; r nil runs it for real, which only a
// passed Preflight of the same host and r may lead to (CheckTarget keeps
// it off this machine). On failure the error is an *InstallError naming
// the phase and what to look at.
func Install(ctx context.Context, r runner.Runner, argv []string, log io.Writer) error {
	if r == nil {
		r = execRunner
	}
	t := &tracker{log: log, start: time.Now()}
	stdout, stderr := &lineWriter{t: t}, &lineWriter{t: t}
	err := r.Run(ctx, runner.Command{Name: argv[0], Args: argv[1:], Stdout: stdout, Stderr: stderr})
	stdout.flush()
	stderr.flush()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, exec.ErrNotFound):
		return fmt.Errorf("run %s: %w; install Nix, or run inside `nix develop`", argv[0], err)
	case ctx.Err() != nil:
		err = context.Cause(ctx)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return &InstallError{Phase: t.phase, Step: t.step, Aborted: t.aborted, After: time.Since(t.start), Err: err}
}

// InstallError is a failed or stopped nixos-anywhere run.
type InstallError struct {
	Phase   Phase
	Step    string        // nixos-anywhere's last step line ("Building disko script" …), "" before the first
	Aborted string        // nixos-anywhere's last "aborted: …" message, if it printed one
	After   time.Duration // how long it ran
	Err     error         // the runner's error, or the context's when it was stopped
}

// BuildFailed reports whether the run stopped while nixos-anywhere built
// the system on the droplet.
func (e *InstallError) BuildFailed() bool {
	_, ok := buildsOnDroplet[e.Step]
	return ok
}

// DiskUntouched reports whether the run stopped before nixos-anywhere
// wrote the droplet's disk: its old system boots again after a power cycle.
func (e *InstallError) DiskUntouched() bool {
	return e.Phase <= PhaseKexec || e.Step == "Building disko script"
}

// left says where a run stopped from outside (interrupted, out of time)
// left the droplet; unlike advice it blames no error of its own.
func (e *InstallError) left() string {
	if left, ok := buildsOnDroplet[e.Step]; ok {
		return left
	}
	return e.Phase.left()
}

// advice says what state the droplet is in and what to look at.
func (e *InstallError) advice() string {
	left, ok := buildsOnDroplet[e.Step]
	if !ok {
		return e.Phase.advice()
	}
	return "the build on the droplet failed (nixos-anywhere builds there, in the NixOS installer's RAM, when this machine cannot build for x86_64-linux): " +
		"the Nix errors above say why, and a build that was killed ran out of that RAM (an x86_64-linux builder here avoids both the wait and the RAM); " + left
}

func (e *InstallError) Error() string {
	var what string
	switch {
	case errors.Is(e.Err, context.DeadlineExceeded) && e.Phase == PhaseBuild:
		return fmt.Sprintf("nixos-anywhere was stopped after %s in phase %s, the time allowed: %s", cmdline.Format(e.After.Round(time.Second)), e.Phase, e.left())
	case errors.Is(e.Err, context.DeadlineExceeded):
		what = fmt.Sprintf("nixos-anywhere was stopped after %s in phase %s, the time allowed", cmdline.Format(e.After.Round(time.Second)), e.Phase)
	case errors.Is(e.Err, context.Canceled):
		return fmt.Sprintf("nixos-anywhere was interrupted after %s in phase %s: %s", cmdline.Format(e.After.Round(time.Second)), e.Phase, e.left())
	case e.Aborted != "":
		what = fmt.Sprintf("nixos-anywhere failed in phase %s (%v: %s)", e.Phase, e.Err, e.Aborted)
	default:
		what = fmt.Sprintf("nixos-anywhere failed in phase %s (%v)", e.Phase, e.Err)
	}
	return what + ": " + e.advice()
}

func (e *InstallError) Unwrap() error { return e.Err }

// tracker follows nixos-anywhere's output, shared by its stdout and stderr.
type tracker struct {
	mu        sync.Mutex // also orders the two streams' writes to log
	log       io.Writer
	start     time.Time
	phase     Phase
	step      string // the last step line nixos-anywhere printed
	onDroplet bool   // it builds on the droplet, and the log says so
	aborted   string
}

// see takes in one line of output; the caller holds t.mu.
func (t *tracker) see(line string) {
	line = strings.TrimRight(line, "\r")
	if msg, ok := strings.CutPrefix(line, "aborted: "); ok {
		t.aborted = msg
		return
	}
	step, ok := strings.CutPrefix(line, "### ")
	if !ok {
		return
	}
	step, ok = strings.CutSuffix(step, " ###")
	p, known := stepPhases[step]
	if !ok || !known {
		return
	}
	if p > t.phase {
		t.phase = p
		fmt.Fprintf(t.log, "==> phase %s, after %s\n", p, cmdline.Format(time.Since(t.start).Round(time.Second)))
	}
	if _, remote := buildsOnDroplet[step]; remote && !t.onDroplet {
		t.onDroplet = true
		fmt.Fprintf(t.log, "==> building on the droplet, in the installer's RAM: this machine cannot build for x86_64-linux\n")
	}
	t.step = step
}

// maxLine bounds the unfinished line a lineWriter keeps: a step line is
// short, and output without newlines must not grow memory.
const maxLine = 64 << 10

// lineWriter passes output on to the tracker's log and shows the tracker
// each whole line.
type lineWriter struct {
	t       *tracker
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	// Line by line, so that a phase note follows its step line in the log.
	for rest := p; len(rest) > 0; {
		chunk := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			chunk = rest[:i+1]
		}
		rest = rest[len(chunk):]
		if _, err := w.t.log.Write(chunk); err != nil {
			return len(p) - len(rest) - len(chunk), err
		}
		w.partial = append(w.partial, chunk...)
		if line, ok := bytes.CutSuffix(w.partial, []byte("\n")); ok {
			w.t.see(string(line))
			w.partial = w.partial[:0]
		} else if len(w.partial) > maxLine {
			w.partial = w.partial[len(w.partial)-maxLine:]
		}
	}
	return len(p), nil
}

// flush shows the tracker a last line that ended without a newline.
func (w *lineWriter) flush() {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	if len(w.partial) > 0 {
		w.t.see(string(w.partial))
		w.partial = nil
	}
}

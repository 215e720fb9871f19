package images

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"
)

func TestExecRunnerPassesOutput(t *testing.T) {
	var out, errOut bytes.Buffer
	err := ExecRunner{}.Run(context.Background(), Command{Name: "sh", Args: []string{"-c", "echo out; echo err >&2"}, Stdout: &out, Stderr: &errOut})
	if err != nil || out.String() != "out\n" || errOut.String() != "err\n" {
		t.Errorf("err %v, stdout %q, stderr %q", err, out.String(), errOut.String())
	}
	err = ExecRunner{}.Run(context.Background(), Command{Name: "no-such-program-here"})
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("missing program: err = %v, want exec.ErrNotFound", err)
	}
}

func TestExecRunnerInterruptsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	// The trap shows the program got an interrupt it could clean up after, not a kill.
	var out bytes.Buffer
	err := ExecRunner{}.Run(ctx, Command{Name: "sh", Args: []string{"-c", "trap 'echo interrupted; exit 130' INT; sleep 5 >/dev/null & wait"}, Stdout: &out})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("err %v after %s, want an early stop", err, time.Since(start))
	}
	if out.String() != "interrupted\n" {
		t.Errorf("stdout %q: the program was not interrupted", out.String())
	}
}

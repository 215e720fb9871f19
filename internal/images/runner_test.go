package images

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

func TestExecRunnerInterruptsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	// The trap shows the program got an interrupt it could clean up after, not a kill.
	var out bytes.Buffer
	err := execRunner.Run(ctx, runner.Command{Name: "sh", Args: []string{"-c", "trap 'echo interrupted; exit 130' INT; sleep 5 >/dev/null & wait"}, Stdout: &out})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("err %v after %s, want an early stop", err, time.Since(start))
	}
	if out.String() != "interrupted\n" {
		t.Errorf("stdout %q: the program was not interrupted", out.String())
	}
}

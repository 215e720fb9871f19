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
	// The trap shows the program got an interrupt it could clean up after,
	// not a kill; left alone, it would run for an hour and succeed.
	var out bytes.Buffer
	err := execRunner.Run(ctx, runner.Command{Name: "sh", Args: []string{"-c", "trap 'kill $!; echo interrupted; exit 130' INT; sleep 3600 >/dev/null & wait"}, Stdout: &out})
	if err == nil {
		t.Fatal("the command succeeded, want it stopped")
	}
	if out.String() != "interrupted\n" {
		t.Errorf("stdout %q: the program was not interrupted", out.String())
	}
}

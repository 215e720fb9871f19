package images

import (
	"context"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestExecRunnerInterruptsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The trap shows the program got an interrupt it could clean up after,
	// not a kill; left alone, it would run for an hour and succeed. The
	// context ends once the trap is set.
	var out sshtest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- execRunner.Run(ctx, runner.Command{Name: "sh", Args: []string{"-c", "trap 'kill $!; echo interrupted; exit 130' INT; sleep 3600 >/dev/null & echo ready; wait"}, Stdout: &out})
	}()
	out.WaitFor(t, "ready\n")
	cancel()
	if err := sshtest.Await(t, done, "the command to stop"); err == nil {
		t.Fatal("the command succeeded, want it stopped")
	}
	if out.String() != "ready\ninterrupted\n" {
		t.Errorf("stdout %q: the program was not interrupted", out.String())
	}
}

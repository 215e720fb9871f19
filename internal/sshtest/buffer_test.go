package sshtest_test

import (
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestBufferWaitFor(t *testing.T) {
	t.Parallel()
	var b sshtest.Buffer
	go func() {
		for _, part := range []string{"12", "34\n5", "6\n"} {
			time.Sleep(10 * time.Millisecond)
			b.Write([]byte(part))
		}
	}()
	if got := b.WaitFor(t, "\n"); got != "1234\n" {
		t.Errorf("WaitFor(newline) = %q, want the first line", got)
	}
	if got := b.WaitFor(t, "6\n"); got != "1234\n56\n" {
		t.Errorf("WaitFor(6) = %q", got)
	}
	if b.String() != "1234\n56\n" {
		t.Errorf("String() = %q", b.String())
	}
}

package sshtest

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// Buffer collects output that a test reads while other goroutines, or a
// command's output copiers, write it. The zero value is ready to use.
type Buffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // signalled after each write, for WaitFor
}

// Write appends p and wakes a waiting WaitFor.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	select {
	case b.signal() <- struct{}{}:
	default:
	}
	return len(p), nil
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// signal returns the channel writes are signalled on; the caller holds b.mu.
func (b *Buffer) signal() chan struct{} {
	if b.written == nil {
		b.written = make(chan struct{}, 1)
	}
	return b.written
}

// WaitFor waits until the output holds want and returns the output up to
// the end of the first want; the test fails if it never comes.
func (b *Buffer) WaitFor(t testing.TB, want string) string {
	t.Helper()
	timeout := time.After(HangLimit)
	for {
		b.mu.Lock()
		s, written := b.buf.String(), b.signal()
		b.mu.Unlock()
		if i := strings.Index(s, want); i >= 0 {
			return s[:i+len(want)]
		}
		select {
		case <-written:
		case <-timeout:
			t.Fatalf("output never showed %q in %s:\n%s", want, HangLimit, b)
		}
	}
}

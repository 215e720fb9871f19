package remote

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestWaitForSSHAcrossRestart(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	s.Stop(t)
	var mu sync.Mutex
	var reports []time.Duration
	reported := make(chan struct{}, 100)
	progress := func(elapsed time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, elapsed)
		select {
		case reported <- struct{}{}:
		default: // enough reports are waiting to be read
		}
	}

	done := make(chan error, 1)
	go func() {
		done <- waitForSSH(context.Background(), s.Addr, 20*time.Millisecond, 80*time.Millisecond, 100*time.Millisecond, progress)
	}()
	// The port refuses while the server is down: the wait goes on, and
	// says so.
	for range 2 {
		sshtest.Await(t, reported, "a progress report while the server is down")
	}
	select {
	case err := <-done:
		t.Fatalf("WaitForSSH returned while the port refused: %v", err)
	default:
	}
	s.Restart(t)

	if err := sshtest.Await(t, done, "WaitForSSH to notice the restarted server"); err != nil {
		t.Fatalf("WaitForSSH: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	// Reported every 100ms of waiting or more, not at every 20ms attempt:
	// the times it reports are its own, so they are never closer.
	for i := 1; i < len(reports); i++ {
		if gap := reports[i] - reports[i-1]; gap < 100*time.Millisecond {
			t.Errorf("progress reports %s apart, want at least 100ms: %v", gap, reports)
		}
	}
}

func TestWaitForSSHRunningServer(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), sshtest.HangLimit)
	defer cancel()
	if err := WaitForSSH(ctx, s.Addr, time.Second, nil); err != nil {
		t.Fatal(err)
	}
}

func TestWaitForSSHRejectsNonSSH(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		serve func(net.Conn)
		want  string
	}{
		{"silent", func(net.Conn) {}, "accepted the connection but sent no ssh banner"},
		{"other protocol", func(c net.Conn) {
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			c.Close()
		}, "closed the connection without an ssh banner"},
		{"refused", nil, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var l net.Listener
			if tc.serve == nil {
				l = silentListener(t)
				l.Close()
			} else {
				l = listener(t, tc.serve)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()

			// Progress is reported after an attempt failed: stopping there
			// leaves that attempt's failure as the last one seen.
			err := waitForSSH(ctx, l.Addr().String(), time.Millisecond, time.Second, 0, func(time.Duration) { cancel() })

			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("WaitForSSH: %v, want context.Canceled and %q", err, tc.want)
			}
		})
	}
}

// RFC 4253 lets a server send lines before its version line.
func TestWaitForSSHSkipsPreBannerLines(t *testing.T) {
	t.Parallel()
	l := listener(t, func(c net.Conn) {
		c.Write([]byte("welcome\r\nSSH-2.0-Test\r\n"))
	})
	ctx, cancel := context.WithTimeout(context.Background(), sshtest.HangLimit)
	defer cancel()
	if err := WaitForSSH(ctx, l.Addr().String(), 50*time.Millisecond, nil); err != nil {
		t.Fatal(err)
	}
}

func TestWaitForSSHCancel(t *testing.T) {
	t.Parallel()
	accepted := make(chan struct{}, 1)
	l := listener(t, func(net.Conn) { accepted <- struct{}{} })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)

	// The attempt would last an hour: only cancelling can end it.
	go func() { done <- waitForSSH(ctx, l.Addr().String(), time.Millisecond, time.Hour, time.Hour, nil) }()
	<-accepted
	cancel()

	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("WaitForSSH: %v, want context.Canceled", err)
	}
}

package remote

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestDialTimeoutOnSilentPort(t *testing.T) {
	t.Parallel()
	l := silentListener(t)
	cfg := freshConfig(t, l)
	cfg.DialTimeout = 300 * time.Millisecond

	_, err := Dial(context.Background(), "127.0.0.1", cfg)

	// Only the timeout's own deadline ends a handshake with a silent server.
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no ssh handshake within 300ms") {
		t.Errorf("Dial: %v, want a handshake timeout wrapping context.DeadlineExceeded", err)
	}
}

func TestDialCancel(t *testing.T) {
	t.Parallel()
	accepted := make(chan struct{}, 1)
	l := listener(t, func(net.Conn) { accepted <- struct{}{} })
	cfg := freshConfig(t, l)
	cfg.DialTimeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	// Cancelled once the server has the connection: the handshake is waiting.
	go func() {
		<-accepted
		cancel()
	}()

	_, err := Dial(ctx, "127.0.0.1", cfg)

	// Had the cancel not ended the handshake, the minute's timeout would have.
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Dial: %v, want context.Canceled", err)
	}
}

func TestDialRefusedPort(t *testing.T) {
	t.Parallel()
	l := silentListener(t)
	l.Close() // nothing listens there any more
	cfg := freshConfig(t, l)

	_, err := Dial(context.Background(), "127.0.0.1", cfg)

	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("Dial: %v, want connection refused", err)
	}
}

func TestKeepAlive(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	proxy := startProxy(t, s.Addr)
	cfg := Config{
		User:           s.User,
		Port:           port(proxy.l),
		IdentityFile:   s.ClientKeyFile,
		KnownHostsFile: filepath.Join(t.TempDir(), "known_hosts"),
		Log:            io.Discard,
		KeepAlive:      50 * time.Millisecond,
	}
	c := mustDial(t, s.Host, cfg)

	// sshd answers keepalives, so a quiet command is left alone...
	if out, err := c.Output(context.Background(), "sleep 0.3; echo ok"); err != nil || string(out) != "ok\n" {
		t.Fatalf("Output = %q, %v", out, err)
	}

	// ...but a server that falls silent is given up on.
	stdout := &sshtest.Buffer{}
	done := make(chan error, 1)
	go func() { done <- c.Stream(context.Background(), "echo started; sleep 30", stdout, nil) }()
	stdout.WaitFor(t, "started\n")
	proxy.frozen.Store(true)
	if err := sshtest.Await(t, done, "Stream to end after the server fell silent"); err == nil || !strings.Contains(err.Error(), "keepalive unanswered") {
		t.Errorf("Stream: %v, want the keepalive to give up", err)
	}
}

// proxy forwards TCP connections to a server until frozen, then swallows
// everything, as the network of a server that vanished does.
type proxy struct {
	l      net.Listener
	frozen atomic.Bool
}

func startProxy(t *testing.T, target string) *proxy {
	p := &proxy{}
	p.l = listener(t, func(client net.Conn) {
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			return
		}
		defer server.Close()
		go p.pipe(server, client)
		p.pipe(client, server)
	})
	return p
}

func (p *proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		if p.frozen.Load() {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

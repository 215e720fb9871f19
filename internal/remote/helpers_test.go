package remote

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// trusted returns a Config that logs in to s with its client key and already
// trusts its host key, so that any trust-on-first-use notice fails the test.
func trusted(t *testing.T, s *sshtest.Server) Config {
	return Config{
		User:           s.User,
		Port:           s.Port,
		IdentityFile:   s.ClientKeyFile,
		KnownHostsFile: s.KnownHostsFile(t),
		Log:            noticeFails{t},
	}
}

// noticeFails fails the test on any write: for dials that must trust nothing new.
type noticeFails struct{ t *testing.T }

func (n noticeFails) Write(p []byte) (int, error) {
	n.t.Errorf("unexpected notice: %s", p)
	return len(p), nil
}

func mustDial(t *testing.T, host string, cfg Config) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), sshtest.HangLimit)
	defer cancel()
	c, err := Dial(ctx, host, cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// freshConfig dials the loopback port of l with a new key and a known_hosts
// file yet to be written.
func freshConfig(t *testing.T, l net.Listener) Config {
	cfg := Config{
		Port:           port(l),
		IdentityFile:   filepath.Join(t.TempDir(), "id"),
		KnownHostsFile: filepath.Join(t.TempDir(), "known_hosts"),
	}
	sshtest.NewKeyFile(t, cfg.IdentityFile)
	return cfg
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// silentListener accepts connections and never writes to them: a port whose
// kernel answers while nothing speaks SSH behind it.
func silentListener(t *testing.T) net.Listener {
	return listener(t, func(net.Conn) {})
}

// listener serves each connection with serve on a loopback port, keeping it
// open until the test ends.
func listener(t *testing.T, serve func(net.Conn)) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			go serve(conn)
		}
	}()
	return l
}

func port(l net.Listener) int { return l.Addr().(*net.TCPAddr).Port }
